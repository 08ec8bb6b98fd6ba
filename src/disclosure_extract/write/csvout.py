"""Long-format CSV views of the documents: facts.csv, indicators.csv, tables/*.csv."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import regex

from ..common.atomic import atomic_open

FACT_COLUMNS = [
    "source",
    "sha256",
    "id",
    "value",
    "unit",
    "unit_inferred",
    "method",
    "text",
    "label",
    "rule",
    "flags",
    "page",
    "line_start",
    "line_end",
    "char_start",
    "char_end",
    "path",
    "table",
    "row",
    "col",
    "bbox",
]
INDICATOR_COLUMNS = [
    "source",
    "sha256",
    "table",
    "row",
    "parent",
    "activity",
    "budget",
    "level1",
    "level2",
    "indicator",
    "target",
    "excellent",
    "good",
    "fair",
    "poor",
]
LINE_ITEM_COLUMNS = [
    "source",
    "sha256",
    "table",
    "row",
    "page",
    "kind",
    "code",
    "parent",
    "name",
    "column",
    "value",
    "text",
    "unit",
]
CHECK_COLUMNS = [
    "source",
    "sha256",
    "rule",
    "status",
    "subject",
    "expected",
    "actual",
    "difference",
    "tolerance",
    "description",
    "locations",
]
_UNSAFE = regex.compile(r"[^\w.-]+")
TABLE_FILE_RE = regex.compile(r"^.+-[0-9a-f]{8}-t\d+\.csv$")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(_cell(v) for v in value)
    return str(value)


def write_facts(path: Path, records: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(FACT_COLUMNS)
        for rec in records:
            for fact in rec["facts"]:
                flat = {**fact, **fact.get("location", {}), "source": rec["source"], "sha256": rec["sha256"]}
                writer.writerow([_cell(flat.get(col)) for col in FACT_COLUMNS])
                n += 1
    return n


def write_indicators(path: Path, records: Iterable[dict[str, Any]]) -> int:
    n = 0
    with atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(INDICATOR_COLUMNS)
        for rec in records:
            for ind in rec["indicators"]:
                flat = {**ind, **(ind.get("standards") or {}), **ind.get("location", {})}
                flat.update(source=rec["source"], sha256=rec["sha256"])
                writer.writerow([_cell(flat.get(col)) for col in INDICATOR_COLUMNS])
                n += 1
    return n


def write_line_items(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Long format: one row per amount of a line item, with its column header."""
    n = 0
    with atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(LINE_ITEM_COLUMNS)
        for rec in records:
            for item in rec.get("line_items", []):
                base = {
                    **item,
                    "page": item["location"].get("page"),
                    "source": rec["source"],
                    "sha256": rec["sha256"],
                }
                for amount in item["amounts"]:
                    row = {**base, **amount}
                    writer.writerow([_cell(row.get(col)) for col in LINE_ITEM_COLUMNS])
                    n += 1
    return n


def write_checks(path: Path, checks: Iterable[dict[str, Any]]) -> int:
    """One row per check result; locations as compact JSON."""
    n = 0
    with atomic_open(path) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(CHECK_COLUMNS)
        for check in checks:
            row = {
                **check,
                "locations": json.dumps(check["locations"], ensure_ascii=False, sort_keys=True, default=str),
            }
            writer.writerow([_cell(row.get(col)) for col in CHECK_COLUMNS])
            n += 1
    return n


def table_file_name(source: str, sha256: str, index: int) -> str:
    stem = _UNSAFE.sub("_", Path(source).stem)[:60] or "doc"
    return f"{stem}-{sha256[:8]}-t{index}.csv"


def write_tables(folder: Path, records: Iterable[dict[str, Any]]) -> set[str]:
    """One CSV per table: the row number, then the grid as printed (a span's text at its top-left cell)."""
    written: set[str] = set()
    for rec in records:
        for table in rec["tables"]:
            rows = [[""] * table["n_cols"] for _ in range(table["n_rows"])]
            for cell in table["cells"]:
                rows[cell["row"]][cell["col"]] = cell["text"]
            name = table_file_name(rec["source"], rec["sha256"], table["index"])
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
