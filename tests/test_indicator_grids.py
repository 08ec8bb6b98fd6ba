"""Performance grids read by one header-driven reader: forms cut by page breaks, block labels,
grids of the whole department, targets in parts, and the truth-free grid measures."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from disclosure_extract import Patterns
from disclosure_extract.api import extract_data
from disclosure_extract.extract.indicators import parse_target
from disclosure_extract.unlabeled import GridMeasures, measure_grids

from .conftest import CORPUS, as_record, extract_record

REGRESS = CORPUS / "regress"


def _rows(name: str, patterns: Patterns) -> list[dict]:
    return list(extract_record(REGRESS / name, patterns)["indicators"])


def test_forms_cut_by_page_breaks(patterns: Patterns) -> None:
    """西南大学 2023, pp. 16-18: a form's 执行率分值 cell drawn with its own rulings (found as a
    small table inside the form) no longer stops the form being stitched to its next page; a
    form whose grid opens the next page's table lends that grid its project and funds; the
    block label 绩效指标 down the left side is neither indicator nor activity."""
    rows = _rows("indicator_forms_cut_by_page_breaks.pdf", patterns)
    by_project = Counter(r["activity"] for r in rows)
    assert by_project == {"236中央高校教育教学改革专项": 19, "236中央高校管理改革等绩效拨款": 6}
    first = rows[0]
    assert (first["level1"], first["level2"], first["indicator"], first["target"]) == (
        "产出指标",
        "数量指标",
        "建设一流本科课程数",
        "20门",
    )
    assert (first["budget"], first["fiscal_funds"], first["other_funds"]) == (
        Decimal(21127600),
        Decimal(21120000),
        Decimal(0),
    )
    assert (first.get("comparison"), first["number"], first["unit"], first["weight"]) == (
        None,
        Decimal(20),
        "门",
        Decimal(5),
    )
    # rows of the page after the break: merged 一级 / 二级 cells filled down
    continued = [r for r in rows if r["indicator"] == "设备更新数量"]
    assert [(r["level1"], r["level2"], r["location"]["page"]) for r in continued] == [
        ("产出指标", "数量指标", 2)
    ]
    # the second project's form ends page 2; its grid opens page 3 in a table of its own
    second = [r for r in rows if r["activity"] == "236中央高校管理改革等绩效拨款"]
    assert {r["budget"] for r in second} == {Decimal(11119800)}
    assert {r["location"]["page"] for r in second} == {3}
    assert not any("绩效指标" in r["activity"] for r in rows)


def test_block_label_drawn_as_cells_and_a_form_cut_off(patterns: Patterns) -> None:
    """西南大学 2023, pp. 35-36: the label 绩效指标 printed in the header row and again in the
    first data row takes no column; the rows at the top of p. 35, whose form is on a page not
    in the file, are not given to anybody."""
    rows = _rows("indicator_block_label_split_over_rows.pdf", patterns)
    assert Counter(r["activity"] for r in rows) == {"236教师工作专项": 8, "236出国留学经费（项目）": 3}
    teachers = [r for r in rows if r["activity"] == "236教师工作专项"]
    assert [r["indicator"] for r in teachers][:3] == ["完成培训人数", "总体参训率", "总体结业率"]
    assert teachers[0]["budget"] == Decimal(2447800)
    assert "帮扶对象个数" not in {r["indicator"] for r in rows}


def test_grid_of_the_whole_department_with_target_in_parts(patterns: Patterns) -> None:
    rows = _rows("indicator_grid_whole_department_target_in_parts.html", patterns)
    whole = [r for r in rows if r["activity"] == "某市气象服务中心"]
    assert [(r["indicator"], r["comparison"], r["number"], r["unit"], r["weight"]) for r in whole] == [
        ("短期天气预报准确率", "≥", Decimal(78), "%", Decimal(40)),
        ("重大气象灾害预警提前时间", "≥", Decimal(30), "分钟", Decimal(30)),
        ("装备维修时限", "≤", Decimal(36), "小时", Decimal(20)),
        ("公众气象服务满意度", "≥", Decimal(90), "%", Decimal(10)),
    ]
    # levels glued into the indicator's cell (产出指标-数量指标-…) are split
    assert (whole[-1]["level1"], whole[-1]["level2"]) == ("满意度指标", "服务对象满意度指标")
    assert "level1" not in whole[0]
    project = [r for r in rows if r["activity"] == "气象台站改造"]
    assert [(r["level1"], r["level2"], r["indicator"], r["target"]) for r in project] == [
        ("产出指标", "数量指标", "改造台站数量", "＝4个"),
        ("产出指标", "时效指标", "完成时间", "不晚于2026年11月"),
    ]
    assert (project[0]["budget"], project[0]["fiscal_funds"], project[0]["other_funds"]) == (
        Decimal(1200000),
        Decimal(1000000),
        Decimal(200000),
    )
    assert (project[0]["comparison"], project[0]["number"], project[0]["unit"]) == ("=", Decimal(4), "个")
    # a blank form (项目名称 | | 主管部门 | ) names no project: its next label is not one
    assert not any(r["activity"] == "主管部门" for r in rows)
    # a grid without a form's 项目名称 takes the project its title names, after the unit code
    titled = [r for r in rows if r["activity"] == "雷达站维护项目"]
    assert [(r["level2"], r["indicator"], r["target"], r["budget"]) for r in titled] == [
        ("数量指标", "维护雷达站数量", "≥3个", Decimal(800000)),
        ("质量指标", "雷达数据可用率", "≥98%", Decimal(800000)),
    ]
    assert len(rows) == 8


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("≥13459.00(平方米)", ("≥", Decimal("13459.00"), "平方米")),
        ("不低于95%", ("≥", Decimal(95), "%")),
        ("≤5分钟", ("≤", Decimal(5), "分钟")),
        ("＝2个", ("=", Decimal(2), "个")),
        ("1,200万元", (None, Decimal(1200), "万元")),
        ("20门", (None, Decimal(20), "门")),
        ("优", (None, None, None)),
        ("2025年12月底前", (None, None, None)),
        ("2025年底前", (None, None, None)),
        ("10年", (None, Decimal(10), "年")),
        ("90%以上", ("≥", Decimal(90), "%")),
        ("3天以内", ("≤", Decimal(3), "天")),
        ("≧95%（含）", ("≥", Decimal(95), "%")),
        ("≥120万平方米", ("≥", Decimal(120), "万平方米")),
        ("显著提高", (None, None, None)),
    ],
)
def test_target_in_parts(text: str, parts: tuple, patterns: Patterns) -> None:
    assert parse_target(text, patterns) == parts


def test_grid_measures_count_printed_cells_against_rows(patterns: Patterns) -> None:
    """The truth-free measure: indicator cells printed under a grid header, rows read."""
    path = REGRESS / "indicator_forms_cut_by_page_breaks.pdf"
    result = extract_data(path.read_bytes(), str(path), patterns)
    measures = measure_grids(result, patterns)
    assert (measures.rows, measures.cells, measures.bad_rows, measures.projects) == (25, 25, 0, 2)
    assert measures.grids == measures.complete == 2
    # a grid losing a row shows: one grid is no longer read whole
    result.indicators.pop()
    assert measure_grids(result, patterns).complete == 1


# ../shared/wild: real PDFs nobody annotated, referred to in place (not copied here)
WILD = Path(__file__).resolve().parents[2] / "shared" / "wild" / "docs"
CHONGQING_COMMERCE = WILD / "004_重庆" / "2026年重庆市商务委员会部门预算.pdf"
CHANGSHA_PETITIONS = WILD / "015_长沙" / "2026年长沙市信访局部门预算.pdf"
QUANZHOU_POLICE = WILD / "021_泉州" / "2026年泉州市公安局部门预算.pdf"


def _wild(path: Path, patterns: Patterns) -> tuple[list[dict], GridMeasures]:
    result = extract_data(path.read_bytes(), str(path), patterns)
    return list(as_record(result)["indicators"]), measure_grids(result, patterns)


@pytest.mark.skipif(not CHONGQING_COMMERCE.exists(), reason="needs ../shared/wild beside the checkout")
def test_chongqing_grids_with_figures_drawn_over_their_headers(patterns: Patterns) -> None:
    # 表十 部门整体绩效目标表: "60000绩效指标 | 90%指标名称 | 指标性质 | 指标值 | 计量单位 | 指标权重(%)"
    rows, measures = _wild(CHONGQING_COMMERCE, patterns)
    whole = [r for r in rows if r["activity"] == "重庆市商务委员会"]
    assert len(whole) == 10
    assert (whole[0]["indicator"], whole[0]["comparison"], whole[0]["number"], whole[0]["unit"]) == (
        "建成15分钟商业服务圈",
        "≥",
        Decimal(63),
        "个",
    )
    # 表十一: the form (项目名称 | 市商务发展专项, 当年预算 46,794.00 万元), its header repeated
    # on the next page under the same project
    special = [r for r in rows if r["activity"] == "市商务发展专项"]
    assert len(special) == 12 and {r["budget"] for r in special} == {Decimal(467940000)}
    assert (measures.cells, measures.rows, measures.grids, measures.complete) == (34, 34, 3, 3)


@pytest.mark.skipif(not CHANGSHA_PETITIONS.exists(), reason="needs ../shared/wild beside the checkout")
def test_changsha_projects_as_a_column_over_eight_pages(patterns: Patterns) -> None:
    # 单位编码 | 单位（项目）名称 | 资金总额 | 绩效目标 | 绩效指标 {一级 | 二级 | 三级 | 指标值 …}
    rows, measures = _wild(CHANGSHA_PETITIONS, patterns)
    projects = Counter(r["activity"] for r in rows)
    assert projects["基层及其他信访业务工作经费专项"] == 16
    assert projects["长沙市信访局"] == 25  # the 部门整体支出绩效目标表
    cost = rows[0]
    assert (cost["level1"], cost["level2"], cost["indicator"], cost["budget"]) == (
        "成本指标",
        "经济成本指标",
        "总成本",
        Decimal(357800),
    )
    assert (measures.rows, measures.cells, measures.bad_rows) == (101, 101, 0)


@pytest.mark.skipif(not QUANZHOU_POLICE.exists(), reason="needs ../shared/wild beside the checkout")
def test_quanzhou_grids_titled_by_their_project(patterns: Patterns) -> None:
    # "2007_泉州市公安局晋江国际机场分局_机场公安综 合修缮改造项目绩效目标表" above each form
    rows, measures = _wild(QUANZHOU_POLICE, patterns)
    assert Counter(r["activity"] for r in rows)["机场公安综合修缮改造项目"] == 6
    assert measures.titled == measures.titled_read == 26
    assert measures.rows == measures.cells


def test_the_ministry_template_with_its_form_inline(patterns: Patterns) -> None:
    """财政部's 项目支出绩效目标表: 项目名称：X in one cell, 指标值（包含数字及文字描述）; and a grid
    whose activity column is headed 二级项目名称."""
    rows = _rows("indicator_grid_ministry_template_inline_form.html", patterns)
    form = [r for r in rows if r["activity"] == "城乡社区环境整治"]
    assert [(r["level2"], r["indicator"], r["target"]) for r in form] == [
        ("数量指标", "清扫保洁面积", "≥120万平方米"),
        ("时效指标", "完成时限", "2025年12月底前"),
        ("社会效益指标", "市容环境改善", "明显改善"),
        ("服务对象满意度指标", "居民满意度", "≥90%"),
    ]
    assert (form[0]["budget"], form[0]["fiscal_funds"], form[0]["other_funds"]) == (
        Decimal(3500000),
        Decimal(3000000),
        Decimal(500000),
    )
    assert "number" not in form[1]  # a date is no quantity
    column = [(r["activity"], r["level2"], r["indicator"]) for r in rows[len(form) : len(form) + 2]]
    assert column == [
        ("公厕运行维护", "数量指标", "维护公厕数量"),
        ("公厕运行维护", "质量指标", "公厕开放率"),
    ]
    # a header of two rows: 绩效指标 spanning the levels, 指标值 spanning both rows
    spanned = [(r["level1"], r["indicator"], r["target"]) for r in rows if r["activity"] == "垃圾分类宣传"]
    assert spanned == [("产出指标", "宣传活动场次", "≥12场"), ("满意度指标", "居民满意度", "≥90%")]


def test_whose_rows_and_which_levels(patterns: Patterns) -> None:
    """A label ending in a colon is the label; a form the reader does not know lends no row
    to the project above it; a form whose grid it cannot read lends nothing to the next
    table, titled as the department's; a numbered first column is no activity; a new 一级
    opens its own 二级."""
    rows = _rows("indicator_grid_subjects_and_levels.html", patterns)
    assert [(r["activity"], r.get("level1"), r.get("level2"), r["indicator"]) for r in rows] == [
        ("项目甲", "产出指标", "数量指标", "甲的培训人数"),
        ("项目甲", "产出指标", "数量指标", "甲的培训场次"),
        ("项目甲", "满意度指标", None, "甲的群众满意度"),
        ("某市某局", None, None, "部门预算执行率"),
        ("某市某局", None, None, "政务公开及时率"),
    ]


def test_an_unnamed_first_column_names_the_activities(patterns: Patterns) -> None:
    """职责活动 grids may print their activities in a first column without a header word."""
    rows = _rows("indicator_grid_unnamed_activity_column.html", patterns)
    assert [(r["activity"], r["indicator"], r["target"]) for r in rows] == [
        ("职工维权服务", "法律援助案件数", "≥20件"),
        ("职工维权服务", "维权热线接通率", "100%"),
        ("劳模管理", "劳模走访人次", "50人次"),
    ]
