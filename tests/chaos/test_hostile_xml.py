"""Entity-expansion and markup bombs served over HTTP to the real poller process.

The poller runs as the daemon runs it (``monitor run --role poller``), with its address space
capped: a regression that expands entities again dies of MemoryError in there (and this test
fails) instead of taking 1.5 GB of the machine.
"""

from __future__ import annotations

import re
import resource
from pathlib import Path
from typing import Any

import orjson
import pytest

from monitor.feeds.commands import import_feeds
from monitor.runtime.processes import memory_kb
from monitor.services.fixture_server import Response
from monitor.store import feeds as feed_store
from monitor.store import migrate
from monitor.store.db import transaction
from monitor.stream.topics import ensure_topics
from tests import PROJECT_ROOT
from tests.chaos.harness import record_figures
from tests.feeds.feed_samples import entity_attack
from tests.roles import RoleProcess, read_topic, wait_until

pytestmark = pytest.mark.chaos

HOSTILE = Path(__file__).resolve().parents[1] / "feeds" / "hostile"
POLLER_MEMORY = 1024 << 20  # address space; the 80 kB attack needed 1.5 GB of memory
RSS = "application/rss+xml"


def attribute_bomb() -> bytes:
    attributes = " ".join(f'a{n}="v"' for n in range(100_000))
    return (
        f'<rss version="2.0"><channel><title>t</title><item><title>bomb</title>'
        f"<guid>bomb</guid><category {attributes}>c</category></item></channel></rss>"
    ).encode()


def test_entity_and_markup_bombs_cost_the_poller_nothing(
    engines: Any,
    kafka_bootstrap: str,
    make_settings: Any,
    fixture_server: Any,
    tmp_path: Path,
    chaos_scale: float,
) -> None:
    settings = make_settings(poll_interval=3600)
    migrate.upgrade(settings.db_url)
    ensure_topics(settings)
    engine = engines(settings.db_url)
    served = {
        "amplification": entity_attack('<!DOCTYPE rss [\n<!ENTITY a "VALUE">\n]>\n'),
        "in-comment": entity_attack('<!--\n<!DOCTYPE rss [\n<!ENTITY a "VALUE">\n]>\n-->\n'),
        "attributes": attribute_bomb(),
        "unreadable": (HOSTILE / "unreadable-doctype.xml").read_bytes(),
        "good": (PROJECT_ROOT / "seeds" / "fixtures" / "example-riotimes-feed.xml").read_bytes(),
    }
    for name, body in served.items():
        fixture_server.routes[f"/{name}"] = Response(200, body, {"Content-Type": RSS})
    import_feeds(
        engine, [{"url": fixture_server.url(name), "outlet": name} for name in served],
        settings=settings,
    )

    # glibc's per-thread arenas reserve address space they never use; two keep the cap honest.
    poller = RoleProcess("poller", settings, tmp_path / "logs", MALLOC_ARENA_MAX="2").start()
    assert poller.process is not None
    resource.prlimit(poller.process.pid, resource.RLIMIT_AS, (POLLER_MEMORY, POLLER_MEMORY))
    try:

        def feeds() -> dict[str, Any]:
            with transaction(engine) as conn:
                return {f.url.rsplit("/", 1)[1]: f for f in feed_store.list_feeds(conn)}

        wait_until(
            lambda: all(f.last_polled_at for f in feeds().values()), 120, what="every feed polled"
        )
        alive = poller.alive
        peak_mb = memory_kb(poller.process.pid, peak=True) / 1024
    finally:
        poller.stop()
    assert alive, poller.log()[-4000:]
    state = feeds()
    log = poller.log()
    for name in ("amplification", "in-comment", "good"):
        assert (state[name].error_count, state[name].last_error) == (0, None), log[-4000:]
    assert "more than 256 attributes" in (state["attributes"].last_error or "")
    assert "DOCTYPE or ENTITY declaration that cannot be read" in (
        state["unreadable"].last_error or ""
    )

    records = read_topic(settings)
    items = [orjson.loads(record.value) for record in records]
    by_outlet: dict[str, list[str]] = {}
    for item in items:
        by_outlet.setdefault(item["outlet"], []).append(item["title"])
    assert sorted(by_outlet["amplification"]) == ["after", "attack", "before"]
    assert sorted(by_outlet["in-comment"]) == ["after", "attack", "before"]
    assert len(by_outlet["good"]) == 3  # the neighbours' items came through
    assert set(by_outlet) == {"amplification", "in-comment", "good"}
    expanded = sum(len(run) for item in items for run in re.findall("x{100,}", item["text"]))
    assert expanded == 0 and all("xxxxxxxxxx" not in item["html"] for item in items)

    warnings = [
        entry
        for entry in (orjson.loads(line) for line in log.splitlines() if line.startswith("{"))
        if entry.get("event") == "feed.warning"
    ]
    warned = {entry["feed_id"] for entry in warnings if "doctype-removed" in entry["warning"]}
    assert warned == {state["amplification"].id}
    record_figures(
        "Entity and markup bombs through the poller",
        {
            "hostile documents served": len(served) - 1,
            "largest (bytes)": max(len(body) for body in served.values()),
            "items published from them": len(by_outlet["amplification"] + by_outlet["in-comment"]),
            "characters expanded from entities": expanded,
            "refused with a reason on the feed": sum(bool(f.last_error) for f in state.values()),
            "poller address-space cap (MB)": POLLER_MEMORY >> 20,
            "poller peak RSS (MB)": round(peak_mb, 1),
            "poller crashed": int(not alive),
        },
        scale=chaos_scale,
    )
