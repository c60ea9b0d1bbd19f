"""The CLI shells: ``monitor eval timeline`` and ``monitor timeline COUNTRY``.

They read files or the store, call the pure modules, and print or write the result.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from monitor.config import Settings
from monitor.errors import InputError, InputFileError, Problem
from monitor.logs import get_logger
from monitor.matching.topic import load_topic
from monitor.timelines.corrections import apply_corrections, read_corrections
from monitor.timelines.cues import load_cues
from monitor.timelines.export import to_csv, to_ics
from monitor.timelines.gold import read_gold
from monitor.timelines.measure import format_measure, measure_json, measure_timelines
from monitor.timelines.rows import resolve_country

log = get_logger("monitor.timelines")
USAGE = (
    "usage: monitor eval timeline GOLD.jsonl [--corrections FILE] [--errors] [--json] "
    "[--no-filter]; "
    "or: monitor eval timeline GOLD.jsonl [GOLD.jsonl …] --cv | --fit"
)


def eval_timeline(
    settings: Settings,
    paths: Sequence[str],
    *,
    corrections: str | None = None,
    errors: bool = False,
    as_json: bool = False,
    cv: bool = False,
    fit: bool = False,
    precision_filter: bool = True,
    topic_file: Path | None = None,
) -> int:
    """Score the extractor on a gold file, after applying analyst corrections if given;
    ``cv``/``fit``: cross-validate or refit the precision filter on one or more gold files;
    ``precision_filter``: False scores the rules alone, without the precision filter. The
    stories are read with every topic the worker loads, as the timeline reads them, or with
    ``topic_file`` alone when given."""
    if cv or fit:
        return _precision_filter(settings, paths, fit=fit)
    if len(paths) != 1:
        raise InputError(USAGE, [Problem("GOLD", "give exactly one labeled JSON Lines file")])
    gold = read_gold(_lines(paths[0]), paths[0])
    if corrections:
        gold = apply_corrections(gold, read_corrections(_lines(corrections), corrections))
    cues = load_cues(precision=precision_filter)
    files = [topic_file] if topic_file is not None else settings.topic_files()
    measure = measure_timelines([load_topic(path) for path in files], cues, gold)
    if as_json:
        print(json.dumps(measure_json(measure, errors=errors), indent=2))
    else:
        name = paths[0] + (f" with corrections {corrections}" if corrections else "")
        name += "" if precision_filter else " (rules alone, no precision filter)"
        print(format_measure(measure, name, errors=errors))
    return 0


def _precision_filter(settings: Settings, paths: Sequence[str], *, fit: bool) -> int:
    """Print the filter's nested cross-validation; with ``fit``, write its weights (all the
    gold's candidates, the threshold chosen on their out-of-fold probabilities)."""
    try:
        from monitor.timelines import fit as fitting
    except ImportError as exc:  # scikit-learn is the train extra
        raise InputError(
            "the precision filter needs scikit-learn",
            [Problem("extra", "pip install 'monitor[train]'")],
        ) from exc
    if not paths:
        raise InputError(USAGE, [Problem("GOLD", "give one or more labeled JSON Lines files")])
    gold = [story for path in paths for story in read_gold(_lines(path), path)]
    # the rules alone propose the candidates: a refit must not need the weights it replaces
    rows = fitting.label_candidates(
        load_topic(settings.topic_file), load_cues(precision=False), gold
    )
    print(fitting.cross_validate(rows, gold).report())
    if fit:
        model = fitting.fit_filter(rows, fitting.threshold_for_all(rows, gold))
        target = Path(__file__).with_name("precision.json")
        target.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {target} (keep_above {model.keep_above:.3f}, {len(rows)} candidates)")
    return 0


def _lines(path: str) -> list[str]:
    """The file's lines; a missing file surfaces as OSError (exit 66, named by exits.py)."""
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise InputFileError(f"{path} is not UTF-8 text: save it as UTF-8 ({exc})") from exc


def export_timeline(
    settings: Settings,
    country: str,
    *,
    start: str | None,
    end: str | None,
    fmt: str,
    output: str | None,
) -> int:
    """Write one country's timeline from the alerted stories in the store (analysts'
    corrections applied); ``gold``: only the stories an analyst corrected, as a labeled
    file that ``monitor eval timeline`` scores."""
    from monitor.matching.topic_set import load_topic_set
    from monitor.store.db import transaction
    from monitor.store.migrate import checked_database
    from monitor.store.timeline_corrections import corrections
    from monitor.timelines.review import reviewed_gold
    from monitor.timelines.stored import country_timeline

    topics = load_topic_set(settings.topic_files())
    names = topics.country_names()
    code = resolve_country(country, names)
    last = _day(end, "--to") if end else datetime.now(UTC).date()
    first = _day(start, "--from") if start else last - timedelta(days=90)
    if first > last:
        raise InputError("the period is empty", [Problem("--from", "must not be after --to")])
    with (
        checked_database(settings) as engine,
        transaction(engine) as conn,
    ):
        rows, stored = country_timeline(conn, topics, load_cues(), code, first, last)
        fixes = corrections(conn, code) if fmt == "gold" else []
    log.info("timeline.exported", country=code, rows=len(rows), stories=len(stored), format=fmt)
    if fmt == "gold":
        lines = reviewed_gold(rows, fixes, {str(s.story_id): s for s in stored})
        _write(
            "".join(json.dumps(line, ensure_ascii=False) + "\n" for line in lines).encode(), output
        )
        return 0
    if fmt == "ics":
        name = names.get(code, code)
        payload = to_ics(rows, country_name=name, stamp=datetime.now(UTC))
        _write(payload, output)
    else:
        _write(to_csv(rows).encode("utf-8"), output)
    return 0


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InputError(
            f"{option} {value!r} is not a date", [Problem(option, "write it as YYYY-MM-DD")]
        ) from None


def _write(payload: bytes, output: str | None) -> None:
    if output in (None, "-"):
        sys.stdout.buffer.write(payload)
        sys.stdout.flush()
        return
    Path(output).write_bytes(payload)
