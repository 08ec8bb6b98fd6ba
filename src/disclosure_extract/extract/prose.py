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

from dataclasses import dataclass, replace
from decimal import Decimal

import regex

from ..model import Block, Document, Evidence, Fact, Location, Meta
from ..numbers import half_last_digit, normalize_width, parse_cell_amount, to_yuan
from ..patterns import Patterns
from .labels import ProseMatch, clean_label, heading_label, match_prose_label
from .sections import Outline

# A number, with its money unit when one follows; offsets are those of the
# width-normalised text, which has the block's own offsets.
AMOUNT_RE = regex.compile(
    r"(?<![\d.,〔\[第])(?P<num>-?\d[\d,]*(?:\.\d+)?|零(?=\s*(?:亿元|万元|千元|元)))"
    r"(?:\s*(?P<unit>亿元|万元|千元|元))?(?![\d.%])"
)
# A number printed without a unit counts only when a list separator or the sentence
# end follows it ("人员经费70.73、公用经费3.32万元"): then the sentence's unit applies.
BARE_END_RE = regex.compile(r"\s*(?:[,，、;；。)）]|和|及|$)")
YEAR_RE = regex.compile(r"^(?:19|20)\d{2}$")
COUNT_RE = regex.compile(r"\s*(?:为|是|共|合计)?\s*(?P<n>\d+)\s*(?P<unit>辆|台|套|个|人)")
SENTENCE_RE = regex.compile(r"[^。!?！？]+[。!?！？]?")
# Clause separators: a label never reaches back over them. Brackets are not separators
# because labels contain them (因公出国（境）费).
# "收、支预算" is one word; the comma of 3,210.1 is a thousands separator, no clause's end
CLAUSE_SEP_RE = regex.compile(r"(?<!\d)[,，]|[,，](?!\d{3}(?!\d))|[;；:：]|(?<!收)、")
# A change word sits right before its amount; allow "了" / "为" between ("增加了", "减少为").
CHANGE_GAP_RE = regex.compile(r"(?:了|为|约|共)?$")


@dataclass
class _Named:
    """A figure the sentence has named so far: the subject of what follows."""

    fields: tuple[str, ...]
    label: str
    amount: Decimal | None


@dataclass
class _Amount:
    start: int
    end: int
    printed: str
    value: Decimal
    unit: str
    bare: bool  # the unit comes from elsewhere in the sentence


@dataclass(frozen=True)
class _Clause:
    """Where an amount sits: its sentence, where its clause starts, and the funding source
    the sentence is scoped to (its `table_scopes` entry; None for the department's own)."""

    sentence: regex.Match[str]
    start: int
    amount: _Amount
    scoped: str | None


@dataclass(frozen=True)
class _Where:
    """An amount's span in the block, the amount as printed, and its value in yuan."""

    span: tuple[int, int]
    amount: _Amount
    yuan: Decimal


def extract_prose(
    doc: Document, outline: Outline, patterns: Patterns, meta: Meta, units: frozenset[str] = frozenset()
) -> list[Fact]:
    """The facts the document's sentences state. A section headed by one of ``units`` (the
    budget units its tables list under the department: 一、某局（本级）, 二、某中心) states that
    unit's figures, not the department's: its sentences give none."""
    facts: list[Fact] = []
    for block in doc.blocks:
        if block.kind == "heading" and not AMOUNT_RE.search(normalize_width(block.text)):
            continue
        context = outline.context(block)
        if units and any(clean_label(title, patterns) in units for title in context):
            continue
        facts.extend(_BlockReader(doc, block, context, patterns, meta).read())
    return facts


def _sentence_amounts(norm: str, start: int, end: int) -> list[_Amount]:
    """The money amounts of one sentence; bare numbers take the sentence's unit."""
    found = []
    for m in AMOUNT_RE.finditer(norm, start, end):
        value = parse_cell_amount(m.group("num"))  # digits, or 零 before a unit ("零万元")
        if value is None:
            continue
        if m.group("unit"):
            found.append(_Amount(m.start(), m.end(), m.group("num"), value, m.group("unit"), False))
        elif not YEAR_RE.match(m.group("num")) and BARE_END_RE.match(norm, m.end(), end):
            found.append(_Amount(m.start(), m.end(), m.group("num"), value, "", True))
    units = [a.unit for a in found if not a.bare]
    if not units:
        return []  # no money unit in the sentence: its numbers are counts, years, shares
    kept = []
    for i, amount in enumerate(found):
        if amount.bare:
            following = [a.unit for a in found[i + 1 :] if not a.bare]
            preceding = [a.unit for a in found[:i] if not a.bare]
            amount.unit = following[0] if following else preceding[-1]
        kept.append(amount)
    return kept


class _BlockReader:
    """Reads the facts of one block, sentence by sentence."""

    def __init__(
        self, doc: Document, block: Block, section_path: list[str], patterns: Patterns, meta: Meta
    ) -> None:
        self.doc = doc
        self.block = block
        self.patterns = patterns
        self.year: int | None = meta.year
        self.final = meta.kind == "final_accounts"
        self.section_text = " ".join(section_path)
        self.heading = heading_label(section_path[-1], patterns) if section_path else ""
        self.norm = normalize_width(block.text)
        # a paragraph opening with its own numbered heading ("(一)机关运行经费。2026年…") is
        # that heading's section
        run_in = _run_in_title(self.norm, patterns)
        if run_in:
            self.heading = heading_label(run_in, patterns)
        self.facts: list[Fact] = []
        self.head: _Named | None = None  # the paragraph's first named figure
        self.recent: _Named | None = None  # the paragraph's latest named figure

    def read(self) -> list[Fact]:
        for sentence in SENTENCE_RE.finditer(self.norm):
            last = self._amounts(sentence)
            self._amountless(sentence, last)
            self._counts(sentence)
        return self.facts

    def _counts(self, sentence: regex.Match[str]) -> None:
        """Counts such as 共有车辆54辆: the first count after its label in the sentence."""
        text = sentence.group(0)
        for rule, unit_re in self.patterns.count_labels:
            for label in rule.pattern.finditer(text):
                count = COUNT_RE.match(text, label.end())
                if count and unit_re.fullmatch(count.group("unit")):
                    start = sentence.start() + label.start()
                    end = sentence.start() + count.end()
                    for field in rule.fields:
                        self.facts.append(
                            self._fact(
                                field,
                                Decimal(count.group("n")),
                                label.group(0),
                                rule.id,
                                (start, end),
                                unit=count.group("unit"),
                            )
                        )
                    break

    def _period(self, clause: str) -> str:
        """Whether the figure after ``clause`` is this year's, the previous year's, or another's."""
        patterns = self.patterns
        if patterns.previous_phrase.search(clause):
            return "previous"
        if self.final and patterns.budgeted_phrase.search(clause):
            return "previous"  # final accounts: 年初预算 is the figure the result is compared with
        years = patterns.meta["year"]["any_re"].findall(clause)
        if years and self.year is not None:
            nearest = int(years[-1])  # the year named closest to the amount is the one it belongs to
            if nearest == self.year - 1:
                return "previous"
            if nearest != self.year:
                return "other"
        return "current"

    def _amounts(self, sentence: regex.Match[str]) -> _Named | None:
        """The sentence's amounts in order; the nearest named figure at its end."""
        s_start, s_end = sentence.span()
        last: _Named | None = None  # the nearest named figure before the current amount
        cursor = s_start
        source = self.patterns.source_scope.search(clean_label(sentence.group(0), self.patterns))
        scoped = (source.lastgroup or "") if source is not None else None
        for amount in _sentence_amounts(self.norm, s_start, s_end):
            clause_start = cursor + _last_sep(self.norm[cursor : amount.start])
            cursor = amount.end
            last = self._amount(_Clause(sentence, clause_start, amount, scoped), last)
        return last

    def _amount(self, at: _Clause, last: _Named | None) -> _Named | None:
        """Read one amount; the sentence's nearest named figure after it."""
        amount = at.amount
        clause = self.norm[at.start : amount.start]
        where = _Where((at.start, amount.end), amount, to_yuan(amount.value, amount.unit))
        # the sentence's own words are context too: 年初结转和结余 under 决算收支总体情况
        # is income because the sentence goes on with 本年收入
        context = (
            f"{self.section_text} {self.head.label if self.head else ''} {last.label if last else ''}"
            f" {at.sentence.group(0)}"
        )
        own = self._own_label(clause, context, at.scoped)
        # a change right after a figure refers to it, even in the next sentence
        # ("…预算数为10403.11万元。与上年相比增加439.04万元")
        subject = last or self.recent
        base = own.rule.fields if own else (subject.fields if subject else ())
        base_label = own.text if own else (subject.label if subject else clause)
        if self._change(clause, own, (base, base_label), where):
            return last
        period = self._period(clause)
        if period == "other":
            return last
        if period == "previous":
            self._emit_mapped(self.patterns.previous, (base, base_label), "previous", where, 1)
            # what follows continues its subject
            return _Named(own.rule.fields, own.text, None) if own is not None else last
        if own is None and not amount.bare and not _has_label_words(clause, self.patterns):
            if last is not None:
                # "年初预算为0.95万元，支出决算为0.00万元": the sentence's subject continues
                for field in last.fields:
                    self._emit(field, where.yuan, last.label, "subject", span=where.span, amount=amount)
                return _Named(last.fields, last.label, where.yuan)
            own = self._heading_label(context)
        if own is None and _short_form(clause, self.heading, self.patterns):
            own = self._heading_label(context)  # "运行经费" in a section on 机关运行经费
        if own is None:
            # a figure the vocabulary cannot name ("公务用车及运行维护费支出251万元") is still the
            # subject of what follows: its change is not an earlier figure's
            # (a comparison clause, "比上年累计支出433万元", continues the subject it compares)
            unnamed = _has_label_words(clause, self.patterns) and not self.patterns.comparison.search(clause)
            return _Named((), clause, where.yuan) if unnamed else last
        for field in own.rule.fields:
            self._emit(field, where.yuan, own.text, own.rule.id, span=where.span, amount=amount)
        named = _Named(own.rule.fields, own.text, where.yuan)
        self.head = self.head or named
        self.recent = named
        return named

    def _own_label(self, clause: str, context: str, scoped: str | None) -> ProseMatch | None:
        """The label the clause itself gives its amount (a change word before it left out)."""
        own = match_prose_label(_strip_change(clause, self.patterns), context, self.patterns)
        if own is not None and scoped is not None and set(own.rule.fields) <= self.patterns.scope_fields:
            # "公共预算财政拨款年初结转结余…，本年收入X": that source's figures, not the department's
            scope = self.patterns.table_scopes.get(scoped)
            fields = tuple(scope.fields[f] for f in own.rule.fields if f in scope.fields) if scope else ()
            return replace(own, rule=replace(own.rule, fields=fields)) if fields else None
        return own

    def _heading_label(self, context: str) -> ProseMatch | None:
        """The label the section heading gives an amount its own clause does not name."""
        return match_prose_label(self.heading, context, self.patterns) if self.heading else None

    def _emit_mapped(
        self, mapping: dict[str, str], base: tuple[tuple[str, ...], str], rule: str, where: _Where, sign: int
    ) -> None:
        """The mapped field (change, previous year) of each base field that has one."""
        fields, label = base
        for field in fields:
            if field in mapping:
                self._emit(
                    mapping[field], sign * where.yuan, label, rule, span=where.span, amount=where.amount
                )

    def _change(
        self, clause: str, own: ProseMatch | None, base: tuple[tuple[str, ...], str], where: _Where
    ) -> bool:
        """A change word right before the amount makes it a change ("基本支出增加498.72万元"),
        and so does one right before the label ("增加基本支出844.15万元"): emit it, say so."""
        patterns = self.patterns
        sign = _change_sign(clause, patterns)
        if not sign and own is not None:
            sign = _change_sign(_strip_change(clause, patterns)[: own.start], patterns)
        if sign:
            self._emit_mapped(patterns.changes, base, "change", where, sign)
        return bool(sign)

    def _amountless(self, sentence: regex.Match[str], last: _Named | None) -> None:
        """Values stated without a number: 全部为…, 无…, 无增减变化 / 与上年数一致."""
        s_start, s_end = sentence.span()
        pos = s_start
        listed: list[tuple[str, ...]] = []  # labels of this sentence's number-less clauses so far
        context = f"{self.section_text} {self.head.label if self.head else ''}"
        for piece in CLAUSE_SEP_RE.split(self.norm[s_start:s_end]):
            span = (pos, pos + len(piece.rstrip("。!?！？")))
            pos += len(piece) + 1
            clause = clean_label(piece.rstrip("。!?！？"), self.patterns)
            if not clause or _sentence_amounts(piece, 0, len(piece)):
                listed.clear()
            elif self._all_of(clause, context, last or self.head, span):
                continue
            elif self._no_change(clause, context, listed, last or self.head, span):
                listed.clear()
            elif not self._zero(clause, context, span):
                match = match_prose_label(clause, context, self.patterns)
                if match is not None:
                    listed.append(match.rule.fields)

    def _all_of(self, clause: str, context: str, subject: _Named | None, span: tuple[int, int]) -> bool:
        """ "全部为一般公共预算安排": the named part equals the subject's amount."""
        all_of = self.patterns.all_of.match(clause)
        if not all_of:
            return False
        match = match_prose_label(all_of.group("label"), context, self.patterns)
        if match is not None and subject is not None and subject.amount is not None:
            for field in match.rule.fields:
                self._emit(field, subject.amount, match.text, "all_of", span=span, amount=None)
        return True

    def _no_change(
        self,
        clause: str,
        context: str,
        listed: list[tuple[str, ...]],
        subject: _Named | None,
        span: tuple[int, int],
    ) -> bool:
        """ "与上年数一致" / "无增减变化": the figures named before it have a change of 0."""
        patterns = self.patterns
        if not (patterns.no_change.search(clause) and patterns.comparison.search(clause)):
            return False
        own = match_prose_label(patterns.comparison.split(clause)[0], context, patterns)
        named = [*listed, *([own.rule.fields] if own else [])]
        # else the nearest figure of the sentence, else the paragraph's first
        if not named and subject is not None:
            named = [subject.fields]
        label = own.text if own else (subject.label if subject else clause)
        for fields in named:
            for field in fields:
                if field in patterns.changes:
                    self._emit(
                        patterns.changes[field], Decimal(0), label, "no_change", span=span, amount=None
                    )
        return True

    def _zero(self, clause: str, context: str, span: tuple[int, int]) -> bool:
        """A zero stated in words: "本表数为零" (the heading's figure) or "无…" (the named one)."""
        patterns = self.patterns
        match: ProseMatch | None = None
        rule = ""
        if patterns.empty_table.search(clause) and self.heading:
            # "本表数为零。" under "七、政府性基金支出预算表情况说明": the heading's figure is 0
            match, rule = match_prose_label(self.heading, context, patterns), "empty_table"
        none_of = patterns.none_of.match(clause) if match is None else None
        if none_of:
            label = none_of.group("label")
            if patterns.this_item.match(label) and self.heading:
                label = self.heading  # "本部门无此项支出" under "十、政府性基金预算支出…"
            # match_prose_label already refuses a label followed by another noun
            match, rule = match_prose_label(label, context, patterns), "none_of"
        if match is None:
            return False
        for field in match.rule.fields:
            self._emit(field, Decimal(0), match.text, rule, span=span, amount=None)
        return True

    def _emit(
        self,
        field: str,
        value: Decimal,
        label: str,
        rule: str,
        *,
        span: tuple[int, int],
        amount: _Amount | None,
    ) -> None:
        tolerance = half_last_digit(amount.printed, amount.unit) if amount else None
        unit = amount.unit if amount else None
        self.facts.append(self._fact(field, value, label, rule, span, unit=unit, tolerance=tolerance))

    def _fact(
        self,
        field: str,
        value: Decimal,
        label: str,
        rule: str,
        span: tuple[int, int],
        *,
        unit: str | None,
        tolerance: Decimal | None = None,
    ) -> Fact:
        loc = self.block.location
        if self.doc.format == "text" and loc.char_start is not None:
            # the text loader keeps lines as printed, so block offsets map into the file
            location = Location(
                line_start=loc.line_start,
                line_end=loc.line_end,
                char_start=loc.char_start + span[0],
                char_end=loc.char_start + span[1],
            )
        else:
            location = loc
        evidence = Evidence(
            method="prose",
            text=self.block.text[span[0] : span[1]],
            location=location,
            unit=unit,
            label=label,
            rule=rule,
            tolerance=tolerance,
        )
        return Fact(field_id=field, value=value, evidence=evidence)


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


# What follows a paragraph's outline number when it opens with its own heading: a short
# name, then a full stop or colon ("(一)机关运行经费。2026年…").
RUN_IN_TITLE = regex.compile(r"\s*(?P<title>[\p{Han}“”\"（）()]{2,20})[。:：]")


def _run_in_title(text: str, patterns: Patterns) -> str | None:
    """The heading a paragraph opens with, numbered by one of the outline's forms
    (patterns/outline.yml), or None."""
    for form in patterns.headings:
        number = form.regex.match(text)
        if number:
            title = RUN_IN_TITLE.match(text, number.end())
            return title.group("title") if title else None
    return None


# A clause's last words that shorten the heading's name must be at least this long, and this
# share of it: "运行经费" for 机关运行经费, not "支出" for 基本支出.
MIN_SHORT_FORM_CHARS = 3
MIN_SHORT_FORM_SHARE = 0.6


def _short_form(clause: str, heading: str, patterns: Patterns) -> bool:
    """Whether the clause names its figure by the end of the heading's name ("运行经费" under
    (一)机关运行经费): the heading's figure, shortened."""
    if not heading:
        return False
    words = clean_label(clause, patterns)
    name = clean_label(heading, patterns)
    common = 0
    while common < min(len(words), len(name)) and words[-1 - common] == name[-1 - common]:
        common += 1
    return common >= MIN_SHORT_FORM_CHARS and common >= MIN_SHORT_FORM_SHARE * len(name)


def _has_label_words(clause: str, patterns: Patterns) -> bool:
    """Whether the clause names something itself (so the heading must not be borrowed)."""
    cleaned = clean_label(clause, patterns)
    # strip year phrases, verbs of allocation and the unit's name for itself: what is left names a figure
    return len(patterns.unnamed.sub("", cleaned)) >= 2
