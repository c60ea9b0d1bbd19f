"""Double opt-in confirmation emails."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest

from monitor.errors import ConfigError
from monitor.notify.compose import compose_confirmation
from monitor.notify.links import confirm_url
from monitor.notify.tokens import make_token, verify_token

from .helpers import NOW, RECIPIENT, SECRET, SENDER, audit_html, body, parse


def confirmation(url: str | None = None, **overrides: Any) -> EmailMessage:
    token = make_token(SECRET, "confirm", RECIPIENT.subscriber_id, 3, NOW)
    arguments: dict[str, Any] = {
        "subscription_name": "Ukraine – Latin America",
        "sender": SENDER,
        "now": NOW,
    }
    arguments.update(overrides)
    recipient = arguments.pop("recipient", RECIPIENT)
    return compose_confirmation(
        recipient, url or confirm_url("https://monitor.example.org", token), **arguments
    )


def test_confirmation_has_the_link_in_both_parts() -> None:
    message = confirmation()
    text, html = body(message, "plain"), body(message, "html")
    url = next(line for line in text.splitlines() if line.startswith("https://"))
    token = url.rsplit("/c/", 1)[1]
    assert verify_token(token, SECRET, "confirm", NOW, timedelta(days=7)).subscription_id == 3
    assert f'href="{url}"' in html
    assert "valid for 7 days" in text
    assert "Hello Ana Pérez," in text
    audit = audit_html(html)
    assert audit.errors == [] and audit.stack == []


def test_confirmation_is_not_a_list_email() -> None:
    parsed = parse(confirmation())
    assert parsed["Subject"] == "[monitor] Confirm your subscription: Ukraine – Latin America"
    assert parsed["Auto-Submitted"] == "auto-generated"
    for header in ("List-Unsubscribe", "List-Unsubscribe-Post", "List-Id", "Precedence"):
        assert parsed[header] is None
    assert parsed["X-Monitor-Delivery"].startswith("confirm:7:")


def test_message_id_is_stable_per_request() -> None:
    first = parse(confirmation())["Message-ID"]
    assert parse(confirmation())["Message-ID"] == first
    fresh = confirm_url(
        "https://monitor.example.org", make_token(SECRET, "confirm", 7, 3, NOW + timedelta(hours=1))
    )
    assert parse(confirmation(fresh))["Message-ID"] != first


def test_unsafe_confirm_url_is_refused() -> None:
    with pytest.raises(ConfigError):
        confirmation("javascript:alert(1)")


def test_hostile_display_name_is_contained() -> None:
    recipient = replace(RECIPIENT, display_name="<img src=x onerror=alert(1)>\r\nBcc: x@evil.org")
    message = confirmation(recipient=recipient)
    html = body(message, "html")
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert parse(message)["Bcc"] is None
    assert len(parse(message)["To"].addresses) == 1


def test_encoded_words_in_names_never_make_a_header() -> None:
    from .injection import (
        EMAIL_HEADERS,
        HOSTILE_NAME,
        HOSTILE_NAME_READ,
        read_clean_email,
        subject_read,
    )

    message = confirmation(
        recipient=replace(RECIPIENT, display_name=HOSTILE_NAME), subscription_name=HOSTILE_NAME
    )
    headers = EMAIL_HEADERS
    parsed = read_clean_email(message.as_bytes(), RECIPIENT.email, headers)
    assert subject_read(parsed) == f"[monitor] Confirm your subscription: {HOSTILE_NAME_READ}"
    assert parsed["To"].addresses[0].display_name == HOSTILE_NAME_READ
