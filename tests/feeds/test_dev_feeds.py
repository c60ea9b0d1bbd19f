"""The offline demo feeds built from the dev set: current, idempotent, complete, label-free."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from tests import PROJECT_ROOT
from tests.feeds.feed_samples import FIXTURES, dev_items, fixture_bytes, fixture_items


def load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_dev_feeds", PROJECT_ROOT / "scripts" / "build_dev_feeds.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_feeds_are_current_and_building_is_idempotent(tmp_path: Path) -> None:
    builder = load_builder()
    first = builder.build(out_dir=tmp_path)
    second = builder.build(out_dir=tmp_path)
    assert first == second
    for path, document in first.items():
        assert (FIXTURES / path.name).read_text(encoding="utf-8") == document, (
            f"{path.name} is stale: run build_dev_feeds.py"
        )
    assert builder.main(["--check"]) == 0


@pytest.mark.parametrize("language", ["en", "es", "pt"])
def test_one_item_per_dev_item(language: str) -> None:
    expected = {item["id"]: item for item in dev_items() if item["lang"] == language}
    items = fixture_items(f"dev-wire-{language}.xml")
    assert sorted(i.guid or "" for i in items) == sorted(expected)
    for item in items:
        raw = expected[item.guid or ""]
        assert item.lang == language
        assert item.url == (raw["url"] or f"https://example.invalid/dev/{raw['id']}")
        assert item.published_estimated is (raw["date"] is None)
        if raw["date"]:
            assert item.published.date().isoformat().startswith(raw["date"])
        assert " ".join(raw["text"].split())[-40:] == item.text[-40:]


def test_languages_and_undated_items_match_the_dev_set_readme() -> None:
    counts = Counter(
        item.lang for name in ("en", "es", "pt") for item in fixture_items(f"dev-wire-{name}.xml")
    )
    assert counts == {"en": 48, "es": 31, "pt": 23}
    undated = [
        i
        for name in ("en", "es", "pt")
        for i in fixture_items(f"dev-wire-{name}.xml")
        if i.published_estimated
    ]
    assert len(undated) == 6


def test_labels_do_not_leak_into_the_demo_feeds() -> None:
    for language in ("en", "es", "pt"):
        document = fixture_bytes(f"dev-wire-{language}.xml").decode()
        for leak in (
            "peace-plan",
            "summit-visit",
            "security-military",
            "un-multilateral",
            "Hard negative",
            "Borderline",
            "AMBIGUOUS",
            "<category",
        ):
            assert leak not in document, (language, leak)


def test_menafn_items_credit_their_original_outlet() -> None:
    items = {item.guid: item for item in fixture_items("dev-wire-en.xml")}
    assert items["d000"].original_outlet == "The Rio Times"
    assert items["d000"].text.startswith("Ukrainian President Volodymyr Zelenskiy")
    assert items["d038"].original_outlet == "The Rio Times"  # the marker lost its "("
