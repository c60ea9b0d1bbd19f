"""The subscription form of the workspace: what it shows and what a post means. Pure.

The form carries text exactly as the reader typed it (a refused post comes back unchanged)
and becomes ``PreferencesInput`` over the API's defaults (``subscription_input.base_input``:
the reader's own address and zone); ``check_preferences``, which the API, the CLI and the
worker call, then decides. Nothing here checks a value: it only moves text into place.
The query editor's position marker comes from the parser and linter `monitor query test`
uses (``check_query``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from monitor.errors import QueryError
from monitor.matching.commands import check_query
from monitor.matching.query import LintWarning
from monitor.subscriptions.preferences import PreferencesInput

# The form's fields in page order; the checkbox groups post one value per ticked box.
FIELDS = (
    "name",
    "query",
    "topic",
    "countries",
    "categories",
    "languages",
    "outlets",
    "min_score",
    "mode",
    "digest_time",
    "digest_weekday",
    "quiet",
    "daily_cap",
    "volume_alerts",
)
CHOICE_FIELDS = frozenset({"countries", "categories"})
# What decides which stories match (the preview needs only these to be right).
MATCH_FIELDS = ("query", "topic", "countries", "categories", "languages", "outlets", "min_score")
# A posted text is kept for the form up to this length; longer is the parser's to refuse.
MAX_FIELD_CHARS = 10_000

FormValues = dict[str, Any]  # name → str, or list[str] for CHOICE_FIELDS


def blank_values(query: str = "", topic: str = "") -> FormValues:
    """A new subscription's form (``query``: the search it was saved from; ``topic``: the
    default topic, ``Vocabulary.default_topic``)."""
    values: FormValues = {name: [] if name in CHOICE_FIELDS else "" for name in FIELDS}
    values.update(query=query[:MAX_FIELD_CHARS], topic=topic, mode="immediate",
                  digest_time="08:00", digest_weekday="0")
    return values


def stored_values(row: Any) -> FormValues:
    """A stored subscription (``SubscriptionRow``) as the form shows it."""
    filters = row.filters if isinstance(row.filters, dict) else {}
    score = filters.get("min_score")
    quiet = f"{row.quiet_start}-{row.quiet_end}" if row.quiet_start and row.quiet_end else ""
    return {
        "name": row.name or "",
        "query": row.query or "",
        "topic": row.topic or "",
        "countries": [str(c) for c in filters.get("countries") or []],
        "categories": [str(c) for c in filters.get("categories") or []],
        "languages": ", ".join(filters.get("languages") or []),
        "outlets": ", ".join(filters.get("outlets") or []),
        "min_score": "" if score is None else f"{score:g}",
        "mode": row.mode,
        "digest_time": row.digest_time,
        "digest_weekday": str(row.digest_weekday),
        "quiet": quiet,
        "daily_cap": "" if row.daily_cap is None else str(row.daily_cap),
        "volume_alerts": "on" if row.volume_alerts else "",
    }


def posted_values(form: Any) -> FormValues:
    """The fields of a posted form (a multidict or query string), as typed."""
    values: FormValues = {}
    for name in FIELDS:
        given = [str(v)[:MAX_FIELD_CHARS] for v in form.getall(name, [])]
        values[name] = given if name in CHOICE_FIELDS else (given[0] if given else "")
    return values


def form_input(values: Mapping[str, Any], base: PreferencesInput) -> PreferencesInput:
    """The whole form as preferences input over ``base`` (the reader's address and zone)."""

    def text(name: str) -> str:
        value = values.get(name, "")
        return value if isinstance(value, str) else ",".join(value)

    return replace(
        match_input(values, base),
        name=text("name"),
        mode=text("mode"),
        digest_time=text("digest_time"),
        digest_weekday=text("digest_weekday"),
        quiet=text("quiet"),
        daily_cap=text("daily_cap"),
        volume_alerts=text("volume_alerts"),
    )


def match_input(values: Mapping[str, Any], base: PreferencesInput) -> PreferencesInput:
    """Only what decides the matches (``MATCH_FIELDS``) over ``base``: the preview's input,
    so a digest time being typed does not hide the preview."""

    def listed(name: str) -> list[str]:
        value = values.get(name, [])
        return [value] if isinstance(value, str) else list(value)

    def text(name: str) -> str:
        value = values.get(name, "")
        return value if isinstance(value, str) else ",".join(value)

    return replace(
        base,
        query=text("query"),
        topic=text("topic") or None,  # none posted: the default topic, as in the API
        countries=listed("countries"),
        categories=listed("categories"),
        languages=text("languages"),
        outlets=text("outlets"),
        min_score=text("min_score"),
    )


@dataclass(frozen=True, slots=True)
class QueryCheck:
    """The query editor's notes: the syntax error with its position, or the lint warnings.
    ``before``/``at``/``after`` split the text around the error for the marker."""

    text: str
    error: QueryError | None
    warnings: tuple[LintWarning, ...]

    @property
    def before(self) -> str:
        return self.text[: self.error.position] if self.error else self.text

    @property
    def at(self) -> str:
        if not self.error:
            return ""
        return self.text[self.error.position : self.error.position + 1] or " "

    @property
    def after(self) -> str:
        return self.text[self.error.position + 1 :] if self.error else ""


def check_query_text(text: str) -> QueryCheck | None:
    """What `monitor query test` says of ``text`` (None for an empty query)."""
    query = text.strip()
    if not query:
        return None
    try:
        _, warnings = check_query(query)
    except QueryError as exc:
        # The parser cuts an over-long query to its start; mark within what it judged.
        return QueryCheck(exc.query, exc, ())
    return QueryCheck(query, None, tuple(warnings))
