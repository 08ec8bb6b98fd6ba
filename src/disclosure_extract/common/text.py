"""Inline text as every stage sees it: white space between Han characters, printed units."""

from __future__ import annotations

import regex

from ..numbers import normalize_width
from ..patterns import Patterns

# A space next to a Han character or CJK punctuation is layout, not content
# (Word/HTML exports split "2017 年" into spans; PDFs space out "部 门").
_CJK = r"\p{Han}\u3000-\u303f\uff00-\uffef“”‘’"
_SPACE_NEAR_CJK = regex.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_SPACES = regex.compile(r"\s+")


def clean_inline(text: str) -> str:
    """Collapse white space; drop it entirely next to CJK characters."""
    text = text.replace("\u3000", " ").replace("\xa0", " ")
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_NEAR_CJK.sub("", text)


def find_unit(text: str, patterns: Patterns) -> str | None:
    """The money unit a caption or note states (单位：万元), or None."""
    match = patterns.tables["unit_re"].search(normalize_width(text).replace(" ", ""))
    if match is None:
        # unit_re is written for full-width brackets too; try the raw text
        match = patterns.tables["unit_re"].search(text)
    return match.group("unit") if match else None


def department_key(name: str | None, patterns: Patterns) -> str | None:
    """A department's name as a key that joins its documents across years and kinds:
    full-width forms and white space gone, the same body's other names mapped to one
    (patterns/meta.yml ``department_key``)."""
    if not name:
        return None
    rules = patterns.meta["department_key"]
    key = "".join(normalize_width(name).split())
    for pattern, replacement in rules["same"]:
        key = regex.sub(pattern, replacement, key)
    return rules["drop_re"].sub("", key) or None
