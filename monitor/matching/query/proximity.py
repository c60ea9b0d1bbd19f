"""NEAR/ONEAR in time linear in the story: a group's word orders, then one scan per order.

The definition (see ``evaluator``) is recursive: ``a NEAR/n b`` matches where a span of
``a`` and a span of ``b`` do not overlap and have at most ``n`` words between them, and a
nested NEAR is the span from its first word to its last. Evaluated as written, a nested
NEAR lists its spans (up to the story's length times the span's width) and pairs each with
every span of the next operand within reach, level after level, which is how
``peace NEAR/20 peace NEAR/20 …`` used to cost seconds a story and ``abc* NEAR/100 …``
nearly a minute.

The same definition, read differently: a group (a tree of NEAR/ONEAR nodes whose leaves
are words, phrases, wildcards and OR-groups of them) matches exactly when its leaves can
be laid out left to right, without overlap, in an *order* where each node's two sides are
two contiguous blocks (either way round for NEAR, left first for ONEAR), and each pair of
neighbouring leaves is at most ``n`` words apart, ``n`` being the distance of the node
that joins them (the node where the two blocks meet). So a group is a small set of
orders, fixed by the query alone (:func:`plan`), and each order is checked by one
left-to-right scan whose state is the set of positions where the leaves so far can end,
kept as one integer used as a bit set (:func:`near_matches`). A scan step costs a few
operations on integers of one bit per word, whatever the distance and however many
times the words occur. Orders sharing a beginning share its steps (a prefix tree).

The number of orders doubles with every NEAR whose sides differ, so the parser bounds
it (:data:`MAX_NEAR_OPERANDS` per group, :data:`MAX_PROXIMITY_STEPS` per query).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from monitor.matching.query.ast import And, Near, Node, Not, Or, Phrase, Term, unparse
from monitor.matching.query.document import TEXT, TITLE, MatchDoc

MAX_NEAR_OPERANDS = 8
MAX_PROXIMITY_STEPS = 1024

Leaf = frozenset[Term | Phrase]  # one operand: any of these words, wildcards or phrases
Order = tuple[Leaf | int, ...]  # leaf, distance, leaf, distance, … leaf


@dataclass(slots=True)
class Step:
    """One leaf of an order, reached from the step before it within ``distance`` words.

    Built by :func:`plan` and never changed afterwards (plans are shared between threads).
    """

    leaf: Leaf
    distance: int  # words allowed between the previous leaf and this one (-1: first leaf)
    key: str  # the leaf's canonical text: a cheap key for the story's cache of its matches
    last: bool = False  # some order ends here
    next: list[Step] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Plan:
    """A group's orders as a prefix tree of steps; ``steps`` is its size (the scan cost).

    ``required``: words every order needs in the field it matches in (a cheap first test).
    """

    roots: tuple[Step, ...]
    orders: int
    steps: int
    required: frozenset[str]


@dataclass(slots=True)
class Meter:
    """Work done by scans, for tests: steps taken and bits handled by integer operations."""

    steps: int = 0
    bits: int = 0


def operands(node: Node) -> int:
    """Leaves of a proximity group: words, phrases, wildcards; a plain OR-group counts once."""
    if isinstance(node, Near):
        return operands(node.left) + operands(node.right)
    if isinstance(node, Or):
        nested = [child for child in _alternatives(node) if isinstance(child, Near)]
        plain = len(nested) < sum(1 for _ in _alternatives(node))
        return int(plain) + sum(operands(child) for child in nested)
    return 1


def groups(node: Node) -> Iterator[Near]:
    """The outermost NEAR nodes of a query: each is one group, evaluated on its own."""
    if isinstance(node, Near):
        yield node
    elif isinstance(node, And | Or):
        for child in node.children:
            yield from groups(child)
    elif isinstance(node, Not):
        yield from groups(node.child)


@lru_cache(maxsize=16_384)
def plan(node: Near) -> Plan:
    """The orders of a group, deduplicated and merged into a prefix tree."""
    found = sorted(_orders(node), key=_order_key)  # a stable tree: reproducible work
    roots: list[Step] = []
    steps = 0
    for order in found:
        level, distance = roots, -1
        for index, item in enumerate(order):
            if isinstance(item, int):
                distance = item
                continue
            step = next((s for s in level if s.leaf == item and s.distance == distance), None)
            if step is None:
                step = Step(item, distance, leaf_key(item))
                level.append(step)
                steps += 1
            if index == len(order) - 1:
                step.last = True
            level = step.next
    required = frozenset.intersection(*(_certain_words(order) for order in found))
    return Plan(tuple(roots), len(found), steps, required)


def _certain_words(order: Order) -> frozenset[str]:
    """Words an order cannot match without: those of its one-alternative leaves."""
    words: set[str] = set()
    for item in order:
        if isinstance(item, frozenset) and len(item) == 1:
            (alternative,) = item
            if isinstance(alternative, Phrase):
                words.update(alternative.words)
            elif not alternative.prefix:
                words.add(alternative.word)
    return frozenset(words)


def _order_key(order: Order) -> tuple[str, ...]:
    return tuple(str(item) if isinstance(item, int) else leaf_key(item) for item in order)


def _orders(node: Node) -> set[Order]:
    """Every leaf order a group can match in (the module docstring says why)."""
    if isinstance(node, Near):
        lefts, rights = _orders(node.left), _orders(node.right)
        found = {(*left, node.distance, *right) for left in lefts for right in rights}
        if not node.ordered:
            found.update((*right, node.distance, *left) for left in lefts for right in rights)
        return found
    if isinstance(node, Or):
        plain: list[Term | Phrase] = []
        found = set()
        for child in _alternatives(node):
            if isinstance(child, Term | Phrase):
                plain.append(child)
            else:
                found.update(_orders(child))
        if plain:
            found.add((frozenset(plain),))
        return found
    if isinstance(node, Term | Phrase):
        return {(frozenset({node}),)}
    return set()  # the parser never puts AND/NOT/metadata under NEAR


def _alternatives(node: Or) -> Iterator[Node]:
    for child in node.children:
        if isinstance(child, Or):
            yield from _alternatives(child)
        else:
            yield child


# -- evaluation ---------------------------------------------------------------------------
def near_matches(node: Near, doc: MatchDoc, meter: Meter | None = None) -> bool:
    """True when the group ``node`` matches ``doc`` (in the title or in the text)."""
    found = plan(node)
    return any(
        found.required.issubset(doc.words[name]) and _scan(found.roots, doc, name, 0, meter)
        for name in (TITLE, TEXT)
    )


def _scan(
    level: list[Step] | tuple[Step, ...], doc: MatchDoc, name: str, ends: int, meter: Meter | None
) -> bool:
    """Depth-first over the prefix tree; ``ends``: where the leaves so far can end."""
    reaches: dict[int, int] = {-1: -1}  # the first leaf may start anywhere
    for step in level:
        starts = reaches.get(step.distance)
        if starts is None:  # siblings usually share a distance: one reach for all of them
            starts = reaches[step.distance] = _reach(ends, step.distance)
        reached = 0
        for length, bits in leaf_starts(step.leaf, step.key, doc, name):
            hit = starts & bits
            if hit:
                reached |= hit << (length - 1)
        if meter is not None:
            meter.steps += 1
            meter.bits += (starts.bit_length() if starts > 0 else 0) + reached.bit_length()
        if reached and (step.last or _scan(step.next, doc, name, reached, meter)):
            return True
    return False


def _reach(ends: int, distance: int) -> int:
    """Positions 1 to ``distance + 1`` words after some end: where the next leaf may start.

    Doubling: each shift-and-or covers twice the offsets, so log2(distance) operations.
    """
    reach = ends << 1
    covered = 1
    while covered <= distance:
        shift = covered if 2 * covered <= distance + 1 else distance + 1 - covered
        reach |= reach << shift
        covered += shift
    return reach


def leaf_key(leaf: Leaf) -> str:
    """Canonical text of a leaf: equal leaves, equal keys (compared as strings, not trees)."""
    return " OR ".join(sorted(unparse(alternative) for alternative in leaf))


def leaf_starts(leaf: Leaf, key: str, doc: MatchDoc, name: str) -> list[tuple[int, int]]:
    """(length in words, bit set of start positions) of a leaf's matches in field ``name``."""
    cache_key = (key, name)
    found = doc.leaf_cache.get(cache_key)
    if found is None:
        found = doc.leaf_cache[cache_key] = _leaf_starts(leaf, doc, name)
    return found


def _leaf_starts(leaf: Leaf, doc: MatchDoc, name: str) -> list[tuple[int, int]]:
    by_length: dict[int, int] = {}
    for alternative in leaf:
        if alternative.field not in (None, name):
            continue
        if isinstance(alternative, Term):
            length = 1
            bits = (
                doc.prefix_bits(alternative.word, name)
                if alternative.prefix
                else doc.word_bits(alternative.word, name)
            )
        else:
            length = len(alternative.words)
            bits = doc.phrase_bits(alternative.words, name)
        if bits:
            by_length[length] = by_length.get(length, 0) | bits
    return list(by_length.items())
