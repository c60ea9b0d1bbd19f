"""Slack incoming webhooks: a Block Kit message.

Titles, outlets and snippets go in ``plain_text`` objects, which Slack never parses for
mrkdwn, links or mentions; the one mrkdwn string (the fallback ``text``, used in
notifications) is escaped (``&``, ``<``, ``>``), so ``<!channel>`` or ``<https://x|y>``
in a title stays text. Each story's link is a button (its URL is data, not markup). A
message holds at most 50 blocks: a digest shows its first stories and says how many more.
"""

from __future__ import annotations

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

MAX_BLOCKS = 50
HEADER_LIMIT = 150
TEXT_LIMIT = 3000


def escape_mrkdwn(text: str) -> str:
    """Slack's three control characters as entities; mentions defused."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return defuse_mentions(escaped)


def _plain(text: str, limit: int = TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(defuse_mentions(text), limit), "emoji": False}


def _story_block(
    story: ChannelStory, delivery_id: str, index: int, open_label: str = "Open"
) -> dict[str, Any]:
    line = story.title
    details = story_details(story)
    text = f"{line}\n{details}" if details else line
    if story.snippet:
        text += f"\n{story.snippet}"
    block: dict[str, Any] = {"type": "section", "text": _plain(text)}
    if story.url:
        block["accessory"] = {
            "type": "button",
            "text": _plain(open_label, 75),
            "url": story.url,
            "action_id": f"open-{index}",
        }
    return block


def slack_blocks(message: ChannelMessage, delivery_id: str) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": _plain(message.heading, HEADER_LIMIT)},
        {"type": "context", "elements": [_plain(f"monitor · {message.subscription}")]},
    ]
    if message.kind == "test":
        blocks.append(
            {"type": "section", "text": _plain(chat_words(message).text("chat.test_body"))}
        )
    shown = 0
    room = MAX_BLOCKS - len(blocks) - 1  # one kept for "…and N more"
    for group in message.groups:
        if group.name and room > 1 and shown < MAX_CHAT_STORIES:
            blocks.append({"type": "context", "elements": [_plain(group.name)]})
            room -= 1
        for story in group.stories:
            if room < 1 or shown >= MAX_CHAT_STORIES:
                break
            blocks.append(
                _story_block(story, delivery_id, shown, chat_words(message).text("chat.open"))
            )
            shown += 1
            room -= 1
    more = more_line(message, shown)
    if more and message.kind == "digest":
        blocks.append({"type": "context", "elements": [_plain(more)]})
    return blocks


def format_slack(
    message: ChannelMessage, target: Target, delivery_id: str, timestamp: int
) -> OutboundRequest:
    payload = {
        "text": escape_mrkdwn(truncate(message.heading, TEXT_LIMIT)),
        "blocks": slack_blocks(message, delivery_id),
        "unfurl_links": False,
        "unfurl_media": False,
    }
    return json_post(target.url, payload, delivery_id)
