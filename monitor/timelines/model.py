"""The values a timeline is made of: plain frozen dataclasses, no behaviour."""

from __future__ import annotations

from dataclasses import dataclass

KINDS: tuple[str, ...] = (
    "visit",
    "call",
    "meeting",
    "un-vote",
    "oas-vote",
    "peace-plan",
    "arms-security",
    "trade",
    "humanitarian",
)
VOTE_KINDS = frozenset({"un-vote", "oas-vote"})
VOTE_VALUES = ("for", "against", "abstain")
PEACE_VALUES = ("supported", "rejected", "alternative")
STANCES: tuple[str, ...] = ("supports", "opposes", "neutral")


@dataclass(frozen=True, slots=True)
class StoryText:
    """What the extractor reads of a story: its id, headline, text and date."""

    story_id: str
    title: str
    text: str
    date: str | None = None  # ISO date (or month) of the story; the entries' date


@dataclass(frozen=True, slots=True)
class Quote:
    """The sentence that supports an entry or a stance, with its place in the story."""

    field: str  # "title" or "text"
    start: int
    end: int
    sentence: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One dealing of one country reported by one story.

    ``value`` is a vote (for/against/abstain) or a peace-plan position
    (supported/rejected/alternative) when the quoted sentence states it. ``counterpart``
    says whether the sentence names Ukraine's side, Russia's, or both.
    """

    story_id: str
    country: str
    kind: str
    value: str | None
    date: str | None
    actors: tuple[str, ...]
    counterpart: str
    quote: Quote
    cue: str  # the cue term that decided the kind, for explanations
    # The precision filter's probability that the entry is right, and the features that
    # carried it most ("headline +0.84"); None and () when no filter judged it.
    confidence: float | None = None
    why: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Stance:
    """A country government's stance on the war, as one quoted sentence states it."""

    story_id: str
    country: str
    stance: str
    quote: Quote
    cue: str


@dataclass(frozen=True, slots=True)
class StoryTimeline:
    """Everything one story adds to the timelines."""

    entries: tuple[TimelineEntry, ...]
    stances: tuple[Stance, ...]
