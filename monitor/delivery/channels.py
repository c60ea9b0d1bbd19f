"""One small interface for every channel: a pure formatter from message to HTTP request.

``format_request(message, target, delivery_id=…, timestamp=…)`` returns the exact bytes,
URL and headers to send; the dispatcher only moves them. Each channel lives in its own
module (webhook, slack, teams, telegram, discord, mattermost) and escapes text for its own markup; what they
share is here: the request and target types, and defusing mentions that would notify a
whole room (``@everyone``, ``@here``, ``@channel``, ``@all``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson

from monitor.delivery.content import ChannelGroup, ChannelMessage, ChannelStory, chat_words

KINDS = ("webhook", "slack", "teams", "telegram", "discord", "mattermost")
USER_AGENT = "monitor/0.1 (media monitoring; alert delivery)"
# Stories one chat message shows at most (a digest says how many more the email has).
MAX_CHAT_STORIES = 40
_ROOM_MENTION = re.compile(r"@(?=(everyone|here|channel|all|room)\b)", re.IGNORECASE)
WORD_JOINER = "\u2060"


@dataclass(frozen=True, slots=True)
class Target:
    """Where one destination's requests go. ``chat_id`` is Telegram's; ``secret`` signs
    webhooks."""

    kind: str
    url: str
    chat_id: str = ""
    secret: str = ""


@dataclass(frozen=True, slots=True)
class OutboundRequest:
    """One POST, ready to send."""

    url: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


Formatter = Callable[[ChannelMessage, Target, str, int], OutboundRequest]


def json_post(url: str, payload: object, delivery_id: str) -> OutboundRequest:
    """A chat service's JSON POST. ``X-Monitor-Delivery`` is ignored by the services; it
    lets a proxy (or a test) tell a repeat by its id."""
    return OutboundRequest(
        url=url,
        body=orjson.dumps(payload),
        headers={
            "Content-Type": "application/json",
            "User-Agent": USER_AGENT,
            "X-Monitor-Delivery": delivery_id,
        },
    )


def defuse_mentions(text: str) -> str:
    """Put a word joiner after the ``@`` of room-wide mentions, so no chat turns them into
    a notification for everyone; people still read ``@everyone``."""
    return _ROOM_MENTION.sub("@" + WORD_JOINER, text)


def fit_stories(
    message: ChannelMessage,
    piece: Callable[[ChannelGroup, int, ChannelStory], str],
    *,
    used: int,
    room: int,
) -> list[str]:
    """The text pieces of the message's stories, in order, that fit one text message:
    ``piece(group, index in group, story)`` writes each; each costs its length and a blank
    line, ``used`` is spent already, ``room`` is the limit; at most MAX_CHAT_STORIES."""
    pieces: list[str] = []
    size = used
    for group in message.groups:
        for index, story in enumerate(group.stories):
            text = piece(group, index, story)
            if len(pieces) >= MAX_CHAT_STORIES or size + len(text) + 2 > room:
                return pieces
            pieces.append(text)
            size += len(text) + 2
    return pieces


def more_line(message: ChannelMessage, shown: int) -> str:
    """"…and 12 more stories in the email" when a chat message had to stop short."""
    rest = max(message.total, len(message.stories())) - shown
    if rest <= 0:
        return ""
    return chat_words(message).count("chat.more", rest)


def format_request(
    message: ChannelMessage, target: Target, *, delivery_id: str, timestamp: int
) -> OutboundRequest:
    """The request ``target`` gets for ``message`` (pure: same inputs, same bytes)."""
    from monitor.delivery import discord, mattermost, slack, teams, telegram, webhook

    formatters: dict[str, Formatter] = {
        "webhook": webhook.format_webhook,
        "slack": slack.format_slack,
        "teams": teams.format_teams,
        "telegram": telegram.format_telegram,
        "discord": discord.format_discord,
        "mattermost": mattermost.format_mattermost,
    }
    try:
        formatter = formatters[target.kind]
    except KeyError:
        raise ValueError(f"unknown destination kind {target.kind!r}: expected {KINDS}") from None
    return formatter(message, target, delivery_id, timestamp)
