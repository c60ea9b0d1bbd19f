"""Hostile input at the API's door: every refusal is problem+json, nothing is stored, and
the server keeps answering. Also keys (revocation, last use) and per-key rate limits."""

from __future__ import annotations

import socket
from datetime import timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import select

from monitor.store.tables import api_keys, subscriptions
from monitor.web.api.key_commands import list_keys, revoke_key
from tests.web.api.helpers import alerted_story, api, make_key
from tests.web.helpers import person

PROBLEM = "application/problem+json"

BAD_QUERIES = [
    ("/api/v1/stories?cursor=not-a-cursor", "cursor"),
    ("/api/v1/stories?cursor=" + "A" * 500, "cursor"),
    ("/api/v1/stories?cursor=OTk5OTk5OTk5OTk5OTk5OTk5LjE", "cursor"),  # year 33658
    ("/api/v1/stories?cursor=" + quote("ï»¿\x00"), "cursor"),
    ("/api/v1/stories?limit=1000000000000000000000", "limit"),
    ("/api/v1/stories?limit=-5", "limit"),
    ("/api/v1/stories?limit=1e3", "limit"),
    ("/api/v1/stories?since=2026-02-30", "since"),
    ("/api/v1/stories?since=99999-01-01", "since"),
    ("/api/v1/stories?until=" + "9" * 5000, "until"),
    ("/api/v1/stories?country=Brazil", "country"),
    ("/api/v1/stories?lang=" + quote("en'; DROP TABLE stories;--"), "lang"),
    ("/api/v1/alerts?category=" + quote("%\"_"), "category"),
    ("/api/v1/search?q=", "q"),
    ("/api/v1/search?q=" + "a" * 3000, "q"),
    ("/api/v1/search?q=lula&since=2020-01-01", "since"),
    ("/api/v1/trends?since=2000-01-01&until=2026-01-01", "since"),
    ("/api/v1/trends?until=2026-1-1", "until"),
]


@pytest.mark.parametrize(("path", "field"), BAD_QUERIES)
def test_bad_query_parameters_are_400_problems_naming_the_field(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str], path: str, field: str
) -> None:
    settings, engine, base = web
    reader, _ = person(engine)
    key = make_key(settings, reader, capsys)
    alerted_story(engine, "Lula calls Zelensky")
    answer = api(base, path, key)
    assert answer.status == 400, answer.raw
    assert answer.content_type == PROBLEM
    assert [e["field"] for e in answer.json["errors"]] == [field]
    assert api(base, "/api/v1/stories", key).status == 200


def test_a_query_syntax_error_names_its_position(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    key = make_key(settings, person(engine)[0], capsys)
    answer = api(base, "/api/v1/search?q=" + quote('lula AND "zelensky'), key)
    assert answer.status == 400 and answer.content_type == PROBLEM
    assert answer.json["position"] == 9
    assert "position 9" in answer.json["detail"]


BAD_BODIES: list[tuple[dict[str, str], bytes, int]] = [
    ({}, b"{not json", 400),
    ({}, b"", 400),
    ({}, b"[" * 5000 + b"]" * 5000, 400),
    ({}, b'"just a string"', 422),
    ({}, b'{"name": "x", "owner": 7}', 422),
    ({}, b'{"countries": "BR"}', 422),
    ({}, b'{"countries": ["Brazil"]}', 422),
    ({}, b'{"min_score": true}', 422),
    ({}, b'{"query": "lula AND ("}', 422),
    ({}, b'{"name": "' + b"x" * 20_000 + b'"}', 413),
    ({"Content-Type": "text/plain"}, b'{"name": "x"}', 415),
]


@pytest.mark.parametrize(("headers", "raw", "status"), BAD_BODIES)
def test_bad_bodies_are_refused_and_nothing_is_stored(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str],
    headers: dict[str, str], raw: bytes, status: int,
) -> None:
    settings, engine, base = web
    reader, _ = person(engine)
    key = make_key(settings, reader, capsys, scope="write")
    answer = api(base, "/api/v1/subscriptions", key, method="POST", raw=raw, headers=headers)
    assert answer.status == status, answer.raw
    assert answer.content_type == PROBLEM
    if status == 422:
        assert answer.json["errors"] and all(e["field"] and e["message"]
                                             for e in answer.json["errors"])
    with engine.connect() as conn:
        assert len(conn.execute(select(subscriptions.c.id)).all()) == 1
    assert api(base, "/api/v1/subscriptions", key).status == 200


def test_an_oversize_chunked_body_is_cut_off_at_the_limit(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    key = make_key(settings, person(engine)[0], capsys, scope="write")
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/v1/subscriptions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Authorization: Bearer " + key.encode() + b"\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 8192
        try:
            for _ in range(8):
                sock.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
        except OSError:
            pass  # the server may close once it has answered
        reply = sock.recv(65536)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:200]
    assert b"application/problem+json" in reply


def test_keys_are_checked_revocable_and_record_their_last_use(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    reader, _ = person(engine)
    key = make_key(settings, reader, capsys)
    for headers in ({}, {"Authorization": "Basic dTpw"}, {"Authorization": "Bearer nope"},
                    {"Authorization": "Bearer " + key[:-1] + ("A" if key[-1] != "A" else "B")}):
        answer = api(base, "/api/v1/stories", None, headers=headers)
        assert answer.status == 401 and answer.content_type == PROBLEM
        assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    with engine.connect() as conn:
        assert conn.execute(select(api_keys.c.last_used_at)).scalar_one() is None
        stored = conn.execute(select(api_keys.c.key_hash, api_keys.c.prefix)).one()
    assert key not in stored and stored.prefix in key  # only the hash is kept
    assert api(base, "/api/v1/stories", key).status == 200
    with engine.connect() as conn:
        assert conn.execute(select(api_keys.c.last_used_at)).scalar_one() is not None
    capsys.readouterr()
    list_keys(settings, str(reader))
    listed = capsys.readouterr().out
    assert "last used never" not in listed and key not in listed
    key_id = int(listed.split()[1])
    assert revoke_key(settings, key_id) == 0
    answer = api(base, "/api/v1/stories", key)
    assert answer.status == 401 and "revoked" in answer.json["detail"]


def test_each_key_has_its_own_request_budget(
    start_web: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = start_web(api_rate_limit=0.01, api_burst=3)
    reader, _ = person(engine)
    busy, calm = make_key(settings, reader, capsys), make_key(settings, reader, capsys)
    assert [api(base, "/api/v1/trends", busy).status for _ in range(3)] == [200] * 3
    refused = api(base, "/api/v1/trends", busy)
    assert refused.status == 429 and refused.content_type == PROBLEM
    assert 1 <= int(refused.headers["Retry-After"]) <= 100
    assert api(base, "/api/v1/trends", calm).status == 200


def test_unknown_endpoints_and_methods_are_problems(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _settings, _engine, base = web
    missing = api(base, "/api/v1/nothing-here")
    assert missing.status == 404 and missing.content_type == PROBLEM
    wrong = api(base, "/api/v1/stories", method="PUT", raw=b"{}")
    assert wrong.status == 405 and wrong.content_type == PROBLEM and "GET" in wrong.headers["Allow"]
    assert api(base, "/api/v1/stories/abc", "x").status == 401


def test_a_reader_never_sees_or_touches_another_readers_subscription(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    mine, _ = person(engine, "me@example.org")
    _theirs, their_sub = person(engine, "them@example.org", name="Theirs")
    key = make_key(settings, mine, capsys, scope="write")
    listed = api(base, "/api/v1/subscriptions", key).json["items"]
    assert their_sub not in [s["id"] for s in listed]
    path = f"/api/v1/subscriptions/{their_sub}"
    for method, body in (("GET", None), ("PATCH", {"name": "Mine now"}), ("DELETE", None)):
        answer = api(base, path, key, method=method, body=body)
        assert answer.status == 404, (method, answer.raw)
        assert answer.json == api(base, "/api/v1/subscriptions/987654", key, method=method,
                                  body=body).json
    with engine.connect() as conn:
        row = conn.execute(select(subscriptions).where(subscriptions.c.id == their_sub)).one()
    assert row.name == "Theirs"


def test_pages_walk_every_story_once_in_order(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    key = make_key(settings, person(engine)[0], capsys)
    made = [alerted_story(engine, f"Story {n}", ago=timedelta(minutes=n // 2)) for n in range(7)]
    seen: list[int] = []
    cursor = ""
    while True:
        page = api(base, f"/api/v1/stories?limit=3&cursor={cursor}", key).json
        seen += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    only_es = api(base, "/api/v1/stories?lang=es", key).json["items"]
    assert only_es == []


def test_a_client_guessing_keys_is_refused_before_the_database(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    from monitor.web.api.door import STRANGER_BURST
    from monitor.web.api.keys import new_api_key

    settings, engine, base = web
    key = make_key(settings, person(engine)[0], capsys)
    guesses = [api(base, "/api/v1/stories", new_api_key().secret).status
               for _ in range(STRANGER_BURST)]
    assert guesses == [401] * STRANGER_BURST
    refused = api(base, "/api/v1/stories", new_api_key().secret)
    assert refused.status == 429 and int(refused.headers["Retry-After"]) >= 1
    # The refusal is per client address, before the look-up: this client waits too.
    assert api(base, "/api/v1/stories", key).status == 429


def test_patch_checks_the_whole_subscription_but_pausing_alone_never_refuses(
    web: tuple[Any, Any, str], capsys: pytest.CaptureFixture[str]
) -> None:
    settings, engine, base = web
    reader, sub = person(engine, query="lula AND (")  # saved before the rule refused it
    key = make_key(settings, reader, capsys, scope="write")
    path = f"/api/v1/subscriptions/{sub}"
    renamed = api(base, path, key, method="PATCH", body={"name": "Renamed", "mode": "often"})
    assert renamed.status == 422
    assert sorted(e["field"] for e in renamed.json["errors"]) == ["mode", "query"]
    paused = api(base, path, key, method="PATCH", body={"paused": True})
    assert paused.status == 200 and paused.json["paused"] is True
    assert paused.json["name"] == "LatAm" and paused.json["query"] == "lula AND ("
    fixed = api(base, path, key, method="PATCH", body={"query": "lula", "countries": ["br"]})
    assert fixed.status == 200, fixed.raw
    assert fixed.json["query"] == "lula" and fixed.json["countries"] == ["BR"]
    assert fixed.json["paused"] is True  # untouched fields stay as they were
