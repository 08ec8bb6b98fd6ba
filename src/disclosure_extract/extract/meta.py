"""Document metadata: department, fiscal year, kind (budget / final accounts), region.

The *title* is the first head line (the document's title, page properties, the first
blocks, table captions and cells) that names a fiscal year next to a disclosure word
(预算/决算). What a title discloses is its last such word and the year before it:
``…2018年度财政预算执行情况及2019年度财政预算（草案）`` is the 2019 budget. Without a title
the body decides: a year's 决算 stated for the document's own year makes it a final
account (a budget never states its own year's outturn). The department is read from the
head lines by the title forms of ``patterns/meta.yml``, then by the late forms (第一部分
X概况, the page's publisher, 经X汇总, X是…工作部门); a name that is only a region (施甸县) or a
phrase of the disclosure is no department.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import regex

from ..model import Block, Document, Issue, Meta
from ..numbers import normalize_width
from ..patterns import Patterns

# Where the department and title are looked for: stored pages open with site navigation.
HEAD_BLOCKS = 40
# Cells of a table near the top (page-information grids: 发布机构 | X).
HEAD_CELLS = 24
# Shorter "names" are place names cut off by a year ("平潭2017年部门预算…"), not departments.
MIN_DEPARTMENT_CHARS = 3
# A title is a line, not a paragraph.
MAX_TITLE_CHARS = 90
# Quotes and brackets that wrap words in titles but are not part of a department's name.
_QUOTES = "“”\"'‘’《》"
# White space inside a title ("共青团安徽省委员会 2021 年部门预算") is layout, not a word break.
_INNER_SPACE = regex.compile(r"(?<=[\p{Han}\d()（）])\s+(?=[\p{Han}\d()（）])")


# A title without its name ("2026 年部门预算情况说明", "2021年度“三公”经费决算汇总情况": the
# year, then the disclosure's own words), and a line that is only a name.
_YEAR_FIRST = regex.compile(
    r"^\s*(?:19|20)\d{2}\s*年度?\s*(?:部门|单位)?(?:[“\"]?三公[”\"]?经费)?(?:支出)?(?:预算|决算)"
)
_NAME_ONLY = regex.compile(r"[\p{Han}（）()]{4,40}")


def _head_texts(doc: Document) -> list[str]:
    """The title, then the first blocks and table captions, as candidate metadata text."""
    texts = [doc.title] if doc.title else []
    for key in ("ArticleTitle", "html_title"):
        if doc.properties.get(key) and doc.properties[key] not in texts:
            texts.append(doc.properties[key])
    previous = ""
    for item in doc.items[:HEAD_BLOCKS]:
        if isinstance(item, Block):
            # a cover printing the name on one line and "2026年部门预算…" on the next: one title
            if previous and _YEAR_FIRST.match(item.text) and _NAME_ONLY.fullmatch(previous):
                texts.append(previous + item.text)
            texts.append(item.text)
            previous = item.text
        else:
            texts.append(item.caption)
            texts.extend(_cell_pairs(item.cells[:HEAD_CELLS]))
    return [t for t in texts if t]


def _cell_pairs(cells: list[Any]) -> list[str]:
    """Each cell, and each label cell joined to the value beside it (发布机构 | X)."""
    out = []
    for i, cell in enumerate(cells):
        out.append(cell.text)
        if i + 1 < len(cells) and cells[i + 1].row == cell.row:
            out.append(f"{cell.text}|{cells[i + 1].text}")
    return out


def _clean(text: str, patterns: Patterns) -> list[str]:
    """A head line without its outline marker or label, full-width forms mapped: as printed,
    then without inner spaces (which end a name after 部门： but split a title's words)."""
    text = patterns.meta["clean"]["prefix_re"].sub("", normalize_width(text).strip())
    squeezed = _INNER_SPACE.sub("", text)
    return [text, squeezed] if squeezed != text else [text]


def extract_meta(doc: Document, patterns: Patterns) -> tuple[Meta, list[Issue]]:
    heads = [v for t in _head_texts(doc) for v in _clean(t, patterns)]
    title = _title(heads, patterns)
    department = _department(heads, patterns)
    meta = Meta(
        department=department,
        year=_year(doc, title, patterns) or None,
        kind=_kind(doc, title, patterns) or None,
        region=_region(department, patterns) if department else None,
        title=title[2] if title is not None else None,
    )
    issues = [
        Issue("meta_missing", "warning", f"could not tell the document's {key}")
        for key in ("kind", "year", "department")
        if getattr(meta, key) is None
    ]
    return meta, issues


def _title(heads: list[str], patterns: Patterns) -> tuple[int, str, str] | None:
    """The fiscal year and the disclosure word of the first head line naming a year next to one
    (the year of its last such phrase, the last disclosure word from there on), and the line."""
    fiscal = patterns.meta["year"]["fiscal_re"]
    sentence = patterns.meta["clean"]["sentence_re"]
    for text in heads:
        if len(text) > MAX_TITLE_CHARS or sentence.search(text):
            continue
        matches = list(fiscal.finditer(text))
        if matches:
            last = matches[-1]
            words = list(_kind_words(patterns).finditer(text, last.start("word")))
            return int(last.group("year")), words[-1].group(0), text
    return None


def _kind_words(patterns: Patterns) -> regex.Pattern[str]:
    rules = patterns.meta["kind"]
    return regex.compile(f"{rules['final_accounts_re'].pattern}|{rules['budget_re'].pattern}")


def _word_kind(word: str, patterns: Patterns) -> str:
    return "final_accounts" if patterns.meta["kind"]["final_accounts_re"].fullmatch(word) else "budget"


def _kind(doc: Document, title: tuple[int, str, str] | None, patterns: Patterns) -> str | None:
    if title is not None:
        return _word_kind(title[1], patterns)
    rules = patterns.meta["kind"]
    column = normalize_width(doc.properties.get("ColumnName", ""))
    if column:
        words = list(_kind_words(patterns).finditer(column))
        if words:
            return _word_kind(words[-1].group(0), patterns)
    texts = [normalize_width(b.text) for b in doc.blocks] + [normalize_width(t.caption) for t in doc.tables]
    # a budget never states its own year's outturn: a same-year 决算 makes a final account
    year = _body_year(texts, patterns)
    fiscal = patterns.meta["year"]["fiscal_re"]
    stated = [m for t in texts for m in fiscal.finditer(t) if int(m.group("year")) == year]
    if any(_word_kind(m.group("word"), patterns) == "final_accounts" for m in stated):
        return "final_accounts"
    body = " ".join(texts)
    n_final = len(rules["final_accounts_re"].findall(body))
    n_budget = len(rules["budget_re"].findall(body))
    if n_final or n_budget:
        return "final_accounts" if n_final > n_budget else "budget"
    return None


def _body_year(texts: list[str], patterns: Patterns) -> int | None:
    """The year the body names next to 预算/决算 most often, else the year it names most often."""
    rules = patterns.meta["year"]
    for rx in (rules["fiscal_re"], rules["any_re"]):
        counts = Counter(int(m.group("year")) for t in texts for m in rx.finditer(t))
        if counts:
            best = max(counts.values())
            # ties go to the year named first
            for t in texts:
                for m in rx.finditer(t):
                    if counts[int(m.group("year"))] == best:
                        return int(m.group("year"))
    return None


def _year(doc: Document, title: tuple[int, str, str] | None, patterns: Patterns) -> int | None:
    if title is not None:
        return title[0]
    texts = [normalize_width(b.text) for b in doc.blocks] + [normalize_width(t.caption) for t in doc.tables]
    return _body_year(texts, patterns)


def _clean_department(name: str, patterns: Patterns) -> str:
    name = name.strip(_QUOTES + " ：:")
    trailing = patterns.meta["department"]["trailing_re"]
    previous = None
    while previous != name:
        previous = name
        name = trailing.sub("", name)
    return name


def _department(heads: list[str], patterns: Patterns) -> str | None:
    rules = patterns.meta["department"]
    # the title forms over every head line in order, then the late forms
    for forms in (rules["forms_re"], rules["late_forms_re"]):
        for text in heads:
            unquoted = text.translate({ord(q): None for q in _QUOTES})
            for form in forms:
                match = form.search(unquoted)
                if not match:
                    continue
                name = _clean_department(match.group("dept"), patterns)
                # "上海市普陀区2025年区级部门预算" names the government, not the department
                if (
                    len(name) >= MIN_DEPARTMENT_CHARS
                    and not rules["reject_re"].search(name)
                    and _region(name, patterns) != name
                ):
                    return name
    return None


def _region(department: str, patterns: Patterns) -> str | None:
    rules = patterns.meta["region"]
    name = rules["strip_prefix_re"].sub("", department)
    region = ""
    pos = 0
    while True:
        match = rules["unit_re"].match(name, pos)
        if not match or rules["not_region_re"].search(match.group(0)):
            break
        region += match.group(0)
        pos = match.end()
    return region or None
