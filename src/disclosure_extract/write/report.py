"""`disclosure-extract report DIR`: one self-contained HTML file a person can read.

For each document: the fields found (with their evidence: page, table, cell, original
text) and the fields missing, the checks it failed and its issues. For the dataset:
coverage of each field, and charts (三公 by department and year, check failures by rule)
drawn as inline SVG. No script, no external file: it opens anywhere, offline.
"""

from __future__ import annotations

import html
import os
from collections import Counter, defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..model import FAIL, CheckResult, Result
from ..patterns import Patterns

WAN = Decimal(10000)
CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2rem;color:#1d2733}
body{max-width:1200px}
h1{font-size:1.6rem}
h2{margin-top:2.2rem;border-bottom:1px solid #ccd;padding-bottom:.2rem}
h3{margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}
td,th{border:1px solid #ccd;padding:.25rem .5rem;font-size:.9rem;vertical-align:top}
th{background:#eef1f6;text-align:left}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.fail{color:#b00020;font-weight:600}
.ok{color:#176b2c}
.muted{color:#667}
.doc{border:1px solid #dde;padding:0 1rem 1rem;margin:1rem 0;border-radius:6px}
.pill{display:inline-block;padding:0 .4rem;border-radius:4px;background:#eef1f6;margin-right:.3rem}
.pill{font-size:.85rem}
svg text{font-size:12px;font-family:inherit}
"""


def _e(value: Any) -> str:
    return html.escape(str(value)) if value is not None else ""


def _money(value: Any) -> str:
    v = Decimal(str(value))
    return f"{v / WAN:,.2f} 万元" if abs(v) >= 100 else f"{v:,} 元"


def _where(loc: dict[str, Any]) -> str:
    parts = [f"{k} {loc[k]}" for k in ("page", "table", "row", "col", "line_start") if loc.get(k) is not None]
    if loc.get("path"):
        parts.append(f"<code>{_e(loc['path'])}</code>")
    return ", ".join(parts) or "—"


def _bars(title: str, items: list[tuple[str, float]], unit: str, color: str) -> str:
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
        shown = f"{value:,.2f} {unit}" if unit else f"{value:,.0f}"  # amounts with cents, counts whole
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


def _source_href(source: str, page: int | None, base: Path | None) -> str:
    """A link to the document at the page: its URL, or its path relative to the report."""
    if source.startswith(("http://", "https://")):
        href = source
    else:
        path = Path(source).resolve()
        href = os.path.relpath(path, base.resolve()) if base is not None else path.as_uri()
    return f"{href}#page={page}" if page else href


def _needs_review(records: list[Result], by_source: dict[str, list[CheckResult]]) -> str:
    """The documents a reviewer should look at first: failed, or with a failed check."""
    rows = []
    for n, rec in enumerate(records):
        failed = [c for c in by_source.get(rec.source, []) if c.status == FAIL]
        if rec.failed or failed:
            what = "extraction failed" if rec.failed else f"{len(failed)} failed check(s)"
            name = f"{rec.meta.department or rec.source} {rec.meta.year or ''}"
            rows.append(f"<li><a href='#doc-{n}'>{_e(name)}</a> — <span class='fail'>{what}</span></li>")
    if not rows:
        return "<h2>Needs review</h2><p class='ok'>No document failed and no check failed.</p>"
    return f"<h2>Needs review</h2><ul>{''.join(rows)}</ul>"


def render_report(
    records: list[Result], checks: list[CheckResult], patterns: Patterns, base: Path | None = None
) -> str:
    """The report of a dataset: coverage of every field id of the vocabulary, per-document evidence."""
    known_fields = [f for f in patterns.meta_fields if f != "meta.region"] + list(patterns.known_fields)
    ok = [r for r in records if not r.failed]
    failed_checks = [c for c in checks if c.status == FAIL]
    by_source: dict[str, list[CheckResult]] = defaultdict(list)
    for c in checks:
        by_source[c.source].append(c)
    parts = [
        f"<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'><title>Disclosure report</title>"
        f"<style>{CSS}</style></head><body>",
        "<h1>部门预算/决算公开 — extraction report</h1>",
        f"<p>{len(records)} documents: <span class='ok'>{len(ok)} extracted</span>, "
        f"<span class='fail'>{len(records) - len(ok)} failed</span>; "
        f"{sum(len(r.facts) for r in ok)} facts; {len(checks)} checks, "
        f"<span class='fail'>{len(failed_checks)} failed</span>.</p>",
        _needs_review(records, by_source),
    ]

    # --- charts ---
    sangong = sorted(
        (
            (
                f"{r.meta.department or '?'} {r.meta.year or ''}",
                float(Decimal(str(r.fields["sangong.total"])) / WAN),
            )
            for r in ok
            if "sangong.total" in r.fields
        ),
        key=lambda x: -x[1],
    )
    parts.append("<h2>Charts</h2>")
    parts.append(_bars("三公经费 by department and year", sangong[:30], "万元", "#3a6ea5"))
    by_rule = Counter(c.rule for c in failed_checks)
    parts.append(
        _bars("Check failures by rule", [(k, float(v)) for k, v in by_rule.most_common()], "", "#b00020")
    )

    # --- coverage ---
    names = patterns.field_names
    parts.append(
        "<h2>Field coverage</h2><table><tr><th>field</th><th>名称</th><th>documents</th><th>share</th></tr>"
    )
    for field_id in known_fields:
        n = sum(1 for r in ok if field_id in r.fields)
        share = n / len(ok) if ok else 0.0
        parts.append(
            f"<tr><td><code>{_e(field_id)}</code></td><td>{_e(names.get(field_id, ''))}</td>"
            f"<td class='num'>{n}</td>"
            f"<td class='num'>{share:.0%}</td></tr>"
        )
    parts.append("</table>")

    # --- documents ---
    parts.append("<h2>Documents</h2>")
    for n, rec in enumerate(records):
        parts.append(_document(n, rec, by_source.get(rec.source, []), patterns, base))
    parts.append("</body></html>")
    return "\n".join(parts)


def _document(n: int, rec: Result, checks: list[CheckResult], patterns: Patterns, base: Path | None) -> str:
    core_fields, names = patterns.core_fields, patterns.field_names
    meta = rec.meta
    head = (
        f"<div class='doc' id='doc-{n}'><h3>{_e(meta.department or rec.source)} "
        f"{_e(meta.year or '')} {_e(meta.kind or '')}</h3>"
        f"<p class='muted'>{_e(rec.source)} · {_e(rec.format)} · "
        f"sha256 {_e(str(rec.sha256)[:12])}"
        f" · <span class='{'fail' if rec.failed else 'ok'}'>{_e(rec.status)}</span></p>"
    )
    out = [head]
    fields = rec.fields
    evidence = rec.chosen_facts()
    if fields:
        out.append("<table><tr><th>field</th><th>名称</th><th>value</th><th>evidence</th></tr>")
        for k, v in fields.items():
            shown = evidence.get(k)
            unit = shown.evidence.unit if shown is not None else None
            value = _money(v) if unit and unit.endswith("元") else _e(v)
            anchor = f"doc-{n}-{_e(k)}"
            src = (
                (
                    f"<span class='pill'>{_e(shown.evidence.method)}</span>"
                    f"<a href='{_e(_source_href(rec.source, shown.evidence.location.page, base))}'>"
                    f"{_where(shown.evidence.location.as_dict())}</a> · “{_e(shown.evidence.text)[:80]}”"
                )
                if shown is not None
                else ""
            )
            out.append(
                f"<tr id='{anchor}'><td><a href='#{anchor}'><code>{_e(k)}</code></a></td>"
                f"<td>{_e(names.get(k, ''))}</td>"
                f"<td class='num'>{value}</td><td>{src}</td></tr>"
            )
        out.append("</table>")
    missing = [f for f in core_fields if f not in fields]
    if missing and not rec.failed:
        out.append("<p>Missing: " + " ".join(f"<span class='pill'>{_e(f)}</span>" for f in missing) + "</p>")
    failed = [c for c in checks if c.status == FAIL]
    if failed:
        out.append(
            "<table><tr><th>failed check</th><th>expected</th><th>stated</th><th>difference</th>"
            "<th>evidence</th></tr>"
        )
        for c in failed:
            where = "<br>".join(f"{_where(loc)} “{_e(loc.get('text', ''))[:60]}”" for loc in c.locations[:3])
            out.append(
                f"<tr><td class='fail'>{_e(c.rule)}<br><span class='muted'>{_e(c.subject)}</span></td>"
                f"<td class='num'>{_e(c.expected)}</td><td class='num'>{_e(c.actual)}</td>"
                f"<td class='num'>{_e(c.difference)}</td><td>{where}</td></tr>"
            )
        out.append("</table>")
    issues = [i for i in rec.issues if i.severity != "info"]
    if issues:
        out.append(
            "<ul>"
            + "".join(f"<li><span class='pill'>{_e(i.code)}</span>{_e(i.message[:200])}</li>" for i in issues)
            + "</ul>"
        )
    out.append("</div>")
    return "".join(out)
