"""`disclosure-extract report DIR`: HTML pages a reviewer verifies values from.

Layout of the report folder (``DIR/report`` by default)::

    index.html      the summary, the documents to review first, charts, field coverage and
                    a table of every document
    failures.html   only what failed: documents that could not be read, failed checks
    docs/ID.html    one page per document: each field with its value, the text as printed,
                    a link to the source at its page and a crop of the page with the cell
                    highlighted; its failed checks with theirs; its issues
    crops/          the page crops (``crops.py``), made once per document, page and box

Every amount is in 万元, exact (as many decimals as the yuan value needs); counts are
counts. There is no script and no file from elsewhere: the folder opens offline, and a
report of 1,000 documents is 1,000 small pages behind one index.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..common.atomic import write_text
from ..model import (
    CATEGORY_ORDER,
    COMPLETENESS_RULES,
    FAIL,
    CheckResult,
    Fact,
    Indicator,
    Result,
    check_category,
)
from ..patterns import Patterns
from .crops import Box, crop_name, make_crops

log = logging.getLogger(__name__)

WAN = Decimal(10000)
CENT_OF_WAN = Decimal("0.01")
UNIT_NOTE = "金额单位：万元 (every amount in 万元, exact)"
CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","WenQuanYi Zen Hei","Microsoft YaHei",sans-serif}
body{margin:2rem;color:#1d2733;max-width:1280px}
h1{font-size:1.6rem}
h2{margin-top:2.2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}
td,th{border:1px solid #ccd;padding:.25rem .5rem;font-size:.9rem;vertical-align:top}
th{background:#eef1f6;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
img.crop{display:block;width:500px;max-width:100%;border:1px solid #ccd;margin-top:.3rem}
td.ev{min-width:500px}
.fail{color:#b00020;font-weight:600}
.ok{color:#176b2c}
.muted{color:#667}
.pill{display:inline-block;padding:0 .4rem;border-radius:4px;background:#eef1f6;margin-right:.3rem}
.pill{font-size:.85rem}
nav{margin-bottom:1rem}
nav a{margin-right:1rem}
svg text{font-size:12px;font-family:inherit}
"""

Locate = Callable[[Result], Path | None]


@dataclass(frozen=True)
class ReportSummary:
    """What ``write_report`` wrote."""

    index: Path
    documents: int
    crops: int


def _e(value: Any) -> str:
    return html.escape(str(value)) if value is not None else ""


def wan(value: Any) -> str:
    """An amount in yuan shown in 万元: two decimals, more only when the yuan value needs them."""
    w = Decimal(str(value)) / WAN
    return f"{w:,.2f}" if w == w.quantize(CENT_OF_WAN) else f"{w.normalize():,f}"


class _Units:
    """One way to show a field's value: 万元 for money, the number itself for counts."""

    def __init__(self, patterns: Patterns) -> None:
        self.counts = patterns.count_fields

    def show(self, field_id: str, value: Any) -> str:
        if value is None or isinstance(value, str):
            return value or ""  # meta.department …: text, shown as it is
        if field_id in self.counts:
            return f"{Decimal(str(value)):,f}"
        return wan(value)


def _page(title: str, body: Iterable[str]) -> str:
    return (
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>{_e(title)}</title>"
        f"<style>{CSS}</style></head><body>" + "\n".join(body) + "</body></html>"
    )


def _where(loc: dict[str, Any]) -> str:
    parts = [f"{k} {loc[k]}" for k in ("page", "table", "row", "col", "line_start") if loc.get(k) is not None]
    if loc.get("path"):
        parts.append(f"<code>{_e(loc['path'])}</code>")
    return ", ".join(parts) or "—"


def _bars(title: str, items: list[tuple[str, float]], money: bool, color: str) -> str:
    """A horizontal bar chart as inline SVG."""
    if not items:
        return f"<p class='muted'>{_e(title)}: nothing to show.</p>"
    width, label_w, bar_h = 900, 330, 22
    top = max(v for _, v in items) or 1.0
    height = bar_h * len(items) + 30
    rows = []
    for i, (label, value) in enumerate(items):
        y = 24 + i * bar_h
        w = max(1.0, (width - label_w - 110) * value / top)
        shown = f"{value:,.2f}" if money else f"{value:,.0f}"  # 万元 with two decimals, counts whole
        rows.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_e(label[:28])}</text>'
            f'<rect x="{label_w}" y="{y + 2}" width="{w:.1f}" height="{bar_h - 6}" fill="{color}"></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 14}">{shown}</text>'
        )
    return (
        f'<figure><svg role="img" aria-label="{_e(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><text x="0" y="14" font-weight="600">{_e(title)}</text>'
        + "".join(rows)
        + "</svg></figure>"
    )


@dataclass(frozen=True)
class _Base:
    """Where links start (the report's docs/ folder) and where relative sources are (the
    folder the extraction ran in, which the report need not run in)."""

    docs: Path
    sources: Path


def _source_href(source: str, page: int | None, base: _Base) -> str:
    """A link to the document at the page: its URL, or its path relative to the page linking it."""
    if source.startswith(("http://", "https://")):
        href = source
    else:
        href = os.path.relpath((base.sources / source).resolve(), base.docs)
    return f"{href}#page={page}" if page else href


def document_page(source: str) -> str:
    """The report page of a document, relative to the report folder: named by its source."""
    return f"docs/{hashlib.sha256(source.encode()).hexdigest()[:16]}.html"


def _title(rec: Result) -> str:
    meta = rec.meta
    return " ".join(str(p) for p in (meta.department or rec.source, meta.year or "", meta.kind or "") if p)


def _failed_checks(checks: list[CheckResult]) -> list[CheckResult]:
    """The failed checks of figures; completeness (COMPLETENESS_RULES) has its own block."""
    return [c for c in checks if c.status == FAIL and c.rule not in COMPLETENESS_RULES]


@dataclass
class _Line:
    """What the index and the failures page show of a document: all the report keeps of one."""

    source: str
    title: str
    department: str | None
    year: int | None
    kind: str | None
    status: str
    failed: bool
    values: int
    failed_checks: int
    issues: list[tuple[str, str]]  # of a document that failed: code, message
    sangong: Decimal | None
    completeness: Decimal | None

    @classmethod
    def of(cls, rec: Result, failed_checks: int) -> _Line:
        sangong = rec.fields.get("sangong.total")
        return cls(
            rec.source,
            _title(rec),
            rec.meta.department,
            rec.meta.year,
            rec.meta.kind,
            rec.status,
            rec.failed,
            len(rec.fields),
            failed_checks,
            [(i.code, i.message[:200]) for i in rec.issues] if rec.failed else [],
            Decimal(str(sangong)) if sangong is not None and not rec.failed else None,
            rec.completeness.score if rec.completeness is not None else None,
        )


@dataclass
class _Tally:
    """The index's totals, counted as documents go by."""

    facts: int = 0
    checks: int = 0
    failed_by_rule: Counter[str] = field(default_factory=Counter)
    failed_by_category: Counter[str] = field(default_factory=Counter)  # every failed check
    with_failed: int = 0  # documents with any failed check
    coverage: Counter[str] = field(default_factory=Counter)
    ok: int = 0


def write_report(
    documents: Iterable[tuple[Result, list[CheckResult]]],
    patterns: Patterns,
    folder: Path,
    locate: Locate | None = None,
    sources: Path | None = None,
) -> ReportSummary:
    """Write the report of a dataset into ``folder`` from each document's result with its
    check results, one document at a time; ``locate`` finds a document's bytes for crops.

    Without ``locate`` (or when it finds nothing, or for formats other than PDF) values are
    shown with their printed text and a link, without a crop. Relative sources are relative
    to ``sources`` (the folder the extraction ran in; default: this process's).
    """
    base = _Base((folder / "docs").resolve(), (sources or Path.cwd()).resolve())
    units = _Units(patterns)
    lines: list[_Line] = []
    tally = _Tally()
    crops = 0
    with tempfile.TemporaryFile("w+", encoding="utf-8", prefix="failing.") as failing:
        items = iter(documents)
        current = next(items, None)
        while current is not None:
            after = next(items, None)
            rec, checks = current
            failed = _failed_checks(checks)
            pictures = _document_crops(rec, failed, folder / "crops", locate)
            crops += len(pictures)
            neighbours = (lines[-1] if lines else None, _Line.of(after[0], 0) if after else None)
            page = _document_html(rec, checks, patterns, units, pictures, neighbours, base)
            write_text(folder / document_page(rec.source), page)
            lines.append(_Line.of(rec, len(failed)))
            _count(tally, rec, checks)
            if failed:
                failing.write(f"<h3><a href='{document_page(rec.source)}'>{_e(_title(rec))}</a></h3>\n")
                failing.write(
                    _checks_table(failed, units, _existing_crops(rec, failed, folder), heading="") + "\n"
                )
            if len(lines) % 100 == 0:
                log.info("report: %d documents", len(lines))
            current = after
        failing.seek(0)
        write_text(folder / "failures.html", _failures_html(lines, failing.read().rstrip("\n")))
    index = folder / "index.html"
    write_text(index, _index_html(lines, tally, patterns))
    return ReportSummary(index=index, documents=len(lines), crops=crops)


def _count(tally: _Tally, rec: Result, checks: list[CheckResult]) -> None:
    tally.checks += len(checks)
    tally.failed_by_rule.update(c.rule for c in _failed_checks(checks))
    every = [c for c in checks if c.status == FAIL]
    tally.failed_by_category.update(check_category(c.rule) for c in every)
    tally.with_failed += bool(every)
    if not rec.failed:
        tally.ok += 1
        tally.facts += len(rec.facts)
        tally.coverage.update(rec.fields.keys())  # keys: a mapping would add its values


def _boxes(rec: Result, failed: list[CheckResult]) -> Iterable[tuple[int, Box]]:
    for fact in rec.chosen_facts().values():
        loc = fact.evidence.location
        if loc.page is not None and loc.bbox is not None:
            yield loc.page, loc.bbox
    for c in failed:
        for where in c.locations:
            box = _box_of(where)
            if box is not None:
                yield box
    for grid in grid_parts(rec):
        if grid.page is not None and grid.box is not None:
            yield grid.page, grid.box


@dataclass
class GridPart:
    """A performance grid's rows on one page: shown beside the crop of their cells."""

    activity: str
    table: int | None
    page: int | None
    box: Box | None
    rows: list[Indicator]


def grid_parts(rec: Result) -> list[GridPart]:
    """The document's indicator rows by grid (table and activity) and page, in order; each
    part's box spans its rows' indicator cells, widened to its table's columns."""
    parts: list[GridPart] = []
    widths = {t.index: (b[0], b[2]) for t in rec.tables if (b := t.location.bbox) is not None}
    for ind in rec.indicators:
        loc = ind.location
        last = parts[-1] if parts else None
        if last is None or (last.activity, last.table, last.page) != (ind.activity, loc.table, loc.page):
            last = GridPart(ind.activity, loc.table, loc.page, None, [])
            parts.append(last)
        last.rows.append(ind)
        if loc.bbox is not None:
            b = loc.bbox
            x0, x1 = widths.get(loc.table if loc.table is not None else -1, (b[0], b[2]))
            box = last.box or (x0, b[1], x1, b[3])
            last.box = (min(box[0], x0), min(box[1], b[1]), max(box[2], x1), max(box[3], b[3]))
    return parts


def _grids_html(rec: Result, pictures: dict[tuple[int, Box], str]) -> str:
    """Each grid's rows as read, beside the crop of the page they were read from."""
    parts = grid_parts(rec)
    if not parts:
        return ""
    out = [f"<h2>Performance grids</h2><p class='muted'>{len(rec.indicators)} indicator rows</p>"]
    for part in parts:
        first = part.rows[0]
        funds = f" · {_e(wan(first.budget))} 万元" if first.budget is not None else ""
        parent = f"{_e(first.parent)} › " if first.parent else ""
        # 职责活动 grids grade each row 优 / 良 / 中 / 差 instead of one target
        graded = any(ind.standards for ind in part.rows)
        heads = ["一级指标", "二级指标", "指标", *(STANDARD_HEADS if graded else ("指标值",))]
        rows = "".join(
            "<tr>"
            + "".join(f"<td>{_e(v or '')}</td>" for v in _grid_row(ind, graded))
            + f"<td class='num'>{_e(ind.weight if ind.weight is not None else '')}</td></tr>"
            for ind in part.rows
        )
        out.append(
            f"<h3>{parent}{_e(part.activity)}{funds} <span class='muted'>p. {_e(part.page)}</span></h3>"
            "<table><tr><td><table><tr>"
            + "".join(f"<th>{h}</th>" for h in heads)
            + f"<th>分值</th></tr>{rows}</table></td>"
            f"<td class='ev'>{_crop_img(pictures, part.page, part.box, part.activity)}</td></tr></table>"
        )
    return "".join(out)


STANDARD_HEADS = ("优", "良", "中", "差")


def _grid_row(ind: Indicator, graded: bool) -> list[str | None]:
    """A grid row's cells as the report shows them: levels, indicator, target or standards."""
    cells = [ind.level1, ind.level2, ind.indicator]
    if not graded:
        return [*cells, ind.target]
    standards = ind.standards or {}
    return [*cells, *(standards.get(k) for k in ("excellent", "good", "fair", "poor"))]


def _box_of(loc: dict[str, Any]) -> tuple[int, Box] | None:
    bbox, page = loc.get("bbox"), loc.get("page")
    if page is None or not bbox or len(bbox) != 4:
        return None
    return int(page), (float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3]))


def _document_crops(
    rec: Result, failed: list[CheckResult], folder: Path, locate: Locate | None
) -> dict[tuple[int, Box], str]:
    if locate is None or rec.format != "pdf" or rec.sha256 is None:
        return {}
    wanted = list(_boxes(rec, failed))
    if not wanted:
        return {}
    made = make_crops(lambda: locate(rec), rec.sha256, wanted, folder)
    return {key: f"../crops/{name}" for key, name in made.items()}


def _crop_img(pictures: dict[tuple[int, Box], str], page: int | None, box: Box | None, alt: str) -> str:
    src = pictures.get((page, box)) if page is not None and box is not None else None
    if src is None:
        return ""
    return f"<img class='crop' loading='lazy' src='{_e(src)}' alt='{_e(alt)}'>"


def _nav(folder_rel: str, prev_next: tuple[_Line | None, _Line | None] = (None, None)) -> str:
    links = [
        f"<a href='{folder_rel}index.html'>← index</a>",
        f"<a href='{folder_rel}failures.html'>failures only</a>",
    ]
    prev, nxt = prev_next
    if prev is not None:
        links.append(f"<a href='../{document_page(prev.source)}'>‹ previous: {_e(prev.title)}</a>")
    if nxt is not None:
        links.append(f"<a href='../{document_page(nxt.source)}'>next: {_e(nxt.title)} ›</a>")
    return "<nav>" + "".join(links) + "</nav>"


def _document_html(
    rec: Result,
    checks: list[CheckResult],
    patterns: Patterns,
    units: _Units,
    pictures: dict[tuple[int, Box], str],
    prev_next: tuple[_Line | None, _Line | None],
    base: _Base,
) -> str:
    body = [
        _nav("../", prev_next),
        f"<h1>{_e(_title(rec))}</h1>",
        f"<p class='muted'><a href='{_e(_source_href(rec.source, None, base))}'>{_e(rec.source)}</a> · "
        f"{_e(rec.format)} · sha256 {_e(str(rec.sha256)[:12])} · "
        f"<span class='{'fail' if rec.failed else 'ok'}'>{_e(rec.status)}</span></p>",
        f"<p class='muted'>{UNIT_NOTE}</p>",
        _fields_table(rec, patterns, units, pictures, base),
    ]
    missing = [f for f in patterns.core_fields if f not in rec.fields]
    if missing and not rec.failed:
        body.append("<p>Missing: " + " ".join(f"<span class='pill'>{_e(f)}</span>" for f in missing) + "</p>")
    body.append(_checks_table(_failed_checks(checks), units, pictures))
    body.append(_grids_html(rec, pictures))
    body.append(_completeness_html(rec, checks))
    issues = [i for i in rec.issues if i.severity != "info"]
    if issues:
        body.append(
            "<h2>Issues</h2><ul>"
            + "".join(f"<li><span class='pill'>{_e(i.code)}</span>{_e(i.message[:300])}</li>" for i in issues)
            + "</ul>"
        )
    return _page(_title(rec), body)


def _completeness_html(rec: Result, checks: list[CheckResult]) -> str:
    """The template's items the document does not hold as the template names them."""
    c = rec.completeness
    if c is None:
        return ""
    score = f"{c.score:.0%}" if c.score is not None else "-"
    rows = [
        f"<h2>Required tables and sections</h2><p>template <code>{_e(c.template)}</code>: "
        f"{score} of the required items present (under any title), attached or explained.</p>"
    ]
    shown = [i for i in c.items if i.status != "present" and (i.required or i.status != "missing")]
    if shown:
        rows.append("<table><tr><th>item</th><th>status</th><th>found</th><th>where</th></tr>")
        for item in shown:
            where = _where(item.location.as_dict()) if item.location is not None else ""
            css = "fail" if item.status == "missing" else "muted"
            rows.append(
                f"<tr><td>{_e(item.title)}</td><td class='{css}'>{_e(item.status)}</td>"
                f"<td>{_e(item.found)}</td><td class='muted'>{_e(where)}</td></tr>"
            )
        rows.append("</table>")
    # the required items are in the table above; the other findings, each with its check
    findings = [
        x
        for x in checks
        if x.status == FAIL and x.rule in COMPLETENESS_RULES and not x.rule.startswith("required_")
    ]
    if findings:
        rows.append("<ul>")
        rows.extend(f"<li><span class='pill'>{_e(x.rule)}</span>{_e(x.description)}</li>" for x in findings)
        rows.append("</ul>")
    return "".join(rows)


def _fields_table(
    rec: Result, patterns: Patterns, units: _Units, pictures: dict[tuple[int, Box], str], base: _Base
) -> str:
    if not rec.fields:
        return "<p class='muted'>No values.</p>"
    evidence = rec.chosen_facts()
    rows = [
        "<h2>Values</h2><table><tr><th>field</th><th>名称</th><th>value (万元)</th>"
        "<th>as printed</th><th>evidence</th></tr>"
    ]
    for field_id, value in rec.fields.items():
        fact = evidence.get(field_id)
        rows.append(
            f"<tr id='{_e(field_id)}'><td><a href='#{_e(field_id)}'><code>{_e(field_id)}</code></a></td>"
            f"<td>{_e(patterns.field_names.get(field_id, ''))}</td>"
            f"<td class='num'>{_e(units.show(field_id, value))}</td>"
            f"<td>{_printed(fact)}</td><td class='ev'>{_evidence(rec, fact, pictures, base)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _printed(fact: Fact | None) -> str:
    if fact is None:
        return ""
    ev = fact.evidence
    unit = f" {_e(ev.unit)}" if ev.unit else ""
    inferred = " <span class='muted'>(unit inferred)</span>" if ev.unit_inferred else ""
    label = f"<br><span class='muted'>{_e(ev.label)}</span>" if ev.label else ""
    return f"“{_e(ev.text[:80])}”{unit}{inferred}{label}"


def _evidence(rec: Result, fact: Fact | None, pictures: dict[tuple[int, Box], str], base: _Base) -> str:
    if fact is None:
        return ""
    ev = fact.evidence
    loc = ev.location
    flags = "".join(f"<span class='pill fail'>{_e(f)}</span>" for f in fact.flags)
    if loc.ocr_confidence is not None:
        flags += f"<span class='pill'>OCR {loc.ocr_confidence:.2f}</span>"
    return (
        f"<span class='pill'>{_e(ev.method)}</span>{flags}"
        f"<a href='{_e(_source_href(rec.source, loc.page, base))}'>{_where(loc.as_dict())}</a>"
        f"{_crop_img(pictures, loc.page, loc.bbox, f'{fact.field_id} on page {loc.page}')}"
    )


def _check_value(c: CheckResult, units: _Units, value: Decimal | None) -> str:
    return _e(units.show(c.subject, value)) if value is not None else ""


def _checks_table(
    failed: list[CheckResult],
    units: _Units,
    pictures: dict[tuple[int, Box], str],
    heading: str = "Failed checks",
) -> str:
    if not failed:
        return ""
    rows = [
        (f"<h2>{heading}</h2>" if heading else "")
        + "<table><tr><th>check</th><th>expected</th><th>stated</th>"
        "<th>difference</th><th>evidence</th></tr>"
    ]
    for c in failed:
        where = []
        for loc in c.locations:  # every cited cell: a reviewer checks the sum by them all
            box = _box_of(loc)
            img = _crop_img(pictures, *box, str(loc.get("field", ""))) if box else ""
            where.append(f"{_e(loc.get('field', ''))} {_where(loc)} “{_e(loc.get('text', ''))[:60]}”{img}")
        rows.append(
            f"<tr><td class='fail'>{_e(c.rule)}<br><span class='muted'>{_e(c.subject)}</span>"
            f"<br><span class='muted'>{_e(c.description)}</span></td>"
            f"<td class='num'>{_check_value(c, units, c.expected)}</td>"
            f"<td class='num'>{_check_value(c, units, c.actual)}</td>"
            f"<td class='num'>{_check_value(c, units, c.difference)}</td><td>{'<br>'.join(where)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _failures_html(lines: list[_Line], failing: str) -> str:
    """Only what failed, each with a link to its document's page; ``failing`` is the failed
    checks' tables, document by document."""
    body = [_nav(""), "<h1>Failures only</h1>", f"<p class='muted'>{UNIT_NOTE}</p>"]
    unreadable = [line for line in lines if line.failed]
    body.append(f"<h2>Documents that could not be extracted ({len(unreadable)})</h2>")
    body.append(
        "<ul>"
        + "".join(
            f"<li><a href='{document_page(line.source)}'>{_e(line.source)}</a> "
            + " ".join(f"<span class='pill'>{_e(code)}</span>{_e(message)}" for code, message in line.issues)
            + "</li>"
            for line in unreadable
        )
        + "</ul>"
    )
    with_failures = sum(1 for line in lines if line.failed_checks)
    body.append(f"<h2>Documents with failed checks ({with_failures})</h2>")
    if failing:
        body.append(failing)
    return _page("Failures", body)


def _existing_crops(rec: Result, failed: list[CheckResult], folder: Path) -> dict[tuple[int, Box], str]:
    """The crops the document pages made, for the failures page (which sits one folder up)."""
    if rec.sha256 is None:
        return {}
    boxes = [b for c in failed for loc in c.locations if (b := _box_of(loc)) is not None]
    found = {(p, box): crop_name(rec.sha256, p, box) for p, box in boxes}
    return {k: f"crops/{v}" for k, v in found.items() if (folder / "crops" / v).is_file()}


def _index_html(lines: list[_Line], tally: _Tally, patterns: Patterns) -> str:
    failed_checks = sum(tally.failed_by_category.values())
    by_category = ", ".join(
        f"{category.replace('_', ' ')} {tally.failed_by_category[category]}"
        for category in CATEGORY_ORDER
        if tally.failed_by_category[category]
    )
    body = [
        "<h1>部门预算/决算公开 — extraction report</h1>",
        f"<p>{len(lines)} documents: <span class='ok'>{tally.ok} extracted</span>, "
        f"<span class='fail'>{len(lines) - tally.ok} failed</span>; "
        f"{tally.facts} facts; {tally.checks} checks, "
        f"<span class='fail'>{failed_checks} failed</span> in {tally.with_failed} documents"
        + (f" ({by_category})" if by_category else "")
        + ". The figures' failures are listed below; completeness and compliance on each "
        "document's page (checks.csv and the documents table count them all alike). "
        "<a href='failures.html'>Failures only</a></p>",
        f"<p class='muted'>{UNIT_NOTE}</p>",
        _needs_review(lines),
        "<h2>Charts</h2>",
        _bars("三公经费 by department and year (万元)", _sangong(lines)[:30], True, "#3a6ea5"),
        _bars(
            "Check failures by rule",
            [(k, float(v)) for k, v in tally.failed_by_rule.most_common()],
            False,
            "#b00020",
        ),
        _coverage(tally, patterns),
        _documents_table(lines),
    ]
    return _page("Disclosure report", body)


def _sangong(lines: list[_Line]) -> list[tuple[str, float]]:
    items = [(line.title, float(line.sangong / WAN)) for line in lines if line.sangong is not None]
    return sorted(items, key=lambda x: -x[1])


def _needs_review(lines: list[_Line]) -> str:
    """The documents a reviewer should look at first: failed, or with a failed check."""
    rows = []
    for line in lines:
        if line.failed or line.failed_checks:
            what = "extraction failed" if line.failed else f"{line.failed_checks} failed check(s)"
            rows.append(
                f"<li><a href='{document_page(line.source)}'>{_e(line.title)}</a> — "
                f"<span class='fail'>{what}</span></li>"
            )
    if not rows:
        return "<h2>Needs review</h2><p class='ok'>No document failed and no check failed.</p>"
    return f"<h2>Needs review</h2><ul>{''.join(rows)}</ul>"


def _coverage(tally: _Tally, patterns: Patterns) -> str:
    known = [f for f in patterns.meta_fields if f != "meta.region"] + list(patterns.known_fields)
    rows = [
        "<h2>Field coverage</h2><table><tr><th>field</th><th>名称</th><th>documents</th><th>share</th></tr>"
    ]
    for field_id in known:
        n = tally.coverage[field_id]
        share = n / tally.ok if tally.ok else 0.0
        rows.append(
            f"<tr><td><code>{_e(field_id)}</code></td><td>{_e(patterns.field_names.get(field_id, ''))}</td>"
            f"<td class='num'>{n}</td><td class='num'>{share:.0%}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def _documents_table(lines: list[_Line]) -> str:
    rows = [
        f"<h2>Documents ({len(lines)})</h2><table><tr><th>department</th><th>year</th><th>kind</th>"
        "<th>status</th><th>values</th><th>failed checks</th><th>complete</th><th>source</th></tr>"
    ]
    for line in lines:
        failed = line.failed_checks
        rows.append(
            f"<tr><td><a href='{document_page(line.source)}'>{_e(line.department or '?')}</a></td>"
            f"<td>{_e(line.year or '')}</td><td>{_e(line.kind or '')}</td>"
            f"<td class='{'fail' if line.failed else 'ok'}'>{_e(line.status)}</td>"
            f"<td class='num'>{line.values}</td>"
            f"<td class='num{' fail' if failed else ''}'>{failed}</td>"
            f"<td class='num'>{'' if line.completeness is None else f'{line.completeness:.0%}'}</td>"
            f"<td class='muted'>{_e(line.source)}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)
