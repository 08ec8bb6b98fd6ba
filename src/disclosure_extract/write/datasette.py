"""``DIR/metadata.json`` for datasette: what every table and column means, and canned queries.

Serve the dataset with ``datasette DIR/disclosures.sqlite -m DIR/metadata.json``; the
descriptions come from the table declarations of write/schema.py, so they say what the
CSV, Parquet and datapackage say.
"""

from __future__ import annotations

from typing import Any

from .schema import TABLES, OutputTable

DATABASE = "disclosures"

# The first questions people ask of the dataset, as named queries.
CANNED_QUERIES: dict[str, dict[str, str]] = {
    "sangong_by_department_and_year": {
        "title": "三公经费 by department and year",
        "description": "Each disclosure's 三公 total in yuan (a disclosure in several files counted once), "
        "by department key, year and kind.",
        "sql": "SELECT department_key, department, year, kind, sangong_total FROM panel "
        "WHERE sangong_total IS NOT NULL ORDER BY department_key, year, kind",
    },
    "documents_with_failed_checks": {
        "title": "Documents with failed checks",
        "description": "Documents whose numbers fail at least one check, most failures first.",
        "sql": "SELECT sha256, source, department, year, kind, checks_failed FROM documents "
        "WHERE checks_failed > 0 ORDER BY checks_failed DESC, source",
    },
    "failed_checks_by_category": {
        "title": "Failed checks by category",
        "description": "How many checks failed, in how many documents, by category: the report's counts.",
        "sql": "SELECT category, COUNT(*) AS failed, COUNT(DISTINCT sha256) AS documents FROM checks "
        "WHERE status = 'fail' GROUP BY category ORDER BY failed DESC",
    },
    "failed_checks": {
        "title": "Failed checks with both numbers",
        "description": "Every failed check: what was expected, what the document states, the difference.",
        "sql": "SELECT source, rule, subject, expected, actual, difference, description FROM checks "
        "WHERE status = 'fail' ORDER BY source, n",
    },
}
LABEL_COLUMNS = {
    "documents": "department",
    "departments": "department",
    "fields": "name",
    "sources": "source",
}


def _table(table: OutputTable) -> dict[str, Any]:
    meta: dict[str, Any] = {
        "description": table.description,
        "columns": {c.name: c.description + (" (yuan)" if c.type == "money" else "") for c in table.columns},
    }
    if table.name in LABEL_COLUMNS:
        meta["label_column"] = LABEL_COLUMNS[table.name]
    return meta


def datasette_metadata(panel: OutputTable) -> dict[str, Any]:
    """The metadata datasette reads with ``-m``: titles, descriptions, label columns, queries."""
    return {
        "title": "Departmental budget and final-account disclosures (部门预算/决算公开)",
        "description": "Extracted by disclosure-extract: every value with its evidence; amounts in yuan.",
        "databases": {
            DATABASE: {
                "tables": {t.name: _table(t) for t in (*TABLES, panel)},
                "queries": CANNED_QUERIES,
            }
        },
    }
