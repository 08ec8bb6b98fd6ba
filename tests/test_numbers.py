"""The number parser: exact Decimals from every printed form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from disclosure_extract.numbers import (
    half_last_digit,
    normalize_width,
    parse_cell_amount,
    parse_decimal,
    to_yuan,
)

amounts = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2, allow_nan=False)


def _with_separators(value: Decimal) -> str:
    sign = "-" if value < 0 else ""
    whole, _, frac = f"{abs(value):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{','.join(groups)}.{frac}"


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(amounts)
def test_plain_round_trip(value: Decimal) -> None:
    assert parse_decimal(f"{value:.2f}") == value


@given(amounts)
def test_thousands_separators_round_trip(value: Decimal) -> None:
    assert parse_decimal(_with_separators(value)) == value


@given(amounts)
def test_full_width_round_trip(value: Decimal) -> None:
    assert parse_decimal(_full_width(_with_separators(value))) == value


@given(st.text())
def test_normalize_width_keeps_length(text: str) -> None:
    # evidence offsets are computed on normalised text and used on the original
    assert len(normalize_width(text)) == len(text)


@given(amounts, st.sampled_from(["元", "千元", "万元", "亿元"]))
def test_to_yuan_is_exact(value: Decimal, unit: str) -> None:
    factor = {"元": 1, "千元": 1000, "万元": 10000, "亿元": 100000000}[unit]
    assert to_yuan(value, unit) == value * factor


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3,804.70", Decimal("3804.70")),
        ("１，５１１．７１", Decimal("1511.71")),
        ("-", Decimal(0)),
        ("—", Decimal(0)),
        ("——", Decimal(0)),
        ("无", Decimal(0)),
        ("(12.5)", Decimal("-12.5")),
        ("－3.5", Decimal("-3.5")),
        ("", None),
        ("\u3000", None),
        ("100%", None),
        ("合计", None),
        ("1.2.3", None),
    ],
)
def test_cell_amount_forms(text: str, expected: Decimal | None) -> None:
    assert parse_cell_amount(text) == expected


def test_to_yuan_values_from_the_seed() -> None:
    assert to_yuan(Decimal("96.22"), "万元") == Decimal(962200)
    assert to_yuan(Decimal("0.28"), "万元") == Decimal(2800)
    assert str(to_yuan(Decimal("91016775.35"), "元")) == "91016775.35"


def test_half_last_digit() -> None:
    assert half_last_digit("4.90", "万元") == Decimal(50)
    assert half_last_digit("897.6", "万元") == Decimal(500)
    assert half_last_digit("100", "元") == Decimal("0.5")


def test_unknown_unit_is_an_error() -> None:
    with pytest.raises(KeyError):
        to_yuan(Decimal(1), "美元")
