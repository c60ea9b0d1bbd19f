"""Whatever text a feed or a subscriber supplies, the HTML part stays inert and the headers fixed."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.models import Evidence
from monitor.notify.compose import compose_digest
from monitor.notify.messages import DigestEntry
from monitor.notify.policy import DeliverySettings, digest_period

from .helpers import (
    LIST_ID,
    NOW,
    RECIPIENT,
    SENDER,
    audit_html,
    body,
    make_alert,
    make_links,
    make_story,
    parse,
)
from .injection import ALERT_HEADERS

ATTACKS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "javascript:alert(1)",
    "</mark></p></div><iframe src=//evil>",
    "{{ 7*7 }}{% raw %}",
    "\r\nBcc: evil@example.org\r\n\r\n",
    "&lt;script&gt;",
]
# Arbitrary text, with attack strings mixed in so the interesting cases come up every run.
hostile = st.one_of(
    st.text(max_size=200),
    st.sampled_from(ATTACKS),
    st.lists(st.sampled_from(ATTACKS) | st.text(max_size=20), max_size=6).map("".join),
)
urls = st.one_of(
    st.none(),
    st.text(max_size=80),
    st.sampled_from(
        [
            "javascript:alert(1)",
            "data:text/html,<script>x</script>",
            "https://ok.example.org/a?b=1&c=<x>",
            "https://ok.example.org/story",
        ]
    ),
)

TEMPLATE_TAGS = {
    "html",
    "head",
    "meta",
    "title",
    "body",
    "div",
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "a",
    "mark",
    "bdi",
    "hr",
    "br",
    "strong",
}
EXPECTED_HEADERS = set(ALERT_HEADERS)


def assert_inert(html: str) -> None:
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<svg" not in lowered and "<iframe" not in lowered and "<img" not in lowered
    audit = audit_html(html)
    assert audit.tags <= TEMPLATE_TAGS, audit.tags - TEMPLATE_TAGS
    assert audit.errors == [] and audit.stack == []
    for tag, name, value in audit.attributes:
        assert not name.startswith("on"), (tag, name)
        if name in {"href", "src"}:
            assert value is not None and value.startswith(("https://", "http://")), value


def highlight_evidence(data: st.DataObject, text: str, field: str) -> tuple[Evidence, ...]:
    if not text:
        return ()
    start = data.draw(st.integers(min_value=0, max_value=len(text) - 1))
    end = data.draw(st.integers(min_value=start + 1, max_value=len(text)))
    return (Evidence("r", text[start:end], field, start, end),)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile, hostile, hostile, hostile, hostile, hostile, urls, st.data())
def test_alert_html_is_inert_and_headers_are_fixed(
    title: str,
    snippet: str,
    outlet: str,
    name: str,
    why: str,
    subscription: str,
    url: str | None,
    data: st.DataObject,
) -> None:
    matched = highlight_evidence(data, title, "title") + highlight_evidence(data, snippet, "text")
    story = make_story(
        title=title,
        snippet=snippet,
        credited_outlet=outlet,
        republishers=(outlet, name),
        url=url,
        matched=matched,
    )
    message = make_alert(
        story,
        recipient=replace(RECIPIENT, display_name=name),
        why=why,
        subscription_name=subscription,
    )
    parsed = parse(message)
    assert {key.lower() for key, _ in parsed.items()} == EXPECTED_HEADERS
    assert len(parsed["To"].addresses) == 1
    assert_inert(body(message, "html"))
    assert "\r" not in body(message, "plain").replace("\r\n", "\n")


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(hostile, hostile, hostile, urls), min_size=1, max_size=4))
def test_digest_html_is_inert(rows: list[tuple[str, str, str, str | None]]) -> None:
    entries = [
        DigestEntry(
            make_story(
                story_id=n,
                title=title,
                snippet=snippet,
                url=url,
                matched=(),
                category=why[:12] or None,
            ),
            why=why,
        )
        for n, (title, snippet, why, url) in enumerate(rows)
    ]
    period = digest_period(DeliverySettings(mode="daily"), NOW)
    message = compose_digest(
        entries,
        RECIPIENT,
        period=period,
        subscription_name=rows[0][0],
        links=make_links(),
        sender=SENDER,
        list_id=LIST_ID,
        now=NOW,
    )
    assert_inert(body(message, "html"))
    assert parse(message)["Subject"].startswith("[monitor] Daily digest: ")
