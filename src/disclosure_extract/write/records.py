"""The output schema: a Result as one JSON object, with money as exact JSON numbers, and back.

``result_record`` is the edge where the typed model becomes JSON (documents.jsonl, the
cache); ``result_from_record`` reads such an object back into a typed ``Result``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import regex

from ..model import (
    Cell,
    Completeness,
    Evidence,
    Fact,
    Indicator,
    Issue,
    LineAmount,
    LineItem,
    Location,
    Meta,
    RequiredItem,
    Result,
    StatedChange,
    Table,
)

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
    for key in ("parent", "level1", "level2", "target", "comparison", "unit"):
        value = getattr(ind, key)
        if value:
            record[key] = value
    for key in ("budget", "fiscal_funds", "other_funds", "number", "weight"):
        if getattr(ind, key) is not None:
            record[key] = getattr(ind, key)
    if ind.standards is not None:
        record["standards"] = ind.standards
    return record


def table_record(table: Table) -> dict[str, Any]:
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
    if table.unit is not None:
        record["unit"], record["unit_inferred"] = table.unit, table.unit_inferred
    if table.pages:
        record["pages"] = table.pages
    return record


def line_item_record(item: LineItem) -> dict[str, Any]:
    record: dict[str, Any] = {
        "table": item.table,
        "row": item.row,
        "kind": item.kind,
        "code": item.code,
        "parent": item.parent,
        "name": item.name,
        "location": item.location.as_dict(),
        "amounts": [
            {
                "column": a.column,
                "value": a.value,
                "text": a.text,
                "unit": a.unit,
                "location": a.location.as_dict(),
            }
            for a in item.amounts
        ],
    }
    if item.entity:
        record["entity"] = item.entity
    return record


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
        "status": result.status,
        "encoding": result.encoding,
        "meta": result.meta.as_dict(),
        "fields": {k: v for k, v in result.fields.items()},
        "facts": [fact_record(f) for f in result.facts],
        "indicators": [indicator_record(i) for i in result.indicators],
        "line_items": [line_item_record(i) for i in result.line_items],
        "tables": [table_record(t) for t in result.tables],
        "issues": [issue_record(i) for i in result.issues],
        "completeness": completeness_record(result.completeness),
    }


def completeness_record(completeness: Completeness | None) -> dict[str, Any] | None:
    if completeness is None:
        return None
    return {
        "template": completeness.template,
        "score": completeness.score,
        "items": [
            {
                "item": i.item,
                "title": i.title,
                "group": i.group,
                "status": i.status,
                "required": i.required,
                "found": i.found,
                "location": i.location.as_dict() if i.location is not None else None,
                "empty": i.empty,
            }
            for i in completeness.items
        ],
        "changes": [
            {
                "text": c.text,
                "reason": c.reason,
                "location": c.location.as_dict() if c.location is not None else None,
            }
            for c in completeness.changes
        ],
        "departments": [
            {"name": name, "location": where.as_dict()} for name, where in completeness.departments
        ],
    }


def _completeness(data: dict[str, Any] | None) -> Completeness | None:
    if not data:
        return None
    items = [
        RequiredItem(
            i["item"],
            i["title"],
            i["group"],
            i["status"],
            bool(i["required"]),
            i.get("found", ""),
            Location.from_dict(i["location"]) if i.get("location") else None,
            i.get("empty"),
        )
        for i in data.get("items", [])
    ]
    changes = [
        StatedChange(
            c["text"], c.get("reason", ""), Location.from_dict(c["location"]) if c.get("location") else None
        )
        for c in data.get("changes", [])
    ]
    departments = [(d["name"], Location.from_dict(d.get("location"))) for d in data.get("departments", [])]
    return Completeness(data["template"], items, changes, departments)


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _field_value(value: Any) -> Decimal | int | str:
    """A ``fields`` value as extraction made it: text stays text, a year an int, money a Decimal."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return value
    return _decimal(value)


def _fact(data: dict[str, Any]) -> Fact:
    value = data["value"]
    evidence = Evidence(
        method=data["method"],
        text=data.get("text", ""),
        location=Location.from_dict(data.get("location")),
        unit=data.get("unit"),
        unit_inferred=bool(data.get("unit_inferred", False)),
        label=data.get("label"),
        rule=data.get("rule"),
        derived_from=tuple(data.get("derived_from", ())),
        tolerance=_decimal(data["tolerance"]) if data.get("tolerance") is not None else None,
    )
    return Fact(
        field_id=data["id"],
        value=value if isinstance(value, str) else _decimal(value),
        evidence=evidence,
        flags=list(data.get("flags", [])),
    )


def _indicator(data: dict[str, Any]) -> Indicator:
    return Indicator(
        activity=data["activity"],
        indicator=data["indicator"],
        location=Location.from_dict(data.get("location")),
        parent=data.get("parent"),
        budget=_optional_decimal(data.get("budget")),
        level1=data.get("level1"),
        level2=data.get("level2"),
        target=data.get("target"),
        standards=data.get("standards"),
        fiscal_funds=_optional_decimal(data.get("fiscal_funds")),
        other_funds=_optional_decimal(data.get("other_funds")),
        comparison=data.get("comparison"),
        number=_optional_decimal(data.get("number")),
        unit=data.get("unit"),
        weight=_optional_decimal(data.get("weight")),
    )


def _optional_decimal(value: Any) -> Decimal | None:
    return _decimal(value) if value is not None else None


def _line_item(data: dict[str, Any]) -> LineItem:
    return LineItem(
        table=data["table"],
        row=data["row"],
        kind=data["kind"],
        code=data["code"],
        parent=data.get("parent"),
        name=data.get("name", ""),
        location=Location.from_dict(data.get("location")),
        amounts=[
            LineAmount(
                a["column"],
                _decimal(a["value"]),
                a.get("text", ""),
                a.get("unit", ""),
                Location.from_dict(a.get("location")),
            )
            for a in data.get("amounts", [])
        ],
        entity=data.get("entity", ""),
    )


def _table(data: dict[str, Any]) -> Table:
    cells = [
        Cell(c["row"], c["col"], c["text"], Location(), c.get("rowspan", 1), c.get("colspan", 1))
        for c in data.get("cells", [])
    ]
    return Table(
        cells=cells,
        location=Location.from_dict(data.get("location")),
        caption=data.get("caption", ""),
        unit_text=data.get("unit_text", ""),
        index=data.get("index", 0),
        pages=list(data.get("pages", [])),
        kind=data.get("kind", ""),
        unit=data.get("unit"),
        unit_inferred=bool(data.get("unit_inferred", False)),
    )


def _issue(data: dict[str, Any]) -> Issue:
    location = data.get("location")
    return Issue(
        data["code"], data["severity"], data["message"], Location.from_dict(location) if location else None
    )


def result_from_record(data: dict[str, Any]) -> Result:
    """A documents.jsonl object (as ``json.loads(..., parse_float=Decimal)`` reads it) as a Result."""
    meta = data.get("meta") or {}
    return Result(
        source=data["source"],
        sha256=data.get("sha256"),
        format=data.get("format", "unknown"),
        meta=Meta(**{k: meta.get(k) for k in ("department", "year", "kind", "region", "title")}),
        fields={k: _field_value(v) for k, v in (data.get("fields") or {}).items()},
        facts=[_fact(f) for f in data.get("facts", [])],
        indicators=[_indicator(i) for i in data.get("indicators", [])],
        tables=[_table(t) for t in data.get("tables", [])],
        line_items=[_line_item(i) for i in data.get("line_items", [])],
        issues=[_issue(i) for i in data.get("issues", [])],
        encoding=data.get("encoding"),
        completeness=_completeness(data.get("completeness")),
    )


def loads_record(line: str) -> Result:
    """One line of documents.jsonl (or one cache entry) as a Result; money read exactly."""
    return result_from_record(json.loads(line, parse_float=Decimal))
