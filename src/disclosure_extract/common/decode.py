"""Format sniffing by content, and decoding text with charset detection.

Disclosures arrive mislabelled: PDFs named ``.html``, GBK pages declaring UTF-8 or
nothing, Word "documents" that are HTML. The format is decided from the bytes, never
from the file name, and text is decoded by the first of: a byte-order mark, strict
UTF-8, the declared charset (HTML), and detection by charset-normalizer.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

from ..errors import BinaryContentError, DecodeError, EmptyDocumentError

# How much of the start of a file format sniffing and charset declarations look at.
SNIFF_BYTES = 4096
# Text with more than this share of control characters is binary noise, not a document:
# real pages have almost none, and random bytes decoded as GB18030 have many.
MAX_CONTROL_SHARE = 0.02
# Nor is text where this share of characters are undecodable or private-use code points.
MAX_JUNK_SHARE = 0.05
# Bytes invalid in the document's own encoding, up to this share (and at least one), are a
# damaged byte or two in good text: replaced by U+FFFD and reported, not a reason to reject
# the page or to guess another encoding.
MAX_REPLACED_SHARE = 0.001

# Charsets that browsers decode as their superset GB18030; decoding with the superset
# avoids failures on characters GBK/GB2312 lack but real pages contain anyway.
_GB_FAMILY = {"gb2312", "gbk", "gb_2312-80", "x-gbk", "euc-cn", "cp936", "gb18030", "hz-gb-2312"}

_DECLARED_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HTML_HINT_RE = re.compile(
    r"<\s*(?:!doctype\s+html|html|head|body|table|div|p|meta|title|span|br)\b", re.IGNORECASE
)

MAGIC = (
    (b"%PDF-", "pdf"),
    (b"PK\x03\x04", "zip"),  # docx/xlsx/zip containers
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "ole"),  # legacy .doc/.xls
    (b"Rar!", "rar"),
    (b"\x89PNG", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF8", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"{\\rtf", "rtf"),  # Rich Text Format, as Word and WPS save it
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    declared: str | None  # the charset the document declared, if any
    replaced: int = 0  # bytes invalid in the encoding, decoded as U+FFFD

    @property
    def declaration_wrong(self) -> bool:
        """The page declared a charset its bytes are not in."""
        if not self.declared:
            return False
        declared = _canonical(self.declared)
        actual = _canonical(self.encoding) or self.encoding
        # ASCII-only pages decode alike in every declared charset
        return declared != actual and not self.text.isascii()


def sniff_format(data: bytes) -> str:
    """The format the bytes are: pdf, zip, ole, html, text, or another magic name."""
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    for magic, name in MAGIC:
        if head.startswith(magic):
            return name
    # A PDF can carry a few junk bytes before its header (allowed by readers).
    if b"%PDF-" in data[:1024]:
        return "pdf"
    sample = head[:SNIFF_BYTES].decode("latin-1")
    return "html" if _HTML_HINT_RE.search(sample) else "text"


def declared_charset(data: bytes) -> str | None:
    match = _DECLARED_RE.search(data[:SNIFF_BYTES])
    return match.group(1).decode("ascii").lower() if match else None


def _canonical(name: str) -> str | None:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return "gb18030" if canonical in _GB_FAMILY or name.lower() in _GB_FAMILY else canonical


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_text(data: bytes, source: str, *, html: bool = False) -> Decoded:
    """Decode document bytes to text, or raise a specific LoadError."""
    if not data.strip():
        raise EmptyDocumentError(
            source, "the file is empty" if not data else "the file holds only white space"
        )
    _reject_binary(data, source)
    declared = declared_charset(data) if html else None
    text, encoding = _decode(data, declared)
    replaced = 0
    if text is None:
        text, encoding, replaced = _decode_damaged(data, declared)
    if text is None:
        raise DecodeError(source, "the bytes decode cleanly in no supported text encoding")
    _reject_noise(text, source)
    return Decoded(text=text, encoding=encoding, declared=declared, replaced=replaced)


def _decode_damaged(data: bytes, declared: str | None) -> tuple[str | None, str, int]:
    """UTF-8, or the declared charset, with a few invalid bytes replaced (MAX_REPLACED_SHARE);
    (None, "", 0) when either has more."""
    for encoding in ("utf-8", _canonical(declared) if declared else None):
        if encoding is None:
            continue
        text = data.decode(encoding, errors="replace")
        replaced = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
        if 0 < replaced <= max(1, MAX_REPLACED_SHARE * len(text)):
            return text, encoding, replaced
    return None, "", 0


def _decode(data: bytes, declared: str | None) -> tuple[str | None, str]:
    """The text and its encoding, by the first of: a byte-order mark, strict UTF-8, the
    declared charset, detection. (None, "") when none of them decodes the bytes."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom) and (text := _strict(data, name)) is not None:
            return text, name
    text = _strict(data, "utf-8")
    if text is not None:
        return text, "utf-8"
    canonical = _canonical(declared) if declared else None
    if canonical:
        text = _strict(data, canonical)
        if text is not None:
            return text, canonical
    # a byte or two damaged in otherwise good UTF-8 (or the declared charset): not a reason
    # to guess another encoding
    if _decode_damaged(data, declared)[0] is not None:
        return None, ""
    best = from_bytes(data).best()
    if best is not None and best.encoding:
        canonical = _canonical(best.encoding) or best.encoding
        # detection may name a narrower charset than the bytes need: then its own decoding
        return _strict(data, canonical) or str(best), canonical
    return None, ""


def _reject_binary(data: bytes, source: str) -> None:
    """Bytes no text encoding uses (NUL, most C0 controls) mean binary content."""
    sample = data[: SNIFF_BYTES * 16]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return  # UTF-16 text is full of NUL bytes by design
    control = sum(1 for b in sample if b < 9 or 13 < b < 27 or 27 < b < 32)
    if control > MAX_CONTROL_SHARE * len(sample):
        raise BinaryContentError(
            source, f"binary content, not text ({control} control bytes in the first {len(sample)})"
        )


def _reject_noise(text: str, source: str) -> None:
    sample = text[:200_000]
    if not sample.strip():
        raise EmptyDocumentError(source, "the file holds only white space")
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    junk = sum(1 for ch in sample if ch == "\ufffd" or 0xE000 <= ord(ch) <= 0xF8FF)
    if control > MAX_CONTROL_SHARE * len(sample) or junk > MAX_JUNK_SHARE * len(sample):
        raise BinaryContentError(
            source, f"binary content, not text ({control} control and {junk} undecodable characters)"
        )
