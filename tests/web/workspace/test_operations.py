"""Operations, for operators only: feeds (add, pause, resume, OPML), subscribers with
bounces, dead letters with replay, and system health equal to ``monitor status``'s. On both
databases, the real web role, the real broker and the SMTP sink."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import unquote

import orjson
from aiohttp import FormData
from markupsafe import escape

from bench.corpus import corpus
from monitor.feeds.opml import MAX_OPML_BYTES, import_opml
from monitor.status import render_status
from monitor.store import feeds as feed_store
from monitor.store import subscribers as subscriber_store
from monitor.store.db import transaction
from monitor.stream.codec import encode_item
from monitor.stream.topics import ensure_topics
from monitor.web.workspace.operations import Operations, replay_limit
from monitor.web.workspace.operations_failed import FailedAdmin
from monitor.web.workspace.operations_feeds import (
    ITEMS_WINDOW_DAYS,
    FeedsAdmin,
    items_per_day,
    page_of,
)
from monitor.web.workspace.operations_subscribers import SubscribersAdmin
from tests.roles import read_topic
from tests.stream.test_workers import _raw_send
from tests.web.helpers import person
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site, csrf_of
from tests.web.workspace.test_coverage_pages import assert_only_our_markup
from tests.web.workspace.test_operators import monitor

OPERATOR = "ops@example.org"
HOSTILE = """<script>alert(1)</script><img src=x onerror="alert(2)"> & 'q'"""


def add_feed(site: Site, url: str, **values: Any) -> int:
    with transaction(site.engine) as conn:
        feed_id, _ = feed_store.add_feed(conn, url, now=datetime.now(UTC), **values)
    return feed_id


def feed(site: Site, feed_id: int) -> feed_store.FeedRow | None:
    with transaction(site.engine) as conn:
        return feed_store.get_feed(conn, feed_id)


async def operator_token(site: Site, path: str = "/operations/feeds") -> str:
    _, page = await site.get(path)
    return csrf_of(page)


def operations_routes(site: Site, feed_id: int) -> list[tuple[str, str]]:
    """Every route of the operations area, as (method, path) with ids filled in."""
    ws = site.webapp.workspace
    found = []
    areas: list[Any] = [Operations(ws), FeedsAdmin(ws), SubscribersAdmin(ws), FailedAdmin(ws)]
    for route in [r for area in areas for r in area.routes()]:
        path = "/".join(
            str(feed_id) if part.startswith(("{feed_id", "{subscriber_id")) else part
            for part in route.path.split("/")
        )
        found.append((route.method, path))
    return found


def test_every_operations_route_is_for_operators_only(run: Run) -> None:
    async def body(site: Site) -> None:
        one = add_feed(site, "https://feeds.example.org/one.xml")
        routes = operations_routes(site, one)
        assert len(routes) == 15 and ("POST", "/operations/dead-letters/replay") in routes
        assert ("POST", "/operations/failed/retry") in routes

        for method, path in routes:  # nobody signed in: to the sign-in page
            response = await site.client.request(method, path, allow_redirects=False)
            assert response.status == 303, (method, path)
            assert unquote(response.headers["Location"]).startswith("/signin?next=/operations")

        person(site.engine, "reader@example.org")
        await site.sign_in("reader@example.org")
        _, latest = await site.get("/latest")
        assert 'href="/operations"' not in latest  # not offered to a reader
        token = csrf_of(latest)
        for method, path in routes:  # a reader with a valid token: refused
            response = await site.client.request(
                method,
                path,
                data={"csrf": token, "confirm": "yes", "limit": "5"},
                allow_redirects=False,
            )
            assert response.status == 403, (method, path)
            assert "For operators only" in await response.text()
        assert getattr(feed(site, one), "state", None) == "active"

        site.client.session.cookie_jar.clear()
        await site.sign_in(OPERATOR)
        _, latest = await site.get("/latest")
        assert 'href="/operations"' in latest
        pages = ("/operations", "/operations/feeds", "/operations/subscribers")
        for path in (*pages, "/operations/failed"):
            response, page = await site.get(path)
            assert response.status == 200, path
            assert 'aria-current="page">Operations' in page
        # An operator's forms without their token, or with a wrong one, change nothing.
        good = csrf_of(latest)
        for method, path in routes:
            if method != "POST":
                continue
            wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
            for tokens in ({}, {"csrf": "0" * 64}, {"csrf": wrong}):
                data = {"url": "https://feeds.example.org/two.xml", "confirm": "yes", "limit": "5"}
                data.update(tokens)
                response, page = await site.post(path, data)
                assert response.status == 403, (path, tokens)
                assert "Nothing was changed. Reload the page" in page
        assert getattr(feed(site, one), "state", None) == "active"
        with transaction(site.engine) as conn:
            assert len(feed_store.list_feeds(conn)) == 1

    run(body, operators=OPERATOR)


def test_feeds_are_added_paused_and_resumed_in_the_store(run: Run) -> None:
    async def body(site: Site) -> None:
        await site.sign_in(OPERATOR)
        token = await operator_token(site)
        response, _ = await site.post(
            "/operations/feeds",
            {
                "csrf": token,
                "url": "https://feeds.example.org/rss",
                "name": "Example",
                "outlet": "Example Times",
                "language": "es",
                "interval": "600",
            },
        )
        assert response.status == 303
        with transaction(site.engine) as conn:
            (added,) = feed_store.list_feeds(conn)
        assert (added.url, added.name, added.outlet, added.language, added.poll_interval) == (
            "https://feeds.example.org/rss",
            "Example",
            "Example Times",
            "es",
            600.0,
        )
        assert response.headers["Location"] == f"/operations/feeds?done=added&feed={added.id}"
        _, page = await site.get(response.headers["Location"])
        assert f"Feed {added.id} added" in page

        response, _ = await site.post(  # the same URL again: kept as it is
            "/operations/feeds", {"csrf": token, "url": "https://feeds.example.org/rss"}
        )
        assert response.headers["Location"].endswith(f"done=already&feed={added.id}")

        response, page = await site.post(
            "/operations/feeds",
            {"csrf": token, "url": "ftp://feeds.example.org/x", "name": HOSTILE},
        )
        assert response.status == 400 and "nothing was stored" in page
        assert 'aria-invalid="true"' in page and escape(HOSTILE) in page  # kept, escaped
        assert_only_our_markup(page)

        with transaction(site.engine) as conn:  # 14 items in the window, 5 before it
            seen = datetime.now(UTC) - timedelta(days=1)
            feed_store.mark_items_seen(conn, added.id, [f"i{n}" for n in range(14)], seen)
            old = datetime.now(UTC) - timedelta(days=ITEMS_WINDOW_DAYS + 1)
            feed_store.mark_items_seen(conn, added.id, [f"o{n}" for n in range(5)], old)
        _, page = await site.get("/operations/feeds")
        assert '<td class="items">2.0</td>' in page

        response, _ = await site.post(f"/operations/feeds/{added.id}/pause", {"csrf": token})
        assert response.status == 303
        paused = feed(site, added.id)
        assert paused is not None
        assert (paused.state, paused.state_reason) == ("paused", "paused by operator")
        with transaction(site.engine) as conn:
            feed_store.record_poll(conn, added.id, error_count=4, last_error="HTTP 500")
        _, page = await site.get("/operations/feeds")
        assert "Resume feed" in page and "Pause feed" not in page

        later = datetime.now(UTC)
        response, _ = await site.post(f"/operations/feeds/{added.id}/resume", {"csrf": token})
        assert response.status == 303
        resumed = feed(site, added.id)
        assert resumed is not None
        assert (resumed.state, resumed.error_count, resumed.last_error) == ("active", 0, None)
        assert resumed.next_poll_at >= later - timedelta(seconds=1)  # due at once

        response, page = await site.post("/operations/feeds/999999/pause", {"csrf": token})
        assert response.status == 404 and "no feed 999999" in page.lower()

    run(body, operators=OPERATOR)


def test_the_door_refuses_what_monitor_feed_add_refuses_in_its_words(run: Run) -> None:
    async def body(site: Site) -> None:
        await site.sign_in(OPERATOR)
        token = await operator_token(site)
        for url in ("http://127.0.0.1:9/feed", "http://localhost/feed", "http://10.0.0.8/x"):
            response, page = await site.post("/operations/feeds", {"csrf": token, "url": url})
            assert response.status == 400, url
            cli = monitor(site.settings, "feed", "add", url)
            assert cli.returncode != 0
            refusal = re.search(r"URL: (.+)", cli.stderr)
            assert refusal and "address" in refusal[1], cli.stderr
            assert f"url: {escape(refusal[1].strip())}" in page, (url, refusal[1])
        with transaction(site.engine) as conn:
            assert feed_store.list_feeds(conn) == []

    run(body, operators=OPERATOR, allow_private_addresses=False)


async def upload(site: Site, data: bytes, token: str | None) -> tuple[int, str]:
    form = FormData()
    if token is not None:
        form.add_field("csrf", token)
    form.add_field("opml", io.BytesIO(data), filename="feeds.opml", content_type="text/x-opml")
    response = await site.client.post("/operations/feeds/import", data=form, allow_redirects=False)
    return response.status, await response.text()


def test_opml_round_trip_and_hostile_files(run: Run) -> None:
    async def body(site: Site) -> None:
        one = add_feed(
            site,
            "https://a.example.org/rss",
            name=HOSTILE,
            outlet="Outlet A",
            language="es",
            poll_interval=900.0,
        )
        two = add_feed(site, "https://b.example.org/atom", name="B", outlet="Outlet B")
        with transaction(site.engine) as conn:
            feed_store.set_state(conn, two, "paused", "paused by operator", datetime.now(UTC))
            feed_store.record_poll(conn, one, error_count=2, last_error=HOSTILE)
        await site.sign_in(OPERATOR)
        response, page = await site.get("/operations/feeds")
        assert escape(HOSTILE) in page and HOSTILE not in page
        assert_only_our_markup(page)
        _, health = await site.get("/operations")
        assert escape(HOSTILE) in health and HOSTILE not in health  # a failing feed's name
        assert_only_our_markup(health)
        token = csrf_of(page)

        response = await site.client.get("/operations/feeds/export.opml")
        assert response.status == 200
        assert "attachment" in response.headers["Content-Disposition"]
        exported = await response.read()
        assert [f.xml_url for f in import_opml(exported).feeds] == [
            "https://a.example.org/rss",
            "https://b.example.org/atom",
        ]
        with transaction(site.engine) as conn:
            before = {f.url: f for f in feed_store.list_feeds(conn)}
            for row in before.values():
                feed_store.remove_feed(conn, row.id)

        status, page = await upload(site, exported, token)
        assert status == 200 and page.count("<strong>added</strong>") == 2
        with transaction(site.engine) as conn:
            after = {f.url: f for f in feed_store.list_feeds(conn)}
        fields = ("name", "outlet", "language", "poll_interval", "state", "state_reason")
        assert {u: [getattr(f, k) for k in fields] for u, f in after.items()} == {
            u: [getattr(f, k) for k in fields] for u, f in before.items()
        }

        status, page = await upload(site, exported, token)  # again: nothing new
        assert status == 200 and page.count("already registered") == 2

        mixed = (
            b'<?xml version="1.0"?><opml version="2.0"><body>'
            b'<outline text="local" xmlUrl="file:///etc/passwd"/>'
            b'<outline text="evil&lt;b&gt;" xmlUrl="https://c.example.org/&lt;x&gt;"/>'
            b"</body></opml>"
        )
        status, page = await upload(site, mixed, token)
        assert status == 200 and "<strong>skipped</strong>" in page
        assert_only_our_markup(page)
        with transaction(site.engine) as conn:
            count = len(feed_store.list_feeds(conn))
            assert feed_store.get_feed(conn, "file:///etc/passwd") is None

        hostile = {
            "doctype": (
                b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>'
                b'<opml><body><outline xmlUrl="https://x.example/&lol;"/></body></opml>',
                400,
                "DOCTYPE",
            ),
            "broken": (b"<opml><body><outline", 400, "nothing was imported"),
            "not opml": (b"<html><body>hi</body></html>", 400, "no &lt;opml&gt; root"),
            "empty": (b"", 400, "Choose an OPML file"),
            "too large": (b"<opml>" + b" " * MAX_OPML_BYTES + b"</opml>", 413, "larger than"),
        }
        for name, (data, wanted_status, words) in hostile.items():
            status, page = await upload(site, data, token)
            assert status == wanted_status, name
            assert words in page, (name, page[:2000])
            assert 'role="alert"' in page
            with transaction(site.engine) as conn:
                assert len(feed_store.list_feeds(conn)) == count, name
        status, _ = await upload(site, exported, None)  # no CSRF token: refused
        assert status == 403

    run(body, operators=OPERATOR)


def test_subscribers_show_bounces_and_failed_emails(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "fine@example.org")
        gone, _ = person(site.engine, "gone@example.org")
        with transaction(site.engine) as conn:
            subscriber_store.set_subscriber(
                conn, gone, status="bouncing", status_reason=f"550 no such user {HOSTILE}"
            )
        await site.sign_in(OPERATOR)
        response, page = await site.get("/operations/subscribers")
        assert response.status == 200
        assert "gone@example.org</strong>: 550 no such user" in page
        assert escape(HOSTILE) in page and HOSTILE not in page
        assert re.search(r'id="subscriber-\d+" class="bad"', page)
        assert "3 subscribers" in page  # and the operator's own row
        assert_only_our_markup(page)

        for language, words in (("es", "Suscriptores"), ("pt", "Assinantes")):
            response, _ = await site.post(
                "/language", {"csrf": csrf_of(page), "language": language, "next": "/latest"}
            )
            assert response.status == 303
            for path in (
                "/operations",
                "/operations/feeds",
                "/operations/subscribers",
                "/operations/dead-letters",
                "/operations/failed",
            ):
                response, translated = await site.get(path)
                assert response.status == 200, (language, path)
                assert f'<html lang="{language}">' in translated and words in translated

    run(body, operators=OPERATOR)


def test_dead_letters_are_listed_and_replayed_once_confirmed(run: Run) -> None:
    async def body(site: Site) -> None:
        settings = site.settings
        ensure_topics(settings)
        item = corpus(1, seed=7)[0]
        letters = [
            orjson.dumps(
                {
                    "error": f"NUL in title {HOSTILE}",
                    "failed_at": 1.0e9,
                    "value": encode_item(item).decode(),
                }
            ),
            orjson.dumps({"error": "not JSON", "failed_at": 1.0e9, "value": "garbage"}),
        ]
        _raw_send(settings, letters, topic=settings.dead_letter_topic, key=None)
        await site.sign_in(OPERATOR)
        response, page = await site.get("/operations/dead-letters")
        assert response.status == 200
        assert re.search(r'id="letters-total">2<', page) and 'id="letters-waiting">2<' in page
        assert escape(HOSTILE) in page and HOSTILE not in page
        assert_only_our_markup(page)
        token = csrf_of(page)

        response, page = await site.post(
            "/operations/dead-letters/replay", {"csrf": token, "limit": "10"}
        )
        assert response.status == 400 and "Tick the box" in page
        response, page = await site.post(
            "/operations/dead-letters/replay", {"csrf": token, "limit": "0", "confirm": "yes"}
        )
        assert response.status == 400 and "from 1 to" in page
        assert 'id="letters-waiting">2<' in page  # nothing replayed yet
        assert read_topic(settings) == []

        response, page = await site.post(
            "/operations/dead-letters/replay", {"csrf": token, "limit": "10", "confirm": "yes"}
        )
        assert response.status == 200
        assert "1 replayed, 1 unreadable." in page and "offset 1: cannot replay" in page
        assert 'id="letters-waiting">0<' in page
        replayed = [orjson.loads(r.value)["item_id"] for r in read_topic(settings)]
        assert replayed == [item.item_id]

    run(body, operators=OPERATOR)


def number(page: str, element: str) -> int:
    match = re.search(rf'id="{element}">(\d+)<', page)
    assert match, element
    return int(match[1])


def test_health_numbers_are_monitor_status_numbers(run: Run) -> None:
    async def body(site: Site) -> None:
        from monitor.runtime.heartbeat import status_dir, write_heartbeat

        ensure_topics(site.settings)
        now = datetime.now(UTC)
        ids = [add_feed(site, f"https://f{n}.example.org/rss", name=f"F{n}") for n in range(6)]
        with transaction(site.engine) as conn:
            feed_store.record_poll(conn, ids[0], error_count=3, last_error="HTTP 503")
            feed_store.record_poll(
                conn, ids[1], error_count=1, next_poll_at=now + timedelta(hours=1)
            )
            feed_store.set_state(conn, ids[2], "paused", "paused by operator", now)
            feed_store.record_poll(conn, ids[2], error_count=5)  # paused: not "failing"
            feed_store.set_state(conn, ids[3], "gone", "HTTP 410", now)
            feed_store.record_poll(conn, ids[4], next_poll_at=now + timedelta(hours=2))
        write_heartbeat(site.settings, "worker")
        stale = status_dir(site.settings) / "poller.json"
        stale.write_bytes(orjson.dumps({"role": "poller", "pid": 1, "heartbeat": 1.0}))
        await site.sign_in(OPERATOR)  # an email in the outbox, sent
        response, page = await site.get("/operations")
        assert response.status == 200
        status = render_status(site.settings)
        feeds_line = re.search(
            r"feeds:\s+(\d+) total, (\d+) active, (\d+) due now, (\d+) failing, (\d+) paused/gone",
            status,
        )
        assert feeds_line, status
        assert (
            [int(n) for n in feeds_line.groups()]
            == [
                number(page, e)
                for e in (
                    "feeds-total",
                    "feeds-active",
                    "feeds-due",
                    "feeds-failing",
                    "feeds-paused",
                )
            ]
            == [6, 4, 2, 2, 2]
        )
        lag = re.search(r"kafka:\s+lag (\d+) items", status)
        assert lag and int(lag[1]) == number(page, "lag") == 0
        stories = re.search(r"stories: (\d+) stories from (\d+) items, (\d+) alerts", status)
        assert stories and [int(n) for n in stories.groups()] == [
            number(page, e) for e in ("stories", "sources", "alerts")
        ]
        outbox = dict(re.findall(r"(\w+) (\d+)", status.split("outbox:")[1].splitlines()[0]))
        assert (
            outbox == {name: str(number(page, f"outbox-{name}")) for name in outbox}
            and outbox["sent"] == "1"
        )
        chats = dict(re.findall(r"(\w+) (\d+)", status.split("chats:")[1].splitlines()[0]))
        assert chats and chats == {name: str(number(page, f"chats-{name}")) for name in chats}
        assert "poller STALE" in status and "worker ok" in status
        assert 'data-role-state="poller"><strong>STALE' in page
        assert 'data-role-state="worker">running' in page

    run(body, operators=OPERATOR)


def test_small_decisions_of_the_pages() -> None:
    pages = {
        (250, "1"): (1, 0, 100, None, 2),
        (250, "3"): (3, 200, 250, 2, None),
        (250, "9"): (3, 200, 250, 2, None),
        (250, "x"): (1, 0, 100, None, 2),
        (0, None): (1, 0, 0, None, None),
        (100, "2"): (1, 0, 100, None, None),
    }
    for (total, asked), wanted in pages.items():
        got = page_of(total, asked)
        assert (got.number, got.start, got.stop, got.previous, got.next) == wanted, (total, asked)
    assert [items_per_day(n) for n in (0, 7, 10, 700)] == ["0.0", "1.0", "1.4", "100.0"]
    cases = {
        "1": 1,
        "100": 100,
        "10000": 10000,
        "0": None,
        "10001": None,
        "-3": None,
        "2.5": None,
        "": None,
        None: None,
        "１２": None,
        "9" * 40: None,
    }
    assert {k: replay_limit(k) for k in cases} == cases


def test_a_large_registry_is_paged(run: Run) -> None:
    async def body(site: Site) -> None:
        now = datetime.now(UTC)
        with transaction(site.engine) as conn:
            for n in range(1, 151):
                feed_store.add_feed(
                    conn, f"https://f{n}.example.org/rss", name=f"Feed {n}", now=now
                )
        await site.sign_in(OPERATOR)
        _, first = await site.get("/operations/feeds")
        assert "150 feeds" in first and "Page 1 of 2" in first
        assert first.count('<tr id="feed-') == 100 and 'href="/operations/feeds?page=2"' in first
        _, second = await site.get("/operations/feeds?page=2")
        assert second.count('<tr id="feed-') == 50 and "#150 Feed 150" in second
        assert 'href="/operations/feeds?page=1" rel="prev"' in second

    run(body, operators=OPERATOR)
