"""Analysts' corrections of timeline rows: checked at the door, applied in order, and
turned into a gold file that is scored on the reviewed countries only."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from monitor.errors import InputError
from monitor.timelines.export import TimelineRow
from monitor.timelines.gold import read_gold
from monitor.timelines.model import Quote, Stance, StoryTimeline, TimelineEntry
from monitor.timelines.review import RowCorrection, check_correction, correct_rows, reviewed_gold
from monitor.timelines.scoring import score_timelines


def row(story: str, kind: str, value: str | None = None, country: str = "BR") -> TimelineRow:
    return TimelineRow(
        date(2026, 11, 2),
        country,
        kind,
        value,
        (),
        "ukraine",
        story,
        "t",
        "o",
        None,
        f"quote {story} {kind}",
    )


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        (
            {"story": "7", "kind": "un-vote", "action": "remove"},
            RowCorrection("7", "BR", "un-vote", "remove"),
        ),
        (
            {
                "story": "7",
                "kind": "un-vote",
                "action": "set",
                "new_kind": "un-vote",
                "value": "against",
            },
            RowCorrection("7", "BR", "un-vote", "set", "un-vote", "against"),
        ),
        (
            {"story": "7", "kind": "meeting", "action": "set", "new_kind": "call", "value": ""},
            RowCorrection("7", "BR", "meeting", "set", "call", None),
        ),
        (
            {"story": "7", "kind": "stance", "action": "set", "value": "opposes"},
            RowCorrection("7", "BR", "stance", "set", "stance", "opposes"),
        ),
    ],
)
def test_a_correction_from_a_form(form: dict[str, str], expected: RowCorrection) -> None:
    assert check_correction(form, "BR") == expected


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"story": "x1", "kind": "call", "action": "remove"}, "story"),
        ({"story": "1", "kind": "war", "action": "remove"}, "kind"),
        ({"story": "1", "kind": "call", "action": "delete"}, "action"),
        (
            {"story": "1", "kind": "call", "action": "set", "new_kind": "call", "value": "for"},
            "value",
        ),
        ({"story": "1", "kind": "call", "action": "set", "new_kind": "invasion"}, "value"),
        ({"story": "1", "kind": "stance", "action": "set", "value": "hostile"}, "value"),
    ],
)
def test_a_wrong_correction_names_its_field(form: dict[str, str], field: str) -> None:
    with pytest.raises(InputError) as caught:
        check_correction(form, "BR")
    assert field in [problem.field for problem in caught.value.problems]


def test_corrections_apply_in_order_and_mark_what_they_change() -> None:
    rows = [
        row("1", "meeting"),
        row("1", "un-vote", "for"),
        row("2", "call"),
        row("1", "call"),
        row("3", "stance", "neutral"),
    ]
    fixes = [
        RowCorrection("1", "BR", "un-vote", "set", "un-vote", "abstain"),
        RowCorrection("1", "BR", "un-vote", "set", "un-vote", "against"),  # the later one wins
        RowCorrection("1", "BR", "meeting", "set", "call", None),  # now the same as row 4
        RowCorrection("2", "BR", "call", "remove"),
        RowCorrection("3", "BR", "stance", "set", "stance", "supports"),
        RowCorrection("9", "BR", "visit", "remove"),  # not shown: nothing changes
        RowCorrection("1", "AR", "un-vote", "remove"),  # another country's row
    ]
    got = [(r.story_id, r.kind, r.value, r.corrected) for r in correct_rows(rows, fixes)]
    assert got == [
        ("1", "call", None, True),
        ("1", "un-vote", "against", True),
        ("3", "stance", "supports", True),
    ]


def test_reviewed_stories_become_gold_scored_on_their_country_only() -> None:
    fixes = [
        RowCorrection("1", "BR", "un-vote", "set", "un-vote", "against"),
        RowCorrection("1", "BR", "meeting", "remove"),
    ]
    shown = correct_rows(
        [
            row("1", "un-vote", "for"),
            row("1", "meeting"),
            row("1", "stance", "neutral"),
            row("2", "call"),
        ],
        fixes,
    )
    texts = {
        "1": SimpleNamespace(
            title="T", text="X", lang="en", published_at=datetime(2026, 11, 2, tzinfo=UTC)
        )
    }
    lines = reviewed_gold(shown, fixes, texts)
    assert lines == [
        {
            "id": "1",
            "title": "T",
            "text": "X",
            "date": "2026-11-02",
            "lang": "en",
            "split": "test",
            "countries": ["BR"],
            "entries": [{"country": "BR", "kind": "un-vote", "value": "against"}],
            "stances": {"BR": "neutral"},
        }
    ]
    import json

    (gold,) = read_gold([json.dumps(line) for line in lines], "reviewed")
    assert gold.countries == frozenset({"BR"})
    quote = Quote("text", 0, 1, "x")
    made = StoryTimeline(
        (
            TimelineEntry("1", "BR", "un-vote", "for", "", (), "ukraine", quote, "vote"),
            TimelineEntry("1", "BR", "meeting", None, "", (), "ukraine", quote, "met"),
            TimelineEntry("1", "AR", "call", None, "", (), "ukraine", quote, "call"),
        ),
        (Stance("1", "BR", "neutral", quote, "neutral"), Stance("1", "AR", "opposes", quote, "x")),
    )
    score = score_timelines([gold], {"1": made})
    # Argentina was not reviewed: its rows are neither right nor wrong
    assert (score.predicted_entries, score.correct_entries, score.gold_entries) == (2, 0, 1)
    assert (score.predicted_stances, score.correct_stances) == (1, 1)
