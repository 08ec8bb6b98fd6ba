"""OCR of PDF pages without a usable text layer (scans), with the optional ``ocr`` extra.

``pip install 'disclosure-extract[ocr]'`` brings RapidOCR on ONNX Runtime, whose wheel
ships its Chinese detection and recognition models: nothing is downloaded at run time,
and it runs on a CPU. A page is rendered (pypdfium2) at ``DPI``, recognised, and handed
back in the shape the PDF loader reads a text layer in: characters with their boxes in
PDF points (each recognised run split over its characters, full-width ones twice as wide
as half-width ones), with the run's recognition confidence; plus the ruling lines seen
in the image (OpenCV morphology), as edges for pdfplumber's table finder. So a scanned
table is rebuilt on its printed grid, and an unruled one from text alignment, exactly
as a text-layer page is.
"""

from __future__ import annotations

import importlib.util
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

import pypdfium2 as pdfium

from .ruled import edge

# 200 dpi: the resolution the scans are made at; 9-point digits stay distinct.
DPI = 200
SCALE = DPI / 72
ENGINE_MODULE = "rapidocr_onnxruntime"
# A ruling is a dark run at least this share of the page's width (or height) long.
MIN_RULING_SHARE = 1 / 40


@dataclass(frozen=True)
class OcrPage:
    """A page as OCR read it: characters (pdfplumber's shape) and ruling edges, in points."""

    chars: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    confidence: float  # the mean confidence of the page's recognised runs


def ocr_available() -> bool:
    """Whether the ``ocr`` extra is installed."""
    return importlib.util.find_spec(ENGINE_MODULE) is not None


@cache
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # the optional extra, loaded once per process

    return RapidOCR()


def ocr_page(document: pdfium.PdfDocument, number: int) -> OcrPage:
    """Render page ``number`` (1-based) and read it."""
    import numpy as np

    page = document[number - 1]
    try:
        image = page.render(scale=SCALE).to_pil().convert("RGB")
    finally:
        page.close()
    pixels = np.asarray(image)
    found, _ = _engine()(pixels)
    chars: list[dict[str, Any]] = []
    confidences = []
    for box, text, confidence in found or []:
        xs, ys = [p[0] for p in box], [p[1] for p in box]
        run = (min(xs) / SCALE, min(ys) / SCALE, max(xs) / SCALE, max(ys) / SCALE)
        chars.extend(_split_run(text, run, float(confidence)))
        confidences.append(float(confidence))
    mean = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage(chars=chars, edges=_rulings(pixels), confidence=mean)


def _split_run(text: str, box: tuple[float, float, float, float], confidence: float) -> list[dict[str, Any]]:
    """A recognised run as characters, each given its share of the run's width."""
    text = text.strip()
    if not text:
        return []
    x0, top, x1, bottom = box
    weights = [2.0 if unicodedata.east_asian_width(ch) in "WF" else 1.0 for ch in text]
    unit = (x1 - x0) / sum(weights)
    chars = []
    x = x0
    for ch, weight in zip(text, weights, strict=True):
        width = unit * weight
        chars.append(
            {
                "text": ch,
                "x0": x,
                "x1": x + width,
                "top": top,
                "bottom": bottom,
                "width": width,
                "height": bottom - top,
                "ocr_confidence": confidence,
            }
        )
        x += width
    return chars


def _rulings(pixels: Any) -> list[dict[str, Any]]:
    """The table rulings visible in the image, as pdfplumber line edges in points."""
    import cv2  # comes with the OCR engine

    gray = cv2.cvtColor(pixels, cv2.COLOR_RGB2GRAY)
    ink = cv2.adaptiveThreshold(~gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY, 15, -2)
    height, width = ink.shape
    edges = []
    for orientation, kernel in (
        ("h", (max(10, int(width * MIN_RULING_SHARE)), 1)),
        ("v", (1, max(10, int(height * MIN_RULING_SHARE)))),
    ):
        lines = cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, kernel))
        contours, _ = cv2.findContours(lines, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            edges.append(_edge(orientation, x / SCALE, y / SCALE, (x + w) / SCALE, (y + h) / SCALE))
    return edges


def _edge(orientation: str, x0: float, top: float, x1: float, bottom: float) -> dict[str, Any]:
    if orientation == "h":
        middle = (top + bottom) / 2
        top = bottom = middle
    else:
        middle = (x0 + x1) / 2
        x0 = x1 = middle
    return edge("line", orientation, x0, top, x1, bottom)
