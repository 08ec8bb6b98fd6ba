"""CSV views of the dataset: one file per output table (columns from write/schema.py), and
each extracted table's grid as printed (tables/*.csv)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import regex

from ..common.atomic import atomic_open
from ..model import Result
from .schema import OutputTable

_UNSAFE = regex.compile(r"[^\w.-]+")
TABLE_FILE_RE = regex.compile(r"^.+-[0-9a-f]{8}-t\d+\.csv$")


def csv_cell(value: Any) -> str:
    """A value as CSV text: numbers plain and exact, booleans true/false, nothing empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value + 0, "f")  # "+ 0" turns a negative zero into 0
    return str(value)


def write_table_csv(path: Path, table: OutputTable, rows: Iterable[dict[str, Any]]) -> int:
    """One output table as CSV, its header the declared column names."""
    n = 0
    with atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.column_names)
        for row in rows:
            writer.writerow([csv_cell(row.get(c)) for c in table.column_names])
            n += 1
    return n


def table_file_name(source: str, sha256: str, index: int) -> str:
    stem = _UNSAFE.sub("_", Path(source).stem)[:60] or "doc"
    return f"{stem}-{sha256[:8]}-t{index}.csv"


def write_tables(folder: Path, results: Iterable[Result]) -> set[str]:
    """One CSV per table: the row number, then the grid as printed (a span's text at its top-left cell)."""
    written: set[str] = set()
    for result in results:
        for table in result.tables:
            rows = [[""] * table.n_cols for _ in range(table.n_rows)]
            for cell in table.cells:
                rows[cell.row][cell.col] = cell.text
            name = table_file_name(result.source, result.sha256 or "", table.index)
            with atomic_open(folder / name) as handle:
                # the row number leads each line: rows match the `row` of fact locations, and a
                # row covered only by a span from above is not blank
                csv.writer(handle, lineterminator="\n").writerows(
                    [str(r), *row] for r, row in enumerate(rows)
                )
            written.add(name)
    if folder.is_dir():
        # tables of documents no longer in the batch would make the folder lie
        for stale in folder.iterdir():
            if stale.name not in written and TABLE_FILE_RE.match(stale.name):
                stale.unlink()
    return written
