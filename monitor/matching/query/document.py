"""A story prepared once (folded tokens and positions) and reused by every stored query.

Tokens are the words of the folded title and text (letters and digits, lowercase, no
accents); positions count words from 0 in each field separately, so a phrase or a NEAR
never spans the headline and the lede. Metadata (outlet, site, language, countries,
category) is normalised the same way the query parser normalises field values.
"""

from __future__ import annotations

import sys
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from monitor.matching.text import fold, tokens

TITLE = "title"
TEXT = "text"
META_PREFIX = "\x02"
PREFIX_MARK = "\x01"
PHRASE_MARK = "\x03"
AFTER_ANY_CHARACTER = chr(sys.maxunicode)  # sorts after every character of a token
WORD_SEPARATOR = "\n"  # never inside a token; see ``MatchDoc.joined_vocabulary``


def meta_key(field: str, value: str) -> str:
    """The presearch key of a metadata value (never collides with a word token)."""
    return f"{META_PREFIX}{field}:{value}"


def normalise_site(site: str) -> str:
    """Lowercase domain without ``www.`` or a trailing dot."""
    return site.strip().lower().removeprefix("www.").strip(".")


def site_suffixes(site: str) -> list[str]:
    """``news.example.com`` → ``news.example.com``, ``example.com`` (no bare TLD)."""
    parts = site.split(".")
    return [".".join(parts[i:]) for i in range(max(1, len(parts) - 1))] if site else []


class MatchDoc:
    """Everything a query can test about one story, computed once."""

    __slots__ = (
        "_bits",
        "_positions",
        "_prefix_cache",
        "_vocabulary",
        "category",
        "countries",
        "joined_vocabulary",
        "keys",
        "lang",
        "leaf_cache",
        "outlet_words",
        "sequences",
        "site",
        "site_keys",
        "words",
    )

    def __init__(
        self,
        title: str,
        text: str,
        outlet: str = "",
        site: str = "",
        lang: str | None = None,
        countries: Iterable[str] = (),
        category: str | None = None,
    ) -> None:
        self.sequences: dict[str, list[str]] = {
            TITLE: tokens(fold(title)),
            TEXT: tokens(fold(text)),
        }
        title_words = frozenset(self.sequences[TITLE])
        text_words = frozenset(self.sequences[TEXT])
        every_word = title_words | text_words
        self.words: dict[str, frozenset[str]] = {
            TITLE: title_words,
            TEXT: text_words,
            "": every_word,
        }
        # Each word preceded by the separator: a prefix automaton finds word starts in it.
        self.joined_vocabulary = WORD_SEPARATOR + WORD_SEPARATOR.join(every_word)
        self.outlet_words: tuple[str, ...] = tuple(tokens(fold(outlet)))
        self.site = normalise_site(site)
        self.lang = lang.strip().lower().split("-")[0] if lang else None
        self.countries = frozenset(code.upper() for code in countries)
        self.category = category
        self.site_keys = frozenset(site_suffixes(self.site))
        keys = {meta_key("outlet", word) for word in self.outlet_words}
        keys.update(meta_key("site", suffix) for suffix in self.site_keys)
        keys.update(meta_key("country", code) for code in self.countries)
        if self.lang:
            keys.add(meta_key("lang", self.lang))
        if category:
            keys.add(meta_key("category", category))
        self.keys = every_word.union(keys)
        # Built on first use: most stories reach no query that needs word positions or a
        # sorted vocabulary.
        self._positions: dict[str, dict[str, list[int]]] | None = None
        self._vocabulary: dict[str, tuple[str, ...]] | None = None
        self._prefix_cache: dict[tuple[str, str], list[int]] = {}
        self._bits: dict[tuple[str, str], int] = {}
        # The proximity evaluator's per-story memo (an operand's matches, by field).
        self.leaf_cache: dict[tuple[str, str], list[tuple[int, int]]] = {}

    @property
    def positions(self) -> dict[str, dict[str, list[int]]]:
        """Per field, each word's positions (for phrases and NEAR)."""
        if self._positions is None:
            built: dict[str, dict[str, list[int]]] = {}
            for field, sequence in self.sequences.items():
                positions: dict[str, list[int]] = {}
                for index, token in enumerate(sequence):
                    positions.setdefault(token, []).append(index)
                built[field] = positions
            self._positions = built
        return self._positions

    @property
    def vocabulary(self) -> dict[str, tuple[str, ...]]:
        """Per field ('' = either), the distinct words in sorted order (for prefixes)."""
        if self._vocabulary is None:
            self._vocabulary = {field: tuple(sorted(words)) for field, words in self.words.items()}
        return self._vocabulary

    def fields(self, field: str | None) -> tuple[str, ...]:
        """The text fields a term scoped to ``field`` (None: both) is looked for in."""
        return (field,) if field else (TITLE, TEXT)

    def has_prefix(self, prefix: str, field: str = "") -> bool:
        """True when some word of ``field`` ('' = either) starts with ``prefix``."""
        vocabulary = self.vocabulary[field]
        index = bisect_left(vocabulary, prefix)
        return index < len(vocabulary) and vocabulary[index].startswith(prefix)

    def prefix_positions(self, prefix: str, field: str) -> list[int]:
        """Sorted positions in ``field`` of every word starting with ``prefix``."""
        key = (prefix, field)
        cached = self._prefix_cache.get(key)
        if cached is not None:
            return cached
        vocabulary = self.vocabulary[field]
        positions = self.positions[field]
        # The words starting with the prefix are one run of the sorted vocabulary.
        start = bisect_left(vocabulary, prefix)
        end = bisect_left(vocabulary, prefix + AFTER_ANY_CHARACTER, start)
        found = sorted([p for word in vocabulary[start:end] for p in positions[word]])
        self._prefix_cache[key] = found
        return found

    def word_bits(self, word: str, field: str) -> int:
        """Positions of ``word`` in ``field`` as a bit set (bit ``i``: word ``i``)."""
        if word not in self.words[field]:
            return 0
        key = (word, field)
        bits = self._bits.get(key)
        if bits is None:
            bits = self._bits[key] = bit_set(self.positions[field][word])
        return bits

    def prefix_bits(self, prefix: str, field: str) -> int:
        """Positions in ``field`` of every word starting with ``prefix``, as a bit set."""
        key = (PREFIX_MARK + prefix, field)
        bits = self._bits.get(key)
        if bits is None:
            bits = self._bits[key] = bit_set(self.prefix_positions(prefix, field))
        return bits

    def phrase_bits(self, words: tuple[str, ...], field: str) -> int:
        """Start positions in ``field`` where ``words`` occur in a row, as a bit set.

        A few operations on integers of one bit per word, however often the words occur.
        """
        if not self.words[field].issuperset(words):
            return 0
        key = (PHRASE_MARK + WORD_SEPARATOR.join(words), field)
        bits = self._bits.get(key)
        if bits is None:
            bits = self.word_bits(words[0], field)
            for offset, word in enumerate(words[1:], 1):
                if not bits:
                    break
                bits &= self.word_bits(word, field) >> offset
            self._bits[key] = bits
        return bits


def bit_set(positions: Sequence[int]) -> int:
    """An integer with bit ``p`` set for each ``p`` in ``positions`` (linear time)."""
    if len(positions) < 32:
        bits = 0
        for position in positions:
            bits |= 1 << position
        return bits
    raw = bytearray((max(positions) >> 3) + 1)
    for position in positions:
        raw[position >> 3] |= 1 << (position & 7)
    return int.from_bytes(raw, "little")
