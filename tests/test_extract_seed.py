"""The seed document (published text): every field and indicator, with evidence."""

from __future__ import annotations

from decimal import Decimal

from .conftest import SEED

NAME = SEED.name

EXPECTED_FIELDS = {
    "meta.department": "山海关区总工会",
    "meta.year": 2017,
    "meta.kind": "budget",
    "meta.region": "山海关区",
    "income.total": 962200,
    "income.general_budget": 962200,
    "expenditure.total": 962200,
    "expenditure.personnel": 707300,
    "expenditure.public": 33200,
    "expenditure.project": 221700,
    "expenditure.basic": 740500,
    "expenditure.total_change": 356700,
    "expenditure.total_prev": 605500,
    "expenditure.basic_change": 318900,
    "expenditure.project_change": 37800,
    "operating_costs.total": 33200,
    "sangong.total": 0,
    "sangong.overseas": 0,
    "sangong.vehicle": 0,
    "sangong.vehicle_purchase": 0,
    "sangong.vehicle_operation": 0,
    "sangong.reception": 0,
    "sangong.total_change": 0,
    "sangong.total_prev": 0,
    "procurement.total": 0,
    "assets.total": 0,
}


def test_every_field_exactly(extracted: dict[str, dict]) -> None:
    assert extracted[NAME]["fields"] == EXPECTED_FIELDS
    assert extracted[NAME]["status"] == "ok"


def test_prose_evidence_spans_point_into_the_file(extracted: dict[str, dict]) -> None:
    text = SEED.read_bytes().decode("utf-8")
    facts = [f for f in extracted[NAME]["facts"] if f["method"] == "prose"]
    assert facts
    for fact in facts:
        loc = fact["location"]
        assert text[loc["char_start"] : loc["char_end"]] == fact["text"]
        assert text.count("\n", 0, loc["char_start"]) + 1 == loc["line_start"]


def test_change_is_signed_and_labelled(extracted: dict[str, dict]) -> None:
    (fact,) = [f for f in extracted[NAME]["facts"] if f["id"] == "expenditure.basic_change"]
    assert fact["value"] == 318900
    assert fact["text"] == "基本支出增加31.89万元"
    assert (fact["unit"], fact["method"], fact["location"]["line_start"]) == ("万元", "prose", 55)


def test_all_of_and_none_of_statements(extracted: dict[str, dict]) -> None:
    facts = {f["id"]: f for f in extracted[NAME]["facts"]}
    assert facts["income.general_budget"]["text"] == "全部为一般公共预算安排"
    assert facts["income.general_budget"]["rule"] == "all_of"
    procurement = {f["text"]: f["rule"] for f in extracted[NAME]["facts"] if f["id"] == "procurement.total"}
    # "无政府采购预算，空表列示。": both clauses state the zero
    assert procurement == {"无政府采购预算": "none_of", "空表列示": "empty_table"}
    assert facts["sangong.total_change"]["rule"] == "no_change"


def test_derived_values_say_so(extracted: dict[str, dict]) -> None:
    (basic,) = [f for f in extracted[NAME]["facts"] if f["id"] == "expenditure.basic"]
    assert basic["method"] == "derived"
    assert basic["derived_from"] == ["expenditure.personnel", "expenditure.public"]


def test_indicators_two_levels_filled_down(extracted: dict[str, dict]) -> None:
    indicators = extracted[NAME]["indicators"]
    assert len(indicators) == 15
    first = indicators[0]
    assert (first["parent"], first["activity"], first["indicator"]) == (
        "维护职工合法权益",
        "完善工会参与社会管理机制",
        "区县两级联席会议突出问题解决数量(个)",
    )
    assert first["standards"] == {"excellent": "1", "good": "0", "fair": "0", "poor": "0"}
    assert "budget" not in first  # its own 年度预算数 cell is blank
    # a blank activity cell continues the activity above, budget included
    labour = [i for i in indicators if i["activity"] == "劳动模范管理"]
    assert [i["indicator"] for i in labour] == ["市级以上劳模救助率", "市级以上劳模休养活动满意率"]
    assert all(i["budget"] == Decimal(30400) and i["parent"] == "维护职工合法权益" for i in labour)
    last = indicators[-1]
    assert (last["parent"], last["activity"], last["budget"]) == ("困难职工帮扶", "帮扶管理", Decimal(188500))
    assert last["standards"]["poor"] == "60%"
    assert indicators[5]["standards"]["poor"] == "5%以下"


def test_tables_are_output_with_units(extracted: dict[str, dict]) -> None:
    tables = extracted[NAME]["tables"]
    grid = next(t for t in tables if "绩效目标" in t["caption"])
    assert (grid["unit"], grid["unit_inferred"]) == ("万元", False)
    spanned = next(c for c in grid["cells"] if c["text"] == "评价标准")
    assert (spanned["row"], spanned["col"], spanned["colspan"]) == (0, 5, 4)
