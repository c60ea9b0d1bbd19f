"""The workspace in English, Spanish, Portuguese and Ukrainian, and times in the reader's
zone. Pure.

The catalogs themselves live in :mod:`monitor.catalogs` (shared with the emails and chat
messages); this module keeps the workspace's choices: which language a reader sees and
how times are shown.

The reader chooses the language (a cookie set by the language form); until then a page
opened from an email's link (the sign-in link) is in the language of the subscriber the
link names, as the email was, and otherwise the browser's ``Accept-Language`` decides, else
English.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.catalogs import DEFAULT_LANGUAGE, LANGUAGE_NAMES, LANGUAGES, Catalog, catalog

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LANGUAGE_NAMES",
    "Catalog",
    "catalog",
    "choose_language",
    "local_time",
    "reader_zone",
]


def choose_language(
    chosen: str | None, accept_language: str | None, linked: str | None = None
) -> str:
    """The reader's choice (cookie) if it is one of ours, else the language of the
    subscriber an email's link names (``linked``), else the browser's most preferred
    language we have (``es-AR,es;q=0.9,en;q=0.8`` → es), else English."""
    if chosen in LANGUAGES:
        return chosen
    if linked in LANGUAGES:
        return linked
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary in LANGUAGES and quality > 0:
            ranked.append((-quality, position, primary))
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def reader_zone(name: str | None) -> ZoneInfo:
    """The reader's IANA zone; UTC when none is stored or it is unknown here."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_time(moment: datetime, zone: ZoneInfo) -> str:
    """``2023-12-11 09:05 -03``: a moment as the reader's clock shows it, with the zone's
    abbreviation (or offset), the same in every language."""
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".strip()
