"""Plain-text disclosures as they are published.

Running text is one paragraph per line. Tables come in the forms stored pages and
converters produce:

- one cell per line, each cell line indented by a tab (an empty cell is a lone tab), rows
  separated by blank lines; a table ends at the first line that is neither blank nor a cell;
- one row per line, cells separated by tabs (a spreadsheet pasted as text);
- one row per line, cells separated by ``|`` (``合计 | 2911.47 | 2706.86 |``); spanned cells
  are lost, so a short header row under a wider one is the sub-header of the last columns;
- one cell per line, each ending in ``|``, with no row breaks: the row width is the
  header's, the run of text cells before the first number less the first row label.
"""

from __future__ import annotations

from ..common.text import clean_inline
from ..model import Block, Document, Item, Location
from ..numbers import parse_cell_amount
from ..patterns import Patterns
from .tables import RawCell, finish_table, place_ragged, preceding_caption, split_at_titles
from .textclean import make_block

CELL_INDENT = "\t"
PIPE = "|"
# A spreadsheet pasted as text: one row per line, cells separated by tabs.
# A title is the first line when it is at most this long and is not a sentence.
MAX_TITLE_CHARS = 60


def load_text(
    text: str, source: str, sha256: str, patterns: Patterns, encoding: str | None = None
) -> Document:
    reader = _TextReader(patterns)
    offset = 0
    for n, raw_line in enumerate(text.splitlines(keepends=True)):
        reader.read_line(raw_line.rstrip("\r\n"), n + 1, offset)
        offset += len(raw_line)
    reader.flush_table()
    items = reader.items

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


class _TextReader:
    """Reads a text file line by line into blocks and tables (see the module's forms)."""

    def __init__(self, patterns: Patterns) -> None:
        self.patterns = patterns
        self.items: list[Item] = []
        self.rows: list[list[RawCell]] = []
        self.row: list[RawCell] = []  # the cells of a one-cell-per-line row being gathered
        self.table_start = 0
        self.piped = False  # the rows being gathered are "|"-separated
        self.column: list[RawCell] = []  # one-cell-per-line "|" cells, rows not yet known

    def read_line(self, line: str, line_no: int, offset: int) -> None:
        stripped = line.strip()
        if stripped.endswith(PIPE) and stripped.count(PIPE) == 1 and len(stripped) > 1:
            if self.rows or self.row:
                self.flush_table()
            self.column.extend(_pipe_row(line, offset, line_no))
            return
        self.flush_column()
        piped = _pipe_row(line, offset, line_no) if PIPE in stripped else []
        if piped:
            self._pipe_line(piped, line_no)
            return
        if self.piped:
            self.flush_table()
        if CELL_INDENT in stripped:
            self._tab_line(line, line_no, offset)
        elif line.startswith(CELL_INDENT):
            self._indented_cell(line, line_no, offset)
        elif not stripped:
            self._end_row()
        else:
            self.flush_table()
            start = offset + line.index(stripped[0])
            location = Location(
                line_start=line_no, line_end=line_no, char_start=start, char_end=start + len(stripped)
            )
            # the line is kept as printed so evidence offsets point into the file exactly
            self.items.append(make_block(stripped, location, self.patterns))

    def _start(self, line_no: int) -> None:
        if not self.rows and not self.row:
            self.table_start = line_no

    def _end_row(self) -> None:
        if self.row:
            self.rows.append(self.row)
            self.row = []

    def _pipe_line(self, cells: list[RawCell], line_no: int) -> None:
        if (self.rows or self.row) and not self.piped:
            self.flush_table()
        self._start(line_no)
        self.piped = True
        self.rows.append(cells)

    def _tab_line(self, line: str, line_no: int, offset: int) -> None:
        """A whole row on one line, cells separated by tabs (spreadsheet copy-paste)."""
        self._end_row()
        self._start(line_no)
        self.rows.append(_tab_row(line, offset, line_no))

    def _indented_cell(self, line: str, line_no: int, offset: int) -> None:
        self._start(line_no)
        content = line[len(CELL_INDENT) :]
        start = offset + len(CELL_INDENT) + (len(content) - len(content.lstrip()))
        location = Location(
            line_start=line_no, line_end=line_no, char_start=start, char_end=start + len(content.strip())
        )
        self.row.append(RawCell(clean_inline(content), location))

    def _caption(self) -> str:
        return preceding_caption(self.items, self.patterns)

    def flush_column(self) -> None:
        if self.column:
            for part in _column_rows(self.column):
                self.items.extend(_tables(part, True, self.patterns, self._caption()))
            self.column = []

    def flush_table(self) -> None:
        self.flush_column()
        self._end_row()
        rows, self.rows = self.rows, []
        if not rows:
            return
        if self.piped:
            self.piped = False
            self.items.extend(_tables(rows, True, self.patterns, self._caption()))
        elif max(len(r) for r in rows) <= 1:
            # one cell per row is text that happens to be indented, not a table
            self.items.extend(
                make_block(c.text, c.location, self.patterns) for r in rows for c in r if c.text
            )
        else:
            location = Location(line_start=self.table_start, line_end=rows[-1][-1].location.line_end)
            table = finish_table(place_ragged(rows), location, self.patterns, caption=self._caption())
            if table is not None:
                self.items.append(table)


def _split_row(line: str, line_offset: int, line_no: int, separator: str) -> list[RawCell]:
    """The cells of a line split at ``separator``, each located in the file."""
    cells = []
    pos = 0
    for piece in line.split(separator):
        lead = len(piece) - len(piece.lstrip())
        start = line_offset + pos + lead
        location = Location(
            line_start=line_no, line_end=line_no, char_start=start, char_end=start + len(piece.strip())
        )
        cells.append(RawCell(clean_inline(piece), location))
        pos += len(piece) + len(separator)
    return cells


def _tab_row(line: str, line_offset: int, line_no: int) -> list[RawCell]:
    return _split_row(line, line_offset, line_no, CELL_INDENT)


def _pipe_row(line: str, line_offset: int, line_no: int) -> list[RawCell]:
    """The cells of a "|"-separated line, without the empty ones its ends and spans leave."""
    cells = _split_row(line, line_offset, line_no, PIPE)
    if cells and not cells[0].text:
        cells.pop(0)  # "| a | b |": nothing before the first bar
    while cells and not cells[-1].text:
        cells.pop()  # a row's trailing empties are the positions of spans, not cells
    return cells


def _column_rows(cells: list[RawCell]) -> list[list[list[RawCell]]]:
    """Tables printed one cell per line with no row breaks, cut into rows.

    A run of text cells followed by a number is a header plus the first row's label, so
    the row width is the run's length less one. A new run of text cells as long as a
    header with a number after it starts the next table.
    """
    tables: list[list[list[RawCell]]] = []
    i = 0
    while i < len(cells):
        run = i
        while run < len(cells) and parse_cell_amount(cells[run].text) is None:
            run += 1
        width = run - i - 1
        if run >= len(cells) or width < 2:
            # no numbers follow: text, not a table; keep it as one column
            tables.append([[c] for c in cells[i : max(run, i + 1)]])
            i = max(run, i + 1)
            continue
        rows = [cells[i : i + width]]
        j = i + width
        while j + width <= len(cells):
            candidate = cells[j : j + width]
            if all(parse_cell_amount(c.text) is None for c in candidate) and j + width < len(cells):
                # a row without a single number: the header of the next table starts here
                break
            rows.append(candidate)
            j += width
        tables.append(rows)
        i = j
    return tables


def _align_subheaders(rows: list[list[RawCell]]) -> list[list[RawCell]]:
    """A short row of text under a row whose last cell must span: its cells sit under the span."""
    width = max((len(r) for r in rows), default=0)
    out: list[list[RawCell]] = []
    for row in rows:
        above = out[-1] if out else None
        if (
            above is not None
            and 0 < len(above) < width
            and len(row) == width - len(above) + 1
            and all(c.text and parse_cell_amount(c.text) is None for c in row)
        ):
            pad = [RawCell("", row[0].location) for _ in range(len(above) - 1)]
            out.append(pad + row)
            continue
        out.append(row)
    return out


def _tables(rows: list[list[RawCell]], piped: bool, patterns: Patterns, caption: str) -> list[Item]:
    """Rows printed without span information as tables, split at title rows."""
    if max((len(r) for r in rows), default=0) <= 1:
        return [make_block(c.text, c.location, patterns) for r in rows for c in r if c.text]
    cells = place_ragged(_align_subheaders(rows) if piped else rows)
    out: list[Item] = []
    for n, part in enumerate(split_at_titles(cells, patterns)):
        first = min(c.location.line_start or 0 for c in part)
        last = max(c.location.line_end or 0 for c in part)
        table = finish_table(
            part, Location(line_start=first, line_end=last), patterns, caption=caption if n == 0 else ""
        )
        if table is not None:
            out.append(table)
    return out
