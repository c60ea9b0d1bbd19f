"""The workspace benchmark's archive: N realistic stories in a named PostgreSQL database,
built once and reused (a later run with the same size finds them and goes on).

Stories are the labelled news texts (English, Spanish, Portuguese), each with its own
headline, spread evenly over ``SPAN`` (two years) to now; credited outlets follow a long
tail (a few big wires, many small papers); one story in five has a second copy; one in
four is alerted with one or two of the topic's countries (Brazil and Mexico most often)
and a category of the topic. Rows are written by the store's own functions
(``insert_stories``, ``insert_sources``, ``index_stories``, ``bulk_insert`` with the row
``insert_alerts`` writes, save its creation time, which is the story's own here), batch by
batch, each batch one transaction, so an interrupted fill goes on where it stopped.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import accumulate
from typing import Any

from sqlalchemy import Engine, func, select, text

from bench.corpus import base_texts
from monitor.resources import default_topic_file
from monitor.store import search_index, trend_counts
from monitor.store.db import bulk_insert, transaction
from monitor.store.stories import band_columns, insert_sources, insert_stories
from monitor.store.tables import alerts, feeds, stories
from monitor.subscriptions.preferences import topic_vocabulary

SPAN = timedelta(days=730)
BATCH = 2_000
ALERTED_EVERY = 4  # one story in four is alerted
SECOND_COPY_EVERY = 5
TOPIC = "ukraine-latam"
_PLACES = (
    "Buenos Aires",
    "Bogotá",
    "Caracas",
    "Lima",
    "Quito",
    "La Paz",
    "Santiago",
    "Asunción",
    "Montevideo",
    "São Paulo",
    "Rio",
    "Recife",
    "Brasília",
    "Manaus",
    "Ciudad de México",
    "Guadalajara",
    "Monterrey",
    "La Habana",
    "Santo Domingo",
    "San José",
    "Panamá",
    "Tegucigalpa",
    "Managua",
    "San Salvador",
    "Guatemala",
    "Kingston",
    "Port of Spain",
    "Medellín",
    "Cali",
    "Córdoba",
    "Rosario",
    "Valparaíso",
    "Porto Alegre",
    "Curitiba",
)
_PAPERS = ("Diario", "Tribuna", "Gazeta", "Correio", "Prensa", "Noticias", "Heraldo", "Jornal")
# The most frequent countries first: the weights below favour them.
_COUNTRY_ORDER = ("BR", "MX", "AR", "CO", "VE", "CL", "PE", "CU", "EC", "UY", "BO", "PY")


def outlets() -> list[str]:
    """About 270 outlet names: three wires, then papers of the region's cities."""
    names = ["Agência Brasil", "Télam", "Notimex"]
    names += [f"{paper} de {place}" for place in _PLACES for paper in _PAPERS]
    return names


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass(frozen=True, slots=True)
class Shape:
    """What every story draws from: texts, outlets (weights: a long tail), the topic's
    countries and categories, and the period."""

    texts: list[tuple[str, str, str]]
    outlets: list[str]
    outlet_weights: list[float]  # cumulative, for random.choices
    countries: list[str]
    country_weights: list[float]  # cumulative
    categories: list[str]
    end: datetime
    size: int

    def published(self, n: int) -> datetime:
        """Story ``n``'s time: evenly over SPAN, the last one now."""
        return self.end - SPAN + SPAN * ((n + 1) / self.size)


def shape(size: int, end: datetime) -> Shape:
    vocabulary = topic_vocabulary(default_topic_file())
    known = sorted(vocabulary.countries or ())
    countries = [c for c in _COUNTRY_ORDER if c in known] + [
        c for c in known if c not in _COUNTRY_ORDER
    ]
    names = outlets()
    return Shape(
        texts=base_texts(),
        outlets=names,
        outlet_weights=list(accumulate(1.0 / (rank + 1) for rank in range(len(names)))),
        countries=countries,
        country_weights=list(accumulate(1.0 / (rank + 1) ** 1.2 for rank in range(len(countries)))),
        categories=sorted(vocabulary.categories),
        end=end,
        size=size,
    )


def _slug(outlet: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in outlet.lower())


def feed_url(outlet: str) -> str:
    return f"https://{_slug(outlet)}.example/feed"


def batch_rows(
    at: Shape, start: int, count: int
) -> tuple[list[dict[str, Any]], list[list[dict[str, Any]]], list[dict[str, Any] | None]]:
    """Stories ``start`` … ``start + count - 1``: their rows, each one's copies (sources,
    without story id) and its alert (without story id) or None. Deterministic per batch."""
    rng = random.Random(start)
    story_rows: list[dict[str, Any]] = []
    copies: list[list[dict[str, Any]]] = []
    verdicts: list[dict[str, Any] | None] = []
    for n in range(start, start + count):
        title, body, lang = at.texts[rng.randrange(len(at.texts))]
        outlet = rng.choices(at.outlets, cum_weights=at.outlet_weights)[0]
        published = at.published(n)
        seen = published + timedelta(seconds=rng.randrange(30, 900))
        simhash = rng.getrandbits(63) or 1
        n_copies = 2 if n % SECOND_COPY_EVERY == 0 else 1
        story_rows.append(
            {
                "title": f"{title} ({n})",
                "text": body,
                "html": "",
                "url": f"https://{_slug(outlet)}.example/{n}",
                "lang": lang,
                "credited_outlet": outlet,
                "title_key": f"bench {n}",
                "simhash": simhash,
                "published_at": published,
                "first_seen_at": seen,
                "updated_at": seen,
                "source_count": n_copies,
                **band_columns(simhash),
            }
        )
        story_copies: list[dict[str, Any]] = []
        for k in range(n_copies):
            copy_outlet = (
                outlet if k == 0 else rng.choices(at.outlets, cum_weights=at.outlet_weights)[0]
            )
            story_copies.append(
                {
                    "item_id": f"bench:{n}:{k}",
                    "feed_url": feed_url(copy_outlet),
                    "outlet": copy_outlet,
                    "original_outlet": outlet if k else None,
                    "url": f"https://{_slug(copy_outlet)}.example/{n}/{k}",
                    "title": f"{title} ({n})",
                    "published_at": published + timedelta(minutes=7 * k),
                    "first_seen_at": seen + timedelta(minutes=7 * k),
                    "published_ms": None,
                }
            )
        copies.append(story_copies)
        if n % ALERTED_EVERY == 0:
            picked = rng.choices(
                at.countries, cum_weights=at.country_weights, k=rng.choice((1, 1, 1, 2))
            )
            verdicts.append(
                {
                    "topic": TOPIC,
                    "score": round(0.5 + rng.random() / 2, 3),
                    "category": rng.choice(at.categories),
                    "countries": sorted(set(picked)),
                    "matched": [],
                    "revision": 1,
                    "created_at": seen,
                    "updated_at": seen,
                }
            )
        else:
            verdicts.append(None)
    return story_rows, copies, verdicts


def stored_count(engine: Engine) -> int:
    with transaction(engine) as conn:
        return int(conn.execute(select(func.count()).select_from(stories)).scalar_one())


def fill(engine: Engine, size: int, *, end: datetime | None = None) -> float:
    """Store stories until the archive holds ``size``; the seconds it took (0: already
    there). ``end``: the newest story's time (default: now, rounded to the hour)."""
    have = stored_count(engine)
    if have >= size:
        if restore_indexes(engine):  # left out by an interrupted fill
            vacuum(engine)
        progress(f"{have:,} stories already stored: reusing them")
        return 0.0
    end = end or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    with transaction(engine) as conn:
        # The newest story's time when the archive was begun, so a resumed fill continues it
        newest = conn.execute(select(func.max(stories.c.published_at))).scalar()
        if have and newest is not None:
            end = newest + SPAN * (1 - have / size)
        _add_feeds(conn)
    at = shape(size, end)
    started = time.monotonic()
    done = have
    set_aside_indexes(engine)
    while done < size:
        count = min(BATCH, size - done)
        story_rows, copies, verdicts = batch_rows(at, done, count)
        with transaction(engine) as conn:
            conn.execute(text("SET LOCAL synchronous_commit = off"))
            ids = insert_stories(conn, story_rows)
            insert_sources(
                conn,
                [
                    {**copy, "story_id": story_id}
                    for story_id, story_copies in zip(ids, copies, strict=True)
                    for copy in story_copies
                ],
                counted=frozenset(ids),
            )
            search_index.index_stories(
                conn,
                [(i, r["title"], r["text"]) for i, r in zip(ids, story_rows, strict=True)],
                fresh=True,
            )
            bulk_insert(
                conn,
                alerts,
                [
                    {"story_id": story_id, **verdict}
                    for story_id, verdict in zip(ids, verdicts, strict=True)
                    if verdict is not None
                ],
                conflict=["story_id", "topic"],
            )
        done += count
        if done % 20_000 == 0 or done == size:
            spent = time.monotonic() - started
            rate = (done - have) / spent
            progress(
                f"stored {done:,} of {size:,} stories ({rate:,.0f}/s,"
                f" {(size - done) / rate / 60:.1f} min to go)"
            )
    restore_indexes(engine)
    with transaction(engine) as conn:  # alerts written outside the worker: counted at once
        conn.execute(text("SET LOCAL statement_timeout = 0"))
        trend_counts.rebuild(conn)
    vacuum(engine)
    return time.monotonic() - started


def vacuum(engine: Engine) -> None:
    """Statistics and visibility maps, as autovacuum would leave them on a settled archive."""
    progress("VACUUM ANALYZE …")
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        conn.execute(text("SET statement_timeout = 0"))
        conn.execute(text("VACUUM ANALYZE"))
        conn.execute(text("RESET statement_timeout"))


# Indexes a bulk load is quicker without: built once at the end instead of row by row.
# Their definitions are kept in a table of the benchmark's, so an interrupted fill can put
# them back (the next run does, before it measures).
SET_ASIDE = (
    "ix_story_search_document",
    "ix_stories_title_key",
    "ix_stories_band0",
    "ix_stories_band1",
    "ix_stories_band2",
    "ix_stories_band3",
)


def set_aside_indexes(engine: Engine) -> None:
    with transaction(engine) as conn:
        conn.execute(
            text("CREATE TABLE IF NOT EXISTS bench_set_aside (name text PRIMARY KEY, ddl text)")
        )
        for name in SET_ASIDE:
            ddl = conn.execute(
                text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"), {"name": name}
            ).scalar()
            if ddl is None:
                continue
            conn.execute(
                text("INSERT INTO bench_set_aside VALUES (:name, :ddl) ON CONFLICT DO NOTHING"),
                {"name": name, "ddl": ddl},
            )
            conn.execute(text(f'DROP INDEX "{name}"'))
    progress(f"indexes set aside for the load: {', '.join(SET_ASIDE)}")


def restore_indexes(engine: Engine) -> bool:
    """Build the indexes :func:`set_aside_indexes` dropped; False when none were."""
    with transaction(engine) as conn:
        if conn.execute(text("SELECT to_regclass('bench_set_aside')")).scalar() is None:
            return False
        conn.execute(text("SET LOCAL maintenance_work_mem = '512MB'"))
        conn.execute(text("SET LOCAL statement_timeout = 0"))  # minutes for a million
        for name, ddl in conn.execute(text("SELECT name, ddl FROM bench_set_aside")).all():
            progress(f"building index {name} …")
            conn.execute(text(ddl))
        conn.execute(text("DROP TABLE bench_set_aside"))
    return True


def _add_feeds(conn: Any) -> None:
    """One feed per outlet, so a story's copies name their feed."""
    bulk_insert(
        conn,
        feeds,
        [{"url": feed_url(o), "name": o, "outlet": o, "language": None} for o in outlets()],
        conflict=["url"],
    )


def sample_ids(engine: Engine, count: int) -> Sequence[int]:
    """Ids of alerted stories to open on the Story page, spread over the archive."""
    with transaction(engine) as conn:
        top = int(conn.execute(select(func.max(alerts.c.story_id))).scalar_one())
        step = max(1, top // count)
        found = conn.execute(
            select(alerts.c.story_id).where(alerts.c.story_id > top - step * count).limit(count)
        ).scalars()
        return [int(i) for i in found]
