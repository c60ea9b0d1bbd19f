"""GET /api/v1/threads and /threads/{id} on threads the real worker stored, on both
databases: filters, keyset pages that neither repeat nor skip, one thread with its stories
and links, and clear 400/404s. Every answer is checked against the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from monitor.store.db import transaction
from monitor.store.tables import story_sources, story_threads, threads
from tests.stream.test_event_threads import STORIES, item_of, make_handler
from tests.web.api.contract import Contract
from tests.web.api.helpers import api, make_key
from tests.web.helpers import person

# Two UN General Assembly votes (2 and 24 March 2022, and the day before the first) and
# the Lula–Zelensky meeting in New York (September 2023) with the earlier report the worker
# links it to (h051).
CHOSEN_IDS = {
    "h017", "e053", "rd126", "t-040", "rd122", "e036", "t-043",
    "h051", "t-060", "t-061", "t-062", "t-063", "t-064", "t-065", "d3-093", "e038", "h022",
}  # fmt: skip
CHOSEN = [s for s in STORIES if s.story_id in CHOSEN_IDS]


def stored(engine: Any) -> dict[int, Any]:
    with transaction(engine) as conn:
        return {int(r.id): r for r in conn.execute(select(threads))}


def thread_of_item(engine: Any, item_id: str) -> int:
    with transaction(engine) as conn:
        return int(
            conn.execute(
                select(story_threads.c.thread_id)
                .join(story_sources, story_sources.c.story_id == story_threads.c.story_id)
                .where(story_sources.c.item_id == item_id)
            ).scalar_one()
        )


def test_threads_are_listed_filtered_paged_and_shown_one_by_one(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    reader, _ = person(engine, "reader@example.org")
    key = make_key(settings, reader, capsys)
    contract = Contract(api(base, "/api/v1/openapi.json").json)

    def call(path: str, **kw: Any) -> Any:
        answer = api(base, path, kw.pop("key", key), **kw)
        contract.check("GET", path, answer)
        return answer

    make_handler(engine).handle([item_of(s) for s in CHOSEN])
    rows = stored(engine)
    assert len(rows) >= 4 and any(r.story_count > 1 for r in rows.values())

    # Every thread, newest first by (created_at, id), one per page: no repeat, no gap.
    everything = call("/api/v1/threads").json
    assert everything["next_cursor"] is None
    assert [t["id"] for t in everything["items"]] == sorted(
        rows, key=lambda i: (rows[i].created_at, i), reverse=True
    )
    seen: list[int] = []
    path = "/api/v1/threads?limit=1"
    while True:
        page = call(path).json
        assert len(page["items"]) <= 1
        seen.extend(t["id"] for t in page["items"])
        if page["next_cursor"] is None:
            break
        path = f"/api/v1/threads?limit=1&cursor={page['next_cursor']}"
    assert seen == [t["id"] for t in everything["items"]]

    # Filters: category, country, days (a thread is in when it has a report in the span).
    votes = call("/api/v1/threads?category=un-multilateral").json["items"]
    assert votes and all(t["category"] == "un-multilateral" for t in votes)
    assert {t["id"] for t in votes} == {
        i for i, r in rows.items() if r.category == "un-multilateral"
    }
    brazil = call("/api/v1/threads?country=br").json["items"]
    assert brazil and all("BR" in t["countries"] for t in brazil)
    assert len(brazil) == sum("BR" in (r.countries or []) for r in rows.values())
    recent = call("/api/v1/threads?since=2023-01-01").json["items"]
    assert {t["id"] for t in recent} == {i for i, r in rows.items() if str(r.last_day) >= "2023"}
    older = call("/api/v1/threads?until=2023-01-01").json["items"]
    assert {t["id"] for t in older} == {i for i, r in rows.items() if str(r.first_day) < "2023"}
    assert recent and older and not {t["id"] for t in recent} & {t["id"] for t in older}
    day = call("/api/v1/threads?since=2023-09-20&until=2023-09-21").json["items"]
    new_york = thread_of_item(engine, "t-060")
    assert new_york in {t["id"] for t in day}
    assert all(t["first_day"] <= "2023-09-20" <= t["last_day"] for t in day)

    # One thread: its stories (as many as it counts), the rule of each, what they share,
    # and the thread it develops; that one names it among its later developments.
    detail = call(f"/api/v1/threads/{new_york}").json
    assert detail["story_count"] == len(detail["stories"]) == rows[new_york].story_count >= 3
    assert [s["rule"] for s in detail["stories"]].count("new") == 1
    assert {s["rule"] for s in detail["stories"]} - {"new"}
    assert all("BR" in s["shared"]["countries"] for s in detail["stories"])
    assert detail["first_day"] <= "2023-09-20" <= detail["last_day"]
    earlier = thread_of_item(engine, "h051")
    assert detail["follows"] == earlier == rows[new_york].follows_id
    assert new_york in call(f"/api/v1/threads/{earlier}").json["followed_by"]
    listed = next(t for t in everything["items"] if t["id"] == new_york)
    assert listed["follows"] == earlier and listed["story_count"] == detail["story_count"]

    # Refusals: a clear 400 naming the parameter, a 404 for no such thread, a 401 without key.
    for bad, field in (
        ("country=Brazil", "country"),
        ("category=Peace%20plan", "category"),
        ("lang=en", "lang"),
        ("since=yesterday", "since"),
        ("since=2023-02-01&until=2023-01-01", "since"),
        ("cursor=nonsense", "cursor"),
        ("limit=0", "limit"),
    ):
        refused = call(f"/api/v1/threads?{bad}")
        assert refused.status == 400, bad
        assert refused.json["errors"][0]["field"] == field, refused.json
    assert call("/api/v1/threads/999999").status == 404
    assert call("/api/v1/threads/x1").status == 404
    assert call(f"/api/v1/threads/{new_york}?cursor=abc").status == 400
    assert call("/api/v1/threads", key=None).status == 401
