"""Facts read from tables.

Each amount cell is named either by its row label (the nearest text cell to its left)
or by its column header. A total row (合计/总计) hands its values to the column headers
(a 三公 table's 合计 row); a generic amount column (金额/预算数) hands them to the row
labels (a 收支总表). When both the row label and the column header are specific the
cell is an intersection nobody named, and it is left alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import regex

from ..load.tables import find_unit
from ..model import Cell, Document, Evidence, Fact, Issue, Location, Table
from ..numbers import half_last_digit, parse_cell_amount, to_yuan
from ..patterns import Patterns
from .labels import clean_label, match_table_label
from .sections import Outline

# Columns holding classification codes or row numbers, not amounts.
CODE_HEADER_RE = regex.compile(r"(编码|代码|编号|序号|行次|栏次|科目代码|类款项|单位)")


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
    doc: Document, outline: Outline, patterns: Patterns, year: int | None = None
) -> tuple[list[Fact], dict[int, TableUnit], list[Issue]]:
    facts: list[Fact] = []
    units: dict[int, TableUnit] = {}
    issues: list[Issue] = []
    hint = document_unit_hint(doc, patterns)
    for table in doc.tables:
        unit = resolve_unit(table, hint, patterns)
        units[table.index] = unit
        table_facts = _table_facts(table, unit, " ".join(outline.context(table)), patterns, year)
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


def _row_label(grid: list[list[Cell | None]], r: int, c: int, code_cols: set[int]) -> tuple[str, int]:
    """The nearest text (non-amount) cell left of column ``c`` in row ``r``."""
    for cc in range(c - 1, -1, -1):
        cell = grid[r][cc]
        if cell is None or cc in code_cols or not cell.text:
            continue
        if parse_cell_amount(cell.text) is None:
            return cell.text, cc
    return "", -1


_YEAR_RE = regex.compile(r"((?:19|20)\d{2})\s*年")


def column_role(header: str, year: int | None, patterns: Patterns) -> str:
    """What a column's amounts are: "current", "previous" (year), "change", or "label"."""
    label = clean_label(header, patterns)
    if "%" in label or "率" in label or "幅度" in label:
        return "label"  # percentages are not amounts
    if patterns.change_column.match(label):
        return "change"
    if patterns.previous_column.match(label):
        return "previous"
    years = _YEAR_RE.findall(label)
    if years and year is not None and patterns.generic_value_header.match(label):
        return "current" if int(years[0]) == year else "previous" if int(years[0]) == year - 1 else "label"
    if patterns.generic_value_header.match(label):
        return "current"
    return "label"


def _table_facts(
    table: Table, unit: TableUnit, section_text: str, patterns: Patterns, year: int | None
) -> list[Fact]:
    n_header = header_row_count(table)
    if n_header >= table.n_rows:
        return []
    headers = column_headers(table, n_header)
    header_text = " ".join(t for col in headers for t in col)
    context = f"{table.caption} {table.unit_text} {header_text} {section_text}"
    code_cols = {c for c, texts in enumerate(headers) if texts and CODE_HEADER_RE.search(texts[-1])}
    col_units = {c: u for c, texts in enumerate(headers) for t in texts if (u := find_unit(t, patterns))}
    grid = table.grid()
    facts: list[Fact] = []
    for cell in table.cells:
        if cell.row < n_header or cell.col in code_cols or not cell.text:
            continue
        value = parse_cell_amount(cell.text)
        if value is None:
            continue
        row_label, label_col = _row_label(grid, cell.row, cell.col, code_cols)
        if label_col < 0:
            continue  # a number with no label to its left: a code or a count
        col_header = headers[cell.col][-1] if headers[cell.col] else ""
        role = column_role(col_header, year, patterns)
        rule = None
        if patterns.total_row.match(clean_label(row_label, patterns)) and role == "label":
            rule = match_table_label(col_header, context, patterns) if col_header else None
        elif role != "label":
            # the row label is its own context too: "“三公”经费合计" in a 收支 table
            rule = match_table_label(row_label, f"{context} {row_label}", patterns)
        if rule is None:
            continue
        fields = _role_fields(rule.fields, role, patterns)
        if not fields:
            continue
        cell_unit = col_units.get(cell.col, unit.unit)
        inferred = unit.inferred and cell.col not in col_units
        yuan = to_yuan(value, cell_unit)
        location = Location(
            page=cell.location.page,
            line_start=cell.location.line_start,
            line_end=cell.location.line_end,
            char_start=cell.location.char_start,
            char_end=cell.location.char_end,
            path=cell.location.path,
            table=table.index,
            row=cell.row,
            col=cell.col,
            bbox=cell.location.bbox,
        )
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
        for field in fields:
            facts.append(Fact(field_id=field, value=yuan, evidence=evidence))
    return facts


def _role_fields(fields: tuple[str, ...], role: str, patterns: Patterns) -> tuple[str, ...]:
    """The fields a column of this role states for a row labelled with ``fields``."""
    if role == "previous":
        return tuple(patterns.previous[f] for f in fields if f in patterns.previous)
    if role == "change":
        return tuple(patterns.changes[f] for f in fields if f in patterns.changes)
    return fields
