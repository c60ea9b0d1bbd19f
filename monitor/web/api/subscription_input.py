"""A subscription as posted to the API, checked by the same rules as the CLI and the
preferences page (``check_preferences``). Pure.

POST starts from the defaults, PATCH from the stored subscription; either way the body's
fields replace those values and the result is checked whole. Fields are the JSON names of
the subscription object; an unknown field or a value of the wrong JSON type is refused
with its name before the preference rules run.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from monitor.errors import Problem
from monitor.subscriptions.preferences import (
    Preferences,
    PreferencesInput,
    Vocabulary,
    check_preferences,
)

_TEXT = ("name", "mode", "digest_time", "topic")
_NULLABLE_TEXT = ("query", "quiet")
_LISTS = ("countries", "categories", "languages", "outlets")
FIELDS = frozenset({*_TEXT, *_NULLABLE_TEXT, *_LISTS, "min_score", "digest_weekday",
                    "daily_cap", "paused", "volume_alerts"})


@dataclass(frozen=True, slots=True)
class SubscriptionChange:
    """A checked subscription: its name, preferences and paused state to store."""

    name: str
    preferences: Preferences
    paused: bool | None  # None: leave as is


def _type_problems(body: Mapping[str, Any]) -> list[Problem]:
    problems = [Problem(k, "unknown field") for k in body if k not in FIELDS]
    for key, value in body.items():
        if key in _TEXT and not isinstance(value, str):
            problems.append(Problem(key, "must be a string"))
        elif key in _NULLABLE_TEXT and value is not None and not isinstance(value, str):
            problems.append(Problem(key, "must be a string or null"))
        elif key in _LISTS and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            problems.append(Problem(key, "must be a list of strings"))
        elif key == "min_score" and value is not None and (
            isinstance(value, bool) or not isinstance(value, int | float)
        ):
            problems.append(Problem(key, "must be a number from 0 to 1, or null"))
        elif key in ("daily_cap", "digest_weekday") and (
            isinstance(value, bool) or not isinstance(value, int | None)
            or (key == "digest_weekday" and value is None)
        ):
            problems.append(Problem(key, "must be a whole number"))
        elif key in ("paused", "volume_alerts") and not isinstance(value, bool):
            problems.append(Problem(key, "must be true or false"))
    return problems


def check_subscription(
    body: Any, base: PreferencesInput, vocabulary: Vocabulary
) -> SubscriptionChange | list[Problem]:
    """``body`` applied over ``base``, checked; every problem found, each naming its field."""
    if not isinstance(body, dict):
        return [Problem("body", "must be a JSON object")]
    problems = _type_problems(body)
    if problems:
        return problems
    # The subscriber's own name is not the API's to change: the preference rules check the
    # subscription's name with the same text rule, in the ``name`` field.
    changes = {k: v for k, v in body.items() if k != "paused"}
    given = replace(base, **changes)
    result = check_preferences(given, vocabulary)
    if isinstance(result, list):
        return result
    paused = body.get("paused")
    return SubscriptionChange(name=result.name, preferences=result, paused=paused)


def base_input(email: str, time_zone: str) -> PreferencesInput:
    """The defaults a new subscription starts from (the subscriber's address and zone)."""
    return PreferencesInput(email=email, time_zone=time_zone)
