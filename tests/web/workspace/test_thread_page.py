"""The thread page (/threads/{id}): one event's reports, why they were joined, and its
linked threads, from threads the real worker stored; reached from the story page (its own
thread and the linked ones) and from Latest. On SQLite and PostgreSQL (the ``run`` fixture's database)."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from sqlalchemy import func, select

from monitor.store.db import transaction
from monitor.store.tables import stories, story_threads, threads
from tests.notify.test_mailer import subscribe
from tests.stream.test_event_threads import EVENT_OF, NEW_YORK, STORIES, item_of, make_handler
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site
from tests.web.workspace.test_thread_section import story_of

# The reports of the Lula–Zelensky meeting in New York (20 September 2023) and an earlier
# report the worker links that thread to as the event it develops (h051, 10 September 2023:
# Lula on Putin and the Rio G20, same country and type within 30 days).
EARLIER = "h051"
CHOSEN = [s for s in STORIES if EVENT_OF[s.story_id] == NEW_YORK or s.story_id == EARLIER]


def thread_of(site: Site, story_id: int) -> tuple[int, int | None, int]:
    """(thread id, the thread it follows, its story count), as stored."""
    with transaction(site.engine) as conn:
        row = conn.execute(
            select(threads.c.id, threads.c.follows_id, threads.c.story_count)
            .join(story_threads, story_threads.c.thread_id == threads.c.id)
            .where(story_threads.c.story_id == story_id)
        ).one()
    return int(row.id), row.follows_id, int(row.story_count)


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    end = page.find("</section>", start)
    return page[start:end]


def test_the_thread_page_shows_the_event_its_reports_and_why_they_were_joined(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org", query=None, mode="daily")
        make_handler(site.engine).handle([item_of(s) for s in CHOSEN])
        story_id = story_of(site, "t-060")
        thread_id, follows, count = thread_of(site, story_id)
        assert count >= 3 and follows is not None  # the worker's doing, read back below
        earlier_thread = thread_of(site, story_of(site, EARLIER))[0]
        assert follows == earlier_thread

        # Signed out: the sign-in page, not the thread.
        response, page = await site.get(f"/threads/{thread_id}")
        assert response.status in (302, 303) and "/signin" in response.headers["Location"]

        await site.sign_in("reader@example.org")
        # The story page's thread section links to the thread page.
        _, story_page = await site.get(f"/stories/{story_id}")
        assert f'href="/threads/{thread_id}"' in section(story_page, "thread-title")
        # … and the event it develops to that thread's page, not to a story.
        assert f'href="/threads/{earlier_thread}"' in section(story_page, "thread-title")
        # The earlier report's page links this thread's page as a later development.
        _, earlier_story = await site.get(f"/stories/{story_of(site, EARLIER)}")
        later = section(earlier_story, "thread-title").partition("Later developments")[2]
        assert f'href="/threads/{thread_id}"' in later

        response, page = await site.get(f"/threads/{thread_id}")
        assert response.status == 200
        assert "Summits and visits" in page  # the type, from the catalog
        assert '<abbr title="Brazil">BR</abbr>' in page
        assert re.search(r'<time datetime="2023-09-\d\d">2023-09-\d\d</time>', page)
        reports = section(page, "reports-title")
        rows = reports.count("<tr>") - 1  # less the header row
        assert rows == count
        for report in [s for s in CHOSEN if s.story_id != EARLIER]:
            if html.escape(report.title, quote=True) in reports:
                member = story_of(site, report.story_id)
                assert f'href="/stories/{member}"' in reports
        assert f'href="/stories/{story_id}"' in reports  # every report, this one too
        assert "<td>en</td>" in reports or "<td>pt</td>" in reports  # each report's language
        why = section(page, "why-joined-title")
        assert "the first report of the event" in why and "<code>new</code>" in why
        assert re.search(r"<code>(same-leaders|same-type|actor-and-terms|terms)</code>", why)
        assert "Countries in common" in why and "BR" in why
        # A report joined through another day's report says it is alerted on its own.
        with transaction(site.engine) as conn:
            apart = conn.execute(
                select(func.count())
                .select_from(story_threads)
                .where(story_threads.c.thread_id == thread_id, story_threads.c.grouped.is_(False))
            ).scalar_one()
        assert apart >= 1
        assert why.count("Joined through a report of another day") == apart
        developments = section(page, "developments-title")
        assert f'href="/threads/{earlier_thread}"' in developments

        # The earlier thread lists this one as a later development.
        _, earlier = await site.get(f"/threads/{earlier_thread}")
        assert f'href="/threads/{thread_id}"' in section(earlier, "developments-title")
        assert "Later developments" in earlier

        # Spanish, from the catalogs.
        _, spanish = await site.get(f"/threads/{thread_id}", headers={"Accept-Language": "es"})
        assert "Por qué se unieron estas noticias" in spanish
        assert "Cumbres y visitas" in spanish

        # No such thread: a 404 page that says so.
        response, missing = await site.get("/threads/999999")
        assert response.status == 404 and "No such event" in missing

        # Latest links a report to its thread when the thread holds more than it; the
        # earlier report, alone in its thread, has no such link.
        _, latest = await site.get("/latest")
        assert (
            f'<a class="thread-link" href="/threads/{thread_id}">{count} reports of this event</a>'
            in latest
        )
        assert f'href="/threads/{earlier_thread}"' not in latest

    run(body)


def test_a_hostile_thread_comes_out_escaped_and_an_unknown_rule_as_its_code(run: Run) -> None:
    hostile = '<script>alert("x")</script> & <b>bold</b>'

    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org", query=None, mode="daily")
        now = datetime.now(UTC)
        with transaction(site.engine) as conn:
            thread_id = conn.execute(
                threads.insert()
                .values(
                    category="<i>kind</i>",
                    countries=["BR"],
                    actors=[hostile],
                    first_day=now.date(),
                    last_day=now.date(),
                    story_count=2,
                    created_at=now,
                    updated_at=now,
                )
                .returning(threads.c.id)
            ).scalar_one()
            for rule in ("new", "<u>later-rule</u>"):
                story_id = conn.execute(
                    stories.insert()
                    .values(
                        title=hostile,
                        text="text",
                        url="javascript:alert(1)",
                        lang="<en>",
                        credited_outlet=hostile,
                        published_at=now,
                    )
                    .returning(stories.c.id)
                ).scalar_one()
                conn.execute(
                    story_threads.insert().values(
                        story_id=story_id,
                        thread_id=thread_id,
                        day=now.date(),
                        rule=rule,
                        facts={"countries": ["BR"], "terms": [hostile]},
                        created_at=now,
                    )
                )
        await site.sign_in("reader@example.org")
        response, page = await site.get(f"/threads/{thread_id}")
        assert response.status == 200
        assert "<script>alert" not in page and "<b>bold</b>" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
        assert "javascript:" not in page  # an unsafe link is no link
        assert "<code>&lt;u&gt;later-rule&lt;/u&gt;</code>" in page  # a rule the page lacks
        assert "&lt;i&gt;kind&lt;/i&gt;" in page  # a category the catalog lacks, as its code

    run(body)
