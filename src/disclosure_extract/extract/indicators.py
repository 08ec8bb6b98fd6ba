"""Performance-indicator grids (绩效目标 / 绩效指标), in both shapes in use.

Shape A — 职责活动 / 年度预算数 / 绩效指标 / 评价标准 优 良 中 差: a row naming an activity
without any indicator is an enclosing 部门职责 (the parent level); rows below it name
activities, and rows with a blank activity cell continue the activity above.
Shape B — 项目 / 一级指标 / 二级指标 / 三级指标 / 指标值: blank cells repeat the value above.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from ..model import Cell, Indicator, Location, Table
from ..numbers import parse_cell_amount, to_yuan
from ..patterns import Patterns
from .labels import clean_label
from .tables import TableUnit, column_headers, header_row_count

# Grid headers sit in the first rows; deeper matches are data that happen to say 指标.
MAX_GRID_HEADER_ROWS = 4
STANDARD_KEYS = (
    ("excellent", "standard_excellent_re"),
    ("good", "standard_good_re"),
    ("fair", "standard_fair_re"),
    ("poor", "standard_poor_re"),
)


@dataclass
class _Columns:
    activity: int | None = None
    budget: int | None = None
    indicator: int | None = None
    level1: int | None = None
    level2: int | None = None
    target: int | None = None
    standards: dict[str, int] | None = None


def _find_columns(headers: list[list[str]], patterns: Patterns) -> _Columns | None:
    rules = patterns.indicators
    cols = _Columns(standards={})
    assert cols.standards is not None
    for c, texts in enumerate(headers):
        for text in reversed(texts):  # the lowest header names the column most precisely
            label = clean_label(text, patterns)
            if cols.indicator is None and rules["indicator_re"].search(label):
                cols.indicator = c
            elif cols.level1 is None and rules["level1_re"].search(label):
                cols.level1 = c
            elif cols.level2 is None and rules["level2_re"].search(label):
                cols.level2 = c
            elif cols.target is None and rules["target_re"].search(label):
                cols.target = c
            elif cols.activity is None and rules["activity_re"].search(label):
                cols.activity = c
            elif cols.budget is None and rules["budget_re"].search(label):
                cols.budget = c
            else:
                for key, rx in STANDARD_KEYS:
                    if key not in cols.standards and rules[rx].search(label):
                        cols.standards[key] = c
                        break
                else:
                    continue
            break
    if cols.indicator is None or (cols.target is None and len(cols.standards) < 2):
        return None
    if cols.activity is None:
        cols.activity = 0 if cols.indicator != 0 else None
    return cols


def extract_indicators(
    tables: list[Table], units: dict[int, TableUnit], patterns: Patterns
) -> list[Indicator]:
    records: list[Indicator] = []
    for table in tables:
        n_header = _grid_header_rows(table, patterns)
        if not n_header:
            continue
        cols = _find_columns(column_headers(table, n_header), patterns)
        if cols is None:
            continue
        records.extend(_grid_records(table, n_header, cols, units.get(table.index)))
    return records


def _grid_header_rows(table: Table, patterns: Patterns) -> int:
    """Rows down to the last one holding a grid header word (指标, 优/良/中/差 …), if near the top."""
    rules = patterns.indicators
    header_res = [rx for key, rx in rules.items() if key.endswith("_re")]
    last = 0
    for r, row in enumerate(table.text_rows()[:MAX_GRID_HEADER_ROWS]):
        if any(cell and any(rx.search(clean_label(cell, patterns)) for rx in header_res) for cell in row):
            # a row of numbers is data even when a cell says 项目: stop at the first data row
            if r > 0 and header_row_count(table) <= r:
                break
            last = r + 1
    return last


def _grid_records(table: Table, n_header: int, cols: _Columns, unit: TableUnit | None) -> list[Indicator]:
    rows = table.text_rows()
    grid = table.grid()
    records: list[Indicator] = []
    parent: str | None = None
    activity: str | None = None
    budget = None
    level1: str | None = None
    level2: str | None = None

    def text(r: int, c: int | None) -> str:
        if c is None:
            return ""
        cell = grid[r][c]
        # a cell spanning down from above is "the same as above"
        return cell.text if cell is not None else ""

    for r in range(n_header, table.n_rows):
        assert cols.indicator is not None  # _find_columns returns None otherwise
        name = rows[r][cols.activity] if cols.activity is not None else ""
        indicator = rows[r][cols.indicator] if cols.indicator is not None else ""
        if cols.level1 is None:
            # shape A: a name without an indicator opens a parent (部门职责)
            if name and not indicator:
                parent, activity, budget = name, None, None
                continue
            if name:
                activity = name
                raw_budget = rows[r][cols.budget] if cols.budget is not None else ""
                amount = parse_cell_amount(raw_budget)
                budget = to_yuan(amount, unit.unit) if amount is not None and unit is not None else None
        else:
            # shape B: blank = same as above, spans included
            activity = text(r, cols.activity) or activity
            level1 = text(r, cols.level1) or level1
            level2 = text(r, cols.level2) or level2
        if not indicator or activity is None:
            continue
        standards = None
        if cols.standards:
            standards = {key: rows[r][c] for key, c in cols.standards.items()}
        records.append(
            Indicator(
                activity=activity,
                indicator=indicator,
                parent=parent if parent != activity else None,
                budget=budget,
                level1=level1,
                level2=level2,
                target=rows[r][cols.target] if cols.target is not None else None,
                standards=standards,
                location=_row_location(table, grid[r][cols.indicator], r, cols.indicator),
            )
        )
    return records


def _row_location(table: Table, cell: Cell | None, row: int, col: int) -> Location:
    """Where an indicator row is: the indicator cell's own place, with table, row and column."""
    return replace(cell.location if cell is not None else table.location, table=table.index, row=row, col=col)
