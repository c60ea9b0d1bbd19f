"""The parsed form of a stored query, and its canonical text.

Nodes are frozen dataclasses, so equal queries compare and hash equal; :func:`unparse`
writes the canonical text that parses back to the same tree (used to deduplicate
identical stored queries and in property tests). Words are stored *folded* (lowercase,
no accents), exactly as document tokens are.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT_FIELDS = ("title", "text")
META_FIELDS = ("outlet", "site", "lang", "country", "category")
FIELDS = TEXT_FIELDS + META_FIELDS


@dataclass(frozen=True, slots=True)
class Term:
    """One word (``prefix=False``) or every word starting with it (``Zelensk*``)."""

    word: str
    field: str | None = None
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class Phrase:
    """Consecutive words, in order: ``"peace formula"``."""

    words: tuple[str, ...]
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Meta:
    """A test on document metadata: ``country:BR``, ``lang:pt``, ``outlet:"rio times"``.

    ``words`` is one normalised value, except for ``outlet`` where it is the folded
    words of the outlet name to find (``prefix`` only for a single word: ``outlet:rio*``).
    """

    field: str
    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclass(frozen=True, slots=True)
class Near:
    """Both operands within ``distance`` words of each other (``ordered``: left first)."""

    left: Node
    right: Node
    distance: int
    ordered: bool = False


Node = Term | Phrase | Meta | And | Or | Not | Near
SpanNode = Term | Phrase | Or | Near


def unparse(node: Node) -> str:
    """Canonical query text for ``node``; ``parse(unparse(n)) == n``."""
    if isinstance(node, Term):
        return _scope(node.field) + node.word + ("*" if node.prefix else "")
    if isinstance(node, Phrase):
        return _scope(node.field) + '"' + " ".join(node.words) + '"'
    if isinstance(node, Meta):
        return _unparse_meta(node)
    if isinstance(node, And):
        return " AND ".join(_wrap(child, (And, Or)) for child in node.children)
    if isinstance(node, Or):
        return " OR ".join(_wrap(child, (Or,)) for child in node.children)
    if isinstance(node, Not):
        return "NOT " + _wrap(node.child, (And, Or, Near, Not))
    operator = f" {'ONEAR' if node.ordered else 'NEAR'}/{node.distance} "
    return _wrap(node.left, (And, Or, Not)) + operator + _wrap(node.right, (And, Or, Not, Near))


def _unparse_meta(node: Meta) -> str:
    if node.field == "outlet" and len(node.words) > 1:
        return 'outlet:"' + " ".join(node.words) + '"'
    if node.field == "outlet" and node.prefix:
        return f"outlet:{node.words[0]}*"
    return f"{node.field}:{node.words[0]}"


def _scope(field: str | None) -> str:
    return f"{field}:" if field else ""


def _wrap(node: Node, kinds: tuple[type, ...]) -> str:
    text = unparse(node)
    return f"({text})" if isinstance(node, kinds) else text
