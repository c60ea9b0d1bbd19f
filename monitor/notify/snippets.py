"""Cut a readable window out of a story around its first match, keeping the highlights.

The classifier reports evidence as character offsets into the story's title or text. An
email shows only ~300 characters, with whitespace collapsed and controls removed, so the
offsets have to be carried through that cleaning and the cut. Everything here is pure.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitor.models import Evidence
from monitor.notify.text import ELLIPSIS, is_invisible

DEFAULT_WIDTH = 300


@dataclass(frozen=True, slots=True)
class Snippet:
    """Cleaned text plus the evidence that falls inside it, offsets rebased onto ``text``."""

    text: str
    matched: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of display text; ``marked`` runs are matched terms (``<mark>`` / ``*term*``)."""

    text: str
    marked: bool


def _collapse(text: str) -> tuple[str, list[int]]:
    """Collapse whitespace and drop controls; map every input offset to an output offset.

    ``index_map[i]`` is where input offset ``i`` lands in the output (``len(text)`` is
    included so exclusive end offsets map too). Leading and trailing space is removed.
    """
    if text.isprintable() and "  " not in text and text == text.strip():
        # Fast path (most text): nothing to drop or collapse, offsets map to themselves.
        return text, list(range(len(text) + 1))
    out: list[str] = []
    index_map: list[int] = []
    pending_space = False
    for char in text:
        if char.isspace():
            # An end offset at a space must not swallow it, so spaces map to where the
            # single collapsed space will be written.
            pending_space = bool(out)
            index_map.append(len(out))
            continue
        if is_invisible(char):
            index_map.append(len(out) + (1 if pending_space else 0))
            continue
        if pending_space:
            out.append(" ")
            pending_space = False
        index_map.append(len(out))
        out.append(char)
    index_map.append(len(out))
    size = len(out)
    return "".join(out), [min(i, size) for i in index_map]


def _usable(evidence: Sequence[Evidence], field: str, length: int) -> list[Evidence]:
    """Evidence for ``field`` whose offsets fit the text, earliest first."""
    usable = [e for e in evidence if e.field == field and 0 <= e.start < e.end <= length]
    return sorted(usable, key=lambda e: (e.start, e.end))


def build_snippet(
    text: str, matched: Sequence[Evidence], *, field: str = "text", width: int = DEFAULT_WIDTH
) -> Snippet:
    """Return about ``width`` characters of ``text`` around the first match in ``field``.

    The window starts a little before the first matched term, snaps to word breaks and
    gets an ellipsis on each side where text was cut. Evidence inside the window is kept
    with rebased offsets; evidence cut by the window edge is dropped. Without evidence the
    window is the start of the text.
    """
    if width < 20:
        raise ValueError("snippet width must be at least 20 characters")
    spans = _usable(matched, field, len(text))
    # Only clean a bounded region so a megabyte of text costs the same as a paragraph.
    anchor = spans[0].start if spans else 0
    region_start = max(0, anchor - 4 * width)
    region_end = min(len(text), anchor + 8 * width)
    clean, index_map = _collapse(text[region_start:region_end])
    more_before = region_start > 0 and not text[:region_start].isspace()
    more_after = region_end < len(text) and not text[region_end:].isspace()

    def rebase(offset: int) -> int:
        return index_map[offset - region_start]

    in_region = [e for e in spans if e.start >= region_start and e.end <= region_end]
    if in_region:
        first_start, first_end = rebase(in_region[0].start), rebase(in_region[0].end)
    else:
        first_start = first_end = 0
    start = max(0, first_start - width // 4)
    end = min(len(clean), max(start + width, first_end))
    if end - start < width:
        start = max(0, end - width)
    if start > 0:
        space = clean.find(" ", start, first_start)
        start = space + 1 if space != -1 else start
    if end < len(clean):
        space = clean.rfind(" ", max(first_end, start), end + 1)
        end = space if space > start else end
    prefix = ELLIPSIS if start > 0 or more_before else ""
    suffix = ELLIPSIS if end < len(clean) or more_after else ""
    shift = len(prefix) - start
    kept = []
    for evidence in in_region:
        new_start, new_end = rebase(evidence.start), rebase(evidence.end)
        if start <= new_start < new_end <= end:
            kept.append(replace(evidence, start=new_start + shift, end=new_end + shift))
    return Snippet(prefix + clean[start:end] + suffix, tuple(kept))


def highlight(snippet: Snippet) -> tuple[Segment, ...]:
    """Split ``snippet`` into plain and marked runs; overlapping matches merge into one.

    Each run is NFC-normalized for display (a decomposed accent renders as one letter).
    """
    merged: list[list[int]] = []
    for evidence in sorted(snippet.matched, key=lambda e: (e.start, e.end)):
        if merged and evidence.start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], evidence.end)
        else:
            merged.append([evidence.start, evidence.end])
    segments: list[Segment] = []
    cursor = 0
    for start, end in merged:
        if start > cursor:
            segments.append(Segment(_nfc(snippet.text[cursor:start]), False))
        segments.append(Segment(_nfc(snippet.text[start:end]), True))
        cursor = end
    if cursor < len(snippet.text):
        segments.append(Segment(_nfc(snippet.text[cursor:]), False))
    return tuple(segments)


def _nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)
