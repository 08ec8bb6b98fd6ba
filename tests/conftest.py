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


@pytest.fixture(scope="session")
def extracted(patterns: Patterns) -> dict[str, dict]:
    """documents.jsonl-style records of every bundled document, by file name (extracted once)."""
    return {p.name: extract_data(p.read_bytes(), str(p), patterns) for p in sorted(DOCS.iterdir())}


@pytest.fixture(scope="session")
def corpus_output(extracted: dict[str, dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus's documents.jsonl, written as `extract` writes it."""
    from disclosure_extract.pipeline import write_outputs

    out = tmp_path_factory.mktemp("corpus_out")
    write_outputs(out, [extracted[name] for name in sorted(extracted)])
    return out
