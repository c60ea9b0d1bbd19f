"""CSV cells that a spreadsheet opens as text, never as a formula (CSV injection).

A cell from a feed ("=HYPERLINK(…)", "+1-…", "@SUM(…)") would run as a formula when an
analyst opens an export in Excel, LibreOffice or Google Sheets. OWASP's rule: a cell that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
apostrophe, which spreadsheets hide and which keeps the text as written.
"""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """``value`` as a spreadsheet shows it, never evaluates it."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value
