"""OPML export/import: round trips, other readers' files, and XML attacks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import OpmlError
from monitor.feeds.opml import (
    MAX_DEPTH,
    OpmlFeed,
    SkippedOutline,
    export_opml,
    import_opml,
)

FEEDS = [
    OpmlFeed("https://www.riotimesonline.com/feed/", "The Rio Times", "https://www.riotimesonline.com", "en", ("Latin America",)),
    OpmlFeed("https://menafn.com/rss/", "MENAFN & Co <Latest>", None, None, ("Aggregators",)),
    OpmlFeed("https://en.mercopress.com/rss", "MercoPress", "https://en.mercopress.com", "en", ("Latin America", "South Atlantic")),
    OpmlFeed("https://www.ukrinform.net/rss", "Ukrinform \"quoted\"", None, "en"),
]  # fmt: skip


def by_url(feeds: list[OpmlFeed]) -> list[OpmlFeed]:
    return sorted(feeds, key=lambda f: f.xml_url)


def test_round_trip() -> None:
    document = export_opml(FEEDS, title="Monitor feeds")
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0" ')
    assert "<title>Monitor feeds</title>" in document
    assert by_url(import_opml(document).feeds) == by_url(FEEDS)
    assert by_url(import_opml(document.encode("utf-8")).feeds) == by_url(FEEDS)


_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")), max_size=30
).map(lambda s: " ".join(s.split()))
_FEED = st.builds(
    OpmlFeed,
    xml_url=st.from_regex(r"https://[a-z]{1,10}\.example/[a-z0-9/]{0,12}", fullmatch=True),
    title=_TEXT,
    html_url=st.none() | st.just("https://site.example/"),
    language=st.none() | st.sampled_from(["en", "es", "pt-BR"]),
    categories=st.lists(_TEXT.filter(bool), max_size=3).map(tuple),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_FEED, max_size=8, unique_by=lambda f: f.xml_url))
def test_round_trip_property(feeds: list[OpmlFeed]) -> None:
    document = import_opml(export_opml(feeds))
    assert by_url(document.feeds) == by_url(feeds) and document.skipped == []


def test_import_from_another_reader() -> None:
    document = """<?xml version="1.0" encoding="ISO-8859-1"?>
<opml version="1.0">
  <head><title>Exported from SomeReader</title></head>
  <body>
    <outline text="News" title="News">
      <outline text="Am\xe9rica Latina">
        <outline type="rss" text="Folha" xmlURL="https://feeds.folha.uol.com.br/mundo/rss091.xml" htmlUrl="https://www1.folha.uol.com.br" language="pt-BR"/>
      </outline>
      <outline type="rss" title="Kyiv Independent" text="KI" xmlUrl="https://kyivindependent.com/feed/"/>
    </outline>
    <outline type="rss" text="Loose" xmlUrl="https://loose.example/rss" category="/Tech/Web,/Other"/>
    <outline type="rss" text="Duplicate" xmlUrl="https://kyivindependent.com/feed/"/>
    <outline type="rss" text="Local file" xmlUrl="file:///etc/passwd"/>
    <outline type="rss" text="FTP" xmlUrl="ftp://old.example/feed"/>
    <outline text="Empty folder"/>
  </body>
</opml>""".encode("latin-1")
    imported = import_opml(document)
    assert imported.feeds == [
        OpmlFeed("https://feeds.folha.uol.com.br/mundo/rss091.xml", "Folha", "https://www1.folha.uol.com.br", "pt-BR", ("News", "América Latina")),
        OpmlFeed("https://kyivindependent.com/feed/", "Kyiv Independent", None, None, ("News",)),
        OpmlFeed("https://loose.example/rss", "Loose", None, None, ("Tech", "Web")),
    ]  # fmt: skip
    # Nothing is dropped silently: each skipped outline is counted with its line and why.
    assert imported.skipped == [
        SkippedOutline(12, "repeats the feed https://kyivindependent.com/feed/"),
        SkippedOutline(13, "xmlUrl 'file:///etc/passwd' is not an http(s) URL"),
        SkippedOutline(14, "xmlUrl 'ftp://old.example/feed' is not an http(s) URL"),
        SkippedOutline(15, "no xmlUrl and no outlines inside"),
    ]
    assert [f.line for f in imported.feeds] == [7, 9, 11]


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            '<opml><body><outline text="&b;" xmlUrl="https://x.example/"/></body></opml>',
            "DOCTYPE",
        ),
        ('<!DOCTYPE opml SYSTEM "http://127.0.0.1:9/dtd"><opml/>', "DOCTYPE"),
        ('<opml><body><outline text="&xxe;" xmlUrl="https://x.example/"/></body></opml>', "malformed XML"),
        ("<opml><body><outline", "malformed XML"),
        ("", "malformed XML"),
        ("<rss version='2.0'><channel/></rss>", "no <opml> root"),
        ("<opml><body>" + "<outline text='f'>" * (MAX_DEPTH + 1) + "</outline>" * (MAX_DEPTH + 1) + "</body></opml>", "nested deeper"),
    ],
)  # fmt: skip
def test_hostile_opml_is_refused(document: str, reason: str) -> None:
    with pytest.raises(OpmlError, match=reason):
        import_opml(document)


def test_oversized_opml_is_refused() -> None:
    with pytest.raises(OpmlError, match="too large"):
        import_opml(b"<opml>" + b" " * (5 * 1024 * 1024) + b"</opml>")


def test_export_drops_characters_xml_cannot_carry() -> None:
    document = export_opml([OpmlFeed("https://x.example/", "Bell\x07 title")])
    assert import_opml(document).feeds == [OpmlFeed("https://x.example/", "Bell title")]
