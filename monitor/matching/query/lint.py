"""Warnings about queries that parse but are probably not what the analyst meant.

``lint`` parses the query first, so an invalid query raises QueryError as ``parse``
does. Warnings never block saving a query; they are shown by ``monitor query test``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from monitor.matching.query.ast import And, Near, Node, Not, Or, Phrase, Term
from monitor.matching.query.lexer import Kind, tokenize
from monitor.matching.query.parser import parse
from monitor.matching.query.presearch import required_clauses

SHORT_WILDCARD = 5  # prefixes shorter than this match many words
LARGE_OR = 50
LARGE_NEAR = 20
_OPERATOR_WORDS = {"and", "or", "not", "near", "onear"}


@dataclass(frozen=True, slots=True)
class LintWarning:
    """One warning: a stable code, a message for people, and where (when known)."""

    code: str
    message: str
    position: int | None = None


def lint(query: str) -> list[LintWarning]:
    """Warnings for ``query`` (which must parse; QueryError otherwise)."""
    node = parse(query)
    warnings = list(_token_warnings(query))
    warnings.extend(_tree_warnings(node))
    if _only_negative(node):
        warnings.append(
            LintWarning(
                "pure-not",
                "the query only excludes words, so it matches almost every story; "
                "add a word that stories must contain",
            )
        )
    elif required_clauses(node) is None:
        warnings.append(
            LintWarning(
                "no-required-term",
                "no word is required by every match, so the query is checked against "
                "every story (slower); consider AND-ing a required word",
            )
        )
    return warnings


def _token_warnings(query: str) -> Iterator[LintWarning]:
    for token in tokenize(query):
        if token.kind is not Kind.WORD:
            continue
        lowered = token.text.lower().split("/")[0]
        if lowered in _OPERATOR_WORDS and token.text != token.text.upper():
            yield LintWarning(
                "lowercase-operator",
                f"'{token.text}' is searched as a word; write {lowered.upper()} "
                "in capitals for the operator",
                token.position,
            )
        elif token.text.startswith("-") and len(token.text) > 1:
            yield LintWarning(
                "dash-is-not-not",
                f"'{token.text}' searches for the word; to exclude it write NOT {token.text[1:]}",
                token.position,
            )


def _tree_warnings(node: Node) -> Iterator[LintWarning]:
    for child in walk(node):
        if isinstance(child, Term) and child.prefix and len(child.word) < SHORT_WILDCARD:
            yield LintWarning(
                "short-wildcard",
                f"'{child.word}*' matches many different words; "
                f"use at least {SHORT_WILDCARD} letters before '*'",
            )
        elif isinstance(child, Term) and not child.prefix and len(child.word) < 2:
            yield LintWarning("very-short-word", f"'{child.word}' is too short to be selective")
        elif isinstance(child, Or) and len(child.children) > LARGE_OR:
            yield LintWarning(
                "large-or",
                f"an OR list of {len(child.children)} alternatives; consider several queries",
            )
        elif isinstance(child, Near):
            if child.distance > LARGE_NEAR:
                yield LintWarning(
                    "large-near",
                    f"NEAR/{child.distance} allows so many words in between that it is "
                    "almost AND; typical values are 3 to 10",
                )
            fields = _fields(child.left) | _fields(child.right)
            if len(fields - {None}) > 1:
                yield LintWarning(
                    "near-across-fields",
                    "NEAR between title: and text: never matches (positions are per field)",
                )


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, And | Or):
        for child in node.children:
            yield from walk(child)
    elif isinstance(node, Not):
        yield from walk(node.child)
    elif isinstance(node, Near):
        yield from walk(node.left)
        yield from walk(node.right)


def _fields(node: Node) -> set[str | None]:
    return {n.field for n in walk(node) if isinstance(n, Term | Phrase)}


def _only_negative(node: Node) -> bool:
    """True when every way the query can match is by the absence of words."""
    if isinstance(node, Not):
        return True
    if isinstance(node, And):
        return all(_only_negative(child) for child in node.children)
    if isinstance(node, Or):
        return any(_only_negative(child) for child in node.children)
    return False
