"""decode_feed_bytes: the charset cascade, one row per way servers get encodings wrong."""

from __future__ import annotations

import codecs
import re

import pytest

from monitor.feeds.encoding import (
    charset_from_content_type,
    decode_feed_bytes,
    guess_legacy_charset,
    utf8_xml,
    xml_declared_encoding,
)
from monitor.feeds.parse import parse_feed
from tests.feeds.feed_samples import FETCHED_AT, fixture_bytes, fixture_url, parse_fixture

TEXT = "Ucrânia, São Paulo, señor – “quoted”"


def doc(declared: str | None) -> str:
    declaration = f'<?xml version="1.0" encoding="{declared}"?>' if declared else ""
    return f"{declaration}<rss><title>{TEXT}</title></rss>"


@pytest.mark.parametrize(
    ("body", "content_type", "encoding", "note_contains"),
    [
        # honest declarations
        (doc("utf-8").encode("utf-8"), None, "utf-8", None),
        (doc("windows-1252").encode("cp1252"), None, "cp1252", None),
        (doc(None).encode("utf-8"), None, "utf-8", None),
        (doc(None).encode("utf-8"), "application/rss+xml; charset=UTF-8", "utf-8", None),
        # Latin-1 labels are read as Windows-1252 (curly quotes and dashes survive)
        (doc("ISO-8859-1").encode("cp1252"), None, "cp1252", None),
        # UTF-8 bytes under a single-byte label: the bytes win
        (doc("ISO-8859-1").encode("utf-8"), None, "utf-8", "bytes are UTF-8"),
        (doc(None).encode("utf-8"), "text/xml; charset=us-ascii", "utf-8", "bytes are UTF-8"),
        # cp1252 bytes under a UTF-8 label: UTF-8 fails, cp1252 is next
        (doc("utf-8").encode("cp1252"), None, "cp1252", "not utf-8"),
        (doc(None).encode("cp1252"), "text/xml; charset=utf-8", "cp1252", "not utf-8"),
        # the HTTP charset beats the XML declaration when both decode
        (doc("windows-1252").encode("utf-8"), "application/xml; charset=utf-8", "utf-8", None),
        # labels that cannot be right
        (doc("x-klingon").encode("utf-8"), None, "utf-8", "unknown charset"),
        (doc("utf-7").encode("utf-8"), None, "utf-8", "unknown charset"),
        (doc("rot13").encode("utf-8"), None, "utf-8", "unknown charset"),
        (doc("utf-16").encode("utf-8"), None, "utf-8", "not UTF-16/32"),
    ],
)
def test_decoding_cascade(
    body: bytes, content_type: str | None, encoding: str, note_contains: str | None
) -> None:
    decoded = decode_feed_bytes(body, content_type)
    assert TEXT.replace("–", "-") in decoded.text.replace("–", "-")
    assert decoded.encoding == encoding
    if note_contains is None:
        assert decoded.note is None
    else:
        assert decoded.note is not None and note_contains in decoded.note


def test_latin1_label_with_bytes_outside_cp1252_falls_back_to_latin1() -> None:
    body = b'<?xml version="1.0" encoding="iso-8859-1"?><rss>S\xe3o Paulo \x81</rss>'  # 0x81: a cp1252 hole
    decoded = decode_feed_bytes(body)
    assert decoded.encoding == "latin-1"
    assert decoded.text.endswith("São Paulo \x81</rss>")
    assert decoded.note is None


def test_bytes_that_read_as_nothing_are_read_as_latin1() -> None:
    # Every high byte: no charset reads it as text, and Windows-1252 has holes.
    body = b"<rss>" + bytes(range(0x80, 0x100)) * 4 + b"</rss>"
    decoded = decode_feed_bytes(body)
    assert decoded.encoding == "latin-1" and decoded.guessed
    assert decoded.note is not None and "Latin-1" in decoded.note


@pytest.mark.parametrize(
    ("prefix", "codec"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_byte_order_mark_wins_over_declarations(prefix: bytes, codec: str) -> None:
    body = prefix + doc("iso-8859-1").encode(codec)
    decoded = decode_feed_bytes(body, "text/xml; charset=us-ascii")
    assert decoded.text.startswith("<?xml")
    assert TEXT in decoded.text


def test_utf16_without_bom_is_sniffed() -> None:
    decoded = decode_feed_bytes(doc("utf-16").encode("utf-16-le"))
    assert TEXT in decoded.text
    assert decoded.encoding == "utf-16-le"


def test_xml_forbidden_controls_are_removed_and_counted() -> None:
    decoded = decode_feed_bytes(b"<rss>a\x00b\x01c\x0bd\x0ce\x1ff\tg\nh\ri</rss>")
    assert decoded.text == "<rss>abc d ef\tg\nh\ri</rss>"
    assert decoded.removed_controls == 5


def test_leading_whitespace_and_bom_are_stripped() -> None:
    assert decode_feed_bytes(b"\xef\xbb\xbf\n\n <rss/>").text == "<rss/>"


@pytest.mark.parametrize(
    ("header", "charset"),
    [
        ("text/xml; charset=ISO-8859-1", "ISO-8859-1"),
        ('application/rss+xml; charset="utf-8"', "utf-8"),
        ("application/xml;CHARSET=windows-1252;q=1", "windows-1252"),
        ("text/html", None),
        (None, None),
        ("", None),
    ],
)
def test_charset_from_content_type(header: str | None, charset: str | None) -> None:
    assert charset_from_content_type(header) == charset


def test_xml_declared_encoding_and_rewrite() -> None:
    body = b"<?xml version='1.0' encoding='ISO-8859-1' standalone='yes'?><rss/>"
    assert xml_declared_encoding(body) == "ISO-8859-1"
    assert xml_declared_encoding(b"<rss/>") is None
    rewritten = utf8_xml(body.decode("ascii"))
    assert rewritten == b'<?xml version="1.0" encoding="utf-8"?><rss/>'
    assert utf8_xml("<rss>é</rss>") == "<rss>é</rss>".encode()


# ---------------------------------------------------------------- undeclared legacy charsets

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Letters a wrong Latin guess produces in Spanish or Portuguese ("Peńalolén", "expansăo").
LATIN_EXTENDED = re.compile(r"[\u0100-\u024f]")


@pytest.mark.parametrize(
    ("name", "encoding", "first", "last"),
    [
        ("undeclared-cp1251-uk.xml", "cp1251",
         "Київська міська рада затвердила програму ремонту шкіл",
         "Одеський порт прийняв судно з обладнанням для енергетиків"),
        ("undeclared-koi8u-uk.xml", "koi8-u",
         "Київська міська рада затвердила програму ремонту шкіл",
         "Одеський порт прийняв судно з обладнанням для енергетиків"),
        ("undeclared-cp1251-ru.xml", "cp1251",
         "Мэрия Новосибирска объявила о ремонте трёх мостов",
         "В Екатеринбурге объявили конкурс на проект новой библиотеки"),
        ("undeclared-koi8r-ru.xml", "koi8-r",
         "Мэрия Новосибирска объявила о ремонте трёх мостов",
         "В Екатеринбурге объявили конкурс на проект новой библиотеки"),
        ("undeclared-cp1252-es.xml", "cp1252",
         "El Gobierno de Chile anuncia un plan de vivienda para la región de Ñuble",
         "España destinará 350 millones de euros a la reconstrucción de Valencia"),
        ("undeclared-latin9-es.xml", "iso8859-15",
         "El precio de la luz baja a 85 € por megavatio hora",
         "Galicia registra la mejor campaña de marisqueo en una década"),
        ("undeclared-latin1-pt.xml", "cp1252",  # Latin-1 text reads the same in Windows-1252
         "Governo de São Paulo anuncia expansão da linha 6 do metrô",
         "Banco Central mantém a taxa Selic em 10,5% ao ano"),
        ("undeclared-short-es.xml", "cp1252", "Año nuevo en Peñalolén", "Año nuevo en Peñalolén"),
    ],
)  # fmt: skip
def test_undeclared_legacy_feeds_are_guessed_and_the_guess_reported(
    name: str, encoding: str, first: str, last: str
) -> None:
    data = fixture_bytes(name)
    assert xml_declared_encoding(data) is None and not data.startswith(codecs.BOM_UTF8)
    parsed = parse_feed(data, url=fixture_url(name), content_type="text/xml", fetched_at=FETCHED_AT)
    titles = [entry.title_html for entry in parsed.entries]
    assert (titles[0], titles[-1]) == (first, last)
    assert parsed.encoding == encoding
    assert [str(w) for w in parsed.warnings] == [
        f"encoding-guessed: no charset declared and the bytes are not UTF-8; guessed {encoding}"
    ]
    text = " ".join(t + " " + e.summary_html for t, e in zip(titles, parsed.entries, strict=True))
    if CYRILLIC.search(first):
        assert all(CYRILLIC.search(title) for title in titles)
        assert not re.search(r"[\u00c0-\u024f]", text)  # no Latin mojibake ("Ð", "Ê")
    else:
        assert not CYRILLIC.search(text) and not LATIN_EXTENDED.search(text)


def test_declared_and_utf8_feeds_never_reach_the_guess() -> None:
    """The declarations keep their precedence; UTF-8 is tried strictly before any guess."""
    ukrainian = fixture_bytes("undeclared-cp1251-uk.xml").decode("cp1251")
    title = "Київська міська рада затвердила програму ремонту шкіл"
    declared = ukrainian.replace(
        '<?xml version="1.0"?>', '<?xml version="1.0" encoding="windows-1251"?>'
    )
    cases = [
        (declared.encode("cp1251"), None, "cp1251", title),
        (ukrainian.encode("koi8-u"), "application/rss+xml; charset=KOI8-U", "koi8-u", title),
        (ukrainian.encode("utf-8"), None, "utf-8", title),
        (ukrainian.encode("utf-8"), "text/xml", "utf-8", title),
        # A declaration that decodes is followed even when a guess would read better.
        (declared.replace("windows-1251", "windows-1252").encode("cp1251"), None, "cp1252",
         title.encode("cp1251").decode("cp1252")),
    ]  # fmt: skip
    for body, content_type, encoding, expected in cases:
        parsed = parse_feed(
            body, url="https://uk.example/", content_type=content_type, fetched_at=FETCHED_AT
        )
        assert (parsed.encoding, parsed.entries[0].title_html) == (encoding, expected)
        assert parsed.warnings == ()
    for name in (
        "example-rss091.xml",
        "example-riotimes-feed.xml",
        "dev-wire-pt.xml",
        "dev-wire-es.xml",
    ):
        parsed = parse_fixture(name)
        assert not any(w.code.startswith("encoding") for w in parsed.warnings), name


@pytest.mark.parametrize(
    ("text", "codec", "charset"),
    [
        ("Kyiv’s mayor says “no” – again", "cp1252", "cp1252"),
        ("Café owners protest a résumé of the naïve plan", "cp1252", "cp1252"),
        ("Prices rise 5 € a month", "cp1252", "cp1252"),
        ("Cuesta 20 € el kilo", "iso8859_15", "iso8859_15"),
        ("España", "cp1252", "cp1252"),
        ("Ação", "latin-1", "cp1252"),
        ("Погода в Москве", "cp1251", "cp1251"),
        ("Зеленський зустрівся з NATO Secretary General у Брюсселі", "cp1251", "cp1251"),
    ],
)  # fmt: skip
def test_guess_legacy_charset(text: str, codec: str, charset: str) -> None:
    body = f"<rss><channel><item><title>{text}</title></item></channel></rss>".encode(codec)
    assert guess_legacy_charset(body) == charset
    assert body.decode(charset) == body.decode(codec)
