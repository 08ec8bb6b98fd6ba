"""Text lines of a PDF page, and tables found from text alignment where no rulings are drawn.

A line is split into segments at gaps of several character widths. A run of at least
``MIN_ALIGNED_ROWS`` consecutive lines that each have two or more segments, one of them
a number, and whose segments fall into the same columns, is a table: its columns are the
x-intervals where segments of the run overlap (numbers are right-aligned, words
left-aligned, so intervals rather than start positions define a column).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import regex

from ..common.text import clean_inline
from ..numbers import parse_cell_amount

# Two text lines whose tops differ by less than this share a line (points).
LINE_TOLERANCE = 3.0
# A gap wider than this many character widths separates two cells of an unruled table.
SEGMENT_GAP_CHARS = 2.5
# An unruled table needs at least this many aligned rows; fewer is more likely prose.
MIN_ALIGNED_ROWS = 3
# A segment belongs to a column when it overlaps the column's interval by this share.
MIN_OVERLAP = 0.5
# Lines of a table of contents (dot leaders) look aligned but are not a table.
LEADER_RE = regex.compile(r"[.．…·]{4,}|…{2,}")


@dataclass
class Segment:
    text: str
    x0: float
    x1: float


@dataclass
class Line:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    char_width: float
    segments: list[Segment] = field(default_factory=list)
    ocr_confidence: float | None = None  # OCR'd pages: the lowest confidence of its characters


def text_lines(chars: list[dict[str, Any]]) -> list[Line]:
    """Characters grouped into lines, each read left to right and split into segments.

    Characters that know their baseline are lined up by it: a font whose descent is
    misdeclared (the digits and 、 of some 重庆 PDFs) boxes its glyphs a line low, while
    their baseline is the line's. The others go by their boxes.
    """
    rows: list[list[dict[str, Any]]] = []
    spans: list[tuple[float, float]] = []  # each row's vertical extent
    bases: list[float | None] = []  # each row's first baseline
    for ch in sorted(chars, key=_line_key):
        base = ch.get("baseline")
        # same line when the character's middle falls inside the row's extent: digits in
        # another font sit a few points off the Han baseline but overlap it
        middle = (ch["top"] + ch["bottom"]) / 2
        if rows and (
            spans[-1][0] - LINE_TOLERANCE / 2 <= middle <= spans[-1][1] + LINE_TOLERANCE / 2
            or (base is not None and bases[-1] is not None and abs(base - bases[-1]) <= LINE_TOLERANCE)
        ):
            rows[-1].append(ch)
            spans[-1] = (min(spans[-1][0], ch["top"]), max(spans[-1][1], ch["bottom"]))
        else:
            rows.append([ch])
            spans.append((ch["top"], ch["bottom"]))
            bases.append(base)
    return [_line(row) for row in rows]


def _line_key(ch: dict[str, Any]) -> tuple[float, float]:
    """Reading order: by baseline where known (a box's top where not: OCR), then along x."""
    base = ch.get("baseline")
    return (round(ch["top"] if base is None else base, 1), ch["x0"])


def _line(row: list[dict[str, Any]]) -> Line:
    row.sort(key=lambda c: c["x0"])
    widths = sorted(c["width"] for c in row)
    char_width = max(widths[len(widths) // 2], 1.0)
    parts: list[str] = []
    segments: list[Segment] = []
    seg_chars: list[dict[str, Any]] = []
    for prev, ch in zip([None, *row[:-1]], row, strict=True):
        gap = ch["x0"] - prev["x1"] if prev is not None else 0.0
        # a gap wider than a character is a space (between words, or table-like runs)
        if prev is not None and gap > max(ch["width"], 1.0) * 0.9:
            parts.append(" ")
        if prev is not None and gap > SEGMENT_GAP_CHARS * char_width:
            segments.append(_segment(seg_chars))
            seg_chars = []
        parts.append(ch["text"])
        seg_chars.append(ch)
    segments.append(_segment(seg_chars))
    return Line(
        "".join(parts),
        row[0]["x0"],
        row[-1]["x1"],
        min(c["top"] for c in row),
        max(c["bottom"] for c in row),
        char_width,
        segments,
        ocr_confidence(row),
    )


def ocr_confidence(chars: list[dict[str, Any]]) -> float | None:
    """The lowest OCR confidence of the characters; None for a text layer."""
    scores = [c["ocr_confidence"] for c in chars if c.get("ocr_confidence") is not None]
    return min(scores) if scores else None


def _segment(chars: list[dict[str, Any]]) -> Segment:
    return Segment(clean_inline("".join(c["text"] for c in chars)), chars[0]["x0"], chars[-1]["x1"])


def _candidate(line: Line) -> bool:
    if len(line.segments) < 2 or LEADER_RE.search(line.text):
        return False
    return any(parse_cell_amount(s.text) is not None for s in line.segments[1:])


def _columns(lines: list[Line]) -> list[tuple[float, float]]:
    """Column intervals: the union of overlapping segment intervals of all rows."""
    intervals = sorted((s.x0, s.x1) for ln in lines for s in ln.segments)
    merged: list[list[float]] = []
    for x0, x1 in intervals:
        if merged and x0 <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], x1)
        else:
            merged.append([x0, x1])
    return [(a, b) for a, b in merged]


def _column_of(segment: Segment, columns: list[tuple[float, float]]) -> int | None:
    width = max(segment.x1 - segment.x0, 1.0)
    for i, (a, b) in enumerate(columns):
        if min(b, segment.x1) - max(a, segment.x0) >= MIN_OVERLAP * width:
            return i
    return None


@dataclass
class AlignedTable:
    lines: list[Line]
    columns: list[tuple[float, float]]
    rows: list[list[str]]


def find_aligned_tables(lines: list[Line]) -> list[tuple[int, int, AlignedTable]]:
    """(first line index, end index, table) for each run of aligned lines."""
    found: list[tuple[int, int, AlignedTable]] = []
    i = 0
    while i < len(lines):
        if not _candidate(lines[i]):
            i += 1
            continue
        j = i
        while j < len(lines) and _candidate(lines[j]):
            j += 1
        # a header line right above the run (several segments, no numbers) belongs to it
        start = i - 1 if i > 0 and len(lines[i - 1].segments) >= 2 else i
        run = lines[start:j]
        if j - i >= MIN_ALIGNED_ROWS:
            columns = _columns(run)
            if len(columns) >= 2:
                rows = [[""] * len(columns) for _ in run]
                consistent = True
                for r, ln in enumerate(run):
                    for seg in ln.segments:
                        c = _column_of(seg, columns)
                        if c is None:
                            consistent = False
                            break
                        rows[r][c] = f"{rows[r][c]}{seg.text}"
                if consistent:
                    found.append((start, j, AlignedTable(run, columns, rows)))
        i = j
    return found
