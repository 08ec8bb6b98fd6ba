"""Documents grouped into disclosures: what the panel has one row of.

A department publishes one disclosure a year and kind, often as several files (a 说明 and
its tables, a page and its attachments), sometimes twice (a re-publication, a copy edited
since). Summing the documents would count such a disclosure twice, so documents of one
department key, year and kind share a ``disclosure_id``, and the panel has one row per
disclosure:

- its *primary* document is the one stating the most fields (the first in input order on a
  tie); its values stand, and the other documents fill the fields it does not state, in
  input order;
- a document of the primary's format and number of tables (within a fifth) stating mostly
  the same fields (at least ``NEAR_COPY`` of the fields either states) is a copy of it
  (``duplicate_of``: the primary's sha256), and fills nothing: a copy's figures are the
  primary's or a variant of them, not more of the disclosure. A 说明 and its tables file
  differ in shape (prose against a dozen tables): they are parts, not copies.

A document without a department key, year or kind is a disclosure of its own: nothing says
which other file it belongs with.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["NEAR_COPY", "Disclosure", "plan_disclosures"]

# The share of the fields either document states that both state, from which the smaller is
# taken for a copy of the larger; below it they are parts of one disclosure.
NEAR_COPY = 0.8
# Documents stating fewer fields than this are never called copies (an excerpt of two figures).
_MIN_FIELDS = 3

Staged = tuple[dict[str, Any], list[dict[str, Any]]]


@dataclass
class Disclosure:
    """A document's place in its disclosure."""

    disclosure_id: str
    primary: str  # the sha256 of the disclosure's primary document
    members: int  # how many documents it has
    duplicate_of: str | None = None


def _group_key(document: dict[str, Any]) -> str | None:
    parts = (document.get("department_key"), document.get("year"), document.get("kind"))
    return "\t".join(map(str, parts)) if all(parts) else None


def _disclosure_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def plan_disclosures(
    staged: Callable[[], Iterable[Staged]],
) -> tuple[dict[str, Disclosure], dict[str, dict[str, Any]]]:
    """Each document's disclosure (by sha256), and the merged field values of each disclosure
    of several documents (by its primary's sha256). ``staged`` gives the documents rows with
    their field values, in input order, each time it is called: read twice, and only the
    values of documents that share a disclosure are held."""
    groups: dict[str, list[tuple[str, int]]] = {}
    alone: dict[str, Disclosure] = {}
    for document, values in staged():
        sha256 = document["sha256"]
        key = _group_key(document)
        if key is None:
            alone[sha256] = Disclosure(_disclosure_id(f"document\t{sha256}"), sha256, 1)
        else:
            groups.setdefault(key, []).append((sha256, len(values)))
    shared = {sha for members in groups.values() if len(members) > 1 for sha, _ in members}
    held = {doc["sha256"]: _Held(doc, values) for doc, values in _only(staged(), shared)}
    plan = dict(alone)
    merged: dict[str, dict[str, Any]] = {}
    for key, members in groups.items():
        most = max(n for _, n in members)
        primary = next(sha for sha, n in members if n == most)  # the first of the largest
        disclosure_id = _disclosure_id(f"disclosure\t{key}")
        for sha, _ in members:
            plan[sha] = Disclosure(disclosure_id, primary, len(members))
        if len(members) == 1:
            continue
        row = dict(held[primary].values)
        for sha, _ in members:
            if sha == primary:
                continue
            if held[sha].copy_of(held[primary]):
                plan[sha].duplicate_of = primary
                continue
            for field, value in held[sha].values.items():
                row.setdefault(field, value)
        merged[primary] = row
    return plan, merged


def _only(staged: Iterable[Staged], wanted: set[str]) -> Iterator[Staged]:
    return (item for item in staged if item[0]["sha256"] in wanted)


class _Held:
    """What telling a copy needs of a document, and its values."""

    def __init__(self, document: dict[str, Any], values: list[dict[str, Any]]) -> None:
        self.format = document.get("format")
        self.tables = int(document.get("tables") or 0)
        self.values = {v["field"]: v for v in values}  # field id -> its field_values row

    def copy_of(self, other: _Held) -> bool:
        if self.format != other.format or abs(self.tables - other.tables) > max(1, other.tables // 5):
            return False
        one, two = self.values.keys(), other.values.keys()
        if min(len(one), len(two)) < _MIN_FIELDS:
            return False
        return len(one & two) >= NEAR_COPY * len(one | two)
