"""parse_feed: every supported format, the survivable breakages, and the hopeless inputs."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.errors import FeedParseError
from monitor.feeds.parse import ParsedFeed, ParseLimits, parse_feed
from tests.feeds.feed_samples import FETCHED_AT, fixture_bytes, parse_fixture, rss


def codes(parsed: ParsedFeed) -> list[str]:
    return [w.code for w in parsed.warnings]


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("name", "kind", "version", "entries", "title", "language"),
    [
        ("example-riotimes-feed.xml", "rss", "rss20", 3, "Rio Times", "en-US"),
        ("example-menafn-feed.xml", "rss", "rss20", 3, "MENAFN - Latest News", "en-us"),
        ("example-atom10.xml", "atom", "atom10", 3, "Ejemplo Atom: Diplomacia", "es"),
        ("example-atom03.xml", "atom", "atom03", 2, "Old Atom Desk (example)", "en"),
        ("example-rss10.rdf", "rss", "rss10", 2, "Exemplo RDF: Notícias", "pt-BR"),
        ("example-rss091.xml", "rss", "rss091n", 2, "Legacy Wire (example)", "en-gb"),
        ("example-jsonfeed.json", "json", "json11", 3, "JSON Desk (example)", "en"),
        ("dev-wire-en.xml", "rss", "rss20", 48, "Dev wire (en)", "en"),
        ("dev-wire-es.xml", "rss", "rss20", 31, "Dev wire (es)", "es"),
        ("dev-wire-pt.xml", "rss", "rss20", 23, "Dev wire (pt)", "pt"),
    ],
)
def test_each_format_parses_cleanly(
    name: str, kind: str, version: str, entries: int, title: str, language: str
) -> None:
    parsed = parse_fixture(name)
    assert (parsed.kind, parsed.version, len(parsed.entries)) == (kind, version, entries)
    assert (parsed.title, parsed.language) == (title, language)
    assert parsed.warnings == ()
    assert [e.position for e in parsed.entries] == list(range(entries))


def test_wordpress_item_fields() -> None:
    seed = parse_fixture("example-riotimes-feed.xml").entries[1]
    assert seed.guid == "https://www.riotimesonline.com/?p=9990002"
    assert (
        seed.link
        == "https://www.riotimesonline.com/ukraines-new-diplomatic-horizon-in-latin-america/"
    )
    assert seed.title_html == "Ukraine’s New Diplomatic Horizon In Latin America"
    assert seed.published == datetime(2023, 12, 11, 13, 7, 44, tzinfo=UTC)
    assert seed.author == "Rio Times"
    assert seed.categories == ("Latin America", "Politics", "Argentina", "Ukraine", "Zelenskiy")
    assert seed.content_html.startswith("<p>Ukrainian President")
    assert "<h2>Background</h2>" in seed.content_html
    assert seed.summary_html.rstrip().endswith("[&#8230;]</p>")  # HTML inside CDATA: raw


def test_feed_level_scheduling_hints() -> None:
    assert (
        parse_fixture("example-riotimes-feed.xml").update_interval_seconds == 3600.0
    )  # hourly × 1
    assert parse_fixture("example-rss10.rdf").update_interval_seconds == 43200.0  # daily × 2
    assert parse_fixture("dev-wire-en.xml").ttl_minutes == 60
    assert parse_fixture("example-menafn-feed.xml").update_interval_seconds is None


@pytest.mark.parametrize(
    ("channel_extra", "ttl", "interval"),
    [
        ("<ttl>30</ttl>", 30, None),
        ("<ttl>soon</ttl>", None, None),
        ("<ttl>-5</ttl>", None, None),
        ('<sy:updatePeriod xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">weekly</sy:updatePeriod>', None, 604800.0),
        ('<sy:updatePeriod xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">hourly</sy:updatePeriod>'
         '<sy:updateFrequency xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">4</sy:updateFrequency>', None, 900.0),
        ('<sy:updatePeriod xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">fortnightly</sy:updatePeriod>', None, None),
        ('<sy:updateFrequency xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">0</sy:updateFrequency>', None, None),
    ],
)  # fmt: skip
def test_ttl_and_syndication_module(
    channel_extra: str, ttl: int | None, interval: float | None
) -> None:
    parsed = parse_feed(
        rss("", channel_extra=channel_extra), url="https://t.example/", fetched_at=FETCHED_AT
    )
    assert (parsed.ttl_minutes, parsed.update_interval_seconds) == (ttl, interval)


def test_atom_resolves_relative_links_and_keeps_updated_only_dates() -> None:
    first, _, third = parse_fixture("example-atom10.xml").entries
    assert first.link == "https://atom.example.org/2024/03/05/cancilleria-recibe-enviado/"
    assert first.published == datetime(2024, 3, 5, 12, 30, tzinfo=UTC)
    assert first.categories == ("Diplomacia", "Ucrania")
    assert first.lang == "es"
    assert third.published is None
    assert third.updated == datetime(2024, 3, 3, 7, 15, tzinfo=UTC)


def test_json_feed_fields() -> None:
    first, second, third = parse_fixture("example-jsonfeed.json").entries
    assert first.guid == "https://json.example.com/2024/06/01/envoy/"
    assert first.author == "Example Reporter"
    assert first.categories == ("diplomacy", "trade")
    assert first.published == datetime(2024, 6, 1, 15, 4, 5, tzinfo=UTC)
    assert second.guid == "42"  # numeric ids happen
    assert second.lang == "pt-BR"
    assert "&lt;sinais&gt; &amp; símbolos" in second.content_html  # content_text is escaped
    assert second.updated == datetime(2024, 5, 31, 6, 0, tzinfo=UTC)
    assert (third.link, third.published, third.updated) == (None, None, None)


def test_json_feed_1_0_author_object_and_junk_items() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1", "title": "Old JSON", "items": ['
        b'{"id": "a", "title": "One", "content_text": "x", "author": {"name": "Solo"}}, 7, "junk"]}'
    )
    parsed = parse_feed(
        body, url="https://j.example/", content_type="application/feed+json", fetched_at=FETCHED_AT
    )
    assert parsed.version == "json1"
    assert [e.author for e in parsed.entries] == ["Solo"]
    assert codes(parsed) == ["entry-skipped"]


def test_rss091_latin1_without_guids_or_dates() -> None:
    parsed = parse_fixture("example-rss091.xml")
    assert parsed.encoding == "cp1252"
    first = parsed.entries[0]
    assert first.title_html == "Café society: an invented résumé of the week"
    assert (first.guid, first.published) == (None, None)


# ---------------------------------------------------------------- hopeless input


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty response"),
        (b"  \n\t  ", "empty response"),
        (fixture_bytes("empty.xml"), "empty response"),
        (fixture_bytes("whitespace.xml"), "empty response"),
        (fixture_bytes("html-page.html"), "not a feed: looks like an HTML page"),
        (
            b"<?xml version='1.0'?>\n<!-- hi -->\n<html><body>x</body></html>",
            "looks like an HTML page",
        ),
        (fixture_bytes("not-xml.txt"), "neither XML nor JSON"),
        (fixture_bytes("json-not-feed.json"), "JSON without a JSON Feed version"),
        (
            b'{"version": "https://jsonfeed.org/version/1.1", "items": "nope"}',
            "without an items list",
        ),
        (b"[1, 2, 3]", "JSON without a JSON Feed version"),
        (b"{not json", "malformed JSON"),
        (b"<catalog><book>Not a feed</book></catalog>", "no RSS, Atom or JSON Feed structure"),
        (b'<rss version="2.0"><channel><title>Cut before any item', "malformed XML and no entries"),
        (bytes(range(256)) * 8, "not a feed"),
    ],
)
def test_hopeless_input_raises_feed_parse_error_with_reason(body: bytes, reason: str) -> None:
    with pytest.raises(FeedParseError) as caught:
        parse_feed(body, url="https://bad.example/feed", fetched_at=FETCHED_AT)
    assert reason in caught.value.reason
    assert caught.value.url == "https://bad.example/feed"


def test_a_body_that_names_a_local_file_is_not_opened(tmp_path: Path) -> None:
    # feedparser.parse(bytes) would open this path and parse the feed inside it.
    planted = tmp_path / "planted.xml"
    planted.write_bytes(fixture_bytes("example-menafn-feed.xml"))
    with pytest.raises(FeedParseError, match="neither XML nor JSON"):
        parse_feed(str(planted).encode(), url="https://bad.example/", fetched_at=FETCHED_AT)
    with pytest.raises(FeedParseError, match="neither XML nor JSON"):
        parse_feed(
            b"https://www.riotimesonline.com/feed/",
            url="https://bad.example/",
            fetched_at=FETCHED_AT,
        )


def test_document_size_cap() -> None:
    with pytest.raises(FeedParseError, match="too large"):
        parse_feed(
            rss(""),
            url="https://t.example/",
            fetched_at=FETCHED_AT,
            limits=ParseLimits(max_document_bytes=50),
        )


# ---------------------------------------------------------------- survivable input


def test_empty_but_valid_feed_has_no_entries_and_no_error() -> None:
    parsed = parse_fixture("zero-items.xml")
    assert (parsed.entries, parsed.warnings, parsed.ttl_minutes) == ((), (), 120)


def test_broken_item_in_the_middle_keeps_the_good_ones() -> None:
    parsed = parse_fixture("malformed-mid-item.xml")
    assert [e.guid for e in parsed.entries] == [f"https://hostile.example/{n}" for n in (1, 2, 3)]
    assert codes(parsed) == ["malformed-xml"]
    assert "line 14" in parsed.warnings[0].message


def test_truncated_document_drops_the_incomplete_last_entry() -> None:
    parsed = parse_fixture("truncated.xml")
    assert [e.guid for e in parsed.entries] == ["t1", "t2"]
    assert codes(parsed) == ["malformed-xml", "truncated"]


@pytest.mark.parametrize("name", ["latin1-declared-utf8.xml", "utf8-declared-latin1.xml"])
def test_lying_encoding_declarations_are_overridden(name: str) -> None:
    parsed = parse_fixture(name)
    entry = parsed.entries[0]
    assert entry.title_html == "São Paulo and Bogotá: café, niño, Zürich"
    assert "ação, señor, façade, naïve" in entry.summary_html
    assert codes(parsed) == ["encoding-override"]


@pytest.mark.parametrize(
    "content_type",
    ["text/xml", "text/xml; charset=us-ascii", "application/rss+xml; charset=ISO-8859-1", None],
)
def test_utf8_body_survives_any_content_type_charset(content_type: str | None) -> None:
    body = rss("<item><title>Ucrânia e São Tomé</title><guid>1</guid></item>")
    parsed = parse_feed(
        body, url="https://t.example/", content_type=content_type, fetched_at=FETCHED_AT
    )
    assert parsed.entries[0].title_html == "Ucrânia e São Tomé"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32", "utf-8-sig"])
def test_byte_order_marks(codec: str) -> None:
    text = rss("<item><title>Kyiv — Brasília</title><guid>1</guid></item>", declaration="").decode()
    body = text.encode(codec)
    if codec == "utf-16-be":
        body = codecs.BOM_UTF16_BE + body
    parsed = parse_feed(body, url="https://t.example/", fetched_at=FETCHED_AT)
    assert parsed.entries[0].title_html == "Kyiv — Brasília"


def test_leading_blank_lines_before_the_declaration_are_tolerated() -> None:
    parsed = parse_feed(
        b"\n\n  " + rss("<item><title>x</title><guid>1</guid></item>"),
        url="https://t.example/",
        fetched_at=FETCHED_AT,
    )
    assert (len(parsed.entries), parsed.warnings) == (1, ())


def test_rss_served_as_text_html_is_read_with_a_warning() -> None:
    parsed = parse_feed(
        rss("<item><title>x</title><guid>1</guid></item>"),
        url="https://t.example/",
        content_type="text/html; charset=utf-8",
        fetched_at=FETCHED_AT,
    )
    assert len(parsed.entries) == 1
    assert codes(parsed) == ["non-xml-content-type"]


def test_control_characters_are_dropped_and_the_strict_parser_still_runs() -> None:
    parsed = parse_fixture("control-chars.xml")
    entry = parsed.entries[0]
    assert entry.title_html == "Bell and escape characters"
    assert entry.summary_html == "Vertical tab, form feed and a NUL byte in the middle."
    assert codes(parsed) == ["control-characters"]  # no malformed-xml: strict parsing worked


def test_billion_laughs_does_not_expand() -> None:
    parsed = parse_fixture("billion-laughs.xml")
    assert len(parsed.entries) == 2
    assert codes(parsed) == ["doctype-removed", "malformed-xml"]
    for entry in parsed.entries:
        assert "lollol" not in entry.title_html + entry.summary_html
        assert len(entry.summary_html) < 100


def test_external_entities_are_not_resolved() -> None:
    parsed = parse_fixture("xxe.xml")
    text = " ".join(e.title_html + e.summary_html for e in parsed.entries)
    assert len(parsed.entries) == 1
    assert "root:" not in text
    assert codes(parsed) == ["doctype-removed", "malformed-xml"]
    assert "Before" in text and "after" in text


def test_undefined_html_entity_is_survivable() -> None:
    body = rss("<item><title>Caf&eacute; &nbsp; news</title><guid>1</guid></item>")
    parsed = parse_feed(body, url="https://t.example/", fetched_at=FETCHED_AT)
    assert parsed.entries[0].title_html.split() == ["Café", "news"]
    assert codes(parsed) == ["malformed-xml"]


# ---------------------------------------------------------------- caps


def test_entry_cap_keeps_the_first_entries() -> None:
    parsed = parse_feed(
        fixture_bytes("dev-wire-en.xml"),
        url="https://t.example/",
        fetched_at=FETCHED_AT,
        limits=ParseLimits(max_entries=5),
    )
    assert len(parsed.entries) == 5
    assert codes(parsed) == ["too-many-entries"]
    assert "48 entries, kept the first 5" in parsed.warnings[0].message


def test_default_entry_cap_is_a_thousand() -> None:
    items = "".join(f"<item><title>Item {n}</title><guid>{n}</guid></item>" for n in range(1005))
    parsed = parse_feed(rss(items), url="https://t.example/", fetched_at=FETCHED_AT)
    assert len(parsed.entries) == 1000
    assert parsed.entries[-1].guid == "999"
    assert codes(parsed) == ["too-many-entries"]


def test_huge_fields_are_truncated_at_a_character_boundary() -> None:
    body_html = "<p>" + "é" * 400_000 + "</p>"  # 800 kB of UTF-8
    title = "T" * 10_000
    item = f"<item><title>{title}</title><guid>big</guid><content:encoded><![CDATA[{body_html}]]></content:encoded></item>"
    parsed = parse_feed(rss(item), url="https://t.example/", fetched_at=FETCHED_AT)
    entry = parsed.entries[0]
    limits = ParseLimits()
    assert len(entry.content_html.encode()) <= limits.max_content_bytes
    assert len(entry.content_html.encode()) > limits.max_content_bytes - 4
    assert len(entry.title_html.encode()) == limits.max_title_bytes
    assert sorted(w.message for w in parsed.warnings if w.code == "field-truncated") == [
        "content truncated in 1 entries",
        "summary truncated in 1 entries",  # feedparser mirrors content into summary
        "title truncated in 1 entries",
    ]


def test_category_count_is_capped() -> None:
    cats = "".join(f"<category>c{n}</category>" for n in range(200))
    parsed = parse_feed(
        rss(f"<item><title>x</title><guid>1</guid>{cats}</item>"),
        url="https://t.example/",
        fetched_at=FETCHED_AT,
    )
    assert len(parsed.entries[0].categories) == ParseLimits().max_categories
