"""Matching printed labels against the vocabulary in patterns/fields.yml."""

from __future__ import annotations

from dataclasses import dataclass

import regex

from ..numbers import normalize_width
from ..patterns import LabelRule, Patterns

# Characters allowed between a prose label and its amount once filler words are removed
# (a stray particle like 的 or 了); more means the phrase names something else.
MAX_LEFTOVER_CHARS = 1
# A bracketed remark between label and amount ("人员支出（项级科目）406.87万元") says nothing.
_BRACKETED = regex.compile(r"\([^()]*\)")
# What a section heading adds after naming its figure: 预算表 / 情况 / 说明 / 。
_HEADING_TAIL = regex.compile(r"(?:(?:预算|决算)?表)?(?:情况)?(?:说明)?[。.]?$")
_CLASS_MARK = regex.compile(r"\((?:类|款|项)\)")
_QUOTES = str.maketrans("", "", "“”‘’\"'「」『』")


def clean_label(text: str, patterns: Patterns) -> str:
    """Width-normalised, without white space, quotes or a leading enumeration."""
    squeezed = "".join(normalize_width(text).split()).translate(_QUOTES)
    return patterns.label_prefix.sub("", squeezed)


def _context_ok(rule: LabelRule, context: str) -> bool:
    if rule.context is not None and not rule.context.search(context):
        return False
    return not (rule.not_context is not None and rule.not_context.search(context))


def match_table_label(label: str, context: str, patterns: Patterns) -> LabelRule | None:
    """The first table rule whose label matches the whole (cleaned) label."""
    cleaned = clean_label(label, patterns)
    if not cleaned:
        return None
    # "一般公共预算资金小计" names what "一般公共预算资金" names
    bare = patterns.total_suffix.sub("", cleaned)
    for candidate in dict.fromkeys((cleaned, bare)):
        if not candidate:
            continue
        for rule in patterns.table_labels:
            if rule.pattern.fullmatch(candidate) and _context_ok(rule, context):
                return rule
    return None


@dataclass(frozen=True)
class ProseMatch:
    rule: LabelRule
    start: int  # offsets into the cleaned phrase
    end: int
    text: str


def match_prose_label(phrase: str, context: str, patterns: Patterns) -> ProseMatch | None:
    """The rule matching nearest the end of ``phrase`` (the text before an amount).

    Nearest the end wins because the label closest to a number names it
    ("一般公共预算拨款安排的机关运行经费支出304.4万元" is 机关运行经费); then the longer
    match ("人员经费支出" over "支出"), then the earlier rule.
    """
    cleaned = "".join(normalize_width(phrase).split()).translate(_QUOTES)
    matches: list[tuple[int, int, int, LabelRule]] = []
    for order, rule in enumerate(patterns.prose_labels):
        if not _context_ok(rule, context):
            continue
        for m in rule.pattern.finditer(cleaned, overlapped=True):
            if m.end() > m.start():
                matches.append((m.start(), m.end(), order, rule))
    # of overlapping matches the one starting first names the figure: in "基本支出预算数为"
    # 基本支出 is the label and "支出预算" only part of its wording
    kept = [m for m in matches if not any(o[0] < m[0] < o[1] for o in matches)]
    # nearest the end first; a label that names a part, or is followed by another noun,
    # gives way to the next ("“三公”经费公共财政拨款支出" is 三公经费, not the appropriation)
    for start, end, _, rule in sorted(kept, key=lambda m: (m[1], m[1] - m[0], -m[2]), reverse=True):
        if patterns.part_qualifier.search(cleaned[:start]):
            continue  # "其他资金收入预算总计": a part of the income, not the total
        if _CLASS_MARK.match(cleaned, end):
            return None  # "会议费（款）支出66.72万元" is a classification line, not the department's figure
        # what follows the label up to the amount must be filler, not another noun
        rest = patterns.filler.sub("", _BRACKETED.sub("", cleaned[end:]))
        if len(rest) > MAX_LEFTOVER_CHARS:
            continue
        return ProseMatch(rule, start, end, cleaned[start:end])
    return None


def heading_label(heading: str, patterns: Patterns) -> str:
    """A heading as a label: without its outline number and its "…预算表情况说明" ending."""
    label = clean_label(regex.sub(r"\s+", "", heading), patterns)
    return _HEADING_TAIL.sub("", label) or label
