"""Office Open XML packages (.xlsx, .docx) looked over before a library reads them.

openpyxl and python-docx trust a package: a part that inflates to gigabytes is read whole,
a merge over a whole sheet becomes 17 billion cells while loading, and a DTD's entities are
expanded or refused deep inside the parser. A few bytes of a ZIP can hold all of these, so
each is found here first, from the ZIP's directory and one streaming pass over each XML
part, and refused with its own issue.
"""

from __future__ import annotations

import contextlib
import io
import zipfile
import zlib
from collections.abc import Iterator

import regex

from ..errors import DamagedFileError, DisclosureError, TooComplexError, TooLargeError, UnsafeXmlError

# No part of a real disclosure's workbook or document comes near these (the largest sheets
# seen are a few MB of XML); a ZIP can declare far more in a few KB.
MAX_PART_BYTES = 64 * 1024 * 1024
MAX_PACKAGE_BYTES = 256 * 1024 * 1024
# A sheet with more cells, or a merge or used range over a larger area, is no disclosure
# table (the largest real ones are a few thousand rows by a few dozen columns).
MAX_SHEET_CELLS = 500_000
MAX_SHEET_AREA = 2_000_000

_CHUNK = 1024 * 1024
# Office programs never write a DTD: a declaration means entities, to expand or to fetch
_DTD = regex.compile(rb"<!(?:DOCTYPE|ENTITY)")
_CELL = regex.compile(rb"<(?:\w+:)?c[\s/>]")
_MERGE = regex.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?\"")
# the longest token looked for, kept from the end of one chunk for the next
_OVERLAP = 128

# What reading a damaged ZIP raises: a bad directory (BadZipFile; ValueError for negative
# offsets or names not in their encoding), a cut stream (zlib.error, EOFError), a "version
# needed" byte no reader knows (NotImplementedError), a seek before the start (OSError).
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, ValueError, OSError)


@contextlib.contextmanager
def damaged_file(source: str, what: str) -> Iterator[None]:
    """Any error a reading library raises in the block as a DamagedFileError naming ``what``
    ("the Word document"): openpyxl, xlrd and python-docx fail on damaged files with errors of
    every type (IndexError, UnicodeDecodeError, XMLSyntaxError …). Our own errors, and running
    out of memory or stack, pass through."""
    try:
        yield
    except (MemoryError, RecursionError, DisclosureError):
        raise
    except Exception as exc:  # the libraries' errors have no common base (see above)
        raise DamagedFileError(source, f"{what} is damaged: {type(exc).__name__}: {str(exc)[:200]}") from exc


def check_package(data: bytes, source: str, sheets: str = "xl/worksheets/") -> None:
    """Refuse a package whose parts inflate past the limits (too_large), whose XML declares
    a DTD (unsafe_xml), or whose sheets (parts under ``sheets``) hold more cells or merges
    than any disclosure (too_complex); a ZIP that cannot be read is damaged_file."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = package.infolist()
            _check_sizes(infos, source)
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    _check_part(package, info, source, info.filename.startswith(sheets))
    except ZIP_ERRORS as exc:
        raise DamagedFileError(source, f"the file's ZIP container is damaged: {exc}") from exc


def _check_sizes(infos: list[zipfile.ZipInfo], source: str) -> None:
    total = 0
    for info in infos:
        # the reader stops at the declared size, so declared sizes bound what is inflated
        if info.file_size > MAX_PART_BYTES:
            raise TooLargeError(
                source,
                f"part {info.filename} inflates to {info.file_size:,} bytes "
                f"(over {MAX_PART_BYTES:,}): not a disclosure",
            )
        total += info.file_size
    if total > MAX_PACKAGE_BYTES:
        raise TooLargeError(source, f"the parts inflate to {total:,} bytes (over {MAX_PACKAGE_BYTES:,})")


def _check_part(package: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, sheet: bool) -> None:
    cells = 0
    tail = b""
    with package.open(info) as part:
        while chunk := part.read(_CHUNK):
            window = tail + chunk
            if _DTD.search(window):
                raise UnsafeXmlError(
                    source,
                    f"part {info.filename} declares a DTD or entities, which no office program "
                    "writes (an external entity or a billion laughs): not read",
                )
            if sheet:
                # counted in the chunk alone, so a cell across the seam is counted once
                cells += len(_CELL.findall(window)) - len(_CELL.findall(tail))
                _check_merges(window, info.filename, source)
                if cells > MAX_SHEET_CELLS:
                    raise TooComplexError(
                        source,
                        f"sheet {info.filename} holds over {MAX_SHEET_CELLS:,} cells: "
                        "not a disclosure's table",
                    )
            tail = window[-_OVERLAP:]


def _check_merges(window: bytes, part: str, source: str) -> None:
    for match in _MERGE.finditer(window):
        first_col, first_row, last_col, last_row = match.groups()
        if last_col is None:
            continue
        rows = int(last_row) - int(first_row) + 1
        cols = _column(last_col) - _column(first_col) + 1
        if rows * cols > MAX_SHEET_AREA:
            ref = f"{first_col.decode()}{int(first_row)}:{last_col.decode()}{int(last_row)}"
            raise TooComplexError(
                source,
                f"sheet {part} merges {ref} ({rows:,} x {cols:,} cells): not a disclosure's table",
            )


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number
