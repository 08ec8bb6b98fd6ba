"""Checks on real documents: the hand-edited final account fails what its original passes."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from disclosure_extract import Patterns, Result
from disclosure_extract.check import check_all
from disclosure_extract.check.rules import check_document
from disclosure_extract.cli import main
from disclosure_extract.model import COMPLETENESS_RULES
from disclosure_extract.pipeline import discover, run_batch
from disclosure_extract.write import dumps, loads_record, result_record

from .conftest import DOCS

ORIGINAL = "2024_final_shanghai_putuo_caizhengju.pdf"
EDITED = "2024_final_shanghai_putuo_caizhengju_TESTEDITED.pdf"


def _statuses(record: Result, patterns: Patterns) -> dict[tuple[str, str], str]:
    """The checks of its numbers (completeness is tested in test_completeness)."""
    checks = check_document(record, patterns)
    return {(r.rule, r.subject): r.status for r in checks if r.rule not in COMPLETENESS_RULES}


def test_edited_copy_fails_what_the_original_passes(tmp_path: Path, patterns: Patterns) -> None:
    run_batch(discover([DOCS / ORIGINAL, DOCS / EDITED]), tmp_path, patterns)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1  # failed checks
    checks = json.loads(result.stdout)
    keys = {
        "source",
        "rule",
        "status",
        "subject",
        "expected",
        "actual",
        "difference",
        "description",
        "locations",
    }
    assert set(checks[0]) == keys
    by_doc: dict[str, dict[tuple[str, str], dict]] = {}
    for c in checks:
        subject = next((loc.get("field", "") for loc in c["locations"]), "")
        by_doc.setdefault(Path(c["source"]).name, {})[(c["rule"], subject)] = c
    original, edited = by_doc[ORIGINAL], by_doc[EDITED]
    failed_only_in_edited = [
        key
        for key, c in edited.items()
        if c["status"] == "fail" and original.get(key, {}).get("status") == "pass"
    ]
    assert ("prose_equals_table", "expenditure.total") in failed_only_in_edited
    broken = edited[("prose_equals_table", "expenditure.total")]
    assert (broken["expected"], broken["actual"], broken["difference"]) == (29953900, 0, -29953900)
    assert {loc["text"] for loc in broken["locations"]} == {
        "2,995.39",
        "上海市普陀区财政局2024年度收入支出总计0万元",
    }


def test_identity_failure_with_both_numbers(results: dict[str, Result], patterns: Patterns) -> None:
    checks = check_document(results["2015_final_fujian_pingtan_gonganju_juesuan_shuoming.txt"], patterns)
    basic = next(r for r in checks if r.rule == "basic_personnel_plus_public")
    # 基本支出7663.19万元, but 人员支出5781.07 + 公用支出1714.43 = 7,495.50
    assert (basic.status, basic.expected, basic.actual, basic.difference) == (
        "fail",
        Decimal(74955000),
        Decimal(76631900),
        Decimal(1676900),
    )
    # half the last digit of 0.01万元 for each of the three figures, each rounded on its own
    assert basic.tolerance == Decimal(150)
    assert {loc["text"].strip() for loc in basic.locations} == {
        "1. 基本支出7663.19万元",
        "人员支出5781.07万元",
        "公用支出1714.43万元",
    }


def test_a_sum_one_rounding_apart_passes(results: dict[str, Result], patterns: Patterns) -> None:
    results = {r.rule: r for r in check_document(results["pingtan_2014_final_jianchayuan.html"], patterns)}
    # 年初结转和结余 161.90 + 本年收入合计 3,804.70 = 3,966.60, and 收入总计 says 3,966.59: three
    # figures rounded to 0.01万元 each may be 0.015万元 off their exact sum
    income = results["income_total_parts"]
    assert (income.status, income.expected, income.actual, income.difference) == (
        "pass",
        Decimal(39666000),
        Decimal(39665900),
        Decimal(-100),
    )
    assert income.tolerance == Decimal(150)
    assert results["expenditure_total_parts"].status == "pass"  # 3,698.55 + 268.04 = 3,966.59
    assert results["sangong_total_parts"].status == "not_applicable"


def test_row_sums_and_subtotal_columns(results: dict[str, Result], patterns: Patterns) -> None:
    results = [
        r
        for r in check_document(results["pingtan_2014_final_shuiliju.html"], patterns)
        if r.rule == "line_item_row_sum"
    ]
    by_subject = {r.subject: r for r in results}
    # 3.19 + 1.71 = 4.90, and the 213 row's 三公 total says 4.89 (the 合计 row says 4.90): three
    # figures each rounded to 0.01万元 may be that far apart (3.185 + 1.705 = 4.89)
    row = by_subject["213 / “三公”经费公共财政拨款支出合计"]
    assert (row.status, row.expected, row.actual) == ("pass", Decimal(49000), Decimal(48900))
    assert row.tolerance == Decimal(150)
    assert by_subject["2130304 / “三公”经费公共财政拨款支出合计"].status == "pass"
    # the 公务用车…小计 column is a subtotal of its group, not a row total
    assert not any("小计" in s for s in by_subject)


def test_clean_documents_pass(results: dict[str, Result], patterns: Patterns) -> None:
    for name in (
        "2025_budget_shanghai_putuo_qufuban_dept.pdf",
        "2025_budget_shanghai_putuo_shangwuwei_unit.pdf",
        "pingtan_2017_budget_renda.html",
    ):
        statuses = _statuses(results[name], patterns)
        assert "fail" not in statuses.values(), name
        assert "pass" in statuses.values(), name


def test_across_documents(tmp_path: Path, patterns: Patterns) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(DOCS / "pingtan_2017_budget_renda.html", folder / "renda.html")
    shutil.copy(DOCS / "pingtan_2017_budget_renda.html", folder / "renda_copy.html")
    (folder / "renda_2016.txt").write_text(
        "平潭县人大常委会2016年部门预算公开说明\n\n一、预算收支\n2016年部门支出预算为621.77万元。\n",
        encoding="utf-8",
    )
    (folder / "renda_2016_更正.txt").write_text(
        "平潭县人大常委会2016年部门预算公开说明（更正）\n\n一、预算收支\n2016年部门支出预算为621.77万元。\n",
        encoding="utf-8",
    )
    run_batch(discover([folder]), tmp_path / "out", patterns)
    records = [
        loads_record(x)
        for x in (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    results = check_all(records, patterns)
    dup = [r for r in results if r.rule == "duplicate_content"]
    assert sorted(Path(r.source).name for r in dup) == ["renda.html", "renda_copy.html"]
    correction = next(r for r in results if r.rule == "correction")
    assert [Path(loc["source"]).name for loc in correction.locations] == ["renda_2016.txt"]
    # 2017's document gives 2016's total (621.77) only by derivation: not stated, so not
    # checked; nothing invents a previous-year figure
    assert not [r for r in results if r.rule == "previous_year_matches"]
    csv_rows = (tmp_path / "out" / "checks.csv").read_text(encoding="utf-8").splitlines()
    assert csv_rows[0].startswith("source,sha256,n,rule,category,status")
    assert any(",duplicate_content,across_documents,fail," in row for row in csv_rows)


def test_optional_parts_and_kind_limits(results: dict[str, Result], patterns: Patterns) -> None:
    # Jiangsu budgets have a third spending part, 单位预留机动经费: counted where stated
    jiangsu = {
        r.rule: r
        for r in check_document(
            results["2019_budget_jiangsu_prov_rendachangweihui_office_text.pdf"], patterns
        )
    }
    assert jiangsu["expenditure_basic_plus_project"].status == "pass"
    assert jiangsu["expenditure_basic_plus_project"].expected == Decimal(183303700)
    # in final accounts sangong.total_prev is the budget, so "change = this − previous" does not apply
    final = {r.rule for r in check_document(results[ORIGINAL], patterns)}
    assert "stated_sangong_change" not in final and "sangong_total_parts" in final


def _as_if_ocr(record: Result) -> Result:
    """The same record as if every stated figure had been read off a scan by OCR."""
    copy = loads_record(dumps(result_record(record)))
    for fact in copy.facts:
        fact.evidence.location = replace(fact.evidence.location, ocr_confidence=0.97)
    for item in copy.line_items:
        for amount in item.amounts:
            amount.location = replace(amount.location, ocr_confidence=0.97)
    return copy


def test_ocr_figures_are_allowed_one_last_digit(results: dict[str, Result], patterns: Patterns) -> None:
    record = _as_if_ocr(results["pingtan_2014_final_jianchayuan.html"])
    income = {r.rule: r for r in check_document(record, patterns)}["income_total_parts"]
    # 161.90 + 3,804.70 against 3,966.59: the rounding bound of three figures (150 yuan), and
    # a scan's last digit, which OCR may blur, allowed whole
    assert (income.status, income.difference, income.tolerance) == ("pass", Decimal(-100), Decimal(300))


def test_a_scanned_page_failing_its_sums_is_flagged(results: dict[str, Result], patterns: Patterns) -> None:
    original = check_document(results[EDITED], patterns)
    assert not any(r.rule == "ocr_page_sums" for r in original)  # a text layer: no page flag
    checks = check_document(_as_if_ocr(results[EDITED]), patterns)
    sums = [r for r in checks if r.rule != "ocr_page_sums" and r.rule not in COMPLETENESS_RULES]
    failed = [r for r in sums if r.status == "fail"]
    failed_pages = {int(where["page"]) for r in failed for where in r.locations if "page" in where}
    flagged = [r for r in checks if r.rule == "ocr_page_sums"]
    assert flagged and {r.locations[0]["page"] for r in flagged} == failed_pages
    for r in flagged:
        assert r.status == "fail" and r.subject.startswith(f"page {r.locations[0]['page']}: ")
