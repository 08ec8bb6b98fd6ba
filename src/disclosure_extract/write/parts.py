"""A document's share of every output, made where it was extracted.

``document_parts`` renders a result (with its own checks) into what the output writer
(``stream.py``) appends: its documents.jsonl line, the CSV lines and column values of its
rows in each content table, its documents row and field values (completed at the end of
the batch with the checks across documents), and its tables' grids. Worker processes call
it, in parallel, so the one process writing the outputs only appends; without pyarrow or
pandas, which only the writer loads.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..errors import UnfitValueError
from ..model import CheckResult, Result, Table
from ..patterns import Patterns
from .csvout import csv_cell, csv_text, table_file_name
from .records import dumps, result_record
from .schema import (
    DOCUMENTS,
    FIELD_VALUES,
    TABLES,
    OutputTable,
    Statuses,
    check_rows,
    content_rows,
    document_row,
    failed_counts,
    unfit_value,
    value_rows,
    value_statuses,
)

__all__ = ["DocumentParts", "document_parts", "rendered"]


def rendered(table: OutputTable, rows: Iterable[dict[str, Any]]) -> tuple[str, list[tuple[Any, ...]]]:
    """Rows of a table as its CSV lines and as tuples of its columns' values."""
    names = table.column_names
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    tuples = []
    for row in rows:
        values = tuple(row.get(c) for c in names)
        writer.writerow([csv_cell(v) for v in values])
        tuples.append(values)
    return text.getvalue(), tuples


@dataclass
class DocumentParts:
    """One document's share of every output, made where the document was extracted (in a
    worker, in parallel): the process writing the outputs only appends it."""

    source: str
    sha256: str | None
    record: str  # its documents.jsonl line
    tables: dict[str, tuple[str, list[tuple[Any, ...]]]]  # rendered rows of its content tables
    document: dict[str, Any]  # its documents row (checks_failed: its own checks)
    values: list[dict[str, Any]]  # its field_values rows (check_status: its own checks)
    failed: int  # its own failed checks, and what they say of its values (for a second source
    statuses: Statuses  # of the same content, whose documents row is the first source's)
    checks: int  # how many checks it numbered: the checks across documents come after
    grids: list[tuple[str, str, int]]  # each table's grid: file name, CSV text, width
    phase: str | None = None
    year: int | None = None


def document_parts(
    result: Result, checks: list[CheckResult], patterns: Patterns, record: str | None = None
) -> DocumentParts:
    """A document's share of every output, from its result and its own checks; ``record`` is
    its documents.jsonl line when already made (without the newline)."""
    counters: dict[str, int] = {}
    content = content_rows(result)
    content["checks"] = list(check_rows(checks, counters))
    by_name = {t.name: t for t in TABLES}
    failed = failed_counts(checks).get(result.sha256, 0)
    statuses = value_statuses(checks)
    document = document_row(result, failed, patterns)
    tables = {name: rendered(by_name[name], rows) for name, rows in content.items()}
    values = list(value_rows(result, statuses))
    late = [(DOCUMENTS, [document]), (FIELD_VALUES, values)]
    made = [(by_name[name], tuples) for name, (_, tuples) in tables.items()]
    made += [(table, [tuple(row.get(c) for c in table.column_names) for row in rows]) for table, rows in late]
    for table, tuples in made:
        problem = unfit_value(table, tuples)
        if problem is not None:
            raise UnfitValueError(problem)
    return DocumentParts(
        source=result.source,
        sha256=result.sha256,
        record=record if record is not None else dumps(result_record(result)),
        tables=tables,
        document=document,
        values=values,
        failed=failed,
        statuses=statuses,
        checks=counters.get(result.source, 0),
        grids=[_grid(result, table) for table in result.tables],
        phase=document["phase"],
        year=result.meta.year,
    )


def _grid(result: Result, table: Table) -> tuple[str, str, int]:
    """A table's grid as printed: the row number, then each cell (a span's text at its top left)."""
    text = io.StringIO()
    # the row number leads each line: rows match the `row` of fact locations, and a row
    # covered only by a span from above is not blank
    rows = table.text_rows()
    csv.writer(text, lineterminator="\n").writerows(
        [str(r), *map(csv_text, row)] for r, row in enumerate(rows)
    )
    return table_file_name(result.source, result.sha256 or "", table.index), text.getvalue(), table.n_cols + 1
