"""The worker role: a Faust worker running the item agent until SIGTERM."""

from __future__ import annotations

import functools

import faust

from monitor.config import Settings
from monitor.daemon import write_heartbeat
from monitor.logs import get_logger
from monitor.matching.classifier import classify
from monitor.matching.topic import load_topic
from monitor.notify.fanout import SubscriptionIndex
from monitor.store.db import make_engine
from monitor.store.migrate import is_up_to_date
from monitor.stream.app import ItemAgent, make_app
from monitor.stream.handler import ItemHandler
from monitor.stream.topics import ensure_topics

log = get_logger(__name__)


def build_worker(settings: Settings) -> tuple[faust.App, ItemAgent]:
    """The app with its agent and handler, ready to run (also used by tests and benchmarks)."""
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    topic = load_topic(settings.topic_file)
    handler = ItemHandler(
        engine=engine,
        classify=functools.partial(classify, topic, lean=True),
        topic=topic.topic_id,
        subscriptions=SubscriptionIndex(),
    )
    app = make_app(settings)
    agent = ItemAgent(app, settings, handler)

    @app.timer(5.0)  # type: ignore[untyped-decorator]
    async def heartbeat() -> None:
        write_heartbeat(settings, "worker", state="running")

    return app, agent


def run_worker(settings: Settings) -> int:
    from monitor.errors import ConfigError

    if not is_up_to_date(settings.db_url):
        raise ConfigError("the database schema is not current: run `monitor db upgrade` first")
    ensure_topics(settings)
    app, _agent = build_worker(settings)
    write_heartbeat(settings, "worker", state="starting")
    log.info("worker.starting", topic=settings.items_topic, group=settings.app_id)
    worker = faust.Worker(
        app, loglevel=settings.log_level.lower(), override_logging=False, quiet=True
    )
    worker.execute_from_commandline()  # returns/exits when stopped by SIGTERM/SIGINT
    return 0
