"""Shared fixtures: the bundled corpus and the pattern vocabulary."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from disclosure_extract import Patterns, Result, load_patterns
from disclosure_extract.pipeline import extract_data
from disclosure_extract.write import dumps, result_record

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DOCS = CORPUS / "docs"
BAD = CORPUS / "bad"
SEED = DOCS / "2017_budget_hebei_shanhaiguan_zonggonghui.txt"
# the quick documents, for tests of the command line rather than of extraction
TEXT_HTML = [
    DOCS / name
    for name in (
        "2017_budget_hebei_shanhaiguan_zonggonghui.txt",
        "pingtan_2014_final_jianchayuan.html",
        "pingtan_2014_final_shuiliju.html",
        "pingtan_2016_budget_guanweihuibangongshi.html",
        "pingtan_2017_budget_renda.html",
    )
]


@pytest.fixture(scope="session")
def patterns() -> Patterns:
    return load_patterns()


def as_record(result: Result) -> dict[str, Any]:
    """A result as its documents.jsonl object reads back (money exact), for exact-value tests."""
    return json.loads(dumps(result_record(result)), parse_float=Decimal)  # type: ignore[no-any-return]


def extract_record(path: Path, patterns: Patterns) -> dict[str, Any]:
    return as_record(extract_data(path.read_bytes(), str(path), patterns))


@pytest.fixture(scope="session")
def results(patterns: Patterns) -> dict[str, Result]:
    """The typed result of every bundled document, by file name (extracted once)."""
    return {p.name: extract_data(p.read_bytes(), str(p), patterns) for p in sorted(DOCS.iterdir())}


@pytest.fixture(scope="session")
def extracted(results: dict[str, Result]) -> dict[str, dict[str, Any]]:
    """The same as documents.jsonl objects, by file name."""
    return {name: as_record(result) for name, result in results.items()}


@pytest.fixture(scope="session")
def corpus_output(results: dict[str, Result], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus's documents.jsonl, written as `extract` writes it."""
    from disclosure_extract.pipeline import write_outputs

    out = tmp_path_factory.mktemp("corpus_out")
    write_outputs(out, [results[name] for name in sorted(results)])
    return out
