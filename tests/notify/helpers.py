"""Shared builders and checks for the notify tests: realistic inputs, parsed outputs."""

from __future__ import annotations

import email
import email.policy
from dataclasses import replace
from datetime import UTC, datetime
from email.message import EmailMessage
from html.parser import HTMLParser
from typing import Any

from monitor.models import Evidence
from monitor.notify.compose import compose_alert
from monitor.notify.links import EmailLinks, build_links
from monitor.notify.messages import Recipient, Sender, StoryForEmail
from monitor.notify.tokens import make_token
from tests import PROJECT_ROOT

SEED_TEXT = PROJECT_ROOT / "seeds" / "fixtures" / "seed-story.txt"  # the founding example
SECRET = b"test-secret-0123456789abcdef-xyz"
NOW = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
LIST_ID = "ua-latam.monitor.example.org"
SENDER = Sender("alerts@monitor.example.org", "monitor alerts")
RECIPIENT = Recipient(7, "ana@example.org", "Ana Pérez", "America/Sao_Paulo")

TITLE = "Ukraine's New Diplomatic Horizon In Latin America"
SNIPPET = (
    "Ukrainian President Volodymyr Zelenskiy is proactively engaging Latin American leaders "
    "to support his peace plan. He has reached out to Paraguay, Ecuador, and Uruguay."
)


def evidence(text: str, term: str, field: str = "text") -> Evidence:
    """Evidence for the first occurrence of ``term`` in ``text``."""
    start = text.index(term)
    return Evidence(
        rule=f"term:{term.lower()}", term=term, field=field, start=start, end=start + len(term)
    )


def make_links(subscriber_id: int = 7, base: str = "https://monitor.example.org") -> EmailLinks:
    return build_links(
        base,
        "unsubscribe@monitor.example.org",
        unsubscribe_token=make_token(SECRET, "unsubscribe", subscriber_id, 3, NOW),
        preferences_token=make_token(SECRET, "preferences", subscriber_id, None, NOW),
    )


def make_story(**overrides: Any) -> StoryForEmail:
    story = StoryForEmail(
        story_id=42,
        title=TITLE,
        snippet=SNIPPET,
        url="https://menafn.com/1107613421/ukraines-new-diplomatic-horizon",
        published=datetime(2023, 12, 11, 12, 30, tzinfo=UTC),
        credited_outlet="The Rio Times",
        republishers=("MENAFN",),
        category="peace-plan",
        countries=("PY", "EC", "UY", "AR"),
        score=0.91,
        matched=(
            evidence(TITLE, "Latin America", "title"),
            evidence(SNIPPET, "Zelenskiy"),
            evidence(SNIPPET, "Paraguay"),
        ),
    )
    return replace(story, **overrides)


def make_alert(story: StoryForEmail | None = None, **overrides: Any) -> EmailMessage:
    recipient = overrides.pop("recipient", RECIPIENT)
    arguments: dict[str, Any] = {
        "subscription_name": "Ukraine – Latin America",
        "why": "zelensk* AND (paraguay OR ecuador)",
        "links": make_links(recipient.subscriber_id),
        "sender": SENDER,
        "list_id": LIST_ID,
        "now": NOW,
    }
    arguments.update(overrides)
    return compose_alert(story or make_story(), recipient, **arguments)


def parse(message: EmailMessage) -> EmailMessage:
    """What a receiving client sees: the serialized bytes parsed back."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(message: EmailMessage, subtype: str) -> str:
    part = parse(message).get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    content = part.get_content()
    assert isinstance(content, str)
    return content


VOID = {"meta", "br", "hr", "img", "link", "input"}


class HtmlAudit(HTMLParser):
    """Collects tags and attributes and checks that non-void elements nest and close."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes.extend((tag, name, value) for name, value in attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unexpected </{tag}> with open {self.stack[-3:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def audit_html(html: str) -> HtmlAudit:
    audit = HtmlAudit()
    audit.feed(html)
    audit.close()
    return audit
