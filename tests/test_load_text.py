"""The plain-text loader on the published seed document."""

from __future__ import annotations

from disclosure_extract import Patterns, load_bytes
from disclosure_extract.extract.sections import build_outline
from disclosure_extract.model import Table

from .conftest import SEED


def _seed(patterns: Patterns):
    return load_bytes(SEED.read_bytes(), str(SEED), patterns)


def test_title_and_headings(patterns: Patterns) -> None:
    doc = _seed(patterns)
    assert doc.title == "山海关区总工会2017年部门预算公开说明"
    headings = [(b.level, b.text) for b in doc.blocks if b.kind == "heading" and b.level is not None]
    assert (1, "一、部门职责及机构设置情况") in headings
    assert (3, "1、收入说明") in headings
    # a numbered definition is a paragraph, not a section
    assert not any(t.startswith("2、事业收入：") for _, t in headings)


def test_indicator_grid_rebuilt_with_spanned_header(patterns: Patterns) -> None:
    doc = _seed(patterns)
    grid = next(t for t in doc.tables if "绩效目标" in t.caption)
    assert grid.unit_text == "单位：万元"
    assert (grid.n_rows, grid.n_cols) == (21, 9)
    header = {(c.row, c.col): c for c in grid.cells if c.row < 2}
    standard = header[(0, 5)]
    assert (standard.text, standard.colspan, standard.rowspan) == ("评价标准", 4, 1)
    assert (header[(0, 0)].text, header[(0, 0)].rowspan) == ("职责活动", 2)
    assert [header[(1, c)].text for c in range(5, 9)] == ["优", "良", "中", "差"]
    assert grid.text_rows()[3][:2] == ["完善工会参与社会管理机制", ""]


def test_cell_locations_point_into_the_file(patterns: Patterns) -> None:
    doc = _seed(patterns)
    text = SEED.read_bytes().decode("utf-8")
    for table in doc.tables:
        for cell in table.cells:
            loc = cell.location
            assert loc.char_start is not None and loc.char_end is not None
            # cell text is the printed text with layout spaces removed
            assert "".join(text[loc.char_start : loc.char_end].split()) == cell.text


def test_section_tree(patterns: Patterns) -> None:
    doc = _seed(patterns)
    outline = build_outline(doc)
    (sangong,) = outline.root.find("三公")
    assert sangong.title == "四、财政拨款“三公”经费预算情况及增减变化原因"
    assert any("0万元" in b.text for b in sangong.all_items() if not isinstance(b, Table))
    (income,) = outline.root.find("收入说明")
    assert income.path() == ["二、部门预算安排的总体情况", "1、收入说明"]


def test_title_row_becomes_caption(patterns: Patterns) -> None:
    doc = _seed(patterns)
    assets = doc.tables[-1]
    # the one-cell first row names the table; 编制部门/截止时间 are its preamble
    assert assets.caption.startswith("部门固定资产占用情况表")
    assert assets.text_rows()[0] == ["项目", "数量", "价值（金额单位：万元）"]
