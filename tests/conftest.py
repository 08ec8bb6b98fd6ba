"""Shared fixtures: the bundled corpus and the pattern vocabulary."""

from __future__ import annotations

from pathlib import Path

import pytest

from disclosure_extract import Patterns, load_patterns
from disclosure_extract.pipeline import extract_data

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DOCS = CORPUS / "docs"
BAD = CORPUS / "bad"
SEED = DOCS / "2017_budget_hebei_shanhaiguan_zonggonghui.txt"


@pytest.fixture(scope="session")
def patterns() -> Patterns:
    return load_patterns()


@pytest.fixture(scope="session")
def extracted(patterns: Patterns) -> dict[str, dict]:
    """documents.jsonl-style records of every bundled document, by file name."""
    return {p.name: extract_data(p.read_bytes(), str(p), patterns) for p in sorted(DOCS.iterdir())}
