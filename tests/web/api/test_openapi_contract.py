"""Every endpoint's real answers, on both databases, validate against /api/v1/openapi.json."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.stream.test_event_threads import STORIES, item_of, make_handler
from tests.web.api.contract import Contract
from tests.web.api.helpers import alerted_story, api, make_key
from tests.web.helpers import person


def test_every_endpoint_answers_as_the_openapi_document_says(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    reader, _ = person(engine, "reader@example.org")
    document = api(base, "/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    for schema in document["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    contract = Contract(document)
    read = make_key(settings, reader, capsys)
    write = make_key(settings, "reader@example.org", capsys, scope="write")
    story = alerted_story(engine, "Zelensky meets Lula in Brasilia", country="BR")
    alerted_story(engine, "Milei receives Zelensky", ago=timedelta(hours=2))
    alerted_story(engine, "A javascript link", url="javascript:alert(1)", ago=timedelta(hours=3))

    def call(method: str, path: str, key: str | None = read, **kw: Any) -> Any:
        answer = api(base, path, key, method=method, **kw)
        contract.check(method, path, answer)
        return answer

    page = call("GET", "/api/v1/stories?limit=2")
    assert page.status == 200 and len(page.json["items"]) == 2 and page.json["next_cursor"]
    assert call("GET", f"/api/v1/stories?cursor={page.json['next_cursor']}").json["items"][0]["url"] is None
    assert call("GET", "/api/v1/stories?limit=0").status == 400
    detail = call("GET", f"/api/v1/stories/{story}").json
    assert detail["copies"][0]["outlet"] == "Buenos Aires Times"
    assert detail["alerts"][0]["evidence"][0]["term"] == "zelensky"
    assert call("GET", "/api/v1/stories/999999").status == 404
    assert call("GET", "/api/v1/alerts?country=BR").json["items"][0]["story"]["id"] == story
    assert call("GET", "/api/v1/alerts?since=yesterday").status == 400
    found = call("GET", "/api/v1/search?q=lula").json
    assert [s["id"] for s in found["items"]] == [story]
    assert call("GET", "/api/v1/search?q=lula%20AND%20(").status == 400
    trend = call("GET", "/api/v1/trends").json
    assert sum(trend["countries"]["BR"]) == 1 and len(trend["days"]) == 30
    assert call("GET", "/api/v1/trends?since=2026-13-01").status == 400
    timeline = call("GET", "/api/v1/countries/br/timeline").json
    assert timeline["country"] == "BR" and timeline["name"] == "Brazil"
    meeting = [e for e in timeline["entries"] if e["kind"] == "meeting"]
    assert meeting and meeting[0]["story"]["id"] == story, timeline
    assert "Lula" in meeting[0]["actors"] and "Lula" in meeting[0]["quote"]
    assert call("GET", "/api/v1/countries/Narnia/timeline").status == 404
    assert call("GET", "/api/v1/countries/BR/timeline?since=2026-02-30").status == 400
    assert call("GET", "/api/v1/countries/BR/timeline", key=None).status == 401
    me = call("GET", "/api/v1/me").json
    assert me["email"] == "reader@example.org" and me["language"] == "en"
    assert call("GET", "/api/v1/me", key=None).status == 401
    spanish = call("PATCH", "/api/v1/me", write, body={"language": "ES"})
    assert spanish.status == 200 and spanish.json["language"] == "es"
    assert call("GET", "/api/v1/me").json["language"] == "es"
    ukrainian = call("PATCH", "/api/v1/me", write, body={"language": "uk"})
    assert ukrainian.status == 200 and ukrainian.json["language"] == "uk"
    assert call("PATCH", "/api/v1/me", write, body={"language": "es"}).status == 200
    klingon = call("PATCH", "/api/v1/me", write, body={"language": "tlh"})
    assert klingon.status == 422 and "en, es, pt, uk" in str(klingon.json)
    assert call("PATCH", "/api/v1/me", write, body={"time_zone": "UTC"}).status == 422
    assert call("GET", "/api/v1/me").json["language"] == "es"  # nothing stored from a refusal
    assert call("GET", "/api/v1/subscriptions").json["items"][0]["name"] == "LatAm"
    assert call("GET", "/api/v1/subscriptions", key=None).status == 401
    created = call("POST", "/api/v1/subscriptions", write,
                   body={"name": "Brazil", "countries": ["BR"], "mode": "daily"})
    assert created.status == 201, created.json
    new_id = created.json["id"]
    assert call("POST", "/api/v1/subscriptions", read, body={"name": "x"}).status == 403
    assert call("GET", f"/api/v1/subscriptions/{new_id}").json["mode"] == "daily"
    assert created.json["topic"] == "ukraine-latam"  # the default: the founding topic
    moved = call("PATCH", f"/api/v1/subscriptions/{new_id}", write, body={"topic": "russia-latam"})
    assert moved.status == 200 and moved.json["topic"] == "russia-latam"
    unknown = call("PATCH", f"/api/v1/subscriptions/{new_id}", write, body={"topic": "mars"})
    assert unknown.status == 422 and "russia-latam, ukraine-latam" in str(unknown.json)
    lonely = call("POST", "/api/v1/subscriptions", write, body={"topic": "all"})
    assert lonely.status == 422 and "query" in str(lonely.json)
    everything = call("POST", "/api/v1/subscriptions", write,
                      body={"name": "All", "topic": "all", "query": "rosneft"})
    assert everything.status == 201 and everything.json["topic"] == "all"
    assert call("GET", f"/api/v1/subscriptions/{everything.json['id']}").json["topic"] == "all"
    assert call("GET", "/api/v1/subscriptions/0").status == 404
    patched = call("PATCH", f"/api/v1/subscriptions/{new_id}", write,
                   body={"query": "lula OR zelensky", "paused": True})
    assert patched.json["query"] == "lula OR zelensky" and patched.json["paused"] is True
    assert call("PATCH", f"/api/v1/subscriptions/{new_id}", write,
                body={"mode": "sometimes"}).status == 422
    assert call("DELETE", f"/api/v1/subscriptions/{new_id}", write).status == 204
    assert call("DELETE", f"/api/v1/subscriptions/{new_id}", write).status == 404

    # Event threads, stored by the real worker: two reports of one meeting, one thread.
    make_handler(engine).handle(
        [item_of(s) for s in STORIES if s.story_id in ("t-060", "t-061", "t-062")]
    )
    listed = call("GET", "/api/v1/threads?country=BR&since=2023-09-01").json["items"]
    assert len(listed) == 1 and listed[0]["story_count"] == 3, listed
    one = call("GET", f"/api/v1/threads/{listed[0]['id']}").json
    assert len(one["stories"]) == 3 and one["stories"][0]["url"] is None  # these test items have no link
    assert call("GET", "/api/v1/threads?category=Peace%20plan").status == 400
    assert call("GET", "/api/v1/threads/999999").status == 404

    # Every operation in the document was exercised, with a success and a problem.
    done = {(path, method) for path, method, status in contract.covered if status[0] == "2"}
    failed = {(path, method) for path, method, status in contract.covered if status == "4XX"}
    assert done == contract.operations()
    assert failed == contract.operations()
