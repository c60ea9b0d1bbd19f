"""The preferences page: one form per subscription, checked by ``check_preferences``. Pure.

The page works without JavaScript. A refused form comes back with what the person typed,
a summary of the problems at the top (links to the fields) and each problem next to its
field: the field has ``aria-invalid`` and ``aria-describedby`` pointing at its message and
hint, every control has a ``<label>``. The server (``monitor.web.server``) only loads,
saves and calls these functions.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.catalogs import LANGUAGE_NAMES, LANGUAGES
from monitor.errors import Problem
from monitor.notify.labels import category_label
from monitor.notify.policy import DELIVERY_MODES
from monitor.notify.preferences import WEEKDAYS, PreferencesInput, Vocabulary

# The form's fields, in page order: name, label, hint.
_TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("time_zone", "Your time zone", "An IANA name such as America/Sao_Paulo; for all your alerts."),
    ("query", "Query", "Words that stories must contain, e.g. Zelensk* AND (Paraguay OR Uruguay). Empty: every alert."),
    ("countries", "Countries", "ISO codes separated by commas, e.g. BR, AR. Empty: any country."),
    ("languages", "Languages", "Language codes separated by commas, e.g. en, es, pt. Empty: any."),
    ("outlets", "Outlets", "Outlet names separated by commas. Empty: any outlet."),
    ("min_score", "Minimum relevance", "A number from 0 to 1. Empty: every relevant story."),
)
_DELIVERY_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("digest_time", "Digest time", "Local time HH:MM for daily and weekly digests, e.g. 08:00."),
    ("quiet", "Quiet hours", "Local times like 22:00-07:00: alerts wait until the end. Empty: none."),
    ("daily_cap", "Daily limit", "At most this many alert emails a day; the rest come in one digest. Empty: no limit."),
)
LABELS = {name: label for name, label, _ in _TEXT_FIELDS + _DELIVERY_FIELDS} | {
    "language": "Language of your emails and chat messages",
    "mode": "How often",
    "digest_weekday": "Weekly digest day",
    "categories": "Categories",
    "email": "Address",
    "name": "Name",
}
_MODE_LABELS = {
    "immediate": "Each alert as it comes",
    "hourly": "Hourly digest",
    "daily": "Daily digest",
    "weekly": "Weekly digest",
}


@dataclass(frozen=True, slots=True)
class FormState:
    """One subscription's form: the values shown, the problems of the last post, and why the
    stored subscription is not delivered (a setting that fails today's check: stored before
    a newer limit, or edited by hand)."""

    subscription_id: int
    title: str
    paused: bool
    values: Mapping[str, str | Sequence[str]]
    problems: Sequence[Problem] = ()
    not_delivered: Sequence[Problem] = ()
    topic: str = ""  # the topic's human name (``topic_choice.choice_label``); kept on save


def stored_values(subscription: Any, subscriber: Any) -> dict[str, str | Sequence[str]]:
    """A stored subscription as the form shows it."""
    filters = subscription.filters if isinstance(subscription.filters, dict) else {}
    quiet = ""
    if subscription.quiet_start and subscription.quiet_end:
        quiet = f"{subscription.quiet_start}-{subscription.quiet_end}"
    score = filters.get("min_score")
    return {
        "time_zone": subscriber.time_zone,
        "language": subscriber.language,
        "query": subscription.query or "",
        "countries": ", ".join(filters.get("countries") or []),
        "categories": list(filters.get("categories") or []),
        "languages": ", ".join(filters.get("languages") or []),
        "outlets": ", ".join(filters.get("outlets") or []),
        "min_score": "" if score is None else f"{score:g}",
        "mode": subscription.mode,
        "digest_time": subscription.digest_time,
        "digest_weekday": str(subscription.digest_weekday),
        "quiet": quiet,
        "daily_cap": "" if subscription.daily_cap is None else str(subscription.daily_cap),
    }


def posted_values(form: Mapping[str, Sequence[str]]) -> dict[str, str | Sequence[str]]:
    """The fields of a posted form, exactly as typed (``form``: name → values)."""
    values: dict[str, str | Sequence[str]] = {}
    for name in LABELS:
        given = list(form.get(name, []))
        values[name] = given if name == "categories" else (given[0] if given else "")
    return values


def posted_input(
    values: Mapping[str, str | Sequence[str]], subscriber: Any, *, topic: str | None = None
) -> PreferencesInput:
    """Posted values as preferences input; the address and name are the subscriber's own,
    and the topic the stored subscription's (the page does not change it)."""

    def text(name: str) -> str:
        value = values.get(name, "")
        return value if isinstance(value, str) else ",".join(value)

    categories = values.get("categories", ())
    return PreferencesInput(
        email=subscriber.email,
        name=subscriber.display_name,
        time_zone=text("time_zone"),
        language=text("language") or subscriber.language,
        query=text("query"),
        topic=topic,
        countries=text("countries"),
        categories=[categories] if isinstance(categories, str) else list(categories),
        languages=text("languages"),
        outlets=text("outlets"),
        min_score=text("min_score"),
        mode=text("mode"),
        digest_time=text("digest_time"),
        digest_weekday=text("digest_weekday"),
        quiet=text("quiet"),
        daily_cap=text("daily_cap"),
    )


def render_preferences(
    action: str, forms: Sequence[FormState], vocabulary: Vocabulary, *, saved: int | None = None
) -> str:
    """The page body: a notice after a save, then one section per subscription."""
    parts: list[str] = []
    if saved is not None:
        parts.append(f"<p role='status'><strong>Saved.</strong> Subscription {saved} was updated.</p>")
    if not forms:
        parts.append("<p>No subscriptions.</p>")
    parts.extend(_section(action, form, vocabulary) for form in forms)
    return "".join(parts)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _section(action: str, form: FormState, vocabulary: Vocabulary) -> str:
    sid = form.subscription_id
    prefix = f"s{sid}-"
    errors = {p.field: p.message for p in form.problems}
    title_id = f"{prefix}title"
    toggle = "resume" if form.paused else "pause"
    out = [
        f"<section aria-labelledby='{title_id}'>",
        f"<h2 id='{title_id}' style='font-size:1.2em'>{_e(form.title or 'Alerts')}"
        f"{' (paused)' if form.paused else ''}</h2>",
        f"<form method='post' action='{_e(action)}'>"
        f"<input type='hidden' name='subscription' value='{sid}'>"
        f"<input type='hidden' name='action' value='{toggle}'>"
        f"<button type='submit'>{toggle.title()} these alerts</button></form>",
        f"<form method='post' action='{_e(action)}' novalidate>",
        f"<input type='hidden' name='subscription' value='{sid}'>",
        "<input type='hidden' name='action' value='save'>",
    ]
    if form.not_delivered:
        reasons = "".join(
            f"<li>{_e(LABELS.get(p.field, p.field))}: {_e(p.message)}</li>"
            for p in form.not_delivered
        )
        out.append(
            f"<div role='note' id='{prefix}not-delivered'><p><strong>These alerts are not "
            "being sent:</strong> a saved setting is no longer accepted, so this subscription "
            f"matches no stories until it is changed below.</p><ul>{reasons}</ul></div>"
        )
    if form.problems:
        items = "".join(
            f"<li><a href='#{prefix}{_e(p.field)}'>{_e(LABELS.get(p.field, p.field))}: "
            f"{_e(p.message)}</a></li>"
            for p in form.problems
        )
        out.append(
            f"<div role='alert' id='{prefix}problems' style='border:2px solid #b00;padding:0 1em'>"
            f"<h3 style='font-size:1em'>Nothing was saved: please fix "
            f"{'this' if len(form.problems) == 1 else 'these'}</h3><ul>{items}</ul></div>"
        )
    if form.topic:
        # Read-only here: the saved topic is kept (``posted_input``); the workspace and the
        # CLI change it.
        out.append(
            f"<p id='{prefix}topic'><strong>Topic:</strong> {_e(form.topic)}</p>"
        )
    # The subscriber's, like the time zone: saving any form sets it for all their messages.
    languages = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
    out.append(_select(prefix, "language", languages, form.values.get("language", ""), errors))
    for name, label, hint in _TEXT_FIELDS:
        out.append(_text_field(prefix, name, label, hint, form.values.get(name, ""), errors))
    out.append(_categories(prefix, form.values.get("categories", ()), vocabulary, errors))
    out.append(_select(prefix, "mode", [(m, _MODE_LABELS[m]) for m in DELIVERY_MODES],
                       form.values.get("mode", ""), errors))
    weekdays = [(str(n), day.title()) for n, day in enumerate(WEEKDAYS)]
    out.append(_select(prefix, "digest_weekday", weekdays,
                       form.values.get("digest_weekday", ""), errors))
    for name, label, hint in _DELIVERY_FIELDS:
        out.append(_text_field(prefix, name, label, hint, form.values.get(name, ""), errors))
    out.append("<p><button type='submit'>Save</button></p></form></section>")
    return "".join(out)


def _described(prefix: str, name: str, errors: Mapping[str, str], hint: bool) -> tuple[str, str]:
    """The ``aria-describedby``/``aria-invalid`` attributes and the error message element."""
    ids = [f"{prefix}{name}-hint"] if hint else []
    message = ""
    if name in errors:
        ids.insert(0, f"{prefix}{name}-error")
        message = (
            f"<span id='{prefix}{name}-error' style='display:block;color:#b00'>"
            f"<strong>Error:</strong> {_e(errors[name])}</span>"
        )
    attributes = f" aria-describedby='{' '.join(ids)}'" if ids else ""
    if name in errors:
        attributes += " aria-invalid='true'"
    return attributes, message


def _text_field(
    prefix: str, name: str, label: str, hint: str, value: object, errors: Mapping[str, str]
) -> str:
    shown = value if isinstance(value, str) else ", ".join(str(v) for v in value)  # type: ignore[attr-defined]
    attributes, message = _described(prefix, name, errors, hint=True)
    return (
        f"<p><label for='{prefix}{name}'>{_e(label)}</label><br>"
        f"<span id='{prefix}{name}-hint' style='display:block;font-size:.9em'>{_e(hint)}</span>"
        f"{message}<input type='text' id='{prefix}{name}' name='{name}' value='{_e(shown)}'"
        f" size='40'{attributes}></p>"
    )


def _select(
    prefix: str, name: str, options: Sequence[tuple[str, str]], value: object,
    errors: Mapping[str, str],
) -> str:
    attributes, message = _described(prefix, name, errors, hint=False)
    rendered = "".join(
        f"<option value='{_e(v)}'{' selected' if v == value else ''}>{_e(text)}</option>"
        for v, text in options
    )
    return (
        f"<p><label for='{prefix}{name}'>{_e(LABELS[name])}</label><br>{message}"
        f"<select id='{prefix}{name}' name='{name}'{attributes}>{rendered}</select></p>"
    )


def _categories(
    prefix: str, chosen: object, vocabulary: Vocabulary, errors: Mapping[str, str]
) -> str:
    picked = {chosen} if isinstance(chosen, str) else set(chosen)  # type: ignore[call-overload]
    attributes, message = _described(prefix, "categories", errors, hint=False)
    boxes = "".join(
        f"<label style='display:block'><input type='checkbox' name='categories' "
        f"value='{_e(c)}'{' checked' if c in picked else ''}> {_e(category_label(c))}</label>"
        for c in vocabulary.categories
    )
    return (
        f"<fieldset id='{prefix}categories'{attributes}><legend>Categories "
        f"(none ticked: every category)</legend>{message}{boxes}</fieldset>"
    )
