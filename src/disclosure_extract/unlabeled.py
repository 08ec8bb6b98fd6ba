"""How well an extraction went where nobody annotated anything: measures that need no truth.

Budget software prints consistent tables, so what a disclosure's own numbers say of each other
is a measure of how they were read: identities that fail are misreads, figures of a standard
table that no field or line item took are what the reader did not understand, candidates
left in conflict are choices it could not make. ``evaluate --unlabeled OUT`` prints these per
document and in total, for any output folder (a crawl of your own, ``../shared/wild``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import regex

from .check import FAIL, PASS, check_document
from .common.text import find_unit
from .evaluate import load_output
from .extract.indicators import header_label, header_rows, header_words_only
from .extract.tables import CLASS_CODE_RE, CODE_HEADER_RE, column_headers, header_row_count
from .model import CHECK_CATEGORIES, Result, Table
from .numbers import parse_cell_amount
from .patterns import Patterns

__all__ = ["DocMeasures", "Unlabeled", "format_unlabeled", "measure_unlabeled"]

# The checks counted as line-item sums; every identity of patterns/checks.yml is a table
# identity, and prose_equals_table is the prose witness.
PERCENT_RE = regex.compile(r"[%％]")
LINE_ITEM_RULES = frozenset({"line_item_parent_sum", "line_item_row_sum"})
PROSE_RULE = "prose_equals_table"
# A table with fewer figures than this is a note or a title block, not a table of figures.
MIN_TABLE_FIGURES = 4
# Tables whose figures are read as indicators, not fields.
GRID_KINDS = frozenset({"performance"})
# A header cell this short naming a unit is the grid's unit line (单位:万元), not a header.
MAX_UNIT_LINE_CHARS = 12
GRID_COUNTS = (
    "titled",
    "titled_read",
    "titled_blank",
    "grids",
    "complete",
    "cells",
    "rows",
    "bad_rows",
    "projects",
)
# A block label is short: 绩效目标指标, 满意度指标.
MAX_LABEL_CHARS = 8
# How many of the commonest labels not understood the report lists.
TOP_LABELS = 25


@dataclass
class GridMeasures:
    """Performance grids: what the pages print against what was read."""

    titled: int = 0  # tables titled as a performance table (绩效目标表)
    titled_read: int = 0  # of them, rows read (from it or the untitled tables after it)
    # of them, printing no indicator cell and yielding none: a blank form, or a list of goals
    # without indicators (项目名称 | 金额 | 绩效目标)
    titled_blank: int = 0
    grids: int = 0  # tables printing an indicator column
    complete: int = 0  # of them, as many rows read as indicator cells printed
    cells: int = 0  # non-empty cells printed under indicator headers
    rows: int = 0  # indicator rows read
    bad_rows: int = 0  # rows with an empty indicator, or a header word or code as their activity
    projects: int = 0  # distinct activities (projects) with rows
    unread: list[str] = field(default_factory=list)  # titled tables yielding no rows


@dataclass
class DocMeasures:
    """What one document's own numbers say of how it was read."""

    source: str
    disclosure: bool
    tables: int = 0  # tables of figures
    classified: int = 0  # of them, recognised as a standard table
    core_present: list[str] = field(default_factory=list)
    core_missing: list[str] = field(default_factory=list)
    identities: Counter[str] = field(default_factory=Counter)  # "pass"/"fail"
    line_item_sums: Counter[str] = field(default_factory=Counter)
    prose: Counter[str] = field(default_factory=Counter)
    conflicts: int = 0
    figures: int = 0  # figures printed in standard tables
    unclaimed: int = 0  # of them, taken by no field and no line item
    rows_not_understood: list[str] = field(default_factory=list)
    columns_not_understood: list[str] = field(default_factory=list)
    values: int = 0  # fields with a value (metadata aside)
    from_tables: int = 0  # of them, taken from a table cell
    grids: GridMeasures = field(default_factory=GridMeasures)


@dataclass
class Unlabeled:
    documents: list[DocMeasures]

    @property
    def disclosures(self) -> list[DocMeasures]:
        return [d for d in self.documents if d.disclosure]

    def totals(self) -> dict[str, Any]:
        docs = self.disclosures
        n = len(docs)
        with_tables = [d for d in docs if d.tables]

        def share(part: int, whole: int) -> float | None:
            return round(part / whole, 4) if whole else None

        def summed(name: str, status: str) -> int:
            return sum(getattr(d, name)[status] for d in docs)

        missing: Counter[str] = Counter(f for d in docs for f in d.core_missing)
        rows: Counter[str] = Counter(label for d in docs for label in d.rows_not_understood)
        cols: Counter[str] = Counter(label for d in docs for label in d.columns_not_understood)
        figures, unclaimed = sum(d.figures for d in docs), sum(d.unclaimed for d in docs)
        values, from_tables = sum(d.values for d in docs), sum(d.from_tables for d in docs)
        return {
            "documents": len(self.documents),
            "disclosures": n,
            "all_core_fields": sum(1 for d in docs if not d.core_missing),
            "all_core_fields_share": share(sum(1 for d in docs if not d.core_missing), n),
            "core_fields_missing": dict(missing.most_common()),
            "documents_with_tables": len(with_tables),
            "documents_with_a_standard_table": sum(1 for d in with_tables if d.classified),
            "standard_table_share": share(sum(1 for d in with_tables if d.classified), len(with_tables)),
            "tables": sum(d.tables for d in docs),
            "tables_classified": sum(d.classified for d in docs),
            "identities_pass": summed("identities", PASS),
            "identities_fail": summed("identities", FAIL),
            "identities_share": share(
                summed("identities", PASS), summed("identities", PASS) + summed("identities", FAIL)
            ),
            "line_item_sums_pass": summed("line_item_sums", PASS),
            "line_item_sums_fail": summed("line_item_sums", FAIL),
            "line_item_sums_share": share(
                summed("line_item_sums", PASS),
                summed("line_item_sums", PASS) + summed("line_item_sums", FAIL),
            ),
            "prose_pass": summed("prose", PASS),
            "prose_fail": summed("prose", FAIL),
            "conflicts": sum(d.conflicts for d in docs),
            "conflicts_per_document": round(sum(d.conflicts for d in docs) / n, 3) if n else None,
            "standard_table_figures": figures,
            "unclaimed_figures": unclaimed,
            "unclaimed_share": share(unclaimed, figures),
            "values": values,
            "values_from_tables": from_tables,
            "values_from_tables_share": share(from_tables, values),
            "rows_not_understood": dict(rows.most_common(TOP_LABELS)),
            "columns_not_understood": dict(cols.most_common(TOP_LABELS)),
            **_grid_totals([d.grids for d in docs], share),
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "totals": self.totals(),
            "documents": [
                {
                    "source": d.source,
                    "disclosure": d.disclosure,
                    "tables": d.tables,
                    "classified": d.classified,
                    "core_missing": d.core_missing,
                    "identities": dict(d.identities),
                    "line_item_sums": dict(d.line_item_sums),
                    "prose": dict(d.prose),
                    "conflicts": d.conflicts,
                    "figures": d.figures,
                    "unclaimed": d.unclaimed,
                    "values": d.values,
                    "from_tables": d.from_tables,
                    "rows_not_understood": d.rows_not_understood,
                    "columns_not_understood": d.columns_not_understood,
                    "grids": asdict(d.grids),
                }
                for d in self.documents
            ],
        }


def measure_unlabeled(output: Path, patterns: Patterns) -> Unlabeled:
    """The truth-free measures of every record of an output (documents.jsonl or its folder)."""
    records = load_output(output)
    return Unlabeled([measure_document(r, patterns) for r in records.values()])


def measure_document(record: Result, patterns: Patterns) -> DocMeasures:
    codes = {issue.code for issue in record.issues}
    disclosure = not record.failed and "not_a_disclosure" not in codes
    doc = DocMeasures(record.source, disclosure)
    if not disclosure:
        return doc
    doc.core_present = [f for f in patterns.core_fields if f in record.fields]
    doc.core_missing = [f for f in patterns.core_fields if f not in record.fields]
    doc.conflicts = sum(1 for issue in record.issues if issue.code == "conflicting_values")
    for check in check_document(record, patterns):
        if check.status not in (PASS, FAIL):
            continue
        if check.rule in LINE_ITEM_RULES:
            doc.line_item_sums[check.status] += 1
        elif check.rule == PROSE_RULE:
            doc.prose[check.status] += 1
        elif check.rule not in CHECK_CATEGORIES:
            doc.identities[check.status] += 1
    chosen = record.chosen_facts()
    doc.values = sum(1 for f in record.fields if not f.startswith("meta."))
    doc.from_tables = sum(1 for fact in chosen.values() if fact.evidence.method == "table")
    _measure_tables(record, doc, patterns)
    doc.grids = measure_grids(record, patterns)
    return doc


def _grid_totals(grids: list[GridMeasures], share: Any) -> dict[str, Any]:
    total = {name: sum(getattr(g, name) for g in grids) for name in GRID_COUNTS}
    return {
        "grid_documents": sum(1 for g in grids if g.rows),
        **{f"grid_{name}": n for name, n in total.items()},
        "grid_titled_read_share": share(total["titled_read"], total["titled"] - total["titled_blank"]),
        "grid_complete_share": share(total["complete"], total["grids"]),
        "grid_unread": [u for g in grids for u in g.unread][:TOP_LABELS],
    }


def measure_grids(record: Result, patterns: Patterns) -> GridMeasures:
    """Performance grids counted two ways: the indicator cells each table prints under a
    header naming them, and the rows the reader took from it."""
    out = GridMeasures()
    rows_by_table = Counter(ind.location.table for ind in record.indicators)
    out.rows = len(record.indicators)
    out.projects = len({ind.activity for ind in record.indicators})
    header_word = _header_word(patterns)
    out.bad_rows = sum(
        1 for ind in record.indicators if not ind.indicator.strip() or header_word(ind.activity)
    )
    title: Table | None = None
    read = printed_here = 0
    for table in record.tables:
        titled = table.kind in GRID_KINDS or patterns.indicators["performance_title_re"].search(table.caption)
        if titled and table.caption:
            if title is not None:
                _close_title(out, title, (read, printed_here), record.source)
            title, read, printed_here = table, 0, 0
        read += rows_by_table[table.index]
        printed = printed_indicator_cells(table, patterns)
        printed_here += printed
        if printed:
            out.grids += 1
            out.cells += printed
            out.complete += rows_by_table[table.index] == printed
    if title is not None:
        _close_title(out, title, (read, printed_here), record.source)
    return out


def _close_title(out: GridMeasures, title: Table, counts: tuple[int, int], source: str) -> None:
    """Count a titled run of tables: its rows read and indicator cells printed."""
    read, printed = counts
    out.titled += 1
    if read:
        out.titled_read += 1
    elif not printed:
        out.titled_blank += 1
    else:
        out.unread.append(f"{Path(source).name} p{title.location.page}: {title.caption[:40]}")


def _header_word(patterns: Patterns) -> Any:
    rules = patterns.indicators
    keys = ("indicator_re", "level1_re", "level2_re", "target_re")

    def is_header(text: str) -> bool:
        label = "".join(text.split())
        if label.isdigit() or (len(label) <= MAX_LABEL_CHARS and label.endswith("指标")):
            return True  # a unit code (126001), a block label (绩效目标指标, 产出指标)
        # a label printed twice in its merged cell reads 绩效指标绩效指标
        pieces = [label[: len(label) // n] for n in (1, 2, 3) if label == label[: len(label) // n] * n]
        return any(rules[k].search(p) for k in keys for p in pieces)

    return is_header


def printed_indicator_cells(table: Table, patterns: Patterns) -> int:
    """Non-empty cells under the table's indicator headers (三级指标, 指标名称 …): in each
    column so headed, down to the next header or project form; the column printing most."""
    rules = patterns.indicators
    labels = [[header_label(t, patterns) if t else "" for t in row] for row in table.text_rows()]

    # the rows the reader takes for grid headers; an indicator word alone is a block label's
    starts = header_rows(labels, patterns)
    forms = [r for r, row in enumerate(labels) if any(t and rules["form_project_re"].search(t) for t in row)]
    total = 0
    for i, r in enumerate(starts):
        end = min(starts[i + 1 :] + [f for f in forms if f > r] + [len(labels)])
        # rows of header words under it are the header's (一级 | 二级 | 三级指标 under 绩效指标)
        top = r + 1
        while top < end and header_words_only(labels[top], patterns):
            top += 1
        best = 0
        for c in range(len(labels[r])):
            # the lowest header text of the column names it
            text = next((labels[k][c] for k in range(top - 1, r - 1, -1) if labels[k][c]), "")
            if text and rules["indicator_re"].search(text):
                best = max(best, sum(1 for k in range(top, end) if labels[k][c] and labels[k][c] != text))
        total += best
    return total


def _claimed(record: Result) -> set[tuple[int, int, int]]:
    """(table, row, col) of every cell a fact or a line item took."""
    cells: set[tuple[int, int, int]] = set()
    for fact in record.facts:
        loc = fact.evidence.location
        if loc is not None and loc.table is not None and loc.row is not None and loc.col is not None:
            cells.add((loc.table, loc.row, loc.col))
    for item in record.line_items:
        for amount in item.amounts:
            loc = amount.location
            if loc is not None and loc.table is not None and loc.row is not None and loc.col is not None:
                cells.add((loc.table, loc.row, loc.col))
    return cells


def _measure_tables(record: Result, doc: DocMeasures, patterns: Patterns) -> None:
    claimed = _claimed(record)
    for table in record.tables:
        n_header = header_row_count(table)
        headers = column_headers(table, n_header)
        figures = _figure_cells(table, n_header, headers)
        if len(figures) < MIN_TABLE_FIGURES:
            continue
        doc.tables += 1
        if not table.kind:
            continue
        doc.classified += 1
        if table.kind in GRID_KINDS:
            continue  # a performance grid's figures are indicators, measured as such
        doc.figures += len(figures)
        unclaimed = [(r, c) for r, c in figures if (table.index, r, c) not in claimed]
        doc.unclaimed += len(unclaimed)
        # a row (or column) of figures none of which was taken was not understood at all
        grid = table.grid()
        rows = {r for r, _ in figures} - {r for r, c in figures if (table.index, r, c) in claimed}
        cols = {c for _, c in figures} - {c for r, c in figures if (table.index, r, c) in claimed}
        doc.rows_not_understood += [f"{table.kind}: {_row_text(grid, r)}" for r in sorted(rows)]
        doc.columns_not_understood += [
            f"{table.kind}: {_column_text(headers[c], patterns)}" for c in sorted(cols)
        ]


def _figure_cells(table: Table, n_header: int, headers: list[list[str]]) -> list[tuple[int, int]]:
    """The amounts of a table: numbers below its header, outside its code columns."""
    codes = {c for c, texts in enumerate(headers) if any(CODE_HEADER_RE.search(t) for t in texts)}
    return [
        (cell.row, cell.col)
        for cell in table.cells
        if cell.row >= n_header
        and cell.col not in codes
        and not CLASS_CODE_RE.match(cell.text.strip())
        and cell.text.strip() not in ("", "-")
        and not PERCENT_RE.search(cell.text)
        and parse_cell_amount(cell.text) is not None
    ]


def _row_text(grid: list[list[Any]], row: int) -> str:
    """A row's label: its first text cells that are not figures."""
    texts = [c.text for c in grid[row] if c is not None and c.text and parse_cell_amount(c.text) is None]
    return " ".join(dict.fromkeys(texts))[:40] or "(no label)"


def _column_text(header: list[str], patterns: Patterns) -> str:
    """A column's header, top to bottom, without the unit line a grid may hold above it."""
    texts = [t for t in header if not find_unit(t, patterns) or len(t) > MAX_UNIT_LINE_CHARS]
    return " / ".join(texts)[:40] or "(no header)"


def format_unlabeled(result: Unlabeled, verbose: bool = False) -> str:
    """The totals as a readable table; with ``verbose``, a line per document first."""
    t = result.totals()
    lines: list[str] = []
    if verbose:
        columns = ["document", "tables", "classified", "core missing", "identities failed"]
        columns += ["line sums failed", "conflicts", "unclaimed"]
        lines.append("\t".join(columns))
        for d in result.disclosures:
            cells: list[object] = [Path(d.source).name, d.tables, d.classified, len(d.core_missing)]
            cells += [d.identities[FAIL], d.line_item_sums[FAIL], d.conflicts, f"{d.unclaimed}/{d.figures}"]
            lines.append("\t".join(str(c) for c in cells))
        lines.append("")

    def of(part: int, whole: int, share: float | None) -> str:
        return f"{part} of {whole}" + ("" if share is None else f" ({share:.1%})")

    identities = t["identities_pass"] + t["identities_fail"]
    sums = t["line_item_sums_pass"] + t["line_item_sums_fail"]
    figures, unclaimed = t["standard_table_figures"], t["unclaimed_figures"]
    rows = [
        ("documents", f"{t['documents']} ({t['disclosures']} read as disclosures)"),
        ("all nine core fields", of(t["all_core_fields"], t["disclosures"], t["all_core_fields_share"])),
        ("core fields missing", ", ".join(f"{f} {n}" for f, n in t["core_fields_missing"].items()) or "none"),
        (
            "a standard table classified",
            of(t["documents_with_a_standard_table"], t["documents_with_tables"], t["standard_table_share"])
            + f" documents with tables; {t['tables_classified']} of {t['tables']} tables",
        ),
        ("table identities pass", of(t["identities_pass"], identities, t["identities_share"])),
        ("line-item sums pass", of(t["line_item_sums_pass"], sums, t["line_item_sums_share"])),
        ("prose agrees with tables", of(t["prose_pass"], t["prose_pass"] + t["prose_fail"], None)),
        ("conflicts left", f"{t['conflicts']} ({t['conflicts_per_document']} per document)"),
        ("standard-table figures taken", of(figures - unclaimed, figures, None)),
        ("values from tables", of(t["values_from_tables"], t["values"], t["values_from_tables_share"])),
        (
            "performance grids",
            f"{t['grid_rows']} rows of {t['grid_projects']} activities in {t['grid_documents']} documents",
        ),
        (
            "titled grids yielding rows",
            of(t["grid_titled_read"], t["grid_titled"] - t["grid_titled_blank"], t["grid_titled_read_share"])
            + f" ({t['grid_titled_blank']} more print no indicator: blank forms, goal lists)",
        ),
        (
            "grids read whole",
            of(t["grid_complete"], t["grid_grids"], t["grid_complete_share"])
            + f" (rows = indicator cells printed; {t['grid_rows']} rows, {t['grid_cells']} cells)",
        ),
        ("rows with a header as subject", f"{t['grid_bad_rows']} (empty indicator, header word or code)"),
    ]
    lines += [f"{label:<31}{text}" for label, text in rows]
    if t["grid_unread"]:
        lines.append("\nperformance tables titled but yielding no rows:")
        lines += [f"  {u}" for u in t["grid_unread"]]
    for key, title in (("rows_not_understood", "rows"), ("columns_not_understood", "columns")):
        if t[key]:
            lines.append(f"\n{title} of standard tables not understood (commonest first):")
            lines += [f"  {n:5d}  {label}" for label, n in t[key].items()]
    return "\n".join(lines)
