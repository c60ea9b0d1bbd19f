"""The band look-up returns exactly the stories within NEAR_DUP_MAX_BITS, on both databases.

On PostgreSQL the distance is computed by the server; on SQLite in Python. Both must agree
with the pure ``hamming`` definition, including for fingerprints with the top bit set
(stored as negative BIGINTs).
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.feeds.fingerprint import hamming, to_signed64
from monitor.feeds.identity import NEAR_DUP_MAX_BITS
from monitor.store import stories
from monitor.store.db import bulk_insert, transaction
from monitor.store.tables import stories as stories_table

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)


def _story(simhash: int, n: int, seen: datetime = NOW) -> dict[str, Any]:
    return {
        "title": f"T{n}",
        "text": "x" * n,
        "title_key": f"t{n}",
        "simhash": to_signed64(simhash),
        "published_at": seen,
        "first_seen_at": seen,
        "updated_at": seen,
        "credited_outlet": "Outlet",
        "source_count": 1,
        **stories.band_columns(simhash),
    }


def test_probe_returns_near_stories_only(db_url: str, engines: Any) -> None:
    rng = random.Random(3)
    base = rng.getrandbits(64) | 1 << 63  # top bit set: negative once stored
    near = base ^ 0b101  # 2 bits away, in band 0
    far_same_band = base ^ (0xF << 60)  # 4 bits away, all in the top band: shares band 0
    old_near = base ^ 0b1  # near, but outside the candidate window
    engine = engines(db_url)
    with transaction(engine) as conn:
        ids = stories.insert_stories(
            conn, [_story(near, 1), _story(far_same_band, 2), _story(rng.getrandbits(64), 3)]
        )
        (old_id,) = stories.insert_stories(conn, [_story(old_near, 4, NOW - timedelta(days=30))])
        probes = [(key, base) for key in stories.band_keys(base)]
        found = stories.stories_by_bands(conn, probes, since=NOW - stories.CANDIDATE_WINDOW)
    returned = {ref.id for refs in found.values() for ref in refs}
    assert returned == {ids[0]}, "only the 2-bit neighbour is within reach and in the window"
    assert old_id not in returned
    for refs in found.values():
        for ref in refs:
            assert hamming(ref.simhash, base) <= NEAR_DUP_MAX_BITS
    # The 4-bit story shares a band with the probe, so a band match alone would have found it.
    assert set(stories.band_keys(far_same_band)) & set(stories.band_keys(base))
    assert hamming(far_same_band, base) == NEAR_DUP_MAX_BITS + 1


def test_probe_agrees_with_hamming_on_random_fingerprints(db_url: str, engines: Any) -> None:
    rng = random.Random(11)
    centre = rng.getrandbits(64)
    hashes = [centre ^ (1 << rng.randrange(64)) ^ (1 << rng.randrange(64)) for _ in range(20)]
    hashes += [centre ^ sum(1 << b for b in rng.sample(range(16), 4)) for _ in range(20)]
    hashes += [rng.getrandbits(64) for _ in range(20)]
    engine = engines(db_url)
    with transaction(engine) as conn:
        ids = stories.insert_stories(conn, [_story(h, n) for n, h in enumerate(hashes)])
        probes = [(key, centre) for key in stories.band_keys(centre)]
        found = stories.stories_by_bands(conn, probes, since=NOW - timedelta(days=1))
    expected = {i for i, h in zip(ids, hashes, strict=True)
                if hamming(h, centre) <= NEAR_DUP_MAX_BITS}
    assert expected, "the fixture must contain near stories"
    assert {ref.id for refs in found.values() for ref in refs} == expected


def test_bulk_insert_names_a_value_it_cannot_send(pg_url: str, engines: Any) -> None:
    """The PostgreSQL bulk path serialises rows as JSON; anything else fails loudly, by type."""
    engine = engines(pg_url)
    with (
        pytest.raises(TypeError, match=r"bulk insert into stories: .*bytes"),
        transaction(engine) as conn,
    ):
        bulk_insert(conn, stories_table, [{"title": b"\x00", "simhash": 1}])


def test_a_full_batch_of_probes_reads_the_band_index_not_the_whole_table(
    pg_url: str, engines: Any
) -> None:
    """Statements are planned with their actual arrays; for a batch's 2,000 probes the
    planner would rather hash the whole band table unless the probe is written per key.
    A sequential scan there grows with the table, so the plan itself is checked here."""
    import json

    from sqlalchemy import text

    rng = random.Random(5)
    engine = engines(pg_url)
    with transaction(engine) as conn:
        stories.insert_stories(conn, [_story(rng.getrandbits(64), n) for n in range(5_000)])
        conn.execute(text("ANALYZE stories"))
        probes = sorted({(k, h) for h in (rng.getrandbits(64) for _ in range(500))
                         for k in stories.band_keys(h)})
        params = {**stories._band_probe_parameters(probes),
                  "since": NOW - stories.CANDIDATE_WINDOW, "max_bits": NEAR_DUP_MAX_BITS}
        plan = conn.execute(text("EXPLAIN (FORMAT JSON) " + stories._BAND_PROBE.text),
                            params).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    band_scans = [n for n in _plan_nodes(plan[0]["Plan"])
                  if n.get("Index Name", "").startswith("ix_stories_band")]
    # Each band is probed through its own index, index-only (the fingerprint is INCLUDEd).
    assert sorted(n["Index Name"] for n in band_scans) == [
        f"ix_stories_band{i}" for i in range(4)
    ], band_scans
    assert all(n["Node Type"] == "Index Only Scan" for n in band_scans), band_scans
    # The few near stories are read by primary key, not by hashing the whole table.
    assert not [n for n in _plan_nodes(plan[0]["Plan"]) if n["Node Type"] == "Seq Scan"]


def _plan_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    return [node, *(n for child in node.get("Plans", []) for n in _plan_nodes(child))]
