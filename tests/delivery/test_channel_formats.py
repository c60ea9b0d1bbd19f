"""The channel formatters on the hostile corpus: nothing a title says can become markup,
a mention, a fake link or an oversized message, in any channel."""

from __future__ import annotations

import html.parser
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pytest

from monitor.delivery.channels import WORD_JOINER, Target, format_request
from monitor.delivery.content import ChannelMessage, alert_message, digest_message
from monitor.delivery.webhook import signature, verify_signature
from monitor.notify.messages import DigestEntry
from monitor.notify.views import digest_groups
from tests.notify.helpers import NOW, make_story
from tests.notify.injection import hostile_items

# Titles that try each channel's markup, room mentions and sheer size.
HOSTILE_TITLES = [
    "<!channel> <!here|here> <@U024BE7LH> breaking",
    "@everyone @here @channel @all read this",
    "<b>bold</b> <a href='https://evil.example'>click</a> <script>alert(1)</script> &amp;",
    "*bold* _it_ ~strike~ `code` [link](https://evil.example) # heading",
    "<https://evil.example|Official statement> & more",
    '"><img src=x onerror=alert(1)>',
    "line one\nline two\r\nSubject: injected\u2028sep",
    "A" * 10_000,
    "🇺🇦 " * 2_000,
]
SECRET = "whsec-test-0123456789"
# Valid, and still full of characters each markup must escape in an attribute.
STORY_URL = "https://example.org/story?a=1&b='2'&c=%3Cx%3E"


def hostile_stories() -> list[Any]:
    titles = HOSTILE_TITLES + [item.title for item in hostile_items()]
    return [
        make_story(
            story_id=index,
            title=title,
            snippet=title,
            credited_outlet=title[:200],
            url=STORY_URL,
            published=NOW - timedelta(minutes=index),
            matched=(),
        )
        for index, title in enumerate(titles)
    ]


def messages() -> list[ChannelMessage]:
    stories = hostile_stories()
    alerts = [alert_message(s, subscription=HOSTILE_TITLES[0], now=NOW) for s in stories]
    entries = [DigestEntry(s, "why", "desk") for s in stories]
    digest = digest_message(
        entries, subscription="<!channel> desk", period="Daily digest", label="2026-11-27", now=NOW
    )
    return [*alerts, digest]


def _target(kind: str) -> Target:
    return Target(kind, "https://hooks.example.org/T000/B000/XXXX", chat_id="-100123", secret=SECRET)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _no_room_mention(text: str) -> None:
    lowered = text.lower()
    for word in ("everyone", "here", "channel", "all"):
        assert f"@{word} " not in lowered + " ", text[:200]


def test_slack_story_text_is_plain_text_and_the_fallback_is_escaped() -> None:
    for message in messages():
        request = format_request(message, _target("slack"), delivery_id="d-1", timestamp=1)
        payload = orjson.loads(request.body)
        blocks = payload["blocks"]
        assert len(blocks) <= 50
        assert "<" not in payload["text"] and ">" not in payload["text"]
        _no_room_mention(payload["text"])
        for block in blocks:
            texts = [block["text"]] if "text" in block else list(block.get("elements", []))
            for text in texts:
                assert text["type"] == "plain_text"  # never parsed for mrkdwn or mentions
                assert len(text["text"]) <= (150 if block["type"] == "header" else 3000)
                _no_room_mention(text["text"])
            if "accessory" in block:
                assert block["accessory"]["url"] == STORY_URL


def test_teams_story_text_goes_only_in_text_runs_and_the_card_stays_small() -> None:
    for message in messages():
        request = format_request(message, _target("teams"), delivery_id="d-1", timestamp=1)
        payload = orjson.loads(request.body)
        (attachment,) = payload["attachments"]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        card = attachment["content"]
        assert card["type"] == "AdaptiveCard" and len(request.body) < 28_000
        story_text = {s.title for s in message.stories()}
        for element in card["body"]:
            if element["type"] == "TextBlock":  # parsed as markdown: only our fixed words
                assert element["text"] not in story_text
                continue
            assert element["type"] == "RichTextBlock"
            for run in element["inlines"]:
                assert run["type"] == "TextRun"
                _no_room_mention(run["text"])


class _TelegramHtml(html.parser.HTMLParser):
    """Telegram's HTML subset: collects tags, checks they nest and close."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: set[str] = set()
        self.hrefs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.stack.append(tag)
        self.hrefs.extend(v or "" for k, v in attrs if k == "href")
        assert all(k == "href" for k, _ in attrs), attrs

    def handle_endtag(self, tag: str) -> None:
        assert self.stack.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_telegram_html_has_only_our_tags_and_fits_one_message() -> None:
    for message in messages():
        request = format_request(message, _target("telegram"), delivery_id="d-1", timestamp=1)
        payload = orjson.loads(request.body)
        assert payload["parse_mode"] == "HTML" and payload["chat_id"] == "-100123"
        assert len(payload["text"]) <= 4096
        parsed = _TelegramHtml()
        parsed.feed(payload["text"])
        parsed.close()
        assert not parsed.stack
        assert parsed.tags <= {"b", "i", "u", "a"}
        assert parsed.hrefs and all(href == STORY_URL for href in parsed.hrefs)
        _no_room_mention("".join(parsed.text))


def test_discord_pings_nobody_and_markdown_stays_text() -> None:
    for message in messages():
        request = format_request(message, _target("discord"), delivery_id="d-1", timestamp=1)
        payload = orjson.loads(request.body)
        assert payload["allowed_mentions"] == {"parse": []}
        assert len(payload["content"]) <= 2000 and len(payload["embeds"]) <= 10
        assert sum(len(e.get("title", "")) + len(e["description"]) for e in payload["embeds"]) <= 6000
        for embed in payload["embeds"]:
            assert len(embed["description"]) <= 4096
        for text in _strings(payload):
            _no_room_mention(text)
            assert "[link](https://evil.example)" not in text  # a fake link stays text
            assert "<@U024BE7LH>" not in text and "*bold*" not in text
    (hostile,) = [m for m in messages() if m.heading.startswith("*bold*")]
    body = format_request(hostile, _target("discord"), delivery_id="d", timestamp=1).body.decode()
    linked = orjson.loads(body)["embeds"][0]["description"]
    assert r"\[link\]\(https\://evil" in linked  # escaped: read as text
    assert linked.startswith("**[") and "](https://example.org/story?a=1&b='2'&c=%3Cx%3E)**" in linked


def test_mattermost_pings_nobody_and_markdown_stays_text() -> None:
    for message in messages():
        request = format_request(message, _target("mattermost"), delivery_id="d-1", timestamp=1)
        payload = orjson.loads(request.body)
        assert set(payload) == {"text"} and request.headers["X-Monitor-Delivery"] == "d-1"
        text = payload["text"]
        assert len(text) <= 16_383
        _no_room_mention(text)
        assert re.search(r"@\w", text) is None, text[:300]  # nor a user: @ then a word joiner
        assert "[link](https://evil.example)" not in text and "*bold*" not in text
        assert "<!channel>" not in text and "![" not in text
    (hostile,) = [m for m in messages() if m.heading.startswith("*bold*")]
    text = orjson.loads(format_request(hostile, _target("mattermost"), delivery_id="d", timestamp=1).body)["text"]
    assert r"\[link\]\(https\://evil" in text  # escaped: read as text
    assert "](https://example.org/story?a=1&b='2'&c=%3Cx%3E)**" in text  # our own link
    (mention,) = [m for m in messages() if m.heading.startswith("@everyone")]
    text = orjson.loads(format_request(mention, _target("mattermost"), delivery_id="d", timestamp=1).body)["text"]
    assert f"@{WORD_JOINER}everyone @{WORD_JOINER}here" in text


def test_mentions_stay_readable_with_a_word_joiner() -> None:
    message = alert_message(make_story(title="@everyone look"), subscription="d", now=NOW)
    payload = orjson.loads(format_request(message, _target("telegram"), delivery_id="d", timestamp=1).body)
    assert f"@{WORD_JOINER}everyone look" in payload["text"]


def test_webhook_is_signed_over_timestamp_and_body_and_verifies() -> None:
    message = messages()[0]
    now = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)
    stamp = int(now.timestamp())
    request = format_request(message, _target("webhook"), delivery_id="d-42", timestamp=stamp)
    headers = request.headers
    assert headers["Idempotency-Key"] == headers["X-Monitor-Delivery"] == "d-42"
    assert headers["X-Monitor-Timestamp"] == str(stamp)
    body = orjson.loads(request.body)
    assert body["delivery_id"] == "d-42" and body["kind"] == "alert"
    assert ChannelMessage.from_payload(body) == message  # nothing lost on the wire
    sig = headers["X-Monitor-Signature"]
    assert sig.startswith("v1=") and sig == signature(SECRET, stamp, request.body)
    assert verify_signature(SECRET, str(stamp), request.body, sig, now=stamp + 10)
    assert not verify_signature(SECRET, str(stamp), request.body + b" ", sig, now=stamp)
    assert not verify_signature("other", str(stamp), request.body, sig, now=stamp)
    assert not verify_signature(SECRET, str(stamp), request.body, sig, now=stamp + 301)
    assert not verify_signature(SECRET, str(stamp + 1), request.body, sig, now=stamp)


def test_the_documented_recipe_verifies_a_real_request() -> None:
    """docs/destinations.md's Python recipe, run as written."""
    from tests import PROJECT_ROOT

    doc = (PROJECT_ROOT / "docs" / "destinations.md").read_text(encoding="utf-8")
    recipe = doc.split("```python\n", 1)[1].split("```", 1)[0]
    namespace: dict[str, Any] = {}
    exec(recipe, namespace)  # our own documentation, run as written
    stamp = int(NOW.timestamp())
    request = format_request(messages()[0], _target("webhook"), delivery_id="d", timestamp=stamp)
    verify = namespace["verify"]
    assert verify(SECRET.encode(), request.headers, request.body, now=stamp + 5)
    assert not verify(SECRET.encode(), request.headers, request.body + b"x", now=stamp + 5)


@pytest.mark.parametrize("kind", ["webhook", "slack", "teams", "telegram", "discord", "mattermost"])
def test_formatting_is_deterministic(kind: str) -> None:
    for message in messages()[-3:]:
        first = format_request(message, _target(kind), delivery_id="d", timestamp=7)
        again = format_request(ChannelMessage.from_payload(message.to_payload()), _target(kind), delivery_id="d", timestamp=7)
        assert first == again


def test_a_digest_groups_stories_as_the_email_does() -> None:
    stories = [
        make_story(story_id=1, category="peace-plan", countries=("PY",), published=NOW),
        make_story(story_id=2, category="peace-plan", countries=("AR",), published=NOW),
        make_story(story_id=3, category=None, countries=(), published=NOW),
        make_story(story_id=4, category="peace-plan", countries=("PY",), published=NOW),
    ]
    entries = [DigestEntry(s, "why", "desk") for s in stories]
    message = digest_message(entries, subscription="desk", period="Daily digest", label="x", now=NOW)
    email_order = [
        (f"{group.name} — {country.name}", [s.story_id for s in country.stories])
        for group in digest_groups(entries, lambda e: e.story)
        for country in group.countries
    ]
    assert [g.name for g in message.groups] == [name for name, _ in email_order]
    assert [len(g.stories) for g in message.groups] == [len(ids) for _, ids in email_order]
    assert message.total == 4 and "4 stories" in message.heading


def test_a_long_digest_says_how_many_more_the_email_has() -> None:
    stories = [make_story(story_id=i, title=f"Story {i}", published=NOW) for i in range(90)]
    entries = [DigestEntry(s, "why", "desk") for s in stories]
    message = digest_message(entries, subscription="desk", period="Daily digest", label="x", now=NOW)
    for kind in ("slack", "teams", "telegram", "discord", "mattermost"):
        body = format_request(message, _target(kind), delivery_id="d", timestamp=1).body.decode()
        assert "more stories in the email digest" in body, kind
