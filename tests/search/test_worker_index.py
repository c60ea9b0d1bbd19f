"""The worker writes the index in the transaction that stores a story, and writes it again
when a fuller copy changes the story's text; a search then finds the new words."""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select

from monitor.matching.query import parse
from monitor.search.archive import search_archive
from monitor.store import search_index
from monitor.store.db import transaction
from monitor.store.tables import stories
from tests.stream.test_handler import RIO, handler  # noqa: F401 - the fixture


def _search(engine: Any, query: str) -> set[int]:
    with transaction(engine) as conn:
        return {f.story.id for f in search_archive(conn, parse(query)).found}


def test_stories_are_indexed_when_stored_and_again_when_their_text_grows(
    handler: Any,  # noqa: F811 - the fixture imported above
) -> None:
    seed = RIO[1]
    stub = dataclasses.replace(seed, item_id="g:stub", text="Read more.", html="")
    handler.handle([stub])
    with transaction(handler.engine) as conn:
        (story_id,) = conn.execute(select(stories.c.id)).scalars()
        assert search_index.indexed_count(conn) == 1
    assert _search(handler.engine, '"read more"') == {story_id}
    assert _search(handler.engine, "Paraguay") == set()
    handler.handle([seed])  # the full copy joins the story and brings its text
    assert _search(handler.engine, "Paraguay") == {story_id}
    assert _search(handler.engine, '"read more"') == set()  # the old text left the index
    with transaction(handler.engine) as conn:
        assert search_index.indexed_count(conn) == 1


def test_a_story_too_long_to_index_whole_is_a_candidate_of_every_query(db_url: str) -> None:
    from monitor.store.db import make_engine
    from tests.search.corpus import store_stories

    engine = make_engine(db_url)
    try:
        tail = "zzyzx"
        body = "word " * (search_index.MAX_INDEXED_CHARS // 5) + tail
        with transaction(engine) as conn:
            (long_id, short_id) = store_stories(conn, [("Long", body), ("Short", "word")])
        words = search_index.indexed_words("Long", body)
        assert not words.complete and tail not in words.text
        assert _search(engine, tail) == {long_id}  # not in the index, still found
        assert _search(engine, "word") == {long_id, short_id}
    finally:
        engine.dispose()


def test_a_new_storys_words_are_worked_out_before_its_transaction_from_its_stored_text(
    handler: Any,  # noqa: F811 - the fixture imported above
) -> None:
    # One batch: a stub and the full copy of one new story. The story keeps the fuller text
    # (clusters.absorb), so its index entry must be that text's words, not the first item's.
    seed = RIO[1]
    stub = dataclasses.replace(seed, item_id="g:stub", text="Read more.", html="")
    ahead = handler.prepare([stub, seed])
    for item in (stub, seed):
        assert ahead.words[(item.title, item.text)] == search_index.indexed_words(
            item.title, item.text
        )
    handler.handle([stub, seed])
    with transaction(handler.engine) as conn:
        ((story_id, text),) = conn.execute(select(stories.c.id, stories.c.text)).all()
    assert text == seed.text
    assert _search(handler.engine, "Paraguay") == {story_id}
    assert _search(handler.engine, '"read more"') == set()
