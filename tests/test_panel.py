"""The panel and the one-value-per-field table answer the first questions without traps."""

from __future__ import annotations

import json
import sqlite3
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd

from disclosure_extract import load_patterns
from disclosure_extract.write.records import loads_record

from .conftest import CORPUS


def _truth_totals() -> dict[str, list[Decimal]]:
    """Document name -> the 三公 total(s) its truth file accepts."""
    out = {}
    for path in sorted((CORPUS / "truth").glob("*.json")):
        truth = json.loads(path.read_text(encoding="utf-8"))
        want = truth["fields"].get("sangong.total", truth.get("optional_fields", {}).get("sangong.total"))
        if want is not None:
            out[truth["doc"]] = [Decimal(str(w)) for w in (want if isinstance(want, list) else [want])]
    return out


def test_sangong_totals_the_same_in_sqlite_duckdb_and_pandas(corpus_output: Path) -> None:
    out = corpus_output
    db = sqlite3.connect(out / "disclosures.sqlite")
    by_sql = {
        Path(source).name: total
        for source, total in db.execute(
            "SELECT source, sangong_total FROM panel WHERE sangong_total IS NOT NULL"
        )
    }
    parquet = str(out / "parquet" / "panel.parquet")
    by_duckdb = {
        Path(source).name: total
        for source, total in duckdb.sql(
            f"SELECT source, sangong_total FROM read_parquet('{parquet}') WHERE sangong_total IS NOT NULL"
        ).fetchall()
    }
    panel = pd.read_csv(out / "panel.csv")
    by_pandas = {
        Path(source).name: total
        for source, total in panel.loc[
            panel["sangong_total"].notna(), ["source", "sangong_total"]
        ].itertuples(index=False)
    }
    assert by_sql.keys() == by_duckdb.keys() == by_pandas.keys()
    truth = _truth_totals()
    checked = 0
    for name, want in truth.items():
        if name not in by_sql:
            continue  # not extracted: the accuracy gate counts it missing
        # no cast, no de-duplication: each answer is the document's figure, in yuan
        for got in (by_sql[name], by_duckdb[name], by_pandas[name]):
            assert any(abs(Decimal(str(got)) - w) <= 1 for w in want), (name, got, want)
        checked += 1
    assert checked >= 30
    # and the panel holds what documents.jsonl says, for every document
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    for record in map(loads_record, lines):
        if "sangong.total" in record.fields:
            assert Decimal(str(by_sql[Path(record.source).name])) == record.fields["sangong.total"]


def test_one_value_per_document_and_field(corpus_output: Path) -> None:
    db = sqlite3.connect(corpus_output / "disclosures.sqlite")
    duplicates = db.execute(
        "SELECT sha256, field, COUNT(*) FROM field_values GROUP BY sha256, field HAVING COUNT(*) > 1"
    ).fetchall()
    assert duplicates == []
    # SUM over field_values counts each document once even where prose and table agree
    facts = db.execute("SELECT COUNT(*) FROM facts WHERE field = 'sangong.total'").fetchone()[0]
    values = db.execute("SELECT COUNT(*) FROM field_values WHERE field = 'sangong.total'").fetchone()[0]
    assert values < facts
    named = dict(db.execute("SELECT field, name FROM fields"))
    assert named["sangong.total"] == "“三公”经费" and len(named) == len(load_patterns().known_fields)


def test_departments_join_across_years_and_name_variants(corpus_output: Path) -> None:
    db = sqlite3.connect(corpus_output / "disclosures.sqlite")
    # Jiangsu's 中共江苏省委办公厅 and 江苏省委办公厅 are one department
    rows = db.execute(
        "SELECT department, year FROM documents WHERE department_key = '江苏省委办公厅' ORDER BY year"
    ).fetchall()
    assert {name for name, _ in rows} == {"中共江苏省委办公厅", "江苏省委办公厅"}
    years = db.execute("SELECT years FROM departments WHERE department_key = '江苏省委办公厅'").fetchone()[0]
    assert years == "2018"
    db.execute("PRAGMA foreign_keys = ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
