"""normalize_entry and its parts: text, sanitized HTML, dates, language, outlets."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from typing import Any

import pytest
from sqlalchemy import String

from monitor.feeds.html_text import html_to_text
from monitor.feeds.normalize import MAX_TEXT_CHARS, normalize_entry, resolve_published
from monitor.feeds.sanitize import sanitize_html
from monitor.language import detect_language, language_from_tag, resolve_language
from monitor.models import FeedItem
from tests.feeds.feed_samples import FETCHED_AT, dev_items, entry, fixture_items


def normalize(**fields: Any) -> FeedItem:
    return normalize_entry(
        entry(**fields),
        feed_url="https://feed.example/rss",
        outlet="Example",
        feed_lang=None,
        fetched_at=FETCHED_AT,
    )


# ---------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("fragment", "text"),
    [
        (
            "Ukraine&#8217;s &#8220;peace&#8221; plan &#8211; explained",
            "Ukraine’s “peace” plan – explained",
        ),
        ("<p>First paragraph.</p><p>This [&#8230;]</p>", "First paragraph. This"),
        ("<p>Excerpt ends here [...]</p>", "Excerpt ends here"),
        (
            "<p>Body.</p><p>The post <a href='x'>Headline</a> appeared first on <a href='y'>Rio Times</a>.</p>",
            "Body.",
        ),
        ("<p>Body text</p><p><a href='x'>Continue reading →</a></p>", "Body text"),
        ("<p>Leia mais</p>", ""),
        ("one<br>two<br/>three", "one two three"),
        ("<ul><li>a</li><li>b</li></ul>", "a b"),
        ("<h2>Head</h2>Body", "Head Body"),
        ("<script>var x = 1;</script>Visible<style>p{}</style> text", "Visible text"),
        ("<noscript>enable js</noscript>Seen", "Seen"),
        ("<iframe src='https://x.example/'>Story text <svg>continues", "Story text continues"),
        ("AT&amp;amp;T and &amp;#8217;", "AT&T and ’"),  # escaped twice
        ("5 &lt; 6 &amp; 7 &gt; 3", "5 < 6 & 7 > 3"),
        ("non&nbsp;breaking\u00a0space", "non breaking space"),
        ("zero\u200bwidth soft\u00adhyphen", "zerowidth softhyphen"),
        ("  lots \n\n of \t whitespace  ", "lots of whitespace"),
        ("", ""),
        ("<p>unclosed <b>bold", "unclosed bold"),
    ],
)
def test_html_to_text(fragment: str, text: str) -> None:
    assert html_to_text(fragment) == text


# ---------------------------------------------------------------- sanitized html


@pytest.mark.parametrize(
    ("fragment", "html"),
    [
        ("<p>Hi <em>there</em> <strong>you</strong></p>", "<p>Hi <em>there</em> <strong>you</strong></p>"),
        ("<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote>", "<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote>"),
        ("<h2>Head</h2><div>Body</div>", "<p>Head</p><p>Body</p>"),  # blocks keep their breaks
        ("<p onclick='x()' class='c' style='color:red'>x</p>", "<p>x</p>"),
        ("<script>alert(1)</script>ok", "ok"),
        ("<style>p{}</style><iframe src='https://e'>f</iframe><object>o</object><embed src='e'>ok", "ok"),
        ("<img src='x' onerror='alert(1)'>ok", "ok"),
        ("<a href='javascript:alert(1)'>x</a>", '<a rel="noopener noreferrer nofollow">x</a>'),
        ("<a href='data:text/html,hi'>x</a>", '<a rel="noopener noreferrer nofollow">x</a>'),
        ("<a href='https://ok.example/a'>x</a>", '<a href="https://ok.example/a" rel="noopener noreferrer nofollow">x</a>'),
        ("<a href='/relative'>x</a>", '<a href="https://base.example/relative" rel="noopener noreferrer nofollow">x</a>'),
        ("<a href=''>x</a><a href='#top'>y</a>", '<a rel="noopener noreferrer nofollow">x</a><a rel="noopener noreferrer nofollow">y</a>'),
        ("<!-- comment -->text", "text"),
    ],
)  # fmt: skip
def test_sanitize_html(fragment: str, html: str) -> None:
    assert sanitize_html(fragment, base_url="https://base.example/page") == html


def test_relative_links_are_dropped_without_a_base() -> None:
    assert sanitize_html("<a href='/x'>x</a>") == '<a rel="noopener noreferrer nofollow">x</a>'
    assert (
        sanitize_html("<a href='/x'>x</a>", base_url="javascript:alert(1)//")
        == '<a rel="noopener noreferrer nofollow">x</a>'
    )


def test_a_base_url_nh3_refuses_drops_relative_links_instead_of_failing() -> None:
    html = sanitize_html("<a href='/x'>x</a><p>kept</p>", base_url="https://%bad.example/")
    assert html == '<a rel="noopener noreferrer nofollow">x</a><p>kept</p>'


def test_sanitized_html_is_capped_and_stays_well_formed() -> None:
    fragment = "".join(
        f"<p>Paragraph {n} with <a href='https://x.example/{n}'>a link</a>.</p>"
        for n in range(2000)
    )
    html = sanitize_html(fragment, max_bytes=5000)
    assert 4000 < len(html.encode()) <= 5000

    class Balance(HTMLParser):
        depth = 0

        def handle_starttag(self, tag: str, attrs: object) -> None:
            self.depth += 1

        def handle_endtag(self, tag: str) -> None:
            self.depth -= 1

    checker = Balance()
    checker.feed(html)
    assert checker.depth == 0
    assert html.endswith("</p>")


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("declared", "syndicated_on", "published", "estimated"),
    [
        (
            datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
            None,
            datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
            False,
        ),
        (
            FETCHED_AT + timedelta(hours=23),
            None,
            FETCHED_AT + timedelta(hours=23),
            False,
        ),  # time zones
        (FETCHED_AT + timedelta(days=2), None, FETCHED_AT, True),  # absurd future
        (datetime(2099, 1, 1, tzinfo=UTC), None, FETCHED_AT, True),
        (datetime(1970, 1, 1, tzinfo=UTC), None, FETCHED_AT, True),  # before feeds existed
        (None, None, FETCHED_AT, True),
        (None, date(2024, 5, 10), datetime(2024, 5, 10, tzinfo=UTC), True),  # MENAFN trailer
        (None, date(2030, 1, 1), FETCHED_AT, True),  # a trailer from the future is ignored
        (
            datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
            date(2024, 5, 10),
            datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
            False,
        ),
        (
            datetime(2024, 1, 2, 3, 4),
            None,
            datetime(2024, 1, 2, 3, 4, tzinfo=UTC),
            False,
        ),  # naive = UTC
    ],
)
def test_resolve_published(
    declared: datetime | None, syndicated_on: date | None, published: datetime, estimated: bool
) -> None:
    assert resolve_published(declared, syndicated_on, FETCHED_AT) == (published, estimated)


def test_published_is_converted_to_utc() -> None:
    from datetime import timezone

    brasilia = timezone(timedelta(hours=-3))
    published, estimated = resolve_published(
        datetime(2024, 1, 2, 9, 0, tzinfo=brasilia), None, FETCHED_AT
    )
    assert (published, published.tzinfo, estimated) == (
        datetime(2024, 1, 2, 12, 0, tzinfo=UTC),
        UTC,
        False,
    )


# ---------------------------------------------------------------- language


@pytest.mark.parametrize(
    ("tag", "language"),
    [("en-US", "en"), ("pt_BR", "pt"), ("ES", "es"), (" en ", "en"), ("spa", "spa"), ("und", None), ("", None), (None, None), ("12", None), ("en-", None)],
)  # fmt: skip
def test_language_from_tag(tag: str | None, language: str | None) -> None:
    assert language_from_tag(tag) == language


SPANISH = (
    "La cancillería argentina confirmó este martes que el presidente recibirá al enviado ucraniano "
    "para conversar sobre la cooperación humanitaria, el comercio de granos y la posición del país "
    "en las votaciones de las Naciones Unidas sobre la guerra."
)


@pytest.mark.parametrize(
    ("declared", "text", "language"),
    [
        ("en-US", "Short English headline", "en"),
        ("pt-BR", "Zelensky", "pt"),
        (None, "Ukraine", None),  # too short to tell
        (None, "Zelensky visita Argentina", None),
        (None, SPANISH, "es"),
        ("en-US", SPANISH, "es"),  # WordPress default on a Spanish site: long text overrides
        ("es", "The envoy met the minister on Tuesday.", "es"),  # short text never overrides
        ("xx-bogus", SPANISH, "es"),
    ],
)
def test_resolve_language(declared: str | None, text: str, language: str | None) -> None:
    assert resolve_language(declared, text) == language


def test_detection_gets_every_dev_set_item_right() -> None:
    items = dev_items()
    detected = {item["id"]: detect_language(f"{item['title']}. {item['text']}") for item in items}
    wrong = {
        key: value
        for key, value in detected.items()
        if value is None or value[0] != next(i["lang"] for i in items if i["id"] == key)
    }
    assert wrong == {}
    assert len(detected) == 102


# ---------------------------------------------------------------- whole entries


def test_rio_times_original_uses_the_full_body() -> None:
    item = fixture_items("example-riotimes-feed.xml")[1]
    assert item.title == "Ukraine’s New Diplomatic Horizon In Latin America"
    assert item.text.startswith("Ukrainian President Volodymyr Zelenskiy is proactively engaging")
    assert "Background Zelenskiy’s outreach signals a shift" in item.text
    assert item.text.endswith("build a global support network.")
    assert "[…]" not in item.text
    assert (
        item.url
        == "https://www.riotimesonline.com/ukraines-new-diplomatic-horizon-in-latin-america/"
    )
    assert (item.published, item.published_estimated) == (
        datetime(2023, 12, 11, 13, 7, 44, tzinfo=UTC),
        False,
    )
    assert (item.lang, item.outlet, item.original_outlet) == ("en", "Rio Times", None)
    assert item.title_key == "ukraines new diplomatic horizon in latin america"
    assert "<h2>" not in item.html and item.html.count("<p>") == 21  # 20 paragraphs + the heading
    assert item.guid == "https://www.riotimesonline.com/?p=9990002"
    assert item.item_id.startswith("g:") and len(item.item_id) == 34


def test_menafn_copy_credits_the_rio_times_and_loses_its_marker() -> None:
    item = fixture_items("example-menafn-feed.xml")[1]
    assert item.original_outlet == "The Rio Times"
    assert item.credited_outlet == "The Rio Times"
    assert item.text.startswith("Ukrainian President Volodymyr Zelenskiy")
    assert "MENAFN" not in item.text
    assert item.title_key == fixture_items("example-riotimes-feed.xml")[1].title_key
    assert fixture_items("example-menafn-feed.xml")[2].original_outlet == "Ukrinform"


def test_menafn_trailer_dates_an_undated_entry() -> None:
    item = normalize(
        summary_html="(MENAFN- The Rio Times) Paraguay clinched a deal. MENAFN10052024007421016031ID1108197272 "
        "Legal Disclaimer: MENAFN provides the information as is.",
    )
    assert item.text == "Paraguay clinched a deal."
    assert item.published == datetime(2024, 5, 10, tzinfo=UTC)
    assert item.published_estimated is True


def test_content_beats_summary_and_summary_is_the_fallback() -> None:
    both = normalize(summary_html="<p>Excerpt [&#8230;]</p>", content_html="<p>Full body.</p>")
    only_summary = normalize(summary_html="<p>Excerpt [&#8230;]</p>")
    assert both.text == "Full body."
    assert only_summary.text == "Excerpt"


@pytest.mark.parametrize(
    ("link", "guid", "url"),
    [
        (
            "https://News.Example/a?utm_source=rss&id=2#comments",
            None,
            "https://news.example/a?id=2",
        ),
        ("/2024/story/", None, "https://feed.example/2024/story/"),
        ("javascript:alert(1)", None, None),
        (
            None,
            "https://news.example/p?utm_medium=feed&p=9",
            "https://news.example/p?p=9",
        ),  # permalink guid
        (None, "tag:news.example,2024:9", None),
        ("mailto:desk@news.example", None, None),
    ],
)
def test_item_urls(link: str | None, guid: str | None, url: str | None) -> None:
    assert normalize(link=link, guid=guid).url == url


def test_untitled_entry_borrows_the_start_of_its_text() -> None:
    item = normalize(
        title_html="", summary_html="<p>" + " ".join(f"w{n}" for n in range(30)) + "</p>"
    )
    assert item.title == " ".join(f"w{n}" for n in range(12)) + " …"


def test_markup_in_titles_is_stripped_even_when_double_escaped() -> None:
    item = normalize(title_html="Visit &lt;em&gt;Kyiv&lt;/em&gt; &lt;script&gt;x()&lt;/script&gt;")
    assert item.title == "Visit Kyiv"
    assert normalize(title_html="5 &lt; 6 but 7 &gt; 3").title == "5 < 6 but 7 > 3"


@pytest.mark.parametrize(
    ("source_title", "original_outlet"),
    [("Reuters", "Reuters"), ("example", None), (None, None), ("UkrinForm", "Ukrinform")],
)
def test_rss_source_element_names_the_original_outlet(
    source_title: str | None, original_outlet: str | None
) -> None:
    assert normalize(source_title=source_title).original_outlet == original_outlet


def test_entry_language_beats_feed_language() -> None:
    item = normalize_entry(
        entry(lang="pt-BR", title_html="Nota"),
        feed_url="https://f.example/",
        outlet="F",
        feed_lang="en",
        fetched_at=FETCHED_AT,
    )
    assert item.lang == "pt"


def test_naive_fetched_at_is_taken_as_utc() -> None:
    item = normalize_entry(
        entry(),
        feed_url="https://f.example/",
        outlet="F",
        feed_lang=None,
        fetched_at=datetime(2024, 1, 1, 12, 0),
    )
    assert item.fetched_at == datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert item.published == item.fetched_at and item.published_estimated


def test_normalize_is_deterministic() -> None:
    assert fixture_items("example-atom10.xml") == fixture_items("example-atom10.xml")


def test_text_is_capped_at_a_word_boundary() -> None:
    item = normalize(content_html="<p>" + "word " * 50_000 + "</p>")
    assert len(item.text) <= MAX_TEXT_CHARS
    assert item.text.endswith("word")
    assert len(item.text) > MAX_TEXT_CHARS - 10


def test_overlong_titles_outlets_and_links_fit_the_store_columns() -> None:
    """On PostgreSQL a value wider than its column fails the insert and dead-letters the item
    (found with the header-injection corpus: a 1,200-character title)."""
    from monitor.feeds.fingerprint import TITLE_KEY_CHARS
    from monitor.feeds.normalize import MAX_OUTLET_CHARS
    from monitor.feeds.urls import MAX_URL_LENGTH
    from monitor.store.tables import stories, story_sources

    def width(column: Any) -> int:
        assert isinstance(column.type, String)
        return int(column.type.length or 0)

    assert width(stories.c.title_key) == TITLE_KEY_CHARS
    assert width(story_sources.c.outlet) == MAX_OUTLET_CHARS
    assert width(story_sources.c.original_outlet) == MAX_OUTLET_CHARS
    assert width(stories.c.url) == width(story_sources.c.url) == MAX_URL_LENGTH
    query = "&".join(f"k{n}=v" for n in range(500))
    item = normalize_entry(
        entry(
            title_html="Zelensky" + "z" * 5000 + " Peña " * 400,
            link=f"https://news.example/p?{query}",
            source_title="Wire" + "W" * 400,
        ),
        feed_url="https://news.example/feed",
        outlet="Outlet" + "O" * 400,
        feed_lang="en",
        fetched_at=FETCHED_AT,
    )
    assert len(item.title_key) == TITLE_KEY_CHARS and item.title_key.startswith("zelenskyzzz")
    assert len(item.outlet) == MAX_OUTLET_CHARS and item.outlet.startswith("OutletOOO")
    assert item.original_outlet is not None and len(item.original_outlet) == MAX_OUTLET_CHARS
    assert item.url is None  # 2,900 characters: no usable link rather than a lost item
    assert item.title.startswith("Zelenskyzzz")  # the title itself is kept (a TEXT column)
