"""Tables broken down by budget unit (预算单位): whose figures each row states.

A department's table may list, in a 预算单位 column, the department's own row first (its
totals), then its own part (某局（本级）) and each unit under it, each followed by its classified
rows. Read as one table, every unit's 支出总计 is a candidate for the department's, and every
unit's 208 row a parent of every other unit's 20801 rows. So each row is given the unit it
belongs to (named on it, or on the nearest row above that names one), and the department's
figures are read from its own block only: the first, when it is the department's or a total.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Table
from ..numbers import parse_cell_amount
from ..patterns import Patterns
from .labels import clean_label

__all__ = ["EntityColumn", "entity_column"]


@dataclass(frozen=True)
class EntityColumn:
    """The 预算单位 column of a table, and the unit each row (below the header) belongs to."""

    col: int
    names: dict[int, str]  # row -> the unit the row belongs to ("" before the first one named)
    starts: frozenset[int]  # the rows naming a unit
    first: str  # the first unit named
    department_rows: frozenset[int]  # the rows of the department's own figures (maybe none)

    def owner(self, row: int) -> str:
        return self.names.get(row, "")


def entity_column(
    table: Table, n_header: int, headers: list[list[str]], department: str | None, patterns: Patterns
) -> EntityColumn | None:
    """The table's 预算单位 column, or None when it has none."""
    header_re = patterns.tables["entity_header_re"]
    named = (
        c for c, texts in enumerate(headers) if any(header_re.match(clean_label(t, patterns)) for t in texts)
    )
    col = next(named, None)
    if col is None:
        return None
    grid = table.grid()
    names: dict[int, str] = {}
    starts: set[int] = set()
    current = ""
    for r in range(n_header, table.n_rows):
        cell = grid[r][col] if col < len(grid[r]) else None
        text = cell.text.strip() if cell is not None and cell.row == r else ""
        if text and parse_cell_amount(text) is None:
            current = text
            starts.add(r)
        names[r] = current
    order = [names[r] for r in sorted(starts)]
    if not order:
        return None
    first = order[0]
    own = _department_block(first, order[1:], department, patterns)
    rows = frozenset(r for r, name in names.items() if own and name == first and r >= min(starts))
    return EntityColumn(col, names, frozenset(starts), first, rows)


def _department_block(first: str, others: list[str], department: str | None, patterns: Patterns) -> bool:
    """Whether the first unit's block states the department's own figures: it is a total
    (合计), the department itself, or the whole its own part (某局（本级）) follows. (A page
    of such a table that starts with a unit under the department is none of these.)"""
    name = clean_label(first, patterns)
    if patterns.total_row.match(name):
        return True
    if department and _same_body(clean_label(department, patterns), name):
        return True
    own_part = patterns.tables["own_part_re"]
    return any(own_part.search(o) and clean_label(own_part.sub("", o), patterns) == name for o in others)


# A department's name as its cover and its tables print it may differ by the region before
# it (深圳市人力资源和社会保障局 / 人力资源和社会保障局); shorter names are too common to compare.
MIN_NAME_CHARS = 4


def _same_body(department: str, name: str) -> bool:
    if department == name:
        return True
    shorter, longer = sorted((department, name), key=len)
    return len(shorter) >= MIN_NAME_CHARS and longer.endswith(shorter)
