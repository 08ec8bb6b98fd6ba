"""General rules, each on a small regression document in corpus/regress named for what it shows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disclosure_extract import Patterns

from .conftest import CORPUS, extract_record

REGRESS = CORPUS / "regress"


def _extract(name: str, patterns: Patterns) -> dict:
    return extract_record(REGRESS / name, patterns)


def test_tab_separated_rows_make_a_table(patterns: Patterns) -> None:
    record = _extract("tsv_rows_text_table.txt", patterns)
    assert record["fields"] == {
        "meta.department": "某某县财政局",
        "meta.year": 2020,
        "meta.kind": "final_accounts",
        "meta.region": "某某县",
        "income.general_budget": 12000000,
        "income.other": 3000000,
        "income.total": 15000000,
        "expenditure.total": 15000000,
        "expenditure.carryforward": 1000000,
    }
    (table,) = record["tables"]
    assert (table["caption"], table["unit"]) == ("收入支出决算总表 单位：万元", "万元")
    fact = next(f for f in record["facts"] if f["id"] == "income.other")
    assert fact["location"] == {
        "line_start": 10,
        "line_end": 10,
        "char_start": 131,
        "char_end": 137,
        "table": 0,
        "row": 2,
        "col": 1,
    }


def test_year_columns_give_previous_and_change(patterns: Patterns) -> None:
    fields = _extract("year_columns_previous_and_change.html", patterns)["fields"]
    assert fields["expenditure.total"] == 12345600
    assert fields["expenditure.total_prev"] == 10000000  # the 2018 column
    assert fields["expenditure.total_change"] == 2345600  # the 增减额 column, not the 增减% one
    assert fields["sangong.total"] == 125000
    assert fields["sangong.total_prev"] == 150000
    assert fields["sangong.total_change"] == -25000


def test_prose_previous_year_and_unit_once_per_sentence(patterns: Patterns) -> None:
    record = _extract("year_columns_previous_and_change.html", patterns)
    by_rule = {(f["id"], f["method"]): f for f in record["facts"]}
    prev = by_rule[("sangong.total_prev", "prose")]
    assert (prev["text"], prev["rule"], prev["value"]) == ("上年预算为15万元", "previous", 150000)
    # "公务接待费2.5、公务用车运行维护费10万元": the unit is printed once, after the list
    reception = by_rule[("sangong.reception", "prose")]
    assert (reception["value"], reception["unit"], reception["text"]) == (25000, "万元", "公务接待费2.5")
    assert record["fields"]["sangong.vehicle_operation"] == 100000
    # income's previous year and change have no field id: nothing is invented
    assert "income.total_prev" not in record["fields"]
    texts = " ".join(f["text"] for f in record["facts"])
    assert "首页" not in texts and "版权所有" not in texts


def test_three_level_indicator_grid_with_rowspans(patterns: Patterns) -> None:
    record = _extract("indicator_grid_three_levels_rowspan.html", patterns)
    rows = [
        (i["activity"], i.get("level1"), i.get("level2"), i["indicator"], i.get("target"))
        for i in record["indicators"]
    ]
    assert rows == [
        ("办公设备购置", "产出指标", "数量指标", "购置台式计算机", "20台"),
        ("办公设备购置", "产出指标", "数量指标", "购置打印机", "5台"),
        ("办公设备购置", "产出指标", "质量指标", "验收合格率", "100%"),
        ("办公设备购置", "满意度指标", "服务对象满意度指标", "使用人员满意度", "≥90%"),
        ("信息系统运维", "效益指标", "社会效益指标", "系统可用率", "≥99%"),
    ]
    assert record["fields"]["appropriation.general_budget"] == Decimal(500000)


@pytest.mark.parametrize(
    ("department", "region"),
    [
        ("上海市普陀区人民政府办公室", "上海市普陀区"),
        ("中共江苏省委办公厅", "江苏省"),
        ("江苏省人大常委会办公厅", "江苏省"),
        ("平潭综合实验区管委会办公室", "平潭综合实验区"),
        ("北京市市场监督管理局", "北京市"),
        ("广州市社区服务中心", "广州市"),
    ],
)
def test_region_from_department(patterns: Patterns, department: str, region: str) -> None:
    from disclosure_extract.extract.meta import _region

    assert _region(department, patterns) == region


def test_zero_statements(patterns: Patterns) -> None:
    fields = _extract("zero_statements_without_numbers.txt", patterns)["fields"]
    # "本表数为零。" under a heading naming the figure; 购置 without 费; 国有资本经营预算收入 without 拨款
    assert fields["appropriation.gov_fund"] == 0
    assert fields["sangong.vehicle_purchase"] == 0
    assert fields["income.state_capital"] == 0
    assert fields["sangong.total"] == 120000


@pytest.mark.parametrize(
    ("name", "kind", "year"),
    [
        # "2015年衢江区“三公”经费支出决算同比下降的原因主要是…。" is a sentence, not the title
        ("meta_sentence_naming_a_year_is_no_title.txt", "final_accounts", 2016),
        # "与2016年相比" three times outvoted the year of "2017年区级“三公”经费…支出1360.13万元"
        ("meta_year_compared_with_is_not_the_fiscal_year.txt", None, 2017),
        # no 决算 word: 比年初预算增加, and 预算 only in 预算法 / 预算管理
        ("meta_outturn_against_the_initial_budget_is_a_final_account.txt", "final_accounts", 2022),
        # "2020年一般公共预算支出决算数为1264.92万元,完成预算59.7%。" was the title, of a budget
        ("meta_budget_completed_is_a_final_account.txt", "final_accounts", 2020),
    ],
)
def test_kind_and_year_from_what_the_text_discloses(
    name: str, kind: str | None, year: int, patterns: Patterns
) -> None:
    fields = _extract(name, patterns)["fields"]
    assert (fields.get("meta.kind"), fields["meta.year"]) == (kind, year)


@pytest.mark.parametrize(
    ("name", "department"),
    [
        # "重庆市铜梁区围龙镇人民政府" above "2021年度“三公”经费决算汇总情况"
        ("meta_name_on_the_line_above_the_year.txt", "重庆市铜梁区围龙镇人民政府"),
        # "2016年市国资委财政拨款“三公”经费预算表": the funds are no part of the name
        ("meta_name_before_the_funds_the_title_names.txt", "市国资委"),
        # "【财政预算】天水市麦积区花牛镇政府2020年部门预算情况说明"
        ("meta_title_behind_a_bracketed_tag.txt", "天水市麦积区花牛镇政府"),
        # no title: "开江县普安镇复兴小学是一所完全制小学" under 一、单位概况
        ("meta_unit_introduced_in_its_overview.txt", "开江县普安镇复兴小学"),
    ],
)
def test_department_from_the_head_lines(name: str, department: str, patterns: Patterns) -> None:
    assert _extract(name, patterns)["fields"]["meta.department"] == department
