"""The workspace in English, Spanish, Portuguese and Ukrainian; times in the reader's zone."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from monitor.store.db import transaction
from monitor.store.subscribers import get_subscriber
from monitor.timelines.model import KINDS, PEACE_VALUES, STANCES, VOTE_VALUES
from monitor.web.workspace import i18n
from tests import PROJECT_ROOT
from tests.web.helpers import person
from tests.web.workspace.conftest import Run
from tests.web.workspace.site import Site, csrf_of

KEY_USE = re.compile(r"""\bt\(\s*['"]([a-z_]+\.[a-z_0-9]+)['"]""")


def test_every_catalog_has_exactly_the_english_keys_and_is_translated() -> None:
    english = i18n.catalog("en").messages
    assert len(english) > 100
    assert set(i18n.LANGUAGES) == {"en", "es", "pt", "uk"}
    for language in (code for code in i18n.LANGUAGES if code != "en"):
        other = i18n.catalog(language).messages
        assert set(other) == set(english), set(other) ^ set(english)
        same = [key for key in english if other[key] == english[key] and len(english[key]) > 12]
        assert len(same) < len(english) // 10, same
        for key, text in english.items():  # the same {names} to fill in
            assert set(re.findall(r"\{(\w+)\}", other[key])) == set(
                re.findall(r"\{(\w+)\}", text)
            ), (language, key)


def test_every_key_the_templates_and_code_name_exists() -> None:
    sources = [
        *(PROJECT_ROOT / "monitor" / "web" / "templates").glob("*.j2"),
        *(PROJECT_ROOT / "monitor" / "web" / "workspace").glob("*.py"),
    ]
    used = {key for path in sources for key in KEY_USE.findall(path.read_text())}
    assert len(used) > 40
    # A key ending in "_" is a prefix the template completes (timeline.kind_ ~ kind): the
    # test below names every completion.
    missing = sorted(
        key for key in used if not key.endswith("_") and not i18n.catalog("en").has(key)
    )
    assert missing == []


def test_every_timeline_kind_value_stance_and_counterpart_has_its_words() -> None:
    names = [
        *(f"timeline.kind_{kind.replace('-', '_')}" for kind in KINDS),
        *(f"timeline.value_{value}" for value in (*VOTE_VALUES, *PEACE_VALUES)),
        *(f"timeline.stance_{stance}" for stance in STANCES),
        *(f"timeline.counterpart_{side}" for side in ("ukraine", "russia", "ukraine_russia")),
    ]
    for language in i18n.LANGUAGES:
        assert [n for n in names if not i18n.catalog(language).has(n)] == [], language


def test_the_language_is_the_readers_choice_else_the_browsers() -> None:
    cases = [
        (None, "es-AR,es;q=0.9,en;q=0.8", "es"),
        (None, "fr-FR,pt-BR;q=0.5,en;q=0.4", "pt"),
        (None, "de, fr", "en"),
        (None, "en;q=0, es;q=0.1", "es"),
        (None, "pt;q=abc, es;q=0.2", "es"),
        (None, None, "en"),
        ("pt", "es", "pt"),
        ("xx", "es", "es"),
        (None, "uk-UA,uk;q=0.9,ru;q=0.8", "uk"),
    ]
    for chosen, header, expected in cases:
        assert i18n.choose_language(chosen, header) == expected, (chosen, header)
    # A page opened from an email's link: the linked subscriber's language over the
    # browser's, the reader's own choice over both.
    assert i18n.choose_language(None, "en", "uk") == "uk"
    assert i18n.choose_language("pt", "en", "uk") == "pt"
    assert i18n.choose_language(None, "es", "xx") == "es"


def test_ukrainian_plurals_have_its_three_forms() -> None:
    """One for 1, 21, 101; another for 2–4, 22–24; the third for 0, 5–20, 25–30, 111–114."""
    uk = i18n.catalog("uk")
    expected = {
        1: "1 новина", 21: "21 новина", 101: "101 новина",
        2: "2 новини", 4: "4 новини", 22: "22 новини", 1202: "1202 новини",
        0: "0 новин", 5: "5 новин", 11: "11 новин", 12: "12 новин", 14: "14 новин",
        25: "25 новин", 111: "111 новин", 112: "112 новин",
    }
    for count, text in expected.items():
        assert uk.text("email.digest.stories", count=count) == text, count
    assert uk.text("email.duration.days", count=7) == "7 днів"
    assert uk.text("story.copies", count=3) == "3 копії"
    # Every plural message of every catalog has as many forms as its Plural-Forms says.
    for language in i18n.LANGUAGES:
        cat = i18n.catalog(language)
        for key in cat.plurals:
            forms = {cat.translations.ngettext(key, key, n) for n in (1, 2, 5)}
            assert "" not in forms and key not in forms, (language, key)


def test_times_are_shown_in_the_readers_zone() -> None:
    moment = datetime(2023, 12, 11, 13, 7, tzinfo=UTC)
    assert i18n.local_time(moment, ZoneInfo("America/Sao_Paulo")) == "2023-12-11 10:07 -03"
    assert i18n.local_time(moment, ZoneInfo("Pacific/Chatham")) == "2023-12-12 02:52 +1345"
    assert i18n.reader_zone("Not/AZone") == ZoneInfo("UTC")


def test_a_reader_switches_the_interface_to_spanish_and_portuguese(run: Run) -> None:
    async def body(site: Site) -> None:
        person(site.engine, "reader@example.org")
        response, page = await site.get("/signin", headers={"Accept-Language": "pt-BR"})
        assert '<html lang="pt">' in page
        await site.sign_in("reader@example.org")
        _, page = await site.get("/latest")
        for language in ("es", "pt", "en"):
            response, _ = await site.post(
                "/language", {"csrf": csrf_of(page), "language": language, "next": "/latest"}
            )
            assert response.status == 303 and response.headers["Location"] == "/latest"
            _, page = await site.get("/latest")
            assert f'<html lang="{language}">' in page
            assert i18n.catalog(language).text("latest.title") in page
            # A signed-in reader's choice is their emails' and chat messages' language too.
            with transaction(site.engine) as conn:
                stored = get_subscriber(conn, "reader@example.org")
            assert stored is not None and stored.language == language

    run(body)


def test_counts_take_each_languages_plural_form() -> None:
    expected = {
        "en": ("1 copy", "2 copies"),
        "es": ("1 copia", "2 copias"),
        "pt": ("1 cópia", "2 cópias"),
    }
    for language, (one, two) in expected.items():
        text = i18n.catalog(language).text
        assert text("story.copies", count=1) == one
        assert text("story.copies", count=2) == two
        assert text("story.copies", count=1_000_000) == f"1000000 {two.split()[1]}"


def test_every_category_of_every_default_topic_has_its_words() -> None:
    from monitor.matching.topic import load_topic

    slugs = {
        name
        for path in (PROJECT_ROOT / "seeds" / "topics").glob("*.toml")
        for name in load_topic(path).categories.names
    }
    assert {"peace-plan", "energy-nuclear"} <= slugs
    for language in i18n.LANGUAGES:
        missing = [s for s in sorted(slugs) if not i18n.catalog(language).has(f"category.{s}")]
        assert missing == [], language
