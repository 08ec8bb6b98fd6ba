"""Checks: every number against the others it must agree with, in a document and across documents."""

from __future__ import annotations

from ..model import FAIL, NOT_APPLICABLE, PASS, CheckResult, Result
from ..patterns import Patterns
from .crossdoc import check_dataset, dataset_summary
from .rules import check_document

__all__ = [
    "FAIL",
    "NOT_APPLICABLE",
    "PASS",
    "CheckResult",
    "check_all",
    "check_dataset",
    "check_document",
    "dataset_summary",
]


def check_all(records: list[Result], patterns: Patterns) -> list[CheckResult]:
    """Per-document checks of every record, then the checks across them."""
    results: list[CheckResult] = []
    for record in records:
        results.extend(check_document(record, patterns))
    results.extend(check_dataset(records, patterns))
    return results
