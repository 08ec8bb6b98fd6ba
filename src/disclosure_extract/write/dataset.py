"""The dataset's descriptions and conversions: datapackage.json and SQLite values.

Every table is declared once in write/schema.py; write/stream.py writes their rows.
``DIR/disclosures.sqlite`` holds documents (keyed by sha256), sources, facts, line items,
indicators, checks and issues, with primary and foreign keys and indexes; money is a number
(NUMERIC), never text. ``DIR/parquet/*.parquet`` hold the same tables with the same columns
(money as ``decimal(22,4)``: 18 digits before the point, 4 after), an empty table keeping
its schema. ``DIR/datapackage.json`` describes every CSV with its keys, units, currency CNY
and the budget phase of amounts (预算 → approved, 决算 → executed), as the Fiscal Data
Package does.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from .schema import OutputTable, frictionless_schema


def sql_value(value: Any) -> Any:
    """Exact decimal text, which the NUMERIC affinity stores as an integer or a real number."""
    if isinstance(value, Decimal):
        return format(value + 0, "f")
    if isinstance(value, bool):
        return int(value)
    return value


def grid_resource(name: str, width: int) -> dict[str, Any]:
    """The resource of a table's grid file as printed (``width`` columns, the row number first):
    no header row, every cell a string."""
    return {
        "name": Path(name).stem.lower().replace("_", "-")[:100],
        "path": f"tables/{name}",
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
                    for i in range(max(2, width) - 1)
                ),
            ]
        },
    }


def datapackage(phases: list[str], years: list[int], tables: tuple[OutputTable, ...]) -> dict[str, Any]:
    """A Frictionless Data Package describing every output table's CSV, with its keys, for a
    dataset of those budget phases and fiscal years (the grids' resources are added after)."""
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
