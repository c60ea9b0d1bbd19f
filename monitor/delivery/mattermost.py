"""Mattermost incoming webhooks: one markdown ``text``, Slack-compatible.

Mattermost renders ``text`` as markdown and turns ``@name`` into a notification, so every
piece of story text is markdown-escaped with backslashes (Discord's escape: a title
cannot bold, quote, fake a link or show an image) and every ``@`` that starts a word gets
a word joiner — room mentions (``@channel``, ``@all``, ``@here``) and user mentions alike:
people read them, nobody is pinged. Each title links to its story (the URL's parentheses
encoded). A post holds at most 16,383 characters: a digest stops at a story boundary
below that and says how many more the email has.
"""

from __future__ import annotations

import re

from monitor.delivery.channels import (
    WORD_JOINER,
    OutboundRequest,
    Target,
    fit_stories,
    json_post,
    more_line,
)
from monitor.delivery.content import ChannelMessage, ChannelStory, chat_words, story_details
from monitor.delivery.discord import escape_markdown, link_target

MAX_TEXT = 16_383
_RESERVE = 200  # room kept for the closing "…and N more" line
_MENTION = re.compile(r"@(?=\w)")


def escape_text(text: str) -> str:
    """Story text as Mattermost shows it literally, with no mention that notifies."""
    return _MENTION.sub("@" + WORD_JOINER, escape_markdown(text))


def _story(story: ChannelStory) -> str:
    title = escape_text(story.title)
    line = f"**[{title}]({link_target(story.url)})**" if story.url else f"**{title}**"
    details = story_details(story)
    parts = [f"- {line}"]
    if details:
        parts.append(f"  *{escape_text(details)}*")
    if story.snippet:
        parts.append(f"  {escape_text(story.snippet)}")
    return "\n".join(parts)


def mattermost_text(message: ChannelMessage) -> str:
    parts = [
        f"#### {escape_text(message.heading)}",
        f"*monitor · {escape_text(message.subscription)}*",
    ]
    if message.kind == "test":
        parts.append(escape_text(chat_words(message).text("chat.test_body")))
    stories = fit_stories(
        message,
        lambda group, index, story: (
            f"**{escape_text(group.name)}**\n" if index == 0 and group.name else ""
        )
        + _story(story),
        used=sum(len(p) + 2 for p in parts),
        room=MAX_TEXT - _RESERVE,
    )
    parts += stories
    more = more_line(message, len(stories))
    if more and message.kind == "digest":
        parts.append(f"*{escape_text(more)}*")
    return "\n\n".join(parts)


def format_mattermost(
    message: ChannelMessage, target: Target, delivery_id: str, timestamp: int
) -> OutboundRequest:
    return json_post(target.url, {"text": mattermost_text(message)}, delivery_id)
