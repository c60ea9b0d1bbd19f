"""The channel-neutral message a destination receives: what the email says, as data.

The assembler builds one :class:`ChannelMessage` per alert, update or digest (digests
grouped by category then country, as in the email) and stores it in the ledger as JSON;
the dispatcher turns it into one channel's request with a pure formatter
(:mod:`monitor.delivery.channels`). Text is cleaned to one line and cut to a length every
channel accepts; escaping is each formatter's job, since each channel has its own markup.

A message is written in its subscriber's language (``language``, one of the catalogs of
:mod:`monitor.catalogs`): the heading, category and country names, the story's local date
(``when``) and the formatters' own words (:func:`chat_words`). The JSON keys and the
machine-readable values (``published`` in UTC ISO 8601, ``created``) stay the same in
every language. A story of an event thread carries ``also_reported`` (the outlets of the
thread's other reports, as the email's "also reported by N outlets") and that line in the
reader's words (``also_reported_line``), shown after the outlet in every channel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.notify.labels import category_label, country_name
from monitor.notify.links import safe_http_url
from monitor.notify.messages import DigestEntry, Recipient, StoryForEmail
from monitor.notify.text import clean_inline, truncate
from monitor.notify.thread_alerts import also_reported_line
from monitor.notify.views import digest_groups, recipient_zone
from monitor.notify.wording import Words, format_moment, words

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
    when: str = ""  # ``published`` as the reader's clock and language show it
    also_reported: int = 0  # other outlets that reported the story's event (its thread)
    also_reported_line: str = ""  # "also reported by 4 outlets", in the reader's words


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
    language: str = "en"  # the subscriber's: the formatters' own words are in it

    def stories(self) -> list[ChannelStory]:
        return [story for group in self.groups for story in group.stories]

    def to_payload(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "heading": self.heading,
            "subscription": self.subscription,
            "created": self.created,
            "total": self.total,
            "language": self.language,
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
                            "when": s.when,
                            "also_reported": s.also_reported,
                            "also_reported_line": s.also_reported_line,
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
            language=str(payload.get("language") or "en"),
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
                            when=str(s.get("when") or ""),
                            also_reported=int(s.get("also_reported") or 0),
                            also_reported_line=str(s.get("also_reported_line") or ""),
                        )
                        for s in group["stories"]
                    ),
                )
                for group in payload["groups"]
            ),
        )


def _line(value: str, limit: int) -> str:
    return truncate(clean_inline(value), limit) if value else ""


def _reader(recipient: Recipient | None) -> tuple[str, ZoneInfo]:
    """The language and zone a message is written for (English and UTC without one)."""
    if recipient is None:
        return "en", ZoneInfo("UTC")
    return words(recipient.language).language, recipient_zone(recipient.time_zone)


def channel_story(
    story: StoryForEmail, language: str = "en", zone: ZoneInfo | None = None
) -> ChannelStory:
    w = words(language)
    return ChannelStory(
        title=_line(story.title, TITLE_LIMIT) or w.text("email.story.untitled"),
        url=safe_http_url(story.url),
        outlet=_line(story.credited_outlet, NAME_LIMIT),
        published=story.published.isoformat(),
        category=category_label(story.category, language),
        countries=tuple(country_name(code, language) for code in story.countries),
        snippet=_line(story.snippet, SNIPPET_LIMIT),
        when=format_moment(story.published, zone or ZoneInfo("UTC"), language),
        also_reported=story.also_reported,
        also_reported_line=(
            also_reported_line(story.also_reported, language) if story.also_reported > 0 else ""
        ),
    )


def alert_message(
    story: StoryForEmail,
    *,
    subscription: str,
    now: datetime,
    update: bool = False,
    recipient: Recipient | None = None,
) -> ChannelMessage:
    """One story, in ``recipient``'s language and zone."""
    language, zone = _reader(recipient)
    view = channel_story(story, language, zone)
    heading = (
        words(language).text("email.subject.update", title=view.title) if update else view.title
    )
    return ChannelMessage(
        kind="update" if update else "alert",
        heading=_line(heading, TITLE_LIMIT),
        subscription=_line(subscription, NAME_LIMIT),
        groups=(ChannelGroup("", (view,)),),
        created=now.isoformat(),
        total=1,
        language=language,
    )


def digest_message(
    entries: Sequence[DigestEntry],
    *,
    subscription: str,
    period: str,
    label: str,
    now: datetime,
    recipient: Recipient | None = None,
) -> ChannelMessage:
    """One message for a digest, grouped as the email groups it (category, then country),
    in ``recipient``'s language; ``period`` and ``label`` are already in it."""
    language, zone = _reader(recipient)
    w = words(language)
    groups = []
    for category in digest_groups(
        entries, lambda entry: channel_story(entry.story, language, zone), language
    ):
        for country in category.countries:
            groups.append(ChannelGroup(f"{category.name} — {country.name}", country.stories))
    total = len({entry.story.story_id for entry in entries})
    stories = w.count("email.digest.stories", total)
    return ChannelMessage(
        kind="digest",
        heading=_line(
            w.text("email.subject.digest", name=period, stories=stories, label=label), TITLE_LIMIT
        ),
        subscription=_line(subscription, NAME_LIMIT),
        groups=tuple(groups),
        created=now.isoformat(),
        total=total,
        language=language,
    )


def volume_message(
    heading: str,
    stories: Sequence[StoryForEmail],
    *,
    subscription: str,
    now: datetime,
    recipient: Recipient | None = None,
) -> ChannelMessage:
    """A spike or silence (``heading``, already in the reader's words), with the day's top
    stories behind it (none for a silence), in ``recipient``'s language and zone."""
    language, zone = _reader(recipient)
    return ChannelMessage(
        kind="volume",
        heading=_line(heading, TITLE_LIMIT),
        subscription=_line(subscription, NAME_LIMIT),
        groups=(ChannelGroup("", tuple(channel_story(s, language, zone) for s in stories)),),
        created=now.isoformat(),
        total=len(stories),
        language=language,
    )


def trial_message(*, subscription: str, now: datetime, language: str = "en") -> ChannelMessage:
    """What ``monitor subscriber destination test`` sends."""
    w = words(language)
    return ChannelMessage(
        kind="test",
        heading=w.text("chat.test_heading"),
        subscription=_line(subscription, NAME_LIMIT),
        groups=(),
        created=now.isoformat(),
        total=0,
        language=w.language,
    )


def chat_words(message: ChannelMessage) -> Words:
    """The words the formatters add to ``message`` (its subscriber's language)."""
    return words(message.language)


def story_details(story: ChannelStory) -> str:
    """``The Rio Times · also reported by 4 outlets · Mon, 11 Dec 2023, 09:30 UTC-03 ·
    Brazil, Paraguay``: the line under a story's title (outlet, the thread's other outlets
    as the email says them, local date, countries), the same in every channel."""
    parts = (story.outlet, story.also_reported_line, story.when, ", ".join(story.countries))
    return " · ".join(p for p in parts if p)
