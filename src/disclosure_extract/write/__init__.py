"""Writers: the typed results of a batch to every output of a folder.

``write_outputs`` writes documents.jsonl, one CSV per output table (declared once in
``schema``: fields, departments, documents, sources, field values, facts, line items,
indicators, checks, issues, and the panel: one row per document, one column per field), each
table's grid (tables/*.csv), disclosures.sqlite, the Parquet files and datapackage.json;
``write_report`` writes the HTML report folder; ``result_record``/``loads_record`` are the JSON
edge of a result, and ``dumps`` its exact JSON text.
"""

from __future__ import annotations

from pathlib import Path

from ..common.atomic import atomic_open
from ..model import CheckResult, Result
from ..patterns import Patterns
from .csvout import write_table_csv, write_tables
from .dataset import write_dataset
from .records import dumps, issue_record, loads_record, result_record
from .report import ReportSummary, write_report
from .schema import TABLES, panel_table, table_rows

__all__ = [
    "ReportSummary",
    "dumps",
    "issue_record",
    "loads_record",
    "result_record",
    "write_outputs",
    "write_report",
]


def write_outputs(
    out_dir: Path, results: list[Result], checks: list[CheckResult], patterns: Patterns
) -> None:
    """Every output of ``out_dir`` from the batch's results and their check results."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with atomic_open(out_dir / "documents.jsonl") as handle:
        for result in results:
            handle.write(dumps(result_record(result)) + "\n")
    rows = table_rows(results, checks, patterns)
    for table in (*TABLES, panel_table(patterns)):
        write_table_csv(out_dir / table.csv_name, table, rows[table.name])
    table_files = write_tables(out_dir / "tables", results)
    write_dataset(out_dir, results, rows, sorted(table_files), patterns)
