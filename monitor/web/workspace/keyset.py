"""Keyset pages for the operations lists: the cursor in the URL, and the links around a
page. Pure.

A page is asked for by ``?after=K`` (the rows past K, going forward) or ``?before=K``
(the rows just before K, a page back); K is a row's key as text. The store reads one row
more than a page to know whether there is more in the direction of travel; the other way
there is always more, except on the first page. Plain links: no JavaScript.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from monitor.store.failed_deliveries import SOURCES, FailedKey

_ID = re.compile(r"[0-9]{1,12}")
_FAILED = re.compile(rf"([0-9]{{1,18}})\.({'|'.join(SOURCES)})\.([0-9]{{1,18}})")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Asked:
    """Which page the URL asks for: ``direction`` is "first", "after" or "before"; ``cursor``
    the key's text; ``bad`` says the URL named a cursor that is not one (the first page
    is shown)."""

    direction: str = "first"
    cursor: str = ""
    bad: bool = False


def asked_page(query: Mapping[str, str], valid: re.Pattern[str]) -> Asked:
    """The page ``?after=`` or ``?before=`` asks for (``after`` wins if both are given)."""
    for direction in ("after", "before"):
        text = query.get(direction)
        if text is None:
            continue
        if valid.fullmatch(text):
            return Asked(direction, text)
        return Asked(bad=True)
    return Asked()


@dataclass(frozen=True, slots=True)
class Pager:
    """The cursors of the links around a page (None: no such link)."""

    previous: str | None = None  # for ?before=
    next: str | None = None  # for ?after=


def pager(keys: Sequence[str], *, more: bool, asked: Asked) -> Pager:
    """The links around a page of rows with ``keys`` (in shown order); ``more``: the store
    found a row beyond the page in the direction of travel."""
    if asked.direction == "before":
        if not keys:  # nothing before: forward from where the reader was
            return Pager(None, asked.cursor)
        return Pager(keys[0] if more else None, keys[-1])
    if asked.direction == "after":
        if not keys:
            return Pager(asked.cursor, None)
        return Pager(keys[0], keys[-1] if more else None)
    return Pager(None, keys[-1] if more and keys else None)


# --- the cursors of each list ---------------------------------------------------------
SUBSCRIBER_CURSOR = _ID
FAILED_CURSOR = _FAILED


def subscriber_cursor(text: str) -> int:
    return int(text)


def encode_failed_key(key: FailedKey) -> str:
    """``1702300000123456.email.12``: the time in microseconds since 1970, source and id."""
    micros = (key.created_at.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1)
    return f"{micros}.{key.source}.{key.id}"


def decode_failed_key(text: str) -> FailedKey | None:
    match = _FAILED.fullmatch(text)
    if match is None:
        return None
    try:
        moment = _EPOCH + timedelta(microseconds=int(match[1]))
    except OverflowError:
        return None
    return FailedKey(moment, match[2], int(match[3]))
