"""The dataset: SQLite with keys, Parquet, and a Frictionless Data Package that validates."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pandas as pd
import pytest
from frictionless import validate

from disclosure_extract import Patterns
from disclosure_extract.errors import OutputError
from disclosure_extract.model import CheckResult, Result
from disclosure_extract.pipeline import discover, run_batch
from disclosure_extract.write import OutputStream, loads_record

from .conftest import DOCS, TEXT_HTML

INPUTS = [*TEXT_HTML, DOCS / "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf"]
TABLES = ("documents", "sources", "facts", "line_items", "indicators", "checks", "issues")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, patterns: Patterns) -> Path:
    folder = tmp_path_factory.mktemp("dataset")
    run_batch(discover(INPUTS), folder, patterns)
    return folder


def _counts(db_path: Path) -> dict[str, int]:
    db = sqlite3.connect(db_path)
    return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_datapackage_validates(out: Path) -> None:
    report = validate(str(out / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_sqlite_integrity_and_keys(out: Path) -> None:
    db = sqlite3.connect(out / "disclosures.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.execute("PRAGMA foreign_keys = ON")
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    counts = _counts(out / "disclosures.sqlite")
    assert counts["documents"] == 6 and counts["sources"] == 6
    assert counts["facts"] > 100 and counts["line_items"] > 50 and counts["indicators"] == 15
    value, phase = db.execute(
        "SELECT f.value, d.phase FROM facts f JOIN documents d USING (sha256) "
        "WHERE f.field = 'income.total' AND d.department = '山海关区总工会' AND f.in_fields = 1"
    ).fetchone()
    assert (value, phase) == (962200, "approved")  # a number, not text; 预算 -> approved
    indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"facts_field", "line_items_code", "checks_rule_status"} <= indexes


def test_second_run_gives_the_same_rows(out: Path, patterns: Patterns) -> None:
    before = _counts(out / "disclosures.sqlite")
    run_batch(discover(INPUTS), out, patterns)
    assert _counts(out / "disclosures.sqlite") == before


def test_parquet_matches_sqlite(out: Path) -> None:
    counts = _counts(out / "disclosures.sqlite")
    for table in ("facts", "line_items", "checks"):
        assert len(pd.read_parquet(out / "parquet" / f"{table}.parquet")) == counts[table]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _records(out: Path) -> list[Result]:
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return [loads_record(line) for line in lines]


def test_failed_write_keeps_the_previous_outputs(out: Path, patterns: Patterns) -> None:
    before = _snapshot(out)
    # a check of a source that is not in the dataset breaks a foreign key at the end
    stray = CheckResult("nope", None, "x", "fail", "a check of nothing")
    with (
        pytest.raises(OutputError, match="refer to rows that are not there"),
        OutputStream(out, patterns) as stream,
    ):
        for result in _records(out):
            stream.add(result, [])
        stream.close([stray])
    assert _snapshot(out) == before  # no file changed, no temporary file left


def test_interrupted_write_keeps_the_previous_outputs(out: Path, patterns: Patterns) -> None:
    before = _snapshot(out)
    with pytest.raises(KeyboardInterrupt), OutputStream(out, patterns) as stream:
        stream.add(_records(out)[0], [])
        raise KeyboardInterrupt
    assert _snapshot(out) == before
