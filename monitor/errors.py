"""One exception tree for monitor. Each error names what it is about and what happens next.

    MonitorError
    ├── ConfigError               bad settings: the process refuses to start, naming the setting
    │   ├── TopicFileError        a topic file is invalid: names file, line and key; a running
    │   │                         worker keeps its previous topics
    │   └── ModelFileError        a topic's model weights file is unusable or stale: the
    │                             process refuses to start with MONITOR_CLASSIFIER_MODEL=on
    ├── FeedError(url)            one feed failed this poll: recorded on the feed, which backs off
    │   ├── FetchError            network, HTTP status, size cap, refused address
    │   └── FeedParseError        the bytes are not a feed we can read
    ├── ItemError(item_id)        one item failed processing: retried, then dead-lettered
    ├── QueryError(position)      a stored query does not parse: rejected before it is saved
    ├── InputFileError            a file given to a command cannot be used: names file and line
    ├── InputError(problems)      a value typed, imported or posted is refused: nothing of it is
    │   │                         stored, each problem names its field and why
    │   ├── OpmlError             an OPML file cannot be imported: nothing from it is used
    │   └── BadDestinationError   a webhook URL or chat id is refused at `destination add`
    │                             (scheme, private address, credentials): nothing is stored
    ├── UnknownTimeZone(name)     a subscriber's zone is not an IANA name: refused at entry
    ├── InvalidToken(reason)      a link is forged, expired or for something else: a page
    │                             says what to do, nothing changes
    ├── BackfillError             the subscription to backfill does not exist or cannot mail
    ├── PublishError              the broker did not acknowledge every item: the poller keeps
    │                             the feed's old state and re-polls
    ├── StoreError                the database is unavailable: the caller retries with backoff
    ├── DeliveryError(address)    an email could not be handed to SMTP
    │   ├── TransientDeliveryError    connection or 4xx: retried with backoff
    │   ├── PermanentDeliveryError    5xx: no more retries for that delivery
    │   └── UnsafeMessageError        a header would not go out as written: email not queued
    └── ServiceError              a local service (Kafka broker, PostgreSQL) would not start

Two exceptions stay outside the tree on purpose, inside the modules that raise and catch
them: ``feeds.hosts.RefusedAddressError`` is an ``OSError`` so that aiohttp's resolver
reports it as a failed lookup (the fetcher turns it into a ``FetchError``), and
``feeds.xmlguard.UnsafeXml`` is a ``ValueError`` its callers turn into a ``FeedParseError``
or an ``OpmlError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field


class MonitorError(Exception):
    """Base of every error monitor raises on purpose."""


class ConfigError(MonitorError):
    """A setting is missing or invalid; the message names it and how to fix it."""


class TopicFileError(ConfigError):
    """A topic file cannot be used. Names the file, the line and key path (when known) and
    the problem; the worker refuses to start with it, or keeps its previous topics."""

    def __init__(self, path: object, where: str, reason: str, line: int | None = None) -> None:
        place = f", line {line}" if line else ""
        key = f" [{where}]" if where else ""
        super().__init__(f"topic file {path}{place}{key}: {reason}")
        self.path = path
        self.where = where
        self.reason = reason
        self.line = line


class ModelFileError(ConfigError):
    """A learned model's weights file cannot be used (missing, malformed, or trained for
    another version of its topic file). Names the file and says how to retrain."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"model file {path}: {reason}")
        self.path = path
        self.reason = reason


class FeedError(MonitorError):
    """A feed could not be polled this time. The feed is kept and retried later."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class FetchError(FeedError):
    """Fetching failed: network error, bad status, too large, or a refused address.

    ``status`` is the HTTP status when there was one; ``retry_after`` is the server's
    requested wait in seconds (429/503), when it gave one.
    """

    def __init__(
        self,
        url: str,
        reason: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        super().__init__(url, reason)
        self.status = status
        self.retry_after = retry_after
        self.permanent = permanent


class FeedParseError(FeedError):
    """The fetched bytes are not a feed we can read (no items can be recovered)."""


class ItemError(MonitorError):
    """One item could not be processed; it is retried and then sent to the dead-letter topic."""

    def __init__(self, item_id: str, reason: str) -> None:
        super().__init__(f"item {item_id}: {reason}")
        self.item_id = item_id
        self.reason = reason


class QueryError(MonitorError):
    """A query does not parse. ``position`` is the 0-based character offset of the problem."""

    def __init__(self, query: str, position: int, reason: str) -> None:
        pointer = " " * position + "^"
        super().__init__(f"query error at position {position}: {reason}\n  {query}\n  {pointer}")
        self.query = query
        self.position = position
        self.reason = reason


class InputFileError(MonitorError):
    """A file given to a command has content it cannot use; the message names the file, the
    line and what the file should hold. The command stops before doing anything with it."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Why one field of an input is refused; ``field`` is the name the input uses for it.

    ``message`` is English. ``key`` (when set) names the catalog message it is, filled with
    ``values``, so a page can say it in the reader's language (``catalogs.explain``)."""

    field: str
    message: str
    key: str = dataclass_field(default="", compare=False)
    values: tuple[tuple[str, object], ...] = dataclass_field(default=(), compare=False)

    def __str__(self) -> str:
        return f"{self.field}: {self.message}"


class InputError(MonitorError):
    """An input (command-line arguments, an import row, a posted form) is refused whole.

    ``problems`` names each bad field; nothing of the input was stored.
    """

    def __init__(self, what: str, problems: Sequence[Problem] = ()) -> None:
        lines = [what, *(f"  {problem}" for problem in problems)]
        super().__init__("\n".join(lines))
        self.what = what
        self.problems = tuple(problems)


class OpmlError(InputError):
    """An OPML document could not be imported; nothing from it was used."""


class BadDestinationError(InputError):
    """A destination (URL or chat id) monitor will not post to; the message says why and
    what to do. Nothing is stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)


class UnknownTimeZone(MonitorError):
    """A subscriber's time zone is not an IANA name we know; preferences must be fixed."""

    def __init__(self, name: str) -> None:
        super().__init__(f"unknown time zone {name!r}")
        self.name = name


class InvalidToken(MonitorError):
    """A link token was malformed, forged, expired or meant for something else.

    ``reason`` is one of ``malformed``, ``signature``, ``purpose``, ``expired``,
    ``future``. The web layer answers with a page that says what to do (and, for an
    expired confirmation, offers a fresh link); nothing is changed.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"invalid token ({reason}){': ' + detail if detail else ''}")
        self.reason = reason


class BackfillError(MonitorError):
    """The subscription to backfill does not exist or cannot receive email."""


class PublishError(MonitorError):
    """The broker did not acknowledge every item; the caller must not save feed state."""


class StoreError(MonitorError):
    """The database could not be reached or refused the write; callers retry with backoff."""


class DeliveryError(MonitorError):
    """An email could not be handed to the SMTP server."""

    def __init__(self, address: str, reason: str) -> None:
        super().__init__(f"{address}: {reason}")
        self.address = address
        self.reason = reason


class TransientDeliveryError(DeliveryError):
    """Connection failure or 4xx reply: the delivery is retried with backoff."""


class PermanentDeliveryError(DeliveryError):
    """5xx reply: the delivery is marked failed and not retried."""


class UnsafeMessageError(DeliveryError):
    """A composed email whose header lines would not be the headers we set (a value that
    became a second header or started the body). It is never queued: its deliveries are
    skipped with a log line, and the rest of the pass goes on."""


class ServiceError(MonitorError):
    """A local service (Kafka broker, PostgreSQL) could not be started or reached."""
