"""Header values for our emails: safe text, addresses, stable Message-IDs, list headers.

Nothing from a feed or a subscriber reaches a header without :func:`header_text`, which
turns every line break and control character into a space, so no value can start a new
header. ``List-Unsubscribe`` gets its own folding: the standard folder would RFC 2047-encode
a URL longer than a line, which mail clients then cannot use.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from email import message_from_bytes
from email.headerregistry import Address, BaseHeader, HeaderRegistry, UnstructuredHeader
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy, Policy, default

from monitor.errors import ConfigError, PermanentDeliveryError
from monitor.notify.text import clean_inline, truncate

SUBJECT_PREFIX = "[monitor]"
SUBJECT_LIMIT = 120
NAME_LIMIT = 80
MAX_ADDRESS_LENGTH = 254
MESSAGE_ID_LIMIT = 64

_MAILBOX = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)+"
)
_DOMAIN = re.compile(r"[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*")
_ATOM_UNSAFE = re.compile(r"[^A-Za-z0-9\-]+")
_SPECIALS = re.compile(r'["(),:;<>@\[\\\]]')
_MESSAGE_ID = re.compile(r"<[!-;=?-~]{1,200}@[A-Za-z0-9.\-]{1,200}>")


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
    """``value`` cleaned to one line (no CR/LF or controls) and cut to ``limit`` characters."""
    return truncate(clean_inline(value), limit)


def is_plain_mailbox(address: str) -> bool:
    """True for an ASCII ``local@domain`` with a dot-atom local part and a dotted domain."""
    return len(address) <= MAX_ADDRESS_LENGTH and _MAILBOX.fullmatch(address) is not None


def mailbox(display_name: str, address: str) -> Address:
    """A header address; the display name is cleaned, the address must be plain.

    Raises PermanentDeliveryError for an address we will never be able to send to
    (whitespace, commas, CR/LF, non-ASCII): retrying cannot fix it.
    """
    if not is_plain_mailbox(address):
        raise PermanentDeliveryError(repr(address)[:100], "not a plain ASCII mailbox address")
    name = header_text(display_name, NAME_LIMIT)
    without_specials = " ".join(_SPECIALS.sub(" ", name).split())
    for candidate in dict.fromkeys((name, without_specials)):
        if candidate:
            named = Address(display_name=candidate, addr_spec=address)
            if _survives_folding(named):
                return named
    return Address(addr_spec=address)


def _survives_folding(named: Address) -> bool:
    """True when a client reads back this mailbox from our folded ``To`` header.

    Python 3.11's header folder drops the quotes of a display name it moves to a line of
    its own or splits: ``"0…0:;" <a@b>`` with a long name goes out as group syntax, which
    a client parses as no address at all. A name that does not survive loses its specials
    (quotes, brackets, commas, colons, semicolons, @ and backslashes); as a last resort the
    address goes out bare.

    Only a header the folder has to fold is at risk: an ASCII mailbox whose header line fits
    ``max_line_length`` (as ``From:``, the longer of the two fields it is used in) goes out
    as it is, without the probe, which costs ~0.8 ms.
    """
    limit = MAIL_POLICY.max_line_length
    if named.display_name.isascii() and (limit is None or len(f"From: {named}") <= limit):
        return True
    probe = EmailMessage(policy=MAIL_POLICY)
    probe["To"] = named
    try:
        parsed = message_from_bytes(probe.as_bytes(), policy=default)["To"].addresses
    except (AttributeError, IndexError, ValueError):  # what the parser raises on such input
        return False
    # A reader may see a space where a long name was split into several encoded words.
    return (
        len(parsed) == 1
        and parsed[0].addr_spec == named.addr_spec
        and "".join(parsed[0].display_name.split()) == "".join(named.display_name.split())
    )


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


def alert_subject(title: str, *, update: bool = False) -> str:
    """``[monitor] <headline>`` or ``[monitor] Update: <headline>``, at most 120 characters."""
    headline = clean_inline(title) or "(untitled story)"
    return _subject(f"Update: {headline}" if update else headline)


def digest_subject(name: str, count: int, label: str) -> str:
    """``[monitor] Daily digest: 5 stories (2026-11-27)``."""
    stories = "1 story" if count == 1 else f"{count} stories"
    return _subject(f"{clean_inline(name)}: {stories} ({clean_inline(label)})")


def confirmation_subject(subscription_name: str) -> str:
    """``[monitor] Confirm your subscription: <name>``."""
    name = clean_inline(subscription_name)
    return _subject(f"Confirm your subscription: {name}" if name else "Confirm your subscription")


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
