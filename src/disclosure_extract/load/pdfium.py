"""PDF pages read with PDFium (pypdfium2) into the page model the pdfplumber reader gives.

The PDF loader (``pdf.py``) reads a page's characters, ruling edges, images and box, and
asks the page for its ruled tables. pdfplumber gets them by parsing content streams in
Python (pdfminer), which is most of the time a PDF takes; PDFium parses in C. This module
gives the same things from PDFium, in pdfplumber's coordinates (points from the page's
top-left, the page turned upright by /Rotate, relative to the MediaBox as pdfminer makes
them), so everything above it runs unchanged:

- **characters**: each with the box pdfminer gives it: from its origin, along its advance
  (PDFium's loose box), up by the font size from the font's descent. Characters PDFium
  generates (spaces and line breaks it infers) are skipped, as are blanks, as the loader
  skips them.
- **edges**: every straight segment of every painted path (in form XObjects too), as
  pdfplumber makes edges from lines, rectangles and curves: horizontal when its ends share
  y, vertical when they share x; a two-point path whose ends share neither is a vertical
  edge, as pdfplumber's ``line_to_edge`` makes it.
- **tables**: found from those edges as from pdfplumber's (``ruled.py``).
"""

from __future__ import annotations

import ctypes
import itertools
import math
from collections.abc import Iterator
from typing import Any

import pypdfium2 as pdfium
from pypdfium2 import raw

from .ruled import edge

__all__ = ["PdfiumPage", "open_pdfium"]

Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def open_pdfium(data: bytes) -> pdfium.PdfDocument:
    """The document (PdfiumError when PDFium cannot open it; ``err_code`` says why)."""
    return pdfium.PdfDocument(data)


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    """The transform m then n (PDF row-vector convention)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _page_ctm(rotation: int, box: tuple[float, float, float, float]) -> Matrix:
    """User space to pdfminer's device space: the page turned upright, MediaBox at the origin."""
    x0, y0, x1, y1 = box
    if rotation == 90:
        return (0.0, -1.0, 1.0, 0.0, -y0, x1)
    if rotation == 180:
        return (-1.0, 0.0, 0.0, -1.0, x1, y1)
    if rotation == 270:
        return (0.0, 1.0, -1.0, 0.0, y1, -x0)
    return (1.0, 0.0, 0.0, 1.0, -x0, -y0)


class _Frame:
    """pdfplumber's page frame: its bbox (the MediaBox, upright, top-based) and the mapping of a
    device-space box into it."""

    def __init__(self, rotation: int, mediabox: tuple[float, float, float, float]) -> None:
        x0, x1 = sorted((mediabox[0], mediabox[2]))
        y0, y1 = sorted((mediabox[1], mediabox[3]))
        self.ctm = _page_ctm(rotation, (x0, y0, x1, y1))
        n = (y0, x0, y1, x1) if rotation in (90, 270) else (x0, y0, x1, y1)
        mb_height = n[3] - n[1]
        self.bbox = (n[0], mb_height - n[3], n[2], mb_height - n[1])
        self.height = self.bbox[3] - self.bbox[1]
        self.upright = rotation in (0, 180)  # text along x stays along x
        self.width = self.bbox[2] - self.bbox[0]
        self.mb_x0, self.mb_top = self.bbox[0], self.bbox[1]

    def rect(self, xa: float, ya: float, xb: float, yb: float) -> tuple[float, float, float, float]:
        """(x0, top, x1, bottom) of the user-space rectangle with corners (xa, ya) and (xb, yb),
        sides along the axes (the page turns by quarter turns, so they stay along them)."""
        a, b, c, d, e, f = self.ctm
        dxa, dxb = a * xa + c * ya + e, a * xb + c * yb + e
        dya, dyb = b * xa + d * ya + f, b * xb + d * yb + f
        if dxa > dxb:
            dxa, dxb = dxb, dxa
        if dya > dyb:
            dya, dyb = dyb, dya
        return (
            dxa + self.mb_x0,
            self.height - dyb + self.mb_top,
            dxb + self.mb_x0,
            self.height - dya + self.mb_top,
        )


class PdfiumPage:
    """One page as the PDF loader reads it: ``chars``, ``edges``, ``images``, ``bbox``,
    ``width`` and ``height``, read from PDFium once, then the page closed."""

    def __init__(self, document: pdfium.PdfDocument, index: int) -> None:
        page = document[index]
        try:
            self._frame = _Frame(page.get_rotation(), page.get_mediabox())
            self.bbox = self._frame.bbox
            self.width, self.height = self._frame.width, self._frame.height
            textpage = page.get_textpage()
            try:
                self.chars = _chars(textpage.raw, self._frame)
            finally:
                textpage.close()
            self.edges: list[dict[str, Any]] = []
            self.images: list[int] = []
            self._white: list[dict[str, Any]] = []  # edges of shapes only filled white
            self._inked = False  # a shape stroked or filled in a colour
            handle = page.raw
            count = raw.FPDFPage_CountObjects(handle)
            self._objects(count, lambda i: raw.FPDFPage_GetObject(handle, i), _IDENTITY)
            if self._inked:  # white boxes show against other shapes: they may be a grid's cells
                self.edges.extend(self._white)
        finally:
            page.close()

    def _objects(self, count: int, get: Any, outer: Matrix) -> None:
        """The paths' edges and the images of a page or form XObject (``outer``: its matrix)."""
        for i in range(count):
            obj = get(i)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                paint = _paint(obj)
                if paint == NOT_PAINTED:
                    continue  # a path neither filled nor stroked draws nothing
                edges = _path_edges(obj, _multiply(_matrix(obj), outer), self._frame)
                if paint == WHITE_ONLY:
                    self._white.extend(edges)
                else:
                    self._inked = self._inked or bool(edges)
                    self.edges.extend(edges)
            elif kind == raw.FPDF_PAGEOBJ_IMAGE:
                self.images.append(i)
            elif kind == raw.FPDF_PAGEOBJ_FORM:
                inner = _multiply(_matrix(obj), outer)
                self._objects(
                    raw.FPDFFormObj_CountObjects(obj), lambda j, o=obj: raw.FPDFFormObj_GetObject(o, j), inner
                )

    def flush_cache(self) -> None:
        """Nothing to free: the PDFium page is closed once read."""


def _matrix(obj: Any) -> Matrix:
    m = raw.FS_MATRIX()
    if not raw.FPDFPageObj_GetMatrix(obj, m):
        return _IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _page_text(textpage: Any, count: int) -> str | None:
    """The text page's characters in one call (None when they are not one UTF-16 unit each)."""
    buffer = (ctypes.c_ushort * (count + 1))()
    raw.FPDFText_GetText(textpage, 0, count, buffer)
    text = bytes(buffer)[: 2 * count].decode("utf-16-le", errors="replace")
    return text if len(text) == count else None


class _Font:
    """A text object's matrix (without translation), font size and descent: shared by its characters."""

    __slots__ = ("a", "b", "c", "d", "descent", "size")

    def __init__(self, textpage: Any, index: int, obj: Any, descents: dict[tuple[int, float], float]) -> None:
        m = _MATRIX
        raw.FPDFText_GetMatrix(textpage, index, m)
        self.a, self.b, self.c, self.d = m.a, m.b, m.c, m.d
        self.size = raw.FPDFText_GetFontSize(textpage, index)
        font = raw.FPDFTextObj_GetFont(obj)
        key = (ctypes.addressof(font.contents) if font else 0, self.size)
        descent = descents.get(key)
        if descent is None:  # the font's descent at this size: the same for many objects
            value = ctypes.c_float(0.0)
            if font:
                raw.FPDFFont_GetDescent(font, ctypes.c_float(self.size), ctypes.byref(value))
            descent = descents[key] = value.value
        self.descent = descent


# one matrix to read into (pages are read one at a time, in one thread)
_MATRIX = raw.FS_MATRIX()


def _chars(textpage: Any, frame: _Frame) -> list[dict[str, Any]]:
    count = raw.FPDFText_CountChars(textpage)
    if count <= 0:
        return []
    text = _page_text(textpage, count)
    box = raw.FS_RECTF()
    ox, oy = ctypes.c_double(), ctypes.c_double()
    fonts: dict[int, _Font] = {}
    descents: dict[tuple[int, float], float] = {}
    chars: list[dict[str, Any]] = []
    # PDFium's functions as locals: this loop runs once per character of the corpus
    loose_box, origin = raw.FPDFText_GetLooseCharBox, raw.FPDFText_GetCharOrigin
    text_object, address = raw.FPDFText_GetTextObject, ctypes.addressof
    for i in range(count):
        ch = text[i] if text is not None else chr(raw.FPDFText_GetUnicode(textpage, i))
        if not ch.strip():
            continue  # blanks, and the spaces and line breaks PDFium infers
        obj = text_object(textpage, i)
        key = address(obj.contents) if obj else 0
        font = fonts.get(key)
        if font is None:
            font = fonts[key] = _Font(textpage, i, obj, descents)
        loose_box(textpage, i, box)
        origin(textpage, i, ox, oy)
        if font.b == 0 and font.c == 0:  # text along x (nearly all), here rather than in a call
            ya = oy.value + font.d * font.descent
            x0, top, x1, bottom = frame.rect(box.left, ya, box.right, ya + font.d * font.size)
            # the baseline: a font whose descent is misdeclared puts the box a line off, not it
            baseline = frame.rect(box.left, oy.value, box.right, oy.value)[1] if frame.upright else None
        else:
            x0, top, x1, bottom = _char_box(font, box, ox.value, oy.value, frame)
            baseline = None
        box_of = {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "width": x1 - x0}
        chars.append({"text": ch, **box_of, "baseline": baseline})
    return chars


def _char_box(font: _Font, box: Any, x: float, y: float, frame: _Frame) -> tuple[float, float, float, float]:
    """pdfminer's box of a character not set along x (``_chars`` boxes those): from the origin
    down by the descent, along the advance, up by the font size (in the character's own
    direction), in the page frame."""
    a, b, c, d = font.a, font.b, font.c, font.d
    if a == 0 and d == 0:  # text turned a quarter: along y
        xa = x + c * font.descent
        return frame.rect(xa, box.bottom, xa + c * font.size, box.top)
    # slanted text: the box of its four corners
    advance = math.hypot(box.right - box.left, box.top - box.bottom)
    norm = math.hypot(a, b) or 1.0
    adv_x, adv_y = a / norm * advance, b / norm * advance
    x0, y0 = x + c * font.descent, y + d * font.descent
    up_x, up_y = c * font.size, d * font.size
    xs = (x0, x0 + adv_x, x0 + up_x, x0 + adv_x + up_x)
    ys = (y0, y0 + adv_y, y0 + up_y, y0 + adv_y + up_y)
    corners = [frame.rect(px, py, px, py) for px, py in zip(xs, ys, strict=True)]
    return (
        min(r[0] for r in corners),
        min(r[1] for r in corners),
        max(r[2] for r in corners),
        max(r[3] for r in corners),
    )


def _segments(obj: Any) -> Iterator[list[tuple[float, float]]]:
    """A path's subpaths as point lists (a closed one ends at its start again)."""
    x, y = ctypes.c_float(), ctypes.c_float()
    points: list[tuple[float, float]] = []
    for s in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, s)
        raw.FPDFPathSegment_GetPoint(segment, x, y)
        if raw.FPDFPathSegment_GetType(segment) == raw.FPDF_SEGMENT_MOVETO and points:
            yield points
            points = []
        points.append((x.value, y.value))
        if raw.FPDFPathSegment_GetClose(segment) and len(points) > 1:
            points.append(points[0])
            yield points
            points = []
    if points:
        yield points


# How a path shows: not at all (neither filled nor stroked), as a white fill only (on a page
# with nothing else drawn it shows nothing: 长沙 puts one behind each run of its 说明's
# text), or in ink.
NOT_PAINTED, WHITE_ONLY, INKED = "none", "white", "ink"
# A fill this close to white is the paper's colour (0-1, per channel).
PAPER_WHITE = 0.98


def paper_white(color: tuple[float, ...]) -> bool:
    """Whether a fill colour (0-1 per channel: gray, RGB, or CMYK) is the paper's white."""
    if len(color) == 4:  # CMYK: white is no ink
        return max(color) <= 1 - PAPER_WHITE
    return min(color) >= PAPER_WHITE


def _paint(obj: Any) -> str:
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    if not raw.FPDFPath_GetDrawMode(obj, fill, stroke) or stroke.value:
        return INKED
    if fill.value == raw.FPDF_FILLMODE_NONE:
        return NOT_PAINTED
    r, g, b, a = ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint(), ctypes.c_uint()
    if raw.FPDFPageObj_GetFillColor(obj, r, g, b, a) and paper_white(
        (r.value / 255, g.value / 255, b.value / 255)
    ):
        return WHITE_ONLY
    return INKED


def _path_edges(obj: Any, matrix: Matrix, frame: _Frame) -> list[dict[str, Any]]:
    a, b, c, d, e, f = matrix
    edges = []
    for points in _segments(obj):
        pts = [(a * px + c * py + e, b * px + d * py + f) for px, py in points]
        line = len(pts) == 2
        for (xa, ya), (xb, yb) in itertools.pairwise(pts):
            if xa == xb and ya == yb:
                continue  # a closing segment back to where the path already is
            x0, top, x1, bottom = frame.rect(xa, ya, xb, yb)
            if top == bottom:
                orientation = "h"
            elif x0 == x1 or line:
                orientation = "v"
            else:
                continue  # a slanted segment of a curve: no edge
            edges.append(edge("line" if line else "curve_edge", orientation, x0, top, x1, bottom))
    return edges
