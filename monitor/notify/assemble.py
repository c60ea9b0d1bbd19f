"""Turns due deliveries into composed emails in the outbox, in one transaction per pass.

Immediate deliveries become one alert email each; several held by quiet hours and released
together become one bundle; deliveries over a subscription's daily cap roll into a catch-up
digest; digest deliveries become one digest per (subscription, period). Each email has a
dedup key, so assembling twice (after a crash) queues nothing twice.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parseaddr

from sqlalchemy import Engine
from sqlalchemy.engine import Connection

from monitor import metrics
from monitor.config import Settings
from monitor.delivery.content import ChannelMessage, alert_message, digest_message
from monitor.errors import PermanentDeliveryError, TopicFileError, UnsafeMessageError
from monitor.logs import get_logger
from monitor.matching.topic_set import read_topic_names
from monitor.models import MODEL_RULE, Evidence
from monitor.notify.compose import draft_alert, draft_confirmation, draft_digest, period_heading
from monitor.notify.delivery_settings import delivery_settings
from monitor.notify.fragments import DEFAULT_LIMIT, FragmentCache
from monitor.notify.headers import fingerprint
from monitor.notify.links import EmailLinks, build_links, confirm_url
from monitor.notify.messages import DigestEntry, Recipient, Sender, StoryForEmail
from monitor.notify.policy import DigestPeriod, local_day_start, plan_emails
from monitor.notify.snippets import build_snippet
from monitor.notify.thread_alerts import one_per_thread
from monitor.notify.tokens import LIFETIMES, TokenClaims, make_token
from monitor.notify.views import recipient_zone
from monitor.notify.wire import Draft, draft_bytes, slow_bytes
from monitor.store import channel_ledger, outbox
from monitor.store import subscribers as subscriber_store
from monitor.store import threads as thread_store
from monitor.store.db import transaction
from monitor.store.partition import EVERY_SUBSCRIBER, Partition
from monitor.store.subscribers import SubscriberRow, SubscriptionRow
from monitor.subscriptions.topic_choice import ALL_TOPICS, topic_label

log = get_logger(__name__)

ROUND_SUBSCRIPTIONS = 500


def sender_of(settings: Settings) -> Sender:
    name, address = parseaddr(settings.mail_from)
    return Sender(address=address or "alerts@monitor.localhost", display_name=name or "monitor")


def list_id_of(settings: Settings, sender: Sender) -> str:
    return f"{settings.app_id}.{sender.domain}"


def links_for(
    settings: Settings,
    sender: Sender,
    subscriber_id: int,
    subscription_id: int | None,
    now: datetime,
) -> EmailLinks:
    key = settings.token_key()
    return build_links(
        settings.public_url,
        f"unsubscribe@{sender.domain}",
        unsubscribe_token=make_token(key, "unsubscribe", subscriber_id, subscription_id, now),
        preferences_token=make_token(key, "preferences", subscriber_id, None, now),
    )


def configured_topic_names(settings: Settings) -> dict[str, str]:
    """Slug → name of the configured topics, for emails; {} (slugs shown as they are) when
    the topic files cannot be read here — an email is never held back by a topic file."""
    try:
        return read_topic_names(settings.topic_files())
    except TopicFileError as exc:
        log.warning("topics.names_unreadable", error=str(exc))
        return {}


def story_view(
    delivery: outbox.DueDelivery, outlets: Sequence[str], topics: Mapping[str, str] | None = None
) -> StoryForEmail:
    """The email's view of a delivered story, under the topic of its alert (``topics``:
    slug → the topic's name)."""
    # Emails show the rules' evidence; the learned model's part is for the workspace.
    evidence = tuple(
        Evidence(m["rule"], m["term"], m["field"], int(m["start"]), int(m["end"]))
        for m in delivery.matched or []
        if m["rule"] != MODEL_RULE
    )
    snippet = build_snippet(delivery.text, evidence, field="text")
    title_evidence = tuple(e for e in evidence if e.field == "title")
    return StoryForEmail(
        story_id=delivery.story_id,
        title=delivery.title,
        snippet=snippet.text,
        url=delivery.url,
        published=delivery.published_at,
        credited_outlet=delivery.credited_outlet,
        republishers=tuple(o for o in outlets if o != delivery.credited_outlet),
        category=delivery.category,
        countries=tuple(delivery.countries or ()),
        score=delivery.score or 0.0,
        matched=title_evidence + snippet.matched,
        topic=topic_label(topics or {}, delivery.topic),
    )


def why_matched(subscription: SubscriptionRow) -> str:
    parts = []
    if subscription.query:
        parts.append(f"query: {subscription.query}")
    filters = subscription.filters or {}
    for key in ("countries", "categories", "languages", "outlets"):
        if filters.get(key):
            parts.append(f"{key}: {', '.join(map(str, filters[key]))}")
    if filters.get("min_score"):
        parts.append(f"score ≥ {filters['min_score']}")
    if parts:
        return "; ".join(parts)
    return "every story" if subscription.topic == ALL_TOPICS else "every story on the topic"


class Assembler:
    """Turns due deliveries into queued emails, one transaction per :meth:`run_once`.

    ``fast=False`` takes the slow paths kept as the benchmark's baseline: every story
    block rendered for every email, every header through the email package, every email
    queued with its own statements.
    """

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        *,
        fast: bool = True,
        partition: Partition = EVERY_SUBSCRIBER,
    ) -> None:
        self.settings = settings
        self.fast = fast
        self.engine = engine
        self.sender = sender_of(settings)
        self.list_id = list_id_of(settings, self.sender)
        # Story views of the current pass (emptied by each run_once, so an edited story is
        # rebuilt next pass). Per-instance state: one pass at a time per Assembler, which is
        # how the mailer calls it.
        self._views: dict[tuple[int, int], StoryForEmail] = {}
        # One object per distinct view across passes: the story-block cache finds a view
        # it holds by identity, instead of comparing every field (and its evidence) of an
        # equal view rebuilt by a later pass, once per email that shows the story.
        self._same_views: dict[StoryForEmail, StoryForEmail] = {}
        self._threads = thread_store.EmailThreads({}, {})  # the pass's story → thread facts
        self.topic_names = configured_topic_names(settings)
        # Rendered story blocks, kept across passes: the key is the story's whole view, so
        # an edited story is rendered afresh.
        self.fragments = FragmentCache(limit=DEFAULT_LIMIT if fast else 0)
        # Emails composed in this pass, queued together (or one by one when not fast).
        self._pending: list[outbox.NewEmail] = []
        # Channel messages of the same emails, queued in the same transaction.
        self._channel: list[channel_ledger.NewChannelMessage] = []
        self._destinations: dict[int, list[int]] = {}
        self._sent_today: dict[int, int] = {}
        self._queued = 0
        # Subscriptions per run_once (one transaction): the mailer sends a round's emails
        # while it composes the next.
        self.round_subscriptions = ROUND_SUBSCRIPTIONS
        # The subscribers this process assembles for (the mailer's partition: several
        # mailer processes never assemble for the same subscriber).
        self.partition = partition

    def _story(self, delivery: outbox.DueDelivery, outlets: dict[int, list[str]]) -> StoryForEmail:
        """The email view of a story, built once per pass however many recipients it has."""
        # Keyed by alert too: one story can reach two people under two topics.
        key = (delivery.story_id, delivery.alert_id)
        view = self._views.get(key)
        if view is None:
            view = story_view(delivery, outlets.get(delivery.story_id, []), self.topic_names)
            also = self._threads.also_reported.get(delivery.story_id, 0)
            if also:
                view = dataclasses.replace(view, also_reported=also)
            if len(self._same_views) >= DEFAULT_LIMIT:
                self._same_views.clear()
            view = self._same_views.setdefault(view, view)
            self._views[key] = view
        return view

    def run_once(self, now: datetime | None = None) -> int:
        """Queue emails for everything due; return how many emails were queued."""
        now = now or datetime.now(UTC)
        self._views = {}
        self._sent_today = {}
        self._pending = []
        self._channel = []
        self._queued = 0
        with transaction(self.engine) as conn:
            due = outbox.due_delivery_details(conn, now, self.round_subscriptions, self.partition)
            if not due:
                return 0
            outlets = outbox.story_outlets(conn, sorted({d.story_id for d in due}))
            self._threads = thread_store.email_threads(conn, sorted({d.story_id for d in due}))
            by_subscription: dict[int, list[outbox.DueDelivery]] = defaultdict(list)
            for delivery in due:
                by_subscription[delivery.subscription_id].append(delivery)
            subscriptions = subscriber_store.subscriptions_by_id(conn, list(by_subscription))
            self._destinations = channel_ledger.enabled_destinations(conn, list(by_subscription))
            people = subscriber_store.subscribers_by_id(
                conn, sorted({d.subscriber_id for d in due})
            )
            self._sent_today = self._sent_today_of(conn, due, people, now)
            for subscription_id, group in by_subscription.items():
                time.sleep(0)  # yield the interpreter lock: the mailer sends meanwhile
                subscription = subscriptions.get(subscription_id)
                subscriber = people.get(group[0].subscriber_id) if subscription else None
                if (
                    subscription is None
                    or subscriber is None
                    or subscription.paused
                    or subscriber.status != "active"
                    or not subscriber.confirmed
                ):
                    outbox.skip_deliveries(conn, [d.id for d in group])
                    continue
                mark, channel_mark = len(self._pending), len(self._channel)
                try:
                    self._assemble(conn, subscription, subscriber, group, outlets, now)
                except PermanentDeliveryError as exc:
                    # An address no email can be built for: stop, and say so in the CLI.
                    del self._pending[mark:]
                    del self._channel[channel_mark:]
                    outbox.skip_deliveries(conn, [d.id for d in group])
                    subscriber_store.set_subscriber(
                        conn, subscriber.id, status="bouncing", status_reason=str(exc)[:500]
                    )
                    people[subscriber.id] = dataclasses.replace(subscriber, status="bouncing")
                    log.error("subscriber.bad_address", subscriber_id=subscriber.id, error=str(exc))
            self._flush(conn, now)
        queued = self._queued
        if queued:
            log.info("emails.queued", count=queued)
        return queued

    def _sent_today_of(
        self,
        conn: Connection,
        due: Sequence[outbox.DueDelivery],
        people: Mapping[int, SubscriberRow],
        now: datetime,
    ) -> dict[int, int]:
        """Immediate emails already sent today to each subscriber with an immediate
        delivery in this pass, read in one statement (the pass's own emails are queued
        together at its end, as before)."""
        if not self.fast:
            return {}
        since = {
            person.id: local_day_start(now, person.time_zone)
            for person in (people.get(d.subscriber_id) for d in due if d.mode == "immediate")
            if person is not None
        }
        return outbox.sent_today_counts(conn, since)

    def _assemble(
        self,
        conn: Connection,
        subscription: SubscriptionRow,
        subscriber: SubscriberRow,
        group: list[outbox.DueDelivery],
        outlets: dict[int, list[str]],
        now: datetime,
    ) -> None:
        recipient = Recipient(
            subscriber.id,
            subscriber.email,
            subscriber.display_name,
            subscriber.time_zone,
            subscriber.language,
        )
        links = links_for(self.settings, self.sender, subscriber.id, subscription.id, now)
        why = why_matched(subscription)
        prefs = delivery_settings(subscription, subscriber)
        sent_today = 0
        if any(d.mode == "immediate" for d in group):
            known = self._sent_today.get(subscriber.id)
            if known is None:  # the slow path, or a subscriber not looked up
                since = local_day_start(now, subscriber.time_zone)
                known = outbox.sent_today_count(conn, subscriber.id, since)
            sent_today = known
        for plan in plan_emails(group, prefs, sent_today, now):
            ids = [d.id for d in plan.deliveries]
            if plan.action == "defer":
                assert plan.due_at is not None
                outbox.reschedule_deliveries(conn, ids, mode="daily", due_at=plan.due_at)
                log.info("deliveries.over_cap", subscription_id=subscription.id, count=len(ids))
            elif plan.action == "digest":
                assert plan.period is not None
                self._digest(
                    conn,
                    subscription,
                    subscriber,
                    recipient,
                    links,
                    why,
                    list(plan.deliveries),
                    outlets,
                    plan.period,
                    now,
                )
            else:
                (delivery,) = plan.deliveries
                message = draft_alert(
                    self._story(delivery, outlets),
                    recipient,
                    subscription_name=subscription.name,
                    why=why,
                    links=links,
                    sender=self.sender,
                    list_id=self.list_id,
                    now=now,
                    update=plan.action == "update",
                    revision=delivery.revision,
                    fragments=self.fragments,
                )
                dedup_key = f"alert:{subscriber.id}:{delivery.story_id}:{delivery.revision}"
                self._queue_channels(
                    subscription.id,
                    dedup_key,
                    functools.partial(
                        alert_message,
                        self._story(delivery, outlets),
                        subscription=subscription.name,
                        now=now,
                        update=plan.action == "update",
                        recipient=recipient,
                    ),
                )
                self._queue(conn, subscriber, plan.action, dedup_key, message, ids, now)

    def _digest(
        self,
        conn: Connection,
        subscription: SubscriptionRow,
        subscriber: SubscriberRow,
        recipient: Recipient,
        links: EmailLinks,
        why: str,
        batch: list[outbox.DueDelivery],
        outlets: dict[int, list[str]],
        period: DigestPeriod,
        now: datetime,
    ) -> None:
        # The key names the exact set of deliveries: re-assembling the same set after a
        # crash finds the queued email; a different set can never be folded into it.
        members = fingerprint(",".join(str(i) for i in sorted(d.id for d in batch)))[:10]
        period = dataclasses.replace(period, key=f"s{subscription.id}.{period.key}.{members}")
        # One entry per event thread: its first report, "also reported by N outlets".
        leads = one_per_thread(batch, [d.story_id for d in batch], self._threads.thread_of)
        entries = [DigestEntry(self._story(d, outlets), why, subscription.name) for d, _ in leads]
        message = draft_digest(
            entries,
            recipient,
            period=period,
            subscription_name=subscription.name,
            links=links,
            sender=self.sender,
            list_id=self.list_id,
            now=now,
            fragments=self.fragments,
        )
        dedup_key = f"digest:{subscription.id}:{period.key}"

        def channel_message() -> ChannelMessage:
            zone = recipient_zone(recipient.time_zone)
            name, label = period_heading(period, zone, recipient.language)
            return digest_message(
                entries,
                subscription=subscription.name,
                period=name,
                label=label,
                now=now,
                recipient=recipient,
            )

        # The heading is worded only for a subscription with a chat destination.
        self._queue_channels(subscription.id, dedup_key, channel_message)
        self._queue(conn, subscriber, "digest", dedup_key, message, [d.id for d in batch], now)

    def _queue(
        self,
        conn: Connection,
        subscriber: SubscriberRow,
        kind: str,
        dedup_key: str,
        message: Draft,
        delivery_ids: list[int],
        now: datetime,
    ) -> None:
        try:
            if self.fast:
                raw = draft_bytes(message, subscriber.email)
            else:
                raw = slow_bytes(message, subscriber.email)
        except UnsafeMessageError as exc:
            # One email we will not send as built; the rest of the pass goes on.
            outbox.skip_deliveries(conn, delivery_ids)
            metrics.EMAILS_FAILED.labels(kind, "true").inc()
            log.error(
                "email.unsafe_headers",
                subscriber_id=subscriber.id,
                dedup_key=dedup_key,
                deliveries=len(delivery_ids),
                error=str(exc),
            )
            return
        self._pending.append(
            outbox.NewEmail(
                subscriber_id=subscriber.id,
                kind=kind,
                dedup_key=dedup_key,
                message_id=message.header("Message-ID"),
                recipient=subscriber.email,
                subject=message.header("Subject"),
                raw=raw,
                delivery_ids=tuple(delivery_ids),
            )
        )
        if not self.fast:
            self._flush(conn, now)

    def _queue_channels(
        self, subscription_id: int, dedup_key: str, build: Callable[[], ChannelMessage]
    ) -> None:
        """The message for each enabled destination of the subscription, under the email's
        dedup key (so a re-assembled pass queues nothing twice); built only when there is
        a destination."""
        chosen = self._destinations.get(subscription_id)
        if not chosen:
            return
        message = build()
        payload = message.to_payload()
        self._channel.extend(
            channel_ledger.NewChannelMessage(destination, dedup_key, message.kind, payload)
            for destination in chosen
        )

    def _flush(self, conn: Connection, now: datetime) -> None:
        """Queue the emails and channel messages composed so far (in the pass's
        transaction, with the deliveries they carry: nothing is lost in between)."""
        self._queued += outbox.queue_emails(conn, self._pending, now=now)
        self._pending = []
        channel_ledger.queue_messages(conn, self._channel, now=now)
        self._channel = []


def queue_confirmation(
    settings: Settings,
    engine: Engine,
    subscriber_id: int,
    subscription_name: str = "",
    now: datetime | None = None,
    *,
    renewal: TokenClaims | None = None,
    resend: bool = False,
) -> bool:
    """Queue the double opt-in email once per subscriber; True when newly queued.

    ``renewal`` is the expired confirmation link of someone asking for a fresh one: that
    is queued at most once a day, and only for the subscriber the link was made for.
    ``resend`` is an operator's resend (``monitor subscriber resend-confirmation``, the
    operations page): also at most once a (UTC) day, so a form sent twice sends one email.
    """
    now = now or datetime.now(UTC)
    sender = sender_of(settings)
    dedup_key = f"confirm:{subscriber_id}"
    if renewal is not None:
        dedup_key = f"confirm:{subscriber_id}:renewed:{now:%Y-%m-%d}"
    elif resend:
        dedup_key = f"confirm:{subscriber_id}:resent:{now:%Y-%m-%d}"
    with transaction(engine) as conn:
        subscriber = subscriber_store.get_subscriber(
            conn, subscriber_id, created_by=renewal.rows_created_by if renewal else None
        )
        if subscriber is None or subscriber.confirmed:
            return False
        token = make_token(settings.token_key(), "confirm", subscriber.id, None, now)
        try:
            message = draft_confirmation(
                Recipient(
                    subscriber.id,
                    subscriber.email,
                    subscriber.display_name,
                    subscriber.time_zone,
                    subscriber.language,
                ),
                confirm_url(settings.public_url, token),
                subscription_name=subscription_name,
                sender=sender,
                now=now,
                valid_for=LIFETIMES["confirm"],
            )
            raw = draft_bytes(message, subscriber.email)
        except PermanentDeliveryError as exc:
            log.error("subscriber.bad_address", subscriber_id=subscriber_id, error=str(exc))
            return False
        except UnsafeMessageError as exc:
            log.error("email.unsafe_headers", subscriber_id=subscriber_id, error=str(exc))
            return False
        _, created = outbox.queue_email(
            conn,
            subscriber_id=subscriber.id,
            kind="confirm",
            dedup_key=dedup_key,
            message_id=message.header("Message-ID"),
            recipient=subscriber.email,
            subject=message.header("Subject"),
            raw=raw,
            now=now,
        )
        return created
