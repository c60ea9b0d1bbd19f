"""The stories' full-text index: the only place its SQL is written.

Table ``story_search`` (migration 0013), one row per story, keyed by the story id:

* SQLite: an FTS5 table (``rowid`` = story id; columns ``title_words``, ``text_words`` and
  an unindexed ``complete`` flag), tokenizer ``unicode61 remove_diacritics 2``.
* PostgreSQL: ``story_id``, ``document tsvector`` (title weighted A, text B, built with the
  ``simple`` configuration over ``monitor_unaccent``, an immutable wrapper of ``unaccent``)
  with a GIN index, and ``complete``.

What is indexed is the story as the query language reads it: the words of the *folded*
title and text (``monitor.matching.text``: lowercase, accents stripped, Cyrillic
variants merged), joined by spaces. Query words are folded the same way by the parser, so a
word the evaluator finds in a story is a word the index holds, on both databases and
whatever their own tokenizers do (they see the same folded text on both sides). A story
longer than ``MAX_INDEXED_CHARS`` folded characters is indexed in part and marked
``complete = false``; such stories are candidates for every query, so the index never
hides a match.

The worker writes a story's row in the transaction that stores the story
(``stream/handler.py``), and again when a later copy changes its text; migration 0013
back-fills the stories stored before it (:func:`index_all`). A new story's words are worked
out before the transaction (:func:`indexed_words`, next to classifying it, while the folded
text is still in ``fold_text``'s cache) and written with :func:`index_words`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, bindparam, column, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from monitor.matching.query.candidates import (
    AllOf,
    AnyOf,
    Candidate,
    Everything,
    Prefix,
    Word,
    Words,
)
from monitor.matching.text import fold, tokens
from monitor.store.db import one_of
from monitor.store.tables import UTCDateTime, stories

# About 1 MB of PostgreSQL tsvector at worst (every word distinct); longer stories are
# indexed in part and always candidates.
MAX_INDEXED_CHARS = 200_000
BATCH = 500


@dataclass(frozen=True, slots=True)
class IndexedWords:
    """A story's index entry: its folded words, space-separated, per field."""

    title: str
    text: str
    complete: bool


def indexed_words(title: str, body: str) -> IndexedWords:
    """What the index holds for a story (pure): its folded words, within the bound."""
    title_words = " ".join(tokens(fold(title)))
    text_words = " ".join(tokens(fold(body)))
    complete = len(title_words) + len(text_words) <= MAX_INDEXED_CHARS
    if not complete:
        title_words = _cut(title_words, MAX_INDEXED_CHARS // 4)
        text_words = _cut(text_words, MAX_INDEXED_CHARS - len(title_words))
    return IndexedWords(title_words, text_words, complete)


def _cut(words: str, limit: int) -> str:
    """At most ``limit`` characters of ``words``, ending at a whole word."""
    if len(words) <= limit:
        return words
    end = words.rfind(" ", 0, limit + 1)
    return words[: max(end, 0)]


# --- writing -------------------------------------------------------------------------


def index_stories(
    conn: Connection, entries: Sequence[tuple[int, str, str]], *, fresh: bool = False
) -> None:
    """Index (story id, title, text) entries, replacing what the index held for them.
    ``fresh``: the stories were just inserted, so there is nothing to replace."""
    index_words(
        conn,
        [(story_id, indexed_words(title, body)) for story_id, title, body in entries],
        fresh=fresh,
    )


def index_words(
    conn: Connection, entries: Sequence[tuple[int, IndexedWords]], *, fresh: bool = False
) -> None:
    """Index (story id, ``indexed_words``) entries worked out beforehand: the worker folds
    and splits a story's words before its transaction, right after the classifier folded
    the same text, so neither is done again while the locks are held."""
    for start in range(0, len(entries), BATCH):
        chunk = entries[start : start + BATCH]
        rows: list[dict[str, Any]] = []
        for story_id, words in chunk:
            rows.append(
                {
                    "id": story_id,
                    "title": words.title,
                    "text": words.text,
                    "complete": words.complete,
                }
            )
        if conn.dialect.name == "postgresql":
            conn.execute(_PG_UPSERT, rows)
            continue
        if not fresh:
            conn.execute(
                text("DELETE FROM story_search WHERE rowid = :id"), [{"id": r["id"]} for r in rows]
            )
        conn.execute(
            text(
                "INSERT INTO story_search (rowid, title_words, text_words, complete)"
                " VALUES (:id, :title, :text, :complete)"
            ),
            [{**r, "complete": int(r["complete"])} for r in rows],
        )


_PG_UPSERT = text(
    "INSERT INTO story_search (story_id, document, complete) VALUES (:id,"
    " setweight(to_tsvector('simple', monitor_unaccent(:title)), 'A')"
    " || setweight(to_tsvector('simple', monitor_unaccent(:text)), 'B'), :complete)"
    " ON CONFLICT (story_id) DO UPDATE"
    " SET document = excluded.document, complete = excluded.complete"
)


def reindex_stories(conn: Connection, story_ids: Iterable[int]) -> None:
    """Index these stories again from their stored title and text (after a change)."""
    ids = sorted(set(story_ids))
    for start in range(0, len(ids), BATCH):
        rows = conn.execute(
            select(stories.c.id, stories.c.title, stories.c.text).where(
                one_of(conn, stories.c.id, ids[start : start + BATCH])
            )
        ).all()
        index_stories(conn, [(int(r.id), r.title, r.text) for r in rows])


def index_all(conn: Connection) -> int:
    """Index every stored story (the migration's back-fill); returns how many."""
    done, after = 0, 0
    while True:
        rows = conn.execute(
            select(stories.c.id, stories.c.title, stories.c.text)
            .where(stories.c.id > after)
            .order_by(stories.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return done
        index_stories(conn, [(int(r.id), r.title, r.text) for r in rows])
        done += len(rows)
        after = int(rows[-1].id)


# --- reading -------------------------------------------------------------------------


def fts5_expression(found: Candidate) -> str:
    """The candidate as an FTS5 MATCH expression (words quoted: never FTS5 syntax)."""
    if isinstance(found, Word):
        return _quoted(found.word)
    if isinstance(found, Prefix):
        return _quoted(found.prefix) + "*"
    if isinstance(found, Words):
        return _quoted(" ".join(found.words))
    if isinstance(found, AllOf | AnyOf):
        joiner = " AND " if isinstance(found, AllOf) else " OR "
        return "(" + joiner.join(fts5_expression(c) for c in found.children) + ")"
    raise ValueError("EVERYTHING has no FTS5 expression: do not filter")


def _quoted(words: str) -> str:
    return '"' + words.replace('"', '""') + '"'


def tsquery_sql(found: Candidate, params: dict[str, str]) -> str:
    """The candidate as a PostgreSQL tsquery expression over bound ``params`` (filled in
    here). A phrase is read as all of its words: tsvector positions stop at 16,383."""
    if isinstance(found, Word):
        return f"plainto_tsquery('simple', monitor_unaccent({_bind(params, found.word)}))"
    if isinstance(found, Words):
        return "(" + " && ".join(tsquery_sql(Word(w), params) for w in found.words) + ")"
    if isinstance(found, Prefix):
        name = _bind(params, found.prefix)
        return f"to_tsquery('simple', monitor_unaccent({name}) || ':*')"
    if isinstance(found, AllOf | AnyOf):
        joiner = " && " if isinstance(found, AllOf) else " || "
        return "(" + joiner.join(tsquery_sql(c, params) for c in found.children) + ")"
    raise ValueError("EVERYTHING has no tsquery: do not filter")


def _bind(params: dict[str, str], value: str) -> str:
    name = f"w{len(params)}"
    params[name] = value
    return ":" + name


@dataclass(frozen=True, slots=True)
class Hit:
    """A candidate story and its relevance (higher is better; 0 without a look-up)."""

    story_id: int
    relevance: float


def candidates(
    conn: Connection,
    found: Candidate,
    *,
    limit: int,
    newest_first: bool = False,
    since: datetime | None = None,
    until: datetime | None = None,
    metadata: Sequence[tuple[str, str]] = (),
) -> list[Hit] | None:
    """Up to ``limit`` candidate stories published in [since, until) that pass the
    ``metadata`` tests (``required_metadata``, facet filters; see :func:`_metadata_sql`),
    the most relevant first (``newest_first``: the latest published first). None when
    nothing narrows the look-up (EVERYTHING, no period, no metadata): the caller reads the
    stories in its own order."""
    conditions, params = _metadata_sql(metadata)
    # published in [since, until); the bounds are typed parameters (SQLite keeps naive UTC)
    typed = []
    for name, value, test in (("since", since, ">="), ("until", until, "<")):
        if value is not None:
            conditions.append(f"s.published_at {test} :{name}")
            params[name] = value
            typed.append(bindparam(name, type_=UTCDateTime))
    if isinstance(found, Everything) and not conditions:
        return None
    where = " AND ".join(conditions) or "1 = 1"
    order = "s.published_at DESC, s.id DESC" if newest_first else "relevance DESC, s.id DESC"
    params["limit"] = limit
    if isinstance(found, Everything):
        statement = f"SELECT s.id, 0.0 AS relevance FROM stories AS s WHERE {where}"
    elif conn.dialect.name == "postgresql":
        query = tsquery_sql(found, params)
        statement = (
            f"WITH q AS (SELECT {query} AS q)"
            " SELECT s.id, CASE WHEN i.document @@ q.q THEN ts_rank(i.document, q.q)"
            " ELSE 0 END AS relevance"
            " FROM story_search AS i CROSS JOIN q JOIN stories AS s ON s.id = i.story_id"
            f" WHERE (i.document @@ q.q OR NOT i.complete) AND {where}"
        )
    else:
        params["expr"] = fts5_expression(found)
        statement = (
            "SELECT s.id, m.relevance FROM ("
            "  SELECT id, max(relevance) AS relevance FROM ("
            "    SELECT rowid AS id, -bm25(story_search, 2.0, 1.0) AS relevance"
            "    FROM story_search WHERE story_search MATCH :expr"
            "    UNION ALL SELECT rowid, 0 FROM story_search WHERE complete = 0)"
            f"  GROUP BY id) AS m JOIN stories AS s ON s.id = m.id WHERE {where}"
        )
    rows = conn.execute(
        text(f"{statement} ORDER BY {order} LIMIT :limit").bindparams(*typed), params
    )
    return [Hit(int(r[0]), float(r[1])) for r in rows]


def _metadata_sql(metadata: Sequence[tuple[str, str]]) -> tuple[list[str], dict[str, Any]]:
    """SQL conditions on story ``s`` that every story passing these tests passes (a
    superset: a story's countries are its alerts' union, its category its first alert's,
    its language the primary subtag). ``outlet`` is the credited outlet, exactly. Values
    of another shape are not pushed down (the evaluator still tests them)."""
    conditions: list[str] = []
    params: dict[str, Any] = {}
    for n, (name, value) in enumerate(metadata):
        key = f"m{n}"
        if name == "country" and len(value) == 2 and value.isalpha() and value.isupper():
            conditions.append(
                "EXISTS (SELECT 1 FROM alerts AS a WHERE a.story_id = s.id"
                f" AND CAST(a.countries AS TEXT) LIKE :{key})"
            )
            params[key] = f'%"{value}"%'
        elif name == "category" and value:
            conditions.append(
                f"EXISTS (SELECT 1 FROM alerts AS a WHERE a.story_id = s.id AND a.category = :{key})"
            )
            params[key] = value
        elif name == "lang" and value.isalpha() and value.islower():
            conditions.append(
                f"(lower(trim(s.lang)) = :{key} OR lower(trim(s.lang)) LIKE :{key}_dash)"
            )
            params[key] = value
            params[f"{key}_dash"] = f"{value}-%"
        elif name == "outlet" and value:
            conditions.append(f"s.credited_outlet = :{key}")
            params[key] = value
    return conditions, params


def story_filter(conn: Connection, found: Candidate) -> ColumnElement[bool] | None:
    """``stories.id IN (the candidates)`` for another query's WHERE (the API's pages), or
    None for EVERYTHING (no filter)."""
    if isinstance(found, Everything):
        return None
    if conn.dialect.name == "postgresql":
        params: dict[str, Any] = {}
        query = tsquery_sql(found, params)
        inner = text(
            f"SELECT story_id FROM story_search WHERE document @@ {query} OR NOT complete"
        ).bindparams(**params)
    else:
        inner = text(
            "SELECT rowid FROM story_search WHERE story_search MATCH :expr"
            " UNION SELECT rowid FROM story_search WHERE complete = 0"
        ).bindparams(expr=fts5_expression(found))
    return stories.c.id.in_(inner.columns(column("id", Integer)))


def indexed_count(conn: Connection) -> int:
    """How many stories the index holds (health checks and tests)."""
    return int(conn.execute(text("SELECT count(*) FROM story_search")).scalar_one())
