"""Daily counts from the store, and ``monitor spikes`` on them, on both databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import orjson
import pytest

from monitor.errors import InputError
from monitor.store import trend_counts
from monitor.store.db import make_engine, transaction
from monitor.store.tables import alerts
from monitor.trends.commands import current_verdicts, run
from monitor.trends.spikes import SpikePolicy

TODAY = date(2026, 12, 6)


def add_alerts(engine: Any, day: date, n: int, countries: list[str], category: str) -> None:
    noon = datetime.combine(day, time(12), tzinfo=UTC)
    with transaction(engine) as conn:
        start = conn.execute(alerts.select().with_only_columns(alerts.c.id)).all()
        base = len(start) * 1000 + 1
        conn.execute(
            alerts.insert(),
            [
                {"story_id": base + i, "topic": "t", "score": 0.9, "category": category,
                 "countries": countries, "matched": [], "created_at": noon + timedelta(minutes=i),
                 "updated_at": noon}
                for i in range(n)
            ],
        )
        trend_counts.rebuild(conn)  # written outside the worker: counted again, as 0022 does


def test_a_brazil_spike_is_found_and_the_rest_is_usual(
    db_url: str, make_settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(database_url=db_url)
    engine = make_engine(db_url)
    for back in range(1, 15):
        add_alerts(engine, TODAY - timedelta(days=back), 3, ["BR"], "summit-visit")
        add_alerts(engine, TODAY - timedelta(days=back), 1, ["AR"], "trade-economy")
    add_alerts(engine, TODAY, 14, ["BR", "AR"], "summit-visit")
    # Outside the window: neither counted today nor in the baseline.
    add_alerts(engine, TODAY + timedelta(days=1), 50, ["MX"], "other")
    engine.dispose()

    verdicts = {v.key: v for v in current_verdicts(settings, TODAY, SpikePolicy())}
    assert verdicts["country:BR"].kind == "spike" and verdicts["country:BR"].observed == 14
    assert verdicts["country:BR"].expected == pytest.approx(3.0)
    assert verdicts["country:AR"].kind == "spike"
    assert verdicts["category:summit-visit"].kind == "spike"
    assert verdicts["category:trade-economy"].kind is None
    assert "country:MX" not in verdicts

    assert run(settings, day=TODAY.isoformat(), show_all=False, as_json=True) == 0
    shown = orjson.loads(capsys.readouterr().out)
    assert {row["key"] for row in shown} == {"country:BR", "country:AR", "category:summit-visit"}
    assert run(settings, day=TODAY.isoformat(), show_all=False, as_json=False) == 0
    assert "country:BR: 14 stories on 2026-12-06 against a usual 3.0" in capsys.readouterr().out


def test_a_bad_day_is_refused_at_the_door(db_url: str, make_settings: Any) -> None:
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        run(make_settings(database_url=db_url), day="6/12/2026", show_all=False, as_json=False)
