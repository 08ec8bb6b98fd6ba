"""Word documents: .docx read with python-docx; .doc, .wps and .rtf converted first (convert.py).

The body is read in order: paragraphs become headings or paragraphs (a Heading/标题
style or an outline level makes a heading; otherwise the outline rules that apply to
every format), tables are rebuilt on a grid with their merged cells (``gridSpan``
across, ``vMerge`` down). A table that is an embedded Excel workbook — shown in the body
as a picture, its data in ``word/embeddings`` — is read as the workbook's own tables,
where the body shows it. Every item keeps its place as a path: ``p[12]`` is the 12th
paragraph of the body, ``tbl[3]/tr[2]/tc[4]`` a cell of the third table in reading
order, ``embedding[oleObject1.bin]!Sheet1!B3`` a cell of an embedded workbook.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

import docx
import regex

from ..common.text import clean_inline
from ..errors import LoadError, UnsupportedFormatError
from ..model import Block, Document, Issue, Item, Location
from ..patterns import Patterns
from .convert import convert
from .excel import is_xlsx, workbook_items, zip_holds
from .package import check_package, damaged_file
from .tables import CAPTION_LINES, RawCell, finish_table, is_layout_table, place_spanned, preceding_caption
from .textclean import make_block

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
OLE_OBJECT = "{urn:schemas-microsoft-com:office:office}OLEObject"
# Paragraph styles that make a heading, in English and Chinese Word (标题 1, Heading 2, Title).
HEADING_STYLE_RE = regex.compile(r"^(?:heading|标题|title)\b", regex.IGNORECASE)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The OLE directory names the streams in UTF-16: a Word file has WordDocument.
WORD_STREAM = "WordDocument".encode("utf-16-le")
# Formats read by converting to .docx first, by the name a file of them carries.
CONVERTED_SUFFIXES = {"doc": ".doc", "wps": ".wps", "rtf": ".rtf"}


def is_docx(data: bytes) -> bool:
    return zip_holds(data, "word/document.xml")


def is_word_ole(data: bytes) -> bool:
    """A legacy binary Word (or WPS) file, as opposed to an Excel workbook in the same container."""
    return data.startswith(OLE_MAGIC) and WORD_STREAM in data


def word_kind(source: str) -> str:
    """doc or wps (the two share one binary form), from the file's name."""
    return "wps" if PurePosixPath(source.split("?", maxsplit=1)[0]).suffix.lower() == ".wps" else "doc"


def load_converted(data: bytes, source: str, sha256: str, patterns: Patterns, fmt: str) -> Document:
    """A .doc / .wps / .rtf file: converted to .docx by LibreOffice, then read as one."""
    converted = convert(data, source, CONVERTED_SUFFIXES[fmt], "docx")
    doc = load_docx(converted, source, sha256, patterns, fmt=fmt)
    doc.issues.append(
        Issue(
            "converted",
            "info",
            f"read through LibreOffice's conversion of the .{fmt} file to .docx: "
            "paragraph and table paths refer to the converted document",
        )
    )
    return doc


def load_docx(data: bytes, source: str, sha256: str, patterns: Patterns, fmt: str = "docx") -> Document:
    check_package(data, source)
    with damaged_file(source, "the Word document"):
        document = docx.Document(io.BytesIO(data))
        reader = _BodyReader(document, source, patterns)
        items = list(reader.items(document.element.body))
    items.extend(reader.unplaced_workbooks())
    title = next((i.text for i in items if isinstance(i, Block) and i.text), "")
    return Document(source=source, sha256=sha256, format=fmt, items=items, title=title, issues=reader.issues)


class _BodyReader:
    """Walks a document body in order, numbering paragraphs and tables for their paths."""

    def __init__(self, document: Any, source: str, patterns: Patterns) -> None:
        self.document = document
        self.source = source
        self.patterns = patterns
        self.paragraphs = 0
        self.tables = 0
        self.placed: set[str] = set()  # embedded parts already read where the body shows them
        self.issues: list[Issue] = []
        # what was read last: a Word table's title and 金额单位：元 are paragraphs above it
        self.recent: list[Item] = []

    def items(self, parent: Any) -> Iterator[Item]:
        for element in parent.iterchildren():
            if element.tag == W + "p":
                yield from self._paragraph(element)
            elif element.tag == W + "tbl":
                yield from self._table(element)
            elif element.tag == W + "sdt":  # a content control wraps ordinary body content
                content = element.find(W + "sdtContent")
                if content is not None:
                    yield from self.items(content)

    def _paragraph(self, element: Any) -> Iterator[Item]:
        self.paragraphs += 1
        for ole in element.iter(OLE_OBJECT):
            yield from self._workbook(ole.get(R_ID))
        text = _paragraph_text(element)
        if text:
            location = Location(path=f"p[{self.paragraphs}]")
            block = make_block(text, location, self.patterns, force_heading=self._heading(element))
            self._remember(block)
            yield block

    def _remember(self, item: Item) -> None:
        self.recent = [*self.recent[-CAPTION_LINES + 1 :], item]

    def _heading(self, element: Any) -> bool:
        ppr = element.find(W + "pPr")
        if ppr is None:
            return False
        outline = ppr.find(W + "outlineLvl")
        if outline is not None and outline.get(W + "val", "9") < "9":
            return True
        style = ppr.find(W + "pStyle")
        if style is None:
            return False
        name = _style_name(self.document, style.get(W + "val", ""))
        return bool(HEADING_STYLE_RE.match(name))

    def _table(self, element: Any) -> Iterator[Item]:
        self.tables += 1
        grid = _grid_entries(element)
        if _is_layout(element, grid):  # a page laid out in a table: its cells are running content
            for entries in grid:
                for *_, tc in entries:
                    yield from self.items(tc)
            return
        path = f"tbl[{self.tables}]"
        caption = preceding_caption(self.recent, self.patterns)
        table = finish_table(place_spanned(_rows(grid, path)), Location(path=path), self.patterns, caption)
        if table is not None:
            self._remember(table)
            yield table

    def _workbook(self, rel_id: str | None) -> Iterator[Item]:
        part = self.document.part.related_parts.get(rel_id) if rel_id else None
        if part is None:
            return
        self.placed.add(str(part.partname))
        yield from self._workbook_part(part)

    def _workbook_part(self, part: Any) -> Iterator[Item]:
        blob = part.blob
        excel = blob.startswith(OLE_MAGIC) and not is_word_ole(blob)
        fmt = "xlsx" if is_xlsx(blob) else "xls" if excel else None
        if fmt is None:
            return  # an embedded picture, a Word document, a chart: not a workbook
        name = PurePosixPath(str(part.partname)).name
        try:
            items = workbook_items(blob, self.source, self.patterns, fmt)
        except (LoadError, UnsupportedFormatError) as exc:
            self.issues.append(Issue("embedded_unreadable", "warning", f"embedded {name}: {exc.message}"))
            return
        for item in items:
            _prefix_paths(item, f"embedding[{name}]!")
            self._remember(item)
            yield item

    def unplaced_workbooks(self) -> Iterator[Item]:
        """Embedded workbooks the body does not show (no OLE object refers to them), at the end."""
        for part in self.document.part.package.iter_parts():
            name = str(part.partname)
            if name.startswith("/word/embeddings/") and name not in self.placed:
                self.placed.add(name)
                yield from self._workbook_part(part)


def _style_name(document: Any, style_id: str) -> str:
    try:
        return str(document.styles.element.get_by_id(style_id).name_val or style_id)
    except AttributeError:
        return style_id


def _paragraph_text(element: Any) -> str:
    parts: list[str] = []
    for node in element.iter(W + "t", W + "tab", W + "br", W + "cr"):
        parts.append(node.text or "" if node.tag == W + "t" else " ")
    return clean_inline("".join(parts))


def _cell_text(tc: Any) -> str:
    return clean_inline(" ".join(t for p in tc.iter(W + "p") if (t := _paragraph_text(p))))


def _cells(tr: Any) -> list[Any]:
    """A row's cells, also those inside content controls."""
    controlled = [c for sdt in tr.iterchildren(W + "sdt") for c in sdt.iterchildren(W + "sdtContent")]
    return [c for c in tr.iterchildren() if c.tag == W + "tc"] + [
        c for content in controlled for c in content
    ]


def _int_attr(parent: Any, tag: str, default: int) -> int:
    node = parent.find(tag) if parent is not None else None
    try:
        return int(node.get(W + "val")) if node is not None else default
    except (TypeError, ValueError):
        return default


def _grid_entries(tbl: Any) -> list[list[tuple[int, int, str | None, Any]]]:
    """Each row's cells as (grid column, columns spanned, vMerge state, element)."""
    rows = []
    for tr in tbl.iterchildren(W + "tr"):
        col = _int_attr(tr.find(W + "trPr"), W + "gridBefore", 0)
        entries = []
        for tc in _cells(tr):
            tcpr = tc.find(W + "tcPr")
            span = max(1, _int_attr(tcpr, W + "gridSpan", 1))
            merge = tcpr.find(W + "vMerge") if tcpr is not None else None
            restart = merge is not None and merge.get(W + "val") == "restart"
            state = None if merge is None else "restart" if restart else "continue"
            entries.append((col, span, state, tc))
            col += span
        rows.append(entries)
    return rows


def _is_layout(tbl: Any, grid: list[list[tuple[int, int, str | None, Any]]]) -> bool:
    nests = any(inner is not tbl for inner in tbl.iter(W + "tbl"))
    cells = [(_cell_text(tc), len(tc.findall(W + "p"))) for row in grid for *_, tc in row]
    return is_layout_table(nests, cells)


def _rows(grid: list[list[tuple[int, int, str | None, Any]]], path: str) -> list[list[RawCell]]:
    """Rows of raw cells with their spans; cells continuing a vertical merge are left out."""
    rows: list[list[RawCell]] = []
    for r, entries in enumerate(grid):
        row: list[RawCell] = []
        next_col = 0
        for i, (col, span, state, tc) in enumerate(entries):
            if state == "continue":
                next_col = col + span
                continue
            row.extend(RawCell("", Location(path=f"{path}/tr[{r + 1}]")) for _ in range(col - next_col))
            rowspan = 1
            if state == "restart":
                while r + rowspan < len(grid) and any(
                    c == col and s == "continue" for c, _, s, _ in grid[r + rowspan]
                ):
                    rowspan += 1
            location = Location(path=f"{path}/tr[{r + 1}]/tc[{i + 1}]")
            row.append(RawCell(_cell_text(tc), location, rowspan, span))
            next_col = col + span
        rows.append(row)
    return rows


def _prefix_paths(item: Item, prefix: str) -> None:
    item.location = replace(item.location, path=prefix + (item.location.path or ""))
    for cell in getattr(item, "cells", ()):
        cell.location = replace(cell.location, path=prefix + (cell.location.path or ""))
