"""CSV text of the dataset: a value as a CSV cell, and the names of the table grid files
(tables/*.csv)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import regex

_UNSAFE = regex.compile(r"[^\w.-]+")
TABLE_FILE_RE = regex.compile(r"^.+-[0-9a-f]{8}-t\d+\.csv$")


def csv_cell(value: Any) -> str:
    """A value as CSV text: numbers plain and exact, booleans true/false, nothing empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value + 0, "f")  # "+ 0" turns a negative zero into 0
    return str(value)


def table_file_name(source: str, sha256: str, index: int) -> str:
    stem = _UNSAFE.sub("_", Path(source).stem)[:60] or "doc"
    return f"{stem}-{sha256[:8]}-t{index}.csv"
