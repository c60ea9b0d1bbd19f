"""Query parameters at the door: page sizes, dates and keyset cursors. Pure.

Lists are newest first and paged by keyset: the cursor carries the (time, id) of the last
row returned, so a page never repeats or skips a row when new alerts arrive meanwhile.
The cursor is opaque to clients (base64url of ``<microseconds since epoch>.<id>``) and
checked on the way in: anything else is a 400 naming ``cursor``, never a server error.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from monitor.web.api.problems import bad_parameter

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
_CURSOR = re.compile(r"(\d{1,18})\.(\d{1,18})")
_COUNTRY = re.compile(r"[A-Z]{2}")
_CATEGORY = re.compile(r"[a-z0-9][a-z0-9\-]{0,39}")
_LANG = re.compile(r"[a-z]{2,3}")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Dates before this or after this are mistakes (or probes), not periods anyone means.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where the next page starts: after the row at (``at``, ``id``) in newest-first order."""

    at: datetime
    id: int


def encode_cursor(cursor: Cursor) -> str:
    micros = (cursor.at - _EPOCH) // timedelta(microseconds=1)
    raw = f"{micros}.{cursor.id}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(text: str | None) -> Cursor | None:
    if text is None or text == "":
        return None
    message = "not a cursor from this API; pass the next_cursor of the previous page as is"
    if len(text) > 64:
        raise bad_parameter("cursor", message)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("ascii")
    except (binascii.Error, ValueError):
        raise bad_parameter("cursor", message) from None
    match = _CURSOR.fullmatch(raw)
    if match is None:
        raise bad_parameter("cursor", message)
    try:
        at = _EPOCH + timedelta(microseconds=int(match[1]))
    except OverflowError:
        raise bad_parameter("cursor", message) from None
    if not _EARLIEST <= at < _LATEST:
        raise bad_parameter("cursor", message)
    return Cursor(at, int(match[2]))


def parse_limit(text: str | None) -> int:
    if text is None or text == "":
        return DEFAULT_LIMIT
    if not text.isdigit() or len(text) > 6 or not 1 <= int(text) <= MAX_LIMIT:
        raise bad_parameter("limit", f"a whole number from 1 to {MAX_LIMIT}; got {text[:20]!r}")
    return int(text)


def parse_moment(field: str, text: str | None) -> datetime | None:
    """An ISO 8601 date or date-time (a time without a zone is UTC); None when absent."""
    if text is None or text == "":
        return None
    hint = "an ISO 8601 date (2026-12-01) or date-time (2026-12-01T08:00:00Z)"
    if len(text) > 40:
        raise bad_parameter(field, f"{hint}; got a {len(text)}-character value")
    try:
        if len(text) == 10:
            moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise bad_parameter(field, f"{hint}; got {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        moment = moment.astimezone(UTC)
    except OverflowError:
        raise bad_parameter(field, f"{hint}; got {text!r}") from None
    if not _EARLIEST <= moment < _LATEST:
        raise bad_parameter(field, f"a date from 2000 to 2099; got {text!r}")
    return moment


def parse_period(
    since_text: str | None, until_text: str | None, *, now: datetime, default_days: int,
    max_days: int | None = None,
) -> tuple[datetime, datetime]:
    """(since, until): ``until`` defaults to now, ``since`` to ``default_days`` before it."""
    until = parse_moment("until", until_text) or now
    since = parse_moment("since", since_text) or until - timedelta(days=default_days)
    if since >= until:
        raise bad_parameter("since", "must be before until")
    if max_days is not None and until - since > timedelta(days=max_days):
        raise bad_parameter("since", f"the period is at most {max_days} days")
    return since, until


@dataclass(frozen=True, slots=True)
class StoryFilters:
    """The list filters of /stories, /alerts and /search, checked."""

    country: str | None = None
    category: str | None = None
    lang: str | None = None


def parse_filters(country: str | None, category: str | None, lang: str | None) -> StoryFilters:
    if country:
        country = country.upper()
        if not _COUNTRY.fullmatch(country):
            raise bad_parameter("country", f"an ISO 3166-1 code like BR; got {country[:20]!r}")
    if category:
        category = category.lower()
        if not _CATEGORY.fullmatch(category):
            raise bad_parameter("category", f"a category name like peace-plan; got {category[:40]!r}")
    if lang:
        lang = lang.lower()
        if not _LANG.fullmatch(lang):
            raise bad_parameter("lang", f"a language code like en, es or pt; got {lang[:20]!r}")
    return StoryFilters(country or None, category or None, lang or None)
