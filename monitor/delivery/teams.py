"""Microsoft Teams workflow webhooks ("Post to a channel when a webhook request is
received"): an Adaptive Card in a message attachment.

Story text goes in ``TextRun`` elements of ``RichTextBlock``s, which Teams renders as
plain text (no markdown, no HTML, no ``<at>`` mentions); only our own fixed labels use
``TextBlock``. Each title links to its story through the run's ``selectAction``. A card
must stay under Teams' 28 KB: a digest shows its first stories and says how many more.
"""

from __future__ import annotations

from typing import Any

import orjson

from monitor.delivery.channels import (
    MAX_CHAT_STORIES,
    OutboundRequest,
    Target,
    defuse_mentions,
    json_post,
    more_line,
)
from monitor.delivery.content import ChannelMessage, ChannelStory, chat_words, story_details

CARD_VERSION = "1.4"
MAX_CARD_BYTES = 27_000


def _run(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextRun", "text": defuse_mentions(text), **style}


def _story(story: ChannelStory) -> list[dict[str, Any]]:
    title = _run(story.title, weight="Bolder")
    if story.url:
        title["selectAction"] = {"type": "Action.OpenUrl", "url": story.url}
    details = story_details(story)
    out: list[dict[str, Any]] = [{"type": "RichTextBlock", "inlines": [title]}]
    if details:
        out.append({"type": "RichTextBlock", "inlines": [_run(details, isSubtle=True)]})
    if story.snippet:
        out.append({"type": "RichTextBlock", "inlines": [_run(story.snippet)]})
    return out


def teams_card(message: ChannelMessage) -> dict[str, Any]:
    body: list[dict[str, Any]] = [
        {
            "type": "RichTextBlock",
            "inlines": [_run(message.heading, weight="Bolder", size="Medium")],
        },
        {
            "type": "RichTextBlock",
            "inlines": [_run(f"monitor · {message.subscription}", isSubtle=True)],
        },
    ]
    if message.kind == "test":
        welcome = chat_words(message).text("chat.test_body")
        body.append({"type": "TextBlock", "text": welcome, "wrap": True})
    shown = 0
    size = len(orjson.dumps(body))
    for group in message.groups:
        if shown >= MAX_CHAT_STORIES or size > MAX_CARD_BYTES:
            break
        if group.name:
            heading = {"type": "RichTextBlock", "separator": True, "inlines": [_run(group.name, weight="Bolder")]}
            body.append(heading)
        for story in group.stories:
            blocks = _story(story)
            cost = len(orjson.dumps(blocks))
            if shown >= MAX_CHAT_STORIES or size + cost > MAX_CARD_BYTES:
                break
            body.extend(blocks)
            size += cost
            shown += 1
    more = more_line(message, shown)
    if more and message.kind == "digest":
        body.append({"type": "RichTextBlock", "inlines": [_run(more, isSubtle=True)]})
    return {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "body": body,
    }


def format_teams(
    message: ChannelMessage, target: Target, delivery_id: str, timestamp: int
) -> OutboundRequest:
    payload = {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": teams_card(message),
            }
        ],
    }
    return json_post(target.url, payload, delivery_id)
