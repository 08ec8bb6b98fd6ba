"""Writers: the typed results of a batch to every output of a folder.

``OutputStream`` writes documents.jsonl, one CSV per output table (declared once in
``schema``: fields, departments, documents, sources, field values, facts, line items,
indicators, checks, issues, and the panel: one row per disclosure, one column per field), each
table's grid (tables/*.csv), disclosures.sqlite, the Parquet files and datapackage.json, a
document at a time; ``write_report`` writes the HTML report folder; ``result_record``/
``loads_record`` are the JSON edge of a result, and ``dumps`` its exact JSON text.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .parts import DocumentParts, document_parts
from .records import dumps, issue_record, loads_record, result_record

if TYPE_CHECKING:
    from .report import ReportSummary, write_report
    from .stream import JOURNAL, RUN_FILE, OutputStream, finish_commit, remove_leftovers

# Imported when first used: they bring pyarrow, which a process that only extracts and
# serialises its results (a worker) need not load.
_LAZY = {
    "JOURNAL": "stream",
    "RUN_FILE": "stream",
    "OutputStream": "stream",
    "ReportSummary": "report",
    "finish_commit": "stream",
    "remove_leftovers": "stream",
    "write_report": "report",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "JOURNAL",
    "RUN_FILE",
    "DocumentParts",
    "OutputStream",
    "ReportSummary",
    "document_parts",
    "dumps",
    "finish_commit",
    "issue_record",
    "loads_record",
    "remove_leftovers",
    "result_record",
    "write_report",
]
