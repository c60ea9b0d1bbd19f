"""What the composer needs to know, as plain values: the story, the recipient, the sender.

These are the inputs of :mod:`monitor.notify.compose`; fan-out builds them from the store.
Text fields hold raw (plain, possibly hostile) text; cleaning and escaping happen when the
email is built, so these values stay faithful to the source.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import cast

from monitor.models import Classification, Evidence, FeedItem
from monitor.notify.snippets import DEFAULT_WIDTH, build_snippet


@dataclass(frozen=True, slots=True)
class StoryForEmail:
    """One story as an email shows it.

    ``matched`` evidence has offsets into ``title`` (field ``"title"``) or into
    ``snippet`` (field ``"text"``); :func:`story_for_email` rebases text offsets when it
    cuts the snippet out of the full text. ``countries`` are ISO 3166-1 alpha-2 codes.
    """

    story_id: int
    title: str
    snippet: str
    url: str | None
    published: datetime
    credited_outlet: str
    republishers: tuple[str, ...] = ()
    category: str | None = None
    countries: tuple[str, ...] = ()
    score: float = 0.0
    matched: tuple[Evidence, ...] = ()
    published_estimated: bool = False
    topic: str = ""  # the human name of the topic whose alert this is ("" in old callers)
    also_reported: int = 0  # other outlets that reported the story's event (its thread)
    # The hash of every field above, made once: a view is a key of the story-block cache
    # in each email that shows it, and hashing its evidence again each time cost more
    # than the look-up.
    _hash: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(_story_values(self)))

    def __hash__(self) -> int:
        return self._hash


_COMPARED = operator.attrgetter(*(f.name for f in fields(StoryForEmail) if f.compare))


def _story_values(story: StoryForEmail) -> tuple[object, ...]:
    """The fields a :class:`StoryForEmail` is compared by, in order (what its hash hashes)."""
    return cast(tuple[object, ...], _COMPARED(story))


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who gets the email, the IANA time zone dates are shown in, and the language it is
    written in (one of ``monitor.catalogs.LANGUAGES``)."""

    subscriber_id: int
    email: str
    display_name: str = ""
    time_zone: str = "UTC"
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Sender:
    """The From identity. ``message_id_domain`` defaults to the address's domain."""

    address: str
    display_name: str = "monitor"
    message_id_domain: str | None = None

    @property
    def domain(self) -> str:
        """Right-hand side for Message-IDs we generate."""
        return self.message_id_domain or self.address.rpartition("@")[2]


@dataclass(frozen=True, slots=True)
class DigestEntry:
    """One story in a digest, with the subscription and query that matched it."""

    story: StoryForEmail
    why: str
    subscription_name: str = ""


def story_for_email(
    item: FeedItem,
    classification: Classification,
    *,
    story_id: int,
    republishers: tuple[str, ...] | None = None,
    snippet_width: int = DEFAULT_WIDTH,
) -> StoryForEmail:
    """Build the email view of a classified item, cutting a snippet around its first match.

    ``republishers`` defaults to the syndicating outlet when the item names an original
    outlet (MENAFN republishing The Rio Times), else none.
    """
    if republishers is None:
        syndicated = item.original_outlet and item.original_outlet != item.outlet
        republishers = (item.outlet,) if syndicated else ()
    # Emails show the rules' evidence; the learned model's part is for the workspace.
    rules = tuple(e for e in classification.matched if not e.learned)
    snippet = build_snippet(item.text, rules, field="text", width=snippet_width)
    title_evidence = tuple(e for e in rules if e.field == "title")
    return StoryForEmail(
        story_id=story_id,
        title=item.title,
        snippet=snippet.text,
        url=item.url,
        published=item.published,
        credited_outlet=item.credited_outlet,
        republishers=republishers,
        category=classification.category,
        countries=classification.countries,
        score=classification.score,
        matched=title_evidence + snippet.matched,
        published_estimated=item.published_estimated,
    )
