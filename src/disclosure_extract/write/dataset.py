"""The dataset people query: SQLite, Parquet, and a Frictionless Data Package over the CSVs.

Every table is declared once in write/schema.py; this module writes those declarations'
rows. ``DIR/disclosures.sqlite`` holds documents (keyed by sha256), sources, facts, line
items, indicators, checks and issues, with primary and foreign keys and indexes; money is
a number (NUMERIC), never text. It is built in a temporary file and renamed over the old
one, so a crash mid-write leaves the previous database intact, and it is rebuilt from
every document of the batch, so running twice gives the same rows, never duplicates.
``DIR/parquet/*.parquet`` hold the same tables with the same columns (money as
``decimal(20,2)``), an empty table keeping its schema. ``DIR/datapackage.json`` describes
every CSV with its keys, units, currency CNY and the budget phase of amounts (预算 →
approved, 决算 → executed), as the Fiscal Data Package does.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..common.atomic import default_mode, write_text
from ..model import Result
from ..patterns import Patterns
from .datasette import datasette_metadata
from .schema import (
    PHASES,
    TABLES,
    OutputTable,
    arrow_schema,
    frictionless_schema,
    panel_table,
    panel_view_sql,
    sql_ddl,
)


def _sql_value(value: Any) -> Any:
    """Exact decimal text, which the NUMERIC affinity stores as an integer or a real number."""
    if isinstance(value, Decimal):
        return format(value + 0, "f")
    if isinstance(value, bool):
        return int(value)
    return value


def write_sqlite(path: Path, rows: dict[str, list[dict[str, Any]]], patterns: Patterns) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".disclosures.", suffix=".sqlite.tmp", dir=path.parent)
    os.fchmod(fd, default_mode())
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        ddl = "\n".join(sql_ddl(t) for t in TABLES)
        db.executescript(f"PRAGMA foreign_keys = ON;\n{ddl}\n{panel_view_sql(patterns)}")
        for table in TABLES:
            names = table.column_names
            quoted = ", ".join(f'"{c}"' for c in names)
            db.executemany(
                f'INSERT INTO "{table.name}" ({quoted}) VALUES ({", ".join("?" for _ in names)})',
                [tuple(_sql_value(r[c]) for c in names) for r in rows[table.name]],
            )
        db.commit()
        db.close()
        os.replace(tmp, path)  # the previous database stays whole until this instant
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(
    folder: Path, rows: dict[str, list[dict[str, Any]]], tables: tuple[OutputTable, ...]
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for table in tables:
        arrow = pa.Table.from_pylist(rows[table.name], schema=arrow_schema(table))
        fd, tmp = tempfile.mkstemp(prefix=f".{table.name}.", suffix=".parquet.tmp", dir=folder)
        os.fchmod(fd, default_mode())
        os.close(fd)
        try:
            pq.write_table(arrow, tmp)
            os.replace(tmp, folder / f"{table.name}.parquet")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def write_dataset(
    out_dir: Path,
    results: list[Result],
    rows: dict[str, list[dict[str, Any]]],
    table_files: list[str],
    patterns: Patterns,
) -> None:
    tables = (*TABLES, panel_table(patterns))
    write_sqlite(out_dir / "disclosures.sqlite", rows, patterns)
    write_parquet(out_dir / "parquet", rows, tables)
    package = datapackage(results, tables)
    metadata = datasette_metadata(tables[-1])
    write_text(out_dir / "metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")
    package["resources"].extend(_grid_resource(out_dir / "tables" / name) for name in sorted(table_files))
    write_text(out_dir / "datapackage.json", json.dumps(package, ensure_ascii=False, indent=2) + "\n")


def _grid_resource(path: Path) -> dict[str, Any]:
    """A table's grid as printed: no header row, every cell a string."""
    first = path.read_text(encoding="utf-8").split("\n", 1)[0]
    width = max(2, len(next(csv.reader([first]), [])))
    return {
        "name": path.stem.lower().replace("_", "-")[:100],
        "path": f"tables/{path.name}",
        "format": "csv",
        "encoding": "utf-8",
        "profile": "tabular-data-resource",
        "dialect": {"header": False},
        "description": "a table's grid as printed (a merged cell's text at its top-left position)",
        "schema": {
            "fields": [
                {"name": "row", "type": "integer", "description": "row number"},
                *(
                    {"name": f"c{i}", "type": "string", "description": f"column {i}"}
                    for i in range(width - 1)
                ),
            ]
        },
    }


def datapackage(results: list[Result], tables: tuple[OutputTable, ...] = TABLES) -> dict[str, Any]:
    """A Frictionless Data Package describing every CSV of the output folder, with its keys."""
    phases = sorted({PHASES[r.meta.kind] for r in results if r.meta.kind in PHASES})
    years = sorted({r.meta.year for r in results if r.meta.year})
    return {
        "profile": "tabular-data-package",
        "name": "disclosure-extract-output",
        "title": "Departmental budget and final-account disclosures (部门预算/决算公开)",
        "description": "Figures extracted by disclosure-extract, with evidence. Amounts are yuan (CNY); "
        "budgetPhase: 预算 -> approved, 决算 -> executed (Fiscal Data Package).",
        "budgetPhase": phases,
        "fiscalYears": years,
        "currency": "CNY",
        "resources": [
            {
                "name": table.name,
                "path": table.csv_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "description": table.description,
                "schema": frictionless_schema(table),
            }
            for table in tables
        ],
    }
