"""Checks across the documents of one dataset.

- the same bytes published under two sources (URLs or files) are flagged, never merged;
- a document whose title says 更正 (correction) is linked to the documents it corrects;
- a previous-year figure stated in year N's document against year N−1's own document;
- a final account's budgeted 三公 total (sangong.total_prev) against that year's budget.
Departments are matched by name without a leading 中共 (Jiangsu publishes both forms) or
共青团 (the region prefix forms of patterns/meta.yml).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import regex

from ..common.text import department_key
from ..model import FAIL, PASS, CheckResult, Fact, Result
from ..patterns import Patterns
from .rules import _num, _result, _stated, _tolerance, _where

Key = tuple[str, int | None, str | None]
# a final account's budgeted 三公 total, and the budget's own
_BUDGETED_TOTAL, _BUDGET_TOTAL = "sangong.total_prev", "sangong.total"


def _key(record: Result, patterns: Patterns) -> Key:
    """The department's key (patterns/meta.yml department_key), year and kind."""
    meta = record.meta
    return department_key(meta.department, patterns) or "", meta.year, meta.kind


def dataset_summary(record: Result, patterns: Patterns) -> Result:
    """What the checks across documents read of a document: its source, sha256 and meta, and
    the stated facts of the fields they compare (a batch keeps this much per document)."""
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
        tolerance=_tolerance([expected_fact, actual_fact]),
        locations=[_where(actual_fact), {"source": other.source, **_where(expected_fact)}],
    )
