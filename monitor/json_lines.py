"""Reading the JSON Lines files a person hands to the CLI: labels, annotations, story pairs.

One reader, so that every ``monitor eval …`` refuses a bad file the same way at the door:
an :class:`~monitor.errors.InputFileError` naming the file and the line that is not UTF-8
or not JSON. What a line must hold is each caller's own check. A file that cannot be
opened raises ``OSError``, which the CLI turns into its no-file exit.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

from monitor.errors import InputFileError

__all__ = ["json_lines", "read_json_lines", "read_utf8"]


def read_utf8(path: Path) -> str:
    """A file's text; InputFileError naming the line when it is not UTF-8."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputFileError(f"{path}, line {line}: not UTF-8 text (save it as UTF-8)") from exc


def json_lines(text: str, source: str) -> Iterator[tuple[int, Any]]:
    """Each non-blank line's number and JSON value; InputFileError naming a line that is
    not JSON."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, orjson.loads(line)
        except orjson.JSONDecodeError as exc:
            raise InputFileError(f"{source}, line {number}: not JSON ({exc})") from exc


def read_json_lines(path: Path) -> list[tuple[int, Any]]:
    """A file's non-blank lines as (line number, JSON value), refused at the first bad one."""
    return list(json_lines(read_utf8(path), str(path)))
