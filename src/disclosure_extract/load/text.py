"""Plain-text disclosures as they are published.

Running text is one paragraph per line. Tables are flattened one cell per line, each
cell line indented by a tab (an empty cell is a lone tab); rows are separated by blank
lines; a table ends at the first line that is neither blank nor a cell.
"""

from __future__ import annotations

from ..model import Block, Document, Item, Location
from ..patterns import Patterns
from .tables import RawCell, finish_table, place_ragged, preceding_caption
from .textclean import clean_inline, make_block

CELL_INDENT = "\t"
# A spreadsheet pasted as text: one row per line, cells separated by tabs.
# A title is the first line when it is at most this long and is not a sentence.
MAX_TITLE_CHARS = 60


def load_text(
    text: str, source: str, sha256: str, patterns: Patterns, encoding: str | None = None
) -> Document:
    items: list[Item] = []
    lines = text.splitlines(keepends=True)
    offsets = []
    pos = 0
    for line in lines:
        offsets.append(pos)
        pos += len(line)

    rows: list[list[RawCell]] = []
    row: list[RawCell] = []
    table_start = 0

    def flush_table() -> None:
        nonlocal rows, row
        if row:
            rows.append(row)
            row = []
        if not rows:
            return
        width = max(len(r) for r in rows)
        if width <= 1:
            # one cell per row is text that happens to be indented, not a table
            for r in rows:
                for cell in r:
                    if cell.text:
                        items.append(make_block(cell.text, cell.location, patterns))
        else:
            last = rows[-1][-1].location
            location = Location(line_start=table_start, line_end=last.line_end)
            table = finish_table(place_ragged(rows), location, patterns, caption=preceding_caption(items))
            if table is not None:
                items.append(table)
        rows = []

    for n, raw_line in enumerate(lines):
        line = raw_line.rstrip("\r\n")
        line_no = n + 1
        if CELL_INDENT in line.strip() and line.strip():
            # a whole row on one line, cells separated by tabs (spreadsheet copy-paste)
            if row:
                rows.append(row)
                row = []
            if not rows:
                table_start = line_no
            rows.append(_tab_row(line, offsets[n], line_no))
            continue
        if line.startswith(CELL_INDENT):
            if not rows and not row:
                table_start = line_no
            content = line[len(CELL_INDENT) :]
            start = offsets[n] + len(CELL_INDENT) + (len(content) - len(content.lstrip()))
            cell_text = clean_inline(content)
            location = Location(
                line_start=line_no, line_end=line_no, char_start=start, char_end=start + len(content.strip())
            )
            row.append(RawCell(cell_text, location))
            continue
        if not line.strip():
            if row:
                rows.append(row)
                row = []
            continue
        flush_table()
        stripped = line.strip()
        start = offsets[n] + line.index(stripped[0])
        location = Location(
            line_start=line_no, line_end=line_no, char_start=start, char_end=start + len(stripped)
        )
        # the line is kept as printed so evidence offsets point into the file exactly
        items.append(make_block(stripped, location, patterns))
    flush_table()

    title = ""
    first = next((i for i in items if isinstance(i, Block)), None)
    if (
        first is not None
        and len(first.text) <= MAX_TITLE_CHARS
        and not first.text.endswith(("。", "：", ":"))
    ):
        title = first.text
        first.kind, first.level = "heading", None  # the title heads the document, not a section
    return Document(source=source, sha256=sha256, format="text", items=items, title=title, encoding=encoding)


def _tab_row(line: str, line_offset: int, line_no: int) -> list[RawCell]:
    cells = []
    pos = 0
    for piece in line.split(CELL_INDENT):
        lead = len(piece) - len(piece.lstrip())
        start = line_offset + pos + lead
        location = Location(
            line_start=line_no, line_end=line_no, char_start=start, char_end=start + len(piece.strip())
        )
        cells.append(RawCell(clean_inline(piece), location))
        pos += len(piece) + len(CELL_INDENT)
    return cells
