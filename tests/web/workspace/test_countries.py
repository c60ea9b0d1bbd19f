"""Countries: one page per state with its timeline, stances and weekly volume, exported as
CSV and iCalendar, on stories the real worker stored (both databases)."""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import select

from monitor.matching.topic_set import classify_all
from monitor.models import FeedItem
from monitor.spreadsheet import safe_cell
from monitor.store.db import transaction
from monitor.store.tables import alerts, timeline_corrections
from monitor.stream.handler import ItemHandler
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.timelines.export import TimelineRow, to_csv
from monitor.web.workspace.countries import MAX_DAYS, Period, by_month, parse_period, weekly_volume
from tests import PROJECT_ROOT
from tests.notify.test_mailer import ingest, subscribe
from tests.stream.test_handler import RIO
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site, csrf_of
from tests.web.workspace.test_coverage_pages import assert_only_our_markup

TODAY = date(2026, 12, 6)


def story(n: int, title: str, text: str, days_ago: int = 0) -> FeedItem:
    published = datetime.now(UTC) - timedelta(days=days_ago, minutes=n)
    return replace(
        RIO[0],
        item_id=f"country-{n}",
        guid=f"country-{n}",
        url=f"https://riotimes.example/country/{n}",
        title=title,
        text=text,
        published=published,
        fetched_at=datetime.now(UTC),
        simhash=0,
        title_key="",
    )


BRAZIL = [
    story(
        1,
        "Lula meets Zelensky in New York to discuss peace",
        "Brazilian President Luiz Inácio Lula da Silva met Ukrainian President Volodymyr "
        "Zelensky in New York on Wednesday. Brazil's government said it remains neutral and "
        "wants to mediate between Ukraine and Russia.",
    ),
    story(
        2,
        '=HYPERLINK("https://evil.example") Brazil abstains in UN vote on Ukraine '
        "<b>resolution</b><script>alert(1)</script>",
        "Brazil abstained in the UN General Assembly vote on a resolution demanding Russia "
        "withdraw from Ukraine.",
        days_ago=1,
    ),
]


def test_a_country_page_shows_quoted_entries_stances_volume_and_exports(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        ingest(site.engine, BRAZIL)
        response, _ = await site.get("/countries/BR")
        assert response.status == 303 and response.headers["Location"].startswith("/signin?next=")
        await site.sign_in("reader@example.org")

        response, page = await site.get("/countries")
        assert response.status == 200
        assert '<a href="/countries/BR">Brazil</a>' in page
        assert 'aria-current="page"' in page  # the navigation names the area

        response, page = await site.get("/countries/br")  # a code in any case, or a name
        assert response.status == 200
        assert "Brazil: dealings with Ukraine and Russia" in page
        assert "Meeting" in page and "Lula, Zelensky" in page
        assert "UN vote · abstained" in page
        assert "Neutral or mediating" in page
        assert "remains neutral and wants to mediate" in page  # the stance never comes unquoted
        assert "&lt;b&gt;resolution&lt;/b&gt;&lt;script&gt;" in page and "<b>resolution" not in page
        assert_only_our_markup(page)
        assert "2 alerted stories" in page
        assert '<meter min="0" max="' in page

        response, text = await site.get("/countries/Brazil/timeline.csv")
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/csv")
        assert "attachment" in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(text)))
        assert {(r["kind"], r["value"]) for r in rows} >= {
            ("meeting", ""),
            ("un-vote", "abstain"),
            ("stance", "neutral"),
        }
        vote = next(r for r in rows if r["kind"] == "un-vote")
        assert vote["title"].startswith("'=HYPERLINK")  # a formula stays text in a spreadsheet

        response, _ = await site.get("/countries/BR/timeline.ics")
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(await response.read())
        summaries = {str(event["summary"]) for event in calendar.walk("VEVENT")}
        assert "BR un-vote (abstain)" in summaries

        # a period before the stories: nothing, and the exports follow the period
        old = (datetime.now(UTC).date() - timedelta(days=30)).isoformat()
        response, page = await site.get(f"/countries/BR?from=2020-01-01&to={old}")
        assert "No visit, call, vote" in page and "UN vote · abstained" not in page
        assert f"timeline.csv?from=2020-01-01&amp;to={old}" not in page  # cut to a year
        assert "A period is at most a year long" in page
        response, page = await site.get("/countries/BR?from=yesterday")
        assert 'role="alert"' in page and "YYYY-MM-DD" in page

        for unknown in ("/countries/XX", "/countries/%3Cscript%3E", "/countries/Narnia/timeline.csv"):
            response, page = await site.get(unknown)
            assert response.status == 404, unknown
            assert "<script>" not in page

    run(body)


@pytest.mark.parametrize(
    ("query", "start", "end", "problems"),
    [
        ({}, TODAY - timedelta(days=89), TODAY, ()),
        ({"from": "2026-11-01", "to": "2026-11-30"}, date(2026, 11, 1), date(2026, 11, 30), ()),
        ({"from": "soon"}, TODAY - timedelta(days=89), TODAY, ("countries.bad_date",)),
        (
            {"from": "2026-12-01", "to": "2026-11-01"},
            date(2026, 11, 1) - timedelta(days=89),
            date(2026, 11, 1),
            ("countries.reversed",),
        ),
        (
            {"from": "2000-01-01", "to": "2026-12-06"},
            TODAY - timedelta(days=MAX_DAYS - 1),
            TODAY,
            ("countries.too_long",),
        ),
    ],
)
def test_the_period_comes_from_the_url_with_named_fallbacks(
    query: dict[str, str], start: date, end: date, problems: tuple[str, ...]
) -> None:
    assert parse_period(query, TODAY) == Period(start, end, problems)


def test_weekly_volume_counts_every_week_of_the_period_empty_ones_too() -> None:
    period = Period(date(2026, 11, 4), date(2026, 11, 25))  # a Wednesday to a Wednesday
    days = [date(2026, 11, 4), date(2026, 11, 8), date(2026, 11, 20), date(2026, 12, 1)]
    assert weekly_volume(days, period) == [
        (date(2026, 11, 2), 2),
        (date(2026, 11, 9), 0),
        (date(2026, 11, 16), 1),
        (date(2026, 11, 23), 0),
    ]


def _row(day: date, kind: str, story_id: str) -> TimelineRow:
    return TimelineRow(day, "BR", kind, None, (), "", story_id, "t", "o", None, "q")


def test_entries_group_by_month_newest_first_without_stances() -> None:
    rows = [
        _row(date(2026, 10, 3), "visit", "1"),
        _row(date(2026, 11, 2), "call", "2"),
        _row(date(2026, 11, 20), "stance", "3"),
        _row(date(2026, 11, 20), "trade", "4"),
    ]
    grouped = by_month(rows)
    assert [(month, [r.story_id for r in entries]) for month, entries in grouped] == [
        ("2026-11", ["4", "2"]),
        ("2026-10", ["1"]),
    ]


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        ("=1+1", "'=1+1"),
        ("+55 11", "'+55 11"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Lula met Zelensky", "Lula met Zelensky"),
        ("", ""),
    ],
)
def test_cells_a_spreadsheet_would_run_stay_text(cell: str, shown: str) -> None:
    assert safe_cell(cell) == shown
    exported = to_csv([replace(_row(date(2026, 11, 2), "call", "9"), title=cell)])
    assert list(csv.reader(io.StringIO(exported)))[1][7] == shown


def story_of_row(page: str, kind: str) -> str:
    """The story id in the correction form of the page's row of ``kind``."""
    found = re.search(
        r'name="story" value="(\d+)">\s*<input type="hidden" name="kind" value="'
        + re.escape(kind)
        + '">',
        page,
    )
    assert found, f"no correction form for a {kind} row"
    return found[1]


async def corrections_page(site: Site) -> tuple[str, str]:
    """Two readers, the Brazil stories, the analyst signed in: (page, CSRF token)."""
    subscribe(site.engine, "analyst@example.org")
    subscribe(site.engine, "other@example.org")
    ingest(site.engine, BRAZIL)
    await site.sign_in("analyst@example.org")
    _, page = await site.get("/countries/BR")
    return page, csrf_of(page)


def test_a_correction_is_checked_at_the_door_then_kept(run: Run) -> None:
    async def body(site: Site) -> None:
        page, csrf = await corrections_page(site)
        vote, stance = story_of_row(page, "un-vote"), story_of_row(page, "stance")
        path = "/countries/BR/corrections"

        # refused at the door, nothing kept: no CSRF token, a value the kind does not take
        response, _ = await site.post(path, {"story": vote, "kind": "un-vote",
                                             "action": "remove"})
        assert response.status == 403
        response, page = await site.post(path, {"csrf": csrf, "story": vote, "kind": "un-vote",
                                                "action": "set", "new_kind": "un-vote",
                                                "value": "supported"})
        assert response.status == 400 and 'role="alert"' in page and "not saved" in page
        assert "UN vote · abstained" in page

        # the vote becomes "against", the stance "supports"
        response, _ = await site.post(path, {"csrf": csrf, "story": vote, "kind": "un-vote",
                                             "action": "set", "new_kind": "un-vote",
                                             "value": "against"})
        assert response.status == 303
        assert response.headers["Location"] == f"/countries/BR#story-{vote}-un-vote"
        await site.post(path, {"csrf": csrf, "story": stance, "kind": "stance",
                               "action": "set", "value": "supports"})
        # a meeting removed: not in the story, says the analyst
        await site.post(path, {"csrf": csrf, "story": stance, "kind": "meeting",
                               "action": "remove"})
        # a story that is not stored: nothing kept
        response, page = await site.post(path, {"csrf": csrf, "story": "99999999",
                                                "kind": "call", "action": "remove"})
        assert response.status == 409 and "no longer stored" in page
        _, page = await site.get("/countries/BR")
        assert "<strong>Supports Ukraine&#39;s position</strong>" in page
        assert "<strong>Neutral or mediating</strong>" not in page
        assert "<strong>Meeting</strong>" not in page and "UN vote · against" in page
        with transaction(site.engine) as conn:
            kept = conn.execute(select(timeline_corrections.c.subscriber_id)).scalars().all()
        assert len(kept) == 3 and len(set(kept)) == 1 and kept[0] is not None  # who, each time

    run(body)


def test_corrections_reach_the_page_the_csv_and_other_readers(run: Run) -> None:
    async def body(site: Site) -> None:
        page, csrf = await corrections_page(site)
        vote = story_of_row(page, "un-vote")
        for fix in (
            {"story": vote, "kind": "un-vote", "action": "set", "new_kind": "un-vote",
             "value": "against"},
            {"story": vote, "kind": "stance", "action": "remove"},
        ):
            response, _ = await site.post("/countries/BR/corrections", {"csrf": csrf, **fix})
            assert response.status == 303
        await site.post("/signout", {"csrf": csrf})
        await site.sign_in("other@example.org")
        _, page = await site.get("/countries/BR")
        assert "UN vote · against" in page and "UN vote · abstained" not in page
        assert "corrected by an analyst" in page
        _, text = await site.get("/countries/BR/timeline.csv")
        rows = {r["kind"]: r for r in csv.DictReader(io.StringIO(text))}
        assert rows["un-vote"]["value"] == "against" and rows["un-vote"]["corrected"] == "yes"
        assert rows["meeting"]["corrected"] == ""

    run(body)


def alert_with_both_topics(site: Site, items: list[FeedItem]) -> None:
    """Store ``items`` as the worker does with both default topics loaded; both topics
    alert some of them."""
    from tests.timelines.test_topics import TOPICS

    ItemHandler(
        engine=site.engine,
        classify=functools.partial(classify_all, TOPICS, lean=True),
        subscriptions=SubscriptionIndex(recheck_seconds=0),
    ).handle(items)
    with transaction(site.engine) as conn:
        topics = set(conn.execute(select(alerts.c.topic)).scalars())
    assert topics == {"ukraine-latam", "russia-latam"}


def test_the_countries_pages_read_with_every_loaded_topic(run: Run) -> None:
    """A story alerted under both default topics: counted once on the index, and its entries
    on the country page read with the first loaded topic (Russia's, by file name), named."""
    putin = (
        "Lula meets Putin in Moscow",
        "Brazilian President Luiz Inácio Lula da Silva met Russian President Vladimir Putin "
        "in Moscow on Friday to discuss the war in Ukraine and a peace plan for Ukraine. "
        "Brazil's government said it remains neutral.",
    )

    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        alert_with_both_topics(site, [story(7, *putin)])  # two alerts on the one story
        await site.sign_in("reader@example.org")
        _, index = await site.get("/countries")
        assert re.search(r'href="/countries/BR">Brazil</a>.*?</td><td>1</td>', index)
        _, page = await site.get("/countries/BR")
        assert "Meeting" in page and "Lula meets Putin in Moscow" in page
        assert "topic: Russia–Latin America relations" in page
        assert "1 alerted stories" in page

    run(body)


def test_the_country_page_and_the_api_read_the_configured_topic_directory(
    run: Run, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """MONITOR_TOPIC_DIR decides which topics read a country's stories, on the page and in
    the API alike: a second directory holding Russia's topic alone, renamed. A story both
    default topics alerted is read with it (named by its new name); the UN vote only
    Ukraine's topic reads as one gives no entry there."""
    from tests.timelines.test_topics import PUTIN, UN_VOTE
    from tests.web.api.helpers import make_key

    second = tmp_path / "topics"
    second.mkdir()
    source = (PROJECT_ROOT / "seeds" / "topics" / "russia-latam.toml").read_text("utf-8")
    renamed = source.replace(
        'name = "Russia–Latin America relations"', 'name = "Russia desk (second directory)"', 1
    )
    assert renamed != source
    (second / "russia-latam.toml").write_text(renamed, encoding="utf-8")

    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org")
        alert_with_both_topics(site, [story(8, *PUTIN), story(9, *UN_VOTE)])
        await site.sign_in("reader@example.org")
        _, page = await site.get("/countries/BR")
        assert "Lula meets Putin in Moscow" in page
        assert "topic: Russia desk (second directory)" in page
        assert "Ukraine–Latin America" not in page
        assert UN_VOTE[0] not in page
        key = make_key(site.settings, "reader@example.org", capsys)
        response = await site.client.get(
            "/api/v1/countries/BR/timeline", headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status == 200
        entries = (await response.json())["entries"]
        assert entries and {e["topic"] for e in entries} == {"russia-latam"}
        assert "un-vote" not in {e["kind"] for e in entries}
        assert {e["story"]["title"] for e in entries} == {PUTIN[0]}

    run(body, topic_dir=second)
