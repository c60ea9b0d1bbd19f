"""The pages a subscriber reaches from an email's links speak the subscriber's language, against
the real server on SQLite and PostgreSQL: confirm, unsubscribe, preferences, the expired and
invalid link pages and the workspace's sign-in landing. The token names the subscriber, so
their stored language wins over the browser's; only a link naming nobody falls back to the
browser's ``Accept-Language``. Values stay escaped in every language."""

from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from monitor.notify.tokens import make_token
from monitor.store.db import transaction
from monitor.store.subscribers import add_subscriber, add_subscription, get_subscriber
from monitor.web.workspace.signin import issue_sign_in_link

from .helpers import call

# The browser asks for English: the subscriber's language must still win.
ENGLISH_BROWSER = {"Accept-Language": "en-US,en;q=0.9"}
HOSTILE = "<b>Mesa</b> & <script>alert(1)</script>"

WORDS = {
    "es": {
        "confirm_title": "Confirma tu suscripción",
        "confirm_button": "Confirmar mi suscripción",
        "confirmed": "Suscripción confirmada",
        "unsubscribe_question": "¿Dejar de recibir estos correos de alertas?",
        "unsubscribe_button": "Darme de baja",
        "unsubscribed": "Ya no recibirás estos correos.",
        "preferences_title": "Tus preferencias de alertas",
        "category": "Humanitaria",
        "weekday": "viernes",
        "mode": "Resumen semanal",
        "save": "Guardar",
        "refused": "No se guardó nada: corrija estos campos.",
        "unknown_zone": "zona horaria desconocida",
        "query_at": "(en la posición",
        "error": "Error:",
        "paused": "(en pausa)",
        "resume": "Reanudar estas alertas",
        "expired": "Los enlaces de preferencias funcionan durante 60 días.",
        "invalid": "Este enlace no es válido",
        "sign_in": "Entrar en monitor",
    },
    "uk": {
        "confirm_title": "Підтвердьте підписку",
        "confirm_button": "Підтвердити мою підписку",
        "confirmed": "Підписку підтверджено",
        "unsubscribe_question": "Припинити ці листи зі сповіщеннями?",
        "unsubscribe_button": "Відписатися",
        "unsubscribed": "Ви більше не отримуватимете цих листів.",
        "preferences_title": "Налаштування ваших сповіщень",
        "category": "Гуманітарна сфера",
        "weekday": "П’ятниця",
        "mode": "Щотижневий дайджест",
        "save": "Зберегти",
        "refused": "Нічого не збережено: виправте ці поля.",
        "unknown_zone": "невідомий часовий пояс",
        "query_at": "(у позиції",
        "error": "Помилка:",
        "paused": "(призупинено)",
        "resume": "Відновити ці сповіщення",
        "expired": "Посилання на налаштування діють 60 днів.",
        "invalid": "Це посилання недійсне",
        "sign_in": "Вхід до monitor",
    },
}
ENGLISH = [
    "Confirm my subscription",
    "Stop these alert emails?",
    "Your alert preferences",
    "This link has expired",
    "Sign in to monitor",
    "Save",
]


def reader(
    engine: Any, language: str, *, confirmed: bool = True, since: datetime | None = None
) -> tuple[int, int]:
    """A subscriber writing in ``language`` with one subscription, both stored at ``since``
    (a token acts only on rows that existed when it was issued)."""
    now = since or datetime.now(UTC)
    with transaction(engine) as conn:
        pid, _ = add_subscriber(
            conn,
            f"{language}@example.org",
            language=language,
            time_zone="Europe/Kyiv",
            confirmed=confirmed,
            now=now,
        )
        sid = add_subscription(conn, pid, now=now, name=HOSTILE, filters={"countries": ["PY"]})
    return pid, sid


def post(url: str, form: list[tuple[str, str]]) -> tuple[int, str]:
    return call(url, urllib.parse.urlencode(form).encode(), headers=ENGLISH_BROWSER)


def no_english(page: str) -> None:
    assert [words for words in ENGLISH if f">{words}<" in page] == []


@pytest.mark.parametrize("language", ["es", "uk"])
def test_confirm_and_unsubscribe_pages_speak_the_subscribers_language(
    web: Any, language: str
) -> None:
    settings, engine, base = web
    words = WORDS[language]
    pid, sid = reader(engine, language, confirmed=False)
    now = datetime.now(UTC)
    confirm = make_token(settings.token_key(), "confirm", pid, None, now)
    status, page = call(f"{base}/c/{confirm}", headers=ENGLISH_BROWSER)
    assert status == 200 and f"<html lang='{language}'>" in page
    assert f"<title>{words['confirm_title']}</title>" in page
    assert f">{words['confirm_button']}</button>" in page
    no_english(page)
    status, page = post(f"{base}/c/{confirm}", [])
    assert status == 200 and words["confirmed"] in page and f"lang='{language}'" in page
    with transaction(engine) as conn:
        person = get_subscriber(conn, pid)
    assert person is not None and person.confirmed

    unsubscribe = make_token(settings.token_key(), "unsubscribe", pid, sid, now)
    status, page = call(f"{base}/u/{unsubscribe}", headers=ENGLISH_BROWSER)
    assert status == 200 and f"<html lang='{language}'>" in page
    assert words["unsubscribe_question"] in page
    assert f">{words['unsubscribe_button']}</button>" in page
    no_english(page)
    status, page = post(f"{base}/u/{unsubscribe}", [])
    assert status == 200 and words["unsubscribed"] in page and f"lang='{language}'" in page


@pytest.mark.parametrize("language", ["es", "uk"])
def test_the_preferences_page_speaks_the_subscribers_language_and_escapes(
    web: Any, language: str
) -> None:
    settings, engine, base = web
    words = WORDS[language]
    pid, sid = reader(engine, language)
    token = make_token(settings.token_key(), "preferences", pid, None, datetime.now(UTC))
    status, page = call(f"{base}/p/{token}", headers=ENGLISH_BROWSER)
    assert status == 200 and f"<html lang='{language}'>" in page
    assert f"<title>{words['preferences_title']}</title>" in page
    for key in ("category", "weekday", "mode"):
        assert f"> {words[key]}</label>" in page or f">{words[key]}</option>" in page, key
    assert f"<button type='submit'>{words['save']}</button>" in page
    no_english(page)
    # The subscription's name is escaped in every language.
    assert "<script>alert(1)" not in page and "&lt;b&gt;Mesa&lt;/b&gt; &amp; &lt;script&gt;" in page

    # A refused form: the summary and each field's error in the language, 422.
    status, page = post(
        f"{base}/p/{token}",
        [
            ("subscription", str(sid)),
            ("action", "save"),
            ("time_zone", "Mars/Olympus"),
            ("language", language),
            ("mode", "weekly"),
            ("digest_weekday", "4"),
            ("digest_time", "08:00"),
            ("query", "<i>x</i> AND (y"),
        ],
    )
    assert status == 422 and f"<html lang='{language}'>" in page
    assert words["refused"] in page and f"<strong>{words['error']}</strong>" in page
    # … and why each setting was refused, the checker's reason in the catalog's words.
    assert words["unknown_zone"] in page and words["query_at"] in page
    assert "unknown time zone" not in page and "at position" not in page
    assert "aria-invalid='true'" in page and "value='&lt;i&gt;x&lt;/i&gt; AND (y'" in page

    # Pausing comes back to the page, which names the state and the way back.
    status, page = post(f"{base}/p/{token}", [("subscription", str(sid)), ("action", "pause")])
    assert status == 200 and words["paused"] in page and words["resume"] in page


@pytest.mark.parametrize("language", ["es", "uk"])
def test_an_expired_link_says_so_in_the_subscribers_language(web: Any, language: str) -> None:
    settings, engine, base = web
    long_ago = datetime.now(UTC) - timedelta(days=90)
    pid, _ = reader(engine, language, since=long_ago)
    stale = make_token(
        settings.token_key(), "preferences", pid, None, datetime.now(UTC) - timedelta(days=61)
    )
    status, page = call(f"{base}/p/{stale}", headers=ENGLISH_BROWSER)
    assert status == 410 and f"<html lang='{language}'>" in page
    assert WORDS[language]["expired"] in page
    no_english(page)


def test_a_link_naming_nobody_follows_the_browser() -> None:
    """(Pure: the choice the server makes before it knows a subscriber.)"""
    from monitor.web.pages import page_language

    assert page_language(None, "uk-UA,uk;q=0.9,en;q=0.5") == "uk"
    assert page_language(None, "fr-FR") == "en"
    assert page_language("uk", "es") == "uk"  # the subscriber's wins
    assert page_language("xx", "es") == "en"  # a bad stored value reads as English, as emails do


@pytest.mark.parametrize("language", ["es", "uk"])
def test_a_link_that_is_not_ours_follows_the_browsers_language(web: Any, language: str) -> None:
    _, _, base = web
    browser = {"Accept-Language": f"{language};q=0.9, en;q=0.1"}
    status, page = call(f"{base}/u/not-a-token", headers=browser)
    assert status == 400 and f"<html lang='{language}'>" in page
    assert WORDS[language]["invalid"] in page
    status, page = call(f"{base}/u/not-a-token")
    assert status == 400 and "<html lang='en'>" in page and "This link is not valid" in page


@pytest.mark.parametrize("language", ["es", "uk"])
def test_the_sign_in_link_lands_in_the_subscribers_language(web: Any, language: str) -> None:
    settings, engine, base = web
    pid, _ = reader(engine, language)
    with transaction(engine) as conn:
        _, url = issue_sign_in_link(conn, settings, pid, now=datetime.now(UTC))
    path = urllib.parse.urlsplit(url).path
    status, page = call(base + path, headers=ENGLISH_BROWSER)
    assert status == 200 and f'<html lang="{language}">' in page
    assert WORDS[language]["sign_in"] in page and "Sign in to monitor" not in page
    # A language the reader chose in this browser still wins.
    status, page = call(base + path, headers={**ENGLISH_BROWSER, "Cookie": "monitor_lang=pt"})
    assert status == 200 and '<html lang="pt">' in page
