"""Item ids, id collisions, fingerprints and near-duplicates (tuned on the seed and the dev set)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.feeds.fingerprint import (
    from_signed64,
    hamming,
    item_simhash,
    match_tokens,
    simhash64,
    simhash_bands,
    title_key,
    to_signed64,
)
from monitor.feeds.identity import (
    NEAR_DUP_BANDS,
    NEAR_DUP_MAX_BITS,
    credit_original,
    feed_scope,
    is_near_duplicate,
    item_identity,
    resolve_id_collisions,
)
from monitor.feeds.normalize import normalize_entry, normalize_feed
from monitor.models import FeedItem
from tests.feeds.feed_samples import FETCHED_AT, dev_items, entry, fixture_items, parse_fixture

RIO = "https://www.riotimesonline.com/feed/"


def identity(
    guid: str | None, feed_url: str = RIO, url: str | None = None, title: str = "T", text: str = "x"
) -> str:
    return item_identity(entry(guid=guid), feed_url, url, title, text)


# ---------------------------------------------------------------- item ids


def test_id_format_and_pinned_value() -> None:
    # Pinned: changing the id scheme re-alerts every stored item, so it must be deliberate.
    assert (
        identity("https://www.riotimesonline.com/?p=9990002")
        == "g:f542b0eedc5d39b95059a0f534278f26"
    )
    assert identity(None, url="https://example.com/a") == "u:6918a454fb1c2d6b6beb853135240744"


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        # the same GUID in two feeds of different hosts
        (dict(guid="1", feed_url="https://a.example/feed"), dict(guid="1", feed_url="https://b.example/feed"), False),
        # www and non-www, slash or not: one site
        (dict(guid="1", feed_url="https://riotimesonline.com/feed"), dict(guid="1", feed_url=RIO), True),
        # a category feed of the same site carries the same post
        (dict(guid="?p=5", feed_url=RIO), dict(guid="?p=5", feed_url="https://www.riotimesonline.com/brazil/feed/"), True),
        # a site moving to https and dropping www keeps its ids
        (dict(guid="http://www.example.com/?p=5"), dict(guid="https://example.com/?p=5"), True),
        (dict(guid=None, url="http://www.example.com/a"), dict(guid=None, url="https://example.com/a"), True),
        # tracking parameters in link-like GUIDs (MercoPress) do not change the id
        (dict(guid="https://en.mercopress.com/2024/01/02/x?utm_source=rss"), dict(guid="https://en.mercopress.com/2024/01/02/x"), True),
        # the GUID beats the link and the content
        (dict(guid="9", url="https://x.example/1", title="Old"), dict(guid="9", url="https://x.example/2", title="Edited"), True),
        # no GUID: the canonical link; the same link in any feed is the same item
        (dict(guid=None, url="https://x.example/1", feed_url="https://a.example/f"), dict(guid=None, url="https://x.example/1", feed_url="https://b.example/f"), True),
        # neither: content, scoped by host, case- and punctuation-insensitive
        (dict(guid=None, title="Hello, World", text="Body  text"), dict(guid=None, title="hello world", text="body text"), True),
        (dict(guid=None, title="Hello", text="Body", feed_url="https://a.example/"), dict(guid=None, title="Hello", text="Body", feed_url="https://b.example/"), False),
    ],
)  # fmt: skip
def test_identity_equivalences(a: dict[str, str], b: dict[str, str], same: bool) -> None:
    assert (identity(**a) == identity(**b)) is same


@pytest.mark.parametrize(
    ("guid", "url", "prefix"),
    [
        ("abc", "https://x.example/1", "g:"),
        ("   ", "https://x.example/1", "u:"),  # blank GUID
        ("", None, "h:"),
        (RIO, "https://x.example/1", "u:"),  # GUID = the feed's own URL: every entry would share it
        # the feed's own URL in another spelling (scheme, www, tracking) is still the feed URL
        ("http://riotimesonline.com/feed/?utm_source=x", "https://x.example/1", "u:"),
        ("https://riotimesonline.com/feed", None, "g:"),  # no trailing slash: another URL
    ],
)  # fmt: skip
def test_identity_kind(guid: str, url: str | None, prefix: str) -> None:
    assert identity(guid, url=url).startswith(prefix)


def test_feed_scope() -> None:
    assert feed_scope("https://WWW.RioTimesOnline.com/feed/") == "riotimesonline.com"
    assert feed_scope("/tmp/feed.xml") == "/tmp/feed.xml"


def test_duplicate_guids_in_one_document() -> None:
    normalized = normalize_feed(parse_fixture("duplicate-guids.xml"))
    items = normalized.items
    assert [i.title for i in items] == [
        "First story with guid 1",
        "A different story that reuses guid 1",
    ]
    assert items[0].item_id == identity("1", feed_url="https://hostile.example/duplicate-guids.xml")
    assert items[0].item_id != items[1].item_id and items[1].item_id.startswith("g:")
    assert [w.code for w in normalized.warnings] == ["duplicate-guid", "duplicate-entry"]


def test_collision_resolution_is_stable_across_polls() -> None:
    first = normalize_feed(parse_fixture("duplicate-guids.xml")).items
    again = normalize_feed(parse_fixture("duplicate-guids.xml")).items
    assert [i.item_id for i in first] == [i.item_id for i in again]


def test_resolve_id_collisions_without_collisions_changes_nothing() -> None:
    items = list(fixture_items("example-riotimes-feed.xml"))
    assert resolve_id_collisions(items, feed_url=RIO) == (items, [])


# ---------------------------------------------------------------- fingerprints


@pytest.mark.parametrize(
    ("title", "key"),
    [
        (
            "Ukraine’s New Diplomatic Horizon In Latin America",
            "ukraines new diplomatic horizon in latin america",
        ),
        (
            "UKRAINE'S new diplomatic horizon in Latin-America!",
            "ukraines new diplomatic horizon in latin america",
        ),
        ("Lula e Zelensky: paz, Ucrânia — reunião", "lula e zelensky paz ucrania reuniao"),
        (
            "Canciller de Perú se reúne con su par ucraniano",
            "canciller de peru se reune con su par ucraniano",
        ),
        ("  Straße_und   Weg ", "strasse und weg"),
        ("", ""),
    ],
)
def test_title_key(title: str, key: str) -> None:
    assert title_key(title) == key


def test_simhash_is_stable_and_64_bit() -> None:
    value = item_simhash(
        "Ukraine’s New Diplomatic Horizon In Latin America",
        "Ukrainian President Volodymyr Zelenskiy",
    )
    assert value == item_simhash(
        "UKRAINE'S new diplomatic horizon in latin america",
        "ukrainian president volodymyr zelenskiy",
    )
    assert 0 <= value < 2**64
    assert value == 0x85B0C5768CC51BBF  # pinned: stored fingerprints must keep matching
    assert simhash64([]) == 0
    assert simhash64(["one"]) == simhash64(["one"]) != 0


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2**64 - 1))
def test_signed_conversion_round_trips(h: int) -> None:
    signed = to_signed64(h)
    assert -(2**63) <= signed < 2**63
    assert from_signed64(signed) == h
    assert hamming(signed, h) == 0


@settings(max_examples=300, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**64 - 1),
    st.integers(min_value=2, max_value=16),
    st.data(),
)
def test_bands_find_every_fingerprint_within_bands_minus_one_bits(
    h: int, bands: int, data: st.DataObject
) -> None:
    flips = data.draw(st.sets(st.integers(min_value=0, max_value=63), max_size=bands - 1))
    other = h
    for bit in flips:
        other ^= 1 << bit
    assert hamming(h, other) == len(flips)
    keys, other_keys = simhash_bands(h, bands), simhash_bands(other, bands)
    assert len(keys) == bands
    assert set(keys) & set(other_keys)
    assert all(0 <= key < 2**63 for key in keys)  # fits a signed BIGINT


def test_bands_differ_by_position_and_reject_bad_counts() -> None:
    assert len(set(simhash_bands(0, 4))) == 4  # equal values, different bands
    with pytest.raises(ValueError, match="bands"):
        simhash_bands(1, 1)
    assert NEAR_DUP_MAX_BITS < NEAR_DUP_BANDS


# ---------------------------------------------------------------- near-duplicates


def seed_pair() -> tuple[FeedItem, FeedItem]:
    return fixture_items("example-riotimes-feed.xml")[1], fixture_items("example-menafn-feed.xml")[
        1
    ]


def test_seed_original_and_menafn_copy_are_near_duplicates() -> None:
    original, copy = seed_pair()
    assert original.title_key == copy.title_key
    assert hamming(original.simhash, copy.simhash) <= NEAR_DUP_MAX_BITS
    assert set(simhash_bands(original.simhash, NEAR_DUP_BANDS)) & set(
        simhash_bands(copy.simhash, NEAR_DUP_BANDS)
    )
    assert is_near_duplicate(original, copy) and is_near_duplicate(copy, original)


def test_dev_set_seed_text_matches_the_rio_times_original() -> None:
    original = seed_pair()[0]
    d000 = next(i for i in fixture_items("dev-wire-en.xml") if i.guid == "d000")
    assert d000.original_outlet == "The Rio Times"
    assert is_near_duplicate(original, d000)


def dev_set_as_items() -> list[FeedItem]:
    items = []
    for raw in dev_items():
        item = normalize_entry(
            entry(
                guid=raw["id"], link=raw["url"], title_html=raw["title"], summary_html=raw["text"]
            ),
            feed_url="https://example.invalid/dev/",
            outlet=raw["source"],
            feed_lang=raw["lang"],
            fetched_at=FETCHED_AT,
        )
        items.append(item)
    return items


def test_no_two_dev_set_stories_are_near_duplicates() -> None:
    items = dev_set_as_items()
    pairs = list(itertools.combinations(items, 2))
    assert len(pairs) == 102 * 101 // 2
    false_matches = [(a.guid, b.guid) for a, b in pairs if is_near_duplicate(a, b)]
    assert false_matches == []
    closest = min(hamming(a.simhash, b.simhash) for a, b in pairs)
    assert closest > 3 * NEAR_DUP_MAX_BITS  # a wide margin, not a near miss


def test_same_topic_dev_stories_are_not_merged() -> None:
    by_id = {item.guid: item for item in dev_set_as_items()}
    # the Guarani armored-vehicle request and Brazil's refusal: one topic, two stories
    assert not is_near_duplicate(by_id["d096"], by_id["d005"])


def story(
    title: str, text: str, *, hours: float = 0, outlet: str = "Paper", original: str | None = None
) -> FeedItem:
    item = normalize_entry(
        entry(title_html=title, summary_html=text, guid=f"{outlet}-{title}-{hours}"),
        feed_url=f"https://{outlet.lower().replace(' ', '')}.example/feed",
        outlet=outlet,
        feed_lang="en",
        fetched_at=FETCHED_AT,
    )
    published = FETCHED_AT - timedelta(days=30) + timedelta(hours=hours)
    return replace(item, published=published, published_estimated=False, original_outlet=original)


LEDE = (
    "Ukraine and Guatemala agreed on Monday to expand trade in grain and fertilizer, the two foreign "
    "ministers said after talks in the capital, adding that a working group would meet in March to draft "
    "the terms of a bilateral agreement covering tariffs and logistics for both countries."
)


@pytest.mark.parametrize(
    ("a", "b", "near"),
    [
        # copy with a Title-Cased headline and a shorter excerpt
        (story("Ukraine and Guatemala agree to expand grain trade", LEDE),
         story("Ukraine And Guatemala Agree To Expand Grain Trade", " ".join(LEDE.split()[:12]) + "...", hours=5), True),
        # recurring headline, different day's content
        (story("Rio de Janeiro Evening Brief: Traffic, Weather and City Agenda", "Heavy rain closed two tunnels in the south zone on Monday evening."),
         story("Rio de Janeiro Evening Brief: Traffic, Weather and City Agenda", "The carnival schedule was published and metro hours extended.", hours=24), False),
        # headline-only items with the same headline, within the window
        (story("Zelensky calls Lula to discuss peace formula", ""), story("Zelensky Calls Lula To Discuss Peace Formula", "", hours=3), True),
        # same headline, months apart
        (story("Zelensky calls Lula to discuss peace formula", ""), story("Zelensky calls Lula to discuss peace formula", "", hours=24 * 90), False),
        # two-word headlines are too generic to match on
        (story("Markets today", "Stocks rose."), story("Markets today", "Bonds fell.", hours=1), False),
        # the same lede under rewritten headlines: different titles weigh too much to call it
        (story("Kyiv and Guatemala City deepen ties", LEDE), story("Guatemala, Ukraine sign grain pact", LEDE), False),
        # identical title and lede from two outlets, one with trailing extra text
        (story("Ukraine and Guatemala agree to expand grain trade", LEDE),
         story("Ukraine and Guatemala agree to expand grain trade", LEDE + " More paragraphs follow here.", outlet="Other"), True),
        # a dateline in front of the original's lede
        (story("Ukraine and Guatemala agree to expand grain trade", "GUATEMALA CITY, GUATEMALA – " + LEDE),
         story("Ukraine And Guatemala Agree To Expand Grain Trade", " ".join(LEDE.split()[:20]), hours=30), True),
        # the same long story re-published months later is still the same story
        (story("Ukraine and Guatemala agree to expand grain trade", LEDE),
         story("Ukraine and Guatemala agree to expand grain trade", LEDE, hours=24 * 90, outlet="Archive"), True),
        # nothing to compare
        (story("", ""), story("", ""), False),
    ],
)  # fmt: skip
def test_near_duplicate_cases(a: FeedItem, b: FeedItem, near: bool) -> None:
    assert is_near_duplicate(a, b) is near
    assert is_near_duplicate(b, a) is near


# ---------------------------------------------------------------- credit


def test_credit_goes_to_the_syndication_source() -> None:
    original, copy = seed_pair()
    assert credit_original([copy, original]) == "The Rio Times"
    assert credit_original([original, copy]) == "The Rio Times"


@pytest.mark.parametrize(
    ("cluster", "credited"),
    [
        # the aggregator was first, but the original outlet wrote it
        ([story("T t t", "x", hours=0, outlet="MENAFN - Latest News"), story("T t t", "x", hours=2, outlet="Buenos Aires Times")], "Buenos Aires Times"),
        # among originals, the earliest
        ([story("T t t", "x", hours=3, outlet="Later Paper"), story("T t t", "x", hours=1, outlet="Early Paper")], "Early Paper"),
        # only aggregators: the earliest of them
        ([story("T t t", "x", hours=3, outlet="Google News"), story("T t t", "x", hours=1, outlet="MENAFN")], "MENAFN"),
        # a marker wins over everything
        ([story("T t t", "x", hours=1, outlet="Early Paper"), story("T t t", "x", hours=9, outlet="MENAFN", original="Ukrinform")], "Ukrinform"),
        # ties: alphabetical, so the order of the input does not matter
        ([story("T t t", "x", outlet="Zeta"), story("T t t", "x", outlet="Alpha")], "Alpha"),
    ],
)  # fmt: skip
def test_credit_original(cluster: list[FeedItem], credited: str) -> None:
    assert credit_original(cluster) == credited
    assert credit_original(reversed(cluster)) == credited


def test_real_dates_beat_estimated_ones_for_credit() -> None:
    estimated = replace(
        story("T t t", "x", hours=0, outlet="Guessing Paper"), published_estimated=True
    )
    dated = story("T t t", "x", hours=5, outlet="Dated Paper")
    assert credit_original([estimated, dated]) == "Dated Paper"


def test_credit_needs_a_cluster() -> None:
    with pytest.raises(ValueError, match="at least one"):
        credit_original([])


def test_match_tokens_drop_accents_case_and_apostrophes() -> None:
    assert match_tokens("D’Ávila's «Ucrânia»—PAZ") == ["davilas", "ucrania", "paz"]
