"""PDF disclosures, read with pdfplumber into the same document model as text and HTML.

Per page: tables are found from ruling lines (drawn lines or thin rectangles); each
table's cell rectangles are placed on the grid of their distinct edges, so a merged cell
becomes one cell with a rowspan/colspan instead of holes or copies. Characters are
assigned to cells by their centre in one pass. Text outside tables becomes lines, then
paragraphs (a line that fills the column and does not end a sentence continues on the
next). Pages carrying /Rotate are read upright (pdfplumber applies the rotation).

Across pages: a table that starts a page with no title above it and has the same
columns as the table that ended the previous page continues it; a repeated header is
dropped. Pages whose text layer is missing or unreadable are reported by number.
"""

from __future__ import annotations

import bisect
import contextlib
import io
import logging
from dataclasses import dataclass, field, replace
from typing import Any, NoReturn

import pdfplumber
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import regex
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.psparser import PSException
from pdfplumber.utils.exceptions import PdfminerException

from ..common.text import clean_inline
from ..errors import (
    DamagedPdfError,
    EmptyDocumentError,
    EncryptedPdfError,
    LoadError,
    NoTextLayerError,
    TooComplexError,
    TruncatedPdfError,
)
from ..model import Block, Cell, Document, Issue, Item, Location
from ..patterns import Patterns
from .ocr import OcrPage, ocr_available, ocr_page
from .pdfium import PdfiumPage, open_pdfium, paper_white
from .pdflines import Line, find_aligned_tables, ocr_confidence, text_lines
from .ruled import find_ruled_tables
from .tables import CAPTION_LINES, finish_table, is_preamble_cell, split_at_titles, title_rows
from .textclean import make_block, outline_number

log = logging.getLogger("disclosure_extract")

# The PDF parsers: PDFium (pypdfium2) several times faster than pdfminer (pdfplumber), with
# the same tables (tests/test_pdf_backends.py); pdfplumber stays available (--pdf-backend).
PDF_BACKENDS = ("pdfium", "pdfplumber")
DEFAULT_PDF_BACKEND = "pdfium"
TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    # exporters draw one ruling as two rects a fraction of a point apart
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
# Scanned pages: the table finder takes the rulings OCR saw in the image.
EXPLICIT = {"vertical_strategy": "explicit", "horizontal_strategy": "explicit"}
# The page issues that send a page to OCR when the extra is installed.
OCR_CODES = ("no_text_layer", "unreadable_text_layer")
OCR_HINT = "OCR reads such pages when the extra is installed: pip install 'disclosure-extract[ocr]'"
# Edges of cell rectangles closer than this (points) are one grid line.
GRID_TOLERANCE = 2.0
# A line whose right edge stops this far (in character widths) short of the text column's
# right edge ends its paragraph: it was not wrapped.
SHORT_LINE_CHARS = 2.0
# Full lines end at this percentile of line ends; hanging punctuation pokes past it.
RIGHT_EDGE_PERCENTILE = 0.8
# A vertical gap larger than this many line heights separates paragraphs.
PARAGRAPH_GAP = 1.6
# A complete PDF ends with %%EOF within its last bytes (some writers append a little after it).
TRAILER_BYTES = 2048
# Column edges of a table continued on the next page may be off by this much (points).
STITCH_TOLERANCE = 6.0
# A ruled table within this distance (points) of another's box on every side lies inside it.
NESTED_TOLERANCE = 1.0
# A continuation page repeats at most this many header rows.
MAX_REPEATED_HEADER_ROWS = 4
# A running head is among the first this many lines of a page.
RUNNING_HEAD_LINES = 2
# A line holding only a page number (near the page's top or bottom edge, or below all else
# on its lower half) is furniture, not content.
PAGE_NUMBER_RE = regex.compile(
    r"^[-—－\s]*(?:第\s*)?\d{1,4}(?:\s*页)?(?:\s*/\s*(?:共\s*)?\d{1,4}\s*页?)?[-—－\s]*$"
)
# A page whose text is more than this share of (cid:N) codes or replacement characters
# has an unreadable text layer (fonts without a Unicode map).
MAX_GARBLED_SHARE = 0.2
_CID_RE = regex.compile(r"\(cid:\d+\)")
_SENTENCE_END = ("。", "：", ":", "；", ";", "！", "？", "!", "?")


@dataclass
class _PageTable:
    cells: list[Cell]
    bbox: tuple[float, float, float, float]
    caption: list[str] = field(default_factory=list)
    starts_page: bool = False  # nothing but page furniture above it on its page


def load_pdf(
    data: bytes, source: str, sha256: str, patterns: Patterns, backend: str = DEFAULT_PDF_BACKEND
) -> Document:
    """The PDF's pages read with ``backend`` (``pdfium``: PDFium's parser, several times
    faster; ``pdfplumber``: pdfminer's) into the document model: the same model either way."""
    reader, fallback = _reader(data, source, backend)
    ocr = _PageOcr(data) if ocr_available() else None
    page_errors: tuple[type[Exception], ...] = (
        *reader.page_errors,
        ValueError,
        KeyError,
        TypeError,
        AssertionError,
    )
    with reader:
        stitcher = _Stitcher(patterns)
        for number in range(1, reader.pages + 1):
            try:
                page = reader.page(number - 1)
                try:
                    page_items, page_issues = _read_page(page, number, patterns, ocr)
                finally:
                    page.flush_cache()  # keeps memory flat in the number of pages
            except page_errors as exc:
                stitcher.issues.append(
                    Issue(
                        "page_unreadable",
                        "warning",
                        f"page {number} could not be read: {exc}",
                        Location(page=number),
                    )
                )
                continue
            stitcher.issues.extend(page_issues)
            stitcher.add_page(page_items, number)
        if ocr is not None:
            ocr.close()
        items, issues = stitcher.finish()
        metadata = reader.metadata()
        title = _title(items, metadata, patterns)
        properties = {k: str(v) for k, v in metadata.items() if isinstance(v, (str, int))}
        n_pages = reader.pages
    if not items:
        unreadable = [i.location.page for i in issues if i.location is not None and i.location.page]
        pages_text = f" (pages {', '.join(map(str, unreadable))})" if unreadable else ""
        raise NoTextLayerError(
            source,
            f"no page has a readable text layer{pages_text}: "
            + (
                "OCR found no text in them"
                if ocr is not None
                else f"a scanned or image-only PDF needs OCR ({OCR_HINT})"
            ),
        )
    doc = Document(
        source=source,
        sha256=sha256,
        format="pdf",
        items=items,
        title=title,
        properties=properties,
        pages=n_pages,
    )
    doc.issues.extend(issues)
    if fallback is not None:
        doc.issues.append(fallback)
    return doc


def _reader(data: bytes, source: str, backend: str) -> tuple[_PlumberReader | _PdfiumReader, Issue | None]:
    """The PDF opened with ``backend``; a file PDFium refuses as damaged goes to pdfminer, which
    reads some of them (a PDF with no pages at all …) and says better why it cannot."""
    if backend != "pdfium":
        return _PlumberReader(data, source), None
    try:
        return _PdfiumReader(data, source), None
    except (DamagedPdfError, TruncatedPdfError) as exc:
        reader = _PlumberReader(data, source)
        note = Issue("pdf_parser_fallback", "info", f"{exc.message}; read with pdfminer instead")
        return reader, note


class _PlumberReader:
    """The PDF through pdfplumber (pdfminer): its pages, their errors, its metadata."""

    page_errors: tuple[type[Exception], ...] = (PdfminerException, PSException)

    def __init__(self, data: bytes, source: str) -> None:
        _refuse_reference_cycles(data, source)
        self.pdf = _open(data, source)
        try:
            self._pages = _pages(self.pdf, data, source)
        except BaseException:
            # pdfplumber's close() walks the page tree again: its error would replace ours
            with contextlib.suppress(Exception):
                self.pdf.close()
            raise
        self.pages = len(self._pages)

    def __enter__(self) -> _PlumberReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pdf.close()

    def page(self, index: int) -> Any:
        page = self._pages[index]
        shapes = [s for s in (*page.rects, *page.curves, *page.lines) if s.get("fill") or s.get("stroke")]
        # as PDFium's reader: where the page draws nothing but white boxes, they rule nothing
        if shapes and all(_white_only(s) for s in shapes):
            return page.filter(
                lambda obj: not (obj.get("object_type") in ("rect", "curve") and _white_only(obj))
            )
        return page

    def metadata(self) -> dict[str, Any]:
        return dict(self.pdf.metadata or {})


class _PdfiumReader:
    """The PDF through PDFium: its pages (read into pdfplumber's page model), their errors,
    its metadata."""

    page_errors: tuple[type[Exception], ...] = (pdfium.PdfiumError,)

    def __init__(self, data: bytes, source: str) -> None:
        try:
            self.pdf = open_pdfium(data)
        except pdfium.PdfiumError as exc:
            raise _pdfium_error(exc, data, source) from exc
        self.pages = len(self.pdf)
        if not self.pages:
            self.pdf.close()
            _no_pages(data, source)

    def __enter__(self) -> _PdfiumReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pdf.close()

    def page(self, index: int) -> PdfiumPage:
        return PdfiumPage(self.pdf, index)

    def metadata(self) -> dict[str, Any]:
        return {k: v for k, v in self.pdf.get_metadata_dict().items() if v}


def _pdfium_error(exc: pdfium.PdfiumError, data: bytes, source: str) -> LoadError:
    # PDFium's error code is process-wide and not always reset: an earlier encrypted file's
    # code can come with a later failure, so the file must say it is encrypted too
    if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY) and b"/Encrypt" in data:
        return EncryptedPdfError(source, "the PDF is encrypted and cannot be read without its password")
    if b"%%EOF" not in data[-TRAILER_BYTES:]:
        return TruncatedPdfError(
            source, "the PDF is truncated: its end (%%EOF, cross-reference table) is missing"
        )
    return DamagedPdfError(source, f"the PDF is damaged: PDFium: {exc}")


# an object whose whole body is a reference to another object ("4 0 obj 5 0 R endobj")
_REFERENCE_OBJECT = regex.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\s*(\d+)\s+(\d+)\s+R\s*endobj")


def _refuse_reference_cycles(data: bytes, source: str) -> None:
    """Objects that are references round a cycle (4 → 4, or 4 → 5 → 4): pdfminer follows
    such a chain forever, so the file is refused as damaged before it is opened."""
    refers = {(int(m[1]), int(m[2])): (int(m[3]), int(m[4])) for m in _REFERENCE_OBJECT.finditer(data)}
    for start, target in refers.items():
        seen = {start}
        at = target
        while at in refers:
            if at in seen:
                raise DamagedPdfError(
                    source, f"the PDF is damaged: object {start[0]} refers to itself through references"
                )
            seen.add(at)
            at = refers[at]


def _open(data: bytes, source: str) -> Any:
    """The opened PDF; encryption and damage as their own errors."""
    try:
        return pdfplumber.open(io.BytesIO(data))
    except PdfminerException as exc:
        raise _wrap(exc, source) from exc
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise EncryptedPdfError(
            source, "the PDF is encrypted and cannot be read without its password"
        ) from exc
    except (PSException, ValueError, KeyError, TypeError) as exc:
        raise DamagedPdfError(source, f"the PDF is damaged: {type(exc).__name__}: {exc}") from exc


def _pages(pdf: Any, data: bytes, source: str) -> list[Any]:
    """The PDF's pages; a broken page tree, a missing end or no page as their own errors."""
    try:
        pages: list[Any] = pdf.pages
    except (PdfminerException, PSException, ValueError, KeyError, TypeError) as exc:
        if isinstance(exc.__context__, RecursionError):  # pdfplumber wraps it
            raise TooComplexError(source, "the PDF's page tree is nested too deep to follow") from exc
        raise DamagedPdfError(source, f"the PDF's page tree cannot be read: {exc}") from exc
    if not pages:
        _no_pages(data, source)
    return pages


def _no_pages(data: bytes, source: str) -> NoReturn:
    if b"%%EOF" not in data[-TRAILER_BYTES:]:
        raise TruncatedPdfError(
            source, "the PDF is truncated: its end (%%EOF, cross-reference table) is missing"
        )
    raise EmptyDocumentError(source, "the PDF has no pages")


class _Stitcher:
    """Pages' items in order, a table continued at the top of the next page joined to its start."""

    def __init__(self, patterns: Patterns) -> None:
        self.patterns = patterns
        self.items: list[Item] = []
        self.issues: list[Issue] = []
        self.pending: _PageTable | None = None  # the table that ended the previous page
        self.pending_page = 0
        # the lines that open the pages read so far: a line opening page after page is a
        # running head ("无锡市教育局2026年度部门预算公开"), furniture like a page number
        self.page_heads: set[str] = set()

    def _emit(self) -> None:
        if self.pending is not None:
            _emit_table(self.items, self.pending, self.pending_page, self.patterns)
            self.pending = None

    def add_page(self, page_items: list[Any], number: int) -> None:
        heads = [item.text for item in page_items[:RUNNING_HEAD_LINES] if isinstance(item, Block)]
        page_items = self._without_running_title(page_items)
        self.page_heads.update(heads)
        for item in page_items:
            if not isinstance(item, _PageTable):
                self._emit()
                self.items.append(item)
            elif self.pending is not None and item.starts_page and _continues(self.pending, item):
                _append(self.pending, item)
            elif (
                self.pending is not None
                and item.starts_page
                and (parts := _continued_head(self.pending, item, self.patterns))
            ):
                # the page's grid holds the last rows of the previous page's table, then the
                # next table under its title (Excel draws them as one grid): the rows join
                # their table, the rest is a table of its own
                head, rest = parts
                _append(self.pending, head)
                self._emit()
                self.pending, self.pending_page = rest, number
            else:
                self._emit()
                self.pending, self.pending_page = item, number
        # a table followed by text on its page cannot continue on the next
        if page_items and not isinstance(page_items[-1], _PageTable):
            self._emit()

    def _without_running_title(self, page_items: list[Any]) -> list[Any]:
        """A page that opens with the caption of the table ending the previous page, then a
        table, repeats that caption as a running title (a 支出总表 of 15 pages prints
        "表3 支出总表 部门名称：… 单位：万元" on each): the table may continue the previous
        page's, and the repeated caption is not text of its own."""
        pending = self.pending
        first = next((i for i, item in enumerate(page_items) if isinstance(item, _PageTable)), None)
        if pending is None or first is None:
            return page_items
        table = page_items[first]
        before = page_items[:first]
        if not before or not all(isinstance(item, Block) for item in before):
            return page_items
        # the first page's caption may open with the section heading above the table
        repeated = (
            bool(pending.caption)
            and table.caption == pending.caption[-len(table.caption) :]
            and len(before) == len(table.caption)
        )
        # or the page opens with the running head every page prints (not a 单位：万元 line
        # or a title: those head each new table alike)
        running = all(
            item.text in self.page_heads and not is_preamble_cell(item.text, self.patterns) for item in before
        )
        if not (repeated or running):
            return page_items
        table.starts_page = True
        return page_items[first:]

    def finish(self) -> tuple[list[Item], list[Issue]]:
        self._emit()
        return self.items, self.issues


def _wrap(exc: PdfminerException, source: str) -> LoadError:
    inner = exc.args[0] if exc.args else exc
    if isinstance(inner, (PDFPasswordIncorrect, PDFEncryptionError)):
        return EncryptedPdfError(source, "the PDF is encrypted and cannot be read without its password")
    return DamagedPdfError(source, f"the PDF is damaged: {type(inner).__name__}: {str(inner)[:120]}")


def _title(items: list[Item], metadata: dict[str, Any] | None, patterns: Patterns) -> str:
    kinds = patterns.meta["kind"]

    def disclosure(text: str) -> bool:
        return bool(kinds["final_accounts_re"].search(text) or kinds["budget_re"].search(text))

    for item in items[:6]:
        if not isinstance(item, Block):
            continue
        short = 4 <= len(item.text) <= patterns.tables["max_caption_chars"] and not item.text.endswith(
            _SENTENCE_END
        )
        if short and disclosure(item.text):
            return item.text
    meta_title = str((metadata or {}).get("Title") or "")
    return meta_title if disclosure(meta_title) else ""


def _plumber_baseline(c: dict[str, Any]) -> float | None:
    """A pdfplumber character's baseline (top-based) where its text runs along x: its box's
    bottom raised by the descent, the box's bottom edge less the matrix's origin."""
    m = c.get("matrix")
    if not m or m[1] != 0 or m[2] != 0 or m[3] <= 0 or "y0" not in c:
        return None
    return float(c["bottom"] + c["y0"] - m[5])


def _readable_chars(page: Any, number: int) -> tuple[list[dict[str, Any]], list[Issue]]:
    """The page's visible characters, or none with the issue that says why."""
    issues: list[Issue] = []
    chars = [c for c in page.chars if c.get("text", "").strip()]
    if getattr(page, "rotation", 0) in (0, 180):
        for c in chars:
            if "baseline" not in c:  # pdfplumber's: from the text matrix, as PDFium's
                c["baseline"] = _plumber_baseline(c)
    visible = [c for c in chars if _on_page(c, page)]
    if len(visible) < len(chars):
        # text placed outside the page is not printed or shown: no reader can check a value from it
        issues.append(
            Issue(
                "off_page_text",
                "warning",
                f"page {number}: {len(chars) - len(visible)} characters lie outside the page and are ignored",
                Location(page=number),
            )
        )
    if not visible:
        if page.images:
            issues.append(
                Issue(
                    "no_text_layer",
                    "warning",
                    f"page {number} is an image with no text layer ({OCR_HINT})",
                    Location(page=number),
                )
            )
        return [], issues
    raw = "".join(c["text"] for c in visible)
    garbled = len(_CID_RE.findall(raw)) * 6 + raw.count("\ufffd")
    if garbled > MAX_GARBLED_SHARE * len(raw):
        issues.append(
            Issue(
                "unreadable_text_layer",
                "warning",
                f"page {number}: the text layer is unreadable ((cid:N) codes or replacement characters)",
                Location(page=number),
            )
        )
        return [], issues
    return visible, issues


class _PageOcr:
    """OCR of the pages with no usable text layer; the document is opened for it once."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.document: pdfium.PdfDocument | None = None

    def __call__(self, number: int) -> OcrPage:
        if self.document is None:
            self.document = pdfium.PdfDocument(self.data)
        return ocr_page(self.document, number)

    def close(self) -> None:
        if self.document is not None:
            self.document.close()


def _page_chars(
    page: Any, number: int, ocr: _PageOcr | None
) -> tuple[list[dict[str, Any]], list[Issue], dict[str, Any] | None]:
    """The page's characters, its issues and the table finder's settings: from the text
    layer, or, where it has none that can be read, from OCR with the rulings seen in the image."""
    chars, issues = _readable_chars(page, number)
    if chars or ocr is None or not any(i.code in OCR_CODES for i in issues):
        return chars, issues, TABLE_SETTINGS
    read = ocr(number)
    if not read.chars:
        found_nothing = Issue(
            "no_text_layer",
            "warning",
            f"page {number} has no text layer and OCR found no text",
            Location(page=number),
        )
        return [], [i for i in issues if i.code not in OCR_CODES] + [found_nothing], None
    note = Issue(
        "ocr",
        "info",
        f"page {number}: no usable text layer, read by OCR (mean confidence {read.confidence:.2f})",
        Location(page=number),
    )
    issues = [i for i in issues if i.code not in OCR_CODES] + [note]
    h = [e for e in read.edges if e["orientation"] == "h"]
    v = [e for e in read.edges if e["orientation"] == "v"]
    if len(h) < 2 or len(v) < 2:
        return read.chars, issues, None  # no ruled grid: tables come from text alignment only
    explicit = {"explicit_horizontal_lines": h, "explicit_vertical_lines": v}
    return read.chars, issues, {**TABLE_SETTINGS, **EXPLICIT, **explicit}


def _read_page(
    page: Any, number: int, patterns: Patterns, ocr: _PageOcr | None
) -> tuple[list[Any], list[Issue]]:
    chars, issues, settings = _page_chars(page, number, ocr)
    if not chars:
        return [], issues

    found = find_ruled_tables(page, settings) if settings is not None else []
    tables: list[_PageTable] = []
    in_table: set[int] = set()
    for cells in found:
        placed = _place_cells(cells, chars, number, in_table)
        if placed is not None:
            boxes = [c.location.bbox for c in placed if c.location.bbox]
            bbox = (
                min(b[0] for b in boxes),
                min(b[1] for b in boxes),
                max(b[2] for b in boxes),
                max(b[3] for b in boxes),
            )
            tables.append(_PageTable(cells=placed, bbox=bbox))
    tables = _without_nested(tables)
    lines = text_lines([c for i, c in enumerate(chars) if i not in in_table])
    lowest = max((t.bbox[3] for t in tables), default=0.0)
    lines = [ln for ln in lines if not _is_furniture(ln, page.height, lines, lowest)]
    # tables drawn without rulings: aligned columns of words and numbers
    for start, end, aligned in reversed(find_aligned_tables(lines)):
        tables.append(
            _PageTable(
                cells=_aligned_cells(aligned, number),
                bbox=(
                    min(ln.x0 for ln in aligned.lines),
                    aligned.lines[0].top,
                    max(ln.x1 for ln in aligned.lines),
                    aligned.lines[-1].bottom,
                ),
            )
        )
        del lines[start:end]

    # interleave text and tables by their top; captions are the short lines right above
    entries: list[tuple[float, Any]] = [(ln.top, ln) for ln in lines] + [(t.bbox[1], t) for t in tables]
    entries.sort(key=lambda e: e[0])
    out: list[Any] = []
    buffer: list[Line] = []
    right = _text_right_edge(lines, page.width)
    for _, entry in entries:
        if isinstance(entry, _PageTable):
            caption: list[str] = []
            while buffer and len(caption) < CAPTION_LINES and _caption_like(buffer[-1], patterns):
                caption.insert(0, clean_inline(buffer.pop().text))
            out.extend(_paragraphs(buffer, right, number, patterns))
            buffer = []
            # a table with nothing above it on its page may continue the previous page's
            entry.starts_page = not out and not caption
            # the caption lines stay text too: the department and year are often only there
            out.extend(make_block(c, Location(page=number), patterns) for c in caption)
            entry.caption = caption
            out.append(entry)
        else:
            buffer.append(entry)
    out.extend(_paragraphs(buffer, right, number, patterns))
    return out, issues


def _without_nested(tables: list[_PageTable]) -> list[_PageTable]:
    """The ruled tables that no other ruled table encloses. A cell of a form drawn with its
    own inner rulings (执行率分值（10）) is found as a small table inside the form; its
    characters are in the enclosing table's cell already, and as the page's last table it
    would stop the form from being stitched to its continuation on the next page."""

    def inside(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
        tol = NESTED_TOLERANCE
        return a[0] >= b[0] - tol and a[1] >= b[1] - tol and a[2] <= b[2] + tol and a[3] <= b[3] + tol

    def dropped(i: int) -> bool:
        # inside another table; of two enclosing each other (one grid found twice) the first stays
        t = tables[i]
        return any(
            inside(t.bbox, o.bbox) and (j < i or not inside(o.bbox, t.bbox))
            for j, o in enumerate(tables)
            if j != i
        )

    return [t for i, t in enumerate(tables) if not dropped(i)]


def _white_only(obj: dict[str, Any]) -> bool:
    """A pdfplumber shape filled in the paper's white and not stroked."""
    if obj.get("stroke") or not obj.get("fill"):
        return False
    color = obj.get("non_stroking_color")
    if isinstance(color, (int, float)):
        color = (color,)
    if (
        not isinstance(color, (tuple, list))
        or not color
        or not all(isinstance(v, (int, float)) for v in color)
    ):
        return False  # a pattern or an unknown colour space
    return paper_white(tuple(float(v) for v in color))


def _on_page(char: dict[str, Any], page: Any) -> bool:
    """Whether the character's middle lies on the page as shown (its crop box)."""
    x0, top, x1, bottom = page.bbox
    x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
    return bool(x0 <= x <= x1 and top <= y <= bottom)


def _text_right_edge(lines: list[Line], default: float) -> float:
    """Where full lines end: a high percentile, so one protruding line does not count."""
    if not lines:
        return default
    ends = sorted(ln.x1 for ln in lines)
    return ends[int(len(ends) * RIGHT_EDGE_PERCENTILE)]


def _aligned_cells(aligned: Any, page: int) -> list[Cell]:
    cells = []
    for r, (line, row) in enumerate(zip(aligned.lines, aligned.rows, strict=True)):
        for c, text in enumerate(row):
            x0, x1 = aligned.columns[c]
            where = Location(
                page=page, bbox=(x0, line.top, x1, line.bottom), ocr_confidence=line.ocr_confidence
            )
            cells.append(Cell(r, c, text, where))
    return cells


def _caption_like(line: Line, patterns: Patterns) -> bool:
    text = clean_inline(line.text)
    return 0 < len(text) <= patterns.tables["max_caption_line_chars"] and not any(
        p in text for p in "。；;，,"
    )


def _is_furniture(line: Line, page_height: float, lines: list[Line], table_bottom: float) -> bool:
    """A page number near the top or bottom edge, or below everything else on the lower half
    of its page (a footer set high, "— 13 —" at 88 % of the page)."""
    if not PAGE_NUMBER_RE.match(line.text):
        return False
    if line.top < page_height * 0.08 or line.bottom > page_height * 0.92:
        return True
    last = line.top > page_height / 2 and line.top >= table_bottom
    return last and all(other.top <= line.top for other in lines)


def _snap(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if not out or v - out[-1] > GRID_TOLERANCE:
            out.append(v)
    return out


def _index(grid: list[float], value: float) -> int:
    i = bisect.bisect_left(grid, value - GRID_TOLERANCE)
    return min(i, len(grid) - 1)


def _place_cells(
    rects: list[tuple[float, float, float, float]], chars: list[dict[str, Any]], page: int, used: set[int]
) -> list[Cell] | None:
    """Cells on the grid of their distinct edges, with spans, holding their characters."""
    # a rectangle enclosing other cells is a background or frame, not a cell
    rects = _without_frames(rects)
    if len(rects) < 2:
        return None
    xs = _snap([r[0] for r in rects] + [r[2] for r in rects])
    ys = _snap([r[1] for r in rects] + [r[3] for r in rects])
    if len(xs) < 2 or len(ys) < 2:
        return None
    cells, owner = _grid_cells(rects, xs, ys, page)
    if len(cells) < 2:
        return None
    texts: dict[int, list[dict[str, Any]]] = {}
    left, top_edge, right, bottom_edge = xs[0], ys[0], xs[-1], ys[-1]
    for i, ch in enumerate(chars):
        mx, my = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
        if not (left <= mx <= right and top_edge <= my <= bottom_edge):
            continue
        r = bisect.bisect_right(ys, my) - 1
        c = bisect.bisect_right(xs, mx) - 1
        k = owner.get((min(r, len(ys) - 2), min(c, len(xs) - 2)))
        if k is not None:
            texts.setdefault(k, []).append(ch)
            used.add(i)
    for k, cell_chars in texts.items():
        cells[k].text = clean_inline("\n".join(ln.text for ln in text_lines(cell_chars)))
        confidence = ocr_confidence(cell_chars)
        if confidence is not None:
            cells[k].location = replace(cells[k].location, ocr_confidence=confidence)
    return cells


def _grid_cells(
    rects: list[tuple[float, float, float, float]], xs: list[float], ys: list[float], page: int
) -> tuple[list[Cell], dict[tuple[int, int], int]]:
    """The rectangles as cells of the grid (spans where they cover several positions), and
    which cell owns each grid position."""
    cells: list[Cell] = []
    owner: dict[tuple[int, int], int] = {}
    for x0, top, x1, bottom in rects:
        c0, c1 = _index(xs, x0), _index(xs, x1)
        r0, r1 = _index(ys, top), _index(ys, bottom)
        if c1 <= c0 or r1 <= r0 or (r0, c0) in owner:
            continue
        location = Location(page=page, bbox=(x0, top, x1, bottom))
        cells.append(Cell(r0, c0, "", location, rowspan=r1 - r0, colspan=c1 - c0))
        for r in range(r0, r1):
            for c in range(c0, c1):
                owner.setdefault((r, c), len(cells) - 1)
    return cells, owner


def _without_frames(
    rects: list[tuple[float, float, float, float]],
) -> list[tuple[float, float, float, float]]:
    """The rectangles that enclose no other (another lies within it, GRID_TOLERANCE allowed):
    each compared only with those whose left edge lies within its own width (sorted, found by
    bisection), not with all."""
    order = sorted(rects, key=lambda r: r[0])
    lefts = [r[0] for r in order]
    t = GRID_TOLERANCE
    kept = []
    for r in rects:
        left, top, right, bottom = r[0] - t, r[1] - t, r[2] + t, r[3] + t
        lo, hi = bisect.bisect_left(lefts, left), bisect.bisect_right(lefts, right)
        # written out, not a call: this runs for every pair of neighbouring cells
        encloses = any(
            o[2] <= right and o[1] >= top and o[3] <= bottom and o is not r and o != r for o in order[lo:hi]
        )
        if not encloses:
            kept.append(r)
    return kept


def _paragraphs(lines: list[Line], right: float, page: int, patterns: Patterns) -> list[Block]:
    """Wrapped lines joined into paragraphs; outline-numbered lines start new ones."""
    blocks: list[Block] = []
    current: list[Line] = []

    def flush() -> None:
        if current:
            text = clean_inline("\n".join(ln.text for ln in current))
            if text:
                bbox = (
                    min(ln.x0 for ln in current),
                    current[0].top,
                    max(ln.x1 for ln in current),
                    current[-1].bottom,
                )
                scores = [ln.ocr_confidence for ln in current if ln.ocr_confidence is not None]
                where = Location(page=page, bbox=bbox, ocr_confidence=min(scores) if scores else None)
                blocks.append(make_block(text, where, patterns))
            current.clear()

    for line in lines:
        text = clean_inline(line.text)
        if not text:
            continue
        if current:
            prev = current[-1]
            height = max(prev.bottom - prev.top, 1.0)
            ended = clean_inline(prev.text).endswith(_SENTENCE_END)
            short = prev.x1 < right - SHORT_LINE_CHARS * prev.char_width
            gap = line.top - prev.bottom > PARAGRAPH_GAP * height
            # only real outline numbers start a paragraph ("603.14万元" continues one)
            numbered = outline_number(text, patterns) is not None
            if ended or short or gap or numbered:
                flush()
        current.append(line)
    flush()
    return blocks


def _header_texts(t: _PageTable, rows: int) -> list[tuple[int, int, str]]:
    return sorted((c.row, c.col, c.text) for c in t.cells if c.row < rows)


def _columns(t: _PageTable) -> list[float]:
    return _snap([x for c in t.cells if c.location.bbox for x in (c.location.bbox[0], c.location.bbox[2])])


def _continues(prev: _PageTable, nxt: _PageTable) -> bool:
    """No title of its own, the same right edge, and every column edge one of prev's.

    The left edge may differ: a continuation whose first column is empty often has no
    ruling there.
    """
    a, b = _columns(prev), _columns(nxt)
    if not a or not b or abs(a[-1] - b[-1]) > STITCH_TOLERANCE:
        return False
    return all(min(abs(x - y) for y in a) <= STITCH_TOLERANCE for x in b)


def _continued_head(
    prev: _PageTable, nxt: _PageTable, patterns: Patterns
) -> tuple[_PageTable, _PageTable] | None:
    """``nxt`` cut at its first title row, when the rows above it continue ``prev``."""
    rows = title_rows(nxt.cells, patterns)
    if not rows:
        return None
    cut = rows[0]
    head = _PageTable([c for c in nxt.cells if c.row < cut], nxt.bbox, starts_page=True)
    if not head.cells or not _continues(prev, head):
        return None
    rest = [c for c in nxt.cells if c.row >= cut]
    for c in head.cells:
        c.rowspan = min(c.rowspan, cut - c.row)
    for c in rest:
        c.row -= cut
    boxes = [c.location.bbox for c in rest if c.location.bbox is not None]
    top = min((b[1] for b in boxes), default=nxt.bbox[1])
    return head, _PageTable(rest, (nxt.bbox[0], top, nxt.bbox[2], nxt.bbox[3]))


def _append(prev: _PageTable, nxt: _PageTable) -> None:
    """Stitch ``nxt`` under ``prev`` on prev's columns; drop rows repeating prev's header."""
    edges = _columns(prev)

    def col(x: float) -> int:
        return min(range(len(edges)), key=lambda i: abs(edges[i] - x))

    for cell in nxt.cells:
        if cell.location.bbox is not None:
            c0, c1 = col(cell.location.bbox[0]), col(cell.location.bbox[2])
            cell.col, cell.colspan = c0, max(1, c1 - c0)
    offset = max(c.row + c.rowspan for c in prev.cells)
    skip = 0
    for k in range(1, MAX_REPEATED_HEADER_ROWS + 1):
        if _header_texts(prev, k) == _header_texts(nxt, k) and any(t for _, _, t in _header_texts(prev, k)):
            skip = k
    for cell in nxt.cells:
        if cell.row < skip:
            continue
        cell.row = cell.row - skip + offset
        prev.cells.append(cell)


def _emit_table(items: list[Item], t: _PageTable, page: int, patterns: Patterns) -> None:
    location = Location(page=page, bbox=t.bbox)
    for i, part in enumerate(split_at_titles(t.cells, patterns)):
        table = finish_table(part, location, patterns, caption=" ".join(t.caption) if i == 0 else "")
        if table is None:
            continue
        part_pages = sorted({c.location.page for c in part if c.location.page})
        if len(part_pages) > 1:
            table.pages = part_pages
        if part_pages:
            table.location = Location(page=part_pages[0], bbox=t.bbox if i == 0 else None)
        items.append(table)
