"""Values the outputs cannot hold are set aside, each as an issue of its document.

An amount printed finer than the declared scale (``1500.12345678元``) or larger than the
declared maximum (``99999999999999999999万元``) is a misprint or a hostile file, not a figure
to round: it is left out of the facts, line items and indicators, and the issue
``value_out_of_range`` keeps the text as printed and where it stands. A count must fit a
64-bit integer. Without this, one such figure failed the writers of a whole batch.
"""

from __future__ import annotations

from decimal import Decimal

from ..model import Issue, Location, Result
from ..numbers import MONEY_DIGITS, MONEY_SCALE, fits_count, fits_money

__all__ = ["set_aside_out_of_range"]


def _fits(value: Decimal | int | str) -> bool:
    if isinstance(value, (bool, str)):
        return True
    if isinstance(value, int):
        return fits_count(value)
    return fits_money(value)


def _issue(text: str, location: Location, what: str) -> Issue:
    where = f"page {location.page}" if location.page is not None else f"line {location.line_start}"
    return Issue(
        "value_out_of_range",
        "warning",
        f"{what} {text!r} ({where}) is beyond what an amount may hold (at most "
        f"{MONEY_DIGITS - MONEY_SCALE} digits before the point and {MONEY_SCALE} after, in yuan): "
        "not kept",
    )


def set_aside_out_of_range(result: Result) -> None:
    """Remove from ``result`` every value the outputs cannot hold, with an issue for each."""
    kept = []
    for fact in result.facts:
        if _fits(fact.value):
            kept.append(fact)
        else:
            result.issues.append(_issue(fact.evidence.text, fact.evidence.location, fact.field_id))
    result.facts = kept
    for item in result.line_items:
        amounts = [a for a in item.amounts if _fits(a.value)]
        for amount in item.amounts:
            if not _fits(amount.value):
                result.issues.append(_issue(amount.text, amount.location, f"line item {item.code}"))
        item.amounts = amounts
    for indicator in result.indicators:
        if indicator.budget is not None and not _fits(indicator.budget):
            result.issues.append(_issue(str(indicator.budget), indicator.location, "indicator budget"))
            indicator.budget = None
