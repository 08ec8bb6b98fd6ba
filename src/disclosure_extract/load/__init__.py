"""Loaders: bytes of one input -> the document model. One module per format."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import partial

from ..common.decode import Decoded, decode_text, sniff_format
from ..errors import DamagedFileError, UnsupportedFormatError
from ..model import Document, Issue
from ..patterns import Patterns
from .excel import is_xlsx, load_excel, zip_opens
from .html import load_html
from .package import check_package
from .pdf import DEFAULT_PDF_BACKEND, PDF_BACKENDS, load_pdf
from .text import load_text
from .word import is_docx, is_word_ole, load_converted, load_docx, word_kind

__all__ = ["DEFAULT_PDF_BACKEND", "PDF_BACKENDS", "load_bytes", "sniff_format"]

_CONTAINERS = {
    "zip": "a ZIP container that is neither an Excel workbook nor a Word document: archives are not read",
    "rar": "a RAR archive; archives are recorded, not unpacked",
    "gzip": "a gzip archive; archives are recorded, not unpacked",
    "png": "an image (PNG); images hold no text layer",
    "jpeg": "an image (JPEG); images hold no text layer",
    "gif": "an image (GIF); images hold no text layer",
}


Loader = Callable[[bytes, str, str, Patterns], Document]


def load_bytes(
    data: bytes, source: str, patterns: Patterns, pdf_backend: str = DEFAULT_PDF_BACKEND
) -> Document:
    """Load one input from its bytes, deciding the format from the content; PDFs are parsed
    with ``pdf_backend`` (one of ``PDF_BACKENDS``)."""
    sha256 = hashlib.sha256(data).hexdigest()
    fmt = sniff_format(data)
    loader = _binary_loader(fmt, data, source, pdf_backend)
    if loader is not None:
        return loader(data, source, sha256, patterns)
    if fmt in _CONTAINERS:
        raise UnsupportedFormatError(source, _CONTAINERS[fmt])
    decoded = decode_text(data, source, html=fmt == "html")
    doc = _load_decoded(decoded, fmt, source, sha256, patterns)
    if decoded.replaced:
        message = (
            f"{decoded.replaced} byte(s) invalid in {decoded.encoding} were replaced by U+FFFD; "
            "the text around them was read"
        )
        doc.issues.append(Issue("replaced_bytes", "warning", message))
    return doc


def _load_decoded(decoded: Decoded, fmt: str, source: str, sha256: str, patterns: Patterns) -> Document:
    if fmt == "html":
        doc = load_html(decoded.text, source, sha256, patterns)
        doc.encoding = decoded.encoding
        if decoded.declared:
            doc.declared_charset = decoded.declared
        if decoded.declaration_wrong:
            doc.charset_mismatch = True
        return doc
    return load_text(decoded.text, source, sha256, patterns, encoding=decoded.encoding)


def _damaged_zip(data: bytes, source: str, sha256: str, patterns: Patterns) -> Document:
    """A ZIP whose directory cannot be read: damaged (a Word or Excel file cut or overwritten),
    not an archive of other files."""
    check_package(data, source)  # raises, saying what is damaged
    raise DamagedFileError(source, "the file's ZIP container is damaged")


def _zip_loader(data: bytes) -> Loader | None:
    """A ZIP: an Excel or Word file (Office Open XML), damaged, or an archive (not read)."""
    if not zip_opens(data):
        return _damaged_zip
    if is_xlsx(data):
        return partial(load_excel, fmt="xlsx")
    if is_docx(data):
        return load_docx
    return None


def _binary_loader(fmt: str, data: bytes, source: str, pdf_backend: str) -> Loader | None:
    """The loader of a binary format; None for text, HTML and formats not read."""
    if fmt == "pdf":
        return partial(load_pdf, backend=pdf_backend)
    if fmt == "zip":
        return _zip_loader(data)
    if fmt == "ole":
        # one container for legacy Word, WPS and Excel files: the streams inside tell
        return (
            partial(load_converted, fmt=word_kind(source))
            if is_word_ole(data)
            else partial(load_excel, fmt="xls")
        )
    if fmt == "rtf":
        return partial(load_converted, fmt="rtf")
    return None
