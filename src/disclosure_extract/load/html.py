"""HTML pages as government sites publish them.

The article body is found inside the site template (navigation, breadcrumbs, share bars
and footers are not content), then walked in document order into headings, paragraphs
and tables. Word-exported HTML (mso classes, ``<o:p>``, conditional comments) and
nested layout tables are handled; every item keeps its source line and XPath.
"""

from __future__ import annotations

from typing import Any

import lxml.etree
import lxml.html
import regex

from ..common.text import clean_inline
from ..errors import EmptyDocumentError, LoadError
from ..model import Document, Item, Location
from ..patterns import Patterns
from .tables import RawCell, finish_table, is_layout_table, place_spanned, preceding_caption, split_at_titles
from .textclean import make_block

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "main",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "li",
        "ul",
        "ol",
        "dl",
        "dt",
        "dd",
        "blockquote",
        "pre",
        "center",
        "address",
        "figure",
        "figcaption",
        "caption",
        "tr",
        "td",
        "th",
        "tbody",
        "thead",
        "tfoot",
        "body",
        "html",
    ]
)
HEADING_TAGS = frozenset(["h1", "h2", "h3", "h4", "h5", "h6"])
CANDIDATE_TAGS = frozenset(["div", "td", "article", "section", "main", "body"])
_HIDDEN_STYLE = regex.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", regex.IGNORECASE)
_CONTROL = regex.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")


def load_html(text: str, source: str, sha256: str, patterns: Patterns) -> Document:
    # lxml refuses str input that carries an encoding declaration; drop the XML one.
    text = regex.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    # C0 controls (NUL, ESC …) are no text, and lxml refuses some of them: dropped
    text = _CONTROL.sub("", text)
    try:
        root = lxml.html.document_fromstring(text)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise LoadError(source, f"HTML could not be parsed: {exc}") from exc
    tree = root.getroottree()
    properties = _meta_properties(root, patterns)
    title = _title(root, properties)
    _drop_template(root, patterns)
    attachments = _attachment_links(root)
    # links outside the template: dozens mean a column listing, a few an article
    content_links = sum(1 for _ in root.iter("a"))
    body = _content_root(root, patterns)
    walker = _Walker(tree, patterns)
    walker.walk(body)
    walker.flush()
    items = walker.items
    if not items:
        raise EmptyDocumentError(source, "the page holds no text outside its template")
    doc = Document(
        source=source,
        sha256=sha256,
        format="html",
        items=items,
        title=title,
        properties=properties,
        attachments=attachments,
        content_links=content_links,
    )
    return doc


_ATTACHMENT_HREF = regex.compile(r"\.(?:pdf|docx?|xlsx?|wps|et|rar|zip)(?:$|\?)", regex.IGNORECASE)


def _attachment_links(root: Any) -> list[str]:
    """Links to attached files (PDF, Word, Excel, archives) anywhere outside the template."""
    found = []
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if href and _ATTACHMENT_HREF.search(href) and href not in found:
            found.append(href)
    return found


def _meta_properties(root: Any, patterns: Patterns) -> dict[str, str]:
    wanted = {name.lower(): name for name in patterns.html["meta_names"]}
    props: dict[str, str] = {}
    for meta in root.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").lower()
        if name in wanted and meta.get("content"):
            props[wanted[name]] = clean_inline(meta.get("content"))
    title_el = root.find(".//title")
    if title_el is not None:
        props["html_title"] = clean_inline(title_el.text_content())
    return props


def _title(root: Any, properties: dict[str, str]) -> str:
    """The article's own title: CMS meta first, then the first h1, then <title>."""
    if properties.get("ArticleTitle"):
        return properties["ArticleTitle"]
    for tag in ("h1", "h2"):
        el = root.find(f".//{tag}")
        if el is not None and clean_inline(el.text_content()):
            return clean_inline(el.text_content())
    return properties.get("html_title", "")


def _drop_template(root: Any, patterns: Patterns) -> None:
    drop = set(patterns.html["drop_tags"])
    boilerplate = patterns.html["boilerplate_re"]
    doomed = []
    for el in root.iter():
        if not isinstance(el.tag, str):  # comments (Word's <!--[if …]>), processing instructions
            doomed.append(el)
            continue
        tag = el.tag.lower()
        if tag in drop or _HIDDEN_STYLE.search(el.get("style") or ""):
            doomed.append(el)
            continue
        if tag in ("body", "html", "table", "tr", "td", "th"):
            continue
        marks = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
        if marks and boilerplate.search(marks):
            doomed.append(el)
    for el in doomed:
        parent = el.getparent()
        if parent is None:
            continue
        # keep the tail text: it belongs to the parent, not to the dropped element
        if el.tail:
            prev = el.getprevious()
            if prev is not None:
                prev.tail = (prev.tail or "") + el.tail
            else:
                parent.text = (parent.text or "") + el.tail
        parent.remove(el)


def _content_root(root: Any, patterns: Patterns) -> Any:
    """The element holding the article: most text, least link text, deepest on ties."""
    penalty = float(patterns.html["link_penalty"])
    share = float(patterns.html["deepest_share"])
    scores: dict[Any, tuple[float, int]] = {}

    def visit(el: Any, depth: int) -> tuple[int, int]:
        text_len = len((el.text or "").strip())
        link_len = text_len if el.tag == "a" else 0
        for child in el:
            if not isinstance(child.tag, str):
                continue
            t, lk = visit(child, depth + 1)
            text_len += t + len((child.tail or "").strip())
            link_len += t if el.tag == "a" else lk
        if el.tag in CANDIDATE_TAGS:
            scores[el] = (text_len - penalty * link_len, depth)
        return text_len, link_len

    visit(root, 0)
    body = root.find("body")
    if not scores:
        return body if body is not None else root
    best = max(score for score, _ in scores.values())
    if best <= 0:
        return body if body is not None else root
    # deeper candidates that keep nearly all of the best score drop side material
    near = [(depth, el) for el, (score, depth) in scores.items() if score >= share * best]
    near.sort(key=lambda pair: pair[0])
    return near[-1][1]


class _Walker:
    """Walks the body in document order, gathering inline text into blocks."""

    def __init__(self, tree: Any, patterns: Patterns) -> None:
        self.tree = tree
        self.patterns = patterns
        self.items: list[Item] = []
        self.buffer: list[str] = []
        self.buffer_el: Any = None
        self.heading_tag = False

    def flush(self) -> None:
        text = clean_inline("".join(self.buffer))
        if text and self.buffer_el is not None:
            location = Location(line_start=self.buffer_el.sourceline, path=self.tree.getpath(self.buffer_el))
            self.items.append(make_block(text, location, self.patterns, force_heading=self.heading_tag))
        self.buffer = []
        self.buffer_el = None
        self.heading_tag = False

    def add_text(self, text: str | None, el: Any) -> None:
        if text and text.strip():
            if self.buffer_el is None:
                self.buffer_el = el
            self.buffer.append(text)
        elif text:
            self.buffer.append(" ")

    def walk(self, el: Any) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "table":
            self.flush()
            if _is_layout_table(el):
                for cell in el.iter("td", "th"):
                    if _nearest_table(cell) is el:
                        self.add_text(cell.text, cell)
                        self.walk_children(cell)
                        self.flush()
            else:
                self.emit_table(el)
            return
        if tag == "br":
            self.flush()
            return
        block = tag in BLOCK_TAGS
        if block:
            self.flush()
            self.heading_tag = tag in HEADING_TAGS
        self.add_text(el.text, el)
        self.walk_children(el)
        if block:
            self.flush()

    def walk_children(self, el: Any) -> None:
        for child in el:
            if isinstance(child.tag, str):
                self.walk(child)
            self.add_text(child.tail, el)

    def emit_table(self, table_el: Any) -> None:
        rows: list[list[RawCell]] = []
        for tr in table_el.iter("tr"):
            if _nearest_table(tr) is not table_el:
                continue
            row = []
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                    continue
                location = Location(line_start=cell.sourceline, path=self.tree.getpath(cell))
                row.append(
                    RawCell(
                        _cell_text(cell), location, _span(cell.get("rowspan")), _span(cell.get("colspan"))
                    )
                )
            rows.append(row)
        if not any(rows):
            return
        caption_el = table_el.find("caption")
        caption = (
            clean_inline(caption_el.text_content())
            if caption_el is not None
            else preceding_caption(self.items, self.patterns)
        )
        location = Location(line_start=table_el.sourceline, path=self.tree.getpath(table_el))
        for i, part in enumerate(split_at_titles(place_spanned(rows), self.patterns)):
            table = finish_table(part, location, self.patterns, caption=caption if i == 0 else "")
            if table is not None:
                self.items.append(table)


def _cell_text(cell: Any) -> str:
    parts = []
    for piece in cell.itertext():
        parts.append(piece)
    return clean_inline("".join(parts))


def _span(value: str | None) -> int:
    if not value:
        return 1
    digits = regex.match(r"\s*(\d+)", value)
    return int(digits.group(1)) if digits and int(digits.group(1)) > 0 else 1


def _nearest_table(el: Any) -> Any:
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _is_layout_table(table_el: Any) -> bool:
    """A table used to lay out a page: it nests tables, or is one big text box."""
    nests = any(inner is not table_el for inner in table_el.iter("table"))
    cells = [c for c in table_el.iter("td", "th") if _nearest_table(c) is table_el]
    texts = [
        (clean_inline(c.text_content()), len(c.findall(".//p")) + len(c.findall(".//br"))) for c in cells
    ]
    return is_layout_table(nests, texts)
