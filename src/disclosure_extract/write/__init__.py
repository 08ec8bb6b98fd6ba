"""Writers: one extraction record per input to every output of a folder.

``write_outputs`` writes documents.jsonl, the CSV views (facts, indicators, line items,
checks, each table's grid), disclosures.sqlite, the Parquet files and datapackage.json;
``render_report`` writes the HTML report; ``dumps`` is the JSON form of a record.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..common.atomic import atomic_open
from .csvout import write_checks, write_facts, write_indicators, write_line_items, write_tables
from .dataset import write_dataset
from .records import dumps, issue_record, result_record
from .report import render_report

__all__ = ["dumps", "issue_record", "render_report", "result_record", "write_outputs"]


def write_outputs(out_dir: Path, records: list[dict[str, Any]], checks: list[dict[str, Any]]) -> None:
    """Every output of ``out_dir`` from the batch's records and their check results."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_open(out_dir / "documents.jsonl") as handle:
        for record in records:
            handle.write(dumps(record) + "\n")
    write_facts(out_dir / "facts.csv", records)
    write_indicators(out_dir / "indicators.csv", records)
    write_line_items(out_dir / "line_items.csv", records)
    table_files = write_tables(out_dir / "tables", records)
    write_checks(out_dir / "checks.csv", checks)
    write_dataset(out_dir, records, checks, sorted(table_files))
