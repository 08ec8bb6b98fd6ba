"""Each output table is declared once: CSV, SQLite, Parquet and datapackage agree on it."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from disclosure_extract import Patterns, load_patterns
from disclosure_extract.pipeline import discover, run_batch
from disclosure_extract.write import schema

from .conftest import SEED, TEXT_HTML

SQL_TO_KIND = {"TEXT": "string", "INTEGER": "integer", "NUMERIC": "number"}
FRICTIONLESS_TO_KIND = {"string": "string", "integer": "integer", "boolean": "integer", "number": "number"}
ARROW_TO_KIND = {"string": "string", "int64": "integer", "bool": "integer"}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, patterns: Patterns) -> Path:
    folder = tmp_path_factory.mktemp("schema")
    run_batch(discover(TEXT_HTML), folder, patterns)
    return folder


def _arrow_kind(type_name: str) -> str:
    return "number" if type_name.startswith("decimal") else ARROW_TO_KIND[type_name]


ALL_TABLES = (*schema.TABLES, schema.panel_table(load_patterns()))


@pytest.mark.parametrize("table", ALL_TABLES, ids=lambda t: t.name)
def test_the_four_outputs_have_the_same_columns_and_types(out: Path, table: schema.OutputTable) -> None:
    declared = [(c.name, FRICTIONLESS_TO_KIND[schema.FRICTIONLESS_TYPES[c.type]]) for c in table.columns]
    with (out / table.csv_name).open(encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    db = sqlite3.connect(out / "disclosures.sqlite")
    info = list(db.execute(f'PRAGMA table_info("{table.name}")'))
    declared_sql = declared
    sql = [(row[1], SQL_TO_KIND[row[2]]) for row in info]
    arrow = pq.read_schema(out / "parquet" / f"{table.name}.parquet")
    parquet = [(f.name, _arrow_kind(str(f.type))) for f in arrow]
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == table.name)
    frictionless = [(f["name"], FRICTIONLESS_TO_KIND[f["type"]]) for f in resource["schema"]["fields"]]
    assert header == [name for name, _ in declared]
    assert sql == declared_sql
    assert parquet == declared
    assert frictionless == declared
    assert resource["path"] == table.csv_name
    assert resource["schema"]["primaryKey"] == list(table.primary_key)


def test_money_is_a_number_everywhere(out: Path) -> None:
    db = sqlite3.connect(out / "disclosures.sqlite")
    kinds = {row[0] for row in db.execute("SELECT DISTINCT typeof(value) FROM facts")}
    assert kinds <= {"integer", "real"}
    arrow = pq.read_table(out / "parquet" / "facts.parquet")
    assert str(arrow.schema.field("value").type) == "decimal128(22, 4)"
    assert str(arrow.schema.field("page").type) == "int64"
    # SUM works without a cast, in yuan, and in_fields marks one statement per field even
    # where prose and table state the same figure
    query = (
        "SELECT SUM(value), COUNT(*) FROM facts WHERE field = 'income.total' AND source LIKE '%shanhaiguan%'"
    )
    assert db.execute(query).fetchone() == (962200 * 2, 2)
    assert db.execute(query + " AND in_fields").fetchone() == (962200, 1)


def test_an_empty_table_keeps_its_schema(tmp_path: Path, patterns: Patterns) -> None:
    run_batch(discover([SEED.parent / "pingtan_2014_final_shuiliju.html"]), tmp_path, patterns)
    indicators = pq.read_table(tmp_path / "parquet" / "indicators.parquet")
    assert indicators.num_rows == 0
    assert indicators.schema.names == schema.INDICATORS.column_names
    header = (tmp_path / "indicators.csv").read_text(encoding="utf-8").splitlines()
    assert header == [",".join(schema.INDICATORS.column_names)]


def test_counts_are_never_declared_as_yuan(out: Path) -> None:
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    fields = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in package["resources"]}
    assert fields["panel"]["assets_vehicles"]["type"] == "integer"
    assert "unit" not in fields["panel"]["assets_vehicles"]
    # a column holding money and counts says its unit is in the row's unit column
    for table in ("facts", "field_values"):
        assert "unit" not in fields[table]["value"] and "unit" in fields[table]
    metadata = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    tables = metadata["databases"]["disclosures"]["tables"]
    assert "(yuan)" not in tables["panel"]["columns"]["assets_vehicles"]
    assert "(yuan)" not in tables["field_values"]["columns"]["value"]
    assert "(yuan)" in tables["panel"]["columns"]["sangong_total"]
