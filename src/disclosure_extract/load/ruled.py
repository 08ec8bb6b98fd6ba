"""Ruled tables of a PDF page: pdfplumber's table finder, with its slow step made fast.

pdfplumber finds tables in four steps: the page's edges (snapped and joined), the points
where they cross, the smallest rectangle closed by edges at each point, and the groups of
rectangles that touch. The third step, as pdfplumber writes it, scans every later point for
each point and rebuilds edge sets for every pair it tries: most of the time a table takes.
Here it is the same search over the same points in the same order, with each point's
column and row of points and its edge sets made once, so it finds the same cells
(tests/test_pdf_backends.py compares them on every page of the corpus). The other steps
are pdfplumber's own functions. Either PDF backend's page works: it needs ``edges`` and
``bbox``.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pdfplumber.table import TableFinder, TableSettings, cells_to_tables, edges_to_intersections
from pdfplumber.utils.geometry import obj_to_bbox

__all__ = ["edge", "find_ruled_tables"]

Box = tuple[float, float, float, float]
Point = tuple[float, float]


def edge(kind: str, orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    """A ruling as pdfplumber's table finder reads an edge (``kind``: its ``object_type``)."""
    return {
        "object_type": kind,
        "orientation": orientation,
        "x0": x0,
        "x1": x1,
        "top": top,
        "bottom": bottom,
        "width": x1 - x0,
        "height": bottom - top,
    }


def find_ruled_tables(page: Any, settings: dict[str, Any]) -> list[list[Box]]:
    """Each ruled table of the page as its cells' boxes (x0, top, x1, bottom)."""
    finder = TableFinder.__new__(TableFinder)  # its edge step alone, without the slow cell step
    finder.page = page
    finder.settings = resolved = TableSettings.resolve(settings)
    edges = finder.get_edges()
    intersections = edges_to_intersections(
        edges, resolved.intersection_x_tolerance, resolved.intersection_y_tolerance
    )
    return [list(group) for group in cells_to_tables(_cells(intersections))]


def _cells(intersections: dict[Point, dict[str, list[Any]]]) -> list[Box]:
    """pdfplumber's ``intersections_to_cells``: at each point (in sorted order), the first
    point below and the first to its right (nearest first) that edges join to it and to a
    fourth point closing the rectangle."""
    points = sorted(intersections)
    vertical = {p: {obj_to_bbox(e) for e in intersections[p]["v"]} for p in points}
    horizontal = {p: {obj_to_bbox(e) for e in intersections[p]["h"]} for p in points}
    column: dict[float, list[Point]] = defaultdict(list)
    row: dict[float, list[Point]] = defaultdict(list)
    place: dict[Point, tuple[int, int]] = {}
    for p in points:  # sorted, so each list is in the order pdfplumber scans
        place[p] = (len(column[p[0]]), len(row[p[1]]))
        column[p[0]].append(p)
        row[p[1]].append(p)

    def connects(a: Point, b: Point) -> bool:
        if a[0] == b[0] and not vertical[a].isdisjoint(vertical[b]):
            return True
        return a[1] == b[1] and not horizontal[a].isdisjoint(horizontal[b])

    cells = []
    for p in points:
        in_column, in_row = place[p]
        cell = _smallest_cell(
            p, column[p[0]][in_column + 1 :], row[p[1]][in_row + 1 :], intersections, connects
        )
        if cell is not None:
            cells.append(cell)
    return cells


def _smallest_cell(
    p: Point,
    below: list[Point],
    right: list[Point],
    intersections: dict[Point, Any],
    connects: Any,
) -> Box | None:
    for b in below:
        if not connects(p, b):
            continue
        for r in right:
            if not connects(p, r):
                continue
            corner = (r[0], b[1])
            if corner in intersections and connects(corner, r) and connects(corner, b):
                return (p[0], p[1], corner[0], corner[1])
    return None
