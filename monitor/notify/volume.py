"""The volume watch: spikes and silences become messages to the subscriptions that follow them.

Run by the mailer every ``volume_check_interval`` seconds. One transaction: count alerted
stories per topic, country and category over the last 16 UTC days (and, for each following
subscription with a stored query, the alerted stories its query matches: the query's own
volume, read just before in a short transaction of its own and tested outside any,
``read_queries`` and ``count_queries``), let the pure decision
(``trends.watch.verdicts_due``) choose what is unusual and not cooling down, record those
alerts in the ledger (a unique key: two mailers raise an alert once), then queue one email
per following subscription, and one message per enabled destination, under a dedup key
per (subscription, alert). The mailer and dispatcher then send them with the lease,
retry and mark protocol of every other message: nothing is lost between the decision and
the queue, and nothing is queued twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from monitor.config import Settings
from monitor.delivery.content import volume_message
from monitor.errors import QueryError, UnsafeMessageError
from monitor.logs import get_logger
from monitor.matching.query import matches, parse
from monitor.matching.query.candidates import candidate
from monitor.notify.assemble import configured_topic_names, links_for, list_id_of, sender_of
from monitor.notify.compose import draft_volume
from monitor.notify.messages import Recipient, StoryForEmail
from monitor.notify.volume_words import volume_heading
from monitor.notify.wire import draft_bytes
from monitor.notify.wording import words
from monitor.store import channel_ledger, outbox
from monitor.store import volume_alerts as ledger
from monitor.store.db import transaction
from monitor.subscriptions.preview import stored_story_doc
from monitor.subscriptions.topic_choice import ALL_TOPICS
from monitor.trends.spikes import SpikePolicy, VolumeVerdict
from monitor.trends.volumes import alert_rows, period_bounds
from monitor.trends.watch import (
    QUERY,
    VolumeKey,
    follows,
    query_key,
    query_series,
    top_stories,
    verdicts_due,
    watch_window,
)

log = get_logger(__name__)


@dataclass(frozen=True, slots=True)
class QueryVolumes:
    """The stored queries' own volumes: each query key's daily counts, and today's matched
    stories per key (what a spike's message shows)."""

    counts: dict[str, list[int]]
    today: dict[str, frozenset[int]]


@dataclass(frozen=True, slots=True)
class QueryInputs:
    """What counting the stored queries needs from the store: each distinct (topic, query)
    parsed, the window's alerts with their text, and each query's candidate stories (None:
    the index cannot narrow it)."""

    wanted: dict[tuple[str, str], Any]
    rows: list[Any]
    among: dict[tuple[str, str], set[int] | None]


def read_queries(
    conn: Any, watchers: Sequence[tuple[Any, Any]], start: datetime, end: datetime
) -> QueryInputs:
    """The watching subscriptions' queries and what they are tested on: the alerts of
    [start, end) read once, whatever the number of queries, and each query's candidates
    from the full-text index (as the Trends page counts a query). A query that no longer
    parses is left out (the worker logs it)."""
    wanted: dict[tuple[str, str], Any] = {}
    for subscription, _person in watchers:
        text = (subscription.query or "").strip()
        if text and (subscription.topic, text) not in wanted:
            try:
                wanted[(subscription.topic, text)] = parse(text)
            except QueryError:
                continue
    if not wanted:
        return QueryInputs({}, [], {})
    return QueryInputs(
        wanted,
        alert_rows(conn, start, end, with_text=True),
        {
            pair: ledger.candidate_stories(conn, start, end, candidate(node))
            for pair, node in wanted.items()
        },
    )


def count_queries(
    inputs: QueryInputs,
    watchers: Sequence[tuple[Any, Any]],
    first_day: date,
    last_day: date,
    docs: dict[tuple[Any, ...], Any] | None = None,
) -> QueryVolumes:
    """Each watching subscription's query volume: its topic's alerts (every topic's, for
    "all") among its candidates that the exact evaluator matches, per day. Run outside
    any transaction (it is the slow part). Each story's match document is built once
    however many queries read it (building one costs far more than testing a query).

    ``docs`` (the watch's, kept between checks): the match documents of the last check,
    keyed by what they are built from; it is left holding this check's only, so it stays
    the size of the window and a repeat check builds documents for new alerts alone (and
    each document keeps its evaluated leaves, so repeated queries are cheaper too)."""
    previous = docs if docs is not None else {}
    current: dict[tuple[Any, ...], Any] = {}

    def doc(row: Any) -> Any:
        key = (
            row.story_id,
            row.topic,
            row.category,
            tuple(row.countries or ()),
            hash((row.title, row.text, row.url, row.lang, row.credited_outlet)),
        )
        found = current.get(key)
        if found is None:
            found = previous.get(key) or stored_story_doc(row)
            current[key] = found
        return found

    found: dict[tuple[str, str], tuple[list[int], frozenset[int]]] = {}
    for (topic, text), node in inputs.wanted.items():
        among = inputs.among.get((topic, text))
        matched = [
            row
            for row in inputs.rows
            if (topic == ALL_TOPICS or row.topic == topic)
            and (among is None or row.story_id in among)
            and matches(node, doc(row))
        ]
        found[(topic, text)] = (
            query_series(matched, first_day, last_day),
            frozenset(
                r.story_id for r in matched if r.created_at.astimezone(UTC).date() == last_day
            ),
        )
    counts: dict[str, list[int]] = {}
    today: dict[str, frozenset[int]] = {}
    for subscription, _person in watchers:
        result = found.get((subscription.topic, (subscription.query or "").strip()))
        if result is not None:
            key = query_key(subscription.topic, subscription.id)
            counts[key], today[key] = result
    if docs is not None:
        docs.clear()
        docs.update(current)
    return QueryVolumes(counts, today)


def _story(row: Any) -> StoryForEmail:
    return StoryForEmail(
        story_id=row.story_id,
        title=row.title,
        snippet="",
        url=row.url,
        published=row.published_at,
        credited_outlet=row.credited_outlet,
        republishers=(),
        category=row.category,
        countries=tuple(row.countries or ()),
        score=row.score or 0.0,
        matched=(),
    )


def dedup_key(subscription_id: int, verdict: VolumeVerdict) -> str:
    """One message per subscription and alert (a regrown spike is a new alert)."""
    return f"volume:{subscription_id}:{verdict.key}:{verdict.day.isoformat()}:{verdict.kind}:{verdict.observed}"


class VolumeWatch:
    """Judges the volumes and queues the messages; one :meth:`run_once` a check."""

    def __init__(
        self, settings: Settings, engine: Engine, policy: SpikePolicy | None = None
    ) -> None:
        self.settings, self.engine = settings, engine
        self.policy = policy or SpikePolicy()
        self.sender = sender_of(settings)
        self.list_id = list_id_of(settings, self.sender)
        self.topic_names = configured_topic_names(settings)
        # The stored queries' match documents of the last check (``count_queries``).
        self._docs: dict[tuple[Any, ...], Any] = {}

    def run_once(self, now: datetime | None = None) -> int:
        """Raise what is due now; return how many emails were queued."""
        now = now or datetime.now(UTC)
        today = now.astimezone(UTC).date()
        first_day, last_day = watch_window(today, self.policy)
        start, end = period_bounds(first_day, last_day)
        # The stored queries are read in a short transaction and tested outside any: on
        # SQLite every transaction holds the write lock, which the worker needs.
        with transaction(self.engine) as conn:
            watchers = ledger.volume_watchers(conn)
            if not watchers:
                return 0
            inputs = read_queries(conn, watchers, start, end)
        queries = count_queries(inputs, watchers, first_day, last_day, docs=self._docs)
        with transaction(self.engine) as conn:
            counts = ledger.topic_counts(conn, start, end, first_day, last_day)
            following = {query_key(s.topic, s.id) for s, _ in watchers}
            counts.update((k, v) for k, v in queries.counts.items() if k in following)
            since = today - timedelta(days=self.policy.cooldown_days + 1)
            due = verdicts_due(counts, today, ledger.latest_alerts(conn, since), self.policy)
            fresh = ledger.record(conn, due, now=now)
            if not fresh:
                return 0
            day_start, day_end = period_bounds(today, today)
            rows = ledger.day_stories(conn, day_start, day_end)
            destinations = channel_ledger.enabled_destinations(conn, [s.id for s, _ in watchers])
            emails: list[outbox.NewEmail] = []
            messages: list[channel_ledger.NewChannelMessage] = []
            for verdict in fresh:
                key = VolumeKey.parse(verdict.key)
                topic_name = self.topic_names.get(key.topic, key.topic)
                among = queries.today.get(verdict.key, frozenset())
                shown = (
                    [_story(r) for r in top_stories(rows, key, among=among)]
                    if verdict.kind == "spike"
                    else []
                )
                log.info(
                    "volume.alert",
                    key=verdict.key,
                    kind=verdict.kind,
                    observed=verdict.observed,
                    expected=round(verdict.expected, 2),
                )
                for subscription, person in watchers:
                    if not follows(
                        subscription.filters,
                        subscription.topic,
                        key,
                        subscription_id=subscription.id,
                    ):
                        continue
                    dedup = dedup_key(subscription.id, verdict)
                    recipient = Recipient(
                        person.id,
                        person.email,
                        person.display_name,
                        person.time_zone,
                        person.language,
                    )
                    heading = volume_heading(
                        verdict,
                        topic_name=topic_name,
                        today=today,
                        w=words(person.language),
                        subject=f"“{subscription.query}”" if key.kind == QUERY else None,
                    )
                    draft = draft_volume(
                        heading,
                        shown,
                        recipient,
                        key_parts=(
                            subscription.id,
                            verdict.key,
                            verdict.day.isoformat(),
                            str(verdict.kind),
                            verdict.observed,
                        ),
                        subscription_name=subscription.name,
                        links=links_for(
                            self.settings, self.sender, person.id, subscription.id, now
                        ),
                        sender=self.sender,
                        list_id=self.list_id,
                        now=now,
                    )
                    try:
                        raw = draft_bytes(draft, person.email)
                    except UnsafeMessageError as exc:
                        log.error(
                            "email.unsafe_headers",
                            subscriber_id=person.id,
                            dedup_key=dedup,
                            error=str(exc),
                        )
                        continue
                    emails.append(
                        outbox.NewEmail(
                            subscriber_id=person.id,
                            kind="volume",
                            dedup_key=dedup,
                            message_id=draft.header("Message-ID"),
                            recipient=person.email,
                            subject=draft.header("Subject"),
                            raw=raw,
                        )
                    )
                    chosen = destinations.get(subscription.id) or []
                    if chosen:
                        payload = volume_message(
                            heading,
                            shown,
                            subscription=subscription.name,
                            now=now,
                            recipient=recipient,
                        ).to_payload()
                        messages.extend(
                            channel_ledger.NewChannelMessage(destination, dedup, "volume", payload)
                            for destination in chosen
                        )
            queued = outbox.queue_emails(conn, emails, now=now)
            channel_ledger.queue_messages(conn, messages, now=now)
        log.info("volume.queued", alerts=len(fresh), emails=queued, channel_messages=len(messages))
        return queued


def watch_is_due(last_run: float | None, clock: float, interval: float) -> bool:
    """Is a volume check due at monotonic ``clock``? (Never when ``interval`` is 0.)"""
    if interval <= 0:
        return False
    return last_run is None or clock - last_run >= interval
