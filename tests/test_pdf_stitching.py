"""Stitching a table continued on the next page: repeated header dropped, 合计-only pages kept."""

from __future__ import annotations

from disclosure_extract.load.pdf import _append, _continues, _PageTable, _without_nested
from disclosure_extract.model import Cell, Location

EDGES = [40.0, 140.0, 240.0]


def _table(rows: list[list[str]], page: int, left: float = 40.0) -> _PageTable:
    cells = []
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            x0, x1 = EDGES[c], EDGES[c + 1]
            if x1 <= left:
                continue
            cells.append(
                Cell(r, c, text, Location(page=page, bbox=(max(x0, left), 20.0 * r, x1, 20.0 * r + 20)))
            )
    return _PageTable(cells=cells, bbox=(left, 0, EDGES[-1], 20.0 * len(rows)), starts_page=True)


def _rows(t: _PageTable) -> list[list[str]]:
    n = max(c.row for c in t.cells) + 1
    out = [[""] * 2 for _ in range(n)]
    for c in t.cells:
        out[c.row][c.col] = c.text
    return out


def test_repeated_header_is_dropped() -> None:
    first = _table([["科目名称", "金额"], ["基本工资", "1.00"]], page=1)
    second = _table([["科目名称", "金额"], ["津贴补贴", "2.00"]], page=2)
    assert _continues(first, second)
    _append(first, second)
    assert _rows(first) == [["科目名称", "金额"], ["基本工资", "1.00"], ["津贴补贴", "2.00"]]
    assert {c.location.page for c in first.cells} == {1, 2}


def test_page_with_only_the_total_row_is_kept() -> None:
    first = _table([["科目名称", "金额"], ["基本工资", "1.00"]], page=1)
    second = _table([["合计", "1.00"]], page=2)
    assert _continues(first, second)
    _append(first, second)
    assert _rows(first)[-1] == ["合计", "1.00"]


def test_continuation_without_its_first_column_ruling() -> None:
    first = _table([["科目名称", "金额"], ["基本工资", "1.00"]], page=1)
    second = _table([["", "2.00"]], page=2, left=140.0)  # the empty first column has no ruling
    assert _continues(first, second)
    _append(first, second)
    assert _rows(first)[-1] == ["", "2.00"]


def test_other_columns_do_not_continue() -> None:
    first = _table([["科目名称", "金额"]], page=1)
    other = _PageTable(
        cells=[Cell(0, 0, "x", Location(page=2, bbox=(10.0, 0, 300.0, 20)))],
        bbox=(10.0, 0, 300.0, 20),
        starts_page=True,
    )
    assert not _continues(first, other)


def test_a_table_inside_another_is_dropped_and_a_table_found_twice_kept_once() -> None:
    form, cell, twin, apart = (
        (50, 100, 550, 700),
        (500, 200, 540, 250),
        (50.4, 100, 550, 700.3),
        (0, 0, 10, 10),
    )
    kept = _without_nested([_PageTable(cells=[], bbox=b) for b in (form, cell, twin, apart)])
    assert [t.bbox for t in kept] == [form, apart]
