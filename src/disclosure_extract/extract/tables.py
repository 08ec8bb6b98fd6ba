"""Facts read from tables.

Each amount cell is named either by its row label (the nearest text cell to its left)
or by its column header. A total row (合计/总计) hands its values to the column headers
(a 三公 table's 合计 row); a generic amount column (金额/预算数) hands them to the row
labels (a 收支总表). When both the row label and the column header are specific the
cell is an intersection nobody named, and it is left alone.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

import regex

from ..common.text import find_unit
from ..model import Cell, Document, Evidence, Fact, Issue, Table
from ..numbers import half_last_digit, parse_cell_amount, to_yuan
from ..patterns import LabelRule, Patterns, TableScope
from .entities import EntityColumn, entity_column
from .labels import clean_label, heading_label, match_prose_label, match_table_label
from .sections import Outline

# Columns holding classification codes or row numbers, not amounts.
CODE_HEADER_RE = regex.compile(r"(编码|代码|编号|序号|行次|栏次|科目代码|类款项|^类$|^款$|^项$)")
# Of those, the columns that number rows (行次 1…36) rather than classify them: a row
# numbered 26 is no 款 26.
ORDINAL_HEADER_RE = regex.compile(r"(序号|行次|栏次)")
# Where a table's title ends and its preamble (部门：…, 单位：…, 公开表…) begins.
_TITLE_END = regex.compile(r"\s|(?:编制)?(?:部门|单位)\s*[:：]|公开表")
# A column of rates, not amounts.
PERCENT_RE = regex.compile(r"%|％|率|幅度")
# The roles an upper header gives the figures named below it.
UPPER_ROLES = ("previous", "change")
# Marks a value read from a classified row: the last resort for its field.
LINE_ITEM_FLAG = "line_item"
# The side of a two-sided 收支总表 a column belongs to.
SIDE_RE = regex.compile(r"^(?:收入|支出)$")
# A classification code as printed: 201, 20101, 2010101, or split "201 01 01".
CLASS_CODE_RE = regex.compile(r"^\d{3}(?:\s?\d{2}){0,2}$|^\d{2}$")


@dataclass(frozen=True)
class TableUnit:
    unit: str
    inferred: bool
    source: str  # the text the unit was read from, or why it was inferred


def header_row_count(table: Table) -> int:
    """Leading rows with no number in them are the header."""
    rows = table.text_rows()
    for r, row in enumerate(rows):
        if any(parse_cell_amount(t) is not None and t.strip() not in ("", "-") for t in row if t):
            return r
    return len(rows)


def column_headers(table: Table, n_header: int) -> list[list[str]]:
    """For each column, the distinct header texts above it, top to bottom."""
    grid = table.grid()
    headers: list[list[str]] = [[] for _ in range(table.n_cols)]
    for r in range(n_header):
        for c, cell in enumerate(grid[r]):
            if cell is not None and cell.text and cell.text not in headers[c]:
                headers[c].append(cell.text)
    return headers


def document_unit_hint(doc: Document, patterns: Patterns) -> str | None:
    """The money unit the document's own text uses most, for tables that print none."""
    counts: Counter[str] = Counter()
    for block in doc.blocks:
        counts.update(m.group(0) for m in regex.finditer(r"(?:亿元|万元|千元)", block.text))
    for table in doc.tables:
        unit = find_unit(table.unit_text, patterns)
        if unit:
            counts[unit] += 1
    return counts.most_common(1)[0][0] if counts else None


def table_kind(title: str, patterns: Patterns) -> str:
    """The standard table a title names (tables.yml kinds, first match); "" for none."""
    entry = kind_entry(title, patterns)
    return str(entry["id"]) if entry is not None else ""


def kind_entry(title: str, patterns: Patterns) -> dict[str, Any] | None:
    """The tables.yml kind a title names (first match): its id, title and scope."""
    compact = "".join(title.split())
    return next((k for k in patterns.tables["kinds"] if k["title_re"].search(compact)), None)


def resolve_unit(table: Table, hint: str | None, patterns: Patterns) -> TableUnit:
    for text in (table.unit_text, table.caption):
        unit = find_unit(text, patterns) if text else None
        if unit:
            return TableUnit(unit, False, text)
    if hint:
        return TableUnit(hint, True, f"no unit printed; the document's text uses {hint}")
    default = str(patterns.tables["default_unit"])
    return TableUnit(
        default, True, f"no unit printed anywhere; taken as {default}, the usual unit of these tables"
    )


def extract_tables(
    doc: Document,
    outline: Outline,
    patterns: Patterns,
    year: int | None = None,
    department: str | None = None,
    kind: str | None = None,
) -> tuple[list[Fact], dict[int, TableUnit], list[Issue]]:
    facts: list[Fact] = []
    units: dict[int, TableUnit] = {}
    issues: list[Issue] = []
    hint = document_unit_hint(doc, patterns)
    for table in doc.tables:
        entry = kind_entry(table.caption, patterns)
        table.kind = str(entry["id"]) if entry is not None else ""
        unit = resolve_unit(table, hint, patterns)
        units[table.index] = unit
        # the table's kind: its title, else the page title of a one-table page, and its section
        title = table.caption if "表" in table.caption else f"{table.caption} {doc.title}"
        kind_text = f"{title} {' '.join(outline.context(table))}"
        scope = patterns.table_scopes[str(entry["scope"])] if entry is not None and "scope" in entry else None
        reading = _Reading(unit, kind_text, year, department, scope, kind == "final_accounts")
        table_facts = _table_facts(table, reading, patterns) or _empty_table_facts(table, unit, patterns)
        if unit.inferred and table_facts:
            issues.append(
                Issue(
                    "unit_inferred",
                    "info",
                    f"table {table.index} prints no unit: {unit.source}",
                    table.location,
                )
            )
        facts.extend(table_facts)
    return facts, units, issues


def _row_label(
    grid: list[list[Cell | None]],
    r: int,
    c: int,
    skip: set[int],
    amounts: dict[tuple[int, int], Decimal],
    patterns: Patterns,
) -> str:
    """The nearest text cell left of column ``c`` in row ``r``: not an amount (``amounts``,
    by row and column), not in a column of ``skip`` (codes).

    A label that only says 小计/合计 is named by the group cell further left
    ("一般公共预算资金 | 小计").
    """
    label = ""
    for cc in range(c - 1, -1, -1):
        cell = grid[r][cc]
        if cell is None or cc in skip or not cell.text or (r, cc) in amounts:
            continue
        if not label:
            label = cell.text
            if not patterns.total_row.match(clean_label(label, patterns)):
                return label
        elif cell.text != label:
            return cell.text + label
    return label


def column_role(header: str, year: int | None, patterns: Patterns) -> str:
    """What a column's amounts are: "current", "previous" (year), "change", or "label"."""
    label = clean_label(header, patterns)
    if "%" in label or "率" in label or "幅度" in label:
        return "label"  # percentages are not amounts
    if patterns.change_column.match(label):
        return "change"
    if patterns.previous_column.match(label):
        return "previous"
    years = patterns.meta["year"]["any_re"].findall(label)
    if years and year is not None and patterns.generic_value_header.match(label):
        return "current" if int(years[0]) == year else "previous" if int(years[0]) == year - 1 else "label"
    if patterns.generic_value_header.match(label):
        return "current"
    return "label"


@dataclass(frozen=True)
class _Reading:
    """What a table is read with besides its cells."""

    unit: TableUnit
    kind_text: str  # its title and section, the context of its labels
    year: int | None
    department: str | None
    scope: TableScope | None = None  # what a narrower table states for department-wide fields
    final: bool = False  # the document is a final account (决算)


def _table_facts(table: Table, reading: _Reading, patterns: Patterns) -> list[Fact]:
    unit, kind_text, year = reading.unit, reading.kind_text, reading.year
    n_header = header_row_count(table)
    if n_header >= table.n_rows:
        return []
    headers = column_headers(table, n_header)
    code_cols = {c for c, texts in enumerate(headers) if any(CODE_HEADER_RE.search(t) for t in texts)}
    # a table broken down by budget unit: only the department's own rows state its figures
    entities = entity_column(table, n_header, headers, reading.department, patterns)
    if entities is not None:
        code_cols.add(entities.col)
    # rows carrying a classification code are line items (issue: line_items), not totals
    ordinal_cols = {c for c, texts in enumerate(headers) if any(ORDINAL_HEADER_RE.search(t) for t in texts)}
    class_cols = {*code_cols, 0} - ordinal_cols
    coded_rows = {
        cell.row
        for cell in table.cells
        if cell.row >= n_header and cell.col in class_cols and CLASS_CODE_RE.match(cell.text.strip())
    }
    col_units = {c: u for c, texts in enumerate(headers) for t in texts if (u := find_unit(t, patterns))}
    grid = table.grid()
    facts: list[Fact] = []
    # a label met again lower in a table names a sub-item (一般公共预算财政拨款 under
    # 年初结转和结余): the first row that states a field in a column is the field
    taken: set[tuple[str, int]] = set()
    # each cell parsed once: a row's label is looked for left of every amount in it
    amounts = {
        (cell.row, cell.col): value
        for cell in table.cells
        if cell.text and (value := parse_cell_amount(cell.text)) is not None
    }
    for cell in sorted(table.cells, key=lambda c: (c.row, c.col)):
        if cell.row < n_header or cell.col in code_cols or not cell.text:
            continue
        coded = cell.row in coded_rows
        value = amounts.get((cell.row, cell.col))
        if value is None or (entities is not None and cell.row not in entities.department_rows):
            continue
        row_label = _row_label(grid, cell.row, cell.col, code_cols, amounts, patterns)
        col_header = _column_label(headers[cell.col], patterns)
        side = next((t for t in headers[cell.col] if SIDE_RE.match(clean_label(t, patterns))), "")
        if side and row_label and patterns.total_row.match(clean_label(row_label, patterns)):
            row_label = side + row_label  # a 收支总表's bottom row: 总计 under 收入 is 收入总计
        role = _column_role(headers[cell.col], reading, patterns)
        rule, role = _cell_rule(row_label, col_header, role, kind_text, patterns, year)
        if rule is None or (coded and rule.id not in patterns.line_item_rules):
            continue
        fields = _cell_fields(rule.fields, role, side, reading, patterns)
        if not fields:
            continue
        cell_unit = col_units.get(cell.col, unit.unit)
        inferred = unit.inferred and cell.col not in col_units
        yuan = to_yuan(value, cell_unit)
        location = replace(cell.location, table=table.index, row=cell.row, col=cell.col)
        evidence = Evidence(
            method="table",
            text=cell.text,
            location=location,
            unit=cell_unit,
            unit_inferred=inferred,
            label=f"{row_label} / {col_header}".strip(" /"),
            rule=rule.id,
            tolerance=half_last_digit(cell.text, cell_unit),
        )
        fields = tuple(f for f in fields if (f, cell.col) not in taken)
        taken.update((f, cell.col) for f in fields)
        for field in fields:
            facts.append(
                Fact(field_id=field, value=yuan, evidence=evidence, flags=[LINE_ITEM_FLAG] if coded else [])
            )
    view = _GridView(table, grid, headers, amounts, code_cols, coded_rows, entities, n_header)
    return facts + _group_sums(view, reading, patterns)


@dataclass(frozen=True)
class _GridView:
    """A table's grid with what reading its cells found: header texts per column, amounts by
    (row, column), label-less columns (codes, units), classified rows, its 预算单位 column."""

    table: Table
    grid: list[list[Cell | None]]
    headers: list[list[str]]
    amounts: dict[tuple[int, int], Decimal]
    skip_cols: set[int]
    coded_rows: set[int]
    entities: EntityColumn | None
    n_header: int


# Marks a value summed from the columns a header spans (基本支出 over 人员支出 | 公用支出).
GROUP_SUM_FLAG = "sum_of_columns"


def _group_sums(view: _GridView, reading: _Reading, patterns: Patterns) -> list[Fact]:
    """A header spanning columns with no total of its own (基本支出 over 人员支出 | 日常公用支出,
    and no 小计): in the table's total row, its figure is the sum of theirs."""
    facts: list[Fact] = []
    lowest = {c: clean_label(texts[-1], patterns) for c, texts in enumerate(view.headers) if texts}
    repeated = {label for label, n in Counter(lowest.values()).items() if n > 1}
    for head in view.table.cells:
        if head.row >= view.n_header or head.colspan < 2 or not head.text:
            continue
        cols = range(head.col, min(head.col + head.colspan, view.table.n_cols))
        group = clean_label(head.text, patterns)
        # a bare 小计 names nothing; columns repeated under every group split each figure by
        # another dimension (一般公共预算 | 政府性基金 under each 三公 item), not into its parts
        if patterns.total_row.match(group) or any(lowest.get(c) in repeated for c in cols):
            continue
        subtotals = (
            patterns.total_row.match(lowest.get(c, "")) or patterns.total_suffix.search(lowest.get(c, ""))
            for c in cols
        )
        # a group printed with its own total (a 小计 under it, or its name as a column) has one
        if any(subtotals) or any(lowest.get(c) == group for c in cols) or group in lowest.values():
            continue
        rule = match_table_label(head.text, f"{reading.kind_text} {head.text}", patterns)
        fields = _scoped(rule.fields, reading.scope) if rule is not None else ()
        row = _total_row(view, cols, patterns) if fields else None
        if rule is not None and fields and row is None:
            facts.extend(_blank_group(view, head, cols, reading, (rule.id, fields), patterns))
        if rule is None or row is None:
            continue
        cells = [view.grid[row][c] for c in cols]
        first = cells[0]
        if first is None or any(c is None for c in cells):
            continue  # a cell spanning into the group from elsewhere: no figure of its own
        texts = [c.text for c in cells if c is not None]
        values = [to_yuan(view.amounts[(row, c)], reading.unit.unit) for c in cols]
        evidence = Evidence(
            method="table",
            text=" + ".join(texts),
            location=replace(first.location, table=view.table.index, row=row, col=head.col),
            unit=reading.unit.unit,
            unit_inferred=reading.unit.inferred,
            label=f"{head.text} ({' + '.join(lowest[c] for c in cols)})",
            rule=rule.id,
            tolerance=sum((half_last_digit(t, reading.unit.unit) for t in texts), Decimal(0)),
        )
        total = sum(values, Decimal(0))
        facts.extend(Fact(field_id=f, value=total, evidence=evidence, flags=[GROUP_SUM_FLAG]) for f in fields)
    return facts


def _blank_group(
    view: _GridView,
    head: Cell,
    cols: range,
    reading: _Reading,
    named: tuple[str, tuple[str, ...]],
    patterns: Patterns,
) -> list[Fact]:
    """A group printed blank in the table's total row while the figures beside it already
    make the total (上海: 合计 118,853,953 = 项目支出 118,853,953, 基本支出 blank): its figure
    is 0. Nothing where the group's parent header has no single total column beside it."""
    spans = [
        c
        for c in view.table.cells
        if c.row < head.row and c.col <= head.col and c.col + c.colspan >= head.col + head.colspan
    ]
    parent = min((c for c in spans if c.colspan > head.colspan), key=lambda c: c.colspan, default=None)
    if parent is None:
        return []
    others = [c for c in range(parent.col, parent.col + parent.colspan) if c not in cols]
    totals = [
        c
        for c in others
        if view.headers[c] and patterns.total_row.match(clean_label(view.headers[c][-1], patterns))
    ]
    parts = [c for c in others if c not in totals]
    if len(totals) != 1 or not parts:
        return []
    for r in range(view.n_header, view.table.n_rows):
        label = clean_label(
            _row_label(view.grid, r, parent.col, view.skip_cols, view.amounts, patterns), patterns
        )
        if r in view.coded_rows or not (
            patterns.total_row.match(label) or patterns.total_suffix.search(label)
        ):
            continue
        cells = [view.grid[r][c] for c in cols]
        if any(c is None or c.text for c in cells) or not all(
            (r, c) in view.amounts for c in [*totals, *parts]
        ):
            return []
        if view.amounts[(r, totals[0])] != sum((view.amounts[(r, c)] for c in parts), Decimal(0)):
            return []
        first = cells[0]
        assert first is not None
        evidence = Evidence(
            method="table",
            text="",
            location=replace(first.location, table=view.table.index, row=r, col=head.col),
            unit=reading.unit.unit,
            unit_inferred=reading.unit.inferred,
            label=f"{head.text} (blank; {view.headers[totals[0]][-1]} = the columns beside it)",
            rule=named[0],
            tolerance=Decimal(0),
        )
        return [
            Fact(field_id=f, value=Decimal(0), evidence=evidence, flags=[GROUP_SUM_FLAG]) for f in named[1]
        ]
    return []


def _column_numbers(view: _GridView, row: int) -> bool:
    """A row numbering the columns under the header (** | 1 | 2 | 3 …, 栏次): no figures."""
    values = [view.amounts[(row, c)] for c in range(view.table.n_cols) if (row, c) in view.amounts]
    return len(values) >= 3 and all(b - a == 1 for a, b in itertools.pairwise(values))


def _total_row(view: _GridView, cols: range, patterns: Patterns) -> int | None:
    """The first row below the header whose label is a total (or none), not a classified
    row, that prints a figure in every one of ``cols``: the table's total row."""
    for r in range(view.n_header, view.table.n_rows):
        if r in view.coded_rows or not all((r, c) in view.amounts for c in cols) or _column_numbers(view, r):
            continue
        if view.entities is not None and not (
            r in view.entities.starts and r in view.entities.department_rows
        ):
            return None
        label = _row_label(view.grid, r, cols[0], view.skip_cols, view.amounts, patterns)
        return r if not label or patterns.total_row.match(clean_label(label, patterns)) else None
    return None


def _cell_rule(
    row_label: str, col_header: str, role: str, kind_text: str, patterns: Patterns, year: int | None = None
) -> tuple[LabelRule | None, str]:
    """The rule naming an amount cell, by its column header or its row label, and the
    column's role once the header is known to name the figure."""
    rule = None
    # a row that only names a period (2025年, 2026年, 增减变化金额) hands its values to the
    # column headers, in that period's role: a 三公 table with a 年度 column
    period = _row_period(row_label, year, patterns) if role not in ("previous", "change") else None
    if period is not None and col_header:
        rule = match_table_label(col_header, f"{kind_text} {col_header}", patterns)
        return rule, period
    # a row without a label, or labelled 合计, hands its values to the column headers
    if (not row_label or patterns.total_row.match(clean_label(row_label, patterns))) and col_header:
        rule = match_table_label(col_header, f"{kind_text} {col_header}", patterns)
        if rule is not None and role == "current":
            role = "label"  # the header names the figure: it is no generic amount column
    if rule is None and role != "label" and row_label:
        # the row label is its own context too: "“三公”经费合计" in a 收支 table
        rule = match_table_label(row_label, f"{kind_text} {row_label}", patterns)
    return rule, role


def budget_units(tables: list[Table], department: str | None, patterns: Patterns) -> frozenset[str]:
    """The budget units a document's tables list under its department (预算单位 columns):
    its own part (某局（本级）) and each unit under it, not the department's own block."""
    names: set[str] = set()
    for table in tables:
        n_header = header_row_count(table)
        if n_header >= table.n_rows:
            continue
        entities = entity_column(table, n_header, column_headers(table, n_header), department, patterns)
        if entities is None:
            continue
        own = entities.first if entities.department_rows else None
        names.update(name for name in entities.names.values() if name and name != own)
    return frozenset(clean_label(name, patterns) for name in names)


# Department-wide fields: a narrower table states them only as its scope maps them.
DEPARTMENT_PREFIXES = ("income.", "expenditure.")


def _scoped(fields: tuple[str, ...], scope: TableScope | None) -> tuple[str, ...]:
    if scope is None:
        return fields
    out = (scope.fields.get(f, "" if f.startswith(DEPARTMENT_PREFIXES) else f) for f in fields)
    kept = (f for f in out if f and (not scope.only or f.startswith(scope.only)))
    return tuple(dict.fromkeys(kept))


def _row_period(row_label: str, year: int | None, patterns: Patterns) -> str | None:
    """The period a row label names and nothing else: "current" for the fiscal year,
    "previous" for the one before or 上年, "change" for 增减; None for any other label."""
    if not row_label:
        return None
    role = column_role(row_label, year, patterns)
    if role in ("change", "previous"):
        return role
    # a year only: "合计" is a generic header too, but names no period
    named = patterns.meta["year"]["any_re"].search(clean_label(row_label, patterns))
    return role if role == "current" and named else None


def _empty_table_facts(table: Table, unit: TableUnit, patterns: Patterns) -> list[Fact]:
    """A table that says it has no figures ("注：本部门无相关收支项目"): its titled figure is 0."""
    note = next((c for c in table.cells if c.text and patterns.empty_table.search(c.text)), None)
    if note is None:
        return []
    title = _TITLE_END.split(table.caption, maxsplit=1)[0]
    match = match_prose_label(heading_label(title, patterns), "", patterns) if title else None
    if match is None:
        return []
    location = replace(note.location, table=table.index, row=note.row, col=note.col)
    evidence = Evidence(
        method="table",
        text=note.text,
        location=location,
        unit=unit.unit,
        unit_inferred=unit.inferred,
        label=title,
        rule="empty_table",
    )
    return [Fact(field_id=f, value=Decimal(0), evidence=evidence) for f in match.rule.fields]


def _column_label(texts: list[str], patterns: Patterns) -> str:
    """A column's name: its lowest header, under its parent when it only says 小计/合计."""
    if not texts:
        return ""
    lowest = texts[-1]
    if len(texts) > 1 and patterns.total_row.match(clean_label(lowest, patterns)):
        return texts[-2] + lowest  # "“三公”经费" over "小计"
    return lowest


def _column_role(header: list[str], reading: _Reading, patterns: Patterns) -> str:
    """A column's role by its lowest header; a final account's 预算数 (beside its 决算数) is the
    budget the outturn is compared with, not the outturn."""
    lowest = header[-1] if header else ""
    role = column_role(lowest, reading.year, patterns)
    if role == "label" and not PERCENT_RE.search(lowest):
        # the figure named below, its period above (重庆's 三公 table: 2025年预算数 over
        # 合计 | 因公出国（境）费 | …, then 2026年预算数 over the same)
        role = next(
            (r for t in header[:-1] if (r := column_role(t, reading.year, patterns)) in UPPER_ROLES), role
        )
    return "budgeted" if reading.final and role == "current" and _budgeted_column(lowest, patterns) else role


def _budgeted_column(header: str, patterns: Patterns) -> bool:
    """A header naming the budgeted figure (预算数, 2016年度预算数, 年初预算), not the outturn."""
    label = clean_label(header, patterns)
    return bool(patterns.budget_word.search(label)) and "决算" not in label and "执行" not in label


def _cell_fields(
    fields: tuple[str, ...], role: str, side: str, reading: _Reading, patterns: Patterns
) -> tuple[str, ...]:
    """The fields a cell states: its rule's, in the table's scope, in its column's role; a
    final account's 收入 side names income (fields.yml income_side)."""
    fields = _role_fields(_scoped(fields, reading.scope), role, patterns)
    if side == "收入" and reading.final:
        fields = tuple(patterns.income_side.get(f, f) for f in fields)
    return fields


def _role_fields(fields: tuple[str, ...], role: str, patterns: Patterns) -> tuple[str, ...]:
    """The fields a column of this role states for a row labelled with ``fields``."""
    if role == "budgeted":
        # a final account's budgeted figure: only fields that hold it (sangong.total_prev
        # is the budget a final account compares with, FIELDS.md) take it
        return tuple(
            patterns.previous[f] for f in fields if patterns.previous.get(f) in patterns.two_meanings
        )
    if role == "previous":
        return tuple(patterns.previous[f] for f in fields if f in patterns.previous)
    if role == "change":
        return tuple(patterns.changes[f] for f in fields if f in patterns.changes)
    return fields
