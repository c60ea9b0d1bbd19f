"""The workspace in English, Spanish and Portuguese, and times in the reader's zone. Pure.

Each language is a TOML catalog in ``monitor/web/locales/`` (package data): tables of
messages, read as dotted keys (``[nav] latest = "Latest"`` is ``nav.latest``). Messages may
name values in braces (``{email}``); templates escape the finished text. English is the
reference: every catalog has exactly its keys (a test checks), and a key no catalog has is
an error, never a blank on the page.

The reader chooses the language (a cookie set by the language form); until then the
browser's ``Accept-Language`` decides, else English.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LANGUAGES: tuple[str, ...] = ("en", "es", "pt")
DEFAULT_LANGUAGE = "en"
# Each language's own name, for the language form.
LANGUAGE_NAMES = {"en": "English", "es": "Español", "pt": "Português"}


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat


@dataclass(frozen=True, slots=True)
class Catalog:
    """One language's messages."""

    language: str
    messages: Mapping[str, str]

    def text(self, key: str, **values: object) -> str:
        """The message ``key`` with ``values`` filled in; KeyError names a missing key."""
        try:
            message = self.messages[key]
        except KeyError:
            raise KeyError(f"no message {key!r} in the {self.language} catalog") from None
        return message.format(**values) if values else message

    def has(self, key: str) -> bool:
        return key in self.messages


@cache
def catalog(language: str) -> Catalog:
    """The packaged catalog of ``language`` (one of LANGUAGES)."""
    if language not in LANGUAGES:
        raise ValueError(f"no catalog for {language!r}; known: {', '.join(LANGUAGES)}")
    source = files("monitor.web").joinpath("locales", f"{language}.toml").read_text("utf-8")
    return Catalog(language, _flatten(tomllib.loads(source)))


def choose_language(chosen: str | None, accept_language: str | None) -> str:
    """The reader's choice (cookie) if it is one of ours, else the browser's most preferred
    language we have (``es-AR,es;q=0.9,en;q=0.8`` → es), else English."""
    if chosen in LANGUAGES:
        return chosen
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
