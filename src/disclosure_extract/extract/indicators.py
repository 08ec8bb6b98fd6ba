"""Performance-indicator grids (绩效目标 / 绩效指标): one reader, driven by the header.

A grid is a run of rows under a header that names an indicator column and a target (or the
standards 优 良 中 差). Each column takes its role from its header words, whatever the order
(``patterns/indicators.yml``); a column whose cells below the header are all blank is a block
label (绩效指标 merged down the grid's left side) and takes none. Three arrangements follow
from the roles found:

- A project form (项目名称, 主管部门, 项目资金…) above the grid, in the same table or, when a
  page break cut it off, alone in the table before: the form names the project and its funds,
  the columns give the levels (一级 / 二级 / 三级指标).
- Levels without a form: an activity (项目) column, or none, when the grid is the whole
  department's (部门整体支出绩效目标表): the department is its subject.
- 职责活动 / 年度预算数 / 绩效指标 / 评价标准 优 良 中 差 without levels: a row naming an
  activity without any indicator is an enclosing 部门职责 (the parent level).

Blank cells mean "same as above" (merged 一级 / 二级 cells are filled down). The target is kept
as printed and split into comparison, number and unit where it has them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import regex

from ..common.text import find_unit
from ..model import Cell, Indicator, Location, Table
from ..numbers import parse_cell_amount, to_yuan
from ..patterns import Patterns
from .labels import clean_label
from .tables import TableUnit

# A grid header is one row, or two when the second names the standards (优 良 中 差) or the
# levels under a spanning 绩效指标.
MAX_GRID_HEADER_ROWS = 2
STANDARD_KEYS = (
    ("excellent", "standard_excellent_re"),
    ("good", "standard_good_re"),
    ("fair", "standard_fair_re"),
    ("poor", "standard_poor_re"),
)
# A form's label cell is short; longer texts are its values (the goals).
MAX_LABEL_CHARS = 20
COMPARISONS = (("ge", "≥"), ("le", "≤"), ("gt", ">"), ("lt", "<"), ("eq", "="))
SUFFIX_COMPARISONS = (("ge", "≥"), ("le", "≤"))
# A year (2025年底前) or a month's end (12月底前) is a date, not a quantity of years or months.
_DATE_RE = regex.compile(r"^(?:(?:19|20)\d{2}年|\d{1,2}月[底末初中前])")
# After the comparison: the number, then the unit (in brackets or not): 13459.00(平方米), 95%
_TARGET_NUMBER_RE = regex.compile(r"^\s*([+-]?\d+(?:,\d{3})*(?:\.\d+)?)\s*(.*?)\s*$")
_BRACKETS = str.maketrans("", "", "()（）")
_DIGIT_RE = regex.compile(r"\d")
# A target's unit is a word or two (万平方米, 人次, 次/年); a longer rest is a phrase.
MAX_UNIT_CHARS = 8
_LEADING_FIGURES_RE = regex.compile(r"^[\d.,%\s]+(?=\p{Han})")


@dataclass
class _Columns:
    activity: int | None = None
    budget: int | None = None
    indicator: int | None = None
    level1: int | None = None
    level2: int | None = None
    target: int | None = None
    weight: int | None = None
    direction: int | None = None
    measure_unit: int | None = None
    standards: dict[str, int] | None = None
    activity_unnamed: bool = False  # the activity is the first column's, by position


@dataclass(frozen=True)
class _Form:
    """What a project form states above its grid."""

    project: str | None = None
    budget: Decimal | None = None
    fiscal: Decimal | None = None
    other: Decimal | None = None


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
    ("weight", "weight_re"),
    ("direction", "direction_re"),
    ("measure_unit", "measure_unit_re"),
    ("activity", "activity_re"),
    ("budget", "budget_re"),
)
# Level names end so (产出指标, 数量指标): a column of them is no activity.
LEVEL_SUFFIX = "指标"
# Roles a block label (a column blank below its header) never takes.
LABEL_ROLES = ("indicator", "activity", "level1", "level2")


def _claim(cols: _Columns, c: int, label: str, patterns: Patterns, blank: bool) -> bool:
    """Give column ``c`` the first role its header ``label`` names that is still open."""
    rules = patterns.indicators
    for attr, rx in COLUMN_KEYS:
        if getattr(cols, attr) is None and rules[rx].search(label):
            if blank and attr in LABEL_ROLES:
                return True  # a block label: it names the grid, not a column
            setattr(cols, attr, c)
            return True
    assert cols.standards is not None
    for key, rx in STANDARD_KEYS:
        if key not in cols.standards and rules[rx].search(label):
            cols.standards[key] = c
            return True
    return False


def header_label(text: str, patterns: Patterns) -> str:
    """A grid header cell's words: cleaned, without figures printed over its start (text
    overflowing a cell above is drawn into the header: "90%指标名称", "8000计量单位")."""
    return _LEADING_FIGURES_RE.sub("", clean_label(text, patterns))


def _find_columns(headers: list[list[str]], blank: set[int], patterns: Patterns) -> _Columns | None:
    cols = _Columns(standards={})
    assert cols.standards is not None
    for c, texts in enumerate(headers):
        for text in reversed(texts):  # the lowest header names the column most precisely
            if _claim(cols, c, header_label(text, patterns), patterns, c in blank):
                break
    if cols.indicator is None or (cols.target is None and len(cols.standards) < 2):
        return None
    return cols


def _unnamed_activity(cols: _Columns, labels: list[list[str]], data: range, blank: set[int]) -> None:
    """The first column, unnamed, holds the activity (职责活动 grids print it without a word),
    unless its cells are numbers (序号) or levels (产出指标)."""
    if cols.activity is not None or cols.level1 is not None or 0 in blank:
        return
    taken = {getattr(cols, attr) for attr, _ in COLUMN_KEYS} | set((cols.standards or {}).values())
    if 0 in taken:
        return
    texts = [labels[r][0] for r in data if labels[r][0]]
    if any(t.isdigit() or t.endswith(LEVEL_SUFFIX) for t in texts):
        return
    cols.activity, cols.activity_unnamed = 0, True


def extract_indicators(
    tables: list[Table],
    units: dict[int, TableUnit],
    patterns: Patterns,
    subject: str | None = None,
) -> list[Indicator]:
    """Every grid row of the document's tables. ``subject`` (the department) is the activity
    of a grid that names neither a project nor activities (部门整体支出绩效目标表)."""
    records: list[Indicator] = []
    carried: _Form | None = None
    for table in tables:
        unit = units.get(table.index)
        grids, carried = _grids(table, unit, patterns, carried)
        for grid in grids:
            records.extend(_grid_records(table, grid, unit, subject, patterns))
    return records


def _headers(grid: list[list[Cell | None]], start: int, end: int) -> list[list[str]]:
    """For each column, the distinct header texts of rows ``start``..``end``, top to bottom."""
    headers: list[list[str]] = [[] for _ in range(len(grid[0]) if grid else 0)]
    for r in range(start, end):
        for c, cell in enumerate(grid[r]):
            if cell is not None and cell.text and cell.text not in headers[c]:
                headers[c].append(cell.text)
    return headers


def _blank_columns(
    labels: list[list[str]], headers: list[list[str]], start: int, end: int, patterns: Patterns
) -> set[int]:
    """Columns with no text of their own in rows ``start``..``end``: blank (a span's text is at
    its top) or repeating the column's header (a block label drawn as separate cells)."""
    if start >= end:
        return set()
    blank = set()
    for c, texts in enumerate(headers):
        own = {clean_label(t, patterns) for t in texts}
        if all(not labels[r][c] or labels[r][c] in own for r in range(start, end)):
            blank.add(c)
    # rows all blank are an empty form's (表十一 printed without data), not block labels
    return blank if len(blank) < len(headers) else set()


def _header_at(
    rows: list[list[str]],
    labels: list[list[str]],
    grid: list[list[Cell | None]],
    span: tuple[int, int],
    patterns: Patterns,
) -> tuple[int, _Columns] | None:
    """The grid header starting at row ``r`` (a row naming an indicator column), its data
    ending by row ``end`` (``span``): its row count and columns, if the rows there make one."""
    r, end = span
    # rows of header words under the first belong to the header (一级 | 二级 | 三级指标 under a
    # 绩效指标 spanning them): that depth first, then the others
    depth = 1
    while depth < MAX_GRID_HEADER_ROWS and r + depth < end and header_words_only(labels[r + depth], patterns):
        depth += 1
    for n in [depth, *(k for k in range(1, MAX_GRID_HEADER_ROWS + 1) if k != depth)]:
        if r + n > len(rows):
            break
        # a row of numbers is data even when a cell says 项目
        if n > 1 and any(parse_cell_amount(t) is not None for t in rows[r + n - 1] if t):
            break
        headers = _headers(grid, r, r + n)
        blank = _blank_columns(labels, headers, r + n, end, patterns)
        cols = _find_columns(headers, blank, patterns)
        if cols is not None:
            _unnamed_activity(cols, labels, range(r + n, end), blank)
            return n, cols
    return None


def header_words_only(labels: list[str], patterns: Patterns) -> bool:
    """A row whose texts all name a grid column (一级指标 | 二级指标 | 三级指标, 优 | 良 | 中 | 差)."""
    rules = patterns.indicators
    keys = [rx for _, rx in COLUMN_KEYS] + [rx for _, rx in STANDARD_KEYS]
    texts = [header_label(t, patterns) for t in labels if t]
    return bool(texts) and all(any(rules[k].search(t) for k in keys) for t in texts)


def header_rows(labels: list[list[str]], patterns: Patterns) -> list[int]:
    """Rows naming an indicator column with a target (or the standards) named in the row or
    the one under it: a grid's header. (An indicator word alone is a block label's piece.)"""
    rules = patterns.indicators

    def names(r: int, *keys: str) -> bool:
        return any(t and rules[k].search(_LEADING_FIGURES_RE.sub("", t)) for t in labels[r] for k in keys)

    last = len(labels) - 1
    return [
        r
        for r in range(len(labels))
        if names(r, "indicator_re")
        and any(names(k, "target_re", "standard_excellent_re") for k in (r, min(r + 1, last)))
    ]


def _grids(
    table: Table, unit: TableUnit | None, patterns: Patterns, carried: _Form | None
) -> tuple[list[_Grid], _Form | None]:
    """Every indicator grid in the table, with the form rows above each; and the form left
    at the table's end without a grid (its grid follows in the next table)."""
    rows = table.text_rows()
    labels = [[clean_label(t, patterns) if t else "" for t in row] for row in rows]
    project_re = patterns.indicators["form_project_re"]
    form_starts = [r for r, row in enumerate(labels) if any(t and project_re.search(t) for t in row)]
    candidates = header_rows(labels, patterns)
    if not candidates:
        # most tables: no row names an indicator column; a lone form waits for its grid
        form = _read_form(rows, 0, len(rows), unit, patterns) if form_starts else None
        return [], form if form is not None and form.project else None
    grid = table.grid()
    headers: list[tuple[int, int, _Columns]] = []
    for r in candidates:
        if headers and r < headers[-1][0] + headers[-1][1]:
            continue  # inside the header found just above
        end = min([f for f in form_starts if f > r] + [k for k in candidates if k > r] + [len(rows)])
        found = _header_at(rows, labels, grid, (r, end), patterns)
        if found is not None:
            headers.append((r, found[0], found[1]))
    out: list[_Grid] = []
    previous_end = 0
    for i, (start, n, cols) in enumerate(headers):
        next_header = headers[i + 1][0] if i + 1 < len(headers) else len(rows)
        # a form's 项目名称 row after this header opens the next project
        end = min([f for f in form_starts if start + n <= f < next_header] or [next_header])
        form = _read_form(rows, previous_end, start, unit, patterns)
        if i > 0 and start == previous_end and _ends_in_a_row(rows, out[-1]):
            # the header repeated on a new page, right under the last indicator: the same project
            carried = out[-1].form
        elif i > 0 or table.caption:
            carried = None  # form rows of its own, or a table under a title of its own
        if form.project is None and carried is not None and cols.activity is None:
            # the form's head ended the previous table; its rest and its grid open this one
            form = _Form(
                carried.project,
                *(a if a is not None else b for a, b in zip(_funds(carried), _funds(form), strict=True)),
            )
        out.append(_Grid(start, start + n, end, cols, form))
        previous_end = end
    trailing = None
    if previous_end < len(rows):
        form = _read_form(rows, previous_end, len(rows), unit, patterns)
        trailing = form if form.project else None
    return out, trailing


def _label_and_value(text: str, patterns: Patterns) -> tuple[str, str]:
    """A form cell's label, and the value printed in the same cell after a colon
    (项目名称：某项目); the value is empty when the cell is the label alone."""
    label = clean_label(text, patterns)
    head, colon, value = label.partition(":")
    return (head, value) if colon else (label, "")


def _ends_in_a_row(rows: list[list[str]], g: _Grid) -> bool:
    """Whether the grid's last row is an indicator's (not a form's row the reader did not know)."""
    last = g.data_end - 1
    return last >= g.data_start and g.cols.indicator is not None and bool(rows[last][g.cols.indicator])


def _funds(form: _Form) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    return form.budget, form.fiscal, form.other


def _value_right_of(row: list[str], c: int, patterns: Patterns) -> str:
    """The first text to the right of a form label that is not the label itself; none when
    the next text is another label (a blank form: 项目名称 | | 主管部门 | )."""
    label = row[c]
    for text in row[c + 1 :]:
        if text and text != label:
            return "" if patterns.indicators["form_label_re"].search(clean_label(text, patterns)) else text
    return ""


def _read_form(
    rows: list[list[str]], start: int, end: int, unit: TableUnit | None, patterns: Patterns
) -> _Form:
    rules = patterns.indicators
    found: dict[str, Any] = {}
    money_unit = None
    amounts = (("budget", "form_budget_re"), ("fiscal", "form_fiscal_re"), ("other", "form_other_re"))
    for row in rows[start:end]:
        for c, text in enumerate(row):
            if not text:
                continue
            money_unit = money_unit or find_unit(text, patterns)  # 项目资金（元）
            label, inline = _label_and_value(text, patterns)
            if "project" not in found and rules["form_project_re"].search(label):
                found["project"] = inline or _value_right_of(row, c, patterns) or None
                continue
            for key, rx in amounts:
                if key not in found and rules[rx].search(label):
                    amount = parse_cell_amount(inline or _value_right_of(row, c, patterns))
                    if amount is not None:
                        found[key] = amount
                    break
    scale = money_unit or (unit.unit if unit is not None else None)
    for key, _ in amounts:
        if key in found:
            found[key] = to_yuan(found[key], scale) if scale else None
    return _Form(**found)


def parse_target(text: str, patterns: Patterns) -> tuple[str | None, Decimal | None, str | None]:
    """A target's comparison (≥ ≤ > < =), number and unit, where it prints them: ≥13459.00(平方米)
    gives (≥, 13459.00, 平方米); 95% gives (None, 95, %); 优 gives nothing."""
    rest = clean_label(text, patterns) if text else ""
    comparison = None
    for key, symbol in COMPARISONS:
        m = patterns.indicators["comparison"][f"{key}_re"].match(rest)
        if m:
            comparison, rest = symbol, rest[m.end() :]
            break
    m = _TARGET_NUMBER_RE.match(rest)
    if m is None:
        return comparison, None, None
    unit = patterns.indicators["target_note_re"].sub("", m.group(2)).translate(_BRACKETS).strip()
    for key, symbol in SUFFIX_COMPARISONS:
        found = patterns.indicators["comparison_suffix"][f"{key}_re"].search(unit)
        if found:  # 90%以上, 3天以内
            comparison, unit = comparison or symbol, unit[: found.start()]
            break
    number = m.group(1).replace(",", "")
    if len(unit) > MAX_UNIT_CHARS or _DIGIT_RE.search(unit) or _DATE_RE.match(f"{number}{unit}"):
        return comparison, None, None  # a date (2025年底前, 12月底前) or a phrase, not a quantity
    return comparison, Decimal(number), unit or None


def _grid_records(
    table: Table, g: _Grid, unit: TableUnit | None, subject: str | None, patterns: Patterns
) -> list[Indicator]:
    rows = table.text_rows()
    grid = table.grid()
    cols = g.cols
    records: list[Indicator] = []
    parent: str | None = None
    activity, whole = _subject(table, g, subject, patterns)
    if whole:
        cols = replace(cols, activity=None)  # the grid's subject is the activity of every row
    budget = g.form.budget
    level1: str | None = None
    level2: str | None = None

    text = functools.partial(_spanned_text, grid)
    for r in range(g.data_start, g.data_end):
        assert cols.indicator is not None  # _find_columns returns None otherwise
        name = rows[r][cols.activity] if cols.activity is not None else ""
        indicator = rows[r][cols.indicator]
        if whole:
            # the form, the title or the department is the subject; the columns give the levels
            level1, level2 = _levels(r, rows, text, cols, (level1, level2))
        elif cols.level1 is None and cols.level2 is None:
            # 职责活动 grids: a name without an indicator opens a parent (部门职责)
            if name and not indicator:
                parent, activity, budget = name, None, None
                continue
            if name:
                activity, budget = name, _row_budget(rows[r], cols, unit)
        else:
            # levels under an activity column: blank = same as above, spans included
            if cols.activity is not None and rows[r][cols.activity]:
                level1 = level2 = None  # a new activity opens its own levels
                budget = _row_budget(rows[r], cols, unit)
            activity = text(r, cols.activity) or activity
            level1, level2 = _levels(r, rows, text, cols, (level1, level2))
        if not indicator or activity is None:
            continue
        place = _Place(activity, parent if parent != activity else None, budget, level1, level2)
        records.append(_record(table, (rows, grid), g, r, place, patterns))
    return records


def _spanned_text(grid: list[list[Cell | None]], r: int, c: int | None) -> str:
    """The text at a position: a cell spanning down from above is "the same as above"."""
    cell = grid[r][c] if c is not None else None
    return cell.text if cell is not None else ""


def _row_budget(row: list[str], cols: _Columns, unit: TableUnit | None) -> Decimal | None:
    """An activity row's 预算数 / 资金总额, in yuan (none where the table prints no unit)."""
    amount = parse_cell_amount(row[cols.budget]) if cols.budget is not None else None
    return to_yuan(amount, unit.unit) if amount is not None and unit is not None else None


def _subject(table: Table, g: _Grid, department: str | None, patterns: Patterns) -> tuple[str | None, bool]:
    """The grid's subject, and whether it is every row's: the form's project; else, with no
    activity column, the project the title names, or the department when the title or a label
    says the grid is the whole department's (部门整体绩效目标表, 当年整体绩效目标). Without
    any, the project was cut off (a page of a form) and stays unknown."""
    if g.form.project is not None:
        return g.form.project, True
    cols = g.cols
    if cols.activity is not None and not cols.activity_unnamed:
        return None, False
    if _names_whole(table, g, patterns):
        return department, department is not None
    titled = _title_project(table, patterns) if cols.activity is None else None
    return titled, titled is not None


def _levels(
    r: int,
    rows: list[list[str]],
    text: Callable[[int, int | None], str],
    cols: _Columns,
    above: tuple[str | None, str | None],
) -> tuple[str | None, str | None]:
    """Row ``r``'s 一级 / 二级: its own, else the cells spanning it, else the row above's; a new
    一级 opens its own 二级 (满意度指标 | | 群众满意度 has none). The same 一级 printed again at
    a page's top (长沙 repeats it) is no new one."""
    level1, level2 = above
    if cols.level1 is not None and rows[r][cols.level1] and rows[r][cols.level1] != level1:
        level1, level2 = rows[r][cols.level1], None
    elif cols.level1 is not None:
        level1 = text(r, cols.level1) or level1
    if cols.level2 is not None:
        level2 = text(r, cols.level2) or level2
    return level1, level2


def _title_project(table: Table, patterns: Patterns) -> str | None:
    """The project a grid's title names (某某项目绩效目标表), if it names one."""
    rules = patterns.indicators
    m = rules["title_project_re"].search(clean_label(table.caption, patterns))
    project = "".join(m.group("project").split()) if m is not None else ""
    if not project or rules["generic_project_re"].search(project):
        return None
    return project


def _names_whole(table: Table, g: _Grid, patterns: Patterns) -> bool:
    whole_re = patterns.indicators["whole_re"]
    # a label, not the goal's text: that may say 整体 of anything
    above = [t for row in table.text_rows()[: g.header_start] for t in row if t and len(t) <= MAX_LABEL_CHARS]
    return any(whole_re.search(t) for t in [table.caption, *above])


@dataclass(frozen=True)
class _Place:
    """Where a row stands in its grid: its activity and the levels above it."""

    activity: str
    parent: str | None
    budget: Decimal | None
    level1: str | None
    level2: str | None


def _record(
    table: Table,
    cells: tuple[list[list[str]], list[list[Cell | None]]],
    g: _Grid,
    r: int,
    place: _Place,
    patterns: Patterns,
) -> Indicator:
    rows, grid = cells  # the table's text rows and grid, built once per grid
    cols = g.cols
    assert cols.indicator is not None
    target = rows[r][cols.target] if cols.target is not None else None
    comparison, number, unit = parse_target(target or "", patterns)
    if cols.direction is not None and comparison is None:
        comparison, _, _ = parse_target(rows[r][cols.direction], patterns)
    if cols.measure_unit is not None and rows[r][cols.measure_unit]:
        unit = clean_label(rows[r][cols.measure_unit], patterns)
    weight = parse_cell_amount(rows[r][cols.weight]) if cols.weight is not None else None
    standards = {key: rows[r][c] for key, c in cols.standards.items()} if cols.standards else None
    indicator, level1, level2 = rows[r][cols.indicator], place.level1, place.level2
    if cols.level1 is None and cols.level2 is None:
        glued = patterns.indicators["glued_levels_re"].match(indicator.strip())
        if glued is not None:  # 产出指标-数量指标-完成培训人数 in one cell
            level1, level2, indicator = glued.group("level1", "level2", "indicator")
    return Indicator(
        activity=place.activity,
        indicator=indicator,
        parent=place.parent,
        budget=place.budget,
        level1=level1,
        level2=level2,
        target=target,
        standards=standards,
        fiscal_funds=g.form.fiscal,
        other_funds=g.form.other,
        comparison=comparison,
        number=number,
        unit=unit,
        weight=weight,
        location=_row_location(table, grid[r][cols.indicator], r, cols.indicator),
    )


def _row_location(table: Table, cell: Cell | None, row: int, col: int) -> Location:
    """Where an indicator row is: the indicator cell's own place, with table, row and column."""
    return replace(cell.location if cell is not None else table.location, table=table.index, row=row, col=col)
