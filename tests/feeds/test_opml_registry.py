"""The feed registry survives OPML: registry → export → import into an empty registry → same.

On both databases, through the functions `monitor feed export` and `feed import` call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from monitor.feeds.commands import import_feeds, read_feed_list, registry_opml
from monitor.feeds.registry_entry import FeedEntry, FeedInput, check_feed_entry
from monitor.store import feeds as store
from monitor.store.db import make_engine, transaction
from monitor.store.tables import feeds as feeds_table

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
    max_size=40,
)
_INPUT = st.builds(
    FeedInput,
    url=st.from_regex(r"https://[a-z]{1,10}\.example/[a-z0-9/?=&]{0,16}", fullmatch=True),
    name=st.none() | _TEXT | st.sampled_from(['MENAFN – Ukraine', 'A & B <"C">', "  spaced  out "]),
    outlet=st.none() | _TEXT | st.just("MENAFN"),
    language=st.none() | st.sampled_from(["en", "ES", "pt-BR", "es-419", "uk", "zh-Hant-TW"]),
    interval=st.none() | st.floats(60, 86400) | st.sampled_from([60, 900, 1e4 / 3]),
    state=st.sampled_from([None, "active", "paused", "gone"]),
    state_reason=st.none() | st.sampled_from(["paused by operator", "HTTP 410 Gone", "a\nb & <c>"]),
)


def _registry(engine: Any) -> set[tuple[Any, ...]]:
    with transaction(engine) as conn:
        return {
            (f.url, f.name, f.outlet, f.language, f.poll_interval, f.state, f.state_reason)
            for f in store.list_feeds(conn)
        }


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(inputs=st.lists(_INPUT, max_size=6, unique_by=lambda f: f.url))
def test_registry_export_import_is_lossless(
    inputs: list[FeedInput], db_url: str, make_settings: Any, tmp_path: Path
) -> None:
    config = make_settings(database_url=db_url)
    engine = make_engine(db_url)
    try:
        with transaction(engine) as conn:
            conn.execute(delete(feeds_table))
        reports = import_feeds(engine, inputs, settings=config)
        assert [r.outcome for r in reports] == ["added"] * len(inputs), reports
        before = _registry(engine)
        document = tmp_path / "registry.opml"
        with transaction(engine) as conn:
            document.write_text(registry_opml(store.list_feeds(conn)), encoding="utf-8")
        with transaction(engine) as conn:
            conn.execute(delete(feeds_table))
        listed = read_feed_list(document)
        assert listed.skipped == []
        import_feeds(engine, listed.rows, settings=config)
        assert _registry(engine) == before
    finally:
        engine.dispose()


def test_an_entry_is_stored_as_checked(make_settings: Any) -> None:
    config = make_settings()
    from monitor.feeds.commands import bounds_from
    from monitor.feeds.poller import policy_from

    entry = check_feed_entry(FeedInput("https://x.example/", name="MENAFN – Ukraine",
                                       outlet="MENAFN", state="paused", state_reason="by hand"),
                             policy=policy_from(config), bounds=bounds_from(config))
    assert entry == FeedEntry("https://x.example/", "MENAFN – Ukraine", "MENAFN", None, None,
                              "paused", "by hand")
