"""The worker role: a Faust worker running the item agent until SIGTERM."""

from __future__ import annotations

import asyncio
import gc
from datetime import timedelta

import faust

from monitor.config import Settings
from monitor.logs import get_logger
from monitor.matching.topic_set import load_topic_set
from monitor.runtime.heartbeat import write_heartbeat
from monitor.store.db import make_engine
from monitor.store.migrate import is_up_to_date
from monitor.stream.app import ItemAgent, make_app
from monitor.stream.event_threads import ThreadAssigner
from monitor.stream.handler import ItemHandler
from monitor.stream.topic_reload import LiveTopics, TopicWatcher
from monitor.stream.topics import ensure_topics
from monitor.subscriptions.fanout import SubscriptionIndex
from monitor.subscriptions.preferences import Vocabulary

log = get_logger(__name__)


def build_worker(settings: Settings) -> tuple[faust.App, ItemAgent]:
    """The app with its agent and handler, ready to run (also used by tests and benchmarks)."""
    engine = make_engine(settings.db_url, timeout=settings.db_timeout)
    models = settings.classifier_model
    topics = load_topic_set(settings.topic_files(), models=models)
    log.info("worker.topics", topics=list(topics.ids), models=sorted(topics.models))
    live = LiveTopics(topics)
    watcher = TopicWatcher(live, settings.topic_files, models=models)
    handler = ItemHandler(
        engine=engine,
        classify=live.classify,
        subscriptions=SubscriptionIndex(
            vocabulary=Vocabulary.from_codes(topics.country_names(), topics.categories())
        ),
        threads=ThreadAssigner() if settings.threads == "on" else None,
        thread_window=timedelta(hours=settings.thread_alert_hours),
    )
    app = make_app(settings)
    agent = ItemAgent(app, settings, handler)

    @app.timer(5.0)  # type: ignore[untyped-decorator]
    async def heartbeat() -> None:
        write_heartbeat(settings, "worker", state="running")

    if settings.topic_reload_seconds > 0:

        @app.timer(settings.topic_reload_seconds)  # type: ignore[untyped-decorator]
        async def reload_topics() -> None:
            # Compiling a topic takes CPU time: off the event loop.
            await asyncio.to_thread(watcher.check)

    return app, agent


# Python's default (700) runs a young-generation collection every few hundred allocations;
# a 500-item batch allocates hundreds of thousands of short-lived objects.
YOUNG_GC_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """Set the cyclic collector up for a long-running stream process, once start-up is done.

    Start-up objects (the topic's automata, the stored-query index, Faust's app) live as
    long as the process: ``gc.freeze`` takes them out of every later collection's walk. A
    higher young-generation threshold makes collections rarer; a batch's garbage is freed
    by reference counting anyway, the collector only finds cycles. The benchmark measures
    both the worker and the bare Faust baseline with this, memory included.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *gc.get_threshold()[1:])


def run_worker(settings: Settings) -> int:
    from monitor.errors import ConfigError

    if not is_up_to_date(settings.db_url):
        raise ConfigError("the database schema is not current: run `monitor db upgrade` first")
    app, _agent = build_worker(settings)
    write_heartbeat(settings, "worker", state="starting")
    # Loading the topics and the model takes seconds; the broker is looked for only after
    # that (waiting up to a minute for it), so that Faust starts on a broker just seen up
    # rather than one that was up before the load and may since have gone.
    log.info("worker.connecting", bootstrap=settings.kafka_bootstrap)
    ensure_topics(settings)
    log.info("worker.starting", topic=settings.items_topic, group=settings.app_id)
    worker = faust.Worker(
        app, loglevel=settings.log_level.lower(), override_logging=False, quiet=True
    )
    tune_garbage_collector()
    worker.execute_from_commandline()  # returns/exits when stopped by SIGTERM/SIGINT
    return 0
