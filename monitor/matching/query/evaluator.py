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
  ``proximity`` evaluates exactly this in time linear in the story (it says how).
* Metadata: ``country:BR`` tests the classifier's countries, ``category:`` its category,
  ``lang:`` the primary language subtag, ``site:`` the domain or a parent domain,
  ``outlet:`` words of the outlet name (a phrase or a prefix).
"""

from __future__ import annotations

from monitor.matching.query.ast import And, Meta, Node, Not, Or, Phrase, Term
from monitor.matching.query.document import MatchDoc
from monitor.matching.query.proximity import near_matches


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
        return any(doc.phrase_bits(node.words, f) for f in doc.fields(node.field))
    if isinstance(node, Meta):
        return _meta(node, doc)
    return near_matches(node, doc)


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
