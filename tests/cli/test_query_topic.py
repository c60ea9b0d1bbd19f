"""`monitor query test --topic`: the preview counts only what a subscription to that topic
would be sent (a real process, both databases, stories classified by both topics)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

from monitor.store.db import make_engine
from tests.web.workspace.test_subscription_topics import ingest_both_topics


def test_query_test_counts_one_topics_alerts(db_url: str, make_settings: Any) -> None:
    settings = make_settings(database_url=db_url)
    engine = make_engine(db_url)
    try:
        ingest_both_topics(engine)  # one Russia-only story, one Ukraine-only story
    finally:
        engine.dispose()

    def query_test(*args: str) -> str:
        env = {**os.environ, **settings.as_env(), "MONITOR_LOG_FORMAT": "console"}
        done = subprocess.run([sys.executable, "-m", "monitor", "query", "test", *args],
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    everything = query_test("Chile OR Rosneft")
    assert "2 of 2 alerted stories of the last 30 days match" in everything
    russia = query_test("Chile", "--topic", "russia-latam")
    assert "0 of 1 alerted stories under topic russia-latam" in russia
    ukraine = query_test("Chile", "--topic", "ukraine-latam")
    assert "1 of 1 alerted stories under topic ukraine-latam" in ukraine
    both = query_test("Chile OR Rosneft", "--topic", "all")
    assert "2 of 2 alerted stories under topic all" in both
