"""Rebuilding tables on a grid, the same way whatever format they came from.

Loaders hand over rows of raw cells; this module places them on a rectangular grid
(honouring rowspan/colspan), removes empty rows and columns, and moves the preamble
rows (title, 单位：万元, 部门：…) into the table's caption and unit.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import regex

from ..common.text import find_unit
from ..model import Block, Cell, Item, Location, Table
from ..patterns import Patterns

# A row that is nothing but a table's title (…表, …表（功能科目）, 公开表三) starts a table.
TITLE_RE = regex.compile(
    r"(?:表|明细表|情况表)\s*(?:[（(][^）)]{1,12}[）)])?\s*(?:[\d一二三四五六七八九十]+)?$"
)
# At most this many short lines before a table form its caption: a title, its number
# (公开02表), the 编制单位 line and 单位：万元, in any loader.
CAPTION_LINES = 4
# A preamble row holds a few cells at most (部门： | name | 单位：万元).
PREAMBLE_MAX_CELLS = 4
# Spans beyond this are markup errors (colspan="9999"); clamping keeps grids small.
MAX_SPAN = 200
# A table whose single cell holds this much text is a layout box, not a data table; so is
# one with a cell of running text: this many characters in more than LAYOUT_PARAGRAPHS.
LAYOUT_CELL_CHARS = 300
LAYOUT_PARAGRAPHS = 3


def is_layout_table(nests_tables: bool, cells: list[tuple[str, int]]) -> bool:
    """A table used to lay out a page, given whether it nests tables and each own cell's
    text and number of paragraphs (or line breaks): its cells are read as running content."""
    if nests_tables:
        return True
    if len(cells) == 1 and len(cells[0][0]) >= LAYOUT_CELL_CHARS:
        return True
    return any(
        paragraphs > LAYOUT_PARAGRAPHS and len(text) >= LAYOUT_CELL_CHARS for text, paragraphs in cells
    )


@dataclass
class RawCell:
    text: str
    location: Location
    rowspan: int = 1
    colspan: int = 1


def place_spanned(rows: list[list[RawCell]]) -> list[Cell]:
    """Place HTML-style rows on a grid: a cell skips positions taken by spans from above."""
    taken: set[tuple[int, int]] = set()
    cells: list[Cell] = []
    for r, row in enumerate(rows):
        c = 0
        for raw in row:
            while (r, c) in taken:
                c += 1
            rowspan = max(1, min(raw.rowspan, MAX_SPAN, len(rows) - r))
            colspan = max(1, min(raw.colspan, MAX_SPAN))
            cells.append(Cell(r, c, raw.text, raw.location, rowspan, colspan))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            c += colspan
    return cells


def place_ragged(rows: list[list[RawCell]]) -> list[Cell]:
    """Place rows printed without span information (one cell per line in text exports).

    A row shorter than the widest row is a header whose last cell spans the rest
    (评价标准 over 优/良/中/差). When the row below fills exactly those spanned columns
    and is blank elsewhere, it is a sub-header and the other upper cells span down.
    """
    width = max((len(r) for r in rows), default=0)
    grid_rows: list[list[Cell]] = []
    for r, row in enumerate(rows):
        placed = [Cell(r, c, raw.text, raw.location) for c, raw in enumerate(row)]
        if placed and len(row) < width:
            placed[-1].colspan = width - len(row) + 1
        grid_rows.append(placed)
    for upper, lower in itertools.pairwise(grid_rows):
        spanned = {
            c
            for cell in upper
            if cell.colspan > 1 and cell.text
            for c in range(cell.col, cell.col + cell.colspan)
        }
        if not spanned:
            continue
        under = [cell for cell in lower if cell.col in spanned]
        beside = [cell for cell in lower if cell.col not in spanned]
        if under and all(cell.text for cell in under) and not any(cell.text for cell in beside):
            for cell in upper:
                if cell.colspan == 1:
                    cell.rowspan = 2
            lower[:] = under
    return [cell for row in grid_rows for cell in row]


def _remove_line(cells: list[Cell], index: int, *, axis: str) -> list[Cell]:
    """Delete one row (axis "row") or column; spans across it shrink, later cells shift."""
    size = max((c.row + c.rowspan if axis == "row" else c.col + c.colspan for c in cells), default=0)
    return _keep_lines(cells, axis, [i != index for i in range(size)])


def drop_blank_lines(cells: list[Cell]) -> list[Cell]:
    """Remove rows and columns that hold no text anywhere; one pass over the cells per axis,
    whatever the table's size."""
    for axis in ("row", "col"):
        size = max((c.row + c.rowspan if axis == "row" else c.col + c.colspan for c in cells), default=0)
        filled = [False] * size
        for cell in cells:
            if cell.text:
                start, span = (cell.row, cell.rowspan) if axis == "row" else (cell.col, cell.colspan)
                filled[start : start + span] = [True] * span
        if not all(filled):
            cells = _keep_lines(cells, axis, filled)
    return cells


def _keep_lines(cells: list[Cell], axis: str, keep: list[bool]) -> list[Cell]:
    """The cells with only the kept rows (or columns): a cell keeps the kept lines of its span
    (one left with none goes), each line renumbered past the removed ones."""
    before = [0] * (len(keep) + 1)  # kept lines before each index
    for i, kept_line in enumerate(keep):
        before[i + 1] = before[i] + kept_line
    kept = []
    for cell in cells:
        start, span = (cell.row, cell.rowspan) if axis == "row" else (cell.col, cell.colspan)
        new_start, new_span = before[start], before[start + span] - before[start]
        if new_span == 0:
            continue
        if axis == "row":
            cell.row, cell.rowspan = new_start, new_span
        else:
            cell.col, cell.colspan = new_start, new_span
        kept.append(cell)
    return kept


def is_preamble_cell(text: str, patterns: Patterns) -> bool:
    """A title, 单位：万元 or 部门： line, short enough to be one."""
    if len(text) > patterns.tables["max_caption_chars"]:
        return False
    return any(rx.search(text) for rx in patterns.tables["preamble_cell_re"])


def _is_preamble_row(cells: list[Cell], patterns: Patterns) -> bool:
    """Every cell is a title, unit or 部门： line, or the value right after a "部门：" label."""
    for i, cell in enumerate(cells):
        labelled = i > 0 and cells[i - 1].text.rstrip().endswith(("：", ":"))
        if not labelled and not is_preamble_cell(cell.text, patterns):
            return False
    return True


def title_rows(cells: list[Cell], patterns: Patterns) -> list[int]:
    """The rows (after the first) whose only text is a table title: where another table starts."""
    if not cells:
        return []
    n_rows = max(c.row + c.rowspan for c in cells)
    by_row: dict[int, list[str]] = {}
    for c in cells:
        if c.text:
            by_row.setdefault(c.row, []).append(c.text)
    return [
        r
        for r in range(1, n_rows)
        if len(texts := by_row.get(r, [])) == 1
        and TITLE_RE.search(texts[0])
        and len(texts[0]) <= patterns.tables["max_caption_chars"]
    ]


def split_at_titles(cells: list[Cell], patterns: Patterns) -> list[list[Cell]]:
    """Split one grid holding several tables at rows whose only text is a table title.

    Excel exports (to PDF or HTML) often draw consecutive tables as one grid; a row that
    says only "财政拨款基本支出预算表" starts the next table.
    """
    if not cells:
        return []
    n_rows = max(c.row + c.rowspan for c in cells)
    splits = title_rows(cells, patterns)
    if not splits:
        return [cells]
    parts: list[list[Cell]] = []
    for start, stop in zip([0, *splits], [*splits, n_rows], strict=True):
        part = []
        for c in cells:
            if start <= c.row < stop:
                c.rowspan = min(c.rowspan, stop - c.row)
                c.row -= start
                part.append(c)
        parts.append(part)
    return [p for p in parts if p]


def finish_table(
    cells: list[Cell], location: Location, patterns: Patterns, caption: str = ""
) -> Table | None:
    """Normalise placed cells into a Table; None when nothing is left."""
    cells = drop_blank_lines(cells)
    preamble: list[str] = []
    while cells:
        first = sorted((c for c in cells if c.row == 0 and c.text), key=lambda c: c.col)
        if not first or len(first) > PREAMBLE_MAX_CELLS or not _is_preamble_row(first, patterns):
            break
        # a lone first-row cell naming a table is a title even without a unit
        preamble.extend(c.text for c in sorted(first, key=lambda c: c.col))
        cells = drop_blank_lines(_remove_line(cells, 0, axis="row"))
    if not cells:
        return None
    unit_text = ""
    for text in preamble:
        if find_unit(text, patterns):
            unit_text = text
    full_caption = " ".join(t for t in [caption, *preamble] if t)
    if not unit_text and find_unit(full_caption, patterns):
        unit_text = full_caption
    table = Table(cells=cells, location=location, caption=full_caption, unit_text=unit_text)
    return table


def preceding_caption(items: list[Item], patterns: Patterns) -> str:
    """The short lines right before a table name it: a title, then maybe 单位：万元."""
    lines: list[str] = []
    for item in reversed(items[-CAPTION_LINES:]):
        if not isinstance(item, Block):
            break
        text = item.text
        # a caption is a name, never a sentence, nor the lead-in of one ("…情况见下表：")
        if (
            len(text) > patterns.tables["max_caption_chars"]
            or any(p in text for p in "。；;，,")
            or text.endswith(("：", ":"))
        ):
            break
        lines.insert(0, text)
    return " ".join(lines)
