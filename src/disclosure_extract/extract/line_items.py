"""Line items: the classified rows of 功能分类 and 经济分类 tables.

A row is a line item when it carries a classification code, printed whole (2010301) or
split over 类/款/项 columns (201 | 03 | 01, where a blank leading part repeats the part
above). Function codes have 3/5/7 digits (类/款/项), economic codes 3/5 (类/款); a code's
parent is the code two digits shorter. Every amount cell of the row is kept with its
column's header path, in yuan.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..model import LineAmount, LineItem, Location, Table
from ..numbers import parse_cell_amount, to_yuan
from ..patterns import Patterns
from .entities import entity_column
from .labels import clean_label
from .tables import CODE_HEADER_RE, TableUnit, column_headers, header_row_count

CODE_PART_RE = regex.compile(r"^\d{2,7}$")
WHOLE_CODE_RE = regex.compile(r"^(?:\d{3}|\d{5}|\d{7})$")
NAME_HEADER_RE = regex.compile(r"(?:科目名称|项目名称|名称|项目)$")
# The classification a title or header names; not a bare 经济, which names departments too
# (重庆市经济和信息化委员会)
FUNCTION_RE = regex.compile(r"功能(?:分类|科目)")
ECONOMIC_RE = regex.compile(r"经济(?:分类|科目)")
# Economic classification 类 codes are 301-313 and 501-514; function 类 codes are 201-234.
ECONOMIC_PREFIXES = ("3", "5")


def _kind(table: Table, headers: list[list[str]], code: str) -> str:
    text = f"{table.caption} {' '.join(t for col in headers for t in col)}"
    if ECONOMIC_RE.search(text) and not FUNCTION_RE.search(text):
        return "economic"
    if FUNCTION_RE.search(text) and not ECONOMIC_RE.search(text):
        return "function"
    return "economic" if code.startswith(ECONOMIC_PREFIXES) else "function"


def _parent(code: str, kind: str) -> str | None:
    if len(code) <= 3:
        return None
    return code[:-2]


def extract_line_items(
    tables: list[Table], units: dict[int, TableUnit], patterns: Patterns
) -> list[LineItem]:
    items: list[LineItem] = []
    for table in tables:
        items.extend(_table_items(table, units.get(table.index), patterns))
    return items


def _table_items(table: Table, unit: TableUnit | None, patterns: Patterns) -> list[LineItem]:
    n_header = header_row_count(table)
    if n_header >= table.n_rows or unit is None:
        return []
    headers = column_headers(table, n_header)
    code_cols = [c for c, texts in enumerate(headers) if any(CODE_HEADER_RE.search(t) for t in texts)]
    rows = table.text_rows()
    if not code_cols:
        # no code header: a first column of whole codes still makes a classified table
        first = [rows[r][0].strip() for r in range(n_header, table.n_rows)]
        if sum(bool(WHOLE_CODE_RE.match(t)) for t in first) < 2:
            return []
        code_cols = [0]
    # side-by-side halves (经济分类 | 科目名称 | 决算数 | 经济分类 | …) are read group by group
    starts = [c for c in code_cols if c - 1 not in code_cols]
    entities = entity_column(table, n_header, headers, None, patterns)
    items: list[LineItem] = []
    for g, start in enumerate(starts):
        stop = starts[g + 1] if g + 1 < len(starts) else table.n_cols
        group_codes = [c for c in code_cols if start <= c < stop]
        view = _View(table, unit, headers, rows, n_header)
        items.extend(_group_items(view, patterns, group_codes, stop))
    if entities is not None:
        for item in items:
            item.entity = entities.owner(item.row)
    return items


@dataclass
class _View:
    """A table with what line-item reading needs of it."""

    table: Table
    unit: TableUnit
    headers: list[list[str]]
    rows: list[list[str]]
    n_header: int


def _group_items(view: _View, patterns: Patterns, code_cols: list[int], stop: int) -> list[LineItem]:
    table, unit, headers, rows, n_header = view.table, view.unit, view.headers, view.rows, view.n_header
    after = range(max(code_cols) + 1, stop)
    name_col = next(
        (c for c in after if headers[c] and NAME_HEADER_RE.search(clean_label(headers[c][-1], patterns))),
        max(code_cols) + 1,
    )
    grid = table.grid()
    items: list[LineItem] = []
    previous_parts: list[str] = []
    for r in range(n_header, table.n_rows):
        parts = [rows[r][c].replace(" ", "") for c in code_cols]
        if not any(CODE_PART_RE.match(p) for p in parts):
            previous_parts = []
            continue
        # blank leading parts (类 left blank on 款/项 rows) repeat the parts above; blank
        # trailing parts are just absent (a 类 row has no 款/项)
        first = next(i for i, p in enumerate(parts) if p)
        parts = [
            previous_parts[i] if i < first and i < len(previous_parts) else p for i, p in enumerate(parts)
        ]
        trimmed = parts[: max(i for i, p in enumerate(parts) if p) + 1]
        code = "".join(trimmed)
        previous_parts = trimmed
        if not WHOLE_CODE_RE.match(code):
            continue
        kind = _kind(table, headers, code)
        name = rows[r][name_col] if name_col < table.n_cols else ""
        location = Location(
            # a table stitched across pages: the row's own page, not the table's first
            page=next(
                (c.location.page for c in grid[r] if c is not None and c.location.page), table.location.page
            ),
            line_start=table.location.line_start,
            path=table.location.path,
            table=table.index,
            row=r,
        )
        item = LineItem(table.index, r, kind, code, _parent(code, kind), name, location)
        for c in after:
            cell = grid[r][c]
            if c == name_col or cell is None or cell.col != c or cell.row != r:
                continue
            value = parse_cell_amount(cell.text)
            if value is None:
                continue
            column = " / ".join(headers[c]) or f"column {c}"
            where = Location(
                page=cell.location.page, table=table.index, row=r, col=c, bbox=cell.location.bbox
            )
            item.amounts.append(LineAmount(column, to_yuan(value, unit.unit), cell.text, unit.unit, where))
        items.append(item)
    return items
