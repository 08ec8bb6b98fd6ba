"""The output schema: a Result as one JSON object, with money as exact JSON numbers."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import regex

from ..model import Fact, Indicator, Issue, Result, Table

SCHEMA_VERSION = 1

# json cannot write a Decimal as a number without going through float; a Decimal is
# written as a marked string and the marks are then removed, leaving its exact digits.
_MARK = "\u0000dec:"
_MARK_RE = regex.compile(r'"\\u0000dec:(-?[0-9]+(?:\.[0-9]+)?)"')


def _mark_decimal(value: Any) -> str:
    if isinstance(value, Decimal):
        # "+ 0" turns a negative zero (a "decrease" of 0) into plain 0
        return f"{_MARK}{format(value + 0, 'f')}"
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def dumps(obj: Any) -> str:
    """Compact, key-ordered JSON with Decimals as exact numbers."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_mark_decimal)
    return _MARK_RE.sub(r"\1", text)


def fact_record(fact: Fact) -> dict[str, Any]:
    ev = fact.evidence
    record: dict[str, Any] = {
        "id": fact.field_id,
        "value": fact.value,
        "method": ev.method,
        "text": ev.text,
        "location": ev.location.as_dict(),
    }
    if ev.unit:
        record["unit"] = ev.unit
        record["unit_inferred"] = ev.unit_inferred
    if ev.label:
        record["label"] = ev.label
    if ev.rule:
        record["rule"] = ev.rule
    if ev.derived_from:
        record["derived_from"] = list(ev.derived_from)
    if ev.tolerance is not None:
        record["tolerance"] = ev.tolerance
    if fact.flags:
        record["flags"] = sorted(fact.flags)
    return record


def indicator_record(ind: Indicator) -> dict[str, Any]:
    record: dict[str, Any] = {
        "activity": ind.activity,
        "indicator": ind.indicator,
        "location": ind.location.as_dict(),
    }
    for key in ("parent", "level1", "level2", "target"):
        value = getattr(ind, key)
        if value:
            record[key] = value
    if ind.budget is not None:
        record["budget"] = ind.budget
    if ind.standards is not None:
        record["standards"] = ind.standards
    return record


def table_record(table: Table, unit: tuple[str, bool] | None) -> dict[str, Any]:
    record: dict[str, Any] = {
        "index": table.index,
        "caption": table.caption,
        "kind": table.kind,
        "unit_text": table.unit_text,
        "n_rows": table.n_rows,
        "n_cols": table.n_cols,
        "location": table.location.as_dict(),
        "cells": [
            {"row": c.row, "col": c.col, "rowspan": c.rowspan, "colspan": c.colspan, "text": c.text}
            for c in sorted(table.cells, key=lambda c: (c.row, c.col))
        ],
    }
    if unit is not None:
        record["unit"], record["unit_inferred"] = unit
    if table.pages:
        record["pages"] = table.pages
    return record


def line_item_record(item: Any) -> dict[str, Any]:
    return {
        "table": item.table,
        "row": item.row,
        "kind": item.kind,
        "code": item.code,
        "parent": item.parent,
        "name": item.name,
        "location": item.location.as_dict(),
        "amounts": [
            {"column": a.column, "value": a.value, "text": a.text, "unit": a.unit} for a in item.amounts
        ],
    }


def issue_record(issue: Issue) -> dict[str, Any]:
    record: dict[str, Any] = {"code": issue.code, "severity": issue.severity, "message": issue.message}
    if issue.location is not None:
        record["location"] = issue.location.as_dict()
    return record


def result_record(result: Result) -> dict[str, Any]:
    """The documents.jsonl object for one input (see README, "Output")."""
    return {
        "schema": SCHEMA_VERSION,
        "source": result.source,
        "sha256": result.sha256,
        "format": result.format,
        "status": "failed" if result.failed else "ok",
        "meta": result.meta,
        "fields": {k: v for k, v in result.fields.items()},
        "facts": [fact_record(f) for f in result.facts],
        "indicators": [indicator_record(i) for i in result.indicators],
        "line_items": [line_item_record(i) for i in result.line_items],
        "tables": [table_record(t, result.table_units.get(t.index)) for t in result.tables],
        "issues": [issue_record(i) for i in result.issues],
    }
