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


def department_key(name: str | None, region: str | None, patterns: Patterns) -> tuple[str | None, str | None]:
    """A department's key that joins its documents across years and kinds, or None with the
    reason there is none.

    Full-width forms and white space go, the same body's other names map to one
    (patterns/meta.yml ``department_key``). A name that does not hold its government
    (经济发展局, 中楼乡) is ambiguous alone: with the document's region the key is
    ``region·name`` (a key, visibly not a name anyone printed); without one there is no key.
    """
    if not name:
        return None, "no department name was found"
    rules = patterns.meta["department_key"]
    key = "".join(normalize_width(name).split())
    for pattern, replacement in rules["same"]:
        key = regex.sub(pattern, replacement, key)
    key = rules["drop_re"].sub("", key)
    if not key:
        return None, "no department name was found"
    region_key = rules["drop_re"].sub("", "".join(normalize_width(region or "").split()))
    if region_key and region_key in key:
        return key, None
    if region_key:
        return f"{region_key}·{key}", None
    return (
        None,
        f"{key} names no government and the document gives no region: it would join unrelated departments",
    )
