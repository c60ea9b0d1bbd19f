"""Fingerprints for recognising one story across outlets: a title key and a 64-bit SimHash.

The same story reaches us from the Rio Times (full body, typographic apostrophes) and from
MENAFN hours later (Title-Cased headline, an excerpt, straight quotes). So both fingerprints
work on *match tokens*: accents stripped, case folded, apostrophes dropped, punctuation as
spaces. The SimHash covers the title and only the first ``TEXT_WORDS`` words of the text,
because copies are often excerpts of the original: the lede is what they share.

SimHash values are unsigned 64-bit ints in ``FeedItem``; SQL ``BIGINT`` is signed, so use
``to_signed64``/``from_signed64`` at the storage boundary.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Sequence

SHINGLE_WORDS = 3
# MENAFN's excerpts of the seed story are 41 words long; 32 leaves a margin for shorter ones.
TEXT_WORDS = 32
TITLE_KEY_CHARS = 512
_BITS = 64
_MASK = (1 << _BITS) - 1
_APOSTROPHES = re.compile("['’ʼ`´‘]")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def match_tokens(text: str) -> list[str]:
    """Words of ``text`` for matching: no accents, case-folded, punctuation removed."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    folded = _APOSTROPHES.sub("", stripped.casefold())
    return _NON_WORD.sub(" ", folded).split()


def title_key(title: str) -> str:
    """A headline reduced for cross-outlet equality: "Ukraine’s New …" == "UKRAINE'S new …".

    At most ``TITLE_KEY_CHARS`` (the store's column): a longer key would fail the insert on
    PostgreSQL and dead-letter the item.
    """
    return " ".join(match_tokens(title))[:TITLE_KEY_CHARS]


def simhash64(tokens: Sequence[str], *, shingle_words: int = SHINGLE_WORDS) -> int:
    """Charikar SimHash (unsigned 64-bit) over overlapping word shingles of ``tokens``.

    Shingle hashes are BLAKE2b, not Python's ``hash``, so values are stable across processes
    and can be stored. Fewer tokens than a shingle make one shingle; no tokens give 0.
    """
    if not tokens:
        return 0
    width = min(shingle_words, len(tokens))
    counts = [0] * _BITS
    for start in range(len(tokens) - width + 1):
        shingle = " ".join(tokens[start : start + width]).encode("utf-8")
        value = int.from_bytes(hashlib.blake2b(shingle, digest_size=8).digest(), "big")
        for bit in range(_BITS):
            counts[bit] += 1 if value >> bit & 1 else -1
    result = 0
    for bit, count in enumerate(counts):
        if count > 0:
            result |= 1 << bit
    return result


def item_simhash(title: str, text: str, *, text_words: int = TEXT_WORDS) -> int:
    """SimHash of an item's title plus the first ``text_words`` words of its text."""
    return simhash64(match_tokens(title) + match_tokens(text)[:text_words])


def hamming(a: int, b: int) -> int:
    """Number of differing bits between two 64-bit fingerprints (signed or unsigned)."""
    return ((a ^ b) & _MASK).bit_count()


def simhash_bands(h: int, bands: int = 4) -> list[int]:
    """Split a fingerprint into ``bands`` keys for locality-sensitive lookup.

    Two fingerprints within ``bands - 1`` bits of each other share at least one key
    (pigeonhole: the differing bits cannot touch every band). Each key carries its band
    index in the bits above 32, so equal values in different bands never collide, and it
    fits a signed 64-bit SQL column.
    """
    if not 2 <= bands <= _BITS:
        raise ValueError(f"bands must be between 2 and {_BITS}, got {bands}")
    h &= _MASK
    keys = []
    start = 0
    for index in range(bands):
        width = _BITS // bands + (1 if index < _BITS % bands else 0)
        value = (h >> start) & ((1 << width) - 1)
        keys.append(index << 32 | value)
        start += width
    return keys


def to_signed64(h: int) -> int:
    """An unsigned 64-bit fingerprint as the signed int64 SQL BIGINT stores."""
    h &= _MASK
    return h - (1 << _BITS) if h >= 1 << (_BITS - 1) else h


def from_signed64(value: int) -> int:
    """A signed int64 from SQL back to the unsigned fingerprint ``FeedItem`` uses."""
    return value & _MASK
