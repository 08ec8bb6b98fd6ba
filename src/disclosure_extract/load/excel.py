"""Excel attachments: .xlsx (openpyxl) and legacy .xls (xlrd), one table per sheet.

Merged cells become spans; a sheet's title and 单位：万元 rows become the table's caption
(the same preamble rules as every table). A sheet that is one column of text (a cover,
a contents page, a narrative) becomes paragraphs. Every cell keeps its address
(``Sheet!B3``) as its location. Numbers are stored by Excel as binary floats; a cell's
value is taken as the shortest decimal that round-trips to that float (what was typed,
e.g. 711.27), then parsed to Decimal like any printed number.
"""

from __future__ import annotations

import io
import struct
import zipfile
from typing import Any

import openpyxl
import xlrd
import xlrd.compdoc
from openpyxl.utils import get_column_letter

from ..common.text import clean_inline
from ..errors import TooComplexError, UnsupportedFormatError
from ..model import Block, Document, Item, Location
from ..patterns import Patterns
from .package import MAX_SHEET_AREA, ZIP_ERRORS, check_package, damaged_file
from .tables import RawCell, finish_table, place_spanned
from .textclean import make_block

# A one-column sheet is text, not a table, when its cells are this long on average.
TEXT_SHEET_CHARS = 30


def zip_holds(data: bytes, member: str) -> bool:
    """Whether the bytes are a ZIP container holding ``member`` (an Office Open XML part)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return member in z.namelist()
    except ZIP_ERRORS:
        return False


def zip_opens(data: bytes) -> bool:
    """Whether the bytes open as a ZIP whose directory can be read (names, offsets)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            z.namelist()
            return True
    except ZIP_ERRORS:
        return False


def is_xlsx(data: bytes) -> bool:
    return zip_holds(data, "xl/workbook.xml")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        # repr gives the shortest decimal that reads back as the same float: what was typed
        return repr(value).removesuffix(".0") if value.is_integer() else repr(value)
    return clean_inline(str(value))


def load_excel(data: bytes, source: str, sha256: str, patterns: Patterns, fmt: str) -> Document:
    items = workbook_items(data, source, patterns, fmt)
    title = next((i.text for i in items if isinstance(i, Block) and i.text), "")
    return Document(source=source, sha256=sha256, format=fmt, items=items, title=title)


def workbook_items(data: bytes, source: str, patterns: Patterns, fmt: str) -> list[Item]:
    """A workbook's sheets as tables (or, for one-column text sheets, paragraphs)."""
    sheets = _xlsx_sheets(data, source) if fmt == "xlsx" else _xls_sheets(data, source)
    items: list[Item] = []
    for name, rows in sheets:
        if not any(c.text for row in rows for c in row):
            continue
        heading = make_block(name, Location(path=name), patterns)
        location = Location(path=name)
        table = finish_table(place_spanned(rows), location, patterns, caption=name)
        if table is None:
            continue
        texts = [c.text for c in table.cells if c.text]
        if table.n_cols == 1 and sum(map(len, texts)) / max(1, len(texts)) >= TEXT_SHEET_CHARS:
            items.append(heading)
            items.extend(
                make_block(line.strip(), c.location, patterns)
                for c in table.cells
                for line in c.text.split("\n")
                if line.strip()
            )
            continue
        items.append(table)
    return items


def _xlsx_sheets(data: bytes, source: str) -> list[tuple[str, list[list[RawCell]]]]:
    check_package(data, source)
    with damaged_file(source, "the Excel workbook"):
        book = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    sheets: list[tuple[str, list[list[RawCell]]]] = []
    for ws in book.worksheets:
        max_row, max_col = _used_range(ws, source)
        if not max_row:  # no value at all (iter_rows would take 0 for "no limit")
            sheets.append((ws.title, []))
            continue
        spans: dict[tuple[int, int], tuple[int, int]] = {}
        covered: set[tuple[int, int]] = set()
        for merged in ws.merged_cells.ranges:
            # a merge is read within the used range only: A1:XFD1048576 is 17 billion cells
            bottom, right = min(merged.max_row, max_row), min(merged.max_col, max_col)
            if merged.min_row > bottom or merged.min_col > right:
                continue
            spans[(merged.min_row, merged.min_col)] = (
                bottom - merged.min_row + 1,
                right - merged.min_col + 1,
            )
            covered.update(
                (r, c) for r in range(merged.min_row, bottom + 1) for c in range(merged.min_col, right + 1)
            )
        rows: list[list[RawCell]] = []
        for r, row in enumerate(ws.iter_rows(max_row=max_row, max_col=max_col), 1):
            out = []
            for c, cell in enumerate(row, 1):
                if (r, c) in covered and (r, c) not in spans:
                    continue
                rowspan, colspan = spans.get((r, c), (1, 1))
                where = Location(path=f"{ws.title}!{get_column_letter(c)}{r}")
                out.append(RawCell(_text(cell.value), where, rowspan, colspan))
            rows.append(out)
        sheets.append((ws.title, rows))
    return sheets


def _used_range(ws: Any, source: str) -> tuple[int, int]:
    """The last row and column holding a value: the sheet's stated dimension may reach
    XFD1048576 for one stray cell. Larger than MAX_SHEET_AREA is refused (too_complex)."""
    filled = [key for key, cell in ws._cells.items() if cell.value is not None and str(cell.value).strip()]
    max_row = max((r for r, _ in filled), default=0)
    max_col = max((c for _, c in filled), default=0)
    if max_row * max_col > MAX_SHEET_AREA:
        raise TooComplexError(
            source,
            f"sheet {ws.title!r} spans {max_row} rows x {max_col} columns of values "
            f"(over {MAX_SHEET_AREA:,} cells): not a disclosure's table",
        )
    return max_row, max_col


# BIFF records that bound what xlrd builds of a sheet: each cell record's row and column
# (NUMBER, RK, MULRK, LABELSST, BLANK, MULBLANK, FORMULA, LABEL, BOOLERR) and the merges, to
# which xlrd pads the sheet when it keeps formatting. (ROW records are left out: a sheet
# formatted to its last row declares them all, and xlrd builds none of those cells.)
_BIFF_BOF, _BIFF_EOF, _BIFF_MERGED = 0x0809, 0x000A, 0x00E5
_BIFF_CELLS = frozenset({0x0203, 0x027E, 0x00BD, 0x00FD, 0x0201, 0x00BE, 0x0006, 0x0204, 0x0205})
_BIFF_WORKSHEET = 0x0010


def xls_sheet_areas(data: bytes) -> list[int]:
    """The cells each worksheet of a legacy .xls spans, read from its BIFF records before any
    sheet is built: a 7 KB file declaring a cell at row 65,535 once took 2 GiB and 63 s.
    Returns [] when the workbook stream cannot be found (xlrd then says what is wrong)."""
    try:
        book = xlrd.compdoc.CompDoc(data, logfile=io.StringIO())
        stream, at, size = book.locate_named_stream("Workbook")
    except Exception:  # noqa: BLE001 - any damage is xlrd's to report, with its own message
        return []
    if stream is None:
        return []
    end = min(at + size, len(stream))
    areas: list[int] = []
    rows = cols = 0
    in_sheet = False
    while at + 4 <= end:
        kind, length = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4 : at + 4 + length]
        at += 4 + length
        if kind == _BIFF_BOF and len(body) >= 4:
            in_sheet, rows, cols = struct.unpack_from("<H", body, 2)[0] == _BIFF_WORKSHEET, 0, 0
        elif kind == _BIFF_EOF and in_sheet:
            areas.append(rows * cols)
            in_sheet = False
        elif in_sheet and kind in _BIFF_CELLS and len(body) >= 4:
            row, col = struct.unpack_from("<HH", body)
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        elif in_sheet and kind == _BIFF_MERGED and len(body) >= 2:
            (count,) = struct.unpack_from("<H", body)
            for r0, r1, c0, c1 in struct.iter_unpack("<HHHH", body[2 : 2 + 8 * count]):
                rows, cols = max(rows, r0 + 1, r1 + 1), max(cols, c0 + 1, c1 + 1)
    return areas


def _xls_sheets(data: bytes, source: str) -> list[tuple[str, list[list[RawCell]]]]:
    biggest = max(xls_sheet_areas(data), default=0)
    if biggest > MAX_SHEET_AREA:
        raise TooComplexError(
            source,
            f"a sheet spans {biggest:,} cells (over {MAX_SHEET_AREA:,}), by its cell and merge "
            "records: not a disclosure's table",
        )
    with damaged_file(source, "the Excel workbook"):
        try:
            # xlrd writes its warnings to stdout, where -o - streams the records
            book = xlrd.open_workbook(file_contents=data, formatting_info=True, logfile=io.StringIO())
        except xlrd.XLRDError as exc:
            raise UnsupportedFormatError(
                source,
                f"a legacy Office file that is neither an Excel workbook nor a Word document ({exc})",
            ) from exc
    sheets = []
    for sh in book.sheets():
        if sh.nrows * sh.ncols > MAX_SHEET_AREA:
            raise TooComplexError(
                source,
                f"sheet {sh.name!r} spans {sh.nrows} rows x {sh.ncols} columns of values "
                f"(over {MAX_SHEET_AREA:,} cells): not a disclosure's table",
            )
        # merges clipped to the cells the sheet holds: a damaged or hostile file may merge a
        # whole sheet (65,536 x 256), which listed cell by cell took 19 s and 1.8 GB
        merged = [
            (r0, min(r1, sh.nrows), c0, min(c1, sh.ncols))
            for r0, r1, c0, c1 in sh.merged_cells
            if r0 < sh.nrows and c0 < sh.ncols
        ]
        spans = {(r0, c0): (r1 - r0, c1 - c0) for r0, r1, c0, c1 in merged}
        covered = {(r, c) for r0, r1, c0, c1 in merged for r in range(r0, r1) for c in range(c0, c1)}
        rows: list[list[RawCell]] = []
        for r in range(sh.nrows):
            out = []
            for c in range(sh.ncols):
                if (r, c) in covered and (r, c) not in spans:
                    continue
                rowspan, colspan = spans.get((r, c), (1, 1))
                cell = sh.cell(r, c)
                value = cell.value if cell.ctype != xlrd.XL_CELL_EMPTY else None
                where = Location(path=f"{sh.name}!{get_column_letter(c + 1)}{r + 1}")
                out.append(RawCell(_text(value), where, rowspan, colspan))
            rows.append(out)
        sheets.append((sh.name, rows))
    return sheets
