"""Clean-up of text as loaders see it: white space between Han characters, outline numbers."""

from __future__ import annotations

import regex

from ..model import Block, Location
from ..numbers import normalize_width
from ..patterns import Patterns

# Sentence-ending punctuation: a line holding one inside is a paragraph, not a heading.
_SENTENCE_END = regex.compile(r"[。；;！？!?]")
_DEFINITION = regex.compile(r"[:：]\s*\S")


def outline_number(text: str, patterns: Patterns) -> tuple[str, int] | None:
    """The outline marker a line starts with and its level, e.g. ("（一）", 2)."""
    normalized = normalize_width(text)
    for form in patterns.headings:
        match = form.regex.match(normalized)
        if match:
            return text[: match.end()], form.level
    return None


def make_block(text: str, location: Location, patterns: Patterns, *, force_heading: bool = False) -> Block:
    """A paragraph, or a heading when it opens with outline numbering and is short."""
    numbered = outline_number(text, patterns)
    if numbered is not None:
        number, level = numbered
        body = text[len(number) :]
        short = len(text) <= patterns.max_heading_chars
        # "1、事业收入：指…" is a numbered definition, not a section heading
        definition = _DEFINITION.search(body) is not None
        if short and not definition and not _SENTENCE_END.search(body.rstrip("。")):
            return Block("heading", text, location, level=level, number=number.strip())
    if force_heading:
        return Block("heading", text, location)  # an h1-h6 outside the outline: no rank
    return Block("paragraph", text, location)
