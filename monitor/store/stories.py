"""SQL for stories (clusters of copies), their sources, and the alerts raised on them.

Clustering is decided in the database so it is correct whatever partition or worker an item
arrived on: each story's SimHash is split into bands (any two fingerprints within a few bits
share a band) kept as four indexed columns of the story, candidates are found by title key
or band, and on PostgreSQL transaction-level advisory locks on the item's bands serialize
concurrent workers looking at the same neighbourhood. SQLite has a single writer, which
gives the same guarantee.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.engine import Connection

from monitor.feeds.fingerprint import hamming, simhash_bands, to_signed64
from monitor.feeds.identity import NEAR_DUP_BANDS, NEAR_DUP_MAX_BITS, OPENING_CHARS
from monitor.models import Classification, FeedItem
from monitor.store.db import bulk_insert, one_of, pg_array, reserve_ids
from monitor.store.tables import BAND_COLUMN_NAMES, alerts, stories, story_sources

CANDIDATE_WINDOW = timedelta(days=7)


@functools.lru_cache(maxsize=8192)
def band_keys(simhash: int) -> tuple[int, ...]:
    """The story's band index keys (see monitor.feeds.fingerprint.simhash_bands); cached,
    as a batch asks for each item's keys several times (locks, probes, clustering, rows)."""
    return tuple(simhash_bands(simhash, NEAR_DUP_BANDS))


BAND_COLUMNS = tuple(stories.c[name] for name in BAND_COLUMN_NAMES)


def band_columns(simhash: int) -> dict[str, int | None]:
    """A story row's ``band<i>`` columns: its :func:`band_keys`, all NULL without a
    fingerprint (SimHash 0)."""
    if not simhash:
        return dict.fromkeys(BAND_COLUMN_NAMES)
    return dict(zip(BAND_COLUMN_NAMES, band_keys(simhash), strict=True))


def band_index(key: int) -> int:
    """Which band (and so which ``band<i>`` column) a band key belongs to."""
    return key >> 32


@dataclass(frozen=True, slots=True)
class StoryRef:
    """A candidate story, read only as far as the same-story rule needs it: the text's
    first ``OPENING_CHARS + 1`` characters and its length."""

    id: int
    simhash: int
    title_key: str
    published_at: datetime
    opening: str
    text_len: int
    credited_outlet: str


_REF_COLUMNS = (
    stories.c.id,
    stories.c.simhash,
    stories.c.title_key,
    stories.c.published_at,
    func.substr(stories.c.text, 1, OPENING_CHARS + 1),
    func.length(stories.c.text),
    stories.c.credited_outlet,
)


def lock_neighbourhoods(conn: Connection, items: Sequence[FeedItem]) -> None:
    """On PostgreSQL, lock every band and title key of the batch, in one sorted statement.

    Two workers whose batches share a neighbourhood serialize on these transaction-level
    advisory locks; taking them in sorted order means they can never deadlock.
    """
    if conn.dialect.name != "postgresql":
        return
    bands = sorted({key for item in items if item.simhash for key in band_keys(item.simhash)})
    titles = sorted({item.title_key for item in items if item.title_key})
    conn.execute(
        text(
            "SELECT count(pg_advisory_xact_lock(k)) FROM ("
            "  SELECT k FROM (SELECT unnest(CAST(:bands AS bigint[])) AS k"
            "                 UNION SELECT hashtextextended(t, 0)"
            "                 FROM unnest(CAST(:titles AS text[])) AS t) AS keys"
            "  ORDER BY k) AS sorted_keys"
        ),
        {"bands": pg_array(bands), "titles": pg_array(titles)},
    )


def processed_item_ids(conn: Connection, item_ids: Sequence[str]) -> set[str]:
    """Items already stored as a story source: replays of these change nothing."""
    found: set[str] = set()
    for start in range(0, len(item_ids), 500):
        chunk = list(item_ids[start : start + 500])
        found.update(
            conn.execute(
                select(story_sources.c.item_id).where(one_of(conn, story_sources.c.item_id, chunk))
            ).scalars()
        )
    return found


def count_rows(conn: Connection) -> dict[str, int]:
    return {
        "stories": conn.execute(select(func.count()).select_from(stories)).scalar_one(),
        "sources": conn.execute(select(func.count()).select_from(story_sources)).scalar_one(),
        "alerts": conn.execute(select(func.count()).select_from(alerts)).scalar_one(),
    }


def recent_alerts(conn: Connection, limit: int = 20) -> list[Any]:
    return list(
        conn.execute(
            select(
                alerts.c.id,
                alerts.c.story_id,
                alerts.c.topic,
                alerts.c.score,
                alerts.c.category,
                alerts.c.countries,
                alerts.c.created_at,
                stories.c.title,
                stories.c.credited_outlet,
                stories.c.source_count,
            )
            .join(stories, stories.c.id == alerts.c.story_id)
            .order_by(alerts.c.id.desc())
            .limit(limit)
        )
    )


def stories_since(conn: Connection, since: datetime) -> Iterable[Any]:
    return conn.execute(
        select(stories).where(stories.c.first_seen_at >= since).order_by(stories.c.id)
    )


@dataclass(frozen=True, slots=True)
class AlertedStory:
    """A story with an alert, once, and every alert raised on it: a story two topics found
    relevant has two alerts, each that topic's *view* of it (category, countries, score).

    ``alerts`` are rows with the story's columns and one alert's (``alert_id``, ``topic``,
    ``category``, ``countries``, ``score``), in the order the alerts were raised, which is
    the order ``subscriptions.topic_choice.delivery_view`` tries a story's views in."""

    id: int
    title: str
    text: str
    url: str | None
    lang: str | None
    credited_outlet: str
    published_at: datetime
    first_seen_at: datetime
    alerts: tuple[Any, ...]

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics that alerted the story, in alert order."""
        return tuple(row.topic for row in self.alerts)

    @property
    def countries(self) -> tuple[str, ...]:
        """Every country some alert names, first named first."""
        return tuple(dict.fromkeys(code for row in self.alerts for code in row.countries or ()))

    def alert(self, topic: str) -> Any:
        """The story as ``topic``'s alert shows it. KeyError when that topic did not alert it."""
        for row in self.alerts:
            if row.topic == topic:
                return row
        raise KeyError(f"story {self.id} has no alert under topic {topic!r}")


def alerted_stories(conn: Connection, since: datetime) -> list[AlertedStory]:
    """The stories first seen since ``since`` that have an alert, newest first, each once
    with all its alerts (:class:`AlertedStory`). Every reader of "the alerted stories"
    (previews, ``monitor query test``, backfill, country timelines) starts here, so none
    counts or shows a story twice for being alerted under two topics."""
    stmt = (
        select(
            stories.c.id,
            stories.c.title,
            stories.c.text,
            stories.c.url,
            stories.c.lang,
            stories.c.credited_outlet,
            stories.c.published_at,
            stories.c.first_seen_at,
            alerts.c.id.label("alert_id"),
            alerts.c.topic,
            alerts.c.category,
            alerts.c.countries,
            alerts.c.score,
        )
        .join(alerts, alerts.c.story_id == stories.c.id)
        .where(stories.c.first_seen_at >= since)
        .order_by(stories.c.first_seen_at.desc(), stories.c.id.desc(), alerts.c.id)
    )
    found: list[AlertedStory] = []
    group: list[Any] = []
    for row in conn.execute(stmt):
        if group and group[0].id != row.id:
            found.append(_alerted_story(group))
            group = []
        group.append(row)
    if group:
        found.append(_alerted_story(group))
    return found


def _alerted_story(rows: Sequence[Any]) -> AlertedStory:
    first = rows[0]
    return AlertedStory(
        first.id,
        first.title,
        first.text,
        first.url,
        first.lang,
        first.credited_outlet,
        first.published_at,
        first.first_seen_at,
        tuple(rows),
    )


def alerted_stories_per_country(conn: Connection, since: datetime) -> dict[str, int]:
    """How many stories first seen since ``since`` have an alert naming each country: the
    Countries index's numbers, counted and grouped by the database (a story once per
    country however many of its alerts name it). The country page counts the same
    stories (``AlertedStory.countries``).

    The period's story ids are an index-only scan of ``ix_stories_first_seen_at`` (time,
    id; migration 0020). Their smallest id is read first and bounds the alerts
    (``story_id >=``, implied by the join, so exact): ids grow with first sight, so the
    alerts read are about the period's, through ``uq_alerts_story_id_topic``, where the
    join alone hashed every alert (at a million stories 500 → 100 ms; docs/benchmarks.md).
    ``id + 0``: PostgreSQL would answer ``min(id)`` by walking the primary key from the
    oldest story until one is recent (2.6 s)."""
    bound = bindparam("since", type_=stories.c.first_seen_at.type)
    first = conn.execute(
        text("SELECT min(s.id + 0) FROM stories AS s WHERE s.first_seen_at >= :since").bindparams(
            bound
        ),
        {"since": since},
    ).scalar()
    if first is None:
        return {}
    if conn.dialect.name == "postgresql":
        elements, code = "json_array_elements_text(a.countries) AS c(code)", "c.code"
    else:
        elements, code = "json_each(a.countries) AS c", "c.value"
    rows = conn.execute(
        text(
            f"SELECT {code}, count(DISTINCT a.story_id)"
            f" FROM alerts AS a JOIN stories AS s ON s.id = a.story_id CROSS JOIN {elements}"
            f" WHERE s.first_seen_at >= :since AND a.story_id >= :first GROUP BY {code}"
        ).bindparams(bound),
        {"since": since, "first": int(first)},
    )
    return {str(country): int(count) for country, count in rows}


def stories_by_title_keys(
    conn: Connection, title_keys: Sequence[str], *, since: datetime
) -> list[StoryRef]:
    """Recent stories with one of these headline keys, oldest first: every one of them, as
    a recurring headline ("Latin America Daily Brief") heads a different story each day."""
    found: list[StoryRef] = []
    for start in range(0, len(title_keys), 500):
        rows = conn.execute(
            select(*_REF_COLUMNS)
            .where(
                one_of(conn, stories.c.title_key, title_keys[start : start + 500]),
                stories.c.first_seen_at >= since,
            )
            .order_by(stories.c.id)
        )
        found.extend(StoryRef(*row) for row in rows)
    return found


def stories_by_bands(
    conn: Connection, probes: Sequence[tuple[int, int]], *, since: datetime
) -> dict[int, list[StoryRef]]:
    """Recent stories near a probe, by band key, oldest first.

    Each probe is (band key, the item's SimHash); a story is returned under a key when it
    shares the key and its fingerprint is within ``NEAR_DUP_MAX_BITS`` of the probe's. On
    PostgreSQL the distance is computed by the server (``bit_count`` of the XOR) in the band
    indexes, which carry the fingerprint, so neither the wide story rows nor the network
    see the stories that merely share a 16-bit band — with a million stories, about
    fifteen per key.
    """
    found: dict[int, list[StoryRef]] = {}
    if not probes:
        return found
    if conn.dialect.name == "postgresql":
        for start in range(0, len(probes), 1000):
            chunk = probes[start : start + 1000]
            rows = conn.execute(
                _BAND_PROBE,
                {
                    **_band_probe_parameters(chunk),
                    "since": since,
                    "max_bits": NEAR_DUP_MAX_BITS,
                },
            )
            for row in rows:
                found.setdefault(row[0], []).append(StoryRef(*row[1:]))
        return found
    hashes: dict[int, list[int]] = {}
    for key, h in probes:
        hashes.setdefault(key, []).append(h)
    for index, column in enumerate(BAND_COLUMNS):
        keys = sorted(key for key in hashes if band_index(key) == index)
        for start in range(0, len(keys), 500):
            rows = conn.execute(
                select(column, *_REF_COLUMNS)
                .where(
                    one_of(conn, column, keys[start : start + 500]),
                    stories.c.first_seen_at >= since,
                )
                .order_by(stories.c.id)
            )
            for row in rows:
                if any(hamming(row.simhash, h) <= NEAR_DUP_MAX_BITS for h in hashes[row[0]]):
                    found.setdefault(row[0], []).append(StoryRef(*row[1:]))
    return found


def _band_probe_parameters(chunk: Sequence[tuple[int, int]]) -> dict[str, Any]:
    """The probes of one band in ``keys<i>``/``hashes<i>``, as ``_BAND_PROBE`` reads them."""
    keys: list[list[int]] = [[] for _ in BAND_COLUMNS]
    hashes: list[list[int]] = [[] for _ in BAND_COLUMNS]
    for key, simhash in chunk:
        band = band_index(key)
        keys[band].append(key)
        hashes[band].append(to_signed64(simhash))
    params: dict[str, Any] = {}
    for index in range(len(BAND_COLUMNS)):
        params[f"keys{index}"] = pg_array(keys[index])
        params[f"hashes{index}"] = pg_array(hashes[index])
    return params


# Probed one band key at a time (LATERAL … OFFSET 0 keeps the planner from flattening it),
# each band against its own column's index: statements are planned with their actual arrays
# (see db.make_engine), and for 2,000 probes the planner otherwise prefers hashing the whole
# table — a sequential scan that grows with it (27 ms at 20,000 stories, against 5 ms
# probing the index). The index INCLUDEs the fingerprint, so far stories are dropped by
# Hamming distance in an index-only scan; the near ones (usually none) are then read one by
# one by primary key, also LATERAL: the planner expects a near story per probe and would
# otherwise hash the whole table to join them.
_BAND_PROBE = text(
    "SELECT DISTINCT ON (s.id, near.band_key) near.band_key, s.id, s.simhash, s.title_key,"
    f"      s.published_at, substr(s.text, 1, {OPENING_CHARS + 1}), length(s.text),"
    "       s.credited_outlet"
    " FROM ("
    + " UNION ALL ".join(
        f"SELECT p.band_key, c.id"
        f" FROM unnest(CAST(:keys{i} AS bigint[]), CAST(:hashes{i} AS bigint[]))"
        f"      AS p(band_key, simhash)"
        f" CROSS JOIN LATERAL ("
        f"   SELECT b.id FROM stories AS b"
        f"   WHERE b.band{i} = p.band_key"
        f"     AND bit_count(CAST(b.simhash # p.simhash AS bit(64))) <= :max_bits"
        f"   OFFSET 0) AS c"
        for i in range(NEAR_DUP_BANDS)
    )
    + ") AS near"
    " CROSS JOIN LATERAL ("
    "   SELECT * FROM stories WHERE stories.id = near.id AND stories.first_seen_at >= :since"
    "   OFFSET 0) AS s"
    " ORDER BY s.id, near.band_key"
)


def alerted_story_ids(
    conn: Connection, story_ids: Sequence[int], topic: str | None = None
) -> set[int]:
    """The stories of ``story_ids`` with an alert (under ``topic``, or under any topic)."""
    if not story_ids:
        return set()
    query = select(alerts.c.story_id).where(one_of(conn, alerts.c.story_id, story_ids))
    if topic is not None:
        query = query.where(alerts.c.topic == topic)
    return set(conn.execute(query.distinct()).scalars())


def alert_topics(conn: Connection, story_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The topics each of ``story_ids`` has an alert under (stories without one are left out)."""
    found: dict[int, set[str]] = {}
    for start in range(0, len(story_ids), 500):
        chunk = list(story_ids[start : start + 500])
        rows = conn.execute(
            select(alerts.c.story_id, alerts.c.topic).where(one_of(conn, alerts.c.story_id, chunk))
        )
        for story_id, topic in rows:
            found.setdefault(int(story_id), set()).add(topic)
    return {story_id: frozenset(topics) for story_id, topics in found.items()}


def insert_stories(conn: Connection, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert new stories (rows with their :func:`band_columns`); ids in the order of
    ``rows``."""
    if not rows:
        return []
    reserved = reserve_ids(conn, stories, len(rows))
    if reserved is not None:
        bulk_insert(
            conn,
            stories,
            [{**row, "id": story_id} for row, story_id in zip(rows, reserved, strict=True)],
        )
        return reserved
    return [
        int(i)
        for i in conn.execute(
            stories.insert().returning(stories.c.id, sort_by_parameter_order=True), list(rows)
        ).scalars()
    ]


def insert_sources(
    conn: Connection, rows: Sequence[dict[str, Any]], *, counted: frozenset[int] = frozenset()
) -> set[str]:
    """Insert story sources; return the item ids actually inserted (others were replays).

    Stories in ``counted`` were inserted with their source count already set; the others'
    counts are raised by the sources actually inserted.
    """
    inserted = bulk_insert(
        conn, story_sources, list(rows), conflict=["item_id"], returning=["item_id", "story_id"]
    )
    counts: dict[int, int] = {}
    for _item_id, story_id in inserted:
        if story_id not in counted:
            counts[story_id] = counts.get(story_id, 0) + 1
    if counts:
        conn.execute(
            update(stories)
            .where(stories.c.id == bindparam("sid"))
            .values(source_count=stories.c.source_count + bindparam("n")),
            [{"sid": sid, "n": n} for sid, n in counts.items()],
        )
    return {item_id for item_id, _ in inserted}


def credited_outlets(conn: Connection, story_ids: Iterable[int]) -> dict[int, str]:
    """The stories' credited outlets as stored now."""
    ids = sorted(set(story_ids))
    if not ids:
        return {}
    rows = conn.execute(
        select(stories.c.id, stories.c.credited_outlet).where(one_of(conn, stories.c.id, ids))
    )
    return {int(story_id): str(outlet) for story_id, outlet in rows}


def update_stories(conn: Connection, changes: dict[int, dict[str, Any]], *, now: datetime) -> None:
    """Apply per-story changes (credited outlet, fuller text) gathered for a batch. An
    alerted story's new outlet moves its stored counts: the caller writes that change
    (``trend_counts.keep_added`` with the outlets read before, as the worker does)."""
    for story_id, values in changes.items():
        conn.execute(
            update(stories).where(stories.c.id == story_id).values(updated_at=now, **values)
        )


def insert_alerts(
    conn: Connection,
    verdicts: dict[int, Classification],
    topic: str,
    *,
    now: datetime,
) -> dict[int, int]:
    """Insert alerts once per (story, topic); return story id → alert id for the new ones.
    The stored counts change with them: the caller writes that change
    (``trend_counts.keep_added``; the worker, once per batch, last in its transaction)."""
    if not verdicts:
        return {}
    rows = [
        {
            "story_id": story_id,
            "topic": topic,
            "score": v.score,
            "category": v.category,
            "countries": v.countries,
            "matched": v.matched,  # Evidence dataclasses: orjson writes them as objects
            "revision": 1,
            "created_at": now,
            "updated_at": now,
        }
        for story_id, v in verdicts.items()
    ]
    inserted = bulk_insert(
        conn, alerts, rows, conflict=["story_id", "topic"], returning=["story_id", "id"]
    )
    return {int(story_id): int(alert_id) for story_id, alert_id in inserted}
