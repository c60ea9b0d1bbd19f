"""Telegram's Bot API ``sendMessage`` to a chat id, in HTML parse mode.

Every piece of story text is HTML-escaped (``&``, ``<``, ``>``, and ``"`` in ``href``),
so a title cannot open a tag, fake a link or break the message; Telegram then rejects
nothing we send. A message holds at most 4096 characters: a digest stops at a story
boundary below that and says how many more the email has.
"""

from __future__ import annotations

import html

from monitor.delivery.channels import (
    OutboundRequest,
    Target,
    defuse_mentions,
    fit_stories,
    json_post,
    more_line,
)
from monitor.delivery.content import (
    SNIPPET_LIMIT,
    ChannelMessage,
    ChannelStory,
    chat_words,
    story_details,
)
from monitor.notify.text import truncate

MAX_TEXT = 4096
DIGEST_SNIPPET = 160
# Room kept for the closing "…and N more" line.
_RESERVE = 120


def escape_html(text: str) -> str:
    return defuse_mentions(html.escape(text, quote=True))


def _story(story: ChannelStory, snippet_limit: int) -> str:
    title = escape_html(story.title)
    if story.url:
        title = f'<a href="{html.escape(story.url, quote=True)}">{title}</a>'
    details = story_details(story)
    lines = [f"• <b>{title}</b>"]
    if details:
        lines.append(f"<i>{escape_html(details)}</i>")
    if story.snippet:
        lines.append(escape_html(truncate(story.snippet, snippet_limit)))
    return "\n".join(lines)


def telegram_text(message: ChannelMessage) -> str:
    parts = [f"<b>{escape_html(message.heading)}</b>", f"<i>monitor · {escape_html(message.subscription)}</i>"]
    if message.kind == "test":
        parts.append(chat_words(message).text("chat.test_body"))
    # A digest trades snippet length for stories: one message holds 4096 characters.
    limit = DIGEST_SNIPPET if message.kind == "digest" else SNIPPET_LIMIT
    stories = fit_stories(
        message,
        lambda group, index, story: (
            f"\n<u>{escape_html(group.name)}</u>\n" if index == 0 and group.name else ""
        )
        + _story(story, limit),
        used=sum(len(p) + 2 for p in parts),
        room=MAX_TEXT - _RESERVE,
    )
    parts += stories
    more = more_line(message, len(stories))
    if more and message.kind == "digest":
        parts.append(f"<i>{escape_html(more)}</i>")
    return "\n\n".join(parts)


def format_telegram(
    message: ChannelMessage, target: Target, delivery_id: str, timestamp: int
) -> OutboundRequest:
    payload = {
        "chat_id": target.chat_id,
        "text": telegram_text(message),
        "parse_mode": "HTML",
        "disable_web_page_preview": True,
    }
    return json_post(target.url, payload, delivery_id)
