"""What a volume alert says, in the reader's language. Pure.

``Ukraine–Latin America · Brazil: 14 stories today against a usual 3.1`` — the topic, the
country or category, the count, the day (today, yesterday, or a date) and the baseline's
mean, each number written for the locale (``3,1`` in Spanish and Portuguese).
"""

from __future__ import annotations

from datetime import date, timedelta

from babel.numbers import format_decimal

from monitor.notify.labels import category_label, country_name
from monitor.notify.wording import Words
from monitor.trends.spikes import VolumeVerdict
from monitor.trends.volumes import COUNTRY
from monitor.trends.watch import VolumeKey


def subject_name(key: VolumeKey, language: str) -> str:
    """The country's or category's name in ``language``."""
    if key.kind == COUNTRY:
        return country_name(key.name, language)
    return category_label(key.name, language)


def volume_heading(
    verdict: VolumeVerdict, *, topic_name: str, today: date, w: Words, subject: str | None = None
) -> str:
    """The one line that says what is unusual, in ``w``'s language (``subject``: what it is
    about when the key does not say it, a stored query's text)."""
    key = VolumeKey.parse(verdict.key)
    if verdict.day == today:
        when = w.text("email.volume.today")
    elif verdict.day == today - timedelta(days=1):
        when = w.text("email.volume.yesterday")
    else:
        when = w.text("email.volume.on_day", day=verdict.day.isoformat())
    message = "email.volume.silence" if verdict.kind == "silence" else "email.volume.spike"
    return w.text(
        message,
        topic=topic_name,
        subject=subject if subject is not None else subject_name(key, w.language),
        count=w.count("email.digest.stories", verdict.observed),
        when=when,
        usual=format_decimal(verdict.expected, format="0.0", locale=w.language),
    )
