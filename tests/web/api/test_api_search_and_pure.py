"""Search agrees with `monitor query test`'s matcher; the door's pure parts by table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest

from monitor.matching.commands import matching_ids
from monitor.store.db import transaction
from monitor.store.stories import alerted_stories
from monitor.subscriptions.preview import stored_story_doc
from monitor.web.api.keys import bearer_key, granted_scopes, looks_like_api_key, new_api_key
from monitor.web.api.paging import Cursor, decode_cursor, encode_cursor
from monitor.web.api.problems import ApiProblem
from monitor.web.api.quota import TouchThrottle, retry_after
from monitor.web.limits import TokenBuckets
from tests.web.api.helpers import alerted_story, api, make_key
from tests.web.helpers import person

QUERIES = ["zelensky", "lula OR milei", 'country:BR AND NOT "peace plan"', "lang:es", "summit*"]


@pytest.mark.parametrize("query", QUERIES)
def test_search_returns_exactly_what_the_query_matches(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str], query: str
) -> None:
    settings, engine, base = web
    key = make_key(settings, person(engine)[0], capsys)
    alerted_story(engine, "Zelensky meets Lula", country="BR", ago=timedelta(hours=1))
    alerted_story(engine, "Milei and the peace plan", text="A peace plan for Ukraine.",
                  ago=timedelta(hours=2))
    alerted_story(engine, "Cumbre en Brasilia", lang="es", country="BR", ago=timedelta(hours=3))
    alerted_story(engine, "Summit summary", ago=timedelta(hours=4))
    alerted_story(engine, "Zelensky, long ago", ago=timedelta(days=40))
    with transaction(engine) as conn:
        stories = alerted_stories(conn, datetime.now(UTC) - timedelta(days=30))
    rows = [row for story in stories for row in story.alerts]
    expected = list(
        dict.fromkeys(matching_ids(query, [(str(r.id), stored_story_doc(r)) for r in rows]))
    )
    seen: list[str] = []
    cursor = ""
    while True:
        page = api(base, f"/api/v1/search?limit=1&q={quote(query)}&cursor={cursor}", key).json
        seen += [str(item["id"]) for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert expected, "the table should hold queries that match something"
    assert sorted(seen) == sorted(expected)


def test_search_reads_only_the_index_candidates(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    key = make_key(settings, person(engine)[0], capsys)
    for n in range(6):
        alerted_story(engine, f"Trade fair {n}", ago=timedelta(hours=n + 1))
    alerted_story(engine, "Zelensky meets Lula", ago=timedelta(hours=9))
    page = api(base, "/api/v1/search?q=zelensky+NEAR/2+lula", key).json
    assert [item["title"] for item in page["items"]] == ["Zelensky meets Lula"]
    assert page["scanned"] == 1  # the six other stories never left the database
    page = api(base, "/api/v1/search?q=NOT+zelensky", key).json  # no index look-up
    assert page["scanned"] == 7 and len(page["items"]) == 6


def test_cursors_round_trip() -> None:
    at = datetime(2026, 12, 6, 20, 15, 1, 123456, tzinfo=UTC)
    assert decode_cursor(encode_cursor(Cursor(at, 42))) == Cursor(at, 42)
    for bad in ("x", "MTIz", "!!!!", "AAAA" * 20):
        with pytest.raises(ApiProblem):
            decode_cursor(bad)


def test_buckets_refill_and_say_how_long_to_wait() -> None:
    buckets = TokenBuckets(rate=0.5, burst=2)
    assert [buckets.take(1, 0.0) for _ in range(2)] == [0.0, 0.0]
    assert buckets.take(1, 0.0) == pytest.approx(2.0)
    assert retry_after(buckets.take(1, 0.0)) == "2"
    assert buckets.take(2, 0.0) == 0.0  # another key's budget is untouched
    assert buckets.take(1, 2.0) == 0.0


def test_last_use_is_written_at_most_once_a_minute_per_key() -> None:
    throttle = TouchThrottle(every=60.0)
    assert [throttle.due(1, t) for t in (0.0, 30.0, 59.9, 60.0)] == [True, False, False, True]
    assert throttle.due(2, 30.0)


def test_keys_have_one_shape_and_write_includes_read() -> None:
    made = new_api_key()
    assert looks_like_api_key(made.secret) and made.prefix in made.secret
    assert made.key_hash not in made.secret and len(made.key_hash) == 64
    assert not looks_like_api_key(made.secret + "x")
    assert bearer_key(f"bearer  {made.secret} ") == made.secret
    assert bearer_key("Basic abc") is None and bearer_key("Bearer ") is None
    assert granted_scopes("write") == ("read", "write") and granted_scopes("read") == ("read",)
    with pytest.raises(ValueError):
        granted_scopes("admin")


def test_problems_name_their_kind_and_every_field() -> None:
    from monitor.errors import Problem
    from monitor.web.api.problems import invalid

    problem = invalid("refused", [Problem("mode", "one of …"), Problem("countries", "ISO")])
    document = problem.document()
    assert document["type"] == "tag:monitor,2024:problem/validation"
    assert document["status"] == 422 and document["title"] == "Validation failed"
    errors: Any = document["errors"]
    assert [e["field"] for e in errors] == ["mode", "countries"]
    assert problem.response().content_type == "application/problem+json"
