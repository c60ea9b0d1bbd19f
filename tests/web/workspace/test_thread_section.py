"""The story page shows the story's event thread: the other reports, the rule that joined
each, the thread's data, and the linked threads (stored by the real worker)."""

from __future__ import annotations

import html

from sqlalchemy import select

from monitor.store.db import transaction
from monitor.store.tables import story_sources
from tests.notify.test_mailer import subscribe
from tests.stream.test_event_threads import EVENT_OF, NEW_YORK, STORIES, item_of, make_handler
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site

# The reports of the Lula–Zelensky meeting in New York (20 September 2023): one thread.
CHOSEN = [s for s in STORIES if EVENT_OF[s.story_id] == NEW_YORK]


def story_of(site: Site, item_id: str) -> int:
    with transaction(site.engine) as conn:
        return int(
            conn.execute(
                select(story_sources.c.story_id).where(story_sources.c.item_id == item_id)
            ).scalar_one()
        )


def test_the_story_page_shows_the_other_reports_of_its_event(run: Run) -> None:
    async def body(site: Site) -> None:
        subscribe(site.engine, "reader@example.org", query=None, mode="daily")
        make_handler(site.engine).handle([item_of(s) for s in CHOSEN])
        await site.sign_in("reader@example.org")
        story_id = story_of(site, "t-060")
        response, page = await site.get(f"/stories/{story_id}")
        assert response.status == 200
        assert "Other reports of the same event" in page
        section = page[page.index('id="thread-title"') : page.index('id="why-title"')]
        others = [s for s in CHOSEN if s.story_id != "t-060"]
        shown = [s for s in others if html.escape(s.title, quote=True) in section]
        assert len(shown) >= 2  # the event's other reports, linked
        assert f'href="/stories/{story_id}"' not in section  # not the story itself
        assert "<code>same-" in section or "<code>actor-and-terms" in section
        assert "BR" in section and "2023-09-" in section
        # Spanish, from the catalogs.
        response, page = await site.get(f"/stories/{story_id}", headers={"Accept-Language": "es"})
        assert "Otras noticias del mismo hecho" in page

    run(body)
