"""Split query text into tokens in one left-to-right pass (no regular expressions).

Operators are recognised only in UPPERCASE (``AND``, ``OR``, ``NOT``, ``NEAR/n``,
``ONEAR/n``); lowercase ``and``/``or`` are ordinary search words (the linter points
them out). A bare word may carry a field scope (``title:Lula``) and a trailing ``*``.
Every character is looked at a bounded number of times, so hostile input costs linear
time; errors carry the 0-based position of the offending character.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from monitor.errors import QueryError
from monitor.matching.query.ast import FIELDS

MAX_QUERY_LENGTH = 4096
MAX_NEAR_DISTANCE = 100

FIELD_ALIASES = {
    "headline": "title",
    "body": "text",
    "source": "outlet",
    "domain": "site",
    "language": "lang",
}


class Kind(Enum):
    WORD = "word"
    PHRASE = "phrase"
    FIELD = "field"
    AND = "AND"
    OR = "OR"
    NOT = "NOT"
    NEAR = "NEAR"
    LPAREN = "("
    RPAREN = ")"
    END = "end of query"


@dataclass(frozen=True, slots=True)
class Token:
    """One token; ``text`` is the raw text (phrase content without quotes)."""

    kind: Kind
    text: str
    position: int
    distance: int = 0
    ordered: bool = False

    def describe(self) -> str:
        """How error messages name this token."""
        if self.kind in (Kind.WORD, Kind.PHRASE):
            return repr(self.text)
        if self.kind is Kind.FIELD:
            return f"'{self.text}:'"
        if self.kind is Kind.END:
            return "the end of the query"
        return f"'{self.text}'"


_DELIMITERS = frozenset(' \t\n\r\f\v()"')
_OPERATORS = {"AND": Kind.AND, "OR": Kind.OR, "NOT": Kind.NOT}


def tokenize(query: str) -> list[Token]:
    """Tokens of ``query``, ending with an END token. Raises QueryError."""
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryError(
            query[:200], 200, f"query too long: {len(query)} characters (limit {MAX_QUERY_LENGTH})"
        )
    tokens: list[Token] = []
    index = 0
    length = len(query)
    while index < length:
        char = query[index]
        if char.isspace():
            index += 1
        elif char == "(":
            tokens.append(Token(Kind.LPAREN, "(", index))
            index += 1
        elif char == ")":
            tokens.append(Token(Kind.RPAREN, ")", index))
            index += 1
        elif char == '"':
            closing = query.find('"', index + 1)
            if closing < 0:
                raise QueryError(query, index, "unterminated quote: this '\"' is never closed")
            tokens.append(Token(Kind.PHRASE, query[index + 1 : closing], index))
            index = closing + 1
        else:
            end = index
            while end < length and query[end] not in _DELIMITERS:
                end += 1
            tokens.extend(_bare(query, query[index:end], index))
            index = end
    tokens.append(Token(Kind.END, "", length))
    return tokens


def _bare(query: str, chunk: str, position: int) -> list[Token]:
    """Classify a run of non-delimiter characters: field scopes, then operator or word."""
    tokens: list[Token] = []
    colon = chunk.find(":")
    # "title:text:x" yields two field tokens (the parser rejects the nesting).
    while colon > 0 and chunk[:colon].isalpha():
        name = chunk[:colon].lower()
        name = FIELD_ALIASES.get(name, name)
        if name not in FIELDS:
            if tokens:  # after a field, "site:https://…" is a value, not a field
                break
            known = ", ".join(FIELDS)
            raise QueryError(
                query, position, f"unknown field '{chunk[:colon]}'; fields are {known}"
            )
        tokens.append(Token(Kind.FIELD, name, position))
        chunk = chunk[colon + 1 :]
        position += colon + 1
        colon = chunk.find(":")
    if chunk:
        tokens.append(_operator_or_word(query, chunk, position))
    return tokens


def _operator_or_word(query: str, chunk: str, position: int) -> Token:
    if chunk in _OPERATORS:
        return Token(_OPERATORS[chunk], chunk, position)
    for name, ordered in (("NEAR", False), ("ONEAR", True)):
        if chunk == name or chunk.startswith(name + "/"):
            return _near(query, chunk, position, name, ordered)
    return Token(Kind.WORD, chunk, position)


def _near(query: str, chunk: str, position: int, name: str, ordered: bool) -> Token:
    digits = chunk[len(name) + 1 :]
    if chunk == name:
        reason = f"{name} needs a distance in words, e.g. {name}/5"
        raise QueryError(query, position, reason)
    if not digits.isascii() or not digits.isdigit() or len(digits) > 4:
        raise QueryError(
            query, position, f"bad {name} distance '{digits}': expected a whole number of words"
        )
    distance = int(digits)
    if distance > MAX_NEAR_DISTANCE:
        raise QueryError(
            query, position, f"bad {name} distance {distance}: the limit is {MAX_NEAR_DISTANCE}"
        )
    return Token(Kind.NEAR, chunk, position, distance, ordered)
