"""Page crops for the report: a band of a PDF page with one box highlighted.

A reviewer checks a value against the printed page, so each value's cell is shown in
its row with about two rows of context above and below. Each page is rendered once
(pypdfium2) however many of its cells are shown; crops are files named by the
document's sha256, the page and the box, so a second report renders only what is new.
"""

from __future__ import annotations

import hashlib
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageDraw

from ..common.atomic import write_bytes

log = logging.getLogger(__name__)

Box = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points, as pdfplumber gives them
SCALE = 2.0  # 144 dpi: 9-point CJK glyphs stay legible
CONTEXT = 30.0  # points above and below the box: about two table rows
WINDOW = 380.0  # points of width: the cell and, to its left, most rows' labels, legible at 500 px
HIGHLIGHT_FILL = (255, 214, 0, 90)
HIGHLIGHT_LINE = (214, 0, 40, 255)
COLORS = 32  # a palette PNG of a black-and-white table page stays a few kilobytes


def crop_name(sha256: str, page: int, box: Box) -> str:
    """The file name of one crop: stable across runs, distinct per document, page and box."""
    key = hashlib.sha256(f"{page}:{[round(v, 2) for v in box]}".encode()).hexdigest()[:10]
    return f"{sha256[:16]}-p{page}-{key}.png"


def make_crops(
    locate: Callable[[], Path | None], sha256: str, wanted: Iterable[tuple[int, Box]], folder: Path
) -> dict[tuple[int, Box], str]:
    """The crop file name of every (page, box) of the PDF, made in ``folder`` when missing.

    ``locate`` finds the PDF, and is called only when a crop is missing: a second report
    neither reads nor hashes the documents again. A PDF not at hand, or a page that cannot
    be rendered (damaged, encrypted, out of range), gets no crops: it is logged and the
    report shows the value without its picture.
    """
    by_page: dict[int, set[Box]] = defaultdict(set)
    for page, box in wanted:
        by_page[page].add(box)
    names = {(p, b): crop_name(sha256, p, b) for p, boxes in by_page.items() for b in boxes}
    todo = {p: [b for b in boxes if not (folder / names[p, b]).is_file()] for p, boxes in by_page.items()}
    todo = {p: boxes for p, boxes in todo.items() if boxes}
    pdf = locate() if todo else None
    if todo and pdf is None:
        log.info("%s: the document is not at hand, so its values have no new page crops", sha256[:12])
    elif pdf is not None:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            _render(pdf, todo, sha256, folder)
        except (pdfium.PdfiumError, OSError, ValueError) as exc:
            log.warning("%s: no page crops: %s", pdf, exc)
    return {key: name for key, name in names.items() if (folder / name).is_file()}


def _render(pdf: Path, todo: dict[int, list[Box]], sha256: str, folder: Path) -> None:
    document = pdfium.PdfDocument(pdf)
    try:
        for page_no, boxes in sorted(todo.items()):
            if not 1 <= page_no <= len(document):
                log.warning("%s: page %d is not in the document", pdf, page_no)
                continue
            page = document[page_no - 1]
            image = page.render(scale=SCALE).to_pil().convert("RGBA")
            page.close()
            for box in boxes:
                write_bytes(folder / crop_name(sha256, page_no, box), _crop(image, box))
    finally:
        document.close()


def _window(page: Image.Image, box: Box) -> tuple[int, int, int, int]:
    """The part of the page shown: the box, what lies left of it (the row's label) and two rows."""
    x0, top, x1, bottom = (v * SCALE for v in box)
    width = max(WINDOW * SCALE, x1 - x0 + 40 * SCALE)
    right = min(page.width, x1 + 20 * SCALE)
    left = max(0, right - width)
    right = min(page.width, left + width)
    upper = max(0, top - CONTEXT * SCALE)
    lower = min(page.height, bottom + CONTEXT * SCALE)
    return int(left), int(upper), max(int(right), int(left) + 1), max(int(lower), int(upper) + 1)


def _crop(page: Image.Image, box: Box) -> bytes:
    x0, top, x1, bottom = (v * SCALE for v in box)
    left, upper, right, lower = _window(page, box)
    band = page.crop((left, upper, right, lower))
    overlay = Image.new("RGBA", band.size, (0, 0, 0, 0))
    ImageDraw.Draw(overlay).rectangle(
        (x0 - left - 3, top - upper - 3, x1 - left + 3, bottom - upper + 3),
        fill=HIGHLIGHT_FILL,
        outline=HIGHLIGHT_LINE,
        width=4,
    )
    marked = Image.alpha_composite(band, overlay).convert("RGB")
    buffer = io.BytesIO()
    marked.quantize(colors=COLORS).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
