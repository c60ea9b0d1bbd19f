"""The preferences page: one form per subscription, checked by ``check_preferences``. Pure.

The page works without JavaScript. A refused form comes back with what the person typed,
a summary of the problems at the top (links to the fields) and each problem next to its
field: the field has ``aria-invalid`` and ``aria-describedby`` pointing at its message and
hint, every control has a ``<label>``. The server (``monitor.web.server``) only loads,
saves and calls these functions.

The page is in the subscriber's language: labels, hints, choices and category names are
catalog messages (shared with the workspace's subscription form where the field is the
same), and so is why a setting was refused (the checker's ``refused.*`` message,
``catalogs.explain``).
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from monitor.catalogs import (
    LANGUAGE_NAMES,
    LANGUAGES,
    Catalog,
    catalog,
    explain,
    message_language,
)
from monitor.errors import Problem
from monitor.notify.policy import DELIVERY_MODES
from monitor.notify.wording import category_name
from monitor.subscriptions.preferences import WEEKDAYS, PreferencesInput, Vocabulary
from monitor.subscriptions.topic_choice import ALL_TOPICS, choice_label

# The form's fields, in page order: name, label and hint (catalog keys; the workspace's
# subscription form shares the words where the field is the same).
_TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("time_zone", "prefs.field_time_zone", "prefs.hint_time_zone"),
    ("query", "subs.field_query", "prefs.hint_query"),
    ("countries", "subs.field_countries", "prefs.hint_countries"),
    ("languages", "subs.field_languages", "subs.hint_languages"),
    ("outlets", "subs.field_outlets", "subs.hint_outlets"),
    ("min_score", "subs.field_min_score", "subs.hint_min_score"),
)
_DELIVERY_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("digest_time", "subs.field_digest_time", "subs.hint_digest_time"),
    ("quiet", "subs.field_quiet", "subs.hint_quiet"),
    ("daily_cap", "subs.field_daily_cap", "subs.hint_daily_cap"),
)
# Each field's label (a catalog key), also for the problems a refused form lists.
LABELS = {name: label for name, label, _ in _TEXT_FIELDS + _DELIVERY_FIELDS} | {
    "language": "prefs.language",
    "mode": "subs.field_mode",
    "digest_weekday": "subs.field_digest_weekday",
    "categories": "subs.field_categories",
    "email": "subs.field_email",
    "name": "subs.field_name",
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


def topic_shown(names: Mapping[str, str], choice: str, language: str) -> str:
    """A subscription's topic as the page shows it: the topic's name (as its file names it),
    or "All stories" in ``language`` for ``all``."""
    if choice == ALL_TOPICS:
        return catalog(message_language(language)).text("subs.topic_all")
    return choice_label(names, choice)


def render_preferences(
    action: str,
    forms: Sequence[FormState],
    vocabulary: Vocabulary,
    *,
    saved: int | None = None,
    language: str = "en",
) -> str:
    """The page body in ``language``: a notice after a save, then one section per
    subscription."""
    language = message_language(language)
    t = catalog(language).text
    parts: list[str] = []
    if saved is not None:
        parts.append(
            f"<p role='status'><strong>{_e(t('prefs.saved'))}</strong> "
            f"{_e(t('prefs.saved_detail', number=saved))}</p>"
        )
    if not forms:
        parts.append(f"<p>{_e(t('prefs.none'))}</p>")
    parts.extend(_section(action, form, vocabulary, language) for form in forms)
    return "".join(parts)


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _label(cat: Catalog, field: str) -> str:
    key = LABELS.get(field)
    return cat.text(key) if key else field


def _section(action: str, form: FormState, vocabulary: Vocabulary, language: str) -> str:
    cat = catalog(language)
    t = cat.text
    sid = form.subscription_id
    prefix = f"s{sid}-"
    errors = {p.field: explain(cat, p) for p in form.problems}
    title_id = f"{prefix}title"
    toggle = "resume" if form.paused else "pause"
    paused = f" ({t('subs.paused')})" if form.paused else ""
    out = [
        f"<section aria-labelledby='{title_id}'>",
        f"<h2 id='{title_id}' style='font-size:1.2em'>{_e(form.title or t('prefs.untitled'))}"
        f"{_e(paused)}</h2>",
        f"<form method='post' action='{_e(action)}'>"
        f"<input type='hidden' name='subscription' value='{sid}'>"
        f"<input type='hidden' name='action' value='{toggle}'>"
        f"<button type='submit'>{_e(t(f'prefs.{toggle}'))}</button></form>",
        f"<form method='post' action='{_e(action)}' novalidate>",
        f"<input type='hidden' name='subscription' value='{sid}'>",
        "<input type='hidden' name='action' value='save'>",
    ]
    if form.not_delivered:
        reasons = "".join(
            f"<li>{_e(_label(cat, p.field))}: {_e(explain(cat, p))}</li>"
            for p in form.not_delivered
        )
        out.append(
            f"<div role='note' id='{prefix}not-delivered'><p><strong>"
            f"{_e(t('prefs.not_sent_title'))}</strong> {_e(t('prefs.not_sent'))}</p>"
            f"<ul>{reasons}</ul></div>"
        )
    if form.problems:
        items = "".join(
            f"<li><a href='#{prefix}{_e(p.field)}'>{_e(_label(cat, p.field))}: "
            f"{_e(explain(cat, p))}</a></li>"
            for p in form.problems
        )
        out.append(
            f"<div role='alert' id='{prefix}problems' style='border:2px solid #b00;padding:0 1em'>"
            f"<h3 style='font-size:1em'>{_e(t('subs.refused'))}</h3><ul>{items}</ul></div>"
        )
    if form.topic:
        # Read-only here: the saved topic is kept (``posted_input``); the workspace and the
        # CLI change it.
        out.append(
            f"<p id='{prefix}topic'><strong>{_e(t('email.story.topic'))}</strong> "
            f"{_e(form.topic)}</p>"
        )
    # The subscriber's, like the time zone: saving any form sets it for all their messages.
    languages = [(code, LANGUAGE_NAMES[code]) for code in LANGUAGES]
    out.append(_select(cat, prefix, "language", languages, form.values.get("language", ""), errors))
    for name, label, hint in _TEXT_FIELDS:
        out.append(
            _text_field(prefix, name, t(label), t(hint), form.values.get(name, ""), errors, cat)
        )
    out.append(_categories(prefix, form.values.get("categories", ()), vocabulary, errors, cat))
    modes = [(m, t(f"mode.{m}")) for m in DELIVERY_MODES]
    out.append(_select(cat, prefix, "mode", modes, form.values.get("mode", ""), errors))
    weekdays = [(str(n), t(f"subs.weekday_{day}")) for n, day in enumerate(WEEKDAYS)]
    out.append(
        _select(
            cat, prefix, "digest_weekday", weekdays, form.values.get("digest_weekday", ""), errors
        )
    )
    for name, label, hint in _DELIVERY_FIELDS:
        out.append(
            _text_field(prefix, name, t(label), t(hint), form.values.get(name, ""), errors, cat)
        )
    out.append(f"<p><button type='submit'>{_e(t('prefs.save'))}</button></p></form></section>")
    return "".join(out)


def _described(
    prefix: str, name: str, errors: Mapping[str, str], hint: bool, cat: Catalog
) -> tuple[str, str]:
    """The ``aria-describedby``/``aria-invalid`` attributes and the error message element."""
    ids = [f"{prefix}{name}-hint"] if hint else []
    message = ""
    if name in errors:
        ids.insert(0, f"{prefix}{name}-error")
        message = (
            f"<span id='{prefix}{name}-error' style='display:block;color:#b00'>"
            f"<strong>{_e(cat.text('common.error'))}</strong> {_e(errors[name])}</span>"
        )
    attributes = f" aria-describedby='{' '.join(ids)}'" if ids else ""
    if name in errors:
        attributes += " aria-invalid='true'"
    return attributes, message


def _text_field(
    prefix: str,
    name: str,
    label: str,
    hint: str,
    value: object,
    errors: Mapping[str, str],
    cat: Catalog,
) -> str:
    shown = value if isinstance(value, str) else ", ".join(str(v) for v in value)  # type: ignore[attr-defined]
    attributes, message = _described(prefix, name, errors, True, cat)
    return (
        f"<p><label for='{prefix}{name}'>{_e(label)}</label><br>"
        f"<span id='{prefix}{name}-hint' style='display:block;font-size:.9em'>{_e(hint)}</span>"
        f"{message}<input type='text' id='{prefix}{name}' name='{name}' value='{_e(shown)}'"
        f" size='40'{attributes}></p>"
    )


def _select(
    cat: Catalog,
    prefix: str,
    name: str,
    options: Sequence[tuple[str, str]],
    value: object,
    errors: Mapping[str, str],
) -> str:
    attributes, message = _described(prefix, name, errors, False, cat)
    rendered = "".join(
        f"<option value='{_e(v)}'{' selected' if v == value else ''}>{_e(text)}</option>"
        for v, text in options
    )
    return (
        f"<p><label for='{prefix}{name}'>{_e(_label(cat, name))}</label><br>{message}"
        f"<select id='{prefix}{name}' name='{name}'{attributes}>{rendered}</select></p>"
    )


def _categories(
    prefix: str,
    chosen: object,
    vocabulary: Vocabulary,
    errors: Mapping[str, str],
    cat: Catalog,
) -> str:
    picked = {chosen} if isinstance(chosen, str) else set(chosen)  # type: ignore[call-overload]
    attributes, message = _described(prefix, "categories", errors, False, cat)
    boxes = "".join(
        f"<label style='display:block'><input type='checkbox' name='categories' "
        f"value='{_e(c)}'{' checked' if c in picked else ''}> "
        f"{_e(category_name(c, cat.language))}</label>"
        for c in vocabulary.categories
    )
    return (
        f"<fieldset id='{prefix}categories'{attributes}><legend>"
        f"{_e(cat.text('prefs.categories'))}</legend>{message}{boxes}</fieldset>"
    )
