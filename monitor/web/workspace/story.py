"""Story: one story with all its copies, who is credited and why, the classifier's
evidence highlighted in the text, and what the reader's own subscriptions did with it.

    GET /stories/{id}

The credit is explained by ``monitor.feeds.identity.explain_credit``, the rule that credits
clusters, applied to the stored copies. The evidence is the alert's ``matched`` list
(character offsets into the title and text). The deliveries are read for the signed-in
reader's subscriber id only: a reader never sees another reader's subscriptions or emails.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from monitor.feeds.identity import explain_credit
from monitor.models import Evidence, FeedItem
from monitor.notify.labels import country_name
from monitor.notify.links import safe_http_url
from monitor.notify.snippets import Segment, Snippet, highlight
from monitor.store import coverage
from monitor.store import threads as thread_store
from monitor.store.db import transaction
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace

# Bytes of a story's text shown (stories are stored whole; a hostile feed's megabyte is not).
MAX_TEXT_CHARS = 20_000


def evidence_of(matched: object) -> tuple[Evidence, ...]:
    """The alert's stored ``matched`` list as Evidence; malformed entries are skipped."""
    found = []
    for entry in matched if isinstance(matched, list) else []:
        try:
            found.append(
                Evidence(
                    str(entry["rule"]),
                    str(entry["term"]),
                    str(entry["field"]),
                    int(entry["start"]),
                    int(entry["end"]),
                )
            )
        except (KeyError, TypeError, ValueError):
            continue
    return tuple(found)


def marked(text: str, evidence: Sequence[Evidence], field: str) -> tuple[Segment, ...]:
    """``text`` as plain and marked runs: the evidence for ``field`` that fits it."""
    fitting = tuple(e for e in evidence if e.field == field and 0 <= e.start < e.end <= len(text))
    return highlight(Snippet(text, fitting))


def rules_fired(evidence: Sequence[Evidence]) -> list[tuple[str, list[str]]]:
    """Each rule that fired with its distinct terms, in the order they first fired."""
    rules: dict[str, list[str]] = {}
    for e in evidence:
        terms = rules.setdefault(e.rule, [])
        if e.term not in terms:
            terms.append(e.term)
    return list(rules.items())


def copy_items(rows: Sequence[Any]) -> list[FeedItem]:
    """Stored copies as the items ``explain_credit`` judges (ids are the copies' row ids)."""
    return [
        FeedItem(
            item_id=str(row.id),
            feed_url=row.feed_url,
            outlet=row.outlet,
            title=row.title,
            text="",
            published=row.published_at,
            fetched_at=row.first_seen_at,
            url=row.url,
            original_outlet=row.original_outlet,
        )
        for row in rows
    ]


def credit_reason(reason: str, outlet: str, t: Any) -> str:
    return str(t(f"story.reason_{reason}", outlet=outlet))


def delivery_lines(rows: Sequence[Any], zone: ZoneInfo, t: Any) -> list[dict[str, str]]:
    """The reader's deliveries of this story as the page says them."""
    lines = []
    for row in rows:
        if row.sent_at is not None:
            email = t("story.emailed", when=i18n.local_time(row.sent_at, zone))
        elif row.email_status == "failed":
            email = t("story.email_failed")
        elif row.status == "skipped":
            email = t("story.email_skipped")
        elif row.status == "folded":
            email = t("story.email_folded")
        elif row.email_kind is not None:
            email = t("story.email_queued")
        else:
            email = t("story.email_due", when=i18n.local_time(row.due_at, zone))
        lines.append(
            {
                "subscription": row.subscription_name or t("story.subscription_unnamed"),
                "query": row.query or "",
                "mode": t(f"mode.{row.mode}") if row.mode in MODES else row.mode,
                "email": email,
            }
        )
    return lines


MODES = ("immediate", "hourly", "daily", "weekly")


def thread_lines(
    thread: thread_store.ThreadView, story_id: int, zone: ZoneInfo, t: Any
) -> dict[str, Any]:
    """The story's event thread as the page says it: its data, the other reports (this
    one left out) and the linked threads, each named by its first story and linked to its
    thread page, as the thread page links them."""
    category = thread.category or "other"
    return {
        "href": f"/threads/{thread.id}",
        "data": t(
            "story.thread_data",
            count=thread.story_count,
            first=thread.first_day.isoformat(),
            last=thread.last_day.isoformat(),
        ),
        "category": t(f"category.{category}")
        if i18n.catalog("en").has(f"category.{category}")
        else category,
        "countries": [(c, country_name(c)) for c in thread.countries],
        "actors": ", ".join(thread.actors),
        "others": [
            {
                "href": f"/stories/{m.story_id}",
                "title": m.title,
                "outlet": m.credited_outlet,
                "published": i18n.local_time(m.published_at, zone),
                "published_iso": m.published_at.astimezone(UTC).isoformat(),
                "rule": m.rule,
            }
            for m in thread.members
            if m.story_id != story_id
        ],
        "follows": None if thread.follows is None else _thread_link(thread.follows),
        "followed_by": [_thread_link(link) for link in thread.followed_by],
    }


def _thread_link(link: thread_store.ThreadLink) -> dict[str, str]:
    return {"href": f"/threads/{link.thread_id}", "title": link.title}


class StoryPage:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/stories/{story_id:[0-9]{1,18}}", self.ws.signed_in(self.page))]

    async def page(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        story_id = int(request.match_info["story_id"])

        def _load() -> tuple[Any, Any, list[Any], list[Any], Any]:
            with transaction(self.ws.engine) as conn:
                story = coverage.story(conn, story_id)
                if story is None:
                    return None, None, [], [], None
                return (
                    story,
                    coverage.story_alert(conn, story_id),
                    coverage.story_copies(conn, story_id),
                    coverage.reader_deliveries(conn, reader.subscriber_id, [story_id]),
                    thread_store.thread_view(conn, story_id),
                )

        story, alert, copies, deliveries, thread = await asyncio.to_thread(_load)
        t = self.ws.catalog(request).text
        if story is None:
            return self.ws.message(
                request,
                "story.missing_title",
                "story.missing",
                status=404,
                link=("/latest", "nav.latest"),
            )
        zone = reader.zone
        evidence = evidence_of(alert.matched) if alert is not None else ()
        items = copy_items(copies)
        credit = explain_credit(items) if items else None
        credited_id = credit.item.item_id if credit else None
        outlet = credit.outlet if credit else story.credited_outlet
        original = safe_http_url(credit.item.url) if credit and credit.item.url else None
        original = original or (safe_http_url(story.url) if story.url else None)
        alert_view = None
        if alert is not None:
            category = alert.category or "other"
            alert_view = {
                "category": t(f"category.{category}")
                if i18n.catalog("en").has(f"category.{category}")
                else category,
                "countries": [(str(c), country_name(str(c))) for c in (alert.countries or [])],
                "lang": story.lang,
                "score": f"{alert.score:.2f}",
                "created": i18n.local_time(alert.created_at, zone),
                "created_iso": alert.created_at.astimezone(UTC).isoformat(),
                "evidence": rules_fired(evidence),
            }
        text = story.text[:MAX_TEXT_CHARS]
        return self.ws.page(
            request,
            "story.html.j2",
            title=story.title,
            title_segments=marked(story.title, evidence, "title"),
            text_segments=marked(text, evidence, "text"),
            published=i18n.local_time(story.published_at, zone),
            published_iso=story.published_at.astimezone(UTC).isoformat(),
            original_url=original or "",
            credit={
                "outlet": outlet,
                "reason": credit_reason(credit.reason, outlet, t) if credit else "",
            },
            copies=[
                {
                    "outlet": row.outlet,
                    "marker": row.original_outlet or "",
                    "feed": row.feed_name or row.feed_url,
                    "url": safe_http_url(row.url) if row.url else None,
                    "published": i18n.local_time(row.published_at, zone),
                    "published_iso": row.published_at.astimezone(UTC).isoformat(),
                    "credited": str(row.id) == credited_id,
                }
                for row in copies
            ],
            alert=alert_view,
            deliveries=delivery_lines(deliveries, zone, t),
            thread=thread_lines(thread, story_id, zone, t) if thread is not None else None,
        )
