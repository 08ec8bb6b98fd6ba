"""Extractors: the document model -> facts, indicators and issues."""

from __future__ import annotations

from collections.abc import Mapping

from ..model import Document, Issue, Result
from ..patterns import Patterns
from .bounds import set_aside_out_of_range
from .completeness import assess_completeness
from .indicators import extract_indicators
from .line_items import extract_line_items
from .meta import extract_meta
from .prose import extract_prose
from .resolve import resolve_fields
from .sections import build_outline
from .tables import budget_units, extract_tables
from .units import settle_guessed_units

__all__ = ["extract_document"]

# An article page links a handful of attachments; a page with more links is a listing.
MAX_ARTICLE_LINKS = 30
# Without a disclosure's title, one of its template tables or classified line items (a table
# page cut from one), a text must state at least this many figures to be read as a
# disclosure (a 三公 excerpt states half a dozen); fewer are stray figures in other text: a
# README quoting one, a notice, an evaluation report. (A department is no sign: it is read
# from prose too, a sentence's fragment in a report.)
MIN_UNTITLED_FIELDS = 3


def extract_document(doc: Document, patterns: Patterns) -> Result:
    """Every fact, indicator and issue one loaded document yields."""
    result = Result(source=doc.source, sha256=doc.sha256, format=doc.format, tables=doc.tables)
    result.issues.extend(doc.issues)
    outline = build_outline(doc)
    meta, meta_issues = extract_meta(doc, patterns)
    result.meta = meta
    result.issues.extend(meta_issues)
    unit_names = budget_units(doc.tables, meta.department, patterns)
    prose_facts = extract_prose(doc, outline, patterns, meta, unit_names)
    table_facts, units, unit_issues = extract_tables(
        doc, outline, patterns, meta.year, meta.department, meta.kind
    )
    result.issues.extend(unit_issues)
    result.facts = table_facts + prose_facts
    result.indicators = extract_indicators(doc.tables, units, patterns, meta.department)
    result.completeness = assess_completeness(doc, meta, patterns)
    result.line_items = extract_line_items(doc.tables, units, patterns)
    # a table printing no unit takes the one its figures agree in with the document's others
    result.issues.extend(settle_guessed_units(result.facts, result.line_items, doc.tables, units))
    for table in doc.tables:
        if table.index in units:
            table.unit, table.unit_inferred = units[table.index].unit, units[table.index].inferred
    set_aside_out_of_range(result)  # before any value is chosen or summed
    # 基本支出 = 人员 + 公用 only where the document names no third part (对个人和家庭的补助)
    other_part = any(patterns.basic_other_part.search(b.text) for b in doc.blocks)
    fields, conflicts = resolve_fields(
        result.facts,
        fallback_rules=patterns.fallback_rules,
        unless_stated=patterns.unless_stated,
        derivations=tuple(d for i in patterns.identities if (d := i.derivation()) is not None),
        skip_derived=frozenset({"expenditure.basic", "appropriation.basic"}) if other_part else frozenset(),
        identities=tuple(i for i in patterns.identities if i.kinds is None or meta.kind in i.kinds),
    )
    result.issues.extend(conflicts)
    for key in ("department", "year", "kind", "region"):
        value = getattr(meta, key)
        if value is not None:
            result.fields[f"meta.{key}"] = value
    result.fields.update(dict(sorted(fields.items())))
    # a page listing many links is a column listing, not an article with attachments
    if (
        not fields
        and not result.indicators
        and doc.attachments
        and (doc.content_links or 0) <= MAX_ARTICLE_LINKS
    ):
        # an article page that only points to its attachments ("详见附件"): not a failure
        files = doc.attachments
        result.issues.append(
            Issue(
                "figures_in_attachments",
                "info",
                f"no figures on the page itself; it links {len(files)} attachment(s): {', '.join(files[:5])}",
            )
        )
    elif not fields and not result.indicators and meta.title:
        # titled as a disclosure (a 说明 page cut before its figures, an attachment's cover)
        result.issues.append(
            Issue(
                "no_figures",
                "warning",
                f"titled as a disclosure ({meta.title!r}) but no budget figure or performance "
                "indicator was found: its figures are elsewhere (an attachment, a later page)",
            )
        )
    elif (not fields and not result.indicators) or _stray(result, fields):
        result.fields = {k: v for k, v in result.fields.items() if k.startswith("meta.")}
        result.issues.append(
            Issue(
                "not_a_disclosure",
                "error",
                (
                    f"only {len(fields)} figure(s), and no disclosure title, template table or line items"
                    if fields
                    else "no budget figure or performance indicator was found"
                )
                + ": the document does not look like a 部门预算/决算 disclosure",
            )
        )
    return result


def _stray(result: Result, fields: Mapping[str, object]) -> bool:
    """Figures too few to make a disclosure of a text that has nothing else of one."""
    meta = result.meta
    if meta.title or result.indicators or result.line_items or len(fields) >= MIN_UNTITLED_FIELDS:
        return False
    items = result.completeness.items if result.completeness else []
    return not any(i.group == "table" and i.status in ("present", "nonstandard") for i in items)
