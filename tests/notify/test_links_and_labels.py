"""Which URLs may become links, our own link layout, and human names for codes."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from monitor.errors import ConfigError
from monitor.notify.labels import category_label, country_name
from monitor.notify.links import build_links, confirm_url, safe_http_url
from monitor.notify.views import credit_line, format_local


@pytest.mark.parametrize(
    "url",
    [
        "https://www.riotimesonline.com/ukraine-latin-america/",
        "http://menafn.com/1107?id=3&x=%20y",
        "https://example.org:8443/path#frag",
        "https://xn--80ak6aa92e.com/статья",
    ],
)
def test_plain_http_urls_become_links(url: str) -> None:
    assert safe_http_url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        None,
        "",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox",
        "mailto:a@example.org",
        "//evil.example.org/x",
        "/relative/path",
        "https://bank.example.org@evil.example.org/",
        'https://example.org/" onmouseover="alert(1)',
        "https://example.org/<script>",
        "https://example.org/a\nb",
        "https://exa mple.org/",
        "https://[::1/",
        "https://example.org/" + "a" * 3000,
    ],
)
def test_everything_else_does_not(url: str | None) -> None:
    assert safe_http_url(url) is None


def test_build_links_layout() -> None:
    links = build_links(
        "https://monitor.example.org/",
        "unsubscribe@monitor.example.org",
        unsubscribe_token="u.T-1",
        preferences_token="p_T",
    )
    assert links.unsubscribe_url == "https://monitor.example.org/u/u.T-1"
    assert links.unsubscribe_mailto == "mailto:unsubscribe@monitor.example.org?subject=u.T-1"
    assert links.preferences_url == "https://monitor.example.org/p/p_T"
    assert confirm_url("https://monitor.example.org", "c.T") == "https://monitor.example.org/c/c.T"


@pytest.mark.parametrize(
    "base", ["javascript:alert(1)", "https://m.example.org/?x=1", "ftp://m.example.org"]
)
def test_bad_web_base_is_a_config_error(base: str) -> None:
    with pytest.raises(ConfigError):
        build_links(
            base, "unsubscribe@monitor.example.org", unsubscribe_token="a", preferences_token="b"
        )


def test_tokens_in_links_must_be_url_safe() -> None:
    with pytest.raises(ValueError):
        confirm_url("https://monitor.example.org", "a/../b")


def test_country_and_category_names() -> None:
    assert country_name("PY") == "Paraguay"
    assert country_name("ua") == "Ukraine"
    assert country_name("XK") == "XK"
    assert category_label("trade-economy") == "Trade and economy"
    assert category_label(None) == "Other"


@pytest.mark.parametrize(
    ("credited", "republishers", "expected"),
    [
        ("The Rio Times", ("MENAFN",), "The Rio Times, republished by MENAFN"),
        ("The Rio Times", (), "The Rio Times"),
        (
            "The Rio Times",
            ("the rio times", "MENAFN", "MENAFN"),
            "The Rio Times, republished by MENAFN",
        ),
        ("AP", ("MENAFN", "Yahoo News", "MSN"), "AP, republished by MENAFN, Yahoo News and MSN"),
        (
            "AP",
            tuple(f"Outlet {n}" for n in range(8)),
            "AP, republished by Outlet 0, Outlet 1, Outlet 2, Outlet 3, Outlet 4 and 3 more",
        ),
        ("Rio\r\nTimes", ("MEN\x00AFN",), "Rio Times, republished by MENAFN"),
        ("", (), "Unknown outlet"),
    ],
)
def test_credit_line_names_the_original_outlet_first(
    credited: str, republishers: tuple[str, ...], expected: str
) -> None:
    assert credit_line(credited, republishers) == expected


def test_dates_are_shown_in_the_recipients_zone() -> None:
    moment = datetime(2023, 12, 11, 12, 30, tzinfo=UTC)
    assert format_local(moment, ZoneInfo("America/Sao_Paulo")) == "Mon, 11 Dec 2023, 09:30 UTC-03"
    assert format_local(moment, ZoneInfo("Europe/Kyiv")) == "Mon, 11 Dec 2023, 14:30 EET"
    assert (
        format_local(datetime(2026, 7, 1, 12, 0, tzinfo=UTC), ZoneInfo("America/New_York"))
        == "Wed, 1 Jul 2026, 08:00 EDT"
    )
