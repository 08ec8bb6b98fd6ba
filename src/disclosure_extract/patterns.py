"""Load and validate the pattern vocabulary in ``patterns/*.yml``.

The vocabulary (label synonyms, heading forms, regexes) is data. This module reads it,
checks every entry's shape, compiles every regex, and reports the first problem as a
:class:`~disclosure_extract.errors.PatternError` naming the file and line.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import regex
import yaml

from .errors import PatternError
from .yamlmodel import LINE_KEY, LineLoader, strip_lines

PATTERN_FILES = (
    "outline.yml",
    "fields.yml",
    "meta.yml",
    "html.yml",
    "indicators.yml",
    "tables.yml",
    "checks.yml",
    "templates.yml",
)
ENV_PATTERNS_DIR = "DISCLOSURE_EXTRACT_PATTERNS"

# one YAML reading for every file of the project: mappings carry their line
_LINE_KEY = LINE_KEY
_LineLoader = LineLoader


@dataclass(frozen=True)
class HeadingForm:
    id: str
    level: int
    regex: regex.Pattern[str]


@dataclass(frozen=True)
class LabelRule:
    """A label that names a field, optionally only within a context.

    ``context`` must match (and ``not_context`` must not match) the context text: the
    section headings, the table caption and header, or the sentence's subject.
    """

    id: str
    fields: tuple[str, ...]
    pattern: regex.Pattern[str]
    context: regex.Pattern[str] | None
    not_context: regex.Pattern[str] | None
    source: str  # "file:line", for evidence and debugging


@dataclass(frozen=True)
class Patterns:
    """The whole validated vocabulary."""

    directory: Path
    headings: tuple[HeadingForm, ...]
    max_heading_chars: int
    table_labels: tuple[LabelRule, ...]
    prose_labels: tuple[LabelRule, ...]
    changes: dict[str, str]
    previous: dict[str, str]
    # a spending field a 收支总表's 收入 side names by its source: the income it is
    income_side: dict[str, str]
    label_prefix: regex.Pattern[str]
    total_row: regex.Pattern[str]
    total_suffix: regex.Pattern[str]
    generic_value_header: regex.Pattern[str]
    comparison: regex.Pattern[str]
    filler: regex.Pattern[str]
    part_qualifier: regex.Pattern[str]
    previous_column: regex.Pattern[str]
    change_column: regex.Pattern[str]
    previous_phrase: regex.Pattern[str]
    budgeted_phrase: regex.Pattern[str]
    previous_year_word: regex.Pattern[str]
    budget_word: regex.Pattern[str]
    subset_header: regex.Pattern[str]
    increase: regex.Pattern[str]
    decrease: regex.Pattern[str]
    no_change: regex.Pattern[str]
    all_of: regex.Pattern[str]
    none_of: regex.Pattern[str]
    this_item: regex.Pattern[str]
    empty_table: regex.Pattern[str]
    source_scope: regex.Pattern[str]
    basic_other_part: regex.Pattern[str]
    unnamed: regex.Pattern[str]
    fallback_rules: frozenset[str]
    unless_stated: dict[str, str]
    scope_fields: frozenset[str]
    # fields a final account states with either of two meanings (words.budget_word /
    # previous_year_word): the dataset shows each meaning in its own column
    two_meanings: frozenset[str]
    # scope -> department-wide field -> what a table of that scope states with its label
    table_scopes: dict[str, TableScope]
    count_labels: tuple[tuple[LabelRule, regex.Pattern[str]], ...]
    line_item_rules: frozenset[str]
    known_fields: tuple[str, ...]  # every field id the vocabulary may name, in FIELDS.md order
    meta_fields: tuple[str, ...]  # the metadata ids (meta.department …)
    core_fields: tuple[str, ...]  # what every disclosure should state
    field_names: dict[str, str]  # field id -> its Chinese name
    meta: dict[str, Any]
    html: dict[str, Any]
    indicators: dict[str, Any]
    tables: dict[str, Any]
    identities: tuple[Identity, ...] = ()
    correction: regex.Pattern[str] | None = None
    templates: tuple[Template, ...] = ()
    empty_statement: regex.Pattern[str] | None = None
    attachment_list: regex.Pattern[str] | None = None
    change: regex.Pattern[str] | None = None
    reason: regex.Pattern[str] | None = None
    zero_change: regex.Pattern[str] | None = None
    department_label: regex.Pattern[str] | None = None
    department_title: regex.Pattern[str] | None = None
    attachment_number: regex.Pattern[str] | None = None
    attachment_split: regex.Pattern[str] | None = None
    max_attachment_line_chars: int = 100
    max_section_line_chars: int = 40

    @property
    def count_fields(self) -> frozenset[str]:
        """The field ids whose values are counts (车辆数 …), not money."""
        return frozenset(f for rule, _ in self.count_labels for f in rule.fields)


@dataclass(frozen=True)
class Identity:
    """A check: ``total`` equals the sum of ``parts`` (each with its sign)."""

    id: str
    description: str
    total: str
    parts: tuple[tuple[str, int], ...]
    optional: frozenset[str] = frozenset()  # parts that may be absent (not every document has them)
    kinds: frozenset[str] | None = None  # document kinds the check applies to; None: all
    derive: str | None = None  # the field the extractor may compute from the others when absent

    def derivation(self) -> tuple[str, tuple[tuple[str, int], ...]] | None:
        """The derived field and its sources with their signs: the identity solved for it."""
        if self.derive is None:
            return None
        if self.derive == self.total:
            return self.total, self.parts
        sign = dict(self.parts)[self.derive]
        # total = Σ sign·part, so part = sign·(total − Σ other parts' sign·part)
        others = tuple((f, -s * sign) for f, s in self.parts if f != self.derive)
        solved = ((self.total, sign), *others)
        # the stated figure first: "expenditure.total - expenditure.total_change"
        return self.derive, tuple(sorted(solved, key=lambda p: p[0] == self.total))

    def fields(self) -> tuple[str, ...]:
        return (self.total, *(f for f, _ in self.parts))

    def difference(self, values: Mapping[str, Decimal]) -> Decimal | None:
        """The stated total less the sum of the stated parts; None when a needed field is not
        stated (an optional part not stated is absent from the sum, not unknown)."""
        needed = [self.total, *(f for f, _ in self.parts if f not in self.optional)]
        if not all(f in values for f in needed):
            return None
        parts = sum((values[f] * sign for f, sign in self.parts if f in values), Decimal(0))
        return values[self.total] - parts


@dataclass(frozen=True)
class TemplateItem:
    """A table or section a disclosure template requires (templates.yml)."""

    id: str
    title: str  # the template's own name for it
    kind: str | None  # tables: the table kind (tables.yml) that is this item
    text_re: regex.Pattern[str] | None  # sections: a heading or paragraph that is this item
    titles_re: regex.Pattern[str] | None  # the titles that count as the template's own
    subject_re: regex.Pattern[str] | None  # what a statement that it is empty names
    required: bool = True
    from_year: int | None = None

    def required_in(self, year: int | None) -> bool:
        return self.required and (self.from_year is None or year is None or year >= self.from_year)


@dataclass(frozen=True)
class Template:
    """The tables and sections a disclosure of one kind, years and region must hold."""

    id: str
    description: str
    source: str
    kind: str
    years: tuple[int | None, int | None]
    region_re: regex.Pattern[str] | None
    tables: tuple[TemplateItem, ...]
    sections: tuple[TemplateItem, ...]

    def applies(self, kind: str | None, year: int | None, region: str | None) -> bool:
        first, last = self.years
        if kind != self.kind or year is None:
            return False
        if (first is not None and year < first) or (last is not None and year > last):
            return False
        return self.region_re is None or bool(region and self.region_re.search(region))


class _Reader:
    """Validation helpers bound to one file, so every error names file and line."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, line: int | None, message: str) -> PatternError:
        return PatternError(str(self.path), line, message)

    def load(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError as exc:
            raise self.fail(None, f"cannot read pattern file: {exc.strerror}") from exc
        except UnicodeDecodeError as exc:
            raise self.fail(None, f"not UTF-8: {exc.reason}") from exc
        try:
            data = yaml.load(text, Loader=_LineLoader)
        except yaml.MarkedYAMLError as exc:
            line = exc.problem_mark.line + 1 if exc.problem_mark else None
            raise self.fail(line, f"invalid YAML: {exc.problem}") from exc
        if not isinstance(data, dict):
            raise self.fail(1, "the file must hold a mapping at the top level")
        return data

    def get(
        self, mapping: dict[str, Any], key: str, kind: type | tuple[type, ...], default: Any = None
    ) -> Any:
        line = mapping.get(_LINE_KEY)
        if key not in mapping:
            if default is not None:
                return default
            raise self.fail(line, f"missing key {key!r}")
        value = mapping[key]
        if not isinstance(value, kind):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise self.fail(line, f"{key!r} must be {names}, not {type(value).__name__}")
        return value

    def only(self, mapping: dict[str, Any], allowed: tuple[str, ...], what: str = "") -> None:
        """Reject keys a mapping may not have (a misspelt key would be silently ignored)."""
        for key in mapping:
            if key != _LINE_KEY and key not in allowed:
                where = f" in {what}" if what else ""
                raise self.fail(
                    mapping.get(_LINE_KEY), f"unknown key {key!r}{where} (expected: {', '.join(allowed)})"
                )

    def compile(self, pattern: str, line: int | None, what: str) -> regex.Pattern[str]:
        if not pattern:
            # an empty regex matches everywhere and would silently label every value
            raise self.fail(line, f"{what}: empty regex")
        try:
            return regex.compile(pattern, regex.V0)
        except regex.error as exc:
            raise self.fail(line, f"{what}: bad regex {pattern!r}: {exc}") from exc

    def regex_key(self, mapping: dict[str, Any], key: str) -> regex.Pattern[str]:
        return self.compile(self.get(mapping, key, str), mapping.get(_LINE_KEY), key)

    def optional_regex(self, mapping: dict[str, Any], key: str) -> regex.Pattern[str] | None:
        if key not in mapping or mapping[key] is None:
            return None
        return self.regex_key(mapping, key)


RULE_KEYS = ("id", "field", "label", "context", "not_context")
FIELDS_KEYS = (
    "known_fields",
    "names",
    "meta_fields",
    "core_fields",
    "changes",
    "previous",
    "income_side",
    "words",
    "fallback_rules",
    "unless_stated",
    "scope_fields",
    "table_scopes",
    "two_meanings",
    "line_item_rules",
    "count_labels",
    "table_labels",
    "prose_labels",
)
WORDS_KEYS = (
    "label_prefix",
    "total_row",
    "total_suffix",
    "generic_value_header",
    "previous_column",
    "change_column",
    "previous_phrase",
    "filler",
    "part_qualifier",
    "comparison",
    "increase",
    "decrease",
    "no_change",
    "all_of",
    "none_of",
    "empty_table",
    "this_item",
    "source_scope",
    "basic_other_part",
    "unnamed",
    "budgeted_phrase",
    "previous_year_word",
    "budget_word",
    "subset_header",
)


def _read_rules(reader: _Reader, data: dict[str, Any], key: str, known: set[str]) -> tuple[LabelRule, ...]:
    rules: list[LabelRule] = []
    seen: set[str] = set()
    for entry in reader.get(data, key, list):
        if not isinstance(entry, dict):
            raise reader.fail(data.get(_LINE_KEY), f"each entry of {key!r} must be a mapping")
        line = entry.get(_LINE_KEY)
        reader.only(entry, RULE_KEYS + (("unit",) if key == "count_labels" else ()), key)
        rule_id = reader.get(entry, "id", str)
        if rule_id in seen:
            raise reader.fail(line, f"duplicate rule id {rule_id!r} in {key!r}")
        seen.add(rule_id)
        field_value = reader.get(entry, "field", (str, list))
        fields = (field_value,) if isinstance(field_value, str) else tuple(field_value)
        for field_id in fields:
            if field_id not in known:
                raise reader.fail(line, f"unknown field id {field_id!r} (not in fields.yml 'known_fields')")
        rules.append(
            LabelRule(
                id=rule_id,
                fields=fields,
                pattern=reader.regex_key(entry, "label"),
                context=reader.optional_regex(entry, "context"),
                not_context=reader.optional_regex(entry, "not_context"),
                source=f"{reader.path.name}:{line}",
            )
        )
    return tuple(rules)


def default_patterns_dir() -> Path:
    """Where the vocabulary lives: $DISCLOSURE_EXTRACT_PATTERNS, the package, or the checkout."""
    env = os.environ.get(ENV_PATTERNS_DIR)
    if env:
        return Path(env)
    packaged = Path(__file__).parent / "patterns"
    if packaged.is_dir():
        return packaged
    # an editable install or a plain checkout: src/disclosure_extract -> repository root
    return Path(__file__).resolve().parents[2] / "patterns"


def load_patterns(directory: Path | None = None) -> Patterns:
    """Read and validate every pattern file in ``directory``."""
    directory = directory or default_patterns_dir()
    for name in PATTERN_FILES:
        if not (directory / name).is_file():
            raise PatternError(str(directory / name), None, "pattern file is missing")

    outline = _Reader(directory / "outline.yml")
    odata = outline.load()
    outline.only(odata, ("headings", "max_heading_chars"))
    headings = []
    for entry in outline.get(odata, "headings", list):
        outline.only(entry, ("id", "level", "regex"), "headings")
        headings.append(
            HeadingForm(
                id=outline.get(entry, "id", str),
                level=outline.get(entry, "level", int),
                regex=outline.regex_key(entry, "regex"),
            )
        )
    max_heading_chars = outline.get(odata, "max_heading_chars", int)

    freader = _Reader(directory / "fields.yml")
    fdata = freader.load()
    freader.only(fdata, FIELDS_KEYS)
    known_list = freader.get(fdata, "known_fields", list)
    known = set(known_list)
    meta_list = freader.get(fdata, "meta_fields", list)
    core_list = freader.get(fdata, "core_fields", list)
    for field_id in core_list:
        if field_id not in known and field_id not in meta_list:
            raise freader.fail(fdata.get(_LINE_KEY), f"core_fields: unknown field id {field_id!r}")
    mappings: dict[str, dict[str, str]] = {}
    for key in ("changes", "previous", "income_side"):
        mapping = {k: v for k, v in freader.get(fdata, key, dict).items() if k != _LINE_KEY}
        for base, target in mapping.items():
            if base not in known or target not in known:
                raise freader.fail(fdata[key].get(_LINE_KEY), f"{key}: unknown field in {base} -> {target}")
        mappings[key] = mapping
    words = freader.get(fdata, "words", dict)
    freader.only(words, WORDS_KEYS, "words")

    checks = _Reader(directory / "checks.yml")
    cdata = checks.load()
    tables = _compile_tree(_Reader(directory / "tables.yml"))
    scopes = _table_scopes(freader, fdata, known)
    _check_kinds(tables, scopes, directory / "tables.yml")
    source_scope = _source_scope(freader, words, scopes)
    return Patterns(
        directory=directory,
        headings=tuple(headings),
        max_heading_chars=max_heading_chars,
        table_labels=_read_rules(freader, fdata, "table_labels", known),
        prose_labels=_read_rules(freader, fdata, "prose_labels", known),
        changes=mappings["changes"],
        previous=mappings["previous"],
        income_side=mappings["income_side"],
        label_prefix=freader.regex_key(words, "label_prefix"),
        total_row=freader.regex_key(words, "total_row"),
        total_suffix=freader.regex_key(words, "total_suffix"),
        generic_value_header=freader.regex_key(words, "generic_value_header"),
        comparison=freader.regex_key(words, "comparison"),
        filler=freader.regex_key(words, "filler"),
        part_qualifier=freader.regex_key(words, "part_qualifier"),
        previous_column=freader.regex_key(words, "previous_column"),
        change_column=freader.regex_key(words, "change_column"),
        previous_phrase=freader.regex_key(words, "previous_phrase"),
        budgeted_phrase=freader.regex_key(words, "budgeted_phrase"),
        previous_year_word=freader.regex_key(words, "previous_year_word"),
        budget_word=freader.regex_key(words, "budget_word"),
        subset_header=freader.regex_key(words, "subset_header"),
        increase=freader.regex_key(words, "increase"),
        decrease=freader.regex_key(words, "decrease"),
        no_change=freader.regex_key(words, "no_change"),
        all_of=freader.regex_key(words, "all_of"),
        none_of=freader.regex_key(words, "none_of"),
        this_item=freader.regex_key(words, "this_item"),
        empty_table=freader.regex_key(words, "empty_table"),
        source_scope=source_scope,
        basic_other_part=freader.regex_key(words, "basic_other_part"),
        unnamed=freader.regex_key(words, "unnamed"),
        fallback_rules=frozenset(freader.get(fdata, "fallback_rules", list)),
        unless_stated=_rule_fields(freader, fdata, "unless_stated", known),
        scope_fields=_known_list(freader, fdata, "scope_fields", known),
        two_meanings=_known_list(freader, fdata, "two_meanings", known),
        table_scopes=scopes,
        line_item_rules=frozenset(freader.get(fdata, "line_item_rules", list)),
        known_fields=tuple(known_list),
        meta_fields=tuple(meta_list),
        core_fields=tuple(core_list),
        field_names=_field_names(freader, fdata, known_list, meta_list),
        count_labels=tuple(
            (rule, freader.regex_key(entry, "unit"))
            for rule, entry in zip(
                _read_rules(freader, fdata, "count_labels", known), fdata["count_labels"], strict=True
            )
        ),
        meta=_compile_tree(_Reader(directory / "meta.yml")),
        html=_compile_tree(_Reader(directory / "html.yml")),
        indicators=_compile_tree(_Reader(directory / "indicators.yml")),
        tables=tables,
        identities=_read_identities(checks, cdata, known),
        correction=checks.regex_key(cdata, "correction_re"),
        **_read_templates(_Reader(directory / "templates.yml"), directory),
    )


TEMPLATE_KEYS = ("id", "description", "source", "kind", "years", "region_re", "tables", "sections")
ITEM_KEYS = ("id", "title", "kind", "text_re", "titles_re", "subject_re", "required", "from_year")


def _read_templates(reader: _Reader, directory: Path) -> dict[str, Any]:
    data = reader.load()
    keys = ("empty_statement_re", "attachment_list_re", "attachment_number_re", "attachment_split_re")
    numbers = ("max_attachment_line_chars", "max_section_line_chars")
    changes = ("change_re", "reason_re", "zero_change_re")
    reader.only(data, (*keys, *numbers, *changes, "department_label_re", "department_title_re", "templates"))
    kinds = {str(k["id"]) for k in _compile_tree(_Reader(directory / "tables.yml"))["kinds"]}
    templates = []
    for entry in reader.get(data, "templates", list):
        line = entry.get(_LINE_KEY)
        reader.only(entry, TEMPLATE_KEYS, "templates")
        kind = reader.get(entry, "kind", str)
        if kind not in ("budget", "final_accounts"):
            raise reader.fail(line, f"kind must be budget or final_accounts, not {kind!r}")
        years = reader.get(entry, "years", list)
        if len(years) != 2 or not all(
            y is None or (isinstance(y, int) and not isinstance(y, bool)) for y in years
        ):
            raise reader.fail(line, "years must be [first, last], each a year or null")
        templates.append(
            Template(
                id=reader.get(entry, "id", str),
                description=reader.get(entry, "description", str),
                source=reader.get(entry, "source", str),
                kind=kind,
                years=(years[0], years[1]),
                region_re=reader.optional_regex(entry, "region_re"),
                tables=tuple(
                    _template_item(reader, e, kinds, "tables") for e in reader.get(entry, "tables", list)
                ),
                sections=tuple(
                    _template_item(reader, e, kinds, "sections") for e in reader.get(entry, "sections", list)
                ),
            )
        )
    return {
        "templates": tuple(templates),
        "empty_statement": reader.regex_key(data, "empty_statement_re"),
        "attachment_list": reader.regex_key(data, "attachment_list_re"),
        "attachment_number": reader.regex_key(data, "attachment_number_re"),
        "attachment_split": reader.regex_key(data, "attachment_split_re"),
        "change": reader.regex_key(data, "change_re"),
        "reason": reader.regex_key(data, "reason_re"),
        "zero_change": reader.regex_key(data, "zero_change_re"),
        "department_label": reader.regex_key(data, "department_label_re"),
        "department_title": reader.regex_key(data, "department_title_re"),
        "max_attachment_line_chars": reader.get(data, "max_attachment_line_chars", int),
        "max_section_line_chars": reader.get(data, "max_section_line_chars", int),
    }


def _template_item(reader: _Reader, entry: Any, kinds: set[str], group: str) -> TemplateItem:
    if not isinstance(entry, dict):
        raise reader.fail(None, f"each entry of {group!r} must be a mapping")
    line = entry.get(_LINE_KEY)
    reader.only(entry, ITEM_KEYS, group)
    kind = reader.get(entry, "kind", str) if "kind" in entry else None
    text_re = reader.optional_regex(entry, "text_re")
    if group == "tables" and kind not in kinds:
        raise reader.fail(
            line,
            f"kind {kind!r} is not a table kind of tables.yml (expected one of: {', '.join(sorted(kinds))})",
        )
    if group == "sections" and text_re is None:
        raise reader.fail(line, "a section needs text_re")
    required = entry.get("required", True)
    from_year = entry.get("from_year")
    if not isinstance(required, bool) or not (from_year is None or isinstance(from_year, int)):
        raise reader.fail(line, "required must be true or false, and from_year a year")
    return TemplateItem(
        id=reader.get(entry, "id", str),
        title=reader.get(entry, "title", str),
        kind=kind,
        text_re=text_re,
        titles_re=reader.optional_regex(entry, "titles_re"),
        subject_re=reader.optional_regex(entry, "subject_re"),
        required=required,
        from_year=from_year,
    )


def _rule_fields(reader: _Reader, data: dict[str, Any], key: str, known: set[str]) -> dict[str, str]:
    mapping = {k: v for k, v in reader.get(data, key, dict).items() if k != _LINE_KEY}
    for rule, field in mapping.items():
        if field not in known:
            raise reader.fail(data[key].get(_LINE_KEY), f"{key}: unknown field id {field!r} for {rule}")
    return mapping


def _field_names(reader: _Reader, data: dict[str, Any], known: list[str], meta: list[str]) -> dict[str, str]:
    names = {k: str(v) for k, v in reader.get(data, "names", dict).items() if k != _LINE_KEY}
    missing = [f for f in (*meta, *known) if f not in names]
    unknown = [f for f in names if f not in known and f not in meta]
    if missing or unknown:
        raise reader.fail(data["names"].get(_LINE_KEY), f"names: missing {missing}, unknown {unknown}")
    return names


@dataclass(frozen=True)
class TableScope:
    """What a table narrower than the department states (fields.yml ``table_scopes``):
    ``fields`` maps a department-wide field to the table's own; with ``only``, every field
    outside those prefixes is dropped (a 政府采购 table states procurement, nothing else)."""

    fields: dict[str, str]
    only: tuple[str, ...] = ()


KIND_KEYS = ("id", "title_re", "scope")


def _check_kinds(tables: dict[str, Any], scopes: dict[str, TableScope], path: Path) -> None:
    """Each table kind has an id and a title, and at most a scope fields.yml declares."""
    for entry in tables["kinds"]:
        unknown = sorted(set(entry) - set(KIND_KEYS))
        if unknown or "id" not in entry or "title_re" not in entry:
            raise PatternError(
                str(path), None, f"kinds: {entry.get('id')!r} needs id and title_re, not {unknown}"
            )
        if "scope" in entry and entry["scope"] not in scopes:
            raise PatternError(
                str(path),
                None,
                f"kinds: {entry['id']!r} has scope {entry['scope']!r}, not in fields.yml table_scopes",
            )


def _source_scope(
    reader: _Reader, words: dict[str, Any], scopes: dict[str, TableScope]
) -> regex.Pattern[str]:
    """words.source_scope: each named group names the table_scopes entry of its source."""
    source_scope = reader.regex_key(words, "source_scope")
    for group in source_scope.groupindex:
        if group not in scopes:
            raise reader.fail(
                words.get(_LINE_KEY), f"words: source_scope: group {group!r} names no table_scopes entry"
            )
    return source_scope


def _table_scopes(reader: _Reader, data: dict[str, Any], known: set[str]) -> dict[str, TableScope]:
    scopes: dict[str, TableScope] = {}
    for scope, mapping in reader.get(data, "table_scopes", dict).items():
        if scope == _LINE_KEY:
            continue
        if not isinstance(mapping, dict):
            raise reader.fail(
                data["table_scopes"].get(_LINE_KEY), f"table_scopes: {scope!r} must be a mapping"
            )
        line = mapping.get(_LINE_KEY)
        only = mapping.get("only", [])
        if not isinstance(only, list) or not all(isinstance(p, str) and p for p in only):
            raise reader.fail(line, f"table_scopes: {scope}: 'only' must be a list of field id prefixes")
        pairs = {k: v for k, v in mapping.items() if k not in (_LINE_KEY, "only")}
        for base, target in pairs.items():
            if base not in known or target not in known:
                raise reader.fail(line, f"table_scopes: unknown field in {scope}: {base} -> {target}")
        scopes[str(scope)] = TableScope(pairs, tuple(only))
    return scopes


def _known_list(reader: _Reader, data: dict[str, Any], key: str, known: set[str]) -> frozenset[str]:
    values = reader.get(data, key, list)
    for value in values:
        if value not in known:
            raise reader.fail(data.get(_LINE_KEY), f"{key}: unknown field id {value!r}")
    return frozenset(values)


def _read_identities(reader: _Reader, data: dict[str, Any], known: set[str]) -> tuple[Identity, ...]:
    out = []
    reader.only(data, ("identities", "correction_re"))
    for entry in reader.get(data, "identities", list):
        line = entry.get(_LINE_KEY)
        reader.only(entry, ("id", "description", "total", "parts", "kinds", "derive"), "identities")
        parts = []
        optional = set()
        for part in reader.get(entry, "parts", list):
            text = str(part)
            if text.endswith("?"):
                text = text[:-1]
                optional.add(text.lstrip("-"))
            sign, field_id = (-1, text[1:]) if text.startswith("-") else (1, text)
            if field_id not in known:
                raise reader.fail(line, f"unknown field id {field_id!r}")
            parts.append((field_id, sign))
        total = reader.get(entry, "total", str)
        if total not in known:
            raise reader.fail(line, f"unknown field id {total!r}")
        kinds = reader.get(entry, "kinds", list, default=[]) if "kinds" in entry else []
        derive = reader.get(entry, "derive", str) if "derive" in entry else None
        if derive is not None and derive not in {total, *(f for f, _ in parts)}:
            raise reader.fail(line, f"derive: {derive!r} is not a field of this identity")
        out.append(
            Identity(
                id=reader.get(entry, "id", str),
                description=reader.get(entry, "description", str),
                total=total,
                parts=tuple(parts),
                optional=frozenset(optional),
                kinds=frozenset(kinds) if kinds else None,
                derive=derive,
            )
        )
    return tuple(out)


_strip_lines = strip_lines


# The keys each tree-shaped pattern file must have, and may only have (nested mappings as
# mappings): a missing or misspelt key is a load error at FILE:LINE, not a KeyError later.
TREE_KEYS: dict[str, dict[str, Any]] = {
    "html.yml": dict.fromkeys(("drop_tags", "boilerplate_re", "link_penalty", "deepest_share", "meta_names")),
    "tables.yml": dict.fromkeys(
        (
            "unit_re",
            "preamble_cell_re",
            "max_caption_chars",
            "max_caption_line_chars",
            "default_unit",
            "entity_header_re",
            "own_part_re",
            "kinds",
        )
    ),
    "indicators.yml": dict.fromkeys(
        (
            "activity_re",
            "budget_re",
            "indicator_re",
            "level1_re",
            "level2_re",
            "target_re",
            "standard_excellent_re",
            "standard_good_re",
            "standard_fair_re",
            "standard_poor_re",
            "weight_re",
            "direction_re",
            "measure_unit_re",
            "form_project_re",
            "form_budget_re",
            "form_fiscal_re",
            "form_other_re",
            "form_label_re",
            "whole_re",
            "title_project_re",
            "generic_project_re",
            "glued_levels_re",
            "performance_title_re",
            "target_note_re",
        )
    )
    | {
        "comparison": dict.fromkeys(("ge_re", "le_re", "gt_re", "lt_re", "eq_re")),
        "comparison_suffix": dict.fromkeys(("ge_re", "le_re")),
    },
    "meta.yml": {
        "clean": dict.fromkeys(("prefix_re", "sentence_re")),
        "kind": dict.fromkeys(("final_accounts_re", "budget_re")),
        "year": dict.fromkeys(("fiscal_re", "any_re")),
        "department": dict.fromkeys(("forms_re", "late_forms_re", "trailing_re", "reject_re")),
        "region": dict.fromkeys(("strip_prefix_re", "unit_re", "not_region_re")),
        "department_key": dict.fromkeys(("same", "drop_re")),
    },
}


# The types of the tree files' values that are not regexes (keys ending in _re are checked as
# regexes when compiled).
LEAF_TYPES: dict[str, type | tuple[type, ...]] = {
    "drop_tags": list,
    "link_penalty": (int, float),
    "deepest_share": (int, float),
    "meta_names": list,
    "max_caption_chars": int,
    "max_caption_line_chars": int,
    "default_unit": str,
    "kinds": list,
    "same": list,
}


def _check_keys(reader: _Reader, data: dict[str, Any], spec: dict[str, Any], where: str = "") -> None:
    line = data.get(_LINE_KEY)
    for key in data:
        if key != _LINE_KEY and key not in spec:
            raise reader.fail(line, f"unknown key '{where}{key}' (expected: {', '.join(sorted(spec))})")
    for key, sub in spec.items():
        if key not in data:
            raise reader.fail(line, f"missing key '{where}{key}'")
        value = data[key]
        if sub is not None:
            if not isinstance(value, dict):
                raise reader.fail(line, f"'{where}{key}' must be a mapping")
            _check_keys(reader, value, sub, f"{where}{key}.")
        elif key in LEAF_TYPES and (isinstance(value, bool) or not isinstance(value, LEAF_TYPES[key])):
            kind = LEAF_TYPES[key]
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            raise reader.fail(line, f"'{where}{key}' must be {names}, not {type(value).__name__}")


def _compile_tree(reader: _Reader) -> dict[str, Any]:
    """Load a file whose keys ending in ``_re`` hold regexes; compile those, keep the rest."""
    data = reader.load()
    _check_keys(reader, data, TREE_KEYS[reader.path.name])

    def walk(value: Any, line: int | None, key: str = "") -> Any:
        if isinstance(value, dict):
            here = value.get(_LINE_KEY, line)
            return {k: walk(v, here, k) for k, v in value.items() if k != _LINE_KEY}
        if isinstance(value, list):
            return [walk(v, line, key) for v in value]
        if key.endswith("_re"):
            if not isinstance(value, str):
                raise reader.fail(line, f"{key!r} must be a regex string")
            return reader.compile(value, line, key)
        return value

    result = walk(data, 1)
    assert isinstance(result, dict)
    return result


@functools.cache
def get_patterns() -> Patterns:
    """The default vocabulary, loaded once per process."""
    return load_patterns()
