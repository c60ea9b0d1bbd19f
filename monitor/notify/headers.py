"""Header values for our emails: safe text, addresses, stable Message-IDs, list headers.

Nothing from a feed or a subscriber reaches a header without :func:`header_text`, which
decodes RFC 2047 encoded words the way the email package will, then turns every line break
and control character into a space, so no value can start a new header or a body.
``List-Unsubscribe`` gets its own folding: the standard folder would RFC 2047-encode a URL
longer than a line, which mail clients then cannot use.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from email import message_from_bytes
from email.errors import MessageError
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy, Policy, default
from functools import lru_cache

from monitor.errors import ConfigError, PermanentDeliveryError, UnsafeMessageError
from monitor.notify.text import clean_inline, truncate
from monitor.notify.wording import words

SUBJECT_PREFIX = "[monitor]"
SUBJECT_LIMIT = 120
NAME_LIMIT = 80
MAX_ADDRESS_LENGTH = 254
MESSAGE_ID_LIMIT = 64
# Nesting depth of encoded words decoded before the rest is shown with its syntax broken.
_DECODE_ROUNDS = 8

_MAILBOX = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+"
)
_DOMAIN = re.compile(r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*")
_ATOM_UNSAFE = re.compile(r"[^A-Za-z0-9\-]+")
_SPECIALS = re.compile(r'["(),:;<>@\[\\\]]')
_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,200}@[A-Za-z0-9.\-]{1,200}>")
# A line and the line end a reader might honour, bare CR and bare LF included.
_LINE = re.compile(rb"([^\r\n]*)(?:\r\n|\r|\n)")


class _ListUnsubscribeHeader(UnstructuredHeader, BaseHeader):
    """Folds between the ``<…>`` items only, never encoding them (RFC 2369 wants them raw)."""

    def fold(self, *, policy: Policy) -> str:
        items = [item.strip() for item in str(self).split(",") if item.strip()]
        return f"{self.name}: " + f",{policy.linesep} ".join(items) + policy.linesep


def _mail_policy() -> EmailPolicy[EmailMessage]:
    registry = HeaderRegistry()
    registry.map_to_type("list-unsubscribe", _ListUnsubscribeHeader)
    return SMTP.clone(header_factory=registry)


# CRLF line endings, folded and encoded headers; our own registry so the override above
# does not leak into anyone else's use of the email package.
MAIL_POLICY: EmailPolicy[EmailMessage] = _mail_policy()


def header_text(value: str, limit: int) -> str:
    """``value`` as one line of plain header text, at most ``limit`` characters.

    The one rule for every header value built from feed or subscriber data. The email
    package decodes RFC 2047 encoded words in any value it is given, so cleaning the raw
    text is not enough: ``=?utf-8?q?Hi=0D=0AReply-To:_x@evil.example?=`` goes out as a
    second header line on a Python whose email package writes what it decoded (3.11.7
    does), and raises ``HeaderWriteError`` on one that checks (``verify_generated_headers``).
    So the text is read as the email package reads a header and cleaned (breaks and
    controls become spaces), again until it reads back as itself, then cut: what goes out
    is exactly the cleaned text, and a subject shows the decoded words. Text without ``=?``
    (every encoded word starts so) is only cleaned and cut.
    """
    text = truncate(clean_inline(value), limit)
    if "=?" not in text:
        return text
    # An encoded word takes at most ~12 characters per decoded one: the cap bounds the parse.
    text = clean_inline(value)[: limit * 16 + 256]
    for _ in range(_DECODE_ROUNDS):
        read = clean_inline(_as_read(text))
        if read == text:
            break
        text = read
    else:  # still decoding: deliberately nested; show the rest with its syntax broken
        text = _without_encoded_words(text)
    text = truncate(text, limit)
    return text if _as_read(text) == text else truncate(_without_encoded_words(text), limit)


def _without_encoded_words(text: str) -> str:
    """``text`` with every ``=?`` broken, so nothing in it can read as an encoded word."""
    return text.replace("=?", "= ?")


def _as_read(text: str) -> str:
    """What a message's reader gets back from ``text`` given as an unstructured header."""
    return str(MAIL_POLICY.header_factory("subject", text))


def is_plain_mailbox(address: str) -> bool:
    """True for an ASCII ``local@domain`` with a dot-atom local part and a dotted domain."""
    return len(address) <= MAX_ADDRESS_LENGTH and _MAILBOX.fullmatch(address) is not None


@lru_cache(maxsize=4096)
def mailbox(display_name: str, address: str) -> Address:
    """A header address; the display name is cleaned, the address must be plain.

    Raises PermanentDeliveryError for an address we will never be able to send to
    (whitespace, commas, CR/LF, non-ASCII): retrying cannot fix it. Remembered (an
    Address is immutable): the sender's is the same in every email of a pass.
    """
    if not is_plain_mailbox(address):
        raise PermanentDeliveryError(repr(address)[:100], "not a plain ASCII mailbox address")
    # A plain mailbox is a dot-atom local part and a domain: given as such, Address does
    # not run its parser over it (the parser would return the same two strings).
    local, _, domain = address.rpartition("@")
    name = header_text(display_name, NAME_LIMIT)
    without_specials = " ".join(_SPECIALS.sub(" ", name).split())
    for candidate in dict.fromkeys((name, without_specials)):
        if candidate:
            named = Address(display_name=candidate, username=local, domain=domain)
            if _survives_folding(named):
                return named
    return Address(username=local, domain=domain)


def _survives_folding(named: Address) -> bool:
    """True when a client reads back this mailbox from our folded ``To`` header.

    Python 3.11's header folder drops the quotes of a display name it moves to a line of
    its own or splits: ``"0…0:;" <a@b>`` with a long name goes out as group syntax, which
    a client parses as no address at all. A name that does not survive loses its specials
    (quotes, brackets, commas, colons, semicolons, @ and backslashes); as a last resort the
    address goes out bare.

    Only a header the folder has to fold, or a name that still holds ``=?`` (which the
    address parser might take for an encoded word), is at risk: an ASCII mailbox whose
    header line fits ``max_line_length`` (as ``From:``, the longer of the two fields it is
    used in) goes out as it is, without the probe, which costs ~0.8 ms.
    """
    limit = MAIL_POLICY.max_line_length
    name = named.display_name
    fits = limit is None or len(f"From: {named}") <= limit
    if name.isascii() and fits and "=?" not in name:
        return True
    probe = EmailMessage(policy=MAIL_POLICY)
    probe["To"] = named
    try:
        parsed = message_from_bytes(probe.as_bytes(), policy=default)["To"].addresses
    except (AttributeError, IndexError, ValueError, MessageError):  # raised on such input
        return False
    # A reader may see a space where a long name was split into several encoded words.
    return (
        len(parsed) == 1
        and parsed[0].addr_spec == named.addr_spec
        and "".join(parsed[0].display_name.split()) == "".join(named.display_name.split())
    )


def wire_bytes(message: EmailMessage, recipient: str) -> bytes:
    """The message as it goes out; raises UnsafeMessageError if a header did not stay one.

    What newer Pythons check with ``verify_generated_headers`` (and report with
    ``HeaderWriteError``), done the same way on every version: the header lines written
    must name exactly the headers we set, in order. A value that became a second header,
    or a blank line that would start the body early, fails here, before anything is queued.
    """
    try:
        raw = message.as_bytes()
    except MessageError as exc:  # HeaderWriteError, on versions that have it
        raise UnsafeMessageError(recipient, f"header not writable: {exc}") from exc
    checked_header_block(raw, [name.lower() for name in message], recipient)
    return raw


def checked_header_block(raw: bytes, expected: list[str], recipient: str) -> None:
    """Raise UnsafeMessageError unless the header lines of ``raw`` name ``expected``."""
    written = written_header_names(raw)
    if written != expected:
        extra = sorted(set(written) - set(expected)) or ["(body started early)"]
        raise UnsafeMessageError(recipient, f"headers came out as more lines: {extra[:5]}")


def written_header_names(raw: bytes) -> list[str]:
    """Lower-cased names of the header lines of ``raw``, up to the first empty line."""
    names: list[str] = []
    for match in _LINE.finditer(raw):  # lazily: the body is never split
        line = match.group(1)
        if not line:
            break
        if line[:1] not in (b" ", b"\t"):  # a continuation line belongs to the header above
            names.append(line.partition(b":")[0].decode("ascii", "replace").lower())
    return names


def checked_domain(domain: str) -> str:
    """A Message-ID right-hand side; must be a plain dot-atom such as ``monitor.example.org``."""
    if not _DOMAIN.fullmatch(domain):
        raise ConfigError(f"message-id domain must be a plain host name, got {domain!r}")
    return domain


def delivery_key(kind: str, parts: Sequence[str | int]) -> str:
    """Human-readable idempotency key of one email, e.g. ``alert:42:7`` (for logs and tests)."""
    return ":".join(_ATOM_UNSAFE.sub("-", str(part))[:40] for part in (kind, *parts))


def fingerprint(value: str) -> str:
    """16 hex digits of SHA-256: a short stable stand-in for a long or private value."""
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def is_message_id(value: str) -> bool:
    """True for a plain ``<left@right>`` Message-ID (what we generate and accept back)."""
    return _MESSAGE_ID.fullmatch(value) is not None


def message_id_for(kind: str, parts: Sequence[str | int], domain: str) -> str:
    """A Message-ID that depends only on ``kind`` and ``parts``: a resend is recognisable.

    ``<alert.42.7.3f9a0c1d2e4b5a69@monitor.example.org>``: the readable parts help people
    reading headers; the hash of the exact parts keeps ids distinct even if two parts
    would read the same after cleaning.
    """
    digest = fingerprint(json.dumps([kind, *[str(part) for part in parts]], ensure_ascii=True))
    readable = ".".join(
        _ATOM_UNSAFE.sub("-", str(part)).strip("-")[:40] or "x" for part in (kind, *parts)
    )
    # Keep "Message-ID: <…>" on one 78-character line: a folded id comes back from
    # parsers with leading whitespace and no longer compares equal.
    budget = max(len(kind), MESSAGE_ID_LIMIT - len(domain) - len(digest) - 4)
    readable = readable[:budget].rstrip(".-")
    return f"<{readable}.{digest}@{checked_domain(domain)}>"


def _subject(body: str) -> str:
    return header_text(f"{SUBJECT_PREFIX} {body}", SUBJECT_LIMIT)


def alert_subject(title: str, *, update: bool = False, language: str = "en") -> str:
    """``[monitor] <headline>`` or ``[monitor] Update: <headline>``, at most 120 characters
    (the fixed words in ``language``)."""
    w = words(language)
    headline = header_text(title, SUBJECT_LIMIT) or w.text("email.story.untitled")
    return _subject(w.text("email.subject.update", title=headline) if update else headline)


@lru_cache(maxsize=4096)
def digest_subject(name: str, count: int, label: str, *, language: str = "en") -> str:
    """``[monitor] Daily digest: 5 stories (2026-11-27)``. Remembered: a pass's digests
    share a few names, labels and counts."""
    w = words(language)
    stories = w.count("email.digest.stories", count)
    body = w.text(
        "email.subject.digest", name=clean_inline(name), stories=stories, label=clean_inline(label)
    )
    return _subject(body)


def volume_subject(heading: str) -> str:
    """``[monitor] Ukraine–Latin America · Brazil: 14 stories today against a usual 3.1``."""
    return _subject(clean_inline(heading) or "Unusual coverage")


def confirmation_subject(subscription_name: str, *, language: str = "en") -> str:
    """``[monitor] Confirm your subscription: <name>``."""
    w = words(language)
    name = clean_inline(subscription_name)
    if name:
        return _subject(w.text("email.subject.confirm_name", name=name))
    return _subject(w.text("email.subject.confirm"))


def sign_in_subject(*, language: str = "en") -> str:
    """``[monitor] Your sign-in link``."""
    return _subject(words(language).text("email.sign_in.title"))


def list_id(name: str, identifier: str) -> str:
    """``List-Id`` value (RFC 2919): a cleaned description and ``<identifier>``."""
    checked_domain(identifier)
    description = header_text(name, NAME_LIMIT).replace('"', "'").replace("\\", "/")
    return f'"{description}" <{identifier}>' if description else f"<{identifier}>"


def list_unsubscribe(unsubscribe_url: str, unsubscribe_mailto: str) -> str:
    """``List-Unsubscribe`` value: the one-click HTTPS URL first, then the mailto fallback."""
    for uri in (unsubscribe_url, unsubscribe_mailto):
        if any(char in uri for char in "<>, \r\n\t") or not uri.isascii():
            raise ConfigError(f"unsubscribe URI not usable in a header: {uri!r}")
    return f"<{unsubscribe_url}>, <{unsubscribe_mailto}>"
