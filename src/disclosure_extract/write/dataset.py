"""The dataset people query: SQLite, Parquet, and a Frictionless Data Package over the CSVs.

``DIR/disclosures.sqlite`` holds documents (keyed by sha256), their sources, facts,
line items, indicators, checks and issues, with foreign keys and indexes. It is built in
a temporary file and renamed over the old one, so a crash mid-write leaves the previous
database intact, and it is rebuilt from every document of the batch, so running twice
gives the same rows, never duplicates. ``DIR/parquet/*.parquet`` hold the same tables
for pandas and DuckDB. ``DIR/datapackage.json`` describes every CSV: field types, units,
currency CNY, and the budget phase of amounts (预算 → approved, 决算 → executed), as the
Fiscal Data Package does.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import tempfile
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from ..common.atomic import default_mode, write_text

PHASES = {"budget": "approved", "final_accounts": "executed"}

SQL_SCHEMA = """
PRAGMA foreign_keys = ON;
CREATE TABLE documents (
    sha256 TEXT PRIMARY KEY, format TEXT, status TEXT NOT NULL, encoding TEXT,
    department TEXT, year INTEGER, kind TEXT, phase TEXT, region TEXT
);
CREATE TABLE sources (
    source TEXT PRIMARY KEY, sha256 TEXT REFERENCES documents(sha256), status TEXT NOT NULL
);
CREATE TABLE facts (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES documents(sha256), field TEXT NOT NULL,
    value TEXT NOT NULL, in_fields INTEGER NOT NULL, unit TEXT, unit_inferred INTEGER, method TEXT NOT NULL,
    text TEXT, label TEXT, rule TEXT, flags TEXT, page INTEGER, line_start INTEGER, tbl INTEGER, row INTEGER,
    col INTEGER, path TEXT, location TEXT
);
CREATE TABLE line_items (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES documents(sha256), tbl INTEGER, row INTEGER,
    page INTEGER, kind TEXT, code TEXT NOT NULL, parent TEXT, name TEXT, column_name TEXT, value TEXT,
    text TEXT, unit TEXT
);
CREATE TABLE indicators (
    id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL REFERENCES documents(sha256), parent TEXT, activity TEXT,
    budget TEXT, level1 TEXT, level2 TEXT, indicator TEXT, target TEXT, excellent TEXT, good TEXT, fair TEXT,
    poor TEXT, tbl INTEGER, row INTEGER
);
CREATE TABLE checks (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL REFERENCES sources(source), rule TEXT NOT NULL,
    status TEXT NOT NULL, subject TEXT, expected TEXT, actual TEXT, difference TEXT, tolerance TEXT,
    description TEXT, locations TEXT
);
CREATE TABLE issues (
    id INTEGER PRIMARY KEY, source TEXT NOT NULL REFERENCES sources(source), code TEXT NOT NULL,
    severity TEXT NOT NULL, message TEXT, location TEXT
);
CREATE INDEX facts_field ON facts(field);
CREATE INDEX facts_sha ON facts(sha256);
CREATE INDEX line_items_code ON line_items(code);
CREATE INDEX line_items_sha ON line_items(sha256);
CREATE INDEX indicators_sha ON indicators(sha256);
CREATE INDEX checks_rule ON checks(rule, status);
CREATE INDEX issues_code ON issues(code);
CREATE INDEX documents_dept ON documents(department, year, kind);
"""


def _text(value: Any) -> str | None:
    """Amounts are stored as exact decimal text (SQLite REAL would round them)."""
    if value is None:
        return None
    return format(value, "f") if isinstance(value, Decimal) else str(value)


def _rows(records: list[dict[str, Any]], checks: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    tables: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("documents", "sources", "facts", "line_items", "indicators", "checks", "issues")
    }
    seen: set[str] = set()
    for rec in records:
        sha, meta = rec.get("sha256"), rec.get("meta", {})
        if sha and sha not in seen:
            seen.add(sha)
            tables["documents"].append(
                {
                    "sha256": sha,
                    "format": rec.get("format"),
                    "status": rec["status"],
                    "encoding": rec.get("encoding"),
                    "department": meta.get("department"),
                    "year": meta.get("year"),
                    "kind": meta.get("kind"),
                    "phase": PHASES.get(meta.get("kind", "")),
                    "region": meta.get("region"),
                }
            )
            fields = rec.get("fields", {})
            for fact in rec.get("facts", []):
                loc = fact.get("location", {})
                tables["facts"].append(
                    {
                        "sha256": sha,
                        "field": fact["id"],
                        "value": _text(fact["value"]),
                        "in_fields": int(fields.get(fact["id"]) == fact["value"]),
                        "unit": fact.get("unit"),
                        "unit_inferred": int(bool(fact.get("unit_inferred"))),
                        "method": fact["method"],
                        "text": fact.get("text"),
                        "label": fact.get("label"),
                        "rule": fact.get("rule"),
                        "flags": ";".join(fact.get("flags", [])) or None,
                        "page": loc.get("page"),
                        "line_start": loc.get("line_start"),
                        "tbl": loc.get("table"),
                        "row": loc.get("row"),
                        "col": loc.get("col"),
                        "path": loc.get("path"),
                        "location": json.dumps(loc, default=str),
                    }
                )
            for item in rec.get("line_items", []):
                for amount in item["amounts"]:
                    tables["line_items"].append(
                        {
                            "sha256": sha,
                            "tbl": item["table"],
                            "row": item["row"],
                            "page": item.get("location", {}).get("page"),
                            "kind": item["kind"],
                            "code": item["code"],
                            "parent": item["parent"],
                            "name": item["name"],
                            "column_name": amount["column"],
                            "value": _text(amount["value"]),
                            "text": amount["text"],
                            "unit": amount["unit"],
                        }
                    )
            for ind in rec.get("indicators", []):
                standards = ind.get("standards") or {}
                loc = ind.get("location", {})
                tables["indicators"].append(
                    {
                        "sha256": sha,
                        "parent": ind.get("parent"),
                        "activity": ind["activity"],
                        "budget": _text(ind.get("budget")),
                        "level1": ind.get("level1"),
                        "level2": ind.get("level2"),
                        "indicator": ind["indicator"],
                        "target": ind.get("target"),
                        "tbl": loc.get("table"),
                        "row": loc.get("row"),
                        **{k: standards.get(k) for k in ("excellent", "good", "fair", "poor")},
                    }
                )
        tables["sources"].append(
            {"source": rec["source"], "sha256": sha if sha in seen else None, "status": rec["status"]}
        )
        for issue in rec.get("issues", []):
            tables["issues"].append(
                {
                    "source": rec["source"],
                    "code": issue["code"],
                    "severity": issue["severity"],
                    "message": issue["message"],
                    "location": json.dumps(issue.get("location"), default=str)
                    if issue.get("location")
                    else None,
                }
            )
    sources = {s["source"] for s in tables["sources"]}
    for check in checks:
        if check["source"] in sources:
            tables["checks"].append(
                {
                    "source": check["source"],
                    "rule": check["rule"],
                    "status": check["status"],
                    "subject": check.get("subject"),
                    "expected": _text(check.get("expected")),
                    "actual": _text(check.get("actual")),
                    "difference": _text(check.get("difference")),
                    "tolerance": _text(check.get("tolerance")),
                    "description": check.get("description"),
                    "locations": json.dumps(check.get("locations", []), ensure_ascii=False, default=str),
                }
            )
    return tables


def write_sqlite(path: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".disclosures.", suffix=".sqlite.tmp", dir=path.parent)
    os.fchmod(fd, default_mode())
    os.close(fd)
    try:
        db = sqlite3.connect(tmp)
        db.executescript(SQL_SCHEMA)
        for name, rows in tables.items():
            if rows:
                columns = list(rows[0])
                db.executemany(
                    f"INSERT INTO {name} ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)})",
                    [tuple(r[c] for c in columns) for r in rows],
                )
        db.commit()
        db.close()
        os.replace(tmp, path)  # the previous database stays whole until this instant
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(folder: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        frame = pd.DataFrame(rows)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".parquet.tmp", dir=folder)
        os.fchmod(fd, default_mode())
        os.close(fd)
        try:
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, folder / f"{name}.parquet")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def write_dataset(
    out_dir: Path, records: list[dict[str, Any]], checks: Iterable[dict[str, Any]], table_files: list[str]
) -> None:
    tables = _rows(records, list(checks))
    write_sqlite(out_dir / "disclosures.sqlite", tables)
    write_parquet(out_dir / "parquet", tables)
    package = datapackage(records)
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
                _field("row", "integer", "row number"),
                *(_field(f"c{i}", "string", f"column {i}") for i in range(width - 1)),
            ]
        },
    }


def _field(name: str, kind: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "description": description, **extra}


def datapackage(records: list[dict[str, Any]]) -> dict[str, Any]:
    """A Frictionless Data Package describing every CSV of the output folder."""
    phases = sorted({PHASES[r["meta"]["kind"]] for r in records if r.get("meta", {}).get("kind") in PHASES})
    years = sorted({r["meta"]["year"] for r in records if r.get("meta", {}).get("year")})
    amount = {"unit": "yuan", "currency": "CNY", "columnType": "value"}
    where = [
        _field("page", "integer", "PDF page (1-based)"),
        _field("line_start", "integer", "first source line"),
        _field("line_end", "integer", "last source line"),
        _field("char_start", "integer", "offset into the text"),
        _field("char_end", "integer", "end offset into the text"),
        _field("path", "string", "XPath (HTML)"),
        _field("table", "integer", "table index"),
        _field("row", "integer", "table row"),
        _field("col", "integer", "table column"),
        _field("bbox", "string", "x0;top;x1;bottom (PDF points)"),
    ]
    doc_key = [
        _field("source", "string", "the input path or URL"),
        _field("sha256", "string", "of the input bytes"),
    ]
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
                "name": "facts",
                "path": "facts.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        *doc_key,
                        _field("id", "string", "field id (FIELDS.md)"),
                        _field("value", "number", "the value: yuan for money, a count for counts", **amount),
                        _field("unit", "string", "unit as printed (万元…)"),
                        _field("unit_inferred", "boolean", "true when the table printed no unit"),
                        _field("method", "string", "prose, table or derived"),
                        _field("text", "string", "original text"),
                        _field("label", "string", "the label that named the value"),
                        _field("rule", "string", "vocabulary rule"),
                        _field("flags", "string", "flags, ; separated"),
                        *where,
                    ]
                },
            },
            {
                "name": "line_items",
                "path": "line_items.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        *doc_key,
                        _field("table", "integer", "table index"),
                        _field("row", "integer", "table row"),
                        _field("page", "integer", "PDF page"),
                        _field("kind", "string", "function or economic"),
                        _field("code", "string", "classification code"),
                        _field("parent", "string", "parent code"),
                        _field("name", "string", "classification name"),
                        _field("column", "string", "column header path"),
                        _field("value", "number", "amount in yuan", **amount),
                        _field("text", "string", "cell as printed"),
                        _field("unit", "string", "unit as printed"),
                    ]
                },
            },
            {
                "name": "indicators",
                "path": "indicators.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        *doc_key,
                        _field("table", "integer", "table index"),
                        _field("row", "integer", "table row"),
                        _field("parent", "string", "enclosing 部门职责"),
                        _field("activity", "string", "职责活动 / 项目"),
                        _field("budget", "number", "年度预算数 in yuan", **amount),
                        _field("level1", "string", "一级指标"),
                        _field("level2", "string", "二级指标"),
                        _field("indicator", "string", "绩效指标 / 三级指标"),
                        _field("target", "string", "指标值"),
                        _field("excellent", "string", "优"),
                        _field("good", "string", "良"),
                        _field("fair", "string", "中"),
                        _field("poor", "string", "差"),
                    ]
                },
            },
            {
                "name": "checks",
                "path": "checks.csv",
                "profile": "tabular-data-resource",
                "format": "csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        *doc_key,
                        _field("rule", "string", "check rule id"),
                        _field(
                            "status",
                            "string",
                            "pass, fail or not_applicable",
                            constraints={"enum": ["pass", "fail", "not_applicable"]},
                        ),
                        _field("subject", "string", "what was checked"),
                        _field("expected", "number", "expected value (yuan)", **amount),
                        _field("actual", "number", "stated value (yuan)", **amount),
                        _field("difference", "number", "actual - expected (yuan)", **amount),
                        _field("tolerance", "number", "half the last printed digit (yuan)", **amount),
                        _field("description", "string", "what the rule checks"),
                        _field("locations", "string", "evidence locations (JSON)"),
                    ]
                },
            },
        ],
    }
