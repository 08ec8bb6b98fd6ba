"""Checks across the documents of one dataset.

- the same bytes published under two sources (URLs or files) are flagged, never merged;
- a document whose title says 更正 (correction) is linked to the documents it corrects;
- a previous-year figure stated in year N's document against year N−1's own document;
- a final account's budgeted 三公 total (sangong.total_prev) against that year's budget;
- a classification code printed under a name other than the one most documents of that
  year print it under: the dataset's consensus, since no official code list is bundled
  (names change between years: 20805 行政事业单位离退休 became 行政事业单位养老支出).
Departments are matched by name without a leading 中共 (Jiangsu publishes both forms) or
共青团 (the region prefix forms of patterns/meta.yml).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

import regex

from ..common.text import department_key
from ..model import (
    FAIL,
    PASS,
    REQUIRED_STATUSES,
    CheckResult,
    Fact,
    LineItem,
    RequiredItem,
    Result,
    rounding_tolerance,
)
from ..patterns import Patterns
from .rules import _num, _result, _stated, _where

Key = tuple[str, int | None, str | None]
# a final account's budgeted 三公 total, and the budget's own
_BUDGETED_TOTAL, _BUDGET_TOTAL = "sangong.total_prev", "sangong.total"


def _key(record: Result, patterns: Patterns) -> Key:
    """The department's key (patterns/meta.yml department_key), year and kind."""
    meta = record.meta
    return department_key(meta.department, meta.region, patterns)[0] or "", meta.year, meta.kind


def dataset_summary(record: Result, patterns: Patterns) -> Result:
    """What the checks across documents read of a document: its source, sha256 and meta, the
    stated facts of the fields they compare, its line items' codes and names, and its
    completeness (a batch keeps this much per document)."""
    wanted = {*patterns.previous, *patterns.previous.values(), _BUDGETED_TOTAL, _BUDGET_TOTAL}
    stated = [f for f in _stated(record).values() if f.field_id in wanted]
    return Result(
        source=record.source,
        sha256=record.sha256,
        format=record.format,
        meta=record.meta,
        fields={f.field_id: record.fields[f.field_id] for f in stated},
        facts=stated,
        issues=[i for i in record.issues if i.severity == "error"],
        # codes and names only, for the names' consensus: their amounts are not needed
        line_items=[
            LineItem(i.table, i.row, i.kind, i.code, None, i.name, i.location)
            for i in record.line_items
            if i.name
        ],
        completeness=record.completeness,
    )


def check_dataset(records: list[Result], patterns: Patterns) -> Iterator[CheckResult]:
    """The checks across documents, rule by rule, over the documents that extracted, one at a
    time (documents repeated under one key make many: they are not held)."""
    ok = [r for r in records if not r.failed]
    by_key: dict[Key, list[Result]] = defaultdict(list)
    for r in ok:
        by_key[_key(r, patterns)].append(r)
    correction = patterns.correction
    assert correction is not None  # load_patterns always reads it
    yield from _duplicates(ok)
    yield from _corrections(ok, by_key, correction, patterns)
    yield from _previous_years(ok, by_key, patterns)
    yield from _budgeted_against_budget(ok, by_key, patterns)
    yield from _code_names(ok)
    yield from _disclosures(by_key)


# A template item's statuses, best first: the status of a disclosure published as several
# files is the best any of them has.
_STATUS_RANK = {status: n for n, status in enumerate(REQUIRED_STATUSES)}


def _disclosures(by_key: dict[Key, list[Result]]) -> Iterator[CheckResult]:
    """A disclosure published as several files (a 说明 and its tables; a page and its
    attachments) held to its template as a whole: each item as found in any of its files."""
    for (department, year, kind), records in by_key.items():
        held = [r for r in records if r.completeness is not None]
        templates = {r.completeness.template for r in held if r.completeness is not None}
        if not department or len(held) < 2 or len(templates) != 1:
            continue
        best: dict[str, RequiredItem] = {}
        for r in held:
            assert r.completeness is not None
            for item in r.completeness.items:
                if item.group == "table" and (
                    item.item not in best or _STATUS_RANK[item.status] < _STATUS_RANK[best[item.item].status]
                ):
                    best[item.item] = item
        missing = [i.title for i in best.values() if i.required and i.status == "missing"]
        sources = [r.source for r in held]
        first = held[0]
        yield CheckResult(
            first.source,
            first.sha256,
            "required_tables_disclosure",
            FAIL if missing else PASS,
            f"{department} {year} {kind}, published as {len(held)} files: "
            + (
                f"missing in all of them: {', '.join(missing)}"
                if missing
                else "every required table in one of them"
            ),
            subject=f"{department} {year} {kind}",
            locations=[{"source": s} for s in sources],
        )


# A name is the consensus when at least this many documents of the year print it, and more
# than half of those printing the code.
MIN_CONSENSUS_DOCUMENTS = 2
_NAME_NOISE = regex.compile(r"[\s\p{P}]+")


def _code_names(ok: list[Result]) -> Iterator[CheckResult]:
    """A code printed under a name other than the one most documents of its year give it."""
    printed: list[tuple[Result, dict[tuple[str, str, int | None], tuple[str, LineItem]]]] = []
    votes: dict[tuple[str, str, int | None], Counter[str]] = defaultdict(Counter)
    for r in ok:
        names = {(i.kind, i.code, r.meta.year): (_NAME_NOISE.sub("", i.name), i) for i in r.line_items}
        for key, (name, _) in names.items():
            votes[key][name] += 1
        printed.append((r, names))
    for r, names in printed:
        for key, (name, item) in names.items():
            consensus, count = votes[key].most_common(1)[0]
            total = sum(votes[key].values())
            if name in consensus or consensus in name:
                continue  # the same name, or one a part of the other (行政运行 / 行政运行（人大）)
            if count < MIN_CONSENSUS_DOCUMENTS or 2 * count <= total:
                continue
            kind, code, year = key
            yield CheckResult(
                r.source,
                r.sha256,
                "code_name_consensus",
                FAIL,
                f"{kind} code {code} is printed as {item.name}; {count} of the {total} documents of "
                f"{year} printing it name it {consensus} (the dataset's consensus, not an official list)",
                subject=f"{kind} {code}",
                locations=[item.location.as_dict()],
            )


def _duplicates(ok: list[Result]) -> Iterator[CheckResult]:
    """The same bytes under two sources: flagged on each, never merged."""
    by_sha: dict[str | None, list[Result]] = defaultdict(list)
    for r in ok:
        by_sha[r.sha256].append(r)
    return (
        CheckResult(
            r.source,
            r.sha256,
            "duplicate_content",
            FAIL,
            "the same bytes are published under another source too",
            subject="sha256",
            locations=[{"source": o.source} for o in same if o is not r],
        )
        for same in by_sha.values()
        if len(same) > 1
        for r in same
    )


def _corrections(
    ok: list[Result],
    by_key: dict[Key, list[Result]],
    correction: regex.Pattern[str],
    patterns: Patterns,
) -> Iterator[CheckResult]:
    """A 更正 is linked to the documents of the same department, year and kind it corrects."""
    for r in ok:
        if not correction.search(f"{r.meta.title or ''} {r.source}"):
            continue
        same_key = by_key[_key(r, patterns)]
        originals = [o.source for o in same_key if o is not r and not correction.search(o.source)]
        yield (
            CheckResult(
                r.source,
                r.sha256,
                "correction",
                FAIL if originals else PASS,
                "a correction (更正): the documents it corrects are kept beside it",
                subject="更正",
                locations=[{"source": s} for s in originals],
            )
        )


def _previous_years(
    ok: list[Result], by_key: dict[Key, list[Result]], patterns: Patterns
) -> Iterator[CheckResult]:
    """Year N's previous-year figure against year N−1's own document."""
    previous_pairs = tuple((prev, own) for own, prev in patterns.previous.items())
    for r in ok:
        department, year, kind = _key(r, patterns)
        if not department or year is None:
            continue
        stated = _stated(r)
        earlier = [o for o in by_key.get((department, year - 1, kind), []) if o is not r]
        for prev_field, own_field in previous_pairs:
            if prev_field not in stated:
                continue
            for o in earlier:
                other = _stated(o).get(own_field)
                if other is not None:
                    yield (
                        _compare(
                            r,
                            "previous_year_matches",
                            "a previous-year figure equals that year's own document",
                            facts=(other, stated[prev_field]),
                            other=o,
                        )
                    )


def _budgeted_against_budget(
    ok: list[Result], by_key: dict[Key, list[Result]], patterns: Patterns
) -> Iterator[CheckResult]:
    """A final account's budgeted 三公 total against that year's budget."""
    for r in ok:
        department, year, kind = _key(r, patterns)
        stated = _stated(r)
        if kind != "final_accounts" or _BUDGETED_TOTAL not in stated:
            continue
        for o in by_key.get((department, year, "budget"), []):
            budget = _stated(o).get(_BUDGET_TOTAL)
            if budget is not None:
                yield (
                    _compare(
                        r,
                        "final_budgeted_matches_budget",
                        "a final account's budgeted 三公 total equals the budget",
                        facts=(budget, stated[_BUDGETED_TOTAL]),
                        other=o,
                    )
                )


def _compare(
    record: Result, rule: str, description: str, *, facts: tuple[Fact, Fact], other: Result
) -> CheckResult:
    """The second fact (this document's) against the first (the other document's)."""
    expected_fact, actual_fact = facts
    return _result(
        record,
        rule,
        description,
        subject=actual_fact.field_id,
        expected=_num(expected_fact.value),
        actual=_num(actual_fact.value),
        tolerance=rounding_tolerance([expected_fact, actual_fact]),
        locations=[_where(actual_fact), {"source": other.source, **_where(expected_fact)}],
    )
