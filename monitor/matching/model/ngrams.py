"""Word-bounded character n-grams of folded text, hashed into a fixed number of buckets.

The scheme (recorded in every weights file, so a file cannot be read with another one):
fold the headline and the text with the project's folding (``text.fold_text``), keep the
first ``max_chars`` characters of each, split into words (``text.token_spans``), pad each
word with one space on both sides and take every substring of the lengths in ``sizes``
(" kiev " gives " ki", "kie", "iev", "ev " …); an n-gram never crosses a word boundary.
A story's n-grams form a set (presence, not counts). Each n-gram's bucket is the CRC-32
of its UTF-8 bytes modulo ``buckets``: stable across processes and Python versions, unlike
``hash()``. Headline and text share one space.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from monitor.matching.text import token_spans, tokens

# Distinct words whose buckets are remembered (a few MB; a day of news has fewer).
WORD_CACHE = 1 << 16


@dataclass(frozen=True, slots=True)
class NgramScheme:
    """How n-grams are cut and hashed (stored in the weights file)."""

    sizes: tuple[int, ...] = (3, 4, 5)
    buckets: int = 1 << 20
    max_chars: int = 1000

    def to_json(self) -> dict[str, object]:
        return {"sizes": list(self.sizes), "buckets": self.buckets, "max_chars": self.max_chars}


def bucket_of(gram: str, buckets: int) -> int:
    """The bucket of one n-gram."""
    return zlib.crc32(gram.encode("utf-8", "surrogatepass")) % buckets


def word_buckets(word: str, sizes: tuple[int, ...], buckets: int) -> frozenset[int]:
    """The buckets of one word's n-grams. Remembered per scheme: news repeats its words,
    so most stories cost one dictionary look-up per word instead of one hash per n-gram."""
    known = _WORDS.setdefault((sizes, buckets), {})
    found = known.get(word)
    if found is None:
        if len(known) >= WORD_CACHE:
            known.clear()  # a crude bound; refilling costs one story's worth of hashing
        padded = f" {word} "
        found = known[word] = frozenset(
            bucket_of(padded[start : start + size], buckets)
            for size in sizes
            for start in range(len(padded) - size + 1)
        )
    return found


_WORDS: dict[tuple[tuple[int, ...], int], dict[str, frozenset[int]]] = {}


def ngram_buckets(scheme: NgramScheme, folded_title: str, folded_text: str) -> set[int]:
    """The set of buckets a story's n-grams fall in (the model's n-gram input)."""
    out: set[int] = set()
    sizes, buckets = scheme.sizes, scheme.buckets
    known = _WORDS.get((sizes, buckets), {})
    for folded in (folded_title[: scheme.max_chars], folded_text[: scheme.max_chars]):
        for word in tokens(folded):
            found = known.get(word)
            out.update(found if found is not None else word_buckets(word, sizes, buckets))
    return out


def word_ngrams(scheme: NgramScheme, folded: str) -> Iterator[tuple[str, int, int, frozenset[int]]]:
    """Each word of a folded field with its offsets and its n-grams' buckets (explanations)."""
    sizes, buckets = scheme.sizes, scheme.buckets
    known = _WORDS.get((sizes, buckets), {})
    for word, start, end in token_spans(folded[: scheme.max_chars]):
        found = known.get(word)
        yield word, start, end, found if found is not None else word_buckets(word, sizes, buckets)
