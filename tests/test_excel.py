"""Excel attachments: .xlsx and legacy .xls, one table per sheet, cell addresses as evidence."""

from __future__ import annotations

from pathlib import Path

from disclosure_extract import Patterns

from .conftest import CORPUS, DOCS, extract_record

REGRESS = CORPUS / "regress"


def _extract(path: Path, patterns: Patterns) -> dict:
    return extract_record(path, patterns)


def test_xlsx_gives_what_the_published_page_gives(patterns: Patterns) -> None:
    # the real 收入支出决算批复表 of a published page, saved as a workbook (scripts/make_xlsx_fixture.py)
    workbook = _extract(REGRESS / "jianchayuan_2014_final_table.xlsx", patterns)
    page = _extract(DOCS / "pingtan_2014_final_jianchayuan.html", patterns)
    assert workbook["format"] == "xlsx" and workbook["status"] == "ok"
    assert workbook["fields"] == page["fields"]
    (fact,) = [f for f in workbook["facts"] if f["id"] == "income.total"]
    assert (fact["text"], fact["value"], fact["unit"]) == ("3966.59", 39665900, "万元")
    assert fact["location"]["path"] == "收入支出决算批复表!B22"


def test_legacy_xls_template_sheets_are_standard_tables(patterns: Patterns) -> None:
    record = _extract(REGRESS / "2026_budget_template_shanghai_putuo_unit.xls", patterns)
    assert record["format"] == "xls" and record["status"] == "ok"
    kinds = [t["kind"] for t in record["tables"] if t["kind"]]
    assert kinds == [
        "income_expenditure_summary",
        "income_summary",
        "expenditure_summary",
        "appropriation_summary",
        "appropriation_function",
        "gov_fund_expenditure",
        "state_capital_expenditure",
        "appropriation_basic_economic",
        "sangong",
    ]
    summary = next(t for t in record["tables"] if t["kind"] == "income_expenditure_summary")
    assert summary["unit"] == "元" and summary["caption"].startswith("单位收支总表")  # 单位：元, as printed
    # merged title rows are spans, not repeated text
    assert all(c["text"] != summary["cells"][0]["text"] or c is summary["cells"][0] for c in summary["cells"])
    assert record["meta"]["year"] == 2026
