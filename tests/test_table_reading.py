"""Standard tables read by what they are: a table's scope, its budget units, its period rows,
and identities choosing between two statements of a figure. Real documents, exact values."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from disclosure_extract import extract
from disclosure_extract.check.rules import check_document
from disclosure_extract.extract.choose import choose_by_identities
from disclosure_extract.model import CheckResult, Evidence, Fact, Location
from disclosure_extract.patterns import Patterns

from .conftest import CORPUS
from .test_word import needs_libreoffice

REGRESS = CORPUS / "regress"
# ../shared/wild: real PDFs nobody annotated, referred to in place (not copied here)
WILD = Path(__file__).resolve().parents[2] / "shared" / "wild" / "docs"
SHENZHEN = WILD / "003_深圳" / "2026年深圳市人力资源和社会保障局部门预算.pdf"


def test_a_financial_appropriation_table_states_the_appropriations_figures() -> None:
    # 西南大学 2023 final account: 表3 支出决算表 (the department's) and 表4 财政拨款支出决算表.
    # The 财政拨款 table's 合计 row once gave expenditure.basic/project (199,015.13 / 38,084.87),
    # and beat the department's own (359,781.59 / 97,895.15).
    doc = extract(REGRESS / "2023_final_chongqing_moe_xinandaxue.pdf")
    assert doc.fields["expenditure.basic"] == Decimal("3597815900")
    assert doc.fields["expenditure.project"] == Decimal("978951500")
    # its basic spending is the appropriation's (the 政府性基金 pay none of it) ...
    assert doc.fields["appropriation.basic"] == Decimal("1990151300")
    # ... but its total holds the 政府性基金 too: it is not the general budget's total
    general = [f for f in doc.facts if f.field_id == "appropriation.general_budget"]
    assert all(f.evidence.text != "237,100.00" for f in general)


def test_identities_choose_the_statement_the_other_figures_agree_with() -> None:
    # 江苏省高级法院 2017 budget: a table row read as 公务用车运行维护费 100.00 and 公务接待费
    # 2.00; the 说明 says 304.4 and 185.72, and with those 三公经费 = its parts
    doc = extract(REGRESS / "2017_budget_jiangsu_prov_gaojifayuan.pdf")
    assert doc.fields["sangong.vehicle_operation"] == Decimal("3044000")
    assert doc.fields["sangong.reception"] == Decimal("1857200")
    chosen = [i for i in doc.issues if i.code == "chosen_by_identity"]
    assert {i.message.split(":")[0] for i in chosen} == {"sangong.vehicle_operation", "sangong.reception"}
    assert all(i.severity == "info" for i in chosen)
    # the statements set aside are kept among the facts
    values = {f.value for f in doc.facts if f.field_id == "sangong.reception"}
    assert {Decimal("20000"), Decimal("1857200")} <= values


def _fact(field: str, value: str, method: str = "table", text: str = "") -> Fact:
    evidence = Evidence(method=method, text=text or value, location=Location(), tolerance=Decimal("50"))
    return Fact(field_id=field, value=Decimal(value), evidence=evidence)


def test_identities_leave_the_ranked_statement_when_they_cannot_decide(patterns: Patterns) -> None:
    ranked = {"expenditure.basic": _fact("expenditure.basic", "1000")}
    other = _fact("expenditure.basic", "2000", "prose")
    # no other figure of the identities is stated: nothing decides, the table's stands
    choice = choose_by_identities(ranked, {"expenditure.basic": [other]}, patterns.identities)
    assert choice.chosen["expenditure.basic"] is ranked["expenditure.basic"] and not choice.switched
    # 人员 600 + 公用 1400 = 2000: the prose statement is the one the parts agree with
    ranked |= {
        "expenditure.personnel": _fact("expenditure.personnel", "600"),
        "expenditure.public": _fact("expenditure.public", "1400"),
    }
    choice = choose_by_identities(ranked, {"expenditure.basic": [other]}, patterns.identities)
    assert choice.chosen["expenditure.basic"] is other
    assert choice.switched == {"expenditure.basic": ranked["expenditure.basic"]}


@pytest.mark.skipif(not SHENZHEN.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_table_broken_down_by_budget_unit_gives_the_departments_row() -> None:
    # 表3 支出总表 lists 预算单位: the department's row (571,347.93 | 136,131.77 | 435,216.17), its
    # 本级 and 20 units under it, each with its function codes, over 15 pages
    doc = extract(SHENZHEN)
    assert doc.fields["expenditure.total"] == Decimal("5713479300")
    assert doc.fields["expenditure.basic"] == Decimal("1361317700")
    assert doc.fields["expenditure.project"] == Decimal("4352161700")
    # the units' own 支出总计 are no statements of the department's
    tables = [f for f in doc.facts if f.evidence.method == "table"]
    totals = {f.value for f in tables if f.field_id == "expenditure.total"}
    assert totals == {Decimal("5713479300")}
    # 表3 repeats its caption on each of its pages: a running title, and one table
    expenditure = [t for t in doc.result.tables if t.kind == "expenditure_summary"]
    assert len(expenditure) == 1 and len(expenditure[0].pages) > 10
    # 表4 基本支出总表 is no 支出总表: its 总计 is the basic spending's
    assert [t.kind for t in doc.result.tables].count("basic_expenditure") == 1
    # 第三部分 describes each unit in a section of its own (二、深圳市劳动人事争议仲裁院 …在职人员
    # 经费2,215.05万元): the units the tables list, so their sentences state no department figure
    personnel = {f.evidence.text for f in doc.facts if f.field_id == "expenditure.personnel"}
    assert not any("2,215.05" in text for text in personnel)
    # each classified row knows its unit, and parents are summed within one unit
    units = {item.entity for item in doc.line_items if item.entity}
    assert "深圳市人力资源和社会保障局（本级）" in units and len(units) > 10


HANGZHOU = WILD / "008_杭州" / "2026年杭州市交通运输局部门预算.pdf"


@pytest.mark.skipif(not HANGZHOU.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_header_spanning_its_parts_states_their_sum() -> None:
    # 表3 支出预算总表: 基本支出 spans 人员支出 | 日常公用支出 and has no column of its own;
    # its 合计 row prints 73,924.43 and 15868.83
    doc = extract(HANGZHOU)
    assert doc.fields["expenditure.basic"] == Decimal("897932600")
    summed = [f for f in doc.facts if "sum_of_columns" in f.flags and f.field_id == "expenditure.basic"]
    assert [f.evidence.text for f in summed] == ["73,924.43 + 15868.83"]
    assert summed[0].evidence.location.row is not None


def test_a_figure_named_by_the_end_of_its_sections_name() -> None:
    # 重庆市交通委 2018: under "１.机关运行经费情况", "2018年一般公共预算财政拨款运行经费16252.11万元，
    # 比上年增加654.94万元": 运行经费 is the section's 机关运行经费, shortened
    doc = extract(REGRESS / "2018_budget_chongqing_city_jiaotongwei.html")
    assert doc.fields["operating_costs.total"] == Decimal("162521100")
    assert doc.fields["operating_costs.change"] == Decimal("6549400")


@pytest.mark.skipif(not (WILD / "004_重庆").exists(), reason="needs ../shared/wild beside the checkout")
def test_a_paragraph_opening_with_its_own_heading() -> None:
    # "（一）机关运行经费。2026年一般公共预算财政拨款运行经费1,815万元，比2025年增加21.99万元"
    doc = extract(WILD / "004_重庆" / "2026年重庆市人民政府办公厅部门预算.pdf")
    assert doc.fields["operating_costs.total"] == Decimal("18150000")
    assert doc.fields["operating_costs.change"] == Decimal("219900")
    # its cover prints the name above "2026 年部门预算情况说明"
    assert doc.fields["meta.department"] == "重庆市人民政府办公厅"


@pytest.mark.skipif(not SHENZHEN.exists(), reason="needs ../shared/wild beside the checkout")
def test_parts_and_plans_are_no_statements_of_the_whole() -> None:
    doc = extract(WILD / "003_深圳" / "2026年深圳市交通运输局部门预算.pdf")
    # "共有车辆17辆" is the fleet; "2026年计划购置车辆0辆" the cars to be bought
    assert {f.value for f in doc.facts if f.field_id == "assets.vehicles"} == {Decimal(17)}
    # "包括在职人员经费7,557.83万元、公用经费2,665.51万元、对个人和家庭的补助支出…": 在职人员经费 is
    # the serving staff's part of 人员经费, so 基本支出 = 人员 + 公用 is not held against it
    assert "expenditure.personnel" not in doc.fields
    assert doc.fields["expenditure.basic"] == Decimal("118269700")


def test_a_statement_the_identities_set_aside_is_decided_not_in_conflict(patterns: Patterns) -> None:
    ranked = {
        "expenditure.basic": _fact("expenditure.basic", "1000"),
        "expenditure.personnel": _fact("expenditure.personnel", "600"),
        "expenditure.public": _fact("expenditure.public", "1400"),
    }
    other = _fact("expenditure.basic", "2000", "prose")
    choice = choose_by_identities(ranked, {"expenditure.basic": [other]}, patterns.identities)
    # the ranked 1000 gave way to 2000: basic_personnel_plus_public refutes it
    assert choice.decided["expenditure.basic"] == {Decimal("1000"): "basic_personnel_plus_public"}


WUXI = WILD / "014_无锡" / "2026年无锡市交通运输局部门预算.pdf"


@pytest.mark.skipif(not WUXI.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_procurement_table_states_procurement_only() -> None:
    # 政府采购支出表: its 合计 row's 一般公共预算资金 112.90 is what the purchases are paid from,
    # not the department's 一般公共预算 income (196,278.67)
    doc = extract(WUXI)
    general = {
        f.value for f in doc.facts if f.field_id == "income.general_budget" and f.evidence.method == "table"
    }
    assert general == {Decimal("1962786700")}
    tables = doc.result.tables
    located = [f for f in doc.facts if f.evidence.location.table is not None]
    bought = [f for f in located if tables[f.evidence.location.table].kind == "procurement"]
    assert all(f.field_id.startswith("procurement.") for f in bought)


@needs_libreoffice
def test_a_unit_printed_beats_a_unit_guessed() -> None:
    # 太原市发改委 2016 final account (.doc): its GK tables print 金额单位：元; Word-body copies
    # of them were taken as 万元, 10,000 times too large, and won
    doc = extract(REGRESS / "2016_final_shanxi_taiyuan_fagaiwei.doc")
    assert doc.fields["expenditure.basic"] == Decimal("33997037.22")
    assert doc.fields["expenditure.project"] == Decimal("8678163.48")
    assert doc.fields["income.current_year"] == Decimal("42583921.59")
    # its 三公 table prints 2016年度预算数 | 2016年度决算数: a final account's figure is the outturn,
    # the budget is what it is compared with
    assert doc.fields["sangong.total"] == Decimal("77997.08")
    assert doc.fields["sangong.total_prev"] == Decimal("660100")
    # every table now finds its printed unit (the Word tables from the lines above them)
    assert not [f for f in doc.facts if f.evidence.method == "table" and f.evidence.unit_inferred]


@needs_libreoffice
def test_a_word_table_takes_the_title_and_unit_lines_above_it() -> None:
    # 太原市发改委 2016 (.doc): each Word-body table follows three paragraphs, its title,
    # 公开05表 and 金额单位：元; the embedded sheet of 表（一） keeps them in its first rows
    doc = extract(REGRESS / "2016_final_shanxi_taiyuan_fagaiwei.doc")
    tables = doc.result.tables
    body = [t for t in tables if t.location.path and t.location.path.startswith("tbl[")]
    assert [t.unit for t in body[1:]] == ["元"] * (len(body) - 1)
    assert "一般公共预算财政拨款支出决算表（一）" in body[4].caption
    sheet = next(t for t in tables if "GK05" in t.caption)
    assert sheet.unit == "元" and not sheet.unit_inferred
    assert doc.fields["appropriation.general_budget"] == Decimal("41542805.26")
    # its 收入支出决算表 numbers rows 1…70 in a 行次 column: row 26 is no 款 26, so
    # 年初结转和结余 and 总计 are read
    assert doc.fields["income.carryover"] == Decimal("776303.47")
    assert doc.fields["income.total"] == Decimal("43360225.06")
    assert doc.fields["expenditure.carryforward"] == Decimal("685024.36")
    # its 财政拨款收入支出决算总表's 收入 side: "二、政府性基金预算财政拨款 1032253" is the
    # year's income from the fund, not its spending (1127761.41 on the 支出 side)
    assert doc.fields["income.gov_fund"] == Decimal("1032253")
    assert doc.fields.get("appropriation.gov_fund") in (None, Decimal("1127761.41"))


def _checks(path: Path, rule: str, patterns: Patterns) -> list[CheckResult]:
    """The results of one check rule on a document extracted afresh."""
    return [r for r in check_document(extract(path).result, patterns) if r.rule == rule]


CHONGQING_COMMERCE = WILD / "004_重庆" / "2026年重庆市商务委员会部门预算.pdf"


@pytest.mark.skipif(not CHONGQING_COMMERCE.exists(), reason="needs ../shared/wild beside the checkout")
def test_lines_follow_the_baseline_and_summaries_named_zongti_qingkuang(patterns: Patterns) -> None:
    # its digits and 、 are set in a font whose declared descent boxes them a line low: the
    # title read "重庆市商务委员会年部门预算情况说明" and "2026" on a line of their own
    doc = extract(CHONGQING_COMMERCE)
    assert doc.fields["meta.department"] == "重庆市商务委员会"
    assert doc.fields["meta.year"] == 2026
    # 财预〔2016〕143号's names: 部门收支总体情况表 … 财政拨款收支总体情况表
    kinds = {t.caption.split()[1][5:]: t.kind for t in doc.result.tables if t.caption.startswith("表")}
    assert kinds["部门收支总体情况表"] == "income_expenditure_summary"
    assert kinds["部门收入总体情况表"] == "income_summary"
    assert kinds["部门支出总体情况表"] == "expenditure_summary"
    assert kinds["财政拨款收支总体情况表"] == "appropriation_summary"


WUXI_EDUCATION = WILD / "014_无锡" / "教育局_2026年部门预算.pdf"


@pytest.mark.skipif(not WUXI_EDUCATION.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_row_sum_counts_a_header_group_once(patterns: Patterns) -> None:
    # p22: 205 合计 336,653.50 = 基本支出/小计 184,599.10 + 项目支出 152,054.40; the group's
    # 人员经费 | 公用经费 columns are its parts, not the row's
    sums = _checks(WUXI_EDUCATION, "line_item_row_sum", patterns)
    row = next(r for r in sums if r.subject == "205 / 合计" and r.locations[0]["page"] == 22)
    assert (row.status, row.actual, row.expected) == ("pass", Decimal("3366535000"), Decimal("3366535000"))
    assert not [r for r in sums if r.status == "fail"]


CHONGQING_WATER = WILD / "004_重庆" / "2026年重庆市水利局部门预算.pdf"


@pytest.mark.skipif(not CHONGQING_WATER.exists(), reason="needs ../shared/wild beside the checkout")
@pytest.mark.parametrize("path", [WUXI_EDUCATION, CHONGQING_WATER], ids=["running_head", "high_footer"])
def test_a_table_continued_under_page_furniture_is_stitched(path: Path, patterns: Patterns) -> None:
    # 无锡: each page opens with "无锡市教育局2026年度部门预算公开" above the continuation;
    # 重庆水利局: its "— 16 —" sits at 88 % of the page, below the table. Unstitched, the
    # children of 205 or 213 on the next page were missing from its parent's sum
    sums = _checks(path, "line_item_parent_sum", patterns)
    assert len(sums) > 50
    assert [r.subject for r in sums if r.status == "fail"] == []


WUXI_STATISTICS = WILD / "014_无锡" / "2026年无锡市统计局部门预算.pdf"


@pytest.mark.skipif(not WUXI_STATISTICS.exists(), reason="needs ../shared/wild beside the checkout")
def test_wuxi_is_a_city_not_a_none_statement() -> None:
    # "无锡市统计局2026年收入预算合计3,210.1万元": cut at the thousands comma, the clause
    # "无锡市…合计3" read as "no 锡市…", a zero for income.total
    doc = extract(WUXI_STATISTICS)
    zeros = [f for f in doc.facts if f.evidence.rule == "none_of" and "无锡" in f.evidence.text]
    assert zeros == []
    assert doc.fields["income.total"] == Decimal("32101000")


CHONGQING_ECONOMY = WILD / "004_重庆" / "2026年重庆市经济和信息化委员会部门预算.pdf"


@pytest.mark.skipif(not CHONGQING_ECONOMY.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_department_named_for_the_economy_prints_function_codes(patterns: Patterns) -> None:
    # "单位名称:重庆市经济和信息化委员会" in every caption: 经济 there names the department, not
    # the 经济分类, and 2010406 is a good 功能分类 code; 重庆 subdivides 30102 into 3010201 …
    forms = _checks(CHONGQING_ECONOMY, "line_item_code_form", patterns)
    assert len(forms) > 100
    assert [r.subject for r in forms if r.status == "fail"] == []


SHANGHAI_HR = WILD / "001_上海" / "2026年上海市人力资源和社会保障局_部门预算.pdf"


@pytest.mark.skipif(not SHANGHAI_HR.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_cell_grouping_only_its_last_digits_is_a_number() -> None:
    # its 元 tables print "128138,600" and "19711,277": no cell was read as a number
    doc = extract(SHANGHAI_HR)
    assert doc.fields["expenditure.total"] == Decimal("128138600")
    assert doc.fields["expenditure.basic"] == Decimal("25829012")  # 19711,277 + 6117,735
    assert doc.fields["expenditure.project"] == Decimal("102309588")


CHANGSHA_PETITIONS = WILD / "015_长沙" / "2026年长沙市信访局部门预算.pdf"


@pytest.mark.skipif(not CHANGSHA_PETITIONS.exists(), reason="needs ../shared/wild beside the checkout")
def test_boxes_drawn_behind_prose_make_no_table() -> None:
    # each run of its 说明 sits in a white box; the boxes of one line closed a grid, which took
    # "年 | 长沙市信访局 | 机关运行经费" out of "（一）机关运行经费：2026年长沙市信访局机关运行经费122.98万元"
    doc = extract(CHANGSHA_PETITIONS)
    assert doc.fields["operating_costs.total"] == Decimal("1229800")
    captions = [t.caption for t in doc.result.tables]
    assert not any("其他重要事项" in c for c in captions)


QUANZHOU_OFFICE = WILD / "021_泉州" / "2026年泉州市人民政府办公室部门预算.pdf"


@pytest.mark.skipif(not QUANZHOU_OFFICE.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_cover_naming_the_department_under_its_year() -> None:
    # the cover prints "2026 年度" above "泉州市人民政府办公室部门预算"
    doc = extract(QUANZHOU_OFFICE)
    assert doc.fields["meta.department"] == "泉州市人民政府办公室"


@pytest.mark.skipif(not SHENZHEN.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_basic_spending_table_states_no_sangong_item() -> None:
    # 表4 基本支出总表 lists 因公出国（境）费用 119.00 and 公务用车运行维护费 12.00 among its
    # economic rows: the basic-funded part of the item; the 说明 states the items, under a
    # run-in heading with brackets ("1.因公出国（境）费用。2026年预算数120.20万元")
    doc = extract(SHENZHEN)
    tables = doc.result.tables
    from_basic = [
        f
        for f in doc.facts
        if f.field_id.startswith("sangong.")
        and f.evidence.location.table is not None
        and tables[f.evidence.location.table].kind == "basic_expenditure"
    ]
    assert from_basic == []
    assert doc.fields["sangong.overseas"] == Decimal("1202000")
    assert doc.fields["sangong.vehicle"] == Decimal("1548000")
    assert doc.fields["sangong.total"] == Decimal("2992300")


@pytest.mark.skipif(not (WILD / "004_重庆").exists(), reason="needs ../shared/wild beside the checkout")
def test_a_period_header_above_the_figures_it_dates() -> None:
    # 表八: "2025年预算数" over 合计 | 因公出国（境）费 | 公务用车… | 公务接待费, then "2026年
    # 预算数" over the same: the first block is last year's, not this year's
    doc = extract(WILD / "004_重庆" / "2026年重庆市人民政府办公厅部门预算.pdf")
    assert doc.fields["sangong.total"] == Decimal("3944900")
    assert doc.fields["sangong.total_prev"] == Decimal("3969700")
    assert doc.fields["sangong.vehicle"] == Decimal("2000000")  # 2025: 202.48


SHANGHAI_DRC = WILD / "001_上海" / "2026年上海市发展和改革局_部门预算.pdf"


@pytest.mark.skipif(not SHANGHAI_DRC.exists(), reason="needs ../shared/wild beside the checkout")
def test_a_group_printed_blank_beside_figures_that_make_the_total_is_zero() -> None:
    # 财务收支预算总表: 支出总计 | 合计 118,853,953 | 基本支出 (人员经费 | 公用经费) blank |
    # 项目支出 118,853,953: the unit spends nothing on 基本支出
    doc = extract(SHANGHAI_DRC)
    assert doc.fields["expenditure.basic"] == Decimal(0)
    assert doc.fields["expenditure.project"] == Decimal("118853953")
