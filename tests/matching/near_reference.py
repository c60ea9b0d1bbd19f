"""NEAR/ONEAR as the README and the evaluator's docstring define them, written naively.

Every span of every operand is listed, and a NEAR's spans are every pair of its operands'
spans that do not overlap and are close enough (in order for ONEAR), joined into the span
from the first word to the last. Quadratic and obviously right: the oracle the linear
evaluator (``monitor.matching.query.proximity``) is compared with on small documents.
"""

from __future__ import annotations

from monitor.matching.query.ast import Near, Node, Or, Phrase, Term
from monitor.matching.query.document import TEXT, TITLE, MatchDoc

Span = tuple[int, int]  # first and last word, inclusive


def spans(node: Node, doc: MatchDoc, field: str) -> set[Span]:
    """Every span of ``field`` where a word, phrase, wildcard, OR-group or NEAR matches."""
    sequence = doc.sequences[field]
    if isinstance(node, Term):
        if node.field not in (None, field):
            return set()
        return {
            (i, i)
            for i, token in enumerate(sequence)
            if token == node.word or (node.prefix and token.startswith(node.word))
        }
    if isinstance(node, Phrase):
        if node.field not in (None, field):
            return set()
        size = len(node.words)
        return {
            (i, i + size - 1)
            for i in range(len(sequence) - size + 1)
            if tuple(sequence[i : i + size]) == node.words
        }
    if isinstance(node, Or):
        return set().union(*(spans(child, doc, field) for child in node.children))
    assert isinstance(node, Near), node
    found: set[Span] = set()
    for left in spans(node.left, doc, field):
        for right in spans(node.right, doc, field):
            if left[1] < right[0]:
                gap = right[0] - left[1] - 1
            elif right[1] < left[0] and not node.ordered:
                gap = left[0] - right[1] - 1
            else:
                continue  # overlapping, or in the wrong order for ONEAR
            if gap <= node.distance:
                found.add((min(left[0], right[0]), max(left[1], right[1])))
    return found


def near_matches(node: Near, doc: MatchDoc) -> bool:
    """True when the NEAR matches in the title or in the text."""
    return any(spans(node, doc, field) for field in (TITLE, TEXT))
