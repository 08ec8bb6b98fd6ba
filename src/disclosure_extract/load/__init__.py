"""Loaders: bytes of one input -> the document model. One module per format."""

from __future__ import annotations

import hashlib

from ..common.decode import decode_text, sniff_format
from ..errors import UnsupportedFormatError
from ..model import Document
from ..patterns import Patterns
from .excel import is_xlsx, load_excel
from .html import load_html
from .pdf import load_pdf
from .text import load_text

__all__ = ["load_bytes", "sniff_format"]

_CONTAINERS = {
    "zip": "a ZIP container that is not an Excel workbook (.docx, .zip …): Word and archives are not read",
    "rar": "a RAR archive; archives are recorded, not unpacked",
    "gzip": "a gzip archive; archives are recorded, not unpacked",
    "png": "an image (PNG); images hold no text layer",
    "jpeg": "an image (JPEG); images hold no text layer",
    "gif": "an image (GIF); images hold no text layer",
}


def load_bytes(data: bytes, source: str, patterns: Patterns) -> Document:
    """Load one input from its bytes, deciding the format from the content."""
    sha256 = hashlib.sha256(data).hexdigest()
    fmt = sniff_format(data)
    if fmt == "pdf":
        return load_pdf(data, source, sha256, patterns)
    if fmt == "zip" and is_xlsx(data):
        return load_excel(data, source, sha256, patterns, "xlsx")
    if fmt == "ole":
        return load_excel(data, source, sha256, patterns, "xls")
    if fmt in _CONTAINERS:
        raise UnsupportedFormatError(source, _CONTAINERS[fmt])
    decoded = decode_text(data, source, html=fmt == "html")
    if fmt == "html":
        doc = load_html(decoded.text, source, sha256, patterns)
        doc.encoding = decoded.encoding
        if decoded.declared:
            doc.declared_charset = decoded.declared
        if decoded.declaration_wrong:
            doc.charset_mismatch = True
        return doc
    return load_text(decoded.text, source, sha256, patterns, encoding=decoded.encoding)
