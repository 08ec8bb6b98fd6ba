"""Facts stated in running text.

A sentence is read amount by amount. Each amount (a number with a money unit) is named
by the label nearest before it in its clause; a clause with no label of its own falls
back to the heading of its section ("（一）公务接待费" … "预算安排2.00万元"). A change word
right before an amount ("较2016年增加35.67万元") makes it the signed change of the
nearest labelled figure before it. Clauses without amounts can still state values:
"全部为一般公共预算安排" (the part equals the whole), "无政府采购预算" (zero), and
"与上年无增减变化" (a change of zero).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import regex

from ..model import Block, Document, Evidence, Fact, Location
from ..numbers import half_last_digit, normalize_width, parse_decimal, to_yuan
from ..patterns import Patterns
from .labels import clean_label, heading_label, match_prose_label
from .sections import Outline

# An amount with its money unit, on width-normalised text (offsets are preserved).
AMOUNT_RE = regex.compile(r"(?<![\d.,])(?P<num>-?\d[\d,]*(?:\.\d+)?)\s*(?P<unit>亿元|万元|千元|元)")
SENTENCE_RE = regex.compile(r"[^。!?！？]+[。!?！？]?")
# Clause separators: a label never reaches back over them. Brackets are not separators
# because labels contain them (因公出国（境）费).
CLAUSE_SEP_RE = regex.compile(r"[,，;；:：、]")
# A change word sits right before its amount; allow "了" / "为" between ("增加了", "减少为").
CHANGE_GAP_RE = regex.compile(r"(?:了|为|约|共)?$")


@dataclass
class _Named:
    """A figure the sentence has named so far: the subject of what follows."""

    fields: tuple[str, ...]
    label: str
    amount: Decimal | None


def extract_prose(doc: Document, outline: Outline, patterns: Patterns) -> list[Fact]:
    facts: list[Fact] = []
    for block in doc.blocks:
        if block.kind == "heading" and not AMOUNT_RE.search(normalize_width(block.text)):
            continue
        facts.extend(_block_facts(doc, block, outline, patterns))
    return facts


def _block_facts(doc: Document, block: Block, outline: Outline, patterns: Patterns) -> list[Fact]:
    section_path = outline.context(block)
    section_text = " ".join(section_path)
    heading = heading_label(section_path[-1], patterns) if section_path else ""
    text = block.text
    norm = normalize_width(text)
    facts: list[Fact] = []
    head: _Named | None = None  # the paragraph's first named figure
    for sentence in SENTENCE_RE.finditer(norm):
        s_start, s_end = sentence.span()
        last: _Named | None = None  # the nearest named figure before the current amount
        cursor = s_start
        compared = False
        for amount in AMOUNT_RE.finditer(norm, s_start, s_end):
            before = norm[cursor : amount.start()]
            clause_start = cursor + _last_sep(before)
            clause = norm[clause_start : amount.start()]
            compared = compared or bool(patterns.comparison.search(norm[s_start : amount.start()]))
            value = parse_decimal(amount.group("num"))
            cursor = amount.end()
            if value is None:
                continue
            unit = amount.group("unit")
            yuan = to_yuan(value, unit)
            context = f"{section_text} {head.label if head else ''} {last.label if last else ''}"
            sign = _change_sign(clause, patterns) if compared else 0
            own = match_prose_label(_strip_change(clause, patterns), context, patterns)

            def add(field: str, val: Decimal, label: str, rule: str, derived: tuple[str, ...] = ()) -> None:
                facts.append(_fact(doc, block, field, val, unit, label, rule, sentence.group(0), (clause_start, amount.end()), derived, amount.group("num")))  # noqa: B023

            if sign:
                base = own.rule.fields if own else (last.fields if last else ())
                for field in base:
                    change = patterns.changes.get(field)
                    if change:
                        add(change, sign * yuan, own.text if own else clause, "change")
                continue
            if own is None and heading and not _has_label_words(clause, patterns):
                own = match_prose_label(heading, context, patterns)
            if own is None:
                continue
            for field in own.rule.fields:
                add(field, yuan, own.text, own.rule.id)
            last = _Named(own.rule.fields, own.text, yuan)
            head = head or last
        facts.extend(_amountless(doc, block, norm, sentence, head, last, section_text, patterns))
    return facts


def _amountless(
    doc: Document,
    block: Block,
    norm: str,
    sentence: regex.Match[str],
    head: _Named | None,
    last: _Named | None,
    section_text: str,
    patterns: Patterns,
) -> list[Fact]:
    """Values stated without a number: 全部为…, 无…, 无增减变化."""
    facts: list[Fact] = []
    s_start, s_end = sentence.span()
    pos = s_start
    for piece in [*CLAUSE_SEP_RE.split(norm[s_start:s_end]), ""]:
        clause_span = (pos, pos + len(piece))
        pos += len(piece) + 1
        clause = clean_label(piece.rstrip("。!?！？"), patterns)
        if not clause or AMOUNT_RE.search(piece):
            continue
        subject = last or head
        context = f"{section_text} {head.label if head else ''}"
        all_of = patterns.all_of.match(clause)
        if all_of and subject is not None and subject.amount is not None:
            match = match_prose_label(all_of.group("label"), context, patterns)
            if match is not None:
                for field in match.rule.fields:
                    facts.append(_fact(doc, block, field, subject.amount, None, match.text, "all_of", sentence.group(0), clause_span))
            continue
        none_of = patterns.none_of.match(clause)
        if none_of:
            match = match_prose_label(none_of.group("label"), context, patterns)
            if match is not None and match.end >= len(none_of.group("label")) - 2:
                for field in match.rule.fields:
                    facts.append(_fact(doc, block, field, Decimal(0), None, match.text, "none_of", sentence.group(0), clause_span))
            continue
        if head is not None and patterns.no_change.search(clause) and patterns.comparison.search(clause):
            for field in head.fields:
                change = patterns.changes.get(field)
                if change:
                    facts.append(_fact(doc, block, change, Decimal(0), None, head.label, "no_change", sentence.group(0), clause_span))
    return facts


def _last_sep(text: str) -> int:
    """Offset just after the last clause separator in ``text`` (0 if none)."""
    matches = list(CLAUSE_SEP_RE.finditer(text))
    return matches[-1].end() if matches else 0


def _strip_change(clause: str, patterns: Patterns) -> str:
    """The clause without its trailing change word, so "基本支出增加" reads as 基本支出."""
    trimmed = CHANGE_GAP_RE.sub("", clause)
    for rx in (patterns.increase, patterns.decrease):
        trimmed = rx.sub("", trimmed)
    return trimmed


def _change_sign(clause: str, patterns: Patterns) -> int:
    trimmed = CHANGE_GAP_RE.sub("", clause.rstrip())
    if patterns.increase.search(trimmed):
        return 1
    if patterns.decrease.search(trimmed):
        return -1
    return 0


def _has_label_words(clause: str, patterns: Patterns) -> bool:
    """Whether the clause names something itself (so the heading must not be borrowed)."""
    cleaned = clean_label(clause, patterns)
    # strip year phrases and verbs of allocation: what is left names a figure
    rest = regex.sub(r"(?:\d{4}年度?|预算|安排|为|共计|合计|总计|下达|本年|当年|全年|支出|经费|数|金额|执行|约|共|我单位|我部门|本单位|本部门)", "", cleaned)
    return len(rest) >= 2


def _fact(
    doc: Document,
    block: Block,
    field: str,
    value: Decimal,
    unit: str | None,
    label: str,
    rule: str,
    sentence_text: str,
    span: tuple[int, int],
    derived: tuple[str, ...] = (),
    printed: str | None = None,
) -> Fact:
    loc = block.location
    if doc.format == "text" and loc.char_start is not None:
        # the text loader keeps lines as printed, so block offsets map into the file
        location = Location(
            line_start=loc.line_start, line_end=loc.line_end,
            char_start=loc.char_start + span[0], char_end=loc.char_start + span[1],
        )
    else:
        location = loc
    quoted = block.text[span[0] : span[1]]
    evidence = Evidence(
        method="prose", text=quoted or sentence_text.strip(), location=location, unit=unit,
        label=label, rule=rule, derived_from=derived,
        tolerance=half_last_digit(printed, unit) if printed and unit else None,
    )
    return Fact(field_id=field, value=value, evidence=evidence)
