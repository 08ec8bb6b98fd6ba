"""Scanned PDFs: image-only twins of annotated disclosures, read by OCR (the ``ocr`` extra).

Each twin is made here from a real annotated PDF: every page rendered to a 200 dpi
grayscale image and saved as an image-only PDF, as a print-and-scan would, with no text
layer at all. OCR must give the facts the original's truth file states.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest

from disclosure_extract import Patterns
from disclosure_extract.evaluate import evaluate
from disclosure_extract.load import ocr as ocr_module
from disclosure_extract.load import pdf as pdf_module
from disclosure_extract.load.ocr import ocr_available
from disclosure_extract.pipeline import discover, extract_data, run_batch

from .conftest import CORPUS, DOCS

# CI installs the extra (README's test command): there these tests must run, never skip.
pytestmark = pytest.mark.skipif(
    not ocr_available() and not os.environ.get("CI"),
    reason="the ocr extra is not installed: pip install -e '.[dev,ocr]'",
)
ORIGINALS = [
    "2017_budget_jiangsu_prov_zhengxie_office_tables.pdf",  # ruled tables
    "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf",  # ruled tables on /Rotate 90 pages
    "2018_budget_jiangsu_prov_shengweibangongting_text.pdf",  # prose
]
DPI = 200


def scanned_twin(original: Path, target: Path) -> Path:
    """An image-only PDF of ``original``: each page a grayscale picture, no text layer."""
    document = pdfium.PdfDocument(original)
    try:
        images = [document[i].render(scale=DPI / 72, grayscale=True).to_pil() for i in range(len(document))]
    finally:
        document.close()
    images[0].save(target, "PDF", resolution=DPI, save_all=True, append_images=images[1:])
    return target


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory, patterns: Patterns) -> Path:
    """The twins extracted into an output folder, with their truth files beside it."""
    folder = tmp_path_factory.mktemp("scans")
    twins = [scanned_twin(DOCS / name, folder / name) for name in ORIGINALS]
    out = tmp_path_factory.mktemp("out")
    summary = run_batch(discover(twins), out, patterns)
    assert summary.failed == 0
    truth = out / "truth"
    truth.mkdir()
    for path in (CORPUS / "truth").glob("*.json"):
        if json.loads(path.read_text(encoding="utf-8"))["doc"] in ORIGINALS:
            (truth / path.name).write_bytes(path.read_bytes())
    return out


def _records(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]


def test_scanned_twins_reach_the_accuracy_floor(scanned: Path) -> None:
    scores = evaluate(scanned, scanned / "truth")
    assert len(scores.documents) == 3 and all(d.found for d in scores.documents)
    assert scores.recall >= 0.9 and scores.precision >= 0.98, [d.problems for d in scores.documents]


def test_ocr_values_say_so_in_their_evidence(scanned: Path) -> None:
    record = next(r for r in _records(scanned) if r["source"].endswith(ORIGINALS[0]))
    assert record["fields"]["sangong.total"] == 6761000  # 676.10 万元, as the truth file says
    pages = len(pdfium.PdfDocument(DOCS / ORIGINALS[0]))
    assert [i["code"] for i in record["issues"]].count("ocr") == pages
    for fact in record["facts"]:
        if fact["method"] != "derived":
            assert 0.5 < fact["location"]["ocr_confidence"] <= 1.0
    facts = (scanned / "facts.csv").read_text(encoding="utf-8").splitlines()
    assert "ocr_confidence" in facts[0].split(",")


def test_ocr_never_runs_on_pages_with_a_text_layer(
    monkeypatch: pytest.MonkeyPatch, patterns: Patterns
) -> None:
    calls: list[int] = []
    real = pdf_module.ocr_page

    def counting(document: Any, number: int) -> Any:
        calls.append(number)
        return real(document, number)

    monkeypatch.setattr(pdf_module, "ocr_page", counting)
    original = DOCS / ORIGINALS[0]
    assert extract_data(original.read_bytes(), str(original), patterns).status == "ok"
    assert calls == []


def test_an_image_without_text_is_still_reported(patterns: Patterns) -> None:
    scan = CORPUS / "bad" / "image_only_scan.pdf"  # three drawn lines, no writing
    result = extract_data(scan.read_bytes(), str(scan), patterns)
    assert result.status == "failed"
    assert result.issues[0].code == "no_text_layer" and "OCR found no text" in result.issues[0].message


def test_without_the_extra_the_issue_says_how_to_enable_ocr(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, patterns: Patterns
) -> None:
    monkeypatch.setattr(pdf_module, "ocr_available", lambda: False)
    twin = scanned_twin(DOCS / ORIGINALS[0], tmp_path / "scan.pdf")
    result = extract_data(twin.read_bytes(), str(twin), patterns)
    assert result.status == "failed" and result.issues[0].code == "no_text_layer"
    assert "pip install 'disclosure-extract[ocr]'" in result.issues[0].message
    assert ocr_module.DPI == DPI
