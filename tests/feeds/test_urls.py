"""canonical_url: a table of real-world link spellings and an idempotence property."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.feeds.urls import canonical_url, is_tracking_parameter


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("HTTPS://WWW.RioTimesOnline.COM/feed/", "https://www.riotimesonline.com/feed/"),
        ("https://example.com", "https://example.com/"),
        ("https://example.com:443/a", "https://example.com/a"),
        ("http://example.com:80/a", "http://example.com/a"),
        ("http://example.com:8080/a", "http://example.com:8080/a"),
        ("https://user:secret@example.com/a", "https://example.com/a"),
        ("https://example.com/a#comments", "https://example.com/a"),
        ("https://example.com/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/a?utm_source=rss&utm_medium=feed&utm_campaign=x", "https://example.com/a"),
        ("https://en.mercopress.com/2024/01/02/story?UTM_Source=RSS&id=7", "https://en.mercopress.com/2024/01/02/story?id=7"),
        ("https://example.com/a?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&igshid=5&k=v", "https://example.com/a?k=v"),
        ("https://example.com/a?ref=home&ref_src=twsrc&cmpid=x&ocid=y&_ga=z&k=v", "https://example.com/a?k=v"),
        ("https://example.com/a?amp", "https://example.com/a"),
        ("https://example.com/a?amp=1&page=2", "https://example.com/a?page=2"),
        ("https://example.com/2023/12/story/amp/", "https://example.com/2023/12/story/"),
        ("https://example.com/story/amp", "https://example.com/story"),
        ("https://example.com/amp/", "https://example.com/amp/"),  # a section, not an AMP copy
        ("https://example-com.cdn.ampproject.org/c/s/example.com/story/amp/?utm_source=x", "https://example.com/story/"),
        ("https://example.com/a?flag", "https://example.com/a?flag"),  # spelling kept
        ("https://example.com/a?q=a%20b&x=%2F", "https://example.com/a?q=a%20b&x=%2F"),
        ("https://example.com/caf\u00e9 ok", "https://example.com/caf%C3%A9%20ok"),
        ("https://EXAMPLE.com./a", "https://example.com/a"),
        ("http://[::1]:8080/x", "http://[::1]:8080/x"),
        ("  https://example.com/a  ", "https://example.com/a"),
        ("https://menafn.com/1199990002/Ukraines-New-Diplomatic-Horizon-In-Latin-America",
         "https://menafn.com/1199990002/Ukraines-New-Diplomatic-Horizon-In-Latin-America"),
        # not web links
        ("javascript:alert(1)", None),
        ("JAVASCRIPT:alert(1)", None),
        ("mailto:desk@example.com", None),
        ("ftp://example.com/file", None),
        ("file:///etc/passwd", None),
        ("data:text/html,hi", None),
        ("/relative/path", None),
        ("https://", None),
        ("http://[::1]:99999/", None),
        ("https://exa mple.com/", None),
        ("https://%hostile.example/enc", None),  # found by fuzzing: nh3 refused it as a base
        ("https://a..b/", None),
        ("https://-a.example/", None),
        ("https://" + "a" * 64 + ".com/", None),
        ("https://bücher.example/x", "https://xn--bcher-kva.example/x"),
        ("https://1.2.3.4/x", "https://1.2.3.4/x"),
        ("", None),
        (None, None),
        ("https://example.com/" + "a" * 5000, None),
    ],
)  # fmt: skip
def test_canonical_url(url: str | None, canonical: str | None) -> None:
    assert canonical_url(url) == canonical


@pytest.mark.parametrize(
    ("url", "base", "canonical"),
    [
        (
            "/2024/story/",
            "https://www.riotimesonline.com/feed/",
            "https://www.riotimesonline.com/2024/story/",
        ),
        ("story", "https://example.com/news/feed", "https://example.com/news/story"),
        ("//cdn.example.com/x", "https://example.com/", "https://cdn.example.com/x"),
        ("https://other.example/x", "https://example.com/", "https://other.example/x"),
    ],
)
def test_relative_links_resolve_against_a_base(url: str, base: str, canonical: str) -> None:
    assert canonical_url(url, base=base) == canonical


@pytest.mark.parametrize(
    ("name", "tracking"),
    [("utm_source", True), ("UTM_CONTENT", True), ("fbclid", True), ("utm%5Fmedium", True), ("id", False), ("p", False), ("page", False)],
)  # fmt: skip
def test_is_tracking_parameter(name: str, tracking: bool) -> None:
    assert is_tracking_parameter(name) is tracking


_SEGMENT = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="#?/"), max_size=12)
_QUERY_KEYS = st.sampled_from(
    ["id", "p", "utm_source", "ref", "q", "amp", "Page", "fbclid", "x y", "é"]
)
_QUERY = st.lists(st.tuples(_QUERY_KEYS, _SEGMENT), max_size=5).map(
    lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)
)


@st.composite
def urls(draw: st.DrawFn) -> str:
    scheme = draw(st.sampled_from(["http", "https", "HTTP", "ftp", "javascript"]))
    host = draw(
        st.sampled_from(
            ["example.com", "WWW.Example.COM", "news.example.org.", "[::1]", "ex ample.com", ""]
        )
    )
    port = draw(st.sampled_from(["", ":80", ":443", ":8080", ":99999"]))
    path = "/".join(draw(st.lists(_SEGMENT, max_size=4)))
    query = draw(_QUERY)
    fragment = draw(st.sampled_from(["", "#top", "#"]))
    return f"{scheme}://{host}{port}/{path}{'?' + query if query else ''}{fragment}"


@settings(max_examples=300, deadline=None)
@given(urls())
def test_canonicalization_is_idempotent_and_clean(url: str) -> None:
    canonical = canonical_url(url)
    if canonical is None:
        return
    assert canonical_url(canonical) == canonical
    parts = urlsplit(canonical)
    assert parts.scheme in {"http", "https"}
    assert parts.hostname and parts.hostname == parts.hostname.lower()
    assert "#" not in canonical
    assert not any(
        is_tracking_parameter(piece.split("=")[0]) for piece in parts.query.split("&") if piece
    )
    assert canonical.isascii()
