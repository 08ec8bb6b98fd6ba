"""Numbers and money as disclosures print them, parsed exactly to ``Decimal``.

Handles full-width digits and punctuation, thousands separators, signs, the dash and
无 forms that mean zero, and the money units 元/千元/万元/亿元. Nothing here goes
through ``float``.
"""

from __future__ import annotations

from decimal import Context, Decimal, InvalidOperation

import regex

# Full-width ASCII (U+FF01..U+FF5E) maps one-to-one onto ASCII, and the ideographic
# space onto a space, so normalising keeps every character offset valid for evidence.
_WIDTH_TABLE = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {
    0x3000: 0x20,  # ideographic space
    0x00A0: 0x20,  # no-break space (Word/Excel exports)
    0x2212: 0x2D,  # minus sign
    0xFE63: 0x2D,  # small hyphen-minus
}

MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal(1),
    "千元": Decimal(1000),
    "万元": Decimal(10000),
    "亿元": Decimal(100000000),
}

# Cell texts that state zero. "-" and "—" are how Excel-made tables print 0; 无 is "none".
ZERO_WORDS = frozenset({"-", "--", "—", "——", "－", "─", "无", "0", "零"})

# A plain decimal number as printed: optional sign, digits with optional thousands
# separators (ASCII or full-width comma after normalising), optional fraction.
NUMBER_RE = regex.compile(r"(?<![\d.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?![\d])")
# A cell is one number: its first group may run long where the software grouped only the
# last digits (上海's 元 tables print 120258,600).
_CELL_NUMBER_RE = regex.compile(r"^\(?-?(?:\d+(?:,\d{3})+|\d+)(?:\.\d+)?\)?$")

# Yuan values are shown with two decimals where that is exact (FIELDS.md); a figure printed
# finer keeps its digits, up to the declared maximum below.
YUAN_QUANTUM = Decimal("0.01")
# The declared maximum of an amount in yuan: digits in all and after the point (every output
# declares money so: Parquet decimal128, the datapackage). 18 digits before the point are a
# billion times any budget, and sums of such values stay within Decimal's default 28 digits.
MONEY_DIGITS = 22
MONEY_SCALE = 4
# Arithmetic on printed figures is exact however many digits they show: a figure of 40
# digits is judged against the maximum, never rounded to 28 first.
_EXACT = Context(prec=100)


def normalize_width(text: str) -> str:
    """Map full-width forms to ASCII without changing the text's length."""
    return text.translate(_WIDTH_TABLE)


def squeeze(text: str) -> str:
    """Normalise width and drop all white space (for matching labels and numbers)."""
    return "".join(normalize_width(text).split())


def parse_decimal(text: str) -> Decimal | None:
    """Parse one printed number (``1,511.71``, ``－3.5``, ``（12）``) or return None.

    Parentheses are the accounting form of a negative number.
    """
    s = squeeze(text)
    if not s or not _CELL_NUMBER_RE.match(s):
        return None
    negative = s.startswith("(") and s.endswith(")")
    s = s.strip("()").replace(",", "")
    try:
        value = Decimal(s)
    except InvalidOperation:  # the regex admits only valid forms; kept for safety under -O
        return None
    return -value if negative else value


def parse_cell_amount(text: str) -> Decimal | None:
    """The amount a table cell states, zero words included; None for blank or non-numbers."""
    s = squeeze(text)
    if not s:
        return None
    if s in ZERO_WORDS:
        return Decimal(0)
    return parse_decimal(s)


def to_yuan(value: Decimal, unit: str) -> Decimal:
    """Scale an amount in ``unit`` to yuan, exactly: a whole number, two decimals, or as many
    as the figure printed (``fits_money`` says whether the outputs can hold it)."""
    try:
        factor = MONEY_UNITS[unit]
    except KeyError:
        raise KeyError(f"not a money unit: {unit!r}") from None
    scaled = _EXACT.multiply(value, factor)
    if scaled == _EXACT.to_integral_value(scaled):
        return scaled.quantize(Decimal(1), context=_EXACT)
    fen = scaled.quantize(YUAN_QUANTUM, context=_EXACT)
    return fen if fen == scaled else scaled.normalize(_EXACT)


def fits_decimal(value: Decimal | int, digits: int, scale: int) -> bool:
    """Whether ``value`` fits a decimal of ``digits`` digits, ``scale`` of them after the point."""
    value = Decimal(value)
    if not value.is_finite():
        return False
    if value != value.quantize(Decimal(1).scaleb(-scale), context=_EXACT):
        return False
    return abs(value) < Decimal(10) ** (digits - scale)


def fits_count(value: int) -> bool:
    """Whether a count fits the outputs' integers (64 bits, signed)."""
    return -(2**63) <= value < 2**63


def fits_money(value: Decimal | int) -> bool:
    """Whether an amount in yuan fits the declared maximum (MONEY_DIGITS, MONEY_SCALE)."""
    return fits_decimal(value, MONEY_DIGITS, MONEY_SCALE)


def decimals_shown(text: str) -> int:
    """How many decimals a printed number shows (for half-last-digit tolerances)."""
    s = squeeze(text).strip("()")
    return len(s.split(".", 1)[1]) if "." in s else 0


def half_last_digit(printed: str, unit: str) -> Decimal:
    """Half the last digit a printed number shows, in yuan: how far rounding may move it."""
    return Decimal(5) * Decimal(10) ** (-decimals_shown(printed) - 1) * MONEY_UNITS[unit]
