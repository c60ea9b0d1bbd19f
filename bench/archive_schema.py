"""Is a kept benchmark archive's schema the one its Alembic stamp names? If not, how to
repair it.

The workspace benchmark keeps its archives between runs (a million stories take half an
hour to build). When migrations were renumbered at a merge, archives migrated before it
carried a stamp that named other migrations than the ones they had run: stamped 0019, they
lacked 0016's ``subscribers.language`` and the tables of 0018 and 0019, ``alembic upgrade``
saw nothing (or only 0020) to do, and the web role answered sign-in with a 500. So the
benchmark no longer trusts the stamp alone: each migration leaves a *mark* (a table, a
column or an index only it creates, and no later one removes), the marks found in the
database say which migrations ran, and :func:`schema_plan` (pure) turns the stamp and
what was found into the steps that bring the archive to head: ``stamp`` a run of
migrations that did run, ``upgrade`` through a run that did not, in chain order. A stamp
this code does not know leaves the migrations without a mark undecided: rebuild.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import Engine, inspect, text


@dataclass(frozen=True, slots=True)
class Mark:
    """What a migration leaves: a table; with ``column``, that column of it; with
    ``index``, that index of it (with ``columns``: on exactly those columns); with
    ``statistics``, that PostgreSQL statistics object on it."""

    table: str
    column: str | None = None
    index: str | None = None
    columns: tuple[str, ...] | None = None
    statistics: str | None = None


# One mark per migration that has one; the earliest migrations have none (the stamp is
# trusted for them, or a later mark found says they ran).
MARKS: Mapping[str, Mark] = {
    "0009": Mark("subscriptions", column="feed_key_hash"),
    "0010": Mark("web_sessions"),
    "0011": Mark("api_keys"),
    "0012": Mark("destinations"),
    "0013": Mark("story_search"),
    "0014": Mark("subscriptions", column="topic"),
    "0015": Mark("timeline_corrections"),
    "0016": Mark("subscribers", column="language"),
    "0017": Mark("stories", index="ix_stories_credited_outlet"),
    "0018": Mark("volume_alerts"),
    "0019": Mark("threads"),
    "0020": Mark("stories", index="ix_stories_first_seen_at", columns=("first_seen_at", "id")),
    "0021": Mark("alerts", statistics="st_alerts_countries_text"),
    "0022": Mark("trend_counts"),
    "0023": Mark("trend_days"),
    "0024": Mark("trend_weeks"),
    "0025": Mark("story_threads", column="grouped"),
}


@dataclass(frozen=True, slots=True)
class Schema:
    """What the database holds of the marks' tables: columns, indexes (with columns) and
    statistics objects (None: the database has none of those, as SQLite; such a mark is
    taken as there, as its migration does nothing on such a database)."""

    columns: Mapping[str, frozenset[str]]  # table -> its columns (absent table: no key)
    indexes: Mapping[str, Mapping[str, tuple[str, ...]]]  # table -> index -> columns
    statistics: frozenset[str] | None = None

    def has(self, mark: Mark) -> bool:
        if mark.table not in self.columns:
            return False
        if mark.column is not None and mark.column not in self.columns[mark.table]:
            return False
        if mark.index is not None:
            found = self.indexes.get(mark.table, {}).get(mark.index)
            if found is None or (mark.columns is not None and found != mark.columns):
                return False
        if mark.statistics is not None and self.statistics is not None:
            return mark.statistics in self.statistics
        return True


@dataclass(frozen=True, slots=True)
class Step:
    action: Literal["stamp", "upgrade"]
    revision: str


@dataclass(frozen=True, slots=True)
class Plan:
    """What to do with an archive: ``steps`` in order (none: already at head);
    ``mismatch`` says why the stamp was not followed (None: it was); ``rebuild``: the
    schema cannot be placed, drop the archive and build it again."""

    steps: tuple[Step, ...]
    mismatch: str | None = None
    rebuild: bool = False


def schema_plan(
    stamp: str | None, chain: Sequence[str], found: Mapping[str, bool], *, has_tables: bool
) -> Plan:
    """The steps that bring a database stamped ``stamp`` to the head of ``chain``
    (revisions oldest first), given which migrations' marks were ``found``.

    A migration with a mark ran if and only if its mark is there; one without ran if the
    stamp is at or after it, or a later migration's mark is there. Consecutive migrations
    that ran are stamped (Alembic then skips them); consecutive ones that did not are
    upgraded through, which runs exactly them. ``has_tables``: the database holds any
    table at all (an empty one is simply upgraded)."""
    if not chain:
        raise ValueError("the migration chain is empty")
    if stamp is not None and stamp not in chain:
        return Plan(
            (),
            f"stamped {stamp}, a revision this code does not know: its schema cannot be placed",
            rebuild=True,
        )
    if stamp is None and not has_tables:
        return Plan((Step("upgrade", chain[-1]),))
    at = -1 if stamp is None else chain.index(stamp)
    ran: list[bool] = []
    for n, revision in enumerate(chain):
        if revision in found:
            ran.append(found[revision])
        else:
            later = any(found.get(r, False) for r in chain[n + 1 :])
            ran.append(n <= at or later)
    stamped = [n <= at for n in range(len(chain))]
    mismatch = None
    if ran != stamped:
        differ = [
            f"{r} {'ran' if did else 'did not run'}"
            for r, did, said in zip(chain, ran, stamped, strict=True)
            if did != said
        ]
        mismatch = f"stamped {stamp or 'nothing'}, but by its schema " + ", ".join(differ)
    steps: list[Step] = []
    for n, revision in enumerate(chain):
        last_of_run = n + 1 == len(chain) or ran[n + 1] != ran[n]
        if last_of_run:
            steps.append(Step("stamp" if ran[n] else "upgrade", revision))
    if steps and steps[0] == Step("stamp", stamp or ""):
        steps = steps[1:]  # already stamped there
    return Plan(tuple(steps), mismatch)


def read_schema(engine: Engine, tables: Sequence[str]) -> Schema:
    """The marks' tables as the database has them (an I/O shell for :func:`schema_plan`)."""
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    columns: dict[str, frozenset[str]] = {}
    indexes: dict[str, dict[str, tuple[str, ...]]] = {}
    for table in sorted(set(tables) & present):
        columns[table] = frozenset(c["name"] for c in inspector.get_columns(table))
        indexes[table] = {
            str(i["name"]): tuple(str(c) for c in i["column_names"])
            for i in inspector.get_indexes(table)
        }
    statistics = None
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            statistics = frozenset(
                conn.execute(text("SELECT stxname FROM pg_statistic_ext")).scalars()
            )
    return Schema(columns, indexes, statistics)


def has_any_table(engine: Engine) -> bool:
    return bool(inspect(engine).get_table_names())
