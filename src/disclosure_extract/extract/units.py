"""A table that prints no unit takes the one its figures agree in with the document's other
statements of them (units held to magnitude).

A table with no 单位 line is read in the unit the document's text uses, else in 万元 (the
usual one). Where its figures then stand 10,000 times off the same figures stated with a
printed unit (a 收入 total in prose, another table's), the table's unit was another: every
figure of the table, its line items too, is rescaled, and the issue ``unit_by_magnitude``
says from what to what on what evidence. A table none of whose figures is stated elsewhere
keeps its guess (``unit_inferred`` stays on every value).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from decimal import Decimal

from ..model import Fact, Issue, LineItem, Table
from ..numbers import MONEY_UNITS
from .tables import TableUnit

__all__ = ["settle_guessed_units"]


def settle_guessed_units(
    facts: list[Fact], line_items: list[LineItem], tables: list[Table], units: dict[int, TableUnit]
) -> list[Issue]:
    """Rescale each table whose guessed unit its figures' other statements contradict."""
    printed: dict[str, list[Fact]] = defaultdict(list)
    for fact in facts:
        if isinstance(fact.value, Decimal) and fact.value and not fact.evidence.unit_inferred:
            printed[fact.field_id].append(fact)
    issues: list[Issue] = []
    for index, unit in units.items():
        if not unit.inferred or unit.unit not in MONEY_UNITS:
            continue
        guessed = [
            f
            for f in facts
            if f.evidence.method == "table"
            and f.evidence.location.table == index
            and f.evidence.unit_inferred
            and isinstance(f.value, Decimal)
        ]
        votes = _votes(guessed, printed, unit.unit)
        best = max(votes, key=lambda u: (votes[u], u == unit.unit), default=unit.unit)
        if best == unit.unit or votes[best] <= votes[unit.unit]:
            continue
        factor = MONEY_UNITS[best] / MONEY_UNITS[unit.unit]
        _rescale(guessed, line_items, index, factor, best)
        units[index] = TableUnit(best, True, f"no unit printed; {votes[best]} of its figures agree in {best}")
        table = next((t for t in tables if t.index == index), None)
        issues.append(
            Issue(
                "unit_by_magnitude",
                "info",
                f"table {index} prints no unit: read in {best}, not {unit.unit}, as {votes[best]} of its "
                f"figures are stated in {best} elsewhere in the document",
                table.location if table is not None else None,
            )
        )
    return issues


def _votes(guessed: list[Fact], printed: dict[str, list[Fact]], assumed: str) -> Counter[str]:
    """For each money unit, how many of the table's figures some printed statement equals
    when the table is read in it."""
    votes: Counter[str] = Counter()
    for fact in guessed:
        assert isinstance(fact.value, Decimal)
        for candidate, scale in MONEY_UNITS.items():
            factor = scale / MONEY_UNITS[assumed]
            value = fact.value * factor
            slack = (fact.evidence.tolerance or Decimal(0)) * factor
            for other in printed.get(fact.field_id, []):
                assert isinstance(other.value, Decimal)
                allowed = max(slack + (other.evidence.tolerance or Decimal(0)), Decimal(1))
                if abs(value - other.value) <= allowed:
                    votes[candidate] += 1
                    break
    return votes


def _rescale(guessed: list[Fact], line_items: list[LineItem], index: int, factor: Decimal, unit: str) -> None:
    for fact in guessed:
        assert isinstance(fact.value, Decimal)
        fact.value = _exact(fact.value * factor)
        fact.evidence.unit = unit
        if fact.evidence.tolerance is not None:
            fact.evidence.tolerance = fact.evidence.tolerance * factor
    for item in line_items:
        if item.table != index:
            continue
        for amount in item.amounts:
            amount.value = _exact(amount.value * factor)
            amount.unit = unit


def _exact(value: Decimal) -> Decimal:
    """A rescaled amount without trailing zeros, a whole number without an exponent."""
    whole = value.to_integral_value()
    return whole.quantize(Decimal(1)) if value == whole else value.normalize()
