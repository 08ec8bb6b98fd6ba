"""The two PDF backends give the same records: PDFium (the default) and pdfplumber (pdfminer).

Every PDF of the bundled corpus (the annotated ones and the regression documents), and real
pages turned by /Rotate 90, 180 and 270 or with a MediaBox off the origin (made here with
pypdf), must give the same record with either backend: the same fields, facts, tables,
line items and issues, with every box within 1 pt.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest

from disclosure_extract import Patterns
from disclosure_extract.pipeline import extract_data

from .conftest import CORPUS, DOCS, as_record

PDFS = sorted(DOCS.glob("*.pdf")) + sorted((CORPUS / "regress").glob("*.pdf"))
# Cell and value evidence may differ this much (points) between the parsers.
BOX_TOLERANCE = 1.0


def _differences(a: Any, b: Any, path: str = "") -> list[str]:
    """Where two records differ, a box coordinate counting only beyond BOX_TOLERANCE."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return [f"{path}: keys {sorted(set(a) ^ set(b))}"]
        return [d for k in a for d in _differences(a[k], b[k], f"{path}/{k}")]
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} against {len(b)} items"]
        return [
            d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")
        ]
    if "bbox" in path and isinstance(a, Decimal | int) and isinstance(b, Decimal | int):
        return [f"{path}: {a} against {b}"] if abs(a - b) > BOX_TOLERANCE else []
    return [] if a == b else [f"{path}: {str(a)[:80]!r} against {str(b)[:80]!r}"]


def _both(data: bytes, source: str, patterns: Patterns) -> tuple[dict[str, Any], dict[str, Any]]:
    return (
        as_record(extract_data(data, source, patterns, "pdfplumber")),
        as_record(extract_data(data, source, patterns, "pdfium")),
    )


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.name)
def test_the_backends_give_the_same_record(path: Path, patterns: Patterns) -> None:
    plumber, pdfium = _both(path.read_bytes(), str(path), patterns)
    assert plumber["status"] == "ok"
    assert _differences(plumber, pdfium) == []


@pytest.mark.parametrize("turn", [90, 180, 270])
def test_turned_pages_read_alike(turn: int, tmp_path: Path, patterns: Patterns) -> None:
    reader = pypdf.PdfReader(DOCS / "2024_final_shanghai_putuo_caizhengju.pdf")
    writer = pypdf.PdfWriter()
    for number in (7, 8):  # two pages of ruled tables
        writer.add_page(reader.pages[number - 1].rotate(turn))
    turned = tmp_path / f"turned_{turn}.pdf"
    writer.write(turned)
    plumber, pdfium = _both(turned.read_bytes(), str(turned), patterns)
    assert len(plumber["tables"]) >= 2
    assert _differences(plumber, pdfium) == []


def test_a_mediabox_off_the_origin_reads_alike(tmp_path: Path, patterns: Patterns) -> None:
    reader = pypdf.PdfReader(DOCS / "2024_final_shanghai_putuo_caizhengju.pdf")
    page = reader.pages[6]
    page.mediabox = pypdf.generic.RectangleObject([-20, -30, 575, 812])
    writer = pypdf.PdfWriter()
    writer.add_page(page)
    shifted = tmp_path / "shifted.pdf"
    writer.write(shifted)
    plumber, pdfium = _both(shifted.read_bytes(), str(shifted), patterns)
    assert plumber["tables"]
    assert _differences(plumber, pdfium) == []


def test_a_pdf_pdfium_refuses_is_read_by_pdfminer(patterns: Patterns) -> None:
    # PDFium refuses a PDF whose page tree holds no page; pdfminer opens it and finds it empty
    path = CORPUS / "bad" / "zero_pages.pdf"
    record = as_record(extract_data(path.read_bytes(), str(path), patterns, "pdfium"))
    assert [i["code"] for i in record["issues"]] == ["empty_document"]
    real = DOCS / "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf"
    ok = as_record(extract_data(real.read_bytes(), str(real), patterns, "pdfium"))
    assert "pdf_parser_fallback" not in [i["code"] for i in ok["issues"]]
