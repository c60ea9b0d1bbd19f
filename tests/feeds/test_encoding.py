"""decode_feed_bytes: the charset cascade, one row per way servers get encodings wrong."""

from __future__ import annotations

import codecs

import pytest

from monitor.feeds.encoding import (
    charset_from_content_type,
    decode_feed_bytes,
    utf8_xml,
    xml_declared_encoding,
)

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


def test_bytes_valid_in_nothing_are_read_as_latin1() -> None:
    body = b"<rss>\x81\x8d\x8f\x90\x9d\xff\xfe</rss>"  # not UTF-8, holes in cp1252
    decoded = decode_feed_bytes(body)
    assert decoded.encoding == "latin-1"
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
