"""Real PDF disclosures: stitched, rotated and merged-cell tables, line items, evidence."""

from __future__ import annotations

from decimal import Decimal

import pytest

from disclosure_extract import Patterns

from .conftest import CORPUS, extract_record

RENDA_TABLES = "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf"
PUTUO_FINAL = "2024_final_shanghai_putuo_caizhengju.pdf"
REGRESS = CORPUS / "regress"
JIANGSU_2017 = "2017_budget_jiangsu_prov_rendachangweihui_office.pdf"


def _cells(table: dict) -> dict[tuple[int, int], dict]:
    return {(c["row"], c["col"]): c for c in table["cells"]}


def test_table_stitched_across_pages(extracted: dict[str, dict]) -> None:
    # 公开表十二 (政府采购预算表) runs from page 12 onto page 13, whose first column has no ruling
    table = extracted[RENDA_TABLES]["tables"][11]
    assert table["pages"] == [12, 13]
    assert (table["n_rows"], table["n_cols"]) == (27, 6)
    cells = _cells(table)
    assert [cells.get((25, c), {}).get("text", "") for c in range(6)] == [
        "",
        "综合管理费",
        "物业管理费",
        "",
        "",
        "410.40",
    ]
    assert cells[(1, 0)]["text"] == "合计" and cells[(1, 5)]["text"] == "2,416.43"
    # the stitched table's total is the procurement total
    assert extracted[RENDA_TABLES]["fields"]["procurement.total"] == 24164300


def test_rotated_pages_read_upright(extracted: dict[str, dict]) -> None:
    # every page of this file carries /Rotate 90; the 收支预算总表 reads left to right
    cells = _cells(extracted[RENDA_TABLES]["tables"][0])
    assert [cells[(3, c)]["text"] for c in range(6)] == [
        "一、财政拨款",
        "18,330.37",
        "一、一般公共服务支出",
        "13,907.78",
        "一、基本支出",
        "9,312.90",
    ]


def test_merged_header_cells_are_spans(extracted: dict[str, dict]) -> None:
    table = extracted[RENDA_TABLES]["tables"][8]  # 公开表九 “三公”经费、会议费、培训费
    spans = {
        (c["row"], c["col"]): (c["rowspan"], c["colspan"], c["text"]) for c in table["cells"] if c["row"] < 3
    }
    assert spans[(0, 0)] == (3, 1, "合计")
    assert spans[(0, 1)] == (1, 6, "“三公”经费")
    assert spans[(1, 3)] == (1, 3, "公务用车购置及运行维护费")
    assert spans[(2, 4)] == (1, 1, "公务用车购置费")
    fields = extracted[RENDA_TABLES]["fields"]
    # "小计" under "“三公”经费" is the 三公 total; the table's 合计 includes 会议费 and 培训费
    assert fields["sangong.total"] == 7676000
    assert fields["sangong.vehicle"] == 1836000 and fields["sangong.vehicle_operation"] == 1836000
    assert (fields["meetings.total"], fields["training.total"]) == (14697300, 3633800)
    assert "sangong.vehicle_purchase" not in fields  # a blank cell states nothing


def test_cell_evidence(extracted: dict[str, dict]) -> None:
    (fact,) = [f for f in extracted[RENDA_TABLES]["facts"] if f["id"] == "sangong.overseas"]
    assert (fact["text"], fact["value"], fact["unit"], fact["method"]) == ("199.25", 1992500, "万元", "table")
    loc = fact["location"]
    assert (loc["page"], loc["table"], loc["row"], loc["col"]) == (9, 8, 3, 2)
    assert len(loc["bbox"]) == 4 and loc["bbox"][0] < loc["bbox"][2]


def test_line_items_with_codes_and_parents(extracted: dict[str, dict]) -> None:
    items = extracted[PUTUO_FINAL]["line_items"]
    by_key = {(i["table"], i["code"]): i for i in items}
    # 类/款/项 printed in three columns, joined; a 类 row has no parent
    pension = by_key[(5, "2080505")]
    assert (pension["kind"], pension["parent"], pension["name"]) == (
        "function",
        "20805",
        "机关事业单位基本养老保险缴费支出",
    )
    amount = pension["amounts"][0]
    assert {k: amount[k] for k in ("column", "text", "unit", "value")} == {
        "column": "合计",
        "text": "160.75",
        "unit": "万元",
        "value": 1607500,
    }
    # the amount's own cell, for its page crop
    assert {k: amount["location"][k] for k in ("page", "table", "row", "col")} == {
        "page": pension["location"]["page"],
        "table": 5,
        "row": pension["row"],
        "col": 4,
    }
    assert len(amount["location"]["bbox"]) == 4
    assert by_key[(5, "208")]["parent"] is None
    assert by_key[(5, "20805")]["parent"] == "208"
    # economic classification, from the right half of a side-by-side table
    training = by_key[(6, "30216")]
    assert (training["kind"], training["parent"], training["name"]) == ("economic", "302", "培训费")
    assert [(a["column"], a["text"], a["value"]) for a in training["amounts"]] == [("决算数", "4.05", 40500)]


def test_line_items_of_a_stitched_table_cite_their_own_page(extracted: dict[str, dict]) -> None:
    # 江苏省人大常委会办公厅 2017: the 基本支出 table starts on page 12 and 303's rows are on page 14
    items = extracted[JIANGSU_2017]["line_items"]
    housing = [i for i in items if i["code"] == "30311"]
    assert [(i["location"]["page"], i["table"]) for i in housing] == [(14, 5), (18, 8)]
    (amount,) = housing[0]["amounts"]
    assert (amount["text"], amount["location"]["page"]) == ("494.22", 14)


def test_rows_continued_above_the_next_tables_title_join_their_table(extracted: dict[str, dict]) -> None:
    # page 15 of the same file: one grid holds 30312 提租补贴 (the 基本支出 table's last row)
    # and, under its title, the 政府性基金 table; page 9 likewise ends the 收支预算总表
    items = extracted[JIANGSU_2017]["line_items"]
    (rent,) = [i for i in items if i["code"] == "30312" and i["location"]["page"] == 15]
    assert rent["table"] == 5 and [a["value"] for a in rent["amounts"]] == [10180100]
    parents = [i for i in items if i["code"] == "303" and i["table"] == 5]
    children = [i for i in items if i["parent"] == "303" and i["table"] == 5]
    assert sum(c["amounts"][0]["value"] for c in children) == parents[0]["amounts"][0]["value"]
    tables = extracted[JIANGSU_2017]["tables"]
    assert tables[0]["pages"] == [7, 8, 9] and tables[6]["caption"].startswith("财政拨款政府性基金支出预算表")


def test_text_outside_the_page_is_ignored_and_reported(extracted: dict[str, dict]) -> None:
    # page 11 of the same file carries 450 characters below its bottom edge, never shown: a
    # copy of a 基本支出 table that gave 23 invisible line items and three phantom tables
    doc = extracted[JIANGSU_2017]
    (issue,) = [i for i in doc["issues"] if i["code"] == "off_page_text"]
    assert (issue["severity"], issue["location"]["page"]) == ("warning", 11)
    assert "450 characters" in issue["message"]
    assert len(doc["tables"]) == 12 and len(doc["line_items"]) == 97
    page_height = 841.9
    for item in doc["line_items"]:
        for amount in item["amounts"]:
            assert amount["location"]["bbox"][3] <= page_height


def test_line_items_sum_to_parents(extracted: dict[str, dict]) -> None:
    items = [i for i in extracted[PUTUO_FINAL]["line_items"] if i["table"] == 5]
    first = {i["code"]: i["amounts"][0]["value"] for i in items}
    children = [v for code, v in first.items() if code.startswith("20805") and len(code) == 7]
    assert sum(children) == first["20805"] == Decimal(3267200)


def test_prose_and_table_disagreement_is_kept_and_flagged(extracted: dict[str, dict]) -> None:
    record = extracted[PUTUO_FINAL]
    facts = [f for f in record["facts"] if f["id"] == "appropriation.total"]
    values = {(f["method"], f["value"]) for f in facts}
    assert ("table", 29616800) in values and ("prose", 3000) in values
    # 0.3万元 is 2,961.68万元 in 亿元, rounded: a unit slip, kept and flagged as one
    assert all(f.get("flags") == ["unit_error"] for f in facts if f["value"] == 3000)
    assert record["fields"]["appropriation.total"] == 29616800  # the table's value
    slips = [i["message"] for i in record["issues"] if i["code"] == "unit_error"]
    assert slips == [
        "appropriation.total: '上海市普陀区财政局2024年度财政拨款收入支出总计0.3万元' is 1/10,000 of "
        "'2,961.68': 万元 printed for 亿元"
    ]


@pytest.mark.parametrize(
    ("name", "department", "year", "kind"),
    [
        ("2017_budget_jiangsu_prov_zhengxie_office_text.pdf", "江苏省政协办公厅", 2017, "budget"),
        ("2017_budget_jiangsu_prov_zhengxie_office_tables.pdf", "江苏省政协办公厅", 2017, "budget"),
        (PUTUO_FINAL, "上海市普陀区财政局", 2024, "final_accounts"),
        ("2025_budget_shanghai_putuo_qufuban_dept.pdf", "上海市普陀区人民政府办公室", 2025, "budget"),
    ],
)
def test_text_and_table_files_join_on_meta(
    extracted: dict[str, dict], name: str, department: str, year: int, kind: str
) -> None:
    meta = extracted[name]["meta"]
    assert (meta["department"], meta["year"], meta["kind"]) == (department, year, kind)


def test_year_written_in_another_font_stays_in_its_line(extracted: dict[str, dict]) -> None:
    # "2024" in the title sits a few points off the Han baseline
    assert extracted[PUTUO_FINAL]["meta"]["year"] == 2024


@pytest.fixture(scope="module")
def unruled(patterns: Patterns) -> dict:
    """A real page whose producer put two tables below its edge, the page enlarged to show them."""
    return extract_record(REGRESS / "unruled_table_below_the_page_edge.pdf", patterns)


def test_table_without_rulings_from_text_alignment(unruled: dict) -> None:
    # the 财政拨款基本支出预算表 prints its 经济分类 rows with no ruling lines at all
    table = next(t for t in unruled["tables"] if t["n_cols"] == 3 and not t["caption"])
    cells = _cells(table)
    assert [cells[(1, c)]["text"] for c in range(3)] == ["30101", "基本工资", "1,015.15"]
    assert [cells[(22, c)]["text"] for c in range(3)] == ["30312", "提租补贴", "1,018.01"]
    items = {i["code"]: i for i in unruled["line_items"] if i["table"] == table["index"]}
    assert (items["30101"]["parent"], items["30101"]["amounts"][0]["value"]) == ("301", 10151500)


def test_grid_holding_two_tables_is_split_at_the_title_row(unruled: dict) -> None:
    captions = [t["caption"] for t in unruled["tables"]]
    assert captions[0].startswith("财政拨款支出预算表")
    assert captions[1].startswith("财政拨款基本支出预算表")


def test_standard_tables_are_recognised(extracted: dict[str, dict]) -> None:
    kinds = [t["kind"] for t in extracted[RENDA_TABLES]["tables"]]
    assert kinds == [
        "income_expenditure_summary",
        "income_summary",
        "expenditure_summary",
        "appropriation_summary",
        "appropriation_function",
        "appropriation_basic_economic",
        "appropriation_function",
        "appropriation_basic_economic",
        "sangong",
        "gov_fund_expenditure",
        "operating_costs",
        "procurement",
    ]
