"""A chart's numbers as rows (the HTML table and the CSV share them), and CSV that a
spreadsheet will not run. Pure.

A cell a spreadsheet would read as a formula gets a leading apostrophe
(``monitor.spreadsheet``), so an outlet named ``=HYPERLINK(…)`` is shown as text. Numbers
are written as numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from monitor.spreadsheet import safe_cell as spreadsheet_text
from monitor.web.charts.bars import RankedChart, StackedChart

Cell = str | int


@dataclass(frozen=True, slots=True)
class Table:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def stacked_table(chart: StackedChart, *, period_label: str, total_label: str) -> Table:
    """One row per bar: its first day, each series' count, and the total."""
    header = (period_label, *(s.label for s in chart.series), total_label)
    totals = chart.totals()
    rows: list[tuple[Cell, ...]] = [
        (bucket, *(s.values[i] for s in chart.series), totals[i])
        for i, bucket in enumerate(chart.buckets)
    ]
    return Table(header, tuple(rows))


def ranked_table(chart: RankedChart, *, name_label: str, count_label: str) -> Table:
    return Table((name_label, count_label), tuple(chart.rows))


def safe_cell(value: Cell) -> Cell:
    """``value``, made inert for spreadsheets if it is text that starts like a formula."""
    return spreadsheet_text(value) if isinstance(value, str) else value


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in table.header])
    for row in table.rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
