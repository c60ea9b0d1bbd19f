"""Syndication marks in item text: who really wrote it, and the aggregator's own wrapping.

MENAFN re-publishes partner outlets' stories with a source marker at the start of the body,
``(MENAFN- The Rio Times)``, and a trailer at the end: ``MENAFN`` + DDMMYYYY + a 12-digit
block + ``ID`` + article id, followed by a legal disclaimer. The marker names the original
outlet (credited in alerts), the trailer's date is a reliable publication date, and none of
it is part of the story, so it is removed before matching. Extraction is tolerant because
captured text is not always clean: the opening parenthesis can be lost, and the project's
seed carries an extra ``date YYYY-MM-DD`` prefix (FEEDS.md, section 2, in the data notes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

# Possessive whitespace (``\s*+``): with plain ``\s*`` on both sides of the optional
# parts, a long run of spaces with no marker after it backtracks quadratically.
_MARKER = re.compile(
    r"^\s*+(?:date\s++(?P<date>\d{4}-\d{2}-\d{2})\s++)?\(?\s*+MENAFN\s*+-\s*+"
    r"(?P<outlet>[^()]{1,80}?)\s*\)\s*",
    re.IGNORECASE,
)
_TRAILER = re.compile(
    r"MENAFN(?P<day>\d{2})(?P<month>\d{2})(?P<year>\d{4})\d{12}ID(?P<id>\d{1,20})"
)
_DISCLAIMER = re.compile(
    r"(?:Legal Disclaimer:\s*)?MENAFN provides the information\b", re.IGNORECASE
)

# (No leading \s* in the two patterns above: searched over long text, that backtracks
# quadratically on runs of whitespace. The remaining text is stripped instead.)

# Outlet names as MENAFN spells them → as the outlets spell themselves. Keys are casefolded.
OUTLET_ALIASES: dict[str, str] = {
    "ukrinform": "Ukrinform",
    "the rio times": "The Rio Times",
    "rio times": "The Rio Times",
    "ein presswire": "EIN Presswire",
    "the peninsula": "The Peninsula",
    "the peninsula qatar": "The Peninsula",
    "mercopress": "MercoPress",
    "newsfile corp": "Newsfile Corp",
}


@dataclass(frozen=True, slots=True)
class SyndicationMarks:
    """Item text with the aggregator's wrapping removed, and what the wrapping told us.

    ``published_on`` is the trailer's date (or the seed's ``date`` prefix): day precision,
    for items whose feed gave no date. ``article_id`` is the aggregator's own id.
    """

    text: str
    original_outlet: str | None = None
    published_on: date | None = None
    article_id: str | None = None


def strip_syndication_marks(text: str) -> SyndicationMarks:
    """Remove a leading MENAFN source marker and the trailer/disclaimer, reporting both."""
    outlet: str | None = None
    published_on: date | None = None
    article_id: str | None = None

    marker = _MARKER.match(text)
    if marker:
        outlet = normalize_outlet_name(marker.group("outlet"))
        published_on = _iso_date(marker.group("date"))
        text = text[marker.end() :]

    trailer = _TRAILER.search(text)
    if trailer:
        article_id = trailer.group("id")
        published_on = (
            _dmy_date(trailer.group("day"), trailer.group("month"), trailer.group("year"))
            or published_on
        )
        text = text[: trailer.start()]
    disclaimer = _DISCLAIMER.search(text)
    if disclaimer:
        text = text[: disclaimer.start()]
    return SyndicationMarks(text.strip(), outlet or None, published_on, article_id)


def normalize_outlet_name(name: str) -> str:
    """An outlet name with collapsed whitespace and MENAFN's known misspellings fixed."""
    collapsed = " ".join(name.split())
    return OUTLET_ALIASES.get(collapsed.casefold(), collapsed)


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _dmy_date(day: str, month: str, year: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None
