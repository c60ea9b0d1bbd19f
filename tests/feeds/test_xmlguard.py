"""Hostile XML: no entity is ever expanded, and the parse is bounded by the document's markup.

The attacks that need memory to show (an 80 kB feed that expanded to 500 MB) run in a child
process with its address space and CPU time capped, so a regression fails the test instead
of eating the machine. Nothing here times anything: the facts asserted are what the parser
was given and what came out.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import xml.parsers.expat
from typing import Any

import pytest
from feedparser.sanitizer import replace_doctype
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.errors import FeedParseError, OpmlError
from monitor.feeds.encoding import decode_feed_bytes
from monitor.feeds.opml import import_opml
from monitor.feeds.parse import ParseLimits, parse_feed
from monitor.feeds.xmlfeed import feedparser_input
from monitor.feeds.xmlguard import Doctype, UnsafeXml, check_markup, without_doctype
from tests.feeds.feed_samples import (
    FETCHED_AT,
    FIXTURES,
    HOSTILE,
    entity_attack,
    fixture_url,
    parse_fixture,
)

LIMITS = ParseLimits()

# ---------------------------------------------------------------- the pure guard

DECLARATION = '<?xml version="1.0" encoding="utf-8"?>'
ROOT = "<rss><channel><title>t</title></channel></rss>"


@pytest.mark.parametrize(
    ("prolog", "doctype"),
    [
        ("", None),
        ("\n<!-- a comment -->\n<?xml-stylesheet href='s.xsl'?>\n", None),
        ('\n<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://x/rss.dtd">\n',
         Doctype(public_id="-//Netscape Communications//DTD RSS 0.91//EN")),
        ('\n<!DOCTYPE rss [\n<!ENTITY a "x">\n<!ENTITY b "&a;&a;">\n]>\n', Doctype("", 2, 2)),
        ("\n<!doctype rss [<!ENTITY a 'x>]'>]>", Doctype("", 1, 1)),  # quotes hide ] and >
        ('<!DOCTYPE rss [<!-- ]> --><!ELEMENT rss ANY><!ENTITY % e SYSTEM "file:///etc/passwd">%e;]>',
         Doctype("", 3, 1)),
        ('<!--\n<!DOCTYPE rss [\n<!ENTITY a "x">\n]>\n-->', None),  # feedparser reads it anyway
    ],
)  # fmt: skip
def test_the_prolog_is_blanked_and_positions_kept(prolog: str, doctype: Doctype | None) -> None:
    document = DECLARATION + prolog + ROOT
    guarded = without_doctype(document)
    assert guarded.doctype == doctype
    assert guarded.text.startswith(DECLARATION) and guarded.text.endswith(ROOT)
    assert guarded.text[len(DECLARATION) : -len(ROOT)].strip() == ""
    assert [len(line) for line in guarded.text.split("\n")] == [
        len(line) for line in document.split("\n")
    ]


@pytest.mark.parametrize(
    "document",
    [
        '<!DOCTYPE rss [<!ENTITY a "never closed">\n<rss/>',  # the subset never ends
        '<!DOCTYPE rss [<!ENTITY a "x">]><!DOCTYPE rss [<!ENTITY b "y">]><rss/>',  # two
        '<!ENTITY a "x"><rss/>',  # a declaration outside any DOCTYPE
        '<\u00f1/>\n<!DOCTYPE rss [\n<!ENTITY a "x">\n]>\n<rss/>',  # before feedparser's "root"
        'junk\n<!DOCTYPE rss [\n<!ENTITY a "x">\n]>\n<rss/>',
    ],
)
def test_declarations_that_cannot_be_read_are_refused(document: str) -> None:
    with pytest.raises(UnsafeXml, match="cannot be read safely"):
        without_doctype(DECLARATION + document)


def test_markup_caps() -> None:
    tag = (
        "<category " + " ".join(f'a{n}="v"' for n in range(LIMITS.max_attributes)) + ">c</category>"
    )
    check_markup(tag, max_tags=10, max_attributes=LIMITS.max_attributes)  # at the cap: fine
    with pytest.raises(UnsafeXml, match="more than 256 attributes"):
        check_markup(tag.replace("a0=", 'z="v" a0='), max_tags=10, max_attributes=256)
    with pytest.raises(UnsafeXml, match="too much markup: 4 tags"):
        check_markup("<b>&lt;i&gt;&#60;u&gt;&#x3c;s&gt;", max_tags=3, max_attributes=256)


def test_feedparser_is_never_handed_a_doctype() -> None:
    """Every XML fixture and hostile document, as feedparser would receive it."""
    names = sorted(p.name for p in (*FIXTURES.glob("*.xml"), *FIXTURES.glob("*.rdf")))
    hostile = sorted(p.name for p in HOSTILE.glob("*.xml") if p.stat().st_size)
    with_doctype = 0
    for path in [FIXTURES / n for n in names] + [HOSTILE / n for n in hostile]:
        text = decode_feed_bytes(path.read_bytes()).text
        with_doctype += "<!doctype" in text.lower()
        try:
            given = feedparser_input(text, url=fixture_url(path.name), limits=LIMITS).text
        except FeedParseError:
            assert path.name == "unreadable-doctype.xml"
            continue
        assert "<!doctype" not in given.lower() and "<!entity" not in given.lower(), path.name
    assert with_doctype >= 7  # the corpus does carry DOCTYPEs


# ---------------------------------------------------------------- the hostile corpus


def test_entity_amplification_is_not_expanded() -> None:
    parsed = parse_fixture("entity-amplification.xml")
    titles = [e.title_html for e in parsed.entries]
    assert titles == [
        "Port authority reopens the northern grain terminal",
        "Expanding &amp;boom;",
        "Regional council approves the school repair budget",
    ]
    assert all("boom boom" not in e.title_html + e.summary_html for e in parsed.entries)
    assert [w.code for w in parsed.warnings] == ["doctype-removed", "malformed-xml"]
    assert "declaring 1 entity" in parsed.warnings[0].message


def test_a_doctype_hidden_in_a_comment_is_not_read() -> None:
    parsed = parse_fixture("entity-in-comment.xml")
    assert len(parsed.entries) == 2
    assert "hidden hidden" not in parsed.entries[0].summary_html
    assert parsed.entries[0].summary_html.startswith("Crossings resumed at dawn &amp;hidden")


def test_parameter_and_external_entities_are_dropped_and_html_entities_still_read() -> None:
    parsed = parse_fixture("parameter-entities.xml")
    entry = parsed.entries[0]
    assert entry.title_html == "Café owners in Bogotá protest the new tax"
    assert (
        entry.summary_html
        == "Owners gathered outside city hall\xa0on Monday. &amp;passwd © Hostile Example"
    )
    assert [w.code for w in parsed.warnings] == ["doctype-removed", "malformed-xml"]


def test_an_unreadable_doctype_refuses_the_feed_and_the_opml() -> None:
    document = (HOSTILE / "unreadable-doctype.xml").read_bytes()
    with pytest.raises(FeedParseError, match="refused: a DOCTYPE or ENTITY declaration"):
        parse_fixture("unreadable-doctype.xml")
    # OPML import uses the same check (one function, two doors).
    opml = document.replace(
        b"<rss", b'<opml><body><outline xmlUrl="https://x.example/"/></body></opml><rss'
    )
    with pytest.raises(OpmlError, match="cannot be read safely"):
        import_opml(opml)


def test_too_much_markup_is_refused_before_parsing() -> None:
    body = "<description>" + "<b>y</b>" * (LIMITS.max_tags // 2 + 1) + "</description>"
    document = f"<rss><channel><item><title>t</title>{body}</item></channel></rss>".encode()
    with pytest.raises(FeedParseError, match=r"too much markup: 250,0\d\d tags"):
        parse_feed(document, url="https://hostile.example/markup", fetched_at=FETCHED_AT)


# ---------------------------------------------------------------- in a capped child process

CHILD = """
import json, resource, sys
memory = int(sys.argv[1]) << 20
resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
cpu = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 5))
from datetime import UTC, datetime
from monitor.errors import FeedParseError
from monitor.feeds.parse import parse_feed
document = sys.stdin.buffer.read()
try:
    parsed = parse_feed(document, url="https://hostile.example/g", fetched_at=datetime(2026, 3, 1, tzinfo=UTC))
except FeedParseError as exc:
    print(json.dumps({"error": exc.reason}))
else:
    print(json.dumps({
        "titles": [e.title_html for e in parsed.entries],
        "output_chars": sum(len(e.title_html) + len(e.summary_html) + len(e.content_html)
                            for e in parsed.entries),
        "warnings": [w.code for w in parsed.warnings],
    }))
"""


def parse_capped(document: bytes, *, memory_mb: int = 512, cpu_seconds: int = 30) -> dict[str, Any]:
    """``parse_feed`` in a child whose address space and CPU time are capped (a regression
    dies of MemoryError or SIGXCPU there, and this fails, instead of the test run swapping)."""
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(memory_mb), str(cpu_seconds)],
        input=document,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, (child.returncode, child.stderr.decode(errors="replace")[-1500:])
    result: dict[str, Any] = json.loads(child.stdout)
    return result


@pytest.mark.parametrize(
    "prolog",
    [
        '<!DOCTYPE rss [\n<!ENTITY a "VALUE">\n]>\n',
        "<!DOCTYPE rss [\n<!ENTITY a 'VALUE'>\n]>\n",
        '<!DOCTYPE rss [\n<!ENTITY % ext SYSTEM "file:///etc/passwd">\n%ext;\n<!ENTITY a "VALUE">\n]>\n',
        '<!--\n<!DOCTYPE rss [\n<!ENTITY a "VALUE">\n]>\n-->\n',
    ],
    ids=["double-quoted", "single-quoted", "with-parameter-entity", "inside-a-comment"],
)
def test_an_80kb_amplification_attack_stays_80kb(prolog: str) -> None:
    document = entity_attack(prolog)
    assert 80_000 < len(document) < 81_000
    result = parse_capped(document)
    assert result["titles"] == ["before", "attack", "after"]
    assert result["output_chars"] < len(document)  # it once was 500,000,000
    assert "malformed-xml" in result["warnings"]


def test_an_attribute_bomb_is_refused_without_quadratic_work() -> None:
    # Python's SAX looks attributes up by qualified name linearly, once per attribute: this
    # 1 MB element once cost minutes of CPU (killed here by the 30 s CPU cap).
    attributes = " ".join(f'a{n}="v"' for n in range(100_000))
    document = f'<rss version="2.0"><channel><item><title>t</title><category {attributes}>c</category></item></channel></rss>'
    result = parse_capped(document.encode())
    assert result == {
        "error": "refused: an element with more than 256 attributes; "
        "the publisher must fix the feed, it is retried later"
    }


def test_deeply_nested_elements_keep_the_items_around_them() -> None:
    depth = 20_000
    nested = "<x>" * depth + "deep" + "</x>" * depth
    document = (
        '<rss version="2.0"><channel><title>t</title>'
        "<item><title>before</title><guid>b</guid></item>"
        f"<item><title>nested</title><guid>n</guid><description>{nested}</description></item>"
        "<item><title>after</title><guid>a</guid></item></channel></rss>"
    ).encode()
    result = parse_capped(document, memory_mb=768)
    assert result["titles"] == ["before", "nested", "after"]
    assert result["output_chars"] < len(document)


def test_the_child_cap_is_real() -> None:
    """The cap the tests above rely on does stop a child that overspends."""
    overspend = CHILD.split("from datetime")[0] + "bytearray(600 << 20)\n"
    child = subprocess.run(
        [sys.executable, "-c", overspend, "512", "30"], capture_output=True, timeout=60, check=False
    )
    assert child.returncode != 0 and b"MemoryError" in child.stderr


# ---------------------------------------------------------------- property: no parser gets a declaration

# Pieces of prologs; feedparser's DOCTYPE reader wants declarations at the start of a line.
_PIECES = st.sampled_from(
    [
        '<?xml version="1.0"?>', "\n", " ", "junk", "<!-- c -->", "<!--\n", "\n-->", "<?pi x?>",
        "\n<!DOCTYPE rss [", "<!DOCTYPE rss>", "\n<!doctype rss [", "\n]>", "]", ">", '"', "'",
        '\n<!ENTITY a "aaaa">', "\n<!ENTITY b 'bbbb'>", '\n<!ENTITY % p SYSTEM "file:///etc/passwd">',
        "\n%p;", "<\u00f1/>", "<_x/>", "<1>", "\n<!ELEMENT rss ANY>", "&a;",
    ]
)  # fmt: skip


@settings(max_examples=600, deadline=None)
@given(st.lists(_PIECES, max_size=12).map("".join))
def test_no_parser_is_handed_an_entity_declaration(prolog: str) -> None:
    document = prolog + "<rss><channel><title>&a; &b;</title></channel></rss>"
    try:
        guarded = without_doctype(document)
    except UnsafeXml:
        return
    assert len(guarded.text) == len(document)
    # feedparser's lenient parser expands what its own DOCTYPE reader finds: nothing now.
    assert replace_doctype(guarded.text.encode())[2] == {}
    # expat (feedparser's strict parser) sees no declaration either.
    declarations: list[str] = []
    parser = xml.parsers.expat.ParserCreate()
    parser.StartDoctypeDeclHandler = lambda *args: declarations.append("doctype")
    parser.EntityDeclHandler = lambda *args: declarations.append("entity")
    with contextlib.suppress(xml.parsers.expat.ExpatError):
        parser.Parse(guarded.text.encode(), True)
    assert declarations == []
