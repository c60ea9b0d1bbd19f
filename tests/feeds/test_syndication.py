"""MENAFN source markers, trailer codes and disclaimers, including every MENAFN text in the dev set."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.feeds.syndication import normalize_outlet_name, strip_syndication_marks
from tests.feeds.feed_samples import dev_items

DISCLAIMER = (
    "Legal Disclaimer: MENAFN provides the information “as is” without warranty of any kind. "
    "We do not accept any responsibility or liability for the accuracy, content, images, videos, "
    "licenses, completeness, legality, or reliability of the information contained in this article."
)


@pytest.mark.parametrize(
    ("raw", "outlet", "text", "published_on"),
    [
        ("(MENAFN- The Rio Times) Paraguay has clinched a deal.", "The Rio Times", "Paraguay has clinched a deal.", None),
        ("MENAFN - The Rio Times) Wednesday, November 19, 2025: Rio", "The Rio Times", "Wednesday, November 19, 2025: Rio", None),
        ("date 2023-12-11 (MENAFN- The Rio Times) Ukrainian President", "The Rio Times", "Ukrainian President", date(2023, 12, 11)),
        ("(MENAFN- UkrinForm) Ukraine is working", "Ukrinform", "Ukraine is working", None),
        ("(MENAFN - EIN Presswire) A release", "EIN Presswire", "A release", None),
        ("  ( MENAFN-  Some   New Outlet ) Body", "Some New Outlet", "Body", None),
        ("(menafn- the peninsula) Doha", "The Peninsula", "Doha", None),
        # not markers
        ("Plain text that mentions (MENAFN- X) later.", None, "Plain text that mentions (MENAFN- X) later.", None),
        ("MENAFN reported on Tuesday that", None, "MENAFN reported on Tuesday that", None),
        ("(MENAFN- an outlet name that never closes its parenthesis and runs on and on and on past eighty characters of text", None,
         "(MENAFN- an outlet name that never closes its parenthesis and runs on and on and on past eighty characters of text", None),
        ("", None, "", None),
    ],
)  # fmt: skip
def test_source_marker(raw: str, outlet: str | None, text: str, published_on: date | None) -> None:
    marks = strip_syndication_marks(raw)
    assert (marks.original_outlet, marks.text, marks.published_on) == (outlet, text, published_on)


@pytest.mark.parametrize(
    ("raw", "text", "published_on", "article_id"),
    [
        (
            f"(MENAFN- The Rio Times) Itaipu deal signed. MENAFN10052024007421016031ID1108197272 {DISCLAIMER}",
            "Itaipu deal signed.",
            date(2024, 5, 10),
            "1108197272",
        ),
        (
            "Stock signal. MENAFN20112025000131011023ID1110375316",
            "Stock signal.",
            date(2025, 11, 20),
            "1110375316",
        ),
        ("Bad day. MENAFN32132024007421016031ID1", "Bad day.", None, "1"),  # no 32/13/2024
        (
            f"No trailer, only the disclaimer. {DISCLAIMER}",
            "No trailer, only the disclaimer.",
            None,
            None,
        ),
        (
            "Mentions MENAFN1005 but is no trailer.",
            "Mentions MENAFN1005 but is no trailer.",
            None,
            None,
        ),
        (
            "date 2023-12-11 (MENAFN- The Rio Times) Body. MENAFN12122023007421016031ID1107000001",
            "Body.",
            date(2023, 12, 12),  # the trailer beats the capture prefix
            "1107000001",
        ),
    ],
)
def test_trailer_and_disclaimer(
    raw: str, text: str, published_on: date | None, article_id: str | None
) -> None:
    marks = strip_syndication_marks(raw)
    assert (marks.text, marks.published_on, marks.article_id) == (text, published_on, article_id)


def test_every_menafn_text_in_the_dev_set_names_its_outlet() -> None:
    menafn = [item for item in dev_items() if item["source"].startswith("MENAFN (")]
    assert len(menafn) == 8
    found = 0
    for item in menafn:
        expected = normalize_outlet_name(item["source"].removeprefix("MENAFN (").removesuffix(")"))
        marks = strip_syndication_marks(item["text"])
        if "MENAFN" in item["text"][:40]:
            assert marks.original_outlet == expected, item["id"]
            assert "MENAFN" not in marks.text[:40], item["id"]
            found += 1
        else:  # FEEDS.md: the marker can be missing from the extracted lede
            assert marks.original_outlet is None
            assert marks.text == item["text"]
    assert found == 6


@pytest.mark.parametrize(
    ("name", "normalized"),
    [
        ("UkrinForm", "Ukrinform"),
        ("rio  times", "The Rio Times"),
        (" Unknown\tPaper ", "Unknown Paper"),
    ],
)
def test_outlet_aliases(name: str, normalized: str) -> None:
    assert normalize_outlet_name(name) == normalized
