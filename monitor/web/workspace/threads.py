"""Thread: one real-world event and every alerted report of it (issue 19, docs/threads.md).

    GET /threads/{id}

The thread's type, countries, actors and days; its reports (outlet, headline, language,
date, a link to each story page); the thread it develops and its later developments; and
why its reports were joined: the rule the worker stored for each and what each shares
with the others (``monitor.threads.explain``, from the stored facts). Threads hold only
alerted stories, which every signed-in reader may see (as on Latest).
"""

from __future__ import annotations

import asyncio
from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from monitor.notify.labels import country_name
from monitor.notify.links import safe_http_url
from monitor.store import threads as thread_store
from monitor.store.db import transaction
from monitor.threads.explain import shared_facts
from monitor.web.workspace import i18n
from monitor.web.workspace.context import Reader, Workspace

# Reports listed on one page; a longer thread says how many more it holds.
MAX_REPORTS = 200


def _known(key: str, fallback: str, t: Any) -> str:
    """The catalog's text for ``key``, or ``fallback`` for a value the catalog lacks (a rule
    or category added later still shows, as its code)."""
    return str(t(key)) if i18n.catalog("en").has(key) else fallback


def rule_text(rule: str, t: Any) -> str:
    """The stored rule that placed a report, said in words."""
    return _known(f"thread.rule_{rule}", rule, t)


def category_text(category: str | None, t: Any) -> str:
    name = category or "other"
    return _known(f"category.{name}", name, t)


def thread_page_view(thread: thread_store.ThreadView, zone: ZoneInfo, t: Any) -> dict[str, Any]:
    """The thread as the page says it."""
    shared = shared_facts([m.facts for m in thread.members])
    reports = []
    for member, common in zip(thread.members, shared, strict=True):
        reports.append(
            {
                "href": f"/stories/{member.story_id}",
                "title": member.title,
                "outlet": member.credited_outlet,
                "lang": member.lang or "",
                "url": safe_http_url(member.url) if member.url else None,
                "published": i18n.local_time(member.published_at, zone),
                "published_iso": member.published_at.astimezone(UTC).isoformat(),
                "rule": member.rule,
                "rule_text": rule_text(member.rule, t),
                "apart": None if member.grouped else t("thread.alerted_apart"),
                "shared": [
                    (t("thread.shared_countries"), ", ".join(common.countries)),
                    (t("thread.shared_people"), ", ".join(common.people)),
                    (t("thread.shared_terms"), ", ".join(common.terms)),
                ]
                if common
                else [],
            }
        )

    def link(target: thread_store.ThreadLink) -> dict[str, str]:
        return {"href": f"/threads/{target.thread_id}", "title": target.title}

    return {
        "id": thread.id,
        "data": t(
            "story.thread_data",
            count=thread.story_count,
            first=thread.first_day.isoformat(),
            last=thread.last_day.isoformat(),
        ),
        "first": thread.first_day.isoformat(),
        "last": thread.last_day.isoformat(),
        "count": thread.story_count,
        "category": category_text(thread.category, t),
        "countries": [(c, country_name(c)) for c in thread.countries],
        "actors": ", ".join(thread.actors),
        "reports": reports,
        "more": max(0, thread.story_count - len(thread.members)),
        "follows": None if thread.follows is None else link(thread.follows),
        "followed_by": [link(later) for later in thread.followed_by],
    }


class ThreadPage:
    def __init__(self, workspace: Workspace) -> None:
        self.ws = workspace

    def routes(self) -> list[web.RouteDef]:
        return [web.get("/threads/{thread_id:[0-9]{1,18}}", self.ws.signed_in(self.page))]

    async def page(self, request: web.Request, reader: Reader) -> web.StreamResponse:
        thread_id = int(request.match_info["thread_id"])

        def _load() -> thread_store.ThreadView | None:
            with transaction(self.ws.engine) as conn:
                return thread_store.thread_detail(conn, thread_id, limit=MAX_REPORTS)

        thread = await asyncio.to_thread(_load)
        t = self.ws.catalog(request).text
        if thread is None:
            return self.ws.message(
                request,
                "thread.missing_title",
                "thread.missing",
                status=404,
                link=("/latest", "nav.latest"),
            )
        view = thread_page_view(thread, reader.zone, t)
        first_title = thread.members[0].title if thread.members else ""
        return self.ws.page(
            request,
            "thread.html.j2",
            title=t("thread.title", headline=first_title),
            thread=view,
        )
