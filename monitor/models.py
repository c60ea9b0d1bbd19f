"""Plain values that travel the pipeline: feeds → stream → matching → store → notify.

They are frozen dataclasses with no behaviour beyond conversion, so every stage can be
tested with literals and the same values cross process boundaries (Kafka, SQL) unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CATEGORIES: tuple[str, ...] = (
    "peace-plan",
    "summit-visit",
    "trade-economy",
    "security-military",
    "un-multilateral",
    "humanitarian",
    "other",
)


@dataclass(frozen=True, slots=True)
class FeedItem:
    """One normalized entry of one feed: what the poller publishes to Kafka.

    ``title`` and ``text`` are plain text (HTML stripped, entities decoded, syndication
    markers removed) for matching; ``html`` is sanitized markup for display.
    """

    item_id: str
    feed_url: str
    outlet: str
    title: str
    text: str
    published: datetime
    fetched_at: datetime
    url: str | None = None
    html: str = ""
    original_outlet: str | None = None
    published_estimated: bool = False
    lang: str | None = None
    guid: str | None = None
    feed_id: int | None = None
    simhash: int = 0
    title_key: str = ""

    @property
    def credited_outlet(self) -> str:
        """The outlet that wrote the story (the syndication source when known)."""
        return self.original_outlet or self.outlet


# The rule name of the learned model's evidence (matching/model/opinion.py): its field is
# "title"/"text" for a word (with offsets), or "model" for the probability and signals.
MODEL_RULE = "model"


@dataclass(frozen=True)  # no slots: orjson writes a slotted dataclass 8x slower
class Evidence:
    """One term or rule that fired, with offsets into ``field`` for highlighting."""

    rule: str
    term: str
    field: str  # "title" or "text" ("model" for the learned model's figures)
    start: int
    end: int

    @property
    def learned(self) -> bool:
        """From the learned model's second opinion, not from a rule of the topic."""
        return self.rule == MODEL_RULE


@dataclass(frozen=True, slots=True)
class Classification:
    """The topic classifier's verdict on one story."""

    relevant: bool
    score: float
    category: str | None
    countries: tuple[str, ...]
    lang: str | None
    matched: tuple[Evidence, ...] = field(default_factory=tuple)
