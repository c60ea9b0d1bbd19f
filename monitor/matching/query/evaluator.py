"""Decide whether one parsed query matches one prepared document.

Semantics, precisely:

* A word matches a token of the title or the text (or only of ``title:``/``text:``).
  A wildcard ``abc*`` matches any token starting with ``abc``.
* A phrase matches consecutive tokens of one field.
* ``a NEAR/n b`` matches when an occurrence of ``a`` and an occurrence of ``b`` in the
  *same field* do not overlap and have at most ``n`` words between them, in either
  order: ``NEAR/0`` means adjacent. ``ONEAR/n`` also requires ``a`` to come first. The
  same token occurrence never counts for both sides (``x NEAR/3 x`` needs two ``x``).
  An OR-group operand matches where any alternative matches; a nested NEAR spans from
  the first word of its left match to the last word of its right match.
* Metadata: ``country:BR`` tests the classifier's countries, ``category:`` its category,
  ``lang:`` the primary language subtag, ``site:`` the domain or a parent domain,
  ``outlet:`` words of the outlet name (a phrase or a prefix).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from monitor.matching.query.ast import And, Meta, Near, Node, Not, Or, Phrase, Term
from monitor.matching.query.document import TEXT, TITLE, MatchDoc

Span = tuple[int, int]  # first and last token index, inclusive
_FIELDS = (TITLE, TEXT)


def matches(node: Node, doc: MatchDoc) -> bool:
    """True when ``node`` matches ``doc``."""
    if isinstance(node, Term):
        if node.prefix:
            return doc.has_prefix(node.word, node.field or "")
        return any(node.word in doc.words[f] for f in doc.fields(node.field))
    if isinstance(node, And):
        return all(matches(child, doc) for child in node.children)
    if isinstance(node, Or):
        return any(matches(child, doc) for child in node.children)
    if isinstance(node, Not):
        return not matches(node.child, doc)
    if isinstance(node, Phrase):
        return any(_phrase_spans(node, doc, f) for f in doc.fields(node.field))
    if isinstance(node, Meta):
        return _meta(node, doc)
    return any(_near_exists(node, doc, f) for f in _FIELDS)


def spans(node: Node, doc: MatchDoc, field: str) -> list[Span]:
    """Sorted spans where a span-able node (term, phrase, OR-group, NEAR) matches."""
    if isinstance(node, Term):
        if node.field not in (None, field):
            return []
        if node.prefix:
            found = doc.prefix_positions(node.word, field)
        else:
            found = doc.positions[field].get(node.word, [])
        return [(p, p) for p in found]
    if isinstance(node, Phrase):
        return _phrase_spans(node, doc, field)
    if isinstance(node, Or):
        merged: set[Span] = set()
        for child in node.children:
            merged.update(spans(child, doc, field))
        return sorted(merged)
    if isinstance(node, Near):
        return _near_spans(node, doc, field)
    return []  # the parser never puts AND/NOT/metadata under NEAR


def _phrase_spans(node: Phrase, doc: MatchDoc, field: str) -> list[Span]:
    if node.field not in (None, field):
        return []
    sequence = doc.sequences[field]
    words = node.words
    last = len(words) - 1
    found: list[Span] = []
    for start in doc.positions[field].get(words[0], ()):
        if start + last < len(sequence) and all(
            sequence[start + i] == words[i] for i in range(1, len(words))
        ):
            found.append((start, start + last))
    return found


def _partners(
    left: Span,
    right: list[Span],
    right_starts: list[int],
    by_end: list[Span],
    ends: list[int],
    node: Near,
) -> list[Span]:
    """Right spans that do not overlap ``left`` and are within the distance."""
    start, end = left
    found = right[
        bisect_left(right_starts, end + 1) : bisect_right(right_starts, end + 1 + node.distance)
    ]
    if not node.ordered:
        found = (
            found
            + by_end[bisect_left(ends, start - 1 - node.distance) : bisect_right(ends, start - 1)]
        )
    return found


def _near_exists(node: Near, doc: MatchDoc, field: str) -> bool:
    left = spans(node.left, doc, field)
    if not left:
        return False
    right = spans(node.right, doc, field)
    if not right:
        return False
    right_starts = [s for s, _ in right]
    by_end = sorted(right, key=lambda span: span[1])
    ends = [e for _, e in by_end]
    return any(_partners(span, right, right_starts, by_end, ends, node) for span in left)


def _near_spans(node: Near, doc: MatchDoc, field: str) -> list[Span]:
    left = spans(node.left, doc, field)
    right = spans(node.right, doc, field) if left else []
    if not right:
        return []
    right_starts = [s for s, _ in right]
    by_end = sorted(right, key=lambda span: span[1])
    ends = [e for _, e in by_end]
    found: set[Span] = set()
    for span in left:
        for partner in _partners(span, right, right_starts, by_end, ends, node):
            found.add((min(span[0], partner[0]), max(span[1], partner[1])))
    return sorted(found)


def _meta(node: Meta, doc: MatchDoc) -> bool:
    value = node.words[0]
    if node.field == "country":
        return value in doc.countries
    if node.field == "lang":
        return doc.lang == value
    if node.field == "category":
        return doc.category == value
    if node.field == "site":
        return value in doc.site_keys
    return _outlet(node, doc.outlet_words)


def _outlet(node: Meta, words: tuple[str, ...]) -> bool:
    if node.prefix:
        return any(word.startswith(node.words[0]) for word in words)
    size = len(node.words)
    return any(words[i : i + size] == node.words for i in range(len(words) - size + 1))
