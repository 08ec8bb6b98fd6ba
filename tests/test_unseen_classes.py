"""Issue 9's classes of failure on unseen disclosures, each on a regression document in
corpus/regress named for what it shows (phrasings taken from real published pages), or on
a bundled document that shows it."""

from __future__ import annotations

from decimal import Decimal

from disclosure_extract import Patterns

from .conftest import CORPUS, DOCS, extract_record

REGRESS = CORPUS / "regress"


def _extract(name: str, patterns: Patterns) -> dict:
    return extract_record(REGRESS / name, patterns)


def _meta(record: dict) -> dict:
    return {k: v for k, v in record["fields"].items() if k.startswith("meta.")}


def test_title_after_navigation_without_outline_prefix(patterns: Patterns) -> None:
    record = _extract("meta_title_after_navigation_and_outline_prefix.txt", patterns)
    # the page-info grid says 财政预算、决算; the title says 决算; 第一部分 is no part of the name
    assert _meta(record) == {
        "meta.department": "凤庆县公安局",
        "meta.year": 2019,
        "meta.kind": "final_accounts",
        "meta.region": "凤庆县",
    }


def test_title_naming_a_region_takes_the_publisher(patterns: Patterns) -> None:
    record = _extract("meta_title_names_region_publisher_is_department.txt", patterns)
    # …一般公共预算“三公”经费支出决算情况: what the title discloses is its last word, 决算
    assert _meta(record) == {
        "meta.department": "平潭综合实验区财政金融局",
        "meta.year": 2016,
        "meta.kind": "final_accounts",
        "meta.region": "平潭综合实验区",
    }
    assert record["fields"]["sangong.total"] == 20926100


def test_budget_report_discloses_the_later_year(patterns: Patterns) -> None:
    record = _extract("meta_budget_report_discloses_the_later_year.txt", patterns)
    assert _meta(record) == {"meta.department": "中楼乡", "meta.year": 2019, "meta.kind": "budget"}


def test_older_phrasings(patterns: Patterns) -> None:
    fields = _extract("wording_older_phrasings.txt", patterns)["fields"]
    assert fields["appropriation.general_budget"] == 18177400  # 公共财政拨款支出
    assert fields["income.total"] == 68042700  # 部门财务总收入
    assert fields["income.general_budget"] == 65045400
    assert fields["income.carryover"] == 2997300
    assert fields["sangong.total"] == 4799400  # “三公”经费公共财政拨款支出 is the 三公 figure
    assert fields["sangong.vehicle_operation"] == 3639100  # 公务用车运行费
    assert fields["assets.vehicles"] == 109  # 公务用车保有量
    assert fields["operating_costs.total"] == 0  # 本部门无机关运行经费


def test_sentence_context_and_funding_source_scope(patterns: Patterns) -> None:
    fields = _extract("context_sentence_and_funding_source_scope.txt", patterns)["fields"]
    # 年初结转结余 is income because the sentence goes on with 本年收入
    assert fields["income.carryover"] == 68148100
    # the 公共预算财政拨款 sentence's 本年收入 and 年初结转结余 are that source's, not the department's
    assert fields["income.current_year"] == 778311600
    assert fields["expenditure.current_year"] == 584514000
    # a change belongs to the subject it names
    assert fields["expenditure.project_change"] == 11339500
    assert "expenditure.total_change" not in fields


def test_pipe_separated_text_tables(patterns: Patterns) -> None:
    record = _extract("pipe_tables_rows_and_cells.txt", patterns)
    fields = record["fields"]
    assert fields["sangong.total"] == 27068600
    assert fields["sangong.total_prev"] == 29114700  # 上年决算数
    assert fields["sangong.total_change"] == -2046100  # 增、减金额 under 比上年增、减情况
    assert fields["sangong.vehicle_purchase"] == 0
    assert fields["sangong.vehicle_operation"] == 11057200
    assert fields["meta.department"] == "施甸县财政局"  # 发布机构 in the page-info grid
    tables = [t for t in record["tables"] if t["kind"] == "sangong"]
    assert [(t["n_rows"], t["n_cols"]) for t in tables] == [(8, 5), (3, 3)]
    # the one-cell-per-line table: rows of the header's width
    cells = {(c["row"], c["col"]): c["text"] for c in tables[1]["cells"]}
    assert cells[(2, 0)] == "公务接待费" and cells[(2, 1)] == "1590.94"


def test_project_performance_forms(patterns: Patterns) -> None:
    record = _extract("project_performance_forms_two_in_one_table.html", patterns)
    rows = [
        (i["activity"], i["budget"], i["level1"], i["level2"], i["indicator"], i["target"])
        for i in record["indicators"]
    ]
    assert rows == [
        ("就业援助基地补贴", 6351000, "产出指标", "数量指标", "补贴对象申请审核完成率", "=100.00(%)"),
        ("就业援助基地补贴", 6351000, "产出指标", "质量指标", "补贴对象审核达标率", "=100.00(%)"),
        (
            "就业援助基地补贴",
            6351000,
            "效益指标",
            "社会效益指标",
            "补贴对象生活改善度",
            "补贴对象生活改善度不低于80%",
        ),
        ("就业援助基地补贴", 6351000, "满意度指标", "服务对象满意度指标", "补贴对象满意度", "≥80.00(%)"),
        ("公共服务设施运行经费", 10903043, "产出指标", "数量指标", "开展活动300场", "=300.00(场)"),
        (
            "公共服务设施运行经费",
            10903043,
            "产出指标",
            "数量指标",
            "环境卫生及保安服务",
            "卫生整洁、内部安全有序",
        ),
        ("公共服务设施运行经费", 10903043, "满意度指标", "服务对象满意度指标", "居民满意度", "90%"),
    ]


def test_candidates_narrower_statements_give_way(patterns: Patterns) -> None:
    record = _extract("candidates_narrower_statement_gives_way.txt", patterns)
    fields = record["fields"]
    assert fields["assets.vehicles"] == 31  # 共有车辆 over 公务用车保有量
    # 财政拨款收入 is 一般公共预算 + 政府性基金 here: no statement of income.general_budget
    assert "income.general_budget" not in fields
    assert any(f["id"] == "income.general_budget" for f in record["facts"])  # kept as evidence
    # 人员 + 对个人和家庭补助 + 公用: 基本支出 is not derived as 人员 + 公用
    assert "expenditure.basic" not in fields


def test_titled_page_without_figures_is_ok(patterns: Patterns) -> None:
    record = _extract("titled_page_without_figures.txt", patterns)
    assert record["status"] == "ok"
    assert [i["code"] for i in record["issues"]] == ["no_figures"]
    assert record["fields"]["meta.department"] == "清水县陇东镇学区"  # a 学区 is no region


def test_listing_page_is_still_not_a_disclosure(patterns: Patterns) -> None:
    record = extract_record(CORPUS / "bad" / "listing_page_not_a_disclosure.html", patterns)
    assert record["status"] == "failed"
    assert "not_a_disclosure" in [i["code"] for i in record["issues"]]


def test_unit_slip_gives_way_and_is_flagged(patterns: Patterns) -> None:
    record = _extract("unit_slip_yuan_for_wanyuan.txt", patterns)
    assert record["fields"]["appropriation.general_budget"] == 17259800
    slip = next(f for f in record["facts"] if f["value"] == Decimal("1725.98"))
    assert slip["flags"] == ["unit_error"]
    assert "unit_error" in [i["code"] for i in record["issues"]]


def test_zeros_in_words_and_short_names(patterns: Patterns) -> None:
    fields = _extract("wording_zeros_in_words_and_short_names.txt", patterns)["fields"]
    assert fields["income.carryover"] == 0  # 零万元
    assert fields["income.current_year"] == 20280100
    assert fields["sangong.overseas"] == 0  # 因公出国(境)费用没有
    assert fields["sangong.vehicle_operation"] == 2510000  # 公车运行费
    assert fields["sangong.vehicle_purchase"] == 560000  # 公务车用车购置费
    assert fields["appropriation.gov_fund"] == 14000000  # 基金预算支出


def test_an_unnamed_figure_keeps_its_own_change(patterns: Patterns) -> None:
    record = _extract("unnamed_figure_keeps_its_change.txt", patterns)
    fields = record["fields"]
    assert fields["sangong.total"] == 4310000
    assert fields["sangong.total_prev"] == 4330000  # 比上年累计支出433万元
    assert fields["sangong.total_change"] == -20000
    assert fields["sangong.reception"] == 1240000  # 公务接待支出
    # "下降34万元" belongs to the figure before it, which no field names: no second 三公 change
    changes = [f for f in record["facts"] if f["id"] == "sangong.total_change"]
    assert [f["value"] for f in changes] == [-20000]


def test_a_prose_figure_10000_times_its_table_figure_is_the_misprint(patterns: Patterns) -> None:
    # corpus/docs/2020_final_chongqing_cqyz…: the prose's 1928.76万元 printed as 19287600万元
    record = _extract("unit_slip_wanyuan_for_yuan.txt", patterns)
    assert record["fields"]["sangong.total"] == 19287600  # the table's 1928.76万元
    slip = next(f for f in record["facts"] if f["id"] == "sangong.total" and f["method"] == "prose")
    assert slip["value"] == 192876000000 and slip["flags"] == ["unit_error"]
    codes = [i["code"] for i in record["issues"]]
    assert "unit_error" in codes and "prose_table_mismatch" not in codes


def test_budget_inside_a_funding_source_names_no_kind(patterns: Patterns) -> None:
    # "2020 年度一般公共预算财政拨款安排的“三公”经费支出决算总额为 5.48 万元": the 预算 of
    # 一般公共预算 is a source's name; the sentence discloses a 决算
    name = "2020_final_guangxi_wuzhou_nongchanpin_jiancezhongxin_excerpt.txt"
    record = extract_record(DOCS / name, patterns)
    assert record["fields"]["meta.kind"] == "final_accounts"
    assert record["fields"]["meta.year"] == 2020


def test_a_table_without_a_unit_takes_the_one_its_figures_agree_in(patterns: Patterns) -> None:
    # 太原市发改委's 2016 figures (the .doc in this folder): a 收入决算表 printing no unit beside
    # prose in 元. Read in the usual 万元, its 其他收入 8863.33 was 88,633,300 yuan; its total
    # agrees with the prose's in 元, so the whole table is in 元
    record = _extract("unit_by_magnitude_table_without_unit.html", patterns)
    assert record["fields"]["income.other"] == Decimal("8863.33")
    assert record["fields"]["income.current_year"] == Decimal("42583921.59")
    assert "unit_by_magnitude" in {i["code"] for i in record["issues"]}
    assert {t["unit"] for t in record["tables"]} == {"元"}


def test_a_funding_source_sentence_states_its_income_and_spending(patterns: Patterns) -> None:
    # "(一）公共预算财政拨款年初结转结余5,065.11万元，本年收入42,900.24万元，本年支出42,904.15万元"
    record = extract_record(DOCS / "pingtan_2014_final_jiaotongyujiansheju.html", patterns)
    fields = record["fields"]
    assert fields["income.general_budget"] == Decimal("429002400")
    assert fields["appropriation.general_budget"] == Decimal("429041500")
    assert fields["income.gov_fund"] == Decimal("14000000")
    assert fields["appropriation.gov_fund"] == Decimal("14000000")
    # the source's 年初结转结余 is not the department's
    assert fields["income.carryover"] == Decimal("68148100")


def test_an_aggregate_figure_is_named_by_its_label(patterns: Patterns) -> None:
    # "2017年全县一般公共预算财政拨款“三公”经费支出决算汇总数为583.83万元，较2016年减少26.89万元"
    record = _extract("2017_final_yunnan_chuxiong_mouding_county_sangong.txt", patterns)
    assert record["fields"]["sangong.total"] == Decimal("5838300")
    assert record["fields"]["sangong.total_change"] == Decimal("-268900")
