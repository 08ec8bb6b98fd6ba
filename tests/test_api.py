"""The Python API for notebooks: one call, a typed result, DataFrame views, its checks."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disclosure_extract import Extraction, LoadError, extract

from .conftest import BAD, DOCS, SEED


def test_extract_a_path_gives_the_typed_result_and_dataframes() -> None:
    doc = extract(DOCS / "pingtan_2017_budget_renda.html")
    assert isinstance(doc, Extraction) and not doc.failed
    assert doc.fields["sangong.total"] == Decimal(96000)  # the typed result's own attributes
    assert doc.meta.department == "平潭县人大常委会" and doc.meta.year == 2017
    values = doc.values
    row = values.set_index("field").loc["sangong.total"]
    assert row["value"] == Decimal(96000) and row["name"] == "“三公”经费" and row["unit"] == "yuan"
    assert len(values) == sum(1 for f in doc.fields if not f.startswith("meta."))
    tables = doc.tables
    assert len(tables) == len(doc.result.tables) and tables[0].attrs["unit"] == "万元"


def test_extract_bytes_and_check() -> None:
    doc = extract(SEED.read_bytes(), source="seed.txt")
    assert doc.source == "seed.txt" and doc.fields["income.total"] == Decimal(962200)
    checks = doc.check()
    assert {"rule", "status", "expected", "actual", "difference"} <= set(checks.columns)
    assert set(checks["status"]) <= {"pass", "fail", "not_applicable"}
    assert (checks["status"] == "pass").any()


def test_a_bad_document_is_a_failed_result_not_an_exception() -> None:
    doc = extract(BAD / "encrypted.pdf")
    assert doc.failed and [i.code for i in doc.issues] == ["encrypted_pdf"]
    assert doc.values.empty
    with pytest.raises(LoadError, match="no such file"):
        extract(BAD / "no_such_file.pdf")
