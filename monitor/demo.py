"""`monitor demo` (`make demo`): the real daemon, offline, on the packaged fixture feeds.

It serves the fixture feeds (seeds/fixtures, shipped in the package) from a local HTTP
server, registers them with sample subscribers, runs the poller, worker and mailer roles as
real processes against the Kafka broker and a fresh SQLite database, waits until every
fixture item has been processed and every due email written (or sent), prints a summary,
and stops the roles.

The demo runs on the user's settings (environment, config file), with its own sandbox: a
fresh directory ``<var dir>/demo`` holding its database and outbox, fresh Kafka topics and
consumer group, and loopback feeds allowed. It never touches the user's database.

With ``--serve`` it then keeps the web role up on the demo's data until Ctrl-C, and prints
the workspace's address and a single-use sign-in link for a demo operator (the first sample
subscriber, made an operator in the demo's database only).
"""

from __future__ import annotations

import csv
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import Engine

from monitor import resources
from monitor.config import Settings, child_environment
from monitor.errors import ServiceError
from monitor.feeds.check import check_feed
from monitor.feeds.commands import import_feeds
from monitor.notify.tokens import LIFETIMES
from monitor.services.fixture_server import FixtureServer
from monitor.store import migrate, outbox
from monitor.store import sessions as session_store
from monitor.store import subscribers as subscriber_store
from monitor.store.db import make_engine, transaction
from monitor.store.stories import count_rows, recent_alerts
from monitor.stream.topics import ensure_topics
from monitor.subscriptions.commands import import_csv
from monitor.web.workspace.signin import issue_sign_in_link

FIXTURE_FEEDS = (
    ("example-riotimes-feed.xml", "The Rio Times", "en"),
    ("example-menafn-feed.xml", "MENAFN", "en"),
    ("dev-wire-en.xml", "Dev wire (en)", "en"),
    ("dev-wire-es.xml", "Dev wire (es)", "es"),
    ("dev-wire-pt.xml", "Dev wire (pt)", "pt"),
)


# Where the user has set none of these, the demo's own: fewer partitions start faster, and
# one poll of each fixture feed is all it needs.
DEMO_DEFAULTS: dict[str, object] = {
    "partitions": 4,
    "poll_interval": 3600.0,
    "http_host_spacing": 0.0,
    "web_port": 0,
}


def demo_settings(settings: Settings, stamp: str) -> Settings:
    """The user's settings with the demo's sandbox: ``<var dir>/demo`` (wiped at each run)
    for a fresh SQLite database and outbox, topics and consumer group of its own named from
    the user's prefix and app id, loopback feeds allowed; DEMO_DEFAULTS where unset."""
    var_dir = settings.var_dir / "demo"
    sandbox: dict[str, object] = {
        "var_dir": var_dir,
        "database_url": SecretStr(""),
        "outbox_dir": var_dir / "outbox",
        "topic_prefix": f"{settings.topic_prefix}-demo-{stamp}",
        "app_id": f"{settings.app_id}-demo-{stamp}",
        "allow_private_addresses": True,
    }
    unset = {k: v for k, v in DEMO_DEFAULTS.items() if k not in settings.model_fields_set}
    return settings.model_copy(update={**unset, **sandbox})


def _expected_items(fixtures: Path) -> int:
    total = 0
    for name, outlet, _lang in FIXTURE_FEEDS:
        path = fixtures / name
        report = check_feed(
            path.read_bytes(),
            url=path.as_uri(),
            content_type=None,
            fetched_at=datetime.now(UTC),
            outlet=outlet,
        )
        total += len(report.items)
    return total


def serve_settings(user_settings: Settings, demo: Settings) -> Settings:
    """The demo's settings for its web role: the user's web port and public URL where they
    set them, else port 8080 on loopback with a public URL that matches it."""
    fields = user_settings.model_fields_set
    port = user_settings.web_port if "web_port" in fields and user_settings.web_port else 8080
    public_url = (
        user_settings.public_url if "public_url" in fields else f"http://127.0.0.1:{port}"
    )
    return demo.model_copy(update={"web_port": port, "public_url": public_url})


def run_demo(user_settings: Settings, timeout: float = 180.0, *, serve: bool = False) -> int:
    settings = demo_settings(user_settings, datetime.now(UTC).strftime("%Y%m%d%H%M%S"))
    if serve:
        settings = serve_settings(user_settings, settings)
    shutil.rmtree(settings.var_dir, ignore_errors=True)
    settings.var_dir.mkdir(parents=True)
    fixtures = resources.fixtures_dir()
    expected = _expected_items(fixtures)
    print(f"demo: {len(FIXTURE_FEEDS)} fixture feeds, {expected} items; data in {settings.var_dir}")
    migrate.upgrade(settings.db_url)
    ensure_topics(settings)
    engine = make_engine(settings.db_url)
    server = FixtureServer(fixtures).start()
    children: list[subprocess.Popen[bytes]] = []
    try:
        import_feeds(
            engine,
            [
                {"url": server.url(name), "name": outlet, "outlet": outlet, "language": lang}
                for name, outlet, lang in FIXTURE_FEEDS
            ],
            settings=settings,
        )
        import_csv(settings, engine, resources.sample_subscribers(), confirmed=True)
        env = child_environment(
            {**settings.as_env(), "MONITOR_LOG_FORMAT": "console", "MONITOR_LOG_LEVEL": "WARNING"}
        )
        log_path = settings.var_dir / "roles.log"
        with log_path.open("ab") as log_file:
            for role in ("worker", "poller", "mailer"):
                children.append(
                    subprocess.Popen(
                        [sys.executable, "-m", "monitor", "run", "--role", role],
                        env=env,
                        stdout=log_file,
                        stderr=log_file,
                    )
                )
        _wait(engine, expected, children, timeout, log_path)
        _summary(settings, engine)
        if serve:
            _stop(children, settings)
            children.clear()
            return _serve(settings, engine, env, log_path)
        return 0
    finally:
        _stop(children, settings)
        server.stop()
        engine.dispose()


def _stop(children: list[subprocess.Popen[bytes]], settings: Settings) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=settings.shutdown_timeout)
        except subprocess.TimeoutExpired:
            child.kill()


def _serve(settings: Settings, engine: Engine, env: dict[str, str], log_path: Path) -> int:
    """Run the web role on the demo's data until Ctrl-C (or SIGTERM); 0 when stopped so."""
    operator = _demo_operator(settings, engine)
    with log_path.open("ab") as log_file:
        web = subprocess.Popen(
            [sys.executable, "-m", "monitor", "run", "--role", "web"],
            env=env,
            stdout=log_file,
            stderr=log_file,
        )
    try:
        _wait_until_listening(settings, web, log_path)
        with transaction(engine) as conn:
            _request, link = issue_sign_in_link(conn, settings, operator, now=datetime.now(UTC))
        print(
            f"\nworkspace: {settings.public_url}/latest\n"
            f"sign in as the demo operator (single use, {int(LIFETIMES['sign_in'].total_seconds()) // 60} minutes; "
            f"later links: the sign-in page, emails go to {settings.outbox_path}/):\n"
            f"  {link}\n"
            "serving until Ctrl-C",
            flush=True,
        )
        stopped = _until_stopped(web)
        if not stopped:
            raise ServiceError(f"the web role exited (code {web.returncode}); see {log_path}")
        print("\ndemo: stopped", flush=True)
        return 0
    finally:
        _stop([web], settings)


def _demo_operator(settings: Settings, engine: Engine) -> int:
    """The first sample subscriber, an operator in the demo's own database; their id."""
    with resources.sample_subscribers().open(encoding="utf-8") as sample:
        email = next(csv.DictReader(sample))["email"].strip().lower()
    with transaction(engine) as conn:
        session_store.add_operator(conn, email, now=datetime.now(UTC))
        person = subscriber_store.get_subscriber(conn, email)
    if person is None:
        raise ServiceError(f"the demo's operator {email} was not imported; see the demo's log")
    return person.id


def _wait_until_listening(
    settings: Settings, web: subprocess.Popen[bytes], log_path: Path, timeout: float = 30.0
) -> None:
    url = f"http://127.0.0.1:{settings.web_port}/healthz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if web.poll() is not None:
            raise ServiceError(
                f"the web role exited (code {web.returncode}); is port {settings.web_port} "
                f"taken? Set MONITOR_WEB_PORT to a free one; see {log_path}"
            )
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise ServiceError(f"the web role did not answer {url} within {timeout:.0f}s; see {log_path}")


def _until_stopped(web: subprocess.Popen[bytes]) -> bool:
    """Wait for Ctrl-C or SIGTERM (True) or for the web role to exit by itself (False).

    Both signals get a handler of their own: a process started in the background by a
    non-interactive shell (`nohup … &`, many CI runners) inherits SIGINT *ignored*, and
    Python then never raises KeyboardInterrupt, so Ctrl-C or `kill -INT` would do nothing.
    """
    stop = threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set())
                for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while not stop.is_set():
            if web.poll() is not None:
                return False
            stop.wait(0.5)
        return True
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _wait(
    engine: object,
    expected: int,
    children: list[subprocess.Popen[bytes]],
    timeout: float,
    log_path: Path,
) -> None:
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        for child in children:
            if child.poll() is not None:
                raise ServiceError(f"a role exited early (code {child.returncode}); see {log_path}")
        with transaction(engine) as conn:  # type: ignore[arg-type]
            counts = count_rows(conn)
            box = outbox.outbox_counts(conn)
            due = outbox.due_now(conn, datetime.now(UTC))
        progress = (
            f"items {counts['sources']}/{expected}, stories {counts['stories']}, "
            f"alerts {counts['alerts']}, emails sent {box.get('sent', 0)}"
        )
        if progress != last:
            print(f"demo: {progress}", flush=True)
            last = progress
        done = (
            counts["sources"] >= expected
            and due["deliveries"] == 0
            and due["emails"] == 0
            and counts["alerts"] > 0
        )
        if done:
            return
        time.sleep(0.5)
    raise ServiceError(f"demo did not finish within {timeout:.0f}s ({last}); see {log_path}")


def _summary(settings: Settings, engine: object) -> None:
    with transaction(engine) as conn:  # type: ignore[arg-type]
        alerts = recent_alerts(conn, 100)
        counts = count_rows(conn)
        later = outbox.due_now(conn, datetime.now(UTC))["later"]
        sent = outbox.outbox_counts(conn).get("sent", 0)
    print(
        f"\n{counts['alerts']} alerts on {counts['stories']} stories "
        f"({counts['sources']} items; copies of one story share one alert):"
    )
    for alert in reversed(alerts):
        countries = ",".join(alert.countries or [])
        copies = f" [{alert.source_count} copies]" if alert.source_count > 1 else ""
        print(
            f"  - [{alert.topic}: {alert.category}; {countries}] {alert.title[:80]} — "
            f"{alert.credited_outlet}{copies}"
        )
    emails = [] if settings.smtp_host else sorted(settings.outbox_path.glob("*.eml"))
    if settings.smtp_host:
        print(f"\n{sent} emails sent through {settings.smtp_host}:{settings.smtp_port}")
    else:
        print(
            f"\n{len(emails)} emails written to {settings.outbox_path}/ "
            "(set MONITOR_SMTP_HOST to send them)"
        )
    if later:
        print(f"{later} more alerts wait for their subscribers' digest times (daily/weekly)")
    for path in emails[:5]:
        print(f"  {path.name}")
    if len(emails) > 5:
        print(f"  … {len(emails) - 5} more")
