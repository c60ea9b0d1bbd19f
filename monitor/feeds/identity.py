"""Who an item is: a stable id within its feed, and whether two items are the same story.

**Item ids** are what the store de-duplicates on, so they must survive re-polls and
cosmetic edits. In order of trust:

* ``g:`` — the entry's GUID, scoped by the feed's host (minus ``www.``) so two feeds' GUID
  ``"1"`` differ while ``riotimesonline.com/feed/`` and ``www.riotimesonline.com/feed``
  agree. GUIDs that are links are canonicalized first (MercoPress puts ``utm_*`` in them);
* ``u:`` — the canonical link, when there is no usable GUID;
* ``h:`` — a hash of title and text, scoped by host, when there is neither.

Links (as GUIDs or as links) are compared without scheme and ``www.``, so a site's move
to https does not turn its whole archive into new items.

Each is ``<kind>:`` + the first 32 hex digits of a SHA-256. Two *different* entries of one
document sharing an id (a CMS bug) keep the first id; later ones get a content-qualified id
and the document gets a ``duplicate-guid`` warning. Exact repeats are dropped.

**Near-duplicates** are the same story from different outlets (the Rio Times original and
MENAFN's copy): see ``same_story``, the one rule the worker clusters by. ``credit_original`` names who wrote it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urlsplit

from monitor.feeds.fingerprint import TEXT_WORDS, hamming, match_tokens, simhash_bands, title_key
from monitor.feeds.raw_feed import FeedWarning, RawEntry
from monitor.feeds.urls import canonical_url as canonicalize
from monitor.models import FeedItem

__all__ = [
    "AGGREGATOR_NAMES",
    "Credit",
    "Likeness",
    "credit_original",
    "explain_credit",
    "feed_scope",
    "hamming",
    "is_aggregator",
    "is_near_duplicate",
    "item_identity",
    "item_likeness",
    "likeness",
    "resolve_id_collisions",
    "same_story",
    "sane_guid",
    "simhash_bands",
]

DIGEST_HEX = 32
# Near-duplicate thresholds, tuned in tests/feeds/test_identity.py against the seed pair and
# every pair of dev-set stories. NEAR_DUP_MAX_BITS < NEAR_DUP_BANDS, so a band lookup with
# ``simhash_bands(h, NEAR_DUP_BANDS)`` finds every candidate within the threshold.
NEAR_DUP_MAX_BITS = 3
NEAR_DUP_BANDS = 4
# Below this many words (title + fingerprinted lede) a fingerprint is just a headline, and
# equal headlines are judged by the same-title rule, with its time window.
MIN_FINGERPRINT_WORDS = 16
SAME_TITLE_MIN_WORDS = 3
SAME_TITLE_WINDOW = timedelta(days=7)
# Texts "agree" when the first OPENING_WORDS words of one appear within the first
# OPENING_SEARCH_WORDS of the other; texts shorter than MIN_TEXT_WORDS do not count.
OPENING_WORDS = 8
OPENING_SEARCH_WORDS = 40
# Enough characters for OPENING_SEARCH_WORDS words of any real lede; stories are read back
# from the store only this far.
OPENING_CHARS = 1000
MIN_TEXT_WORDS = 4
# Outlets that republish others' work; they are never credited when an original is known.
AGGREGATOR_NAMES = ("menafn", "google news", "yahoo", "msn", "newsnow", "flipboard", "newsbreak")


def feed_scope(feed_url: str) -> str:
    """The namespace for a feed's GUIDs: its host without ``www.`` (or the URL if it has none)."""
    try:
        host = urlsplit(feed_url.strip()).hostname
    except ValueError:
        host = None
    return host.removeprefix("www.") if host else feed_url.strip()


def sane_guid(guid: str | None, feed_url: str) -> str | None:
    """The GUID to identify an entry by, or None when it cannot identify anything.

    Blank GUIDs and GUIDs equal to the feed's own URL (a common CMS misconfiguration that
    gives every entry the same GUID) are unusable; link-like GUIDs are canonicalized.
    """
    if guid is None or not guid.strip():
        return None
    guid = guid.strip()
    if guid.lower().startswith(("http://", "https://")):
        canonical = canonicalize(guid)
        if canonical is not None:
            if _link_key(canonical) == _link_key(canonicalize(feed_url) or ""):
                return None
            return _link_key(canonical)
    return guid


def item_identity(
    entry: RawEntry, feed_url: str, canonical_url: str | None, title: str, text: str
) -> str:
    """The stable id of one entry (see the module docstring for the ``g:/u:/h:`` order)."""
    scope = feed_scope(feed_url)
    guid = sane_guid(entry.guid, feed_url)
    if guid is not None:
        return "g:" + _digest(scope, guid)
    if canonical_url:
        return "u:" + _digest(_link_key(canonical_url))
    return "h:" + _digest(scope, title_key(title), " ".join(match_tokens(text)))


def resolve_id_collisions(
    items: Sequence[FeedItem], *, feed_url: str
) -> tuple[list[FeedItem], list[FeedWarning]]:
    """Items of one document with unique ids: repeats dropped, clashes content-qualified."""
    by_id: dict[str, FeedItem] = {}
    unique: list[FeedItem] = []
    repeated = clashed = 0
    for item in items:
        earlier = by_id.get(item.item_id)
        if earlier is not None:
            if _same_content(earlier, item):
                repeated += 1
                continue
            qualified = item.item_id[:2] + _digest(
                feed_scope(feed_url),
                item.item_id,
                item.title_key,
                " ".join(match_tokens(item.text)),
            )
            if qualified in by_id:
                repeated += 1
                continue
            clashed += 1
            item = replace(item, item_id=qualified)
        by_id[item.item_id] = item
        unique.append(item)
    warnings = []
    if clashed:
        warnings.append(
            FeedWarning(
                "duplicate-guid",
                f"{clashed} entries share an id with a different earlier entry; given content-qualified ids",
            )
        )
    if repeated:
        warnings.append(FeedWarning("duplicate-entry", f"{repeated} repeated entries dropped"))
    return unique, warnings


@dataclass(frozen=True, slots=True)
class Likeness:
    """What the same-story rule reads of an item or a stored story.

    It is built the same way from a fresh item and from a stored story's first
    ``OPENING_CHARS`` characters, so the worker can compare both without reading whole
    stories back from the database.
    """

    title_key: str
    simhash: int
    words: int  # headline words + fingerprinted lede words (at most TEXT_WORDS)
    opening: tuple[str, ...]  # the text's first OPENING_SEARCH_WORDS match tokens
    published: datetime


def likeness(title_key: str, simhash: int, text: str, published: datetime) -> Likeness:
    """The :class:`Likeness` of a headline key, fingerprint, text and date.

    ``text`` may be cut to its first ``OPENING_CHARS + 1`` characters (as the store reads
    it): the result is the same as for the whole text.
    """
    opening = opening_tokens(text)
    words = len(title_key.split()) + min(len(opening), TEXT_WORDS)
    return Likeness(title_key, simhash, words, opening, published)


def item_likeness(item: FeedItem) -> Likeness:
    return likeness(item.title_key, item.simhash, item.text, item.published)


def opening_tokens(text: str) -> tuple[str, ...]:
    """The first ``OPENING_SEARCH_WORDS`` match tokens of ``text``, read from its first
    ``OPENING_CHARS`` characters only (a word cut there is dropped)."""
    head = text[: OPENING_CHARS + 1]
    tokens = match_tokens(head[:OPENING_CHARS])
    if len(head) > OPENING_CHARS and head[OPENING_CHARS - 1 : OPENING_CHARS + 1].isalnum():
        tokens = tokens[:-1]
    return tuple(tokens[:OPENING_SEARCH_WORDS])


def same_story(
    a: Likeness,
    b: Likeness,
    *,
    max_bits: int = NEAR_DUP_MAX_BITS,
    window: timedelta = SAME_TITLE_WINDOW,
) -> bool:
    """Whether two items (or an item and a story) tell the same story: the one rule the
    worker clusters by.

    Either both carry enough words for a fingerprint and their fingerprints are within
    ``max_bits`` (same headline and lede, whatever the case, punctuation or what follows), or
    they share a headline of at least ``SAME_TITLE_MIN_WORDS`` words within ``window`` and
    their texts agree: one text's opening appears near the start of the other (an excerpt
    and its original, with or without a dateline), or one of them has next to no text.
    The text check keeps recurring headlines ("Latin America Daily Brief") from merging
    different days' stories; the word minimums keep short generic headlines ("Brazil",
    "Statement") from merging unrelated ones; the window keeps headline-only items apart
    when weeks separate them.
    """
    if not a.words or not b.words:
        return False
    if min(a.words, b.words) >= MIN_FINGERPRINT_WORDS and hamming(a.simhash, b.simhash) <= max_bits:
        return True
    if a.title_key != b.title_key or len(a.title_key.split()) < SAME_TITLE_MIN_WORDS:
        return False
    if abs(a.published - b.published) > window:
        return False
    return _texts_agree(a.opening, b.opening)


def is_near_duplicate(
    a: FeedItem,
    b: FeedItem,
    *,
    max_bits: int = NEAR_DUP_MAX_BITS,
    window: timedelta = SAME_TITLE_WINDOW,
) -> bool:
    """Whether two items tell the same story (:func:`same_story` on their likenesses)."""
    return same_story(item_likeness(a), item_likeness(b), max_bits=max_bits, window=window)


def is_aggregator(outlet: str) -> bool:
    """Whether an outlet republishes others' stories (MENAFN, Google News, …)."""
    folded = outlet.casefold()
    return any(name in folded for name in AGGREGATOR_NAMES)


CreditReason = Literal["syndication_marker", "earliest_original", "earliest_copy"]


@dataclass(frozen=True, slots=True)
class Credit:
    """Who a cluster is credited to, the copy that says so, and by which rule:
    ``syndication_marker`` (a copy names its source), ``earliest_original`` (the earliest
    copy from an outlet that is not an aggregator) or ``earliest_copy`` (only aggregators)."""

    outlet: str
    item: FeedItem
    reason: CreditReason


def explain_credit(items: Iterable[FeedItem]) -> Credit:
    """The outlet to credit for a cluster of near-duplicate items, and why.

    A syndication marker (``original_outlet``) names the author outright and wins — the
    earliest such item's. Otherwise the earliest non-aggregator item's outlet, else the
    earliest item's. Real dates beat estimated ones; ties go to the outlet name, so the
    answer does not depend on the order of ``items``.
    """
    cluster = list(items)
    if not cluster:
        raise ValueError("credit_original needs at least one item")

    def earliest(pool: list[FeedItem]) -> FeedItem:
        return min(pool, key=lambda i: (i.published_estimated, i.published, i.credited_outlet))

    marked = [item for item in cluster if item.original_outlet]
    if marked:
        item = earliest(marked)
        return Credit(item.credited_outlet, item, "syndication_marker")
    originals = [item for item in cluster if not is_aggregator(item.outlet)]
    item = earliest(originals or cluster)
    return Credit(item.outlet, item, "earliest_original" if originals else "earliest_copy")


def credit_original(items: Iterable[FeedItem]) -> str:
    """The outlet to credit for a cluster of near-duplicate items (see ``explain_credit``)."""
    return explain_credit(items).outlet


def _texts_agree(a: Sequence[str], b: Sequence[str]) -> bool:
    if len(a) < MIN_TEXT_WORDS or len(b) < MIN_TEXT_WORDS:
        return True  # a headline-only item: the headline has to do
    return _contains(b, a[:OPENING_WORDS]) or _contains(a, b[:OPENING_WORDS])


def _contains(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    width = len(needle)
    return any(
        haystack[start : start + width] == needle for start in range(len(haystack) - width + 1)
    )


def _link_key(url: str) -> str:
    """A canonical URL without its scheme and ``www.``: sites move to https and drop www,
    and an article must keep its id when they do."""
    rest = url.split("://", 1)[-1]
    return "//" + rest.removeprefix("www.")


def _same_content(a: FeedItem, b: FeedItem) -> bool:
    return (a.title, a.text, a.url) == (b.title, b.text, b.url)


def _digest(*parts: str) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8", "surrogatepass"))
        hasher.update(b"\x00")
    return hasher.hexdigest()[:DIGEST_HEX]
