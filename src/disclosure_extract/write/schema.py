"""Every output table, declared once: its columns with their types, units and meanings.

The CSV header, the SQLite DDL, the Parquet (Arrow) schema and the datapackage.json schema
are all generated from these declarations, so a column has the same name and type in
every output. Rows are built once from the typed results, a document at a time.

Types: ``string``; ``integer``; ``boolean``; ``money`` (yuan, exact to 4 decimals: Parquet
``decimal(22,4)``, SQLite NUMERIC, a plain number in CSV); ``quantity`` (the same number,
its unit in the row's unit column: yuan or a count's); ``decimal`` (a finer exact number:
tolerances, which may be half a fen).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

import regex

from ..common.text import department_key
from ..model import CheckResult, Fact, Result, check_category
from ..numbers import MONEY_DIGITS, MONEY_SCALE, fits_count, fits_decimal
from ..patterns import Patterns

# "quantity": an exact number whose unit the row's own unit column says (yuan for money, 辆 for
# a count): declared as neither, so no metadata file calls a count yuan.
ColumnType = Literal["string", "integer", "boolean", "money", "quantity", "decimal"]
PHASES = {"budget": "approved", "final_accounts": "executed"}

# pyarrow's type constructors and their arguments (pyarrow is imported only by the writer:
# a worker that makes a document's rows need not load it)
ARROW_TYPES: dict[ColumnType, tuple[str, ...] | tuple[str, int, int]] = {
    "string": ("string",),
    "integer": ("int64",),
    "boolean": ("bool_",),
    "money": ("decimal128", MONEY_DIGITS, MONEY_SCALE),
    "quantity": ("decimal128", MONEY_DIGITS, MONEY_SCALE),
    "decimal": ("decimal128", 24, 6),
}
SQL_TYPES: dict[ColumnType, str] = {
    "string": "TEXT",
    "integer": "INTEGER",
    "boolean": "INTEGER",
    "money": "NUMERIC",
    "quantity": "NUMERIC",
    "decimal": "NUMERIC",
}
FRICTIONLESS_TYPES: dict[ColumnType, str] = {
    "string": "string",
    "integer": "integer",
    "boolean": "boolean",
    "money": "number",
    "quantity": "number",
    "decimal": "number",
}
MONEY = {"unit": "yuan", "currency": "CNY", "columnType": "value"}


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = False


@dataclass(frozen=True)
class OutputTable:
    name: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def csv_name(self) -> str:
        return f"{self.name}.csv"


def _c(name: str, kind: ColumnType, description: str, *, required: bool = False) -> Column:
    return Column(name, kind, description, required)


_DOC = (
    _c("source", "string", "the input path or URL", required=True),
    _c("sha256", "string", "sha256 of the input bytes (empty when the file could not be read)"),
)
_N = _c("n", "integer", "position among the document's rows of this table (0-based)", required=True)
_WHERE = (
    _c("page", "integer", "PDF page (1-based)"),
    _c("line_start", "integer", "first source line (text, HTML)"),
    _c("line_end", "integer", "last source line (text)"),
    _c("char_start", "integer", "offset into the decoded text"),
    _c("char_end", "integer", "end offset into the decoded text"),
    _c("path", "string", "XPath of the element (HTML)"),
    _c("table", "integer", "table index (tables/*.csv)"),
    _c("row", "integer", "table row"),
    _c("col", "integer", "table column"),
    _c("bbox", "string", "x0;top;x1;bottom in PDF points"),
    _c("ocr_confidence", "decimal", "a page read by OCR: the lowest recognition confidence (0-1) here"),
)
_BY_SOURCE = ((("source",), "sources", ("source",)),)

DOCUMENTS = OutputTable(
    "documents",
    "one row per distinct document (by sha256): what it is and how its extraction went",
    (
        _c("sha256", "string", "sha256 of the input bytes", required=True),
        _c("source", "string", "the first path or URL it was read from", required=True),
        _c("format", "string", "text, html, pdf, xlsx, xls, or unknown"),
        _c("status", "string", "ok, or failed when an issue of severity error was raised", required=True),
        _c("encoding", "string", "the encoding the text was decoded with"),
        _c("department", "string", "meta.department"),
        _c(
            "department_key",
            "string",
            "the department as a key across years (中共 variants joined; region·name where the name"
            " holds no region)",
        ),
        _c("department_key_note", "string", "why there is no department_key (empty when there is one)"),
        _c("year", "integer", "meta.year: the fiscal year disclosed"),
        _c("kind", "string", "meta.kind: budget or final_accounts"),
        _c("phase", "string", "budget phase (Fiscal Data Package): approved (预算) or executed (决算)"),
        _c("region", "string", "meta.region"),
        _c("title", "string", "the title line kind and year were read from"),
        _c("checks_failed", "integer", "how many checks of this document failed", required=True),
        _c("tables", "integer", "how many tables it prints"),
        _c("grid_projects", "integer", "how many projects (activities) its performance grids name"),
        _c("indicator_rows", "integer", "how many performance-indicator rows it prints"),
        _c(
            "disclosure_id",
            "string",
            "the disclosure it is part of (one department, year and kind; the panel has a row per"
            " disclosure)",
        ),
        _c(
            "duplicate_of",
            "string",
            "the sha256 of the document of its disclosure it is a copy or near copy of",
        ),
        _c("template", "string", "the disclosure template it is held to (patterns/templates.yml)"),
        _c(
            "completeness",
            "decimal",
            "share of the template's required tables and sections present, attached or explained (0-1)",
        ),
    ),
    ("sha256",),
    ((("department_key",), "departments", ("department_key",)),),
    indexes=(("department_key", "year", "kind"),),
)
DEPARTMENTS = OutputTable(
    "departments",
    "one row per department key: its documents across years and kinds",
    (
        _c("department_key", "string", "the department as a key (documents.department_key)", required=True),
        _c("department", "string", "the name its documents give most often"),
        _c("names", "string", "every name its documents print (; separated, the most frequent first)"),
        _c("region", "string", "the government it belongs to"),
        _c("documents", "integer", "how many documents it has", required=True),
        _c("years", "string", "the fiscal years of its documents (; separated)"),
    ),
    ("department_key",),
)
FIELDS = OutputTable(
    "fields",
    "the field vocabulary (docs/FIELDS.md): what each field id means",
    (
        _c("field", "string", "field id", required=True),
        _c("name", "string", "中文名"),
        _c("unit", "string", "yuan (money) or count"),
        _c("description", "string", "what the field holds"),
    ),
    ("field",),
)
FIELD_VALUES = OutputTable(
    "field_values",
    "one value per document and field: the resolved value, once, with the evidence it came from",
    (
        _c("sha256", "string", "the document", required=True),
        _c("field", "string", "field id (the fields table)", required=True),
        _c("value", "quantity", "the value: yuan for money, a count for counts (see unit)", required=True),
        _c("unit", "string", "yuan, or the count's unit (辆)"),
        _c("method", "string", "table, prose or derived"),
        _c("rule", "string", "the vocabulary rule that named it"),
        _c("text", "string", "the original text"),
        _c("label", "string", "the label that named it (row / column header, or phrase)"),
        _c("unit_printed", "string", "the unit as printed (万元…)"),
        _c("page", "integer", "PDF page"),
        _c("table", "integer", "table index"),
        _c("row", "integer", "table row"),
        _c("col", "integer", "table column"),
        _c("line_start", "integer", "source line"),
        _c("check_status", "string", "fail when a check of this value failed, pass when all passed"),
    ),
    ("sha256", "field"),
    ((("sha256",), "documents", ("sha256",)), (("field",), "fields", ("field",))),
    (("field",),),
)
SOURCES = OutputTable(
    "sources",
    "one row per input path or URL (the same bytes may come from several)",
    (
        _c("source", "string", "the input path or URL", required=True),
        _c("sha256", "string", "the document it holds (empty when it could not be read)"),
        _c("status", "string", "ok or failed", required=True),
    ),
    ("source",),
    ((("sha256",), "documents", ("sha256",)),),
)
FACTS = OutputTable(
    "facts",
    "every extracted value with its evidence (several per field when prose and tables both state it)",
    (
        *_DOC,
        _N,
        _c("field", "string", "field id (docs/FIELDS.md)", required=True),
        _c("value", "quantity", "the value: yuan for money, a count for counts (see unit)", required=True),
        _c("in_fields", "boolean", "true for the one statement the document's value of the field is"),
        _c("unit", "string", "the unit as printed (万元…), or the count's unit (辆)"),
        _c("unit_inferred", "boolean", "true when the table printed no unit"),
        _c("method", "string", "prose, table or derived", required=True),
        _c("text", "string", "the original text: the cell, or the phrase from label to amount"),
        _c("label", "string", "the label that named the value"),
        _c("rule", "string", "the vocabulary rule that matched"),
        _c("flags", "string", "flags, ; separated (prose_table_mismatch, unit_error …)"),
        _c("derived_from", "string", "for derived values, the fields they were computed from (; separated)"),
        _c("tolerance", "decimal", "half the last printed digit, in yuan (rounding slack)"),
        *_WHERE,
    ),
    ("source", "n"),
    _BY_SOURCE,
    (("field",), ("sha256",)),
)
LINE_ITEMS = OutputTable(
    "line_items",
    "classified rows of 功能分类 / 经济分类 tables, one row per amount",
    (
        *_DOC,
        _N,
        _c("table", "integer", "table index"),
        _c("row", "integer", "table row"),
        _c("col", "integer", "the amount's table column"),
        _c("page", "integer", "PDF page of the amount"),
        _c("bbox", "string", "the amount's cell: x0;top;x1;bottom in PDF points"),
        _c("kind", "string", "function or economic"),
        _c(
            "entity",
            "string",
            "the budget unit (预算单位) the row belongs to, in a table broken down by unit",
        ),
        _c("code", "string", "classification code (3/5/7 digits)", required=True),
        _c("parent", "string", "the code two digits shorter"),
        _c("name", "string", "classification name as printed"),
        _c("column", "string", "the amount's column header path"),
        _c("value", "money", "amount in yuan"),
        _c("text", "string", "the cell as printed"),
        _c("unit", "string", "unit as printed"),
    ),
    ("source", "n"),
    _BY_SOURCE,
    (("code",), ("sha256",)),
)
INDICATORS = OutputTable(
    "indicators",
    "rows of performance-indicator grids (绩效目标 / 绩效指标) and project forms",
    (
        *_DOC,
        _N,
        _c("table", "integer", "table index"),
        _c("row", "integer", "table row"),
        _c("page", "integer", "page of the indicator cell"),
        _c("bbox", "string", "the indicator cell's box on its page: x0;top;x1;bottom in points"),
        _c("parent", "string", "enclosing 部门职责"),
        _c("activity", "string", "职责活动 / 项目名称 (the department, for a grid of the whole department)"),
        _c("budget", "money", "年度预算数 / 项目资金总额 in yuan"),
        _c("fiscal_funds", "money", "the project form's 其中：财政拨款 in yuan"),
        _c("other_funds", "money", "the project form's 其他资金 in yuan"),
        _c("level1", "string", "一级指标"),
        _c("level2", "string", "二级指标"),
        _c("indicator", "string", "绩效指标 / 三级指标 (level 3)"),
        _c("target", "string", "指标值 as printed (≥5分钟, ＝2个, 优)"),
        _c("comparison", "string", "the target's comparison: ≥, ≤, >, < or ="),
        _c("number", "decimal", "the target's number"),
        _c("unit", "string", "the target's unit (分钟, %, 个)"),
        _c("weight", "decimal", "分值 / 权重"),
        _c("excellent", "string", "优"),
        _c("good", "string", "良"),
        _c("fair", "string", "中"),
        _c("poor", "string", "差"),
    ),
    ("source", "n"),
    _BY_SOURCE,
    (("sha256",),),
)
CHECKS = OutputTable(
    "checks",
    "every check of the numbers: pass, fail (with both numbers) or not_applicable",
    (
        *_DOC,
        _N,
        _c("rule", "string", "check rule id", required=True),
        _c(
            "category",
            "string",
            "arithmetic, prose, across_documents, completeness or compliance",
            required=True,
        ),
        _c("status", "string", "pass, fail or not_applicable", required=True),
        _c("subject", "string", "what was checked"),
        _c("expected", "money", "expected value (yuan)"),
        _c("actual", "money", "stated value (yuan)"),
        _c("difference", "money", "actual - expected (yuan)"),
        _c("tolerance", "decimal", "half the last printed digit (yuan)"),
        _c("description", "string", "what the rule checks"),
        _c("locations", "string", "evidence locations (JSON)"),
    ),
    ("source", "n"),
    _BY_SOURCE,
    (("rule", "status"),),
)
ISSUES = OutputTable(
    "issues",
    "what a user should know about a document: failures and doubts",
    (
        *_DOC,
        _N,
        _c("code", "string", "issue code", required=True),
        _c("severity", "string", "error, warning or info", required=True),
        _c("message", "string", "what happened"),
        _c("location", "string", "where (JSON)"),
    ),
    ("source", "n"),
    _BY_SOURCE,
    (("code",),),
)
REQUIRED_ITEMS = OutputTable(
    "required_items",
    "each table and section of a document's disclosure template, as found in the document",
    (
        *_DOC,
        _N,
        _c("template", "string", "the template (patterns/templates.yml)", required=True),
        _c("item", "string", "the item's id in the template", required=True),
        _c("title", "string", "the template's name for it"),
        _c("item_group", "string", "table or section"),
        _c("status", "string", "present, nonstandard, attached, explained or missing", required=True),
        _c("required", "boolean", "false: counted when present, not required"),
        _c("found", "string", "the title it was found under, or the sentence explaining its absence"),
        *_WHERE,
    ),
    ("source", "n"),
    _BY_SOURCE,
    (("item", "status"),),
)
TABLES: tuple[OutputTable, ...] = (
    FIELDS,
    DEPARTMENTS,
    DOCUMENTS,
    SOURCES,
    FIELD_VALUES,
    FACTS,
    LINE_ITEMS,
    INDICATORS,
    CHECKS,
    ISSUES,
    REQUIRED_ITEMS,
)
PANEL_DOCUMENT = (
    "sha256",
    "source",
    "department",
    "department_key",
    "region",
    "year",
    "kind",
    "phase",
    "completeness",
    "grid_projects",
    "indicator_rows",
)


def panel_column(field_id: str) -> str:
    """A field id as a panel column: income.total -> income_total (no quoting needed in SQL)."""
    return field_id.replace(".", "_")


def panel_table(patterns: Patterns) -> OutputTable:
    """The panel: one row per disclosure, one column per field id of the vocabulary."""
    by_name = {c.name: c for c in DOCUMENTS.columns}
    counts = patterns.count_fields
    return OutputTable(
        "panel",
        "one row per disclosure (a department's budget or final account of a year, in one or more files), "
        "one column per field (its resolved value): the table most users want",
        (
            _c("disclosure_id", "string", "the disclosure (documents.disclosure_id)", required=True),
            _c("documents", "integer", "how many documents (files) it was published as", required=True),
            _c("sha256", "string", "its primary document: the one stating the most fields", required=True),
            *(by_name[name] for name in PANEL_DOCUMENT[1:]),
            *(column for f in patterns.known_fields for column in _panel_columns(f, patterns, counts)),
        ),
        ("disclosure_id",),
        ((("sha256",), "documents", ("sha256",)),),
        indexes=(("department_key", "year", "kind"),),
    )


def _decimal(value: Decimal | int | str | None) -> Decimal | None:
    if value is None or isinstance(value, str):
        return None
    return value if isinstance(value, Decimal) else Decimal(value)


def _location(where: dict[str, Any]) -> dict[str, Any]:
    keys = ("page", "line_start", "line_end", "char_start", "char_end", "path", "table", "row", "col")
    out = {k: where.get(k) for k in keys}
    out["bbox"] = _bbox(where.get("bbox"))
    confidence = where.get("ocr_confidence")
    out["ocr_confidence"] = Decimal(str(confidence)) if confidence is not None else None
    return out


def _bbox(bbox: Any) -> str | None:
    """A box as one text column: x0;top;x1;bottom, rounded as the JSON record rounds it."""
    return ";".join(str(round(float(v), 2)) for v in bbox) if bbox else None


def _fact_row(n: int, fact: Fact, chosen: bool) -> dict[str, Any]:
    ev = fact.evidence
    return {
        "n": n,
        "field": fact.field_id,
        "value": _decimal(fact.value),
        "in_fields": chosen,
        "unit": ev.unit,
        "unit_inferred": ev.unit_inferred if ev.unit else None,
        "method": ev.method,
        "text": ev.text,
        "label": ev.label,
        "rule": ev.rule,
        "flags": ";".join(sorted(fact.flags)) or None,
        "derived_from": ";".join(ev.derived_from) or None,
        "tolerance": ev.tolerance,
        **_location(ev.location.as_dict()),
    }


def document_row(result: Result, failed_checks: int, patterns: Patterns) -> dict[str, Any]:
    """The documents row of a result (one per content: the first source of its sha256)."""
    meta = result.meta
    key, why_none = department_key(meta.department, meta.region, patterns)
    return {
        "sha256": result.sha256,
        "source": result.source,
        "department_key": key,
        "department_key_note": why_none,
        "format": result.format,
        "status": result.status,
        "encoding": result.encoding,
        "department": meta.department,
        "year": meta.year,
        "kind": meta.kind,
        "phase": PHASES.get(meta.kind or ""),
        "region": meta.region,
        "title": meta.title,
        "checks_failed": failed_checks,
        "tables": len(result.tables),
        "grid_projects": len({ind.activity for ind in result.indicators}),
        "indicator_rows": len(result.indicators),
        "disclosure_id": None,  # set when the batch is complete (write/disclosures.py)
        "duplicate_of": None,
        "template": result.completeness.template if result.completeness else None,
        "completeness": result.completeness.score if result.completeness else None,
    }


def _per_document(result: Result) -> dict[str, list[dict[str, Any]]]:
    """Rows of the tables that hold one document's content."""
    chosen = {id(f) for f in result.chosen_facts().values()}
    facts = [_fact_row(n, f, id(f) in chosen) for n, f in enumerate(result.facts)]
    items: list[dict[str, Any]] = []
    for item in result.line_items:
        for amount in item.amounts:
            items.append(
                {
                    "n": len(items),
                    "table": item.table,
                    "row": item.row,
                    "col": amount.location.col,
                    "page": amount.location.page or item.location.page,
                    "bbox": _bbox(amount.location.bbox),
                    "kind": item.kind,
                    "entity": item.entity or None,
                    "code": item.code,
                    "parent": item.parent,
                    "name": item.name,
                    "column": amount.column,
                    "value": amount.value,
                    "text": amount.text,
                    "unit": amount.unit,
                }
            )
    indicators = [
        {
            "n": n,
            "table": ind.location.table,
            "row": ind.location.row,
            "page": ind.location.page,
            "bbox": _bbox(ind.location.bbox),
            "parent": ind.parent,
            "activity": ind.activity,
            "budget": ind.budget,
            "fiscal_funds": ind.fiscal_funds,
            "other_funds": ind.other_funds,
            "level1": ind.level1,
            "level2": ind.level2,
            "indicator": ind.indicator,
            "target": ind.target,
            "comparison": ind.comparison,
            "number": ind.number,
            "unit": ind.unit,
            "weight": ind.weight,
            **{k: (ind.standards or {}).get(k) for k in ("excellent", "good", "fair", "poor")},
        }
        for n, ind in enumerate(result.indicators)
    ]
    issues = [
        {
            "n": n,
            "code": issue.code,
            "severity": issue.severity,
            "message": issue.message,
            "location": _json(issue.location.as_dict()) if issue.location is not None else None,
        }
        for n, issue in enumerate(result.issues)
    ]
    completeness = result.completeness
    template = completeness.template if completeness else ""
    required = [
        {
            "n": n,
            "template": template,
            "item": i.item,
            "title": i.title,
            "item_group": i.group,
            "status": i.status,
            "required": i.required,
            "found": i.found or None,
            **_location(i.location.as_dict() if i.location is not None else {}),
        }
        for n, i in enumerate(completeness.items if completeness else [])
    ]
    return {
        "facts": facts,
        "line_items": items,
        "indicators": indicators,
        "issues": issues,
        "required_items": required,
    }


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def check_rows(checks: Iterable[CheckResult], counters: dict[str, int]) -> Iterator[dict[str, Any]]:
    """The checks table's rows; ``counters`` (source -> checks numbered so far) is updated."""
    for check in checks:
        n = counters.get(check.source, 0)
        counters[check.source] = n + 1
        yield {
            "source": check.source,
            "sha256": check.sha256,
            "n": n,
            "rule": check.rule,
            "category": check_category(check.rule),
            "status": check.status,
            "subject": check.subject,
            "expected": check.expected,
            "actual": check.actual,
            "difference": check.difference,
            "tolerance": check.tolerance,
            "description": check.description,
            "locations": _json(check.locations),
        }


def content_rows(result: Result) -> dict[str, list[dict[str, Any]]]:
    """A result's rows of the tables that hold a document's content, keyed by its source."""
    doc = {"source": result.source, "sha256": result.sha256}
    rows = {name: [{**doc, **row} for row in part] for name, part in _per_document(result).items()}
    rows["sources"] = [{**doc, "status": result.status}]
    return rows


def failed_counts(
    checks: Iterable[CheckResult], failed: dict[str | None, int] | None = None
) -> dict[str | None, int]:
    """sha256 -> how many of the checks failed; added to ``failed`` when given."""
    failed = {} if failed is None else failed
    for check in checks:
        if check.status == "fail":
            failed[check.sha256] = failed.get(check.sha256, 0) + 1
    return failed


def panel_row(
    document: dict[str, Any], values: dict[str, dict[str, Any]], documents: int, patterns: Patterns
) -> dict[str, Any]:
    """A disclosure's panel row: its primary document's columns, then each field's value
    (``values``: field id -> its field_values row) in its column: a field of two meanings in
    the column of the meaning its statement has."""
    row = {
        "disclosure_id": document["disclosure_id"],
        "documents": documents,
        **{n: document.get(n) for n in PANEL_DOCUMENT},
    }
    for field_id, value in values.items():
        if field_id in patterns.two_meanings:
            row[meaning_columns(field_id)[statement_meaning(document.get("kind"), value, patterns)]] = value[
                "value"
            ]
        else:
            row[panel_column(field_id)] = value["value"]
    return row


def meaning_columns(field_id: str) -> tuple[str, str]:
    """The panel columns of a field of two meanings: the budgeted figure's, the previous year's."""
    base = panel_column(field_id)
    if base.endswith("_prev"):
        stem = base.removesuffix("_prev")
        return f"{stem}_budgeted", f"{stem}_previous_year"
    return f"{base}_vs_budget", f"{base}_vs_previous_year"


def statement_meaning(kind: str | None, value: dict[str, Any], patterns: Patterns) -> int:
    """0 when a final account's statement compares with the same year's budget (it says 预算
    and names no previous year), else 1: the previous year's (a budget's always is)."""
    words = f"{value.get('label') or ''} {value.get('text') or ''}"
    budgeted = patterns.budget_word.search(words) and not patterns.previous_year_word.search(words)
    return 0 if kind == "final_accounts" and budgeted else 1


def _panel_columns(field_id: str, patterns: Patterns, counts: frozenset[str]) -> Iterator[Column]:
    name = patterns.field_names.get(field_id, "")
    if field_id in patterns.two_meanings:
        budgeted, previous = meaning_columns(field_id)
        yield _c(
            budgeted, "money", f"{field_id}: {name}, where a final account states the same year's budget"
        )
        yield _c(previous, "money", f"{field_id}: {name}, where the previous year's figure is stated")
        return
    yield _c(panel_column(field_id), "integer" if field_id in counts else "money", f"{field_id}: {name}")


Statuses = dict[tuple[str | None, str], str]


def value_statuses(checks: Iterable[CheckResult], statuses: Statuses | None = None) -> Statuses:
    """(document, field) -> fail when any check citing the field failed, else pass; added to
    ``statuses`` when given."""
    statuses = {} if statuses is None else statuses
    for check in checks:
        if check.status not in ("pass", "fail") or check_category(check.rule) == "prose":
            # prose against a table doubts the prose statement (its facts row is flagged
            # prose_table_mismatch), not the table's figure the field's value is
            continue
        cited = {str(loc["field"]) for loc in check.locations if loc.get("field")}
        for field_id in cited:
            key = (check.sha256, field_id)
            if statuses.get(key) != "fail":
                statuses[key] = check.status
    return statuses


def value_rows(result: Result, statuses: dict[tuple[str | None, str], str]) -> Iterator[dict[str, Any]]:
    chosen = result.chosen_facts()
    for field_id, value in result.fields.items():
        if field_id.startswith("meta.") or isinstance(value, str):
            continue
        fact = chosen.get(field_id)
        ev = fact.evidence if fact is not None else None
        where = ev.location if ev is not None else None
        count_unit = ev.unit if ev is not None and ev.unit and not ev.unit.endswith("元") else None
        yield {
            "sha256": result.sha256,
            "field": field_id,
            "value": _decimal(value),
            "unit": count_unit or "yuan",
            "method": ev.method if ev else None,
            "rule": ev.rule if ev else None,
            "text": ev.text if ev else None,
            "label": ev.label if ev else None,
            "unit_printed": ev.unit if ev else None,
            "page": where.page if where else None,
            "table": where.table if where else None,
            "row": where.row if where else None,
            "col": where.col if where else None,
            "line_start": where.line_start if where else None,
            "check_status": statuses.get((result.sha256, field_id)),
        }


def field_rows(patterns: Patterns) -> list[dict[str, Any]]:
    counts = patterns.count_fields
    descriptions = field_descriptions()
    return [
        {
            "field": f,
            "name": patterns.field_names.get(f),
            "unit": "count" if f in counts else "yuan",
            "description": descriptions.get(f),
        }
        for f in patterns.known_fields
    ]


@functools.cache
def field_descriptions() -> dict[str, str]:
    """Field id -> its meaning, from the FIELDS.md bundled with the package (or the checkout's)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[1] / "FIELDS.md", here.parents[3] / "docs" / "FIELDS.md"):
        if candidate.is_file():
            rows = regex.findall(
                r"^\| ([a-z_]+\.[a-z_]+) \| ([^|]*) \|", candidate.read_text(encoding="utf-8"), flags=regex.M
            )
            return {field_id: meaning.strip() for field_id, meaning in rows}
    return {}


def _fits_type(value: Any, kind: ColumnType) -> bool:
    if value is None or kind in ("string", "boolean"):
        return True
    if kind == "integer":
        return isinstance(value, int) and fits_count(value)
    _, digits, scale = ARROW_TYPES[kind]
    assert isinstance(digits, int) and isinstance(scale, int)
    return fits_decimal(value, digits, scale)


def unfit_value(table: OutputTable, rows: list[tuple[Any, ...]]) -> str | None:
    """The first value of ``rows`` (tuples of the table's columns) its column's declared type
    cannot hold, described; None when all fit. Checked where a document's rows are made, so
    that a value no writer can take fails its document, never the batch's outputs."""
    for row in rows:
        for column, value in zip(table.columns, row, strict=True):
            if not _fits_type(value, column.type):
                return f"{table.name}.{column.name} = {value!s:.60} does not fit {column.type}"
    return None


def arrow_schema(table: OutputTable) -> Any:
    """The table's Arrow schema (a ``pyarrow.Schema``)."""
    import pyarrow as pa

    def arrow_type(kind: ColumnType) -> Any:
        name, *args = ARROW_TYPES[kind]
        return getattr(pa, name)(*args)

    return pa.schema([pa.field(c.name, arrow_type(c.type), nullable=not c.required) for c in table.columns])


def sql_ddl(table: OutputTable) -> str:
    """CREATE TABLE (with keys) and CREATE INDEX statements; identifiers quoted."""
    columns = [f"{_q(c.name)} {SQL_TYPES[c.type]}{' NOT NULL' if c.required else ''}" for c in table.columns]
    constraints = [f"PRIMARY KEY ({', '.join(_q(k) for k in table.primary_key)})"]
    for local, other, remote in table.foreign_keys:
        constraints.append(
            f"FOREIGN KEY ({', '.join(map(_q, local))}) REFERENCES {_q(other)} ({', '.join(map(_q, remote))})"
        )
    body = ",\n    ".join([*columns, *constraints])
    statements = [f"CREATE TABLE {_q(table.name)} (\n    {body}\n);"]
    for index in table.indexes:
        name = f"{table.name}_{'_'.join(index)}"
        statements.append(f"CREATE INDEX {_q(name)} ON {_q(table.name)} ({', '.join(map(_q, index))});")
    return "\n".join(statements)


def quote_identifier(name: str) -> str:
    """A name as a SQL identifier, whatever it holds (a field id from a --patterns vocabulary
    is the user's text): in double quotes, each double quote doubled."""
    return '"' + name.replace('"', '""') + '"'


def quote_literal(text: str) -> str:
    """Text as a SQL string literal: in single quotes, each single quote doubled."""
    return "'" + text.replace("'", "''") + "'"


_q = quote_identifier


def frictionless_schema(table: OutputTable) -> dict[str, Any]:
    fields = []
    for c in table.columns:
        field: dict[str, Any] = {
            "name": c.name,
            "type": FRICTIONLESS_TYPES[c.type],
            "description": c.description,
        }
        if c.type == "money":
            field.update(MONEY)
        if c.required:
            field["constraints"] = {"required": True}
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "primaryKey": list(table.primary_key)}
    if table.foreign_keys:
        schema["foreignKeys"] = [
            {"fields": list(local), "reference": {"resource": other, "fields": list(remote)}}
            for local, other, remote in table.foreign_keys
        ]
    return schema
