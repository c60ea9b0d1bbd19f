"""Canonical article URLs: one spelling per page, so the same story is recognised by its link.

Feeds decorate links with campaign parameters (MercoPress adds ``utm_*`` to links *and*
guids), AMP variants and fragments; two spellings of one page would otherwise look like two
stories. Canonicalization is conservative: it never changes what the server would serve
except for parameters that exist only to track readers. Only absolute http(s) links survive:
``javascript:``, ``mailto:``, ``file:`` and friends become None.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

from monitor.feeds.html_text import drop_unencodable

# Query parameters that only track readers. Compared case-insensitively; ``utm_*`` by prefix.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid",
        "mc_cid", "mc_eid", "igshid", "igsh", "ref", "ref_src", "ref_url", "cmpid", "ocid",
        "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "spm", "amp", "outputtype",
        "__twitter_impression",
    }
)  # fmt: skip
TRACKING_PREFIXES = ("utm_",)
_AMP_CACHE_SUFFIX = ".cdn.ampproject.org"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters left as they are when re-quoting; '%' keeps existing escapes intact, which makes
# canonicalization idempotent.
_PATH_SAFE = "/%:@!$&'()*+,;=~-._"
_QUERY_SAFE = "/%:@!$'()*+,;=~-._?"
# The store's URL columns are 2048 characters: a longer link would fail the insert on
# PostgreSQL and dead-letter its item, so it counts as no link.
MAX_URL_LENGTH = 2048
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
_IPV6 = re.compile(r"[0-9a-f:.]{2,45}")


def canonical_url(url: str | None, *, base: str | None = None) -> str | None:
    """The canonical form of ``url`` (resolved against ``base`` when relative), or None.

    Lower-cases scheme and host, drops default ports, user info and the fragment, unwraps
    AMP cache links and strips a trailing ``/amp`` path segment, removes tracking
    parameters and sorts the remaining ones (keeping their original spelling).
    """
    if not url:
        return None
    url = drop_unencodable(url).strip()
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    try:
        if base:
            url = urljoin(base, url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme not in _DEFAULT_PORTS:
            return None
        raw_host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:  # unparseable netloc or port out of range
        return None
    host = _valid_host(raw_host)
    if host is None:
        return None
    path = parts.path
    if host.endswith(_AMP_CACHE_SUFFIX):
        unwrapped = _unwrap_amp_cache(path, parts.query)
        if unwrapped is not None:
            return canonical_url(unwrapped)
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    path = _strip_amp_segment(quote(path, safe=_PATH_SAFE) or "/")
    query = _canonical_query(parts.query)
    canonical = urlunsplit((scheme, netloc, path, query, ""))
    return canonical if len(canonical) <= MAX_URL_LENGTH else None


def _valid_host(host: str) -> str | None:
    """``host`` as an ASCII hostname (IDNA-encoded) or bracketed IPv6 literal, else None.

    Browsers, nh3 and the fetcher all refuse hosts like ``%example.com``; so do we, rather
    than pass on a link nothing downstream can use.
    """
    if ":" in host:  # IPv6 literal: urlsplit dropped its brackets
        return f"[{host}]" if _IPV6.fullmatch(host) else None
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    labels = host.split(".")
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return None
    return host


def is_tracking_parameter(name: str) -> bool:
    """Whether a query parameter exists only to track readers."""
    key = unquote(name).strip().lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def _canonical_query(query: str) -> str:
    pieces = []
    for piece in query.split("&"):
        if not piece:
            continue
        name = piece.split("=", 1)[0]
        if is_tracking_parameter(name):
            continue
        pieces.append(quote(piece, safe=_QUERY_SAFE + "="))
    return "&".join(sorted(pieces))


def _strip_amp_segment(path: str) -> str:
    # "/2023/12/story/amp/" and "/story/amp" are AMP renderings of "/2023/12/story/", "/story".
    for suffix, keep in (("/amp/", "/"), ("/amp", "")):
        if path.lower().endswith(suffix) and len(path) > len(suffix):
            return path[: -len(suffix)] + keep
    return path


def _unwrap_amp_cache(path: str, query: str) -> str | None:
    # https://example-com.cdn.ampproject.org/c/s/example.com/story → https://example.com/story
    segments = path.split("/", 4)
    if len(segments) < 4 or segments[1] not in {"c", "v"}:
        return None
    if segments[2] == "s":
        target = "https://" + "/".join(segments[3:])
    else:
        target = "http://" + "/".join(segments[2:])
    return f"{target}?{query}" if query else target
