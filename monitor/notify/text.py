"""Make untrusted text safe to show on one line, in a header or in a plain-text body.

Feed titles, outlet names, display names and stored queries come from strangers. This
module removes what could change the structure around them (line breaks that would start a
new header, control characters, bidi overrides that reorder the text after them) and keeps
everything people read: accents, Cyrillic, Arabic, emoji, zero-width joiners. It does not
escape HTML; the templates' autoescape does that.
"""

from __future__ import annotations

import re
import unicodedata

ELLIPSIS = "…"

# Bidi embeddings/overrides (U+202A–U+202E) and isolates (U+2066–U+2069) reorder whatever
# follows them, even outside the field they came in. Directional marks (U+200E/F) and
# joiners (U+200C/D, needed by Persian and emoji sequences) are harmless and kept.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Characters that end a line somewhere: a header parser, a mail client or a terminal.
_LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_SPACES = re.compile(r"\s+")


def is_invisible(char: str) -> bool:
    """True for control and formatting characters that carry no visible meaning here."""
    if char in _BIDI_CONTROLS:
        return True
    if char in "\u200c\u200d\u200e\u200f":
        return False
    category = unicodedata.category(char)
    # Cc: C0/C1 controls (NUL, ESC, DEL…); Cs: lone surrogates, which cannot be encoded
    # as UTF-8 at all; Cf: other invisible format characters (BOM, soft hyphen, tags).
    return category in {"Cc", "Cs", "Cf"}


def clean_inline(value: str) -> str:
    """Return ``value`` as one readable line: breaks become spaces, controls are dropped.

    Runs of whitespace collapse to one space, the result is NFC-normalized (so a letter and
    its combining accent become one character where Unicode has one) and stripped.
    """
    if value.isprintable():
        # Fast path: no controls, breaks or format characters (isprintable is False for
        # all of them), so only spacing and normalization are left to do.
        return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    chars: list[str] = []
    for char in value:
        if char in _LINE_BREAKS or char == "\t":
            chars.append(" ")
        elif not is_invisible(char):
            chars.append(char)
    joined = unicodedata.normalize("NFC", "".join(chars))
    return _SPACES.sub(" ", joined).strip()


def truncate(value: str, limit: int) -> str:
    """Shorten ``value`` to at most ``limit`` characters, at a word break when one is near.

    The ellipsis counts toward the limit. The cut never separates a base letter from its
    combining accents nor leaves a dangling zero-width joiner.
    """
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if len(value) <= limit:
        return value
    cut = limit - len(ELLIPSIS)
    while cut > 0 and (
        unicodedata.combining(value[cut]) or value[cut - 1] == "\u200d" or value[cut] == "\u200d"
    ):
        cut -= 1
    space = value.rfind(" ", 0, cut + 1)
    # Prefer a word break unless it would throw away more than a third of the text.
    if space > (limit * 2) // 3:
        cut = space
    return value[:cut].rstrip() + ELLIPSIS
