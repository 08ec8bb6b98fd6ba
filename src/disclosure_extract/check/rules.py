"""Checks of one document's numbers: identities, prose against tables, line items.

Every check reads the values a document states (never derived ones) from its output
record, and yields a result: pass; fail with the expected and actual numbers and their
difference; or not applicable when a figure it needs is not stated. The tolerance is
half the last digit the figures are printed with (0.005 万元 = 50 yuan for two decimals in
万元), so rounding passes and a 合计 off by one printed digit fails.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from ..model import (
    FAIL,
    NOT_APPLICABLE,
    PASS,
    CheckResult,
    Completeness,
    Fact,
    LineAmount,
    LineItem,
    Result,
    rounding_tolerance,
)
from ..numbers import half_last_digit
from ..patterns import Patterns

CODE_LENGTHS = {"function": (3, 5, 7), "economic": (3, 5)}
# OCR'd figures: half the last printed digit becomes one whole digit
OCR_TOLERANCE_FACTOR = 2

RULE_DESCRIPTIONS = {
    "prose_equals_table": "a figure stated in prose equals the table's",
    "line_item_parent_sum": "a line item's amount equals the sum of its children's",
    "line_item_code_form": "classification codes have 3/5/7 digits (function) or 3/5 (economic)",
    "line_item_row_sum": "a row's 合计 column equals the sum of the columns under it",
}


def _num(value: Decimal | int | str) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _stated(record: Result) -> dict[str, Fact]:
    """Field -> the stated fact (table before prose) that gave ``fields`` its value."""
    out: dict[str, Fact] = {}
    for method in ("table", "prose"):
        for fact in record.facts:
            usable = (
                fact.evidence.method == method and fact.field_id not in out and "line_item" not in fact.flags
            )
            if usable and _num(fact.value) == _num(record.fields.get(fact.field_id, fact.value)):
                out[fact.field_id] = fact
    return out


def _result(
    record: Result,
    rule: str,
    description: str,
    *,
    subject: str,
    expected: Decimal,
    actual: Decimal,
    tolerance: Decimal,
    locations: list[dict[str, Any]],
) -> CheckResult:
    difference = actual - expected
    if any("ocr_confidence" in where for where in locations):
        # a scan's last printed digit is the one OCR most often blurs (8/6/0, 1/7): allow it whole
        tolerance *= OCR_TOLERANCE_FACTOR
    status = PASS if abs(difference) <= tolerance else FAIL
    return CheckResult(
        record.source,
        record.sha256,
        rule,
        status,
        description,
        expected,
        actual,
        difference,
        tolerance,
        subject,
        locations,
    )


def _where(fact: Fact) -> dict[str, Any]:
    ev = fact.evidence
    return {"field": fact.field_id, "text": ev.text, "method": ev.method, **ev.location.as_dict()}


def check_identities(record: Result, patterns: Patterns) -> list[CheckResult]:
    stated = _stated(record)
    results = []
    kind = record.meta.kind
    for rule in patterns.identities:
        if rule.kinds is not None and kind not in rule.kinds:
            continue
        needed = [rule.total, *(f for f, _ in rule.parts if f not in rule.optional)]
        if not all(f in stated for f in needed):
            results.append(
                CheckResult(
                    record.source,
                    record.sha256,
                    rule.id,
                    NOT_APPLICABLE,
                    rule.description,
                    subject=rule.total,
                )
            )
            continue
        present = [f for f, _ in rule.parts if f in stated]
        facts = [stated[f] for f in [rule.total, *present]]
        # an optional part not stated is absent from the document's sum, not unknown
        expected = sum((_num(stated[f].value) * sign for f, sign in rule.parts if f in stated), Decimal(0))
        actual = _num(stated[rule.total].value)
        results.append(
            _result(
                record,
                rule.id,
                rule.description,
                subject=rule.total,
                expected=expected,
                actual=actual,
                tolerance=rounding_tolerance(facts) * len(facts),
                locations=[_where(f) for f in facts],
            )
        )
    return results


def check_prose_against_tables(record: Result) -> list[CheckResult]:
    by_field: dict[str, dict[str, list[Fact]]] = defaultdict(lambda: defaultdict(list))
    for fact in record.facts:
        if fact.evidence.method in ("prose", "table") and "line_item" not in fact.flags:
            by_field[fact.field_id][fact.evidence.method].append(fact)
    results = []
    for field_id, methods in sorted(by_field.items()):
        if not methods["prose"] or not methods["table"]:
            continue
        table = methods["table"][0]
        for prose in methods["prose"]:
            results.append(
                _result(
                    record,
                    "prose_equals_table",
                    RULE_DESCRIPTIONS["prose_equals_table"],
                    subject=field_id,
                    expected=_num(table.value),
                    actual=_num(prose.value),
                    tolerance=rounding_tolerance([table, prose]),
                    locations=[_where(table), _where(prose)],
                )
            )
    return results


def _item_where(item: LineItem, amount: LineAmount) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "column": amount.column,
        "text": amount.text,
        **item.location.as_dict(),
        **amount.location.as_dict(),
    }


def check_line_items(record: Result, patterns: Patterns) -> list[CheckResult]:
    """Line items: code form, parents against their children, rows against their 合计."""
    return [*_code_forms(record), *_parent_sums(record), *_row_sums(record, patterns)]


def _code_forms(record: Result) -> list[CheckResult]:
    items = record.line_items
    results: list[CheckResult] = []
    src, sha = record.source, record.sha256
    # a province may subdivide an economic 款 (重庆: 3010201 规范性津补贴 under 30102): a code
    # one level deeper than the standard is good where its table prints its parent
    printed = {(item.table, item.code) for item in items}
    for item in items:
        lengths = CODE_LENGTHS.get(item.kind, (3, 5, 7))
        deeper = len(item.code) == max(lengths) + 2 and (item.table, item.code[:-2]) in printed
        ok = (len(item.code) in lengths or deeper) and item.code.isdigit()
        results.append(
            CheckResult(
                src,
                sha,
                "line_item_code_form",
                PASS if ok else FAIL,
                RULE_DESCRIPTIONS["line_item_code_form"],
                subject=item.code,
                locations=[item.location.as_dict()],
            )
        )
    return results


def _parent_sums(record: Result) -> list[CheckResult]:
    items = record.line_items
    results: list[CheckResult] = []
    # parents against their children, per table, budget unit and amount column
    index: dict[tuple[int, str, str, str], tuple[LineItem, LineAmount]] = {}
    for item in items:
        for amount in item.amounts:
            index.setdefault((item.table, item.entity, item.code, amount.column), (item, amount))
    children: dict[tuple[int, str, str, str], list[tuple[LineItem, LineAmount]]] = defaultdict(list)
    for (table, entity, _code, column), pair in index.items():
        parent = pair[0].parent
        if parent and (table, entity, parent, column) in index:
            children[(table, entity, parent, column)].append(pair)
    for key, kids in sorted(children.items()):
        parent_item, parent_amount = index[key]
        expected = sum((a.value for _, a in kids), Decimal(0))
        # each figure is rounded on its own: a sum of n of them may be n half-digits off
        tolerance = half_last_digit(parent_amount.text, parent_amount.unit) * (len(kids) + 1)
        results.append(
            _result(
                record,
                "line_item_parent_sum",
                RULE_DESCRIPTIONS["line_item_parent_sum"],
                subject=" / ".join(k for k in (key[1], key[2], key[3]) if k),
                expected=expected,
                actual=parent_amount.value,
                tolerance=tolerance,
                locations=[_item_where(parent_item, parent_amount), *(_item_where(i, a) for i, a in kids)],
            )
        )
    return results


def _row_sums(record: Result, patterns: Patterns) -> list[CheckResult]:
    """A row's total column against the parts after it under the same header: the first
    total of a level is the row's total (合计 | part | part …); later "X小计" columns are
    subtotals of a header group and are not summed again. A part that is itself a header
    group (基本支出 over 人员经费 | 公用经费) counts once: by its own 小计, else by its leaves.
    A group may instead break the total down along another line (深圳 prints 政府采购项目
    beside 基本支出 | 项目支出): the groups count as parts where the columns alone fall short."""
    results: list[CheckResult] = []
    for item in record.line_items:
        row = _RowColumns(item, patterns)
        for names in row.children.values():
            total = row.leaf(names[0])
            if total is None or not row.is_total(names[0]):
                continue
            named = [n for n in names[1:] if not row.is_total(n) and not row.is_subset(n)]
            columns = [[leaf] for n in named if (leaf := row.leaf(n)) is not None]
            groups = [row.value(n) for n in named if row.leaf(n) is None]
            if not named or any(g is None for g in groups):
                continue  # no parts, or a group whose worth cannot be told
            with_groups = [a for p in [*columns, *groups] if p is not None for a in p]
            alone = [a[0] for a in columns]
            used = min(
                (u for u in (alone, with_groups) if u),
                key=lambda u: abs(sum((a.value for a in u), Decimal(0)) - total.value),
            )
            expected = sum((a.value for a in used), Decimal(0))
            tolerance = half_last_digit(total.text, total.unit) * (len(used) + 1)
            results.append(
                _result(
                    record,
                    "line_item_row_sum",
                    RULE_DESCRIPTIONS["line_item_row_sum"],
                    subject=f"{item.code} / {total.column}",
                    expected=expected,
                    actual=total.value,
                    tolerance=tolerance,
                    locations=[_item_where(item, total), *(_item_where(item, a) for a in used)],
                )
            )
    return results


class _RowColumns:
    """One line item's amounts as a tree of header paths ("基本支出 / 人员经费")."""

    def __init__(self, item: LineItem, patterns: Patterns) -> None:
        self.patterns = patterns
        self.amounts = {a.column: a for a in item.amounts}
        self.children: dict[str, list[str]] = defaultdict(list)  # header path -> its columns, in order
        for amount in item.amounts:
            parts = amount.column.split(" / ")
            for depth in range(len(parts)):
                parent, name = " / ".join(parts[:depth]), " / ".join(parts[: depth + 1])
                if name not in self.children[parent]:
                    self.children[parent].append(name)

    def leaf(self, name: str) -> LineAmount | None:
        return self.amounts.get(name) if name not in self.children else None

    def is_total(self, name: str) -> bool:
        return bool(self.patterns.total_suffix.search(name.rpartition(" / ")[2]))

    def is_subset(self, name: str) -> bool:
        return bool(self.patterns.subset_header.match(name.rpartition(" / ")[2]))

    def value(self, name: str) -> list[LineAmount] | None:
        """The amounts a column or header group is worth: the column; the group's own total
        column; else its parts' worth. None when a part's worth cannot be told."""
        leaf = self.leaf(name)
        if leaf is not None:
            return [leaf]
        names = self.children.get(name, [])
        own_total = next((self.leaf(n) for n in names if self.is_total(n) and self.leaf(n) is not None), None)
        if own_total is not None:
            return [own_total]
        parts = [self.value(n) for n in names if not self.is_subset(n)]
        if not parts or any(p is None for p in parts):
            return None
        return [a for p in parts if p is not None for a in p]


def check_document(record: Result, patterns: Patterns) -> list[CheckResult]:
    """Every per-document check of one extraction result."""
    if record.failed:
        return []
    results = [
        *check_identities(record, patterns),
        *check_prose_against_tables(record),
        *check_line_items(record, patterns),
    ]
    return results + _ocr_pages_failing(record, results) + check_completeness(record)


# The statuses that fill a required item, and how a check's description names each.
_FILLED = {
    "present": "",
    "nonstandard": "under a non-standard title",
    "attached": "attached",
    "explained": "explained",
}


def _empty_tables(record: Result, completeness: Completeness) -> list[CheckResult]:
    """Each of the template's tables printed without a figure says why (本表无数据 …)."""
    empty = [i for i in completeness.items if i.empty is not None]
    if not empty:
        return []
    silent = [i for i in empty if not i.empty]
    description = (
        f"{len(silent)} of {len(empty)} empty tables say nothing of why: {', '.join(i.title for i in silent)}"
        if silent
        else f"every empty table says why: {'; '.join(f'{i.title} ({i.empty})' for i in empty)}"
    )
    return [
        CheckResult(
            record.source,
            record.sha256,
            "empty_table_statement",
            FAIL if silent else PASS,
            description,
            subject=completeness.template,
            locations=[{"item": i.item, **i.location.as_dict()} for i in silent if i.location is not None],
        )
    ]


def _department_names(record: Result, completeness: Completeness) -> list[CheckResult]:
    """The department named in tables' 编制部门 lines and in titles is the cover's."""
    cover = record.meta.department
    if not cover or not completeness.departments:
        return []
    other = [(name, where) for name, where in completeness.departments if not _same_name(name, cover)]
    variants = sorted({name for name, _ in completeness.departments if name != cover})
    if other:
        named = "; ".join(f"{name}" for name, _ in other)
        description = f"the cover names {cover}; elsewhere it is named {named}"
    else:
        description = f"the cover's {cover} throughout" + (
            f" (also as {'; '.join(variants)})" if variants else ""
        )
    return [
        CheckResult(
            record.source,
            record.sha256,
            "department_name",
            FAIL if other else PASS,
            description,
            subject=cover,
            locations=[{"name": name, **where.as_dict()} for name, where in other],
        )
    ]


def _same_name(name: str, cover: str) -> bool:
    """One name a form of the other: the shorter's characters in order in the longer
    (省人大办公厅 in 江苏省人大常委会办公厅; 上海市普陀区 in 上海市普陀区财政局)."""
    short, long = sorted((name, cover), key=len)
    rest = iter(long)
    return all(ch in rest for ch in short)


def _change_reasons(record: Result, completeness: Completeness) -> list[CheckResult]:
    """Each change the document states against the previous year gives its reason nearby."""
    changes = completeness.changes
    if not changes:
        return []
    unexplained = [c for c in changes if not c.reason]
    named = "; ".join(f"'{c.text}'" for c in unexplained[:5])
    description = (
        f"{len(unexplained)} of {len(changes)} stated changes give no reason nearby: {named}"
        if unexplained
        else f"all {len(changes)} stated changes give their reason"
    )
    return [
        CheckResult(
            record.source,
            record.sha256,
            "change_reason",
            FAIL if unexplained else PASS,
            description,
            subject="较上年",
            locations=[c.location.as_dict() for c in unexplained if c.location is not None],
        )
    ]


def check_completeness(record: Result) -> list[CheckResult]:
    """The document's required tables and sections (``extract.completeness``): a check each,
    failing when a required one is missing, naming every item not present as the template
    names it."""
    completeness = record.completeness
    if completeness is None:
        why = f"no disclosure template for kind {record.meta.kind!r}, year {record.meta.year!r}"
        return [CheckResult(record.source, record.sha256, "required_tables", NOT_APPLICABLE, why)]
    results = [
        *_change_reasons(record, completeness),
        *_department_names(record, completeness),
        *_empty_tables(record, completeness),
    ]
    for group, rule in (("table", "required_tables"), ("section", "required_sections")):
        items = [i for i in completeness.items if i.group == group]
        required = [i for i in items if i.required]
        missing = [i for i in required if i.status == "missing"]
        notes = [f"missing: {', '.join(i.title for i in missing)}"] if missing else []
        for status, words in _FILLED.items():
            named = [
                f"{i.title} ({i.found})" if i.found else i.title
                for i in items
                if i.status == status and words
            ]
            if named:
                notes.append(f"{words}: {'; '.join(named)}")
        results.append(
            CheckResult(
                record.source,
                record.sha256,
                rule,
                FAIL if missing else PASS,
                f"{completeness.template}: {len(required) - len(missing)} of {len(required)} required; "
                + (" | ".join(notes) or "all present"),
                subject=completeness.template,
                locations=[
                    {"item": i.item, "status": i.status, **i.location.as_dict()}
                    for i in items
                    if i.location is not None
                ],
            )
        )
    return results


def _ocr_pages_failing(record: Result, results: list[CheckResult]) -> list[CheckResult]:
    """A page read by OCR whose figures fail a sum they take part in: flagged as a whole, since
    a misread digit there may sit in figures no check covers."""
    pages: dict[int, list[str]] = defaultdict(list)
    for result in results:
        if result.status == FAIL:
            for where in result.locations:
                if "ocr_confidence" in where and where.get("page") is not None:
                    pages[int(where["page"])].append(result.rule)
    return [
        CheckResult(
            record.source,
            record.sha256,
            "ocr_page_sums",
            FAIL,
            "figures read by OCR on this page fail their table's sums: compare the page with its scan",
            subject=f"page {page}: {', '.join(sorted(set(rules)))}",
            locations=[{"page": page}],
        )
        for page, rules in sorted(pages.items())
    ]
