"""An email's bytes: written directly when every header is plain, by the email package if not.

A :class:`Draft` is a composed email before it is bytes: its headers in the order they go
out, its plain-text and HTML bodies, and a MIME boundary. Two ways turn it into bytes,
which give the same bytes (a property test holds them to it):

- :func:`draft_message` (the slow path) builds an :class:`~email.message.EmailMessage`
  and lets the email package fold and encode every header; tests read messages built so;
- :func:`draft_bytes` (the fast path, the mailer's) writes a header as ``Name: value``
  itself when the value is *plain* — printable ASCII, no ``=?``, no doubled or edge
  spaces, fitting one 78-character line — which is exactly what the email package would
  write for it; any other header (a non-ASCII subject, a long one, a quoted name) is
  folded by the email package, one header at a time. The bodies are encoded by the same
  quoted-printable function the email package uses.

Both paths end in :func:`~monitor.notify.headers.checked_header_block`: the header lines
written must name exactly the headers set, so no value can become a header or a body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import quoprimime
from email.headerregistry import Address
from email.message import EmailMessage

from monitor.errors import UnsafeMessageError
from monitor.notify.headers import (
    MAIL_POLICY,
    checked_header_block,
    fingerprint,
    is_plain_mailbox,
    wire_bytes,
)

HeaderValue = str | Address

_LINE_LIMIT = 78  # MAIL_POLICY.max_line_length
_LINE_ENDS = re.compile(r"\r\n|\r|\n")  # what the email package's generator turns into CRLF
_PLAIN_VALUE = re.compile(r"[!-~]+(?: [!-~]+)*")
_PLAIN_NAME = re.compile(r"[A-Za-z0-9]+(?: [A-Za-z0-9]+)*")
_QP_MAP: list[str] = quoprimime._QUOPRI_BODY_ENCODE_MAP  # type: ignore[attr-defined]  # its own table
_PART = (
    "--{boundary}\r\n"
    'Content-Type: text/{subtype}; charset="utf-8"\r\n'
    "Content-Transfer-Encoding: quoted-printable\r\n"
    "{extra}\r\n"
)


@dataclass(frozen=True, slots=True)
class Draft:
    """A composed email: ``head`` headers, the MIME headers, then ``tail`` headers.

    ``boundary`` separates the two bodies; quoted-printable writes every ``=`` as
    ``=3D``, so a boundary made of ``=`` and hex digits never occurs inside a part.
    """

    head: tuple[tuple[str, HeaderValue], ...]
    tail: tuple[tuple[str, HeaderValue], ...]
    text: str
    html: str
    boundary: str

    def header(self, name: str) -> str:
        """The value given for header ``name`` (as set, before folding)."""
        for key, value in (*self.head, *self.tail):
            if key.lower() == name.lower():
                return str(value)
        raise KeyError(name)

    def names(self) -> list[str]:
        """Lower-cased names of the headers that go out, in order."""
        middle = ["mime-version", "content-type"]
        return [name.lower() for name, _ in self.head] + middle + [n.lower() for n, _ in self.tail]


def boundary_for(message_id: str) -> str:
    """A MIME boundary that depends only on the Message-ID: a resend is the same bytes."""
    return f"{'=' * 15}{fingerprint(message_id)}=="


def draft_message(draft: Draft) -> EmailMessage:
    """The slow path: the draft as an EmailMessage (headers parsed by the email package)."""
    message = EmailMessage(policy=MAIL_POLICY)
    for name, value in draft.head:
        message[name] = value
    message.set_content(draft.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(draft.html, subtype="html", charset="utf-8", cte="quoted-printable")
    message.set_boundary(draft.boundary)
    for name, value in draft.tail:
        message[name] = value
    return message


def slow_bytes(draft: Draft, recipient: str) -> bytes:
    """The draft's bytes the slow way (the fast path's oracle, and a fallback)."""
    return wire_bytes(draft_message(draft), recipient)


def plain_header(name: str, value: HeaderValue) -> str | None:
    """``Name: value`` when the email package would write exactly that; else None."""
    if isinstance(value, Address):
        if not is_plain_mailbox(value.addr_spec):
            return None
        display = value.display_name
        if display and not _PLAIN_NAME.fullmatch(display):
            return None
        text = f"{display} <{value.addr_spec}>" if display else value.addr_spec
    else:
        text = value
        if "=?" in text or not _PLAIN_VALUE.fullmatch(text):
            return None
    line = f"{name}: {text}"
    return line if len(line) <= _LINE_LIMIT else None


# Written header lines by (name, value): From, Date, List-Id, Subject and four constant
# headers recur in thousands of emails of a pass. Cleared when full.
_FOLDED: dict[tuple[str, ...], bytes] = {}
_FOLDED_LIMIT = 8192


def fold_header(name: str, value: HeaderValue) -> bytes:
    """One header as it goes out, CRLF included: written directly when plain.

    Remembered by name and value (an address by its display name and address): the
    same header gives the same line."""
    key = (
        (name, value.display_name, value.addr_spec)
        if isinstance(value, Address)
        else (name, value)  # two items: never an address's key
    )
    line = _FOLDED.get(key)
    if line is None:
        line = _folded(name, value)
        if len(_FOLDED) >= _FOLDED_LIMIT:
            _FOLDED.clear()
        _FOLDED[key] = line
    return line


def _folded(name: str, value: HeaderValue) -> bytes:
    if isinstance(value, str) and name.lower() == "list-unsubscribe":
        folded = list_unsubscribe_lines(name, value)
        if folded is not None:
            return folded
    line = plain_header(name, value)
    if line is not None:
        return line.encode("ascii") + b"\r\n"
    try:
        parsed = MAIL_POLICY.header_store_parse(name, value)[1]
        return MAIL_POLICY.fold_binary(name, parsed)
    except (ValueError, TypeError) as exc:  # a line break the cleaning let through
        raise UnsafeMessageError(name, f"header not writable: {exc}") from exc


def list_unsubscribe_lines(name: str, value: str) -> bytes | None:
    """``List-Unsubscribe`` as the mail policy's own header class folds it (one line per
    ``<…>`` item, whatever their length), when the value is plain; else None. Every
    email carries one, and it never fits one line: the email package took longer over it
    than over the rest of the headers together."""
    if "=?" in value or not _PLAIN_VALUE.fullmatch(value):
        return None
    items = [item.strip() for item in value.split(",") if item.strip()]
    return (f"{name}: " + ",\r\n ".join(items) + "\r\n").encode("ascii")


class _LineCache:
    """Encoded body lines by their raw (latin-1 decoded UTF-8) text, in two generations.

    A story block's lines, the footer's and the headings recur in thousands of emails of a
    pass; a reader's own lines (their reason, their links) never recur. When the current
    generation is full it becomes the older one and a fresh one starts: a line found only
    in the older one is carried over, so the recurring lines survive the turnover while
    the one-off lines age out (a single dict cleared when full dropped both).
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.current: dict[str, str] = {}
        self.older: dict[str, str] = {}

    def encoded(self, raw: str) -> str:
        line = self.current.get(raw)
        if line is None:
            line = self.older.get(raw)
            if line is None:
                line = _encoded_line(raw)
            if len(self.current) >= self.limit:
                self.older, self.current = self.current, {}
            self.current[raw] = line
        return line


_ENCODED_LINES = _LineCache(32768)


def _encoded_line(raw: str) -> str:
    """One line of a body (UTF-8 bytes read as latin-1), quoted-printable encoded."""
    line = raw.translate(_QP_MAP)
    if len(line) <= _LINE_LIMIT and not line.endswith((" ", "\t")):
        return line
    return _soft_broken(line)


def _soft_broken(line: str) -> str:
    """An escaped line (no line break in it) cut into 78-character lines with soft breaks,
    exactly as ``quoprimime.body_encode(raw, 78, eol="\r\n")`` cuts it: its loop, for one
    line that is already escaped (it escaped the line a second time)."""
    pieces: list[str] = []
    append = pieces.append
    start = 0
    last_start = len(line) - 1 - _LINE_LIMIT
    while start <= last_start:
        stop = start + _LINE_LIMIT - 1
        if line[stop - 2] == "=":  # never cut an escape
            append(line[start : stop - 1])
            start = stop - 2
        elif line[stop - 1] == "=":
            append(line[start:stop])
            start = stop - 1
        else:
            append(line[start:stop] + "=")
            start = stop
    if line and line[-1] in " \t":  # a space at the end of a line is escaped
        room = start - last_start
        last = line[-1]
        if room >= 3:
            tail = f"={ord(last):02X}"
        elif room == 2:
            tail = last + "=\r\n"
        else:
            tail = f"=\r\n={ord(last):02X}"
        append(line[start:-1] + tail)
    else:
        append(line[start:])
    return "\r\n".join(pieces)


def _raw_lines(text: str) -> list[str]:
    """``text``'s lines as UTF-8 bytes read as latin-1, split where the email package
    splits them (``bytes.splitlines``: LF, CR and CRLF; no empty line after a last end)."""
    data = text.encode("utf-8")
    if b"\r" in data:
        return b"\n".join(data.splitlines()).decode("latin-1").split("\n")
    lines = data.decode("latin-1").split("\n")
    if len(lines) > 1 and not lines[-1]:
        lines.pop()
    return lines


def encoded_body(text: str) -> str:
    """``text`` as UTF-8 quoted-printable with CRLF line ends, as the email package writes it.

    The email package encodes the whole body with ``quoprimime.body_encode``, a Python loop
    over every line. A line that is short once its bytes are escaped, and does not end in
    a space or tab, comes out of that loop unchanged; only the others are cut by the same
    loop (one line at a time, which gives the same result since no escape crosses a line
    end). Each line's encoding is remembered, since most lines of an email recur in many
    others.
    """
    # The current generation's look-up inline: a call per line cost as much as the rest.
    # A miss (or an empty line, whose encoding is empty) goes through the cache's method.
    known, encoded = _ENCODED_LINES.current.get, _ENCODED_LINES.encoded
    return "\r\n".join([known(raw) or encoded(raw) for raw in _raw_lines(text)]) + "\r\n"


def _reference_body(text: str) -> str:
    """What the email package writes for ``text`` (the oracle of :func:`encoded_body`)."""
    lines = text.encode("utf-8").splitlines()
    encoded = quoprimime.body_encode((b"\n".join(lines) + b"\n").decode("latin-1"), _LINE_LIMIT)
    return "\r\n".join(_LINE_ENDS.split(encoded))


def draft_bytes(draft: Draft, recipient: str) -> bytes:
    """The fast path: the draft's bytes, equal to :func:`slow_bytes`, without EmailMessage.

    Raises UnsafeMessageError if a header did not stay one header line.
    """
    boundary = draft.boundary
    head = b"".join(fold_header(name, value) for name, value in draft.head)
    tail = b"".join(fold_header(name, value) for name, value in draft.tail)
    mime = (
        f'MIME-Version: 1.0\r\nContent-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n'
    )
    body = (
        "\r\n"
        + _PART.format(boundary=boundary, subtype="plain", extra="")
        + encoded_body(draft.text)
        + "\r\n"
        + _PART.format(boundary=boundary, subtype="html", extra="MIME-Version: 1.0\r\n")
        + encoded_body(draft.html)
        + f"\r\n--{boundary}--\r\n"
    )
    raw = head + mime.encode("ascii") + tail + body.encode("ascii")
    checked_header_block(raw, draft.names(), recipient)
    return raw
