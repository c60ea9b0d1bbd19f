"""The reader's own settings (``/api/v1/me``): who the key speaks for, and the language of
every email and chat message they receive.

Only ``language`` can change here (the address and name are the subscriber's identity; the
time zone goes with it). It is checked as everywhere else (``monitor.catalogs``): an unknown
language is a 422 naming the choices, and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from monitor.catalogs import checked_language
from monitor.config import Settings
from monitor.errors import Problem
from monitor.logs import get_logger
from monitor.store import subscribers as store
from monitor.store.db import transaction
from monitor.web.api.door import Call, Reply
from monitor.web.api.problems import invalid, not_found

log = get_logger(__name__)
FIELDS = frozenset({"language"})


def reader_json(person: store.SubscriberRow) -> dict[str, Any]:
    return {
        "email": person.email,
        "name": person.display_name,
        "time_zone": person.time_zone,
        "language": person.language,
    }


def checked_settings(body: Any) -> dict[str, str] | list[Problem]:
    """The columns a ``PATCH /me`` body sets, or every problem with it. Pure."""
    if not isinstance(body, dict):
        return [Problem("body", "must be a JSON object")]
    problems = [
        Problem(key, f"unknown field; known: {', '.join(sorted(FIELDS))}")
        for key in body
        if key not in FIELDS
    ]
    values: dict[str, str] = {}
    if "language" in body:
        given = body["language"]
        if not isinstance(given, str):
            problems.append(Problem("language", "must be a string"))
        else:
            try:
                values["language"] = checked_language(given)
            except ValueError as exc:
                problems.append(Problem("language", str(exc)))
    return problems or values


def get_reader(engine: Engine, settings: Settings, call: Call) -> Reply:
    with transaction(engine) as conn:
        person = store.get_subscriber(conn, call.holder.subscriber_id)
    if person is None:
        raise not_found("reader")
    return Reply(200, reader_json(person))


def update_reader(engine: Engine, settings: Settings, call: Call) -> Reply:
    values = checked_settings(call.body)
    if isinstance(values, list):
        raise invalid("the settings were refused; nothing was stored", values)
    with transaction(engine) as conn:
        if "language" in values:
            store.set_subscriber(conn, call.holder.subscriber_id, language=values["language"])
        person = store.get_subscriber(conn, call.holder.subscriber_id)
    if person is None:
        raise not_found("reader")
    log.info("api.reader_updated", subscriber_id=person.id, fields=sorted(values))
    return Reply(200, reader_json(person))
