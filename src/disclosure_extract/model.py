"""The document model every loader produces and every extractor reads.

A :class:`Document` is an ordered list of items — :class:`Block` (headings and
paragraphs) and :class:`Table` — each carrying a :class:`Location` that says where in
the source it came from. Extraction results are :class:`Fact`, :class:`Indicator` and
:class:`Issue` records, gathered into a :class:`Result` per input.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

BlockKind = Literal["heading", "paragraph"]
Method = Literal["prose", "table", "derived"]
Severity = Literal["error", "warning", "info"]
# The statuses of a check result.
PASS, FAIL, NOT_APPLICABLE = "pass", "fail", "not_applicable"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a piece of content sits in its source.

    Text sources fill ``line_start``/``line_end`` (1-based, inclusive) and
    ``char_start``/``char_end`` (offsets into the decoded text). HTML sources fill
    ``line_start`` with the source line of the element and ``path`` with its XPath.
    PDF sources fill ``page`` and ``bbox``. Table cells add ``table``, ``row``, ``col``.
    """

    page: int | None = None
    line_start: int | None = None
    line_end: int | None = None
    char_start: int | None = None
    char_end: int | None = None
    path: str | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None
    bbox: tuple[float, float, float, float] | None = None
    # a page read by OCR: the lowest recognition confidence (0-1) of the text here
    ocr_confidence: float | None = None

    def as_dict(self) -> dict[str, Any]:
        """The set fields only, so output stays small and stable."""
        out: dict[str, Any] = {}
        for key in (
            "page",
            "line_start",
            "line_end",
            "char_start",
            "char_end",
            "path",
            "table",
            "row",
            "col",
        ):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        if self.bbox is not None:
            out["bbox"] = [round(v, 2) for v in self.bbox]
        if self.ocr_confidence is not None:
            out["ocr_confidence"] = round(self.ocr_confidence, 4)
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Location:
        """The inverse of :meth:`as_dict` (for results read back from the cache or a file)."""
        if not data:
            return cls()
        bbox = data.get("bbox")
        return cls(
            page=data.get("page"),
            line_start=data.get("line_start"),
            line_end=data.get("line_end"),
            char_start=data.get("char_start"),
            char_end=data.get("char_end"),
            path=data.get("path"),
            table=data.get("table"),
            row=data.get("row"),
            col=data.get("col"),
            bbox=(float(bbox[0]), float(bbox[1]), float(bbox[2]), float(bbox[3])) if bbox else None,
            ocr_confidence=data.get("ocr_confidence"),
        )


@dataclass(slots=True)
class Block:
    """A heading or a paragraph of running text.

    ``number`` is the outline marker that opened a heading (``一、``, ``（二）``) and
    ``level`` its rank in the outline (0 = 第X部分, 1 = 一、, 2 = （一）, …).
    """

    kind: BlockKind
    text: str
    location: Location
    level: int | None = None
    number: str | None = None
    index: int = 0  # position among the document's items, set by Document


@dataclass(slots=True)
class Cell:
    """One table cell. ``row``/``col`` are its top-left grid position."""

    row: int
    col: int
    text: str
    location: Location
    rowspan: int = 1
    colspan: int = 1


@dataclass(slots=True)
class Table:
    """A table rebuilt on a rectangular grid; spanned positions refer to one cell."""

    cells: list[Cell]
    location: Location
    caption: str = ""
    unit_text: str = ""
    index: int = 0  # position among the document's tables, set by Document
    item_index: int = 0  # position among all items, set by Document
    pages: list[int] = field(default_factory=list)  # PDF: every page a stitched table spans
    kind: str = ""  # the standard table it is (patterns/tables.yml kinds), "" when none
    unit: str | None = None  # the money unit its amounts are in, set by the extractor
    unit_inferred: bool = False  # True when the table printed no unit

    @property
    def n_rows(self) -> int:
        return max((c.row + c.rowspan for c in self.cells), default=0)

    @property
    def n_cols(self) -> int:
        return max((c.col + c.colspan for c in self.cells), default=0)

    def grid(self) -> list[list[Cell | None]]:
        """Rows of cells; a spanned position holds the spanning cell itself."""
        width = self.n_cols  # once: it is a pass over the cells
        grid: list[list[Cell | None]] = [[None] * width for _ in range(self.n_rows)]
        for cell in self.cells:
            for r in range(cell.row, cell.row + cell.rowspan):
                for c in range(cell.col, cell.col + cell.colspan):
                    if grid[r][c] is None:
                        grid[r][c] = cell
        return grid

    def text_rows(self) -> list[list[str]]:
        """Rows of cell texts; a span's text appears at its top-left position only."""
        width = self.n_cols  # once: it is a pass over the cells
        rows = [[""] * width for _ in range(self.n_rows)]
        for cell in self.cells:
            rows[cell.row][cell.col] = cell.text
        return rows


Item = Block | Table


@dataclass(slots=True)
class Document:
    """A loaded source: its items in reading order plus what the loader learned."""

    source: str
    sha256: str
    format: str
    items: list[Item] = field(default_factory=list)
    title: str = ""
    encoding: str | None = None
    # Text the container carries besides the body: HTML <meta> names (ArticleTitle,
    # ColumnName …) and <title>, as the page states them.
    properties: dict[str, str] = field(default_factory=dict)
    attachments: list[str] = field(default_factory=list)  # links to attached files (HTML)
    content_links: int | None = None  # links outside the site template (HTML): many mean a listing
    pages: int | None = None  # PDF page count
    declared_charset: str | None = None  # the charset the page declares
    charset_mismatch: bool = False  # the declared charset is not what the bytes are
    # What the loader noticed but could still read past (an unreadable page …).
    issues: list[Issue] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.renumber()

    def renumber(self) -> None:
        """Give every item its position; tables also get their table number."""
        n_tables = 0
        for i, item in enumerate(self.items):
            if isinstance(item, Table):
                item.index = n_tables
                item.item_index = i
                n_tables += 1
            else:
                item.index = i

    @property
    def blocks(self) -> list[Block]:
        return [i for i in self.items if isinstance(i, Block)]

    @property
    def tables(self) -> list[Table]:
        return [i for i in self.items if isinstance(i, Table)]


@dataclass(slots=True)
class Evidence:
    """How and where a value was obtained."""

    method: Method
    text: str  # the original text the value was read from (cell text or sentence span)
    location: Location
    unit: str | None = None  # the unit as the source printed it, e.g. 万元
    unit_inferred: bool = False  # True when the source printed no unit for this value
    label: str | None = None  # the label text that named the value (row/column header, phrase)
    rule: str | None = None  # id of the pattern rule that matched
    derived_from: tuple[str, ...] = ()  # field ids a derived value was computed from
    tolerance: Decimal | None = None  # half the last printed digit, in yuan (rounding slack)


@dataclass(slots=True)
class Fact:
    """One extracted value, named by a FIELDS.md id, with its evidence."""

    field_id: str
    value: Decimal | int | str
    evidence: Evidence
    flags: list[str] = field(default_factory=list)


def rounding_tolerance(facts: list[Fact]) -> Decimal:
    """Half the last printed digit of the figures that are not zero (a "0万元" says nothing of
    precision): how far each of them may be from its exact value. A sum of n figures, each
    rounded on its own, may be n times that off (the checks and the identities choosing allow it)."""
    tolerances = [f.evidence.tolerance for f in facts if f.evidence.tolerance is not None]
    nonzero = [f.evidence.tolerance for f in facts if f.evidence.tolerance is not None and f.value != 0]
    return max(nonzero or tolerances or [Decimal(0)])


@dataclass(slots=True)
class Indicator:
    """One row of a performance-indicator grid (绩效目标/绩效指标)."""

    activity: str
    indicator: str
    location: Location
    parent: str | None = None
    budget: Decimal | None = None
    level1: str | None = None
    level2: str | None = None
    target: str | None = None  # as printed: ≥5分钟, ＝2个, 优
    standards: dict[str, str] | None = None
    # the project form's funds besides its total (``budget``): 其中财政拨款, 其他资金, in yuan
    fiscal_funds: Decimal | None = None
    other_funds: Decimal | None = None
    # the target in parts, where it has them: ≥ ≤ > < =, the number, the unit (分钟, %, 个)
    comparison: str | None = None
    number: Decimal | None = None
    unit: str | None = None
    weight: Decimal | None = None  # 分值 / 权重


@dataclass(slots=True)
class LineAmount:
    """One amount cell of a line item, under its column's header path."""

    column: str
    value: Decimal
    text: str
    unit: str
    location: Location = field(default_factory=Location)  # the cell: page, table, row, col, bbox


@dataclass(slots=True)
class LineItem:
    """A classified row (功能分类 / 经济分类) with its code, parent code and amounts."""

    table: int
    row: int
    kind: str  # "function" or "economic"
    code: str
    parent: str | None
    name: str
    location: Location
    amounts: list[LineAmount] = field(default_factory=list)
    # the budget unit (预算单位) the row belongs to, in a table broken down by unit; "" when
    # the table is not (a department's own rows)
    entity: str = ""


@dataclass(slots=True)
class Meta:
    """What a document is: its department, fiscal year, kind and region, and the title line
    kind and year were read from."""

    department: str | None = None
    year: int | None = None
    kind: str | None = None  # "budget" or "final_accounts"
    region: str | None = None
    title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The stated keys only."""
        keys = ("department", "year", "kind", "region", "title")
        return {k: getattr(self, k) for k in keys if getattr(self, k) is not None}


@dataclass(slots=True)
class Issue:
    """Something a user should know about a document: a failure or a doubt."""

    code: str
    severity: Severity
    message: str
    location: Location | None = None


# The checks of what a disclosure holds (check.rules.check_completeness and the check across
# documents), not of its figures: the report shows them in their own block.
# What each check looks at, for counting and reading failures by kind. A rule not named here
# is an identity of patterns/checks.yml: arithmetic.
CHECK_CATEGORIES: dict[str, str] = {
    "line_item_parent_sum": "arithmetic",
    "line_item_row_sum": "arithmetic",
    "line_item_code_form": "arithmetic",
    "ocr_page_sums": "arithmetic",
    "prose_equals_table": "prose",
    "previous_year_matches": "across_documents",
    "final_budgeted_matches_budget": "across_documents",
    "duplicate_content": "across_documents",
    "required_tables": "completeness",
    "required_sections": "completeness",
    "required_tables_disclosure": "completeness",
    "change_reason": "compliance",
    "department_name": "compliance",
    "empty_table_statement": "compliance",
    "code_name_consensus": "compliance",
}
CATEGORY_ORDER = ("arithmetic", "prose", "across_documents", "completeness", "compliance")


def check_category(rule: str) -> str:
    """The category of a check rule: arithmetic, prose, across_documents, completeness or
    compliance."""
    return CHECK_CATEGORIES.get(rule, "arithmetic")


# Checks of a disclosure's form rather than its figures: the report shows them in their own block.
COMPLETENESS_RULES = frozenset(r for r, c in CHECK_CATEGORIES.items() if c in ("completeness", "compliance"))
# What a template item is found as: its statuses, best first.
REQUIRED_STATUSES = ("present", "nonstandard", "attached", "explained", "missing")


@dataclass(slots=True)
class RequiredItem:
    """One table or section of the document's disclosure template, as found in the document:
    ``present``, ``nonstandard`` (present under another title: ``found``), ``attached`` (named
    in the page's list of attachments: published in a file not read here), ``explained``
    (absent, and a sentence says why: ``found``), or ``missing``."""

    item: str  # the template item's id
    title: str  # the template's name for it
    group: str  # "table" or "section"
    status: str
    required: bool
    found: str = ""  # the title it was found under, or the sentence explaining its absence
    location: Location | None = None
    # a table present with no figure in it: the sentence saying why, or "" when none does
    empty: str | None = None


@dataclass(slots=True)
class StatedChange:
    """A change against the previous year the document states (较上年增加…), and the sentence
    giving its reason ("" when none is near it)."""

    text: str
    reason: str
    location: Location | None = None


@dataclass(slots=True)
class Completeness:
    """The document held to its disclosure template (patterns/templates.yml), and whether each
    change it states has its reason."""

    template: str
    items: list[RequiredItem] = field(default_factory=list)
    changes: list[StatedChange] = field(default_factory=list)
    # the department as tables' 编制部门 lines and titles name it: (name, where)
    departments: list[tuple[str, Location]] = field(default_factory=list)

    @property
    def score(self) -> Decimal | None:
        """The share of required items present (under any title) or explained, to 0.001."""
        required = [i for i in self.items if i.required]
        if not required:
            return None
        done = sum(1 for i in required if i.status != "missing")
        return (Decimal(done) / Decimal(len(required))).quantize(Decimal("0.001"))


@dataclass(slots=True)
class Result:
    """Everything extracted from one input; a document that could not be read is a Result
    with no figures and an issue of severity ``error``. The one record every stage after
    extraction takes (checks, writers, evaluation, the cache)."""

    source: str
    sha256: str | None
    format: str
    meta: Meta = field(default_factory=Meta)
    fields: dict[str, Decimal | int | str] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    line_items: list[LineItem] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    encoding: str | None = None  # the encoding the text was decoded with
    completeness: Completeness | None = None  # None: no template applies (kind, year unknown …)

    @property
    def failed(self) -> bool:
        """True when the document could not be extracted at all."""
        return any(i.severity == "error" for i in self.issues)

    @property
    def status(self) -> str:
        return "failed" if self.failed else "ok"

    def chosen_facts(self) -> dict[str, Fact]:
        """For each field, the one fact ``fields`` took its value from: of the facts stating that
        value, ranked as resolution ranks them (a unit slip, then a classified row last; a table's
        before prose before a derivation), then the first."""
        rank = {"table": 0, "prose": 1, "derived": 2}
        chosen: dict[str, tuple[tuple[bool, bool, int, int], Fact]] = {}
        for n, fact in enumerate(self.facts):
            if fact.field_id not in self.fields or self.fields[fact.field_id] != fact.value:
                continue
            key = ("unit_error" in fact.flags, "line_item" in fact.flags, rank[fact.evidence.method], n)
            if fact.field_id not in chosen or key < chosen[fact.field_id][0]:
                chosen[fact.field_id] = (key, fact)
        return {field_id: fact for field_id, (_, fact) in chosen.items()}


@dataclass(slots=True)
class CheckResult:
    """One check of a document's numbers: pass, fail (with both numbers) or not applicable."""

    source: str
    sha256: str | None
    rule: str
    status: str
    description: str = ""
    expected: Decimal | None = None
    actual: Decimal | None = None
    difference: Decimal | None = None
    tolerance: Decimal | None = None
    subject: str = ""  # what was checked: a field, a code and column …
    locations: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "sha256": self.sha256,
            "rule": self.rule,
            "status": self.status,
            "description": self.description,
            "subject": self.subject,
            "expected": self.expected,
            "actual": self.actual,
            "difference": self.difference,
            "tolerance": self.tolerance,
            "locations": self.locations,
        }
