"""Emails in the reader's language (en, es, pt, uk): one alert, one digest and the
confirmation in each, through the real mailer to the real SMTP sink, on SQLite and
PostgreSQL, checked for the translated words, the locale's date format and the same safety
as the English emails (no header injected by a hostile feed or name, HTML escaped)."""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.catalogs import LANGUAGES, catalog, checked_language
from monitor.notify.compose import compose_confirmation, compose_digest
from monitor.notify.messages import DigestEntry
from monitor.notify.policy import DeliverySettings, digest_period
from monitor.notify.wording import format_moment, period_words
from tests import PROJECT_ROOT
from tests.notify.helpers import NOW, RECIPIENT, SENDER, body, make_links, make_story, parse
from tests.notify.injection import (
    ALERT_HEADERS,
    EMAIL_HEADERS,
    HOSTILE_NAME,
    HOSTILE_NAME_READ,
    read_clean_email,
    subject_read,
)
from tests.notify.test_mailer import dev_items, ingest, run_pass, subscribe, world  # noqa: F401
from tests.stream.test_handler import MENAFN, RIO

SAO_PAULO = "America/Sao_Paulo"
# A headline that tries to open HTML in the email (and a header, through the name).
HOSTILE_TITLE = "Ukraine's <script>alert(1)</script> New Diplomatic Horizon & Latin America"

# What each language must say (the words a reader sees, not the catalog's ids).
WORDS = {
    "en": {
        "new": "New story for",
        "why": "Why it matched:",
        "category": "Peace plan",
        "read": "Read the story",
        "read_text": "Read: https://",
        "unsubscribe": "Unsubscribe",
        "date": "Mon, 11 Dec 2023, 10:07 UTC-03",
        "digest": "Daily digest",
        "stories": "stories",
    },
    "es": {
        "new": "Nueva noticia para",
        "why": "Por qué coincide:",
        "category": "Plan de paz",
        "read": "Leer la noticia",
        "read_text": "Leer: https://",
        "unsubscribe": "Darse de baja",
        "date": "lun, 11 de dic de 2023, 10:07 UTC-03",
        "digest": "Resumen diario",
        "stories": "noticias",
    },
    "pt": {
        "new": "Nova notícia para",
        "why": "Por que corresponde:",
        "category": "Plano de paz",
        "read": "Ler a notícia",
        "read_text": "Ler: https://",
        "unsubscribe": "Cancelar assinatura",
        "date": "seg., 11 de dez. de 2023, 10:07 UTC-03",
        "digest": "Resumo diário",
        "stories": "notícias",
    },
    "uk": {
        "new": "Свіжа новина для",
        "why": "Чому відповідає:",
        "category": "Мирний план",
        "read": "Читати новину",
        "read_text": "Читати: https://",
        "unsubscribe": "Відписатися",
        "date": "пн, 11 груд. 2023 р., 10:07 UTC-03",
        "digest": "Щоденний дайджест",
        # Ukrainian has three plural forms: 1 новина, 3 новини, 5 новин.
        "stories": "новина|новини|новин",
    },
}


def hostile_copies() -> list[Any]:
    """The founding example (The Rio Times and MENAFN's copy of it, one story) with a
    headline that tries to open HTML in both copies, and the other items of both feeds."""
    return [
        dataclasses.replace(item, title=HOSTILE_TITLE) if "Diplomatic Horizon" in item.title
        else item
        for item in RIO + MENAFN
    ]


def _parts(message: Any) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_immediate_alert_arrives_in_the_readers_language_and_clean(
    world: Any, language: str  # noqa: F811
) -> None:
    settings, engine, sink = world
    subscribe(
        engine,
        f"{language}@example.org",
        tz=SAO_PAULO,
        mode="immediate",
        language=language,
        display_name=HOSTILE_NAME,
        name=HOSTILE_NAME,
    )
    ingest(engine, hostile_copies())
    assert run_pass(settings, engine) == 1
    (got,) = sink.received
    message = read_clean_email(got.data, f"{language}@example.org", ALERT_HEADERS)
    assert message["To"].addresses[0].display_name == HOSTILE_NAME_READ
    words = WORDS[language]
    text, html = _parts(message)
    assert subject_read(message).startswith("[monitor] Ukraine's <script>")  # as published
    for part in (text, html):
        unwrapped = " ".join(part.split())  # plain text is wrapped at 72 columns
        for key in ("new", "why", "category", "unsubscribe", "date"):
            assert words[key] in unwrapped, (language, key)
    assert words["read"] in html and words["read_text"] in text
    if language != "en":
        assert WORDS["en"]["new"] not in text and WORDS["en"]["why"] not in html
    # HTML: the title, the name filled into a translated sentence, all escaped.
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<bdi>Desk Bcc: victim@evil.example X-Injected: name</bdi>" in html
    assert f'<html lang="{language}">' in html
    assert "<script>alert(1)</script> New Diplomatic" in text  # plain text as published


@pytest.mark.parametrize("language", ["es", "pt", "uk"])
def test_a_daily_digest_arrives_in_the_readers_language_with_its_dates_and_numbers(
    world: Any, language: str  # noqa: F811
) -> None:
    settings, engine, sink = world
    subscribe(
        engine, f"{language}@example.org", tz=SAO_PAULO, mode="daily", digest_time="08:00",
        language=language, name="Mesa <b>LatAm</b>",
    )
    noon = datetime(2026, 3, 27, 15, 0, tzinfo=UTC)
    ingest(engine, dev_items(), now=noon)
    due = datetime(2026, 3, 28, 11, 0, tzinfo=UTC)  # 08:00 in São Paulo
    assert run_pass(settings, engine, now=due) == 1
    (got,) = sink.received
    message = read_clean_email(got.data, f"{language}@example.org", ALERT_HEADERS)
    words = WORDS[language]
    day = {"es": "28 de mar de 2026", "pt": "28 de mar. de 2026", "uk": "28 бер. 2026 р."}[language]
    subject = subject_read(message)
    found = re.fullmatch(
        rf"\[monitor\] {words['digest']}: (\d+) ({words['stories']}) \({re.escape(day)}\)", subject
    )
    assert found is not None, subject
    count, stories = int(found.group(1)), found.group(2)
    assert count >= 3
    if language == "uk":  # the form the count asks for
        assert stories == ("новини" if count % 10 in (2, 3, 4) and count % 100 not in (12, 13, 14)
                           else "новина" if count % 10 == 1 and count % 100 != 11 else "новин")
    text, html = _parts(message)
    for part in (text, html):
        assert f"{count} {stories}:" in part  # the summary, pluralized
        assert words["why"] in part and words["unsubscribe"] in part
        assert "Daily digest" not in part and "Why it matched" not in part
    assert "Mesa &lt;b&gt;LatAm&lt;/b&gt;" in html and "<b>LatAm" not in html
    # Each group heading names a category in the language, with its count.
    headings = re.findall(r"== (.+?) \((\d+)\) ==", text)
    assert headings and sum(int(n) for _, n in headings) == count
    names = {catalog(language).text(f"category.{c}") for c in ("peace-plan", "summit-visit",
             "trade-economy", "security-military", "un-multilateral", "humanitarian", "other")}
    assert all(name in names for name, _ in headings), headings


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_confirmation_email_is_in_the_readers_language(language: str) -> None:
    recipient = dataclasses.replace(RECIPIENT, language=language, display_name=HOSTILE_NAME)
    message = compose_confirmation(
        recipient, "https://monitor.example.org/c/abc", subscription_name=HOSTILE_NAME,
        sender=SENDER, now=NOW,
    )
    data = bytes(message)
    clean = read_clean_email(data, RECIPIENT.email, EMAIL_HEADERS)
    subject = {"en": "Confirm your subscription", "es": "Confirma tu suscripción",
               "pt": "Confirme sua assinatura", "uk": "Підтвердьте підписку"}[language]
    valid = {"en": "7 days", "es": "7 días", "pt": "7 dias", "uk": "7 днів"}[language]
    assert subject_read(clean) == f"[monitor] {subject}: {HOSTILE_NAME_READ}"
    text, html = _parts(clean)
    assert valid in text and valid in html
    assert "<strong><bdi>Desk Bcc: victim@evil.example X-Injected: name</bdi></strong>" in html


def test_dates_numbers_and_digest_names_follow_the_locale() -> None:
    moment = datetime(2026, 11, 27, 12, 5, tzinfo=UTC)
    kyiv = ZoneInfo("Europe/Kyiv")
    assert format_moment(moment, kyiv, "en") == "Fri, 27 Nov 2026, 14:05 EET"
    assert format_moment(moment, kyiv, "es") == "vie, 27 de nov de 2026, 14:05 EET"
    assert format_moment(moment, kyiv, "pt") == "sex., 27 de nov. de 2026, 14:05 EET"
    assert format_moment(moment, kyiv, "uk") == "пт, 27 лист. 2026 р., 14:05 EET"
    assert period_words("weekly", moment, kyiv, "uk") == (
        "Щотижневий дайджест", "тиждень до 27 лист. 2026 р.")
    assert period_words("weekly", moment, kyiv, "en") == ("Weekly digest", "week to 2026-11-27")
    assert period_words("weekly", moment, kyiv, "pt") == ("Resumo semanal", "semana até 27 de nov. de 2026")
    assert period_words("hourly", moment, kyiv, "es") == ("Resumen por hora", "27 de nov de 2026, 14:05")
    settings = DeliverySettings(mode="daily", time_zone=SAO_PAULO)
    period = digest_period(settings, datetime(2026, 11, 27, 11, 0, tzinfo=UTC))
    stories = [make_story(story_id=n, countries=()) for n in range(1, 1203)]
    entries = [DigestEntry(story, "peace") for story in stories]
    digest = compose_digest(
        entries, dataclasses.replace(RECIPIENT, language="es"), period=period,
        subscription_name="Mesa", links=make_links(), sender=SENDER, list_id="x.example.org", now=NOW,
    )
    assert parse(digest)["Subject"] == "[monitor] Resumen diario: 1.202 noticias (27 de nov de 2026)"
    text = body(digest, "plain")
    assert "Se muestran las 100 más recientes." in text and "-- Otro país o ninguno --" in text
    assert "relevancia 0,91" in text
    in_ukrainian = compose_digest(
        entries, dataclasses.replace(RECIPIENT, language="uk"), period=period,
        subscription_name="Стіл", links=make_links(), sender=SENDER, list_id="x.example.org", now=NOW,
    )
    # CLDR writes Ukrainian thousands with a no-break space; a header has plain spaces only.
    assert parse(in_ukrainian)["Subject"] == (
        "[monitor] Щоденний дайджест: 1 202 новини (27 лист. 2026 р.)"
    )
    text = body(in_ukrainian, "plain")
    assert "1\xa0202 новини:" in text
    assert "Показано 100 найновіших." in text and "-- Інша країна або без країни --" in text
    assert "релевантність 0,91" in text


def test_an_unknown_language_is_refused_with_the_choices() -> None:
    assert checked_language(" ES ") == "es" and checked_language("") == "en"
    assert checked_language("UK") == "uk"
    with pytest.raises(ValueError, match=r"unknown language 'fr': choose one of en, es, pt, uk "):
        checked_language("fr")


def test_every_message_the_emails_and_chats_name_is_in_every_catalog() -> None:
    used_by = re.compile(r"""(?:text|html|count|raw)\(\s*["']((?:email|chat)\.[a-z_.]+)["']""")
    sources = [
        *(PROJECT_ROOT / "monitor" / "notify" / "templates").glob("*.j2"),
        *(PROJECT_ROOT / "monitor" / "notify").glob("*.py"),
        *(PROJECT_ROOT / "monitor" / "delivery").glob("*.py"),
    ]
    used = {key for path in sources for key in used_by.findall(path.read_text())}
    assert len(used) > 40, used
    for language in LANGUAGES:
        assert sorted(k for k in used if not catalog(language).has(k)) == [], language
