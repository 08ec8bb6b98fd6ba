"""The real pingtan pages: exact values from prose and from tables, with cell evidence."""

from __future__ import annotations

from decimal import Decimal


def test_renda_prose(extracted: dict[str, dict]) -> None:
    fields = extracted["pingtan_2017_budget_renda.html"]["fields"]
    assert fields["meta.department"] == "平潭县人大常委会"
    assert (fields["meta.year"], fields["meta.kind"], fields["meta.region"]) == (2017, "budget", "平潭县")
    assert fields["income.total"] == Decimal("7112700")
    assert fields["income.special_account"] == 0 and fields["income.carryover"] == 0
    # section 五 (一般公共预算拨款支出) itemises the appropriation scope
    assert fields["appropriation.personnel"] == 4068700
    assert fields["appropriation.public"] == 334000
    assert fields["expenditure.personnel"] == 4068700
    # the 三公 items are named by their headings: "（一）公务接待费" / "2017年预算安排2.00万元"
    assert fields["sangong.reception"] == 20000
    assert fields["sangong.vehicle"] == 76000 and fields["sangong.vehicle_operation"] == 76000
    assert fields["operating_costs.total"] == 3044000 and fields["operating_costs.change"] == 291500
    assert fields["expenditure.total_change"] == 895000
    assert "sangong.overseas" not in fields  # implied by the sums, never stated


def test_renda_heading_label_evidence(extracted: dict[str, dict]) -> None:
    (fact,) = [
        f for f in extracted["pingtan_2017_budget_renda.html"]["facts"] if f["id"] == "sangong.reception"
    ]
    assert fact["label"] == "公务接待费"
    assert fact["text"] == "2017年预算安排2.00万元"
    assert fact["location"]["path"].startswith("/html/body/")


def test_guanweihui(extracted: dict[str, dict]) -> None:
    fields = extracted["pingtan_2016_budget_guanweihuibangongshi.html"]["fields"]
    assert fields["meta.department"] == "平潭综合实验区管委会办公室"
    assert fields["meta.region"] == "平潭综合实验区"
    assert fields["sangong.total"] == 8976000
    assert fields["sangong.overseas"] == 1000000
    assert fields["sangong.vehicle"] == 976000
    assert fields["appropriation.general_budget"] == 89595900


def test_jianchayuan_table_rows(extracted: dict[str, dict]) -> None:
    record = extracted["pingtan_2014_final_jianchayuan.html"]
    fields = record["fields"]
    assert (fields["meta.kind"], fields["meta.year"]) == ("final_accounts", 2014)
    assert fields["income.carryover"] == 1619000
    assert fields["income.current_year"] == 38047000
    assert fields["income.general_budget"] == Decimal("15117100")
    assert fields["income.other"] == 22929900
    assert fields["expenditure.carryforward"] == 2680400
    # "其中：基本支出结转" is not 基本支出
    assert "expenditure.basic" not in fields
    (fact,) = [f for f in record["facts"] if f["id"] == "income.current_year"]
    assert fact["text"] == "3,804.70"
    assert (fact["method"], fact["unit"], fact["unit_inferred"]) == ("table", "万元", False)
    # rows of the normalised grid: the caption rows and blank rows are not rows
    assert (fact["location"]["table"], fact["location"]["row"], fact["location"]["col"]) == (0, 6, 1)
    grid = record["tables"][0]
    assert next(c["text"] for c in grid["cells"] if (c["row"], c["col"]) == (6, 0)) == "本年收入合计"
    assert fact["location"]["path"].endswith("/td[2]")


def test_shuiliju_unit_inferred_and_blank_cells_absent(extracted: dict[str, dict]) -> None:
    record = extracted["pingtan_2014_final_shuiliju.html"]
    fields = record["fields"]
    assert fields["meta.department"] == "平潭县水利局"
    assert fields["sangong.total"] == 49000
    assert fields["sangong.vehicle"] == 31900 and fields["sangong.vehicle_operation"] == 31900
    assert fields["sangong.reception"] == 17100
    # blank cells are not zeros: not stated, so absent
    assert "sangong.overseas" not in fields and "sangong.vehicle_purchase" not in fields
    (fact,) = [f for f in record["facts"] if f["id"] == "sangong.total"]
    assert fact["unit_inferred"] is True and fact["label"] == "合计 / “三公”经费公共财政拨款支出合计"
    assert any(i["code"] == "unit_inferred" for i in record["issues"])
