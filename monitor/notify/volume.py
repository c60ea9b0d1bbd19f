"""The volume watch: spikes and silences become messages to the subscriptions that follow them.

Run by the mailer every ``volume_check_interval`` seconds. One transaction: count alerted
stories per topic, country and category over the last 16 UTC days (and, for each following
subscription with a stored query, the alerted stories its query matches: the query's own
volume, ``query_counts``), let the pure decision
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
from monitor.notify.preview import stored_story_doc
from monitor.notify.topic_choice import ALL_TOPICS
from monitor.notify.volume_words import volume_heading
from monitor.notify.wire import draft_bytes
from monitor.notify.wording import words
from monitor.store import channel_ledger, outbox
from monitor.store import volume_alerts as ledger
from monitor.store.db import transaction
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


def query_counts(
    conn: Any,
    watchers: Sequence[tuple[Any, Any]],
    start: datetime,
    end: datetime,
    first_day: date,
    last_day: date,
) -> QueryVolumes:
    """Each watching subscription's query, tested with the exact evaluator on the alerted
    stories of its topic (every topic's, for "all") that the full-text index names as its
    candidates, as the Trends page counts a query. Subscriptions with the same topic and
    query are read once. A query that no longer parses is skipped (the worker logs it)."""
    counts: dict[str, list[int]] = {}
    today: dict[str, frozenset[int]] = {}
    done: dict[tuple[str, str], tuple[list[int], frozenset[int]]] = {}
    for subscription, _person in watchers:
        text = (subscription.query or "").strip()
        if not text:
            continue
        found = done.get((subscription.topic, text))
        if found is None:
            try:
                node = parse(text)
            except QueryError:
                continue
            rows = alert_rows(
                conn,
                start,
                end,
                with_text=True,
                topic=None if subscription.topic == ALL_TOPICS else subscription.topic,
                within=candidate(node),
            )
            matched = [row for row in rows if matches(node, stored_story_doc(row))]
            found = (
                query_series(matched, first_day, last_day),
                frozenset(
                    r.story_id for r in matched if r.created_at.astimezone(UTC).date() == last_day
                ),
            )
            done[(subscription.topic, text)] = found
        key = query_key(subscription.topic, subscription.id)
        counts[key], today[key] = found
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

    def run_once(self, now: datetime | None = None) -> int:
        """Raise what is due now; return how many emails were queued."""
        now = now or datetime.now(UTC)
        today = now.astimezone(UTC).date()
        first_day, last_day = watch_window(today, self.policy)
        start, end = period_bounds(first_day, last_day)
        with transaction(self.engine) as conn:
            watchers = ledger.volume_watchers(conn)
            if not watchers:
                return 0
            counts = ledger.topic_counts(conn, start, end, first_day, last_day)
            queries = query_counts(conn, watchers, start, end, first_day, last_day)
            counts.update(queries.counts)
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
