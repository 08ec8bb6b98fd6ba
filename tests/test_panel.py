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
    query = "SELECT disclosure_id, sangong_total FROM panel WHERE sangong_total IS NOT NULL"
    by_sql = dict(db.execute(query).fetchall())
    parquet = str(out / "parquet" / "panel.parquet")
    by_duckdb = dict(duckdb.sql(query.replace("FROM panel", f"FROM read_parquet('{parquet}')")).fetchall())
    panel = pd.read_csv(out / "panel.csv")
    by_pandas = dict(
        panel.loc[panel["sangong_total"].notna(), ["disclosure_id", "sangong_total"]].itertuples(index=False)
    )
    assert by_sql.keys() == by_duckdb.keys() == by_pandas.keys()
    # each disclosure's figure is its primary document's (the one stating the most fields)
    primary = {Path(source).name: d for d, source in db.execute("SELECT disclosure_id, source FROM panel")}
    truth = _truth_totals()
    checked = 0
    for name, want in truth.items():
        if primary.get(name) not in by_sql:
            continue  # not extracted, or part of a disclosure another file heads
        # no cast, no de-duplication: each answer is the disclosure's figure, in yuan
        for got in (by_sql[primary[name]], by_duckdb[primary[name]], by_pandas[primary[name]]):
            assert any(abs(Decimal(str(got)) - w) <= 1 for w in want), (name, got, want)
        checked += 1
    assert checked >= 30
    # and the panel holds what documents.jsonl says, for every primary document
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    for record in map(loads_record, lines):
        name = Path(record.source).name
        if "sangong.total" in record.fields and name in primary:
            assert Decimal(str(by_sql[primary[name]])) == record.fields["sangong.total"]


def test_a_disclosure_in_two_files_is_one_panel_row(corpus_output: Path) -> None:
    db = sqlite3.connect(corpus_output / "disclosures.sqlite")
    twice = db.execute(
        "SELECT department_key, year, kind, COUNT(*) FROM panel WHERE department_key IS NOT NULL "
        "GROUP BY department_key, year, kind HAVING COUNT(*) > 1"
    ).fetchall()
    assert twice == []
    # Jiangsu 2019 人大: a 说明 and its tables, both stating income 183,303,700: counted once
    key = "江苏省人大常委会办公厅"
    total, rows, files = db.execute(
        "SELECT SUM(income_total), COUNT(*), SUM(documents) FROM panel "
        "WHERE department_key = ? AND year = 2019",
        (key,),
    ).fetchone()
    assert (total, rows, files) == (183303700, 1, 2)
    # its 三公 total is stated only by the tables file: the panel row has it all the same
    assert db.execute(
        "SELECT sangong_total FROM panel WHERE department_key = ? AND year = 2019", (key,)
    ).fetchone() == (7676000,)
    # the edited test copy of the Putuo final account is a near copy of the original
    copies = db.execute(
        "SELECT source, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL"
    ).fetchall()
    original = db.execute(
        "SELECT sha256 FROM documents WHERE source LIKE '%putuo_caizhengju.pdf'"
    ).fetchone()[0]
    assert [(Path(s).name, d) for s, d in copies] == [
        ("2024_final_shanghai_putuo_caizhengju_TESTEDITED.pdf", original)
    ]
    # the 说明 and tables files of one disclosure are parts, not copies; they share the id
    ids = db.execute(
        "SELECT DISTINCT disclosure_id FROM documents WHERE source LIKE '%2019_budget_jiangsu%'"
    ).fetchall()
    assert len(ids) == 1


def test_unknown_stays_unknown_in_pandas(corpus_output: Path) -> None:
    # the README's query: a year with no stated 三公 total is NaN, not 0
    panel = pd.read_csv(corpus_output / "panel.csv")
    budgets = panel[panel["kind"] == "budget"]
    totals = budgets.groupby("year")["sangong_total"].sum(min_count=1)
    unstated = budgets.groupby("year")["sangong_total"].count() == 0
    assert unstated.any() and totals[unstated].isna().all()


def test_departments_need_their_region(corpus_output: Path) -> None:
    db = sqlite3.connect(corpus_output / "disclosures.sqlite")
    rows = dict(
        db.execute(
            "SELECT department, department_key_note FROM documents "
            "WHERE department IN ('经济发展局', '中楼乡')"
        )
    )
    assert set(rows) == {"经济发展局", "中楼乡"}
    assert all("names no government" in note for note in rows.values())
    # every key-less document says why
    assert db.execute(
        "SELECT COUNT(*) FROM documents WHERE department_key IS NULL AND department_key_note IS NULL"
    ).fetchone() == (0,)
    # a key never turns one body into another (办公室 is not 办公厅), and lists what is printed
    key = "上海市普陀区人民政府办公室"
    assert db.execute("SELECT names FROM departments WHERE department_key = ?", (key,)).fetchone() == (key,)


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


def test_a_final_accounts_comparison_figure_says_which_it_is(corpus_output: Path) -> None:
    # sangong.total_prev is last year's figure, or in a final account often the same year's
    # budget (年初预算): two columns, so that total minus the figure is the stated change
    db = sqlite3.connect(corpus_output / "disclosures.sqlite")
    putuo = db.execute(
        "SELECT sangong_total, sangong_total_budgeted, sangong_total_previous_year FROM panel "
        "WHERE source LIKE '%2024_final_shanghai_putuo_caizhengju.pdf'"
    ).fetchone()
    assert putuo == (0, 9500, None)  # 年初预算0.95万元, 决算0
    rows = db.execute(
        "SELECT sangong_total, sangong_total_previous_year, sangong_total_change_vs_previous_year FROM panel "
        "WHERE sangong_total_previous_year IS NOT NULL AND sangong_total_change_vs_previous_year IS NOT NULL"
    ).fetchall()
    assert len(rows) >= 5
    assert all(total - previous == change for total, previous, change in rows)
    columns = [row[1] for row in db.execute("PRAGMA table_info(panel)")]
    assert "sangong_total_prev" not in columns and "sangong_total_change" not in columns


def test_budget_against_final_account_can_be_asked(corpus_output: Path) -> None:
    # one row per disclosure: a department's budget and final account of a year side by side
    panel = pd.read_csv(corpus_output / "panel.csv")
    keyed = panel[panel["department_key"].notna() & panel["kind"].notna()]
    wide = keyed.pivot(index=["department_key", "year"], columns="kind", values="sangong_total")
    assert set(wide.columns) == {"budget", "final_accounts"}
    assert len(wide) == len(keyed[["department_key", "year"]].drop_duplicates())
