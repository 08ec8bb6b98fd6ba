"""The section tree: Chinese outline numbering (第一部分, 一、, （一）, 1．, (1), ①) as nesting."""

from __future__ import annotations

from dataclasses import dataclass, field

import regex

from ..model import Block, Document, Item


@dataclass
class Section:
    """A heading and everything up to the next heading of the same or a higher rank."""

    title: str
    level: int
    heading: Block | None = None
    items: list[Item] = field(default_factory=list)  # direct content, headings of subsections excluded
    children: list[Section] = field(default_factory=list)
    parent: Section | None = field(default=None, repr=False)

    def path(self) -> list[str]:
        """Titles from the outermost section down to this one (the root has none)."""
        out: list[str] = []
        node: Section | None = self
        while node is not None and node.heading is not None:
            out.append(node.title)
            node = node.parent
        return out[::-1]

    def all_items(self) -> list[Item]:
        """This section's items and those of every subsection, in document order."""
        out = list(self.items)
        for child in self.children:
            if child.heading is not None:
                out.append(child.heading)
            out.extend(child.all_items())
        return sorted(out, key=_position)

    def find(self, pattern: str | regex.Pattern[str]) -> list[Section]:
        """Every section below this one whose title matches ``pattern`` (searched)."""
        rx = regex.compile(pattern) if isinstance(pattern, str) else pattern
        found = []
        for child in self.children:
            if rx.search(child.title):
                found.append(child)
            found.extend(child.find(rx))
        return found


def _position(item: Item) -> int:
    return item.item_index if hasattr(item, "item_index") else item.index


@dataclass
class Outline:
    """The section tree of a document and, for every item, the section holding it."""

    root: Section
    section_of: dict[int, Section]  # id(item) -> innermost section

    def context(self, item: Item) -> list[str]:
        section = self.section_of.get(id(item))
        return section.path() if section is not None else []


# A table of contents lists headings that are not sections: 目录 opens it.
TOC_RE = regex.compile(r"^目\s*录")


def _toc_items(doc: Document) -> set[int]:
    """Items of a table of contents: on its page (PDF), or the run of headings after 目录."""
    toc: set[int] = set()
    for i, item in enumerate(doc.items):
        if not (isinstance(item, Block) and TOC_RE.match(item.text)):
            continue
        page = item.location.page
        for later in doc.items[i + 1 :]:
            if page is not None:
                if later.location.page != page:
                    break
            elif not (isinstance(later, Block) and later.kind == "heading"):
                break
            toc.add(id(later))
    return toc


def build_outline(doc: Document) -> Outline:
    root = Section(title="", level=-1)
    stack = [root]
    section_of: dict[int, Section] = {}
    toc = _toc_items(doc)
    for item in doc.items:
        if id(item) in toc:
            section_of[id(item)] = root
            root.items.append(item)
            continue
        if isinstance(item, Block) and item.kind == "heading" and item.level is not None:
            while stack[-1].level >= item.level:
                stack.pop()
            section = Section(title=item.text, level=item.level, heading=item, parent=stack[-1])
            stack[-1].children.append(section)
            stack.append(section)
            section_of[id(item)] = stack[-2]
            continue
        stack[-1].items.append(item)
        section_of[id(item)] = stack[-1]
    return Outline(root=root, section_of=section_of)
