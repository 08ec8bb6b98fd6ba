"""CSV text of the dataset: a value as a CSV cell, and the names of the table grid files
(tables/*.csv)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import regex

_UNSAFE = regex.compile(r"[^\w.-]+")
TABLE_FILE_RE = regex.compile(r"^.+-[0-9a-f]{8}-t\d+\.csv$")


# Text a spreadsheet would run as a formula when the CSV is opened (OWASP's CSV injection
# list: = + - @, tab, carriage return), unless it is a plain number or a run of dashes.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_HARMLESS = regex.compile(r"^[+-]?\d[\d,]*(?:\.\d+)?$|^[-—－─]+$")


def csv_text(text: str) -> str:
    """Text as a CSV cell safe to open in a spreadsheet: a leading ``'`` before text that
    would be a formula (the raw text stays in the JSONL, SQLite and Parquet outputs)."""
    if text.startswith(_FORMULA_START) and not _HARMLESS.match(text):
        return "'" + text
    return text


def csv_cell(value: Any) -> str:
    """A value as CSV text: numbers plain and exact, booleans true/false, nothing empty, text
    that would be a formula neutralised (``csv_text``)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value + 0, "f")  # "+ 0" turns a negative zero into 0
    if isinstance(value, str):
        return csv_text(value)
    return str(value)


def table_file_name(source: str, sha256: str, index: int) -> str:
    stem = _UNSAFE.sub("_", Path(source).stem)[:60] or "doc"
    return f"{stem}-{sha256[:8]}-t{index}.csv"
