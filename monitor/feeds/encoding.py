"""Decode fetched feed bytes to text, trusting a declared charset only as far as the bytes allow.

Servers and feeds get encodings wrong all the time: ``text/xml; charset=ISO-8859-1`` over
UTF-8 bytes, an XML declaration saying UTF-8 over Windows-1252 bytes, ``text/xml`` with no
charset at all (which RFC 3023 says means US-ASCII). feedparser follows those rules to the
letter and then falls back, flagging ordinary feeds as broken. We decide once, here, with a
short and explainable cascade, and hand feedparser clean UTF-8:

1. a byte-order mark wins;
2. then the declared charsets (HTTP ``charset`` first, then the XML declaration), except that
   bytes which are valid UTF-8 with non-ASCII characters are read as UTF-8 even when a
   single-byte charset was declared (Latin-1 text is almost never valid UTF-8 by accident);
3. then UTF-8, strictly;
4. and only then a guess (``guess_legacy_charset``): charset-normalizer picks among the
   legacy charsets of the scripts we monitor, Windows-1252 when nothing reads better, and
   Latin-1, which cannot fail, when even that does not decode. A guess is always reported.

(HTML's ``<meta charset>`` has no step: a feed is XML, and HTML pages are refused.)

Characters XML 1.0 forbids (C0 controls other than tab/newline/return) are removed so one
stray control byte does not push the whole document onto feedparser's lenient parser.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]{0,200}?\?>")
_XML_DECLARED_ENCODING = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)
_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

# Codecs whose every byte sequence decodes "successfully": declaring one of these proves
# nothing, so valid non-ASCII UTF-8 beats them.
_SINGLE_BYTE_LATIN = frozenset(
    {"ascii", "latin_1", "iso8859_15", "cp1252", "iso8859_2", "cp1250", "iso8859_9"}
)
_WIDE = frozenset({"utf_16", "utf_16_le", "utf_16_be", "utf_32", "utf_32_le", "utf_32_be"})
# Python codecs that are not character sets a feed could honestly be written in (UTF-7 is a
# classic script-injection vector; the escape codecs would interpret backslashes).
_NOT_CHARSETS = frozenset(
    {"utf_7", "unicode_escape", "raw_unicode_escape", "idna", "punycode", "undefined", "palmos"}
)

# What a guess may choose: the legacy charsets of the languages monitored (Western and
# Central European Latin, Cyrillic). Open-ended detection reads one accented word as
# Shift_JIS or Big5; feeds in those scripts declare their charset or use UTF-8.
LEGACY_CHARSETS = (
    "cp1252", "iso8859_15", "cp1250", "iso8859_2", "cp1251", "koi8_u", "koi8_r", "iso8859_5",
)  # fmt: skip
# Windows-1252 unless another reading is clearly better: the detector scores Spanish and
# Portuguese read as Windows-1250 ("Peńalolén", "expansăo") as high as the right reading, or
# a little higher (0.015 less chaos for a one-line Latin-1 feed).
_CLEARLY_BETTER = 0.05
_WINDOWS_ONLY = re.compile(rb"[\x80-\x9f]")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# '<?' in UTF-16 without a byte-order mark.
_BOMLESS_WIDE: tuple[tuple[bytes, str], ...] = (
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class DecodedDocument:
    """Feed text plus how it was decoded.

    ``declared`` is what the server or document claimed (None if nothing); ``note`` says why
    the declaration was not followed, when it was not (a warning for the feed's record).
    ``removed_controls`` counts characters dropped because XML forbids them. ``guessed``
    says no declaration was followed and the bytes were not UTF-8: the charset is a guess.
    """

    text: str
    encoding: str
    declared: str | None
    note: str | None = None
    removed_controls: int = 0
    guessed: bool = False


def charset_from_content_type(content_type: str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


def xml_declared_encoding(content: bytes) -> str | None:
    """The ``encoding`` pseudo-attribute of an ASCII-compatible XML declaration, if any."""
    match = _XML_DECLARED_ENCODING.match(content[:300])
    return match.group(1).decode("ascii") if match else None


def decode_feed_bytes(content: bytes, content_type: str | None = None) -> DecodedDocument:
    """Decode ``content`` following the cascade in the module docstring. Never raises."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return _finish(
                content.decode(codec, "replace"), codec.removesuffix("-sig"), codec, None
            )
    for marker, codec in _BOMLESS_WIDE:
        if content.startswith(marker):
            return _finish(content.decode(codec, "replace"), codec, None, None)

    declared = [
        label
        for label in (charset_from_content_type(content_type), xml_declared_encoding(content))
        if label is not None
    ]
    declared = list(dict.fromkeys(declared))  # HTTP and XML often agree; try each once
    first_declared = declared[0] if declared else None
    rejected: list[str] = []
    for name in declared:
        chosen = _codec_name(name)
        if chosen is None:
            rejected.append(f"unknown charset {name!r}")
            continue
        if chosen in _WIDE:
            # A wide charset declared in an ASCII-readable declaration cannot be right.
            rejected.append(f"declared {name} but the bytes are not UTF-16/32")
            continue
        if chosen in _SINGLE_BYTE_LATIN and _is_non_ascii_utf8(content):
            return _finish(
                content.decode("utf-8"),
                "utf-8",
                first_declared,
                f"declared {name} but the bytes are UTF-8",
            )
        try:
            text = content.decode(chosen)
        except UnicodeError:
            if chosen != "cp1252" or _codec_name(name, windows_superset=False) != "latin_1":
                rejected.append(f"declared {name} but the bytes are not {name}")
                continue
            chosen = "latin-1"  # Latin-1 declared and meant: bytes in cp1252's holes
            text = content.decode(chosen)
        note = "; ".join(rejected) if rejected else None
        return _finish(text, chosen, first_declared, note)

    note = "; ".join(rejected) if rejected else None
    try:
        return _finish(content.decode("utf-8"), "utf-8", first_declared, note)
    except UnicodeDecodeError:
        pass
    codec = guess_legacy_charset(content)
    if codec == "latin_1":
        rejected.append("not UTF-8 or Windows-1252, read as Latin-1")
        note = "; ".join(rejected)
    return _finish(content.decode(codec), codec, first_declared, note, guessed=True)


def guess_legacy_charset(content: bytes) -> str:
    """The most likely single-byte charset of ``content`` (not UTF-8), as a codec name.

    charset-normalizer chooses among ``LEGACY_CHARSETS``; Windows-1252 wins unless a
    reading is clearly better, and becomes ISO-8859-15 when byte A4 (the euro sign there, a
    bare currency sign in Windows-1252) appears without any of the bytes only Windows-1252
    uses. Latin-1 when nothing else decodes.
    """
    matches = list(from_bytes(content, cp_isolation=list(LEGACY_CHARSETS)))
    if matches:
        best = matches[0]
        western = next((m for m in matches if "cp1252" in m.could_be_from_charset), None)
        if western is None or not (
            western.chaos <= best.chaos + _CLEARLY_BETTER
            and western.coherence >= best.coherence - _CLEARLY_BETTER
        ):
            return str(best.encoding)
    if b"\xa4" in content and not _WINDOWS_ONLY.search(content):
        return "iso8859_15"
    try:
        content.decode("cp1252")
    except UnicodeDecodeError:
        return "latin_1"
    return "cp1252"


def utf8_xml(text: str) -> bytes:
    """``text`` as UTF-8 bytes with its XML declaration (if any) saying so."""
    data = text.encode("utf-8")
    declaration = _XML_DECLARATION.match(data)
    if declaration:
        data = b'<?xml version="1.0" encoding="utf-8"?>' + data[declaration.end() :]
    return data


def _codec_name(name: str, *, windows_superset: bool = True) -> str | None:
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    codec = info.name.replace("-", "_")
    if codec == "iso8859_1":
        codec = "latin_1"
    if codec in _NOT_CHARSETS or not getattr(info, "_is_text_encoding", True):
        return None
    # Browsers read Latin-1 and ASCII labels as Windows-1252 (WHATWG Encoding); so do we,
    # which recovers curly quotes and dashes from the many feeds that mislabel cp1252.
    if windows_superset and codec in {"latin_1", "ascii"}:
        return "cp1252"
    return codec


def _is_non_ascii_utf8(content: bytes) -> bool:
    if content.isascii():
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _finish(
    text: str, encoding: str, declared: str | None, note: str | None, *, guessed: bool = False
) -> DecodedDocument:
    encoding = encoding.replace("_", "-")
    text = text.removeprefix("\ufeff")
    # Blank lines before the XML declaration (a classic WordPress plugin bug) make strict
    # XML parsers give up; they carry no meaning.
    if text[:1].isspace():
        text = text.lstrip()
    # Vertical tab and form feed separate words; the other controls are debris.
    cleaned, removed = _XML_ILLEGAL.subn(lambda m: " " if m.group() in "\x0b\x0c" else "", text)
    return DecodedDocument(cleaned, encoding, declared, note, removed, guessed)
