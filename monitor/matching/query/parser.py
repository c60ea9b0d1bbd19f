"""Parse stored-query text into an AST (recursive descent, bounded depth).

Grammar, loosest binding first (so precedence is NOT > NEAR/ONEAR > AND > OR)::

    query    := or_expr END
    or_expr  := and_expr ( "OR" and_expr )*
    and_expr := near_expr ( ["AND"] near_expr )*     adjacent terms are ANDed
    near_expr:= unary ( ("NEAR/n" | "ONEAR/n") unary )*   left-associative
    unary    := "NOT" unary | primary
    primary  := FIELD ":" primary | "(" or_expr ")" | WORD | "PHRASE"

``a b OR c`` is ``(a AND b) OR c``; ``a AND NOT b`` and ``a NOT b`` both exclude ``b``;
``NOT a NEAR/3 b`` is rejected (NOT binds tighter, and NOT has no position) — write
``NOT (a NEAR/3 b)``. A field scope applies to the next primary, a group included:
``title:(Lula OR Bolsonaro)``. Limits keep hostile input cheap: 4,096 characters,
nesting depth 32, 1,000 terms, phrases of 32 words, NEAR distance 100, 8 operands in one
NEAR/ONEAR group and 1,024 proximity scan steps in a query (``proximity`` says why: the
word orders a group can match in double with each NEAR between different operands).
"""

from __future__ import annotations

import re

from monitor.errors import QueryError
from monitor.matching.query.ast import (
    META_FIELDS,
    And,
    Meta,
    Near,
    Node,
    Not,
    Or,
    Phrase,
    Term,
)
from monitor.matching.query.lexer import Kind, Token, tokenize
from monitor.matching.query.proximity import (
    MAX_NEAR_OPERANDS,
    MAX_PROXIMITY_STEPS,
    groups,
    operands,
    plan,
)
from monitor.matching.text import fold, tokens

MAX_DEPTH = 32
MAX_TERMS = 1000
MAX_PHRASE_WORDS = 32
MIN_WILDCARD_PREFIX = 3

_STARTS_OPERAND = (Kind.WORD, Kind.PHRASE, Kind.FIELD, Kind.LPAREN, Kind.NOT)


_CATEGORY = re.compile(r"[a-z][a-z0-9]*(-[a-z0-9]+)*")


def query_categories(node: Node) -> set[str]:
    """The categories a parsed query tests (``category:x``), to check against the topics."""
    from monitor.matching.query.lint import walk

    return {
        n.words[0] for n in walk(node) if isinstance(n, Meta) and n.field == "category"
    }


def parse(query: str) -> Node:
    """Parse ``query``; raises :class:`~monitor.errors.QueryError` with a position."""
    return _Parser(query).parse()


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = tokenize(query)
        self.index = 0
        self.depth = 0
        self.terms = 0
        self.field: str | None = None
        self.near_at: dict[int, int] = {}  # id of each NEAR node → its operator's position

    # -- helpers -------------------------------------------------------------------------
    def peek(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def error(self, position: int, reason: str) -> QueryError:
        return QueryError(self.query, position, reason)

    def expect_operand(self, operator: Token) -> None:
        following = self.peek()
        if following.kind not in _STARTS_OPERAND:
            raise self.error(
                operator.position,
                f"dangling {operator.text}: expected a term after it, found {following.describe()}",
            )

    def enter(self, token: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(token.position, f"query nested too deeply (limit {MAX_DEPTH} levels)")

    # -- grammar -------------------------------------------------------------------------
    def parse(self) -> Node:
        first = self.peek()
        if first.kind is Kind.END:
            raise self.error(0, "empty query")
        node = self.or_expr()
        token = self.peek()
        if token.kind is Kind.RPAREN:
            raise self.error(token.position, "unbalanced parenthesis: no '(' matches this ')'")
        if token.kind is not Kind.END:
            raise self.error(token.position, f"unexpected {token.describe()}")
        self._check_proximity_cost(node)
        return node

    def or_expr(self) -> Node:
        first = self.peek()
        if first.kind in (Kind.OR, Kind.AND, Kind.NEAR):
            raise self.error(first.position, f"dangling {first.text}: nothing before it")
        children = [self.and_expr()]
        while self.peek().kind is Kind.OR:
            operator = self.advance()
            self.expect_operand(operator)
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.near_expr()]
        while True:
            token = self.peek()
            if token.kind is Kind.AND:
                self.advance()
                self.expect_operand(token)
            elif token.kind not in _STARTS_OPERAND:
                break
            children.append(self.near_expr())
        return children[0] if len(children) == 1 else And(tuple(children))

    def near_expr(self) -> Node:
        left = self.unary()
        while self.peek().kind is Kind.NEAR:
            operator = self.advance()
            self.expect_operand(operator)
            right = self.unary()
            for operand in (left, right):
                self._check_span_operand(operand, operator)
            left = Near(left, right, operator.distance, operator.ordered)
            self._check_group_size(left, operator)
        return left

    def _check_group_size(self, node: Near, operator: Token) -> None:
        count = operands(node)
        if count > MAX_NEAR_OPERANDS:
            raise self.error(
                operator.position,
                f"too many operands in one NEAR/ONEAR group: {count} (limit "
                f"{MAX_NEAR_OPERANDS} words, phrases or OR-groups); join smaller groups with AND",
            )
        self.near_at[id(node)] = operator.position

    def _check_proximity_cost(self, node: Node) -> None:
        steps = orders = 0
        for group in groups(node):
            cost = plan(group)
            steps += cost.steps
            orders += cost.orders
            if steps > MAX_PROXIMITY_STEPS:
                raise self.error(
                    self.near_at[id(group)],
                    f"the NEAR/ONEAR groups up to here can match in {orders} word orders "
                    f"({steps} scan steps, limit {MAX_PROXIMITY_STEPS}): NEAR matches either "
                    "way round, so every NEAR between different words doubles the orders; "
                    "use ONEAR where the order is known, or fewer NEAR operands",
                )

    def _check_span_operand(self, node: Node, operator: Token) -> None:
        if isinstance(node, Term | Phrase | Near):
            return
        if isinstance(node, Or):
            for child in node.children:
                self._check_span_operand(child, operator)
            return
        what = {And: "AND", Not: "NOT", Meta: "a metadata field"}.get(type(node), "this")
        raise self.error(
            operator.position,
            f"{operator.text} operands must be words, phrases, wildcards or OR-groups of them, "
            f"not {what}; use parentheses, e.g. NOT (a {operator.text} b)",
        )

    def unary(self) -> Node:
        token = self.peek()
        if token.kind is Kind.NOT:
            self.advance()
            self.expect_operand(token)
            self.enter(token)
            child = self.unary()
            self.depth -= 1
            return Not(child)
        return self.primary()

    def primary(self) -> Node:
        token = self.advance()
        if token.kind is Kind.FIELD:
            return self.scoped(token)
        if token.kind is Kind.LPAREN:
            self.enter(token)
            if self.peek().kind is Kind.RPAREN:
                raise self.error(token.position, "empty parentheses")
            node = self.or_expr()
            closing = self.advance()
            if closing.kind is not Kind.RPAREN:
                raise self.error(token.position, "unbalanced parenthesis: this '(' is never closed")
            self.depth -= 1
            return node
        if token.kind is Kind.WORD:
            return self.word(token)
        if token.kind is Kind.PHRASE:
            return self.phrase(token)
        if token.kind is Kind.RPAREN:
            raise self.error(token.position, "unbalanced parenthesis: no '(' matches this ')'")
        raise self.error(
            token.position, f"expected a term, phrase or '(' but found {token.describe()}"
        )

    def scoped(self, token: Token) -> Node:
        if self.field is not None:
            raise self.error(token.position, f"field '{token.text}:' inside '{self.field}:'")
        following = self.peek()
        if following.kind not in (Kind.WORD, Kind.PHRASE, Kind.LPAREN):
            raise self.error(
                token.position,
                f"expected a value after '{token.text}:', found {following.describe()}",
            )
        self.field = token.text
        try:
            node = self.primary()
        finally:
            self.field = None
        if token.text in META_FIELDS and self._has_near(node):
            raise self.error(token.position, f"NEAR cannot be used inside '{token.text}:'")
        return node

    def _has_near(self, node: Node) -> bool:
        if isinstance(node, Near):
            return True
        if isinstance(node, And | Or):
            return any(self._has_near(child) for child in node.children)
        if isinstance(node, Not):
            return self._has_near(node.child)
        return False

    # -- leaves ---------------------------------------------------------------------------
    def count_term(self, token: Token) -> None:
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise self.error(token.position, f"too many terms (limit {MAX_TERMS})")

    def word(self, token: Token) -> Node:
        self.count_term(token)
        raw = token.text
        star = raw.find("*")
        prefix = star >= 0
        if prefix and star != len(raw) - 1:
            raise self.error(token.position + star, "a wildcard '*' is only allowed at the end")
        body = raw[:-1] if prefix else raw
        if self.field in META_FIELDS:
            return self.meta(token, body, prefix)
        words = tokens(fold(body))
        if not words:
            raise self.error(token.position, f"{raw!r} has no letters or digits to search for")
        if prefix:
            if len(words) > 1:
                raise self.error(
                    token.position, f"wildcard on a compound word {raw!r}; use a phrase instead"
                )
            if len(words[0]) < MIN_WILDCARD_PREFIX or not body[-1:].isalnum():
                raise self.error(
                    token.position,
                    f"wildcard prefix {raw!r} is too short: put at least "
                    f"{MIN_WILDCARD_PREFIX} letters or digits right before '*'",
                )
            return Term(words[0], self.field, prefix=True)
        if len(words) == 1:
            return Term(words[0], self.field)
        return self.make_phrase(token, words)

    def phrase(self, token: Token) -> Node:
        self.count_term(token)
        if self.field in META_FIELDS:
            return self.meta(token, token.text, prefix=False)
        words = tokens(fold(token.text))
        if not words:
            raise self.error(token.position, "empty phrase: nothing to search for between quotes")
        if len(words) == 1:
            return Term(words[0], self.field)
        return self.make_phrase(token, words)

    def make_phrase(self, token: Token, words: list[str]) -> Phrase:
        if len(words) > MAX_PHRASE_WORDS:
            raise self.error(token.position, f"phrase too long (limit {MAX_PHRASE_WORDS} words)")
        return Phrase(tuple(words), self.field)

    def meta(self, token: Token, raw: str, prefix: bool) -> Meta:
        field = self.field or ""
        value = raw.strip()
        if prefix and field != "outlet":
            raise self.error(token.position, f"wildcards are not supported in '{field}:'")
        if field == "outlet":
            words = tokens(fold(value))
            if not words:
                raise self.error(token.position, "outlet: needs a name to search for")
            if prefix and (len(words) > 1 or len(words[0]) < MIN_WILDCARD_PREFIX):
                raise self.error(token.position, f"bad outlet wildcard {raw!r}*")
            return Meta("outlet", tuple(words), prefix)
        if field == "country":
            code = value.upper()
            if len(code) != 2 or not code.isascii() or not code.isalpha():
                raise self.error(
                    token.position,
                    f"country: expects a two-letter ISO code such as BR, not {raw!r}",
                )
            return Meta("country", (code,))
        if field == "category":
            category = value.lower()
            # Categories are the topic files' (several topics, each its own); which exist
            # is checked where the loaded topics are known (``query_categories``).
            if not _CATEGORY.fullmatch(category):
                raise self.error(
                    token.position,
                    f"unknown category {raw!r}: a category is a name like peace-plan",
                )
            return Meta("category", (category,))
        if field == "lang":
            lang = value.lower().split("-")[0]
            if not (2 <= len(lang) <= 3 and lang.isascii() and lang.isalpha()):
                raise self.error(
                    token.position, f"lang: expects a language code such as pt, not {raw!r}"
                )
            return Meta("lang", (lang,))
        site = value.lower().removeprefix("www.").strip(".")
        if not site or not all(c.isascii() and (c.isalnum() or c in ".-") for c in site):
            raise self.error(
                token.position, f"site: expects a domain such as riotimesonline.com, not {raw!r}"
            )
        return Meta("site", (site,))
