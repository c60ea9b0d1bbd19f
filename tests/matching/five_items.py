"""Five judged items whose every figure is computed by hand in the tests that use them.

    id  lang  labeled                       predicted                   baseline
    1   en    peace-plan [BR]               peace-plan [BR]      TP     yes
    2   es    peace-plan [AR BR] (flagged)  summit-visit [AR]    TP     yes
    3   es    summit-visit [MX]             not relevant         FN     no
    4   en    not relevant                  peace-plan [CL]      FP     yes
    5   es    not relevant                  not relevant         TN     yes
"""

from __future__ import annotations

from monitor.matching.evaluation import LabeledItem, Outcome, Verdict


def outcome(
    item_id: str,
    lang: str,
    labeled: Verdict,
    predicted: Verdict,
    baseline: bool,
    flagged: bool = False,
) -> Outcome:
    """A judged item with a made-up title and no text (judging is not under test)."""
    item = LabeledItem(
        item_id=item_id,
        lang=lang,
        title=f"title {item_id}",
        text="",
        relevant=labeled.relevant,
        category=labeled.category,
        countries=labeled.countries,
        flagged=flagged,
    )
    return Outcome(item=item, predicted=predicted, baseline=baseline)


NO = Verdict(False, None, ())
FIVE = [
    # TP, category and countries right
    outcome("1", "en", Verdict(True, "peace-plan", ("BR",)),
            Verdict(True, "peace-plan", ("BR",)), baseline=True),
    # TP, category wrong, countries {AR} for {AR, BR}: shared 1, predicted 1, labeled 2
    outcome("2", "es", Verdict(True, "peace-plan", ("AR", "BR")),
            Verdict(True, "summit-visit", ("AR",)), baseline=True, flagged=True),
    # FN
    outcome("3", "es", Verdict(True, "summit-visit", ("MX",)), NO, baseline=False),
    # FP (its country is not judged: countries count on true positives only)
    outcome("4", "en", NO, Verdict(True, "peace-plan", ("CL",)), baseline=True),
    # TN
    outcome("5", "es", NO, NO, baseline=True),
]
