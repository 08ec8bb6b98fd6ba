"""Is the disclosure complete? The document held to its template (patterns/templates.yml).

The template is the most specific one for the document's kind, year and region (a regional
one before the national). Each of its tables is looked for among the document's tables by
kind (tables.yml), then its title compared with the titles that count as the template's own;
each section among its headings and paragraphs. An item not found may be explained: a
sentence saying the department has none of it (本单位无政府性基金预算，故本表为空).
"""

from __future__ import annotations

import bisect
import itertools
from dataclasses import replace

import regex

from ..model import Block, Cell, Completeness, Document, Location, Meta, RequiredItem, StatedChange, Table
from ..numbers import parse_cell_amount
from ..patterns import Patterns, Template, TemplateItem
from .tables import table_kind

# A caption's title: what is left of its first line without the year, the table's number
# and a parenthesised unit.
_TITLE_NOISE = regex.compile(
    r"^(?:(?:附|公开)?表\s*[\d一二三四五六七八九十]+\s*[、.．:：\-—]?\s*)?(?:\d{4}\s*年度?)?|[（(][^）)]*[）)]$"
)
_TITLE_END = regex.compile(r"^.{2,}?表")
# a change and its reason are read within sentences ended by a full stop (a ； goes on)
_FULL_STOP = regex.compile(r"(?<=[。！!？?\n])")
_TITLE_LINE_CHARS = 40
_PUNCTUATION = regex.compile(r"[，,。；;：:！!？?]")
_ENDS_SENTENCE = regex.compile(r"[。！!？?]\s*$")
_SENTENCE_END = regex.compile(r"(?<=[。；;！!？?\n])")
MAX_FOUND_CHARS = 80
# A change's reason is looked for in its sentence and this many after it.
REASON_WINDOW = 3


def table_title(caption: str) -> str:
    """The title a caption gives its table: 2023年部门收入预算总表 编制部门：… → 部门收入预算总表."""
    words = caption.split()
    first = words[0] if words else ""
    for mark in ("编制", "单位：", "单位:", "金额单位"):
        first = first.split(mark)[0]
    title = _TITLE_NOISE.sub("", first).strip()
    # a title ends at its first 表 (…支出预算表公开表九: the table's number follows)
    ended = _TITLE_END.match(title)
    return ended.group(0) if ended else title


def choose_template(meta: Meta, patterns: Patterns) -> Template | None:
    """The most specific template for the document: regional ones are tried first."""
    ordered = sorted(patterns.templates, key=lambda t: t.region_re is None)
    return next((t for t in ordered if t.applies(meta.kind, meta.year, meta.region)), None)


def assess_completeness(doc: Document, meta: Meta, patterns: Patterns) -> Completeness | None:
    """Each table and section of the document's template as found in it; None when no
    template applies (the kind or year is unknown, or before any template)."""
    template = choose_template(meta, patterns)
    if template is None:
        return None
    statements = _empty_statements(doc, patterns)
    attached = _attachment_list(doc, patterns)
    lines = [b for b in doc.blocks if _section_line(b, patterns)]
    result = Completeness(template.id)
    for item in template.tables:
        found = _table_item(item, doc.tables, meta.year) or _attached(item, attached, meta.year, patterns)
        if found is not None and found.status in ("present", "nonstandard"):
            found.empty = _empty_table(item, found, doc.tables, statements)
        result.items.append(found or _absent(item, "table", item.required_in(meta.year), statements))
    for item in template.sections:
        result.items.append(_section_item(item, lines, statements, meta.year))
    sentences = _sentences(doc.blocks)
    result.changes = stated_changes(sentences, patterns) + table_changes(doc, sentences, template, patterns)
    result.departments = named_departments(doc, sentences, patterns)
    return result


def named_departments(
    doc: Document, sentences: list[tuple[str, Location]], patterns: Patterns
) -> list[tuple[str, Location]]:
    """The department as the document names it besides its cover: in a table's 编制部门 line,
    and in a heading, caption or sentence opening with the name before the year."""
    assert patterns.department_label is not None and patterns.department_title is not None
    texts = [
        (t.caption, Location(page=t.location.page, path=t.location.path, table=t.index)) for t in doc.tables
    ]
    texts += [(b.text, b.location) for b in doc.blocks if len(b.text) <= patterns.max_attachment_line_chars]
    texts += sentences  # the prose: 上海市普陀区财政局2024年度收入支出总计…
    found: dict[str, Location] = {}
    for text, where in texts:
        compact = "".join(text.split())
        for match in patterns.department_label.finditer(compact):
            found.setdefault(match.group("name"), where)
        title = patterns.department_title.match(compact)
        if title is not None:
            found.setdefault(title.group("name"), where)
    return list(found.items())


def stated_changes(sentences: list[tuple[str, Location]], patterns: Patterns) -> list[StatedChange]:
    """Each sentence stating a change against the previous year, with the sentence giving its
    reason: the same one or one of the next three (a PDF's paragraph may end between them).
    A change of nothing needs none."""
    assert patterns.change and patterns.reason and patterns.zero_change
    changes = []
    for n, (sentence, where) in enumerate(sentences):
        if not patterns.change.search(sentence) or patterns.zero_change.search(sentence):
            continue
        near = [text for text, _ in sentences[n : n + 1 + REASON_WINDOW]]
        reason = next((text for text in near if patterns.reason.search(text)), "")
        changes.append(StatedChange(sentence[:MAX_FOUND_CHARS], reason[:MAX_FOUND_CHARS], where))
    return changes


# A table's header is in its first rows; its change column is found there.
HEADER_ROWS = 3


def table_changes(
    doc: Document, sentences: list[tuple[str, Location]], template: Template, patterns: Patterns
) -> list[StatedChange]:
    """The change a template table states in its total row (合计 | … | 比上年增减 -204.61), with
    the sentence of the prose giving a reason for a change of its subject (三公 …), if any.
    Only tables of items with a subject are read: a reason must say what it is a reason for."""
    assert patterns.reason is not None
    changes = []
    for table in doc.tables:
        item = next((i for i in template.tables if i.kind == table.kind and i.subject_re), None)
        stated = _total_row_change(table, patterns)
        if item is None or item.subject_re is None or stated is None:
            continue
        text, cell = stated
        subject = item.subject_re
        reason = next((s for s, _ in sentences if patterns.reason.search(s) and subject.search(s)), "")
        where = Location(page=cell.location.page, table=table.index, row=cell.row, col=cell.col)
        changes.append(StatedChange(f"{table_title(table.caption)}: {text}", reason[:MAX_FOUND_CHARS], where))
    return changes


def _total_row_change(table: Table, patterns: Patterns) -> tuple[str, Cell] | None:
    """The total row's figure in the table's change column (比上年增减), when it is not 0."""
    headers = [
        c
        for c in table.cells
        if c.row < HEADER_ROWS and patterns.change_column.match("".join(c.text.split()))
    ]
    if not headers:
        return None
    column = min(headers, key=lambda c: c.col)
    grid = table.grid()
    for row in grid:
        first = next((c for c in row if c is not None and c.text.strip()), None)
        if first is None or not patterns.total_row.match("".join(first.text.split())):
            continue
        cell = row[column.col] if column.col < len(row) else None
        value = parse_cell_amount(cell.text) if cell is not None else None
        if cell is None or not value:
            return None
        return f"{first.text.strip()} {''.join(column.text.split())} {cell.text.strip()}", cell
    return None


def _sentences(blocks: list[Block]) -> list[tuple[str, Location]]:
    """The running text's sentences, each with the block it starts in. A paragraph that does
    not end a sentence runs on into the next (PDF parsers end a paragraph at a line's end in
    different places, and a sentence must not depend on where); a heading stands alone."""
    sentences: list[tuple[str, Location]] = []
    run: list[Block] = []
    for block in [*blocks, None]:
        ends = block is None or _alone(block) or bool(run and _alone(run[-1]))
        if run and (ends or _ENDS_SENTENCE.search(run[-1].text)):
            sentences.extend(_split_run(run))
            run = []
        if block is not None:
            run.append(block)
    return sentences


def _alone(block: Block) -> bool:
    """A heading, or a title line (short, no punctuation): never part of a sentence."""
    return block.kind == "heading" or (
        len(block.text) <= _TITLE_LINE_CHARS and not _PUNCTUATION.search(block.text)
    )


def _split_run(run: list[Block]) -> list[tuple[str, Location]]:
    text = "".join(b.text for b in run)
    starts = list(itertools.accumulate((len(b.text) for b in run[:-1]), initial=0))
    out, offset = [], 0
    for piece in _FULL_STOP.split(text):
        if piece.strip():
            block = run[bisect.bisect_right(starts, offset + len(piece) - len(piece.lstrip())) - 1]
            # the block's box depends on where the parser ended its paragraph: the page says where
            out.append((piece.strip(), replace(block.location, bbox=None)))
        offset += len(piece)
    return out


def _table_item(item: TemplateItem, tables: list[Table], year: int | None) -> RequiredItem | None:
    """The item as a table of the document: under one of the template's titles if any is."""
    found = [t for t in tables if t.kind == item.kind]
    if not found:
        return None
    standard = None
    if item.titles_re is not None:
        titles_re = item.titles_re
        standard = next(
            ((m.group(0), t) for t in found if (m := titles_re.search("".join(t.caption.split())))), None
        )
    title, table = standard or (table_title(found[0].caption), found[0])
    status = "present" if standard is not None or item.titles_re is None else "nonstandard"
    where = Location(page=table.location.page, path=table.location.path, table=table.index)
    found_title = title[:MAX_FOUND_CHARS]
    return RequiredItem(item.id, item.title, "table", status, item.required_in(year), found_title, where)


def _empty_table(
    item: TemplateItem, found: RequiredItem, tables: list[Table], statements: list[tuple[str, Location]]
) -> str | None:
    """None when the table states a figure other than 0; else the sentence saying why it is
    empty (本单位无政府性基金预算，故本表为空), or "" when none does."""
    table = next((t for t in tables if found.location is not None and t.index == found.location.table), None)
    if table is None or any(parse_cell_amount(c.text) for c in table.cells):
        return None
    said = _statement_of(item.subject_re, statements)
    return said[0][:MAX_FOUND_CHARS] if said is not None else ""


def _attached(
    item: TemplateItem, attached: list[tuple[str, Block]], year: int | None, patterns: Patterns
) -> RequiredItem | None:
    """The item named in the page's lists of attachments: published, in a file not read here."""
    for name, block in attached:
        if table_kind(name, patterns) == item.kind:
            required = item.required_in(year)
            return RequiredItem(
                item.id, item.title, "table", "attached", required, name[:MAX_FOUND_CHARS], block.location
            )
    return None


def _section_item(
    item: TemplateItem, lines: list[Block], statements: list[tuple[str, Location]], year: int | None
) -> RequiredItem:
    assert item.text_re is not None  # sections are found by their text (validated on load)
    text_re = item.text_re
    block = next((b for b in lines if text_re.search(b.text)), None)
    required = item.required_in(year)
    if block is None:
        return _absent(item, "section", required, statements)
    found = block.text[:MAX_FOUND_CHARS]
    return RequiredItem(item.id, item.title, "section", "present", required, found, block.location)


def _attachment_list(doc: Document, patterns: Patterns) -> list[tuple[str, Block]]:
    """The names in the page's lists of attachments (附件：1.收支预算总表 2.收入预算总表 …),
    without their numbers, each with its line."""
    assert patterns.attachment_list and patterns.attachment_number and patterns.attachment_split
    names: list[tuple[str, Block]] = []
    blocks = doc.blocks
    for n, block in enumerate(blocks):
        if not patterns.attachment_list.match(block.text):
            continue
        for line in [block, *blocks[n + 1 :]]:
            if line is not block and (
                len(line.text) > patterns.max_attachment_line_chars
                or patterns.attachment_list.match(line.text)
            ):
                break
            for piece in patterns.attachment_split.split(line.text):
                name = patterns.attachment_number.sub("", piece).strip()
                if name:
                    names.append((name, line))
    return names


def _section_line(block: Block, patterns: Patterns) -> bool:
    """A heading, or a short line, that is not a table's title (those are not sections)."""
    text = block.text.strip()
    short = len(text) <= patterns.max_section_line_chars
    return (block.kind == "heading" or short) and not (short and text.endswith("表"))


def _absent(
    item: TemplateItem, group: str, required: bool, statements: list[tuple[str, Location]]
) -> RequiredItem:
    # an item with no subject cannot be explained away: any empty statement would do
    said = _statement_of(item.subject_re, statements) if item.subject_re is not None else None
    if said is None:
        return RequiredItem(item.id, item.title, group, "missing", required)
    sentence, where = said
    return RequiredItem(item.id, item.title, group, "explained", required, sentence[:MAX_FOUND_CHARS], where)


def _statement_of(
    subject: regex.Pattern[str] | None, statements: list[tuple[str, Location]]
) -> tuple[str, Location] | None:
    """The first statement that something is empty naming ``subject`` (any, for None)."""
    return next(((s, w) for s, w in statements if subject is None or subject.search(s)), None)


def _empty_statements(doc: Document, patterns: Patterns) -> list[tuple[str, Location]]:
    """Every sentence of the document (paragraphs, table captions and cells) saying something
    is empty or does not apply, with where it is."""
    assert patterns.empty_statement is not None
    texts: list[tuple[str, Location]] = [(b.text, b.location) for b in doc.blocks]
    for table in doc.tables:
        texts.append((table.caption, table.location))
        texts.extend((c.text, c.location) for c in table.cells if len(c.text) > 6)
    found = []
    for text, where in texts:
        for sentence in _SENTENCE_END.split(text):
            compact = "".join(sentence.split())
            if compact and patterns.empty_statement.search(compact):
                found.append((compact, where))
    return found
