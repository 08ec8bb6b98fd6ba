"""Performance-indicator grids (绩效目标 / 绩效指标), in the shapes in use.

Shape A — 职责活动 / 年度预算数 / 绩效指标 / 评价标准 优 良 中 差: a row naming an activity
without any indicator is an enclosing 部门职责 (the parent level); rows below it name
activities, and rows with a blank activity cell continue the activity above.
Shape B — 项目 / 一级指标 / 二级指标 / 三级指标 / 指标值: blank cells repeat the value above.
Shape C — a project form (财政项目支出绩效目标表 / 项目绩效目标填报表): form rows (项目名称,
主管部门, 项目资金…) above a shape-B grid whose header row may stand anywhere in the table.
The project is the form's 项目名称 value and its budget the form's 资金总额; one table may
hold several forms (stitched over pages), each opening at its own 项目名称 row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from ..common.text import find_unit
from ..model import Cell, Indicator, Location, Table
from ..numbers import parse_cell_amount, to_yuan
from ..patterns import Patterns
from .labels import clean_label
from .tables import TableUnit

# A grid header is one row, or two when the second names the standards (优 良 中 差).
MAX_GRID_HEADER_ROWS = 2
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


@dataclass(frozen=True)
class _Form:
    """What a project form states above its grid."""

    project: str | None
    budget: Decimal | None


@dataclass(frozen=True)
class _Grid:
    header_start: int
    data_start: int  # the first row after the header
    data_end: int  # exclusive
    cols: _Columns
    form: _Form


# The grid's columns by their header words, tried in this order (the first unfilled that matches).
COLUMN_KEYS = (
    ("indicator", "indicator_re"),
    ("level1", "level1_re"),
    ("level2", "level2_re"),
    ("target", "target_re"),
    ("activity", "activity_re"),
    ("budget", "budget_re"),
)


def _claim(cols: _Columns, c: int, label: str, patterns: Patterns) -> bool:
    """Give column ``c`` the first role its header ``label`` names that is still open."""
    rules = patterns.indicators
    for attr, rx in COLUMN_KEYS:
        if getattr(cols, attr) is None and rules[rx].search(label):
            setattr(cols, attr, c)
            return True
    assert cols.standards is not None
    for key, rx in STANDARD_KEYS:
        if key not in cols.standards and rules[rx].search(label):
            cols.standards[key] = c
            return True
    return False


def _find_columns(headers: list[list[str]], patterns: Patterns) -> _Columns | None:
    cols = _Columns(standards={})
    assert cols.standards is not None
    for c, texts in enumerate(headers):
        for text in reversed(texts):  # the lowest header names the column most precisely
            if _claim(cols, c, clean_label(text, patterns), patterns):
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
        for grid in _grids(table, units.get(table.index), patterns):
            records.extend(_grid_records(table, grid, units.get(table.index)))
    return records


def _headers(grid: list[list[Cell | None]], start: int, end: int) -> list[list[str]]:
    """For each column, the distinct header texts of rows ``start``..``end``, top to bottom."""
    headers: list[list[str]] = [[] for _ in range(len(grid[0]) if grid else 0)]
    for r in range(start, end):
        for c, cell in enumerate(grid[r]):
            if cell is not None and cell.text and cell.text not in headers[c]:
                headers[c].append(cell.text)
    return headers


def _header_at(
    rows: list[list[str]], grid: list[list[Cell | None]], r: int, patterns: Patterns
) -> tuple[int, _Columns] | None:
    """The grid header starting at row ``r`` (a row naming an indicator column): its row count
    and columns, if the rows there make one."""
    for n in range(1, MAX_GRID_HEADER_ROWS + 1):
        if r + n > len(rows):
            break
        # a row of numbers is data even when a cell says 项目
        if n > 1 and any(parse_cell_amount(t) is not None for t in rows[r + n - 1] if t):
            break
        cols = _find_columns(_headers(grid, r, r + n), patterns)
        if cols is not None:
            return n, cols
    return None


def _grids(table: Table, unit: TableUnit | None, patterns: Patterns) -> list[_Grid]:
    """Every indicator grid in the table, with the form rows above each."""
    rows = table.text_rows()
    labels = [[clean_label(t, patterns) if t else "" for t in row] for row in rows]
    indicator_re = patterns.indicators["indicator_re"]
    candidates = [r for r, row in enumerate(labels) if any(t and indicator_re.search(t) for t in row)]
    if not candidates:
        return []  # most tables: no row names an indicator column
    grid = table.grid()
    project_re = patterns.indicators["form_project_re"]
    form_starts = [r for r, row in enumerate(labels) if any(t and project_re.search(t) for t in row)]
    headers: list[tuple[int, int, _Columns]] = []
    for r in candidates:
        if headers and r < headers[-1][0] + headers[-1][1]:
            continue  # inside the header found just above
        found = _header_at(rows, grid, r, patterns)
        if found is not None:
            headers.append((r, found[0], found[1]))
    out: list[_Grid] = []
    previous_end = 0
    for i, (start, n, cols) in enumerate(headers):
        next_header = headers[i + 1][0] if i + 1 < len(headers) else len(rows)
        # a form's 项目名称 row after this header opens the next project
        end = min([f for f in form_starts if start + n <= f < next_header] or [next_header])
        form = _read_form(rows, previous_end, start, unit, patterns)
        out.append(_Grid(start, start + n, end, cols, form))
        previous_end = end
    return out


def _value_right_of(row: list[str], c: int) -> str:
    """The first text to the right of a form label that is not the label itself."""
    label = row[c]
    for text in row[c + 1 :]:
        if text and text != label:
            return text
    return ""


def _read_form(
    rows: list[list[str]], start: int, end: int, unit: TableUnit | None, patterns: Patterns
) -> _Form:
    rules = patterns.indicators
    project: str | None = None
    budget: Decimal | None = None
    money_unit = None
    for row in rows[start:end]:
        for c, text in enumerate(row):
            if not text:
                continue
            label = clean_label(text, patterns)
            money_unit = money_unit or find_unit(text, patterns)  # 项目资金（元）
            if project is None and rules["form_project_re"].search(label):
                project = _value_right_of(row, c) or None
            elif budget is None and rules["form_budget_re"].search(label):
                amount = parse_cell_amount(_value_right_of(row, c))
                if amount is not None:
                    budget = amount
    if budget is not None:
        scale = money_unit or (unit.unit if unit is not None else None)
        budget = to_yuan(budget, scale) if scale else None
    return _Form(project, budget)


def _grid_records(table: Table, g: _Grid, unit: TableUnit | None) -> list[Indicator]:
    rows = table.text_rows()
    grid = table.grid()
    cols = g.cols
    records: list[Indicator] = []
    parent: str | None = None
    activity: str | None = g.form.project
    budget = g.form.budget
    level1: str | None = None
    level2: str | None = None

    def text(r: int, c: int | None) -> str:
        if c is None:
            return ""
        cell = grid[r][c]
        # a cell spanning down from above is "the same as above"
        return cell.text if cell is not None else ""

    for r in range(g.data_start, g.data_end):
        assert cols.indicator is not None  # _find_columns returns None otherwise
        name = rows[r][cols.activity] if cols.activity is not None else ""
        indicator = rows[r][cols.indicator]
        if g.form.project is not None:
            # shape C: the form names the project; the columns give the levels
            level1 = text(r, cols.level1) or level1
            level2 = text(r, cols.level2) or level2
        elif cols.level1 is None:
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
