"""OCR speed: pages per second of scanned PDFs, against the same pages with their text layer.

    python3 benchmarks/bench_ocr.py [PDF ...] [--dpi 200]

Each PDF (default: three annotated Jiangsu PDFs of corpus/docs) is extracted as it is
(text layer: no OCR runs) and as its scanned twin (every page a grayscale image at
--dpi, no text layer: every page is OCR'd). Prints pages, seconds and pages/s of each,
and the OCR's share of the scanned time. Needs the ocr extra. Asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disclosure_extract import load_patterns  # noqa: E402
from disclosure_extract.load import pdf as pdf_module  # noqa: E402
from disclosure_extract.load.ocr import ocr_available  # noqa: E402
from disclosure_extract.pipeline import extract_data  # noqa: E402

DEFAULT = [
    "2017_budget_jiangsu_prov_zhengxie_office_tables.pdf",
    "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf",
    "2018_budget_jiangsu_prov_shengweibangongting_text.pdf",
]


def _scan(original: Path, target: Path, dpi: int) -> int:
    document = pdfium.PdfDocument(original)
    images = [document[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(document))]
    document.close()
    images[0].save(target, "PDF", resolution=dpi, save_all=True, append_images=images[1:])
    return len(images)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pdfs", nargs="*", type=Path)
    parser.add_argument("--dpi", type=int, default=200)
    args = parser.parse_args()
    if not ocr_available():
        raise SystemExit("the ocr extra is not installed: pip install 'disclosure-extract[ocr]'")
    pdfs = args.pdfs or [ROOT / "corpus" / "docs" / name for name in DEFAULT]
    patterns = load_patterns()
    ocr_seconds = 0.0
    real = pdf_module.ocr_page

    def timed(document: object, number: int) -> object:
        nonlocal ocr_seconds
        started = time.monotonic()
        try:
            return real(document, number)  # type: ignore[arg-type]
        finally:
            ocr_seconds += time.monotonic() - started

    pdf_module.ocr_page = timed  # type: ignore[assignment]
    totals = {"text layer": [0, 0.0], "scanned": [0, 0.0]}
    with tempfile.TemporaryDirectory() as tmp:
        for original in pdfs:
            twin = Path(tmp) / original.name
            pages = _scan(original, twin, args.dpi)
            for label, path in (("text layer", original), ("scanned", twin)):
                started = time.monotonic()
                result = extract_data(path.read_bytes(), str(path), patterns)
                elapsed = time.monotonic() - started
                totals[label][0] += pages
                totals[label][1] += elapsed
                print(f"{original.name} {label}: {pages} pages, {elapsed:.1f} s, {len(result.fields)} fields")
    for label, (pages, seconds) in totals.items():
        print(f"{label}: {pages} pages in {seconds:.1f} s = {pages / seconds:.2f} pages/s")
    print(f"OCR (render + recognise + rulings): {ocr_seconds:.1f} s of the scanned time")


if __name__ == "__main__":
    main()
