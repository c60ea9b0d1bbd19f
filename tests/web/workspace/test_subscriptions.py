"""Subscriptions in the workspace, on both databases: the reader's own list, the form checked
by the API's and CLI's rules, pause/resume/delete in the store, CSRF, other readers' ids,
hostile text, and a preview that equals what the stream's matcher would have sent."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import QueryError
from monitor.matching.commands import check_query
from monitor.store import subscribers as store
from monitor.store.db import transaction
from monitor.store.stories import alerted_stories
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.subscriptions.preview import preview_window, stored_story_verdict
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import MENAFN, RIO
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site, csrf_of
from tests.web.workspace.test_coverage_pages import distinct_items

READER = "reader@example.org"
OTHER = "other@example.org"
HOSTILE = '</textarea><script>alert(1)</script>'
SUMMARY = re.compile(r"(\d+) of (\d+) alerted stories of the last 30 days match")


def subscriptions_of(site: Site, email: str) -> list[store.SubscriptionRow]:
    with transaction(site.engine) as conn:
        person = store.get_subscriber(conn, email)
        assert person is not None
        return store.list_subscriptions(conn, person.id)


def only(site: Site, email: str, name: str) -> store.SubscriptionRow:
    (row,) = [r for r in subscriptions_of(site, email) if r.name == name]
    return row


def form_data(csrf: str, **values: Any) -> list[tuple[str, str]]:
    """A posted subscription form: every field as the page sends it."""
    fields: dict[str, Any] = {
        "name": "",
        "query": "",
        "languages": "",
        "outlets": "",
        "min_score": "",
        "mode": "immediate",
        "digest_time": "08:00",
        "digest_weekday": "0",
        "quiet": "",
        "daily_cap": "",
        "action": "save",
        **values,
    }
    pairs = [("csrf", csrf)]
    for name, value in fields.items():
        for one in value if isinstance(value, list) else [value]:
            pairs.append((name, str(one)))
    return pairs


async def post_form(site: Site, path: str, pairs: list[tuple[str, str]]) -> tuple[int, str]:
    response = await site.client.post(path, data=pairs, allow_redirects=False)
    return response.status, await response.text()


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(page)
    return parser.tags


def assert_no_injected_markup(page: str) -> None:
    for tag, attrs in tags_of(page):
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        assert "style" not in attrs, tag
        if tag == "script":
            assert (attrs.get("src") or "").startswith("/static/"), attrs
    assert "<script>alert" not in page


def field_attributes(page: str, field_id: str) -> dict[str, str | None]:
    (attrs,) = [a for _, a in tags_of(page) if a.get("id") == field_id]
    return attrs


def test_a_reader_creates_edits_pauses_resumes_and_deletes(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER, tz="America/Sao_Paulo", name="Old desk")
        await site.sign_in(READER)
        response, page = await site.get("/subscriptions")
        assert response.status == 200
        assert "Old desk" in page
        assert 'href="/subscriptions" aria-current="page"' in page

        _, form = await site.get("/subscriptions/new")
        status, _ = await post_form(site, "/subscriptions/new", form_data(
            csrf_of(form), name="Ukraine desk", query='Zelensky AND "Latin America"',
            countries=["BR", "AR"], categories=["trade-economy"], languages="es, pt",
            min_score="0.5", mode="daily", digest_time="07:30", quiet="22:00-06:30",
            daily_cap="5",
        ))
        assert status == 303
        row = only(site, READER, "Ukraine desk")
        assert row.query == 'Zelensky AND "Latin America"'
        assert row.filters == {"countries": ["BR", "AR"], "categories": ["trade-economy"],
                               "languages": ["es", "pt"], "min_score": 0.5}
        assert (row.mode, row.digest_time, row.daily_cap) == ("daily", "07:30", 5)
        assert (row.quiet_start, row.quiet_end, row.paused) == ("22:00", "06:30", False)
        response, listing = await site.get("/subscriptions?done=created")
        assert "Subscription created" in listing and "Ukraine desk" in listing

        # Edit: the form shows what is stored; a save replaces it.
        _, edit = await site.get(f"/subscriptions/{row.id}")
        assert 'value="07:30"' in edit and 'value="BR" checked' in edit
        assert "Zelensky AND &#34;Latin America&#34;" in edit
        status, _ = await post_form(site, f"/subscriptions/{row.id}", form_data(
            csrf_of(edit), name="Ukraine desk", query="Zelensky", mode="weekly",
            digest_weekday="4",
        ))
        assert status == 303
        row = only(site, READER, "Ukraine desk")
        assert (row.query, row.filters, row.mode, row.digest_weekday) == (
            "Zelensky", {}, "weekly", 4)
        assert row.quiet_start is None and row.daily_cap is None

        csrf = csrf_of(edit)
        status, _ = await post_form(site, f"/subscriptions/{row.id}/pause", [("csrf", csrf)])
        assert status == 303 and only(site, READER, "Ukraine desk").paused
        _, listing = await site.get("/subscriptions")
        assert f'action="/subscriptions/{row.id}/resume"' in listing
        status, _ = await post_form(site, f"/subscriptions/{row.id}/resume", [("csrf", csrf)])
        assert status == 303 and not only(site, READER, "Ukraine desk").paused

        # Delete is asked first; only the confirmed post deletes.
        response, ask = await site.get(f"/subscriptions/{row.id}/delete")
        assert response.status == 200 and "Delete the subscription “Ukraine desk”?" in ask
        status, again = await post_form(site, f"/subscriptions/{row.id}/delete", [("csrf", csrf)])
        assert status == 200 and 'name="confirm" value="yes"' in again
        assert len(subscriptions_of(site, READER)) == 2
        status, _ = await post_form(
            site, f"/subscriptions/{row.id}/delete", [("csrf", csrf), ("confirm", "yes")]
        )
        assert status == 303
        assert [r.name for r in subscriptions_of(site, READER)] == ["Old desk"]
        response, _ = await site.get(f"/subscriptions/{row.id}")
        assert response.status == 404

    run(body)


def test_a_refused_form_keeps_what_was_typed_and_names_each_field(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER)
        await site.sign_in(READER)
        _, form = await site.get("/subscriptions/new")
        status, page = await post_form(site, "/subscriptions/new", form_data(
            csrf_of(form), name="Broken", query="Lula AND (Brasil OR", countries=["ZZ"],
            digest_time="25:00", quiet="late", daily_cap="-3", languages="klingon",
        ))
        assert status == 422
        assert [r.name for r in subscriptions_of(site, READER)] == ["reader"]
        assert 'role="alert"' in page and "Nothing was saved" in page
        for field in ("query", "countries", "digest_time", "quiet", "daily_cap", "languages"):
            attrs = field_attributes(page, f"sf-{field}")
            assert attrs.get("aria-invalid") == "true", field
            described = (attrs.get("aria-describedby") or "").split()
            assert f"sf-{field}-error" in described, field
            assert f'id="sf-{field}-error"' in page
            assert f'href="#sf-{field}"' in page
        for field in ("name", "mode"):
            assert "aria-invalid" not in field_attributes(page, f"sf-{field}")
        # What was typed comes back as typed.
        assert ">Lula AND (Brasil OR</textarea>" in page
        assert 'value="25:00"' in page and 'value="-3"' in page and 'value="klingon"' in page
        assert 'value="ZZ" checked' in page
        # The syntax error at its position, as `monitor query test` reports it.
        with pytest.raises(QueryError) as refused:
            check_query("Lula AND (Brasil OR")
        assert refused.value.position == 17
        assert "Syntax error at position 17:</strong> dangling OR" in page
        assert "<code>Lula AND (Brasil <mark>O</mark>R</code>" in page

        # A lint warning (the query parses) is shown beside the preview.
        status, page = await post_form(site, "/subscriptions/new", form_data(
            csrf_of(form), query="NOT Bolsonaro", action="preview"))
        assert status == 200 and "pure-not" in page
        assert [r.name for r in subscriptions_of(site, READER)] == ["reader"]

    run(body)


def test_a_refused_form_says_why_in_the_readers_language(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER)
        await site.sign_in(READER)
        _, page = await site.get("/latest")
        response, _ = await site.post(
            "/language", {"csrf": csrf_of(page), "language": "pt", "next": "/latest"}
        )
        assert response.status == 303
        _, form = await site.get("/subscriptions/new")
        status, page = await post_form(site, "/subscriptions/new", form_data(
            csrf_of(form), name="Quebrado", digest_time="25:00", daily_cap="-3",
        ))
        assert status == 422 and '<html lang="pt">' in page
        assert "Nada foi salvo" in page
        # The checker's reasons, from the Portuguese catalog, with what was typed.
        assert "um horário local HH:MM de 00:00 a 23:59; foi recebido &#39;25:00&#39;" in page
        assert "um número inteiro de e-mails de 0 a 1000" in page
        assert "a local time HH:MM" not in page and "a whole number of emails" not in page

    run(body)


def test_hostile_text_is_escaped_everywhere(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER, name=HOSTILE, query=HOSTILE)
        await site.sign_in(READER)
        (row,) = subscriptions_of(site, READER)
        for path in ("/subscriptions", f"/subscriptions/{row.id}",
                     f"/subscriptions/{row.id}/delete",
                     "/subscriptions/new?" + urlencode({"query": HOSTILE}),
                     "/subscriptions/preview?" + urlencode({"query": HOSTILE + " OR"})):
            response, page = await site.get(path)
            assert response.status == 200, path
            assert_no_injected_markup(page)
            assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
        _, form = await site.get("/subscriptions/new")
        status, page = await post_form(site, "/subscriptions/new", form_data(
            csrf_of(form), name=HOSTILE, query=HOSTILE + " AND (", action="save"))
        assert status == 422
        assert_no_injected_markup(page)
        assert len(subscriptions_of(site, READER)) == 1

    run(body)


def test_search_is_saved_by_prefilling_the_query(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER)
        response, _ = await site.get("/subscriptions/new?query=Lula")
        assert response.status == 303 and "/signin?next=" in response.headers["Location"]
        await site.sign_in(READER)
        query = 'title:"Zelensky" NEAR/5 Brasil'
        response, page = await site.get("/subscriptions/new?" + urlencode({"query": query}))
        assert response.status == 200
        shown = query.replace('"', "&#34;")
        assert f">{shown}</textarea>" in page
        assert "The query is valid." in page

    run(body)


def test_forms_without_a_valid_csrf_token_change_nothing(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER, name="Desk")
        await site.sign_in(READER)
        (row,) = subscriptions_of(site, READER)
        for token in ("", "0" * 64):
            status, page = await post_form(
                site, "/subscriptions/new", form_data(token, name="Sneaky", query="Lula"))
            assert status == 403 and "This form has expired" in page
            status, _ = await post_form(site, f"/subscriptions/{row.id}", form_data(
                token, name="Renamed"))
            assert status == 403
            for action in ("pause", "delete"):
                status, _ = await post_form(
                    site, f"/subscriptions/{row.id}/{action}",
                    [("csrf", token), ("confirm", "yes")])
                assert status == 403, action
        assert subscriptions_of(site, READER) == [row]

    run(body)


def test_another_readers_subscription_is_not_there(run: Run) -> None:
    """By id, on every route and method, for a reader and for an operator: 404, unchanged."""

    async def body(site: Site) -> None:
        subscribe(site.engine, READER, name="Mine")
        subscribe(site.engine, OTHER, name="Theirs secret", query="Lula")
        (theirs,) = subscriptions_of(site, OTHER)
        for email in (READER, "boss@example.org"):
            await site.sign_in(email)
            _, listing = await site.get("/subscriptions")
            assert "Theirs secret" not in listing
            _, form = await site.get("/subscriptions/new")
            csrf = csrf_of(form)
            for path in (f"/subscriptions/{theirs.id}", f"/subscriptions/{theirs.id}/delete"):
                response, page = await site.get(path)
                assert response.status == 404, (email, path)
                assert "Theirs secret" not in page and "Lula" not in page
            posts = {
                f"/subscriptions/{theirs.id}": form_data(csrf, name="Taken", query="x"),
                f"/subscriptions/{theirs.id}/pause": [("csrf", csrf)],
                f"/subscriptions/{theirs.id}/resume": [("csrf", csrf)],
                f"/subscriptions/{theirs.id}/delete": [("csrf", csrf), ("confirm", "yes")],
            }
            for path, pairs in posts.items():
                status, page = await post_form(site, path, pairs)
                assert status == 404, (email, path)
                assert "Theirs secret" not in page
            response, _ = await site.get(f"/subscriptions/{theirs.id + 1000}")
            assert response.status == 404  # the same answer as an id no one has
            await site.post("/signout", {"csrf": csrf})
        assert subscriptions_of(site, OTHER) == [theirs]

    run(body, operators="boss@example.org")


def oracle_matches(
    site: Site | Any, query: str | None, filters: dict[str, Any], email: str = READER
) -> list[int]:
    """What the stream's own matcher (the subscription index, as backfill uses it) sends a
    subscription with these settings, over the preview's window (``site``: anything with
    the engine)."""
    since, _ = preview_window(datetime.now(UTC), ZoneInfo("America/Sao_Paulo"))
    with transaction(site.engine) as conn:
        stories = alerted_stories(conn, since)
        person = store.get_subscriber(conn, email)
    assert person is not None
    index = SubscriptionIndex()
    index.load([(store.SubscriptionRow(1, person.id, "x", query, filters), person)])
    return [
        story.id
        for story in stories
        if any(index.matching(*stored_story_verdict(row), row.topic) for row in story.alerts)
    ]


def test_the_preview_counts_what_the_matcher_would_have_sent(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, READER, tz="America/Sao_Paulo")
        now = datetime.now(UTC)
        ingest(site.engine, RIO + MENAFN)
        ingest(site.engine, distinct_items(12))
        # Alerted long ago: outside the window, never counted.
        old = [replace(item, item_id=f"old-{n}", guid=f"old-{n}", url=f"https://o.example/{n}",
                       title=f"Old {item.title}") for n, item in enumerate(distinct_items(3))]
        ingest(site.engine, old, now=now - timedelta(days=45))
        await site.sign_in(READER)
        cases = [
            ({"query": "Zelensky"}, "Zelensky", {}),
            ({"query": "Zelensky", "countries": "BR"}, "Zelensky", {"countries": ["BR"]}),
            ({"query": "grain OR wheat"}, "grain OR wheat", {}),
            ({"query": "", "languages": "en"}, None, {"languages": ["en"]}),
            ({"query": "nothingmatchesthis"}, "nothingmatchesthis", {}),
        ]
        seen_some = False
        for params, query, filters in cases:
            expected = oracle_matches(site, query, filters)
            seen_some = seen_some or len(expected) > 0
            response, fragment = await site.get("/subscriptions/preview?" + urlencode(params))
            assert response.status == 200
            match = SUMMARY.search(unescape(fragment))
            assert match, fragment
            assert int(match[1]) == len(expected), (params, fragment)
            per_day = [int(n) for n in re.findall(r"</time></td><td>(\d+)</td>", fragment)]
            assert len(per_day) == 30 and sum(per_day) == len(expected)
            shown = {int(n) for n in re.findall(r'href="/stories/(\d+)"', fragment)}
            assert shown <= set(expected) and len(shown) == min(10, len(expected))
        assert seen_some
        # The page without JavaScript: the Preview button shows the same.
        _, form = await site.get("/subscriptions/new")
        status, page = await post_form(site, "/subscriptions/new", form_data(
            csrf_of(form), query="Zelensky", action="preview"))
        assert status == 200
        match = SUMMARY.search(unescape(page))
        assert match and int(match[1]) == len(oracle_matches(site, "Zelensky", {}))
        # A refused filter names itself instead of a wrong preview.
        _, fragment = await site.get("/subscriptions/preview?countries=ZZ&query=Lula")
        assert "No preview until these are fixed" in fragment and "ZZ" in fragment

    run(body)
