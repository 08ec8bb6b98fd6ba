"""Document metadata: department, fiscal year, kind (budget / final accounts), region."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..model import Block, Document, Issue
from ..numbers import normalize_width
from ..patterns import Patterns

# Department names come from the title or the first lines; deeper text names other bodies.
HEAD_BLOCKS = 12
# Shorter "names" are place names cut off by a year ("平潭2017年部门预算…"), not departments.
MIN_DEPARTMENT_CHARS = 3
# Quotes and brackets that wrap words in titles but are not part of a department's name.
_QUOTES = "“”\"'‘’《》"


def _head_texts(doc: Document) -> list[str]:
    """The title, then the first blocks and table captions, as candidate metadata text."""
    texts = [doc.title] if doc.title else []
    for key in ("ArticleTitle", "html_title"):
        if doc.properties.get(key) and doc.properties[key] not in texts:
            texts.append(doc.properties[key])
    for item in doc.items[:HEAD_BLOCKS]:
        if isinstance(item, Block):
            texts.append(item.text)
        else:
            texts.append(item.caption)
            texts.extend(c.text for c in item.cells[:12])
    return [t for t in texts if t]


def extract_meta(doc: Document, patterns: Patterns) -> tuple[dict[str, Any], list[Issue]]:
    meta: dict[str, Any] = {}
    issues: list[Issue] = []
    heads = _head_texts(doc)
    kind = _kind(doc, heads, patterns)
    if kind:
        meta["kind"] = kind
    year = _year(doc, heads, patterns)
    if year:
        meta["year"] = year
    department = _department(heads, patterns)
    if department:
        meta["department"] = department
        region = _region(department, patterns)
        if region:
            meta["region"] = region
    for key in ("kind", "year", "department"):
        if key not in meta:
            issues.append(Issue("meta_missing", "warning", f"could not tell the document's {key}"))
    return meta, issues


def _kind(doc: Document, heads: list[str], patterns: Patterns) -> str | None:
    rules = patterns.meta["kind"]
    for text in [*heads, doc.properties.get("ColumnName", "")]:
        final = rules["final_accounts_re"].search(text)
        budget = rules["budget_re"].search(text)
        if final and budget:
            # "2024年度部门决算" vs "预算执行": the earlier word in a title decides
            return "final_accounts" if final.start() <= budget.start() else "budget"
        if final:
            return "final_accounts"
        if budget:
            return "budget"
    # the body: whichever word the document uses more
    body = " ".join(b.text for b in doc.blocks)
    n_final = len(rules["final_accounts_re"].findall(body))
    n_budget = len(rules["budget_re"].findall(body))
    if n_final or n_budget:
        return "final_accounts" if n_final > n_budget else "budget"
    return None


def _year(doc: Document, heads: list[str], patterns: Patterns) -> int | None:
    rules = patterns.meta["year"]
    for text in heads:
        match = rules["fiscal_re"].search(normalize_width(text))
        if match:
            return int(match.group("year"))
    # no year next to 预算/决算 in the head: the year the body names most often
    texts = [b.text for b in doc.blocks] + [t.caption for t in doc.tables]
    counts = Counter(
        int(m.group("year")) for t in texts for m in rules["fiscal_re"].finditer(normalize_width(t))
    )
    if counts:
        return counts.most_common(1)[0][0]
    return None


def _clean_department(name: str, patterns: Patterns) -> str:
    name = name.strip(_QUOTES + " ：:")
    trailing = patterns.meta["department"]["trailing_re"]
    previous = None
    while previous != name:
        previous = name
        name = trailing.sub("", name)
    return name


def _department(heads: list[str], patterns: Patterns) -> str | None:
    rules = patterns.meta["department"]
    # the title is the most reliable place, then the first lines in order
    for text in heads:
        for form in rules["forms_re"]:
            match = form.search(text.translate({ord(q): None for q in _QUOTES}))
            if not match:
                continue
            name = _clean_department(match.group("dept"), patterns)
            # "上海市普陀区2025年区级部门预算" names the government, not the department
            if (
                len(name) >= MIN_DEPARTMENT_CHARS
                and not rules["reject_re"].search(name)
                and _region(name, patterns) != name
            ):
                return name
    return None


def _region(department: str, patterns: Patterns) -> str | None:
    rules = patterns.meta["region"]
    name = rules["strip_prefix_re"].sub("", department)
    region = ""
    pos = 0
    while True:
        match = rules["unit_re"].match(name, pos)
        if not match or rules["not_region_re"].search(match.group(0)):
            break
        region += match.group(0)
        pos = match.end()
    return region or None
