"""The channel-neutral message a destination receives: what the email says, as data.

The assembler builds one :class:`ChannelMessage` per alert, update or digest (digests
grouped by category then country, as in the email) and stores it in the ledger as JSON;
the dispatcher turns it into one channel's request with a pure formatter
(:mod:`monitor.delivery.channels`). Text is cleaned to one line and cut to a length every
channel accepts; escaping is each formatter's job, since each channel has its own markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from monitor.notify.labels import category_label, country_name
from monitor.notify.links import safe_http_url
from monitor.notify.messages import DigestEntry, StoryForEmail
from monitor.notify.text import clean_inline, truncate
from monitor.notify.views import digest_groups

TITLE_LIMIT = 300
SNIPPET_LIMIT = 500
NAME_LIMIT = 120


@dataclass(frozen=True, slots=True)
class ChannelStory:
    """One story as a chat message shows it; ``url`` is a safe http(s) URL or None."""

    title: str
    url: str | None
    outlet: str
    published: str  # ISO 8601, UTC
    category: str
    countries: tuple[str, ...]
    snippet: str


@dataclass(frozen=True, slots=True)
class ChannelGroup:
    """Stories of one category and first country (an alert has one group, named "")."""

    name: str
    stories: tuple[ChannelStory, ...]


@dataclass(frozen=True, slots=True)
class ChannelMessage:
    """An alert, update, digest or test message for any channel."""

    kind: str  # alert | update | digest | volume | test
    heading: str
    subscription: str
    groups: tuple[ChannelGroup, ...]
    created: str  # ISO 8601, UTC: when the message was queued (stable across retries)
    total: int = 0  # stories in a digest, shown or not

    def stories(self) -> list[ChannelStory]:
        return [story for group in self.groups for story in group.stories]

    def to_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "heading": self.heading,
            "subscription": self.subscription,
            "created": self.created,
            "total": self.total,
            "groups": [
                {
                    "name": group.name,
                    "stories": [
                        {
                            "title": s.title,
                            "url": s.url,
                            "outlet": s.outlet,
                            "published": s.published,
                            "category": s.category,
                            "countries": list(s.countries),
                            "snippet": s.snippet,
                        }
                        for s in group.stories
                    ],
                }
                for group in self.groups
            ],
        }

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ChannelMessage:
        return cls(
            kind=str(payload["kind"]),
            heading=str(payload["heading"]),
            subscription=str(payload["subscription"]),
            created=str(payload["created"]),
            total=int(payload.get("total") or 0),
            groups=tuple(
                ChannelGroup(
                    name=str(group["name"]),
                    stories=tuple(
                        ChannelStory(
                            title=str(s["title"]),
                            url=s.get("url"),
                            outlet=str(s["outlet"]),
                            published=str(s["published"]),
                            category=str(s["category"]),
                            countries=tuple(s.get("countries") or ()),
                            snippet=str(s["snippet"]),
                        )
                        for s in group["stories"]
                    ),
                )
                for group in payload["groups"]
            ),
        )


def _line(value: str, limit: int) -> str:
    return truncate(clean_inline(value), limit) if value else ""


def channel_story(story: StoryForEmail) -> ChannelStory:
    return ChannelStory(
        title=_line(story.title, TITLE_LIMIT) or "(untitled story)",
        url=safe_http_url(story.url),
        outlet=_line(story.credited_outlet, NAME_LIMIT),
        published=story.published.isoformat(),
        category=category_label(story.category),
        countries=tuple(country_name(code) for code in story.countries),
        snippet=_line(story.snippet, SNIPPET_LIMIT),
    )


def alert_message(
    story: StoryForEmail, *, subscription: str, now: datetime, update: bool = False
) -> ChannelMessage:
    view = channel_story(story)
    heading = f"Update: {view.title}" if update else view.title
    return ChannelMessage(
        kind="update" if update else "alert",
        heading=_line(heading, TITLE_LIMIT),
        subscription=_line(subscription, NAME_LIMIT),
        groups=(ChannelGroup("", (view,)),),
        created=now.isoformat(),
        total=1,
    )


def digest_message(
    entries: Sequence[DigestEntry], *, subscription: str, period: str, label: str, now: datetime
) -> ChannelMessage:
    """One message for a digest, grouped as the email groups it (category, then country)."""
    groups = []
    for category in digest_groups(entries, lambda entry: channel_story(entry.story)):
        for country in category.countries:
            groups.append(ChannelGroup(f"{category.name} — {country.name}", country.stories))
    total = len({entry.story.story_id for entry in entries})
    stories = "1 story" if total == 1 else f"{total} stories"
    return ChannelMessage(
        kind="digest",
        heading=_line(f"{period}: {stories} ({label})", TITLE_LIMIT),
        subscription=_line(subscription, NAME_LIMIT),
        groups=tuple(groups),
        created=now.isoformat(),
        total=total,
    )


def volume_message(
    heading: str, stories: Sequence[StoryForEmail], *, subscription: str, now: datetime
) -> ChannelMessage:
    """A spike or silence, with the day's top stories behind it (none for a silence)."""
    return ChannelMessage(
        kind="volume",
        heading=_line(heading, TITLE_LIMIT),
        subscription=_line(subscription, NAME_LIMIT),
        groups=(ChannelGroup("", tuple(channel_story(story) for story in stories)),),
        created=now.isoformat(),
        total=len(stories),
    )


def trial_message(*, subscription: str, now: datetime) -> ChannelMessage:
    """What ``monitor subscriber destination test`` sends."""
    return ChannelMessage(
        kind="test",
        heading="Test message from monitor",
        subscription=_line(subscription, NAME_LIMIT),
        groups=(),
        created=now.isoformat(),
        total=0,
    )
