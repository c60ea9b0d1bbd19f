"""Discord webhooks: a message whose stories are embeds, with every mention switched off.

``allowed_mentions: {"parse": []}`` stops ``@everyone``, ``@here``, user and role pings
whatever the text says (and mentions are defused in the text too). Story text is
markdown-escaped with backslashes, so a title cannot bold, strike, quote or fake a link;
each title links to its story as a masked link whose URL has its parentheses encoded.
Discord's limits hold: 2000 characters of content, 10 embeds, 4096 characters of
description each and 6000 in all; a digest shows its first stories and says how many more.
"""

from __future__ import annotations

import re
from typing import Any

from monitor.delivery.channels import (
    MAX_CHAT_STORIES,
    OutboundRequest,
    Target,
    defuse_mentions,
    json_post,
    more_line,
)
from monitor.delivery.content import ChannelMessage, ChannelStory, chat_words, story_details
from monitor.notify.text import truncate

MAX_EMBEDS = 10
MAX_TOTAL = 5800  # of Discord's 6000 characters over all embeds, some kept for titles
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
_MARKDOWN = re.compile(r"([\\*_~`|>#\-\[\]()<:!.+=])")


def escape_markdown(text: str) -> str:
    return defuse_mentions(_MARKDOWN.sub(r"\\\1", text))


def _link(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")


def _story(story: ChannelStory) -> str:
    title = escape_markdown(story.title)
    line = f"**[{title}]({_link(story.url)})**" if story.url else f"**{title}**"
    details = story_details(story)
    parts = [line]
    if details:
        parts.append(f"*{escape_markdown(details)}*")
    if story.snippet:
        parts.append(escape_markdown(story.snippet))
    return "\n".join(parts)


def discord_embeds(message: ChannelMessage) -> list[dict[str, Any]]:
    embeds: list[dict[str, Any]] = []
    used = shown = 0
    for group in message.groups or ():
        title = truncate(group.name or message.heading, TITLE_LIMIT)
        lines: list[str] = []
        for story in group.stories:
            piece = _story(story)
            size = sum(len(x) + 2 for x in lines) + len(piece)
            if (
                shown >= MAX_CHAT_STORIES
                or size > DESCRIPTION_LIMIT
                or used + len(title) + size > MAX_TOTAL
            ):
                break
            lines.append(piece)
            shown += 1
        if not lines or len(embeds) >= MAX_EMBEDS - 1:
            break
        description = "\n\n".join(lines)
        used += len(title) + len(description)
        embeds.append({"title": escape_markdown(title)[:TITLE_LIMIT], "description": description})
        if len(lines) < len(group.stories):
            break
    more = more_line(message, shown)
    if more and message.kind == "digest":
        embeds.append({"description": escape_markdown(more)})
    return embeds


def format_discord(
    message: ChannelMessage, target: Target, delivery_id: str, timestamp: int
) -> OutboundRequest:
    content = f"**{escape_markdown(message.heading)}**\n*monitor · {escape_markdown(message.subscription)}*"
    if message.kind == "test":
        content += "\n" + escape_markdown(chat_words(message).text("chat.test_body"))
    payload = {
        "content": truncate(content, 2000),
        "embeds": discord_embeds(message),
        "allowed_mentions": {"parse": []},
    }
    return json_post(target.url, payload, delivery_id)
