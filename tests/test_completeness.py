"""Is the disclosure complete? Each document held to its template (patterns/templates.yml),
on real documents: what a reader of each would say is there, attached, explained or missing."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from disclosure_extract import Patterns
from disclosure_extract.check import check_dataset, check_document, dataset_summary
from disclosure_extract.cli import main
from disclosure_extract.errors import PatternError
from disclosure_extract.model import Result
from disclosure_extract.patterns import load_patterns
from disclosure_extract.pipeline import discover, extract_file, run_batch

from .conftest import CORPUS, DOCS, ROOT, SEED

TWINS = CORPUS / "completeness"
NATIONAL_BUDGET_TABLES = [
    "部门收支总表",
    "部门收入总表",
    "部门支出总表",
    "财政拨款收支总表",
    "一般公共预算支出表",
    "一般公共预算基本支出表",
    "一般公共预算“三公”经费支出表",
    "政府性基金预算支出表",
]


def _extract(path: Path, patterns: Patterns) -> Result:
    return extract_file(path, path.name, patterns)


def _items(result: Result) -> dict[str, tuple[str, str]]:
    assert result.completeness is not None
    return {
        i.item + ("" if i.group == "table" else "/section"): (i.status, i.found)
        for i in result.completeness.items
    }


def test_the_seed_page_has_every_section_and_none_of_the_tables(patterns: Patterns) -> None:
    # 山海关区总工会's 部门预算公开说明: the sections of the Hebei 说明, four tables of its own
    # (机构, 绩效, 政府采购, 资产); the eight standard tables are not on this page
    result = _extract(SEED, patterns)
    assert result.completeness is not None and result.completeness.template == "national_budget"
    items = _items(result)
    tables = [i for i in result.completeness.items if i.group == "table" and i.required]
    assert [i.title for i in tables] == NATIONAL_BUDGET_TABLES
    assert {i.status for i in tables} == {"missing"}
    sections = {k: v[0] for k, v in items.items() if k.endswith("/section")}
    assert set(sections.values()) == {"present"}
    assert items["operating_costs/section"] == ("present", "三、机关运行经费安排情况")
    assert result.completeness.score == pytest.approx(0.5)  # 8 sections of 16 items


def test_a_pingtan_page_lists_its_tables_as_attachments(patterns: Patterns) -> None:
    result = _extract(DOCS / "pingtan_2017_budget_renda.html", patterns)
    items = _items(result)
    attached = {k: v[1] for k, v in items.items() if v[0] == "attached"}
    assert attached == {
        "income_expenditure_summary": "收支预算总表",
        "income_summary": "收入预算总表",
        "expenditure_summary": "支出预算总表",
        "appropriation_summary": "财政拨款收支预算总表",
        "appropriation_function": "一般公共预算拨款支出预算表",
        "appropriation_basic_economic": "一般公共预算基本支出经济分类情况表",
        "sangong": "一般公共预算“三公”经费支出预算表",
        "gov_fund_expenditure": "政府性基金拨款支出预算表",
    }
    # the 2017 page has no 国有资产 or 绩效 section (both required from 2017)
    missing = sorted(k for k, v in items.items() if v[0] == "missing")
    assert missing == ["assets/section", "performance/section", "state_capital_expenditure"]


def test_a_table_the_page_explains_is_not_missing(patterns: Patterns) -> None:
    # the 2016 final account page without its list of attachments: 政府性基金 is explained
    result = _extract(TWINS / "pingtan_2016_final_jianchayuan_without_attachment_list.html", patterns)
    items = _items(result)
    assert items["gov_fund_expenditure"] == ("explained", "2016年度政府性基金支出0.00万元，本表无数据。")
    assert items["income_expenditure_summary"][0] == "missing"


def test_shanghai_tables_are_standard_under_shanghais_template(patterns: Patterns) -> None:
    result = _extract(DOCS / "2023_budget_shanghai_putuo_wanlijiedao.pdf", patterns)
    assert result.completeness is not None and result.completeness.template == "shanghai_budget"
    assert {s for s, _ in _items(result).values()} == {"present"}
    assert result.completeness.score == 1


def test_a_non_standard_title_is_named(patterns: Patterns) -> None:
    result = _extract(DOCS / "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf", patterns)
    items = _items(result)
    assert items["sangong"] == ("nonstandard", "“三公”经费、会议费、培训费支出预算表")
    assert items["income_expenditure_summary"] == ("present", "收支预算总表")


def _check(folder: Path, *paths: Path) -> dict[str, dict[str, object]]:
    run_batch(discover(list(paths)), folder, load_patterns())
    run = CliRunner().invoke(main, ["check", str(folder), "--format", "json"])
    return {Path(str(r["source"])).name: r for r in json.loads(run.stdout) if r["rule"] == "required_tables"}


def test_the_edited_copy_fails_what_its_original_passes_and_a_removed_table_is_named(tmp_path: Path) -> None:
    original = DOCS / "2024_final_shanghai_putuo_caizhengju.pdf"
    edited = DOCS / "2024_final_shanghai_putuo_caizhengju_TESTEDITED.pdf"
    twin = TWINS / "2019_budget_jiangsu_prov_rendachangweihui_office_tables_without_sangong.pdf"
    checks = _check(tmp_path, original, edited, twin)
    assert checks[original.name]["status"] == "pass"
    assert checks[edited.name]["status"] == "fail"
    edited_says = str(checks[edited.name]["description"])
    assert edited_says.startswith("national_final: 8 of 9 required; missing: 支出决算表")
    assert checks[twin.name]["status"] == "fail"
    assert str(checks[twin.name]["description"]).startswith(
        "national_budget: 7 of 8 required; missing: 一般公共预算“三公”经费支出表"
    )


def test_every_annotated_document_gets_a_required_tables_result(tmp_path: Path) -> None:
    truth = sorted(p.stem for p in (CORPUS / "truth").glob("*.json"))
    docs = [p for p in sorted(DOCS.iterdir()) if p.stem in truth or p.name in truth]
    checks = _check(tmp_path, *docs)
    assert sorted(checks) == sorted(p.name for p in docs)
    for name, check in checks.items():
        assert check["status"] in ("pass", "fail", "not_applicable"), name
        if check["status"] == "fail":
            assert "missing: " in str(check["description"]), name
    # the documents table and the panel carry the score
    panel = (tmp_path / "panel.csv").read_text(encoding="utf-8").splitlines()
    assert "completeness" in panel[0].split(",")


def test_a_template_with_an_unknown_table_kind_is_refused_at_its_line(tmp_path: Path) -> None:
    folder = tmp_path / "patterns"
    folder.mkdir()
    for path in (ROOT / "patterns").glob("*.yml"):
        (folder / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    text = (folder / "templates.yml").read_text(encoding="utf-8")
    (folder / "templates.yml").write_text(
        text.replace("kind: sangong,", "kind: sangongg,", 1), encoding="utf-8"
    )
    with pytest.raises(PatternError, match=r"templates\.yml:\d+: kind 'sangongg' is not a table kind"):
        load_patterns(folder)


def test_every_code_in_the_corpus_is_named_as_the_other_documents_of_its_year_name_it(
    patterns: Patterns,
) -> None:
    results = [_extract(p, patterns) for p in sorted(DOCS.glob("*.pdf"))]
    codes = {(i.kind, i.code, r.meta.year) for r in results for i in r.line_items}
    assert len(codes) > 300
    summaries = [dataset_summary(r, patterns) for r in results]
    found = [c for c in check_dataset(summaries, patterns) if c.rule == "code_name_consensus"]
    # names that changed between years are not mismatches: 20805 is 行政事业单位离退休 in the
    # 2017-2019 Jiangsu budgets and 行政事业单位养老支出 in the 2023-2025 Shanghai ones
    assert found == []
    # a third 2025 document printing 20805 under its old name is
    qufuban = next(r for r in summaries if r.source.endswith("2025_budget_shanghai_putuo_qufuban_dept.pdf"))
    renamed = copy.deepcopy(qufuban)
    renamed.source, renamed.sha256 = "renamed.pdf", "0" * 64
    for item in renamed.line_items:
        if item.code == "20805":
            item.name = "行政事业单位离退休"
    found = [c for c in check_dataset([*summaries, renamed], patterns) if c.rule == "code_name_consensus"]
    assert [(c.source, c.subject) for c in found] == [("renamed.pdf", "function 20805")]
    assert "2 of the 3 documents of 2025 printing it name it 行政事业单位养老支出" in found[0].description


def test_a_stated_change_without_its_reason_is_named(patterns: Patterns) -> None:
    seed = _extract(SEED, patterns)
    assert seed.completeness is not None
    [change] = seed.completeness.changes  # 较2016年预算增加35.67万元 …，主要为人员支出
    assert change.text.startswith("2017年预算收支安排96.22万元，较2016年预算增加35.67万元")
    assert "主要为人员支出" in change.reason
    fayuan = _extract(DOCS / "pingtan_2015_final_fayuan.html", patterns)
    [check] = [c for c in check_document(fayuan, patterns) if c.rule == "change_reason"]
    assert check.status == "fail"
    assert check.description.startswith("3 of ")
    assert "与2014年相比，公务接待费支出下降14%。" in check.description


def test_the_edited_copy_names_another_department_than_its_cover(patterns: Patterns) -> None:
    def name_check(path: Path) -> tuple[str, str]:
        [check] = [
            c for c in check_document(_extract(path, patterns), patterns) if c.rule == "department_name"
        ]
        return check.status, check.description

    original = name_check(DOCS / "2024_final_shanghai_putuo_caizhengju.pdf")
    assert original == ("pass", "the cover's 上海市普陀区财政局 throughout")
    edited = name_check(DOCS / "2024_final_shanghai_putuo_caizhengju_TESTEDITED.pdf")
    assert edited == ("fail", "the cover names 上海市普陀区财政局; elsewhere it is named 上海市普陀区XX局")
    # an abbreviation is a form of the name, listed, not a mismatch
    jiangsu = name_check(DOCS / "2017_budget_jiangsu_prov_rendachangweihui_office.pdf")
    assert jiangsu == ("pass", "the cover's 江苏省人大常委会办公厅 throughout (also as 省人大办公厅)")


def test_a_disclosure_in_two_files_is_complete_when_together_they_are(patterns: Patterns) -> None:
    text = _extract(DOCS / "2019_budget_jiangsu_prov_rendachangweihui_office_text.pdf", patterns)
    tables = _extract(DOCS / "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf", patterns)
    cut = _extract(
        TWINS / "2019_budget_jiangsu_prov_rendachangweihui_office_tables_without_sangong.pdf", patterns
    )

    def disclosure(*results: Result) -> tuple[str, str]:
        summaries = [dataset_summary(r, patterns) for r in results]
        [check] = [c for c in check_dataset(summaries, patterns) if c.rule == "required_tables_disclosure"]
        return check.status, check.description

    # the 说明 alone has no table; with its tables file every required table is there
    assert _items(text)["income_expenditure_summary"][0] == "missing"
    assert disclosure(text, tables) == (
        "pass",
        "江苏省人大常委会办公厅 2019 budget, published as 2 files: every required table in one of them",
    )
    status, description = disclosure(text, cut)
    assert status == "fail"
    assert description.endswith("published as 2 files: missing in all of them: 一般公共预算“三公”经费支出表")


def test_an_empty_table_says_why(patterns: Patterns) -> None:
    def empty_check(path: Path) -> tuple[str, str]:
        checks = check_document(_extract(path, patterns), patterns)
        [check] = [c for c in checks if c.rule == "empty_table_statement"]
        return check.status, check.description

    status, says = empty_check(DOCS / "2024_final_shanghai_putuo_caizhengju.pdf")
    assert status == "pass"
    assert "(注：上海市普陀区财政局无政府性基金预算财政拨款支出，故本表无数据。)" in says
    # the edited copy blanked its 三公 table and says nothing of it
    status, says = empty_check(DOCS / "2024_final_shanghai_putuo_caizhengju_TESTEDITED.pdf")
    assert (status, says) == (
        "fail",
        "1 of 3 empty tables say nothing of why: 一般公共预算财政拨款“三公”经费支出决算表",
    )
    jiangsu = empty_check(DOCS / "2017_budget_jiangsu_prov_rendachangweihui_office.pdf")
    assert jiangsu == ("pass", "every empty table says why: 政府性基金预算支出表 ((无政府性基金支出）)")


def test_a_change_a_table_states_needs_its_reason_too(patterns: Patterns) -> None:
    # 施甸县's 三公 table: 合计 | 2911.47 | 2706.86 | -204.61, and no word of why
    record = _extract(DOCS / "2016_final_yunnan_baoshan_shidian_county_sangong_summary.txt", patterns)
    assert record.completeness is not None
    [change] = record.completeness.changes
    assert change.text == "施甸县2016年“三公”经费决算情况统计表: 合计 比上年增、减情况 -204.61"
    assert change.reason == ""
    assert change.location is not None and (change.location.row, change.location.col) == (2, 3)
    [check] = [c for c in check_document(record, patterns) if c.rule == "change_reason"]
    assert check.status == "fail"
