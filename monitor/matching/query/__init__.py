"""The stored-query language: lexer → parser → AST → evaluator, plus a linter.

Analysts write queries such as::

    (Lula OR Bolsonaro) AND Zelensk* AND NOT title:football
    "peace formula" NEAR/10 (Brasil OR Brazil) country:BR lang:pt

* Operators in capitals: ``AND``, ``OR``, ``NOT`` (also ``AND NOT``), ``NEAR/n``,
  ``ONEAR/n`` (ordered). Adjacent terms are ANDed: ``Lula Zelensky`` = ``Lula AND Zelensky``.
* Precedence, tightest first: NOT > NEAR/ONEAR > AND > OR; parentheses group.
* ``"exact phrase"``; trailing wildcard ``Zelensk*`` (at least 3 letters before ``*``).
* ``a NEAR/n b``: both in the same field with at most ``n`` words between them;
  ``ONEAR/n``: and ``a`` first. Operands: words, phrases, wildcards, OR-groups.
* Fields: ``title:``, ``text:`` (where words are looked for), and metadata ``outlet:``,
  ``site:``, ``lang:``, ``country:`` (ISO alpha-2, from the classifier), ``category:``.
* Case and accents never matter: ``Díaz-Canel`` = ``diaz canel``.

Errors are :class:`monitor.errors.QueryError` with the position of the problem.
"""

from __future__ import annotations

from monitor.errors import QueryError
from monitor.matching.query.ast import Node, unparse
from monitor.matching.query.document import MatchDoc
from monitor.matching.query.evaluator import matches
from monitor.matching.query.lint import LintWarning, lint
from monitor.matching.query.parser import parse

__all__ = ["LintWarning", "MatchDoc", "Node", "QueryError", "lint", "matches", "parse", "unparse"]
