"""From facts to one value per field: tables win, disagreements are flagged, sums derived.

Every fact is kept. ``fields`` takes a table's value over a prose one (tables are the
audited statements; prose restates them), and the first in document order among equals.
Facts that disagree beyond rounding (half the last printed digit of either) are flagged
on both sides and reported as an issue; nothing is dropped or "fixed".
"""

from __future__ import annotations

from decimal import Decimal

from ..model import Evidence, Fact, Issue, Location
from ..patterns import Identity
from .choose import choose_by_identities

METHOD_RANK = {"table": 0, "prose": 1, "derived": 2}

# Derived values: (target, sign-weighted sources), from the identities of patterns/checks.yml
# that name a field to `derive`. Only output when the target is absent.
Derivation = tuple[str, tuple[tuple[str, int], ...]]


# When a department's whole spending is 一般公共预算财政拨款 (本年支出合计 equals the
# appropriation's general budget), its spending items and the appropriation's are the same figures.
# (本年支出合计 when stated, else 支出总计: with no carry-over they are the same figure)
SAME_SCOPE_WHEN = ("expenditure.current_year", "expenditure.total")
SAME_SCOPE_AS = "appropriation.general_budget"
SAME_SCOPE = (
    ("expenditure.basic", "appropriation.basic"),
    ("expenditure.personnel", "appropriation.personnel"),
    ("expenditure.public", "appropriation.public"),
    ("expenditure.project", "appropriation.project"),
)


def _slack(a: Fact, b: Fact) -> Decimal:
    tolerances = [f.evidence.tolerance for f in (a, b) if f.evidence.tolerance is not None]
    return max(tolerances, default=Decimal(0))


# A money figure printed with the wrong unit (1524.29元 beside 1725.98万元) is 10,000 times off.
UNIT_SLIP = Decimal(10000)
UNIT_SLIP_FLAG = "unit_error"
# the unit 10,000 times larger, and smaller, than a printed one
_UNIT_ABOVE = {"元": "万元", "万元": "亿元"}
_UNIT_BELOW = {"万元": "元", "亿元": "万元"}


def _is_slip(small: Fact, big: Fact) -> bool:
    """``big`` is ``small`` times 10,000, within both statements' rounding."""
    if small is big or not small.value:
        return False
    assert isinstance(small.value, Decimal) and isinstance(big.value, Decimal)
    slack = (big.evidence.tolerance or Decimal(0)) + (small.evidence.tolerance or Decimal(0)) * UNIT_SLIP
    return abs(small.value * UNIT_SLIP - big.value) <= max(slack, Decimal(1))


def _misprinted(small: Fact, big: Fact) -> Fact | None:
    """Of two statements 10,000 times apart, the one printed in the wrong unit: the one whose
    unit was guessed beside one whose unit is printed, the prose one beside a table's (a table
    prints its unit once, in its header; prose is typed figure by figure), else one printed in
    元 where the other's unit makes it 万元; None when neither can be told."""
    # a unit guessed (a table printing none) is the wrong one beside a unit printed
    if small.evidence.unit_inferred != big.evidence.unit_inferred:
        return small if small.evidence.unit_inferred else big
    methods = (small.evidence.method, big.evidence.method)
    if methods == ("prose", "table"):
        return small
    if methods == ("table", "prose"):
        return big
    return small if small.evidence.unit == "元" else None


def _flag_unit_slips(group: list[Fact]) -> list[Issue]:
    """Facts 10,000 times off another statement of the same field: 元 printed for 万元, or
    万元 for 元. The misprinted one is flagged (and gives way); the pair is one figure."""
    issues = []
    for small in group:
        for big in group:
            if not _is_slip(small, big):
                continue
            wrong = _misprinted(small, big)
            if wrong is None or UNIT_SLIP_FLAG in wrong.flags:
                continue
            wrong.flags.append(UNIT_SLIP_FLAG)
            unit = wrong.evidence.unit or "?"
            if wrong is small:
                meant = _UNIT_ABOVE.get(unit, "a unit 10,000 times larger")
                relation = f"{small.evidence.text!r} is 1/10,000 of {big.evidence.text!r}"
            else:
                meant = _UNIT_BELOW.get(unit, "a unit 10,000 times smaller")
                relation = f"{big.evidence.text!r} is 10,000 times {small.evidence.text!r}"
            message = f"{relation}: {unit} printed for {meant}"
            location = wrong.evidence.location
            issues.append(Issue(UNIT_SLIP_FLAG, "warning", f"{wrong.field_id}: {message}", location))
    return issues


def resolve_fields(
    facts: list[Fact],
    *,
    fallback_rules: frozenset[str] = frozenset(),
    unless_stated: dict[str, str] | None = None,
    skip_derived: frozenset[str] = frozenset(),
    derivations: tuple[Derivation, ...] = (),
    identities: tuple[Identity, ...] = (),
) -> tuple[dict[str, Decimal], list[Issue]]:
    """One value per field. ``fallback_rules`` name rules whose values count only when no
    other rule states the field; ``unless_stated`` rules whose values count only while a
    field is not stated as non-zero; ``skip_derived`` fields not to derive from parts;
    ``identities`` choose between a field's values (see :mod:`.choose`)."""
    issues: list[Issue] = []
    stated = {f.field_id for f in facts if f.value != 0 and f.evidence.method != "derived"}
    excluded = {rule for rule, field in (unless_stated or {}).items() if field in stated}
    by_field: dict[str, list[Fact]] = {}
    for fact in facts:
        if fact.evidence.rule in excluded:
            continue  # kept among the facts, but no statement of its field here
        by_field.setdefault(fact.field_id, []).append(fact)
    fields: dict[str, Decimal] = {}
    ranked: dict[str, Fact] = {}
    alternatives: dict[str, list[Fact]] = {}
    for field_id, group in by_field.items():
        issues.extend(_flag_unit_slips(group))
        chosen, others = _rank(group, fallback_rules)
        ranked[field_id] = chosen
        alternatives[field_id] = [f for f in others if _may_stand(f, fallback_rules)]
    choice = choose_by_identities(ranked, alternatives, identities)
    for field_id, group in by_field.items():
        chosen = choice.chosen[field_id]
        assert isinstance(chosen.value, Decimal)
        fields[field_id] = chosen.value
        if field_id in choice.switched:
            issues.append(_switched(field_id, chosen, choice.switched[field_id]))
        others = [f for f in group if f is not chosen]
        issues.extend(
            _disagreements(field_id, chosen, others, fallback_rules, choice.decided.get(field_id, {}))
        )
    facts.extend(_same_scope(fields))
    for target, sources in derivations:
        if target in fields or target in skip_derived or not all(src in fields for src, _ in sources):
            continue
        value = sum((fields[src] * weight for src, weight in sources), Decimal(0))
        fields[target] = value
        text = " ".join(f"{'+' if w > 0 else '-'} {src}" for src, w in sources).lstrip("+ ")
        facts.append(_derived(target, value, tuple(src for src, _ in sources), text))
    return fields, issues


def _rank(group: list[Fact], fallback_rules: frozenset[str]) -> tuple[Fact, list[Fact]]:
    """The statement a field takes, and the others. Classified rows (flag line_item) rank last:
    they are items, not the department's figure; a figure in the wrong unit after every other."""
    ranked = sorted(
        group,
        key=lambda f: (
            UNIT_SLIP_FLAG in f.flags,
            "line_item" in f.flags,
            f.evidence.rule in fallback_rules,
            METHOD_RANK[f.evidence.method],
        ),
    )
    return ranked[0], ranked[1:]


def _may_stand(fact: Fact, fallback_rules: frozenset[str]) -> bool:
    """Whether a statement may stand for its field in place of the ranked one."""
    return not (
        "line_item" in fact.flags
        or UNIT_SLIP_FLAG in fact.flags
        or fact.evidence.rule in fallback_rules
        or fact.evidence.method == "derived"
    )


def _switched(field_id: str, chosen: Fact, ranked: Fact) -> Issue:
    return Issue(
        IDENTITY_CHOICE,
        "info",
        f"{field_id}: {chosen.evidence.method} {chosen.value} yuan ({chosen.evidence.text!r}) taken over "
        f"{ranked.evidence.method} {ranked.value} yuan ({ranked.evidence.text!r}): more of the "
        "document's identities hold with it",
        chosen.evidence.location,
    )


# The issue of a value the identities chose over the ranked one, and of a disagreement they
# decided: information, not a conflict.
IDENTITY_CHOICE = "chosen_by_identity"
IDENTITY_DECIDED = "decided_by_identity"


def _disagreements(
    field_id: str,
    chosen: Fact,
    others: list[Fact],
    fallback_rules: frozenset[str],
    decided: dict[Decimal, str] | None = None,
) -> list[Issue]:
    """Other statements differing from the chosen one beyond rounding: both flagged, an issue
    each; a value an identity refutes is flagged alone, its issue information."""
    issues = []
    for other in others:
        assert isinstance(other.value, Decimal) and isinstance(chosen.value, Decimal)
        if "line_item" in other.flags or UNIT_SLIP_FLAG in other.flags:
            continue  # an item of a classification, a unit slip: no second statement of the figure
        if other.evidence.rule in fallback_rules:
            continue  # a narrower count or figure, used only when nothing else states the field
        difference = abs(other.value - chosen.value)
        if difference <= _slack(chosen, other):
            continue
        refuted_by = (decided or {}).get(other.value)
        if refuted_by is not None:
            if IDENTITY_DECIDED not in other.flags:
                other.flags.append(IDENTITY_DECIDED)
            issues.append(
                Issue(
                    IDENTITY_DECIDED,
                    "info",
                    f"{field_id}: {other.evidence.method} says {other.value} yuan "
                    f"({other.evidence.text!r}), but {refuted_by} holds only with "
                    f"{chosen.value} yuan ({chosen.evidence.text!r})",
                    other.evidence.location,
                )
            )
            continue
        kind = (
            "prose_table_mismatch"
            if {chosen.evidence.method, other.evidence.method} == {"table", "prose"}
            else "conflicting_values"
        )
        # a table against prose: the table is taken, so the prose is what is doubted (its
        # misprint, or a figure the identities will show wrong); two alike: both are doubted
        for fact in (other,) if kind == "prose_table_mismatch" else (chosen, other):
            if kind not in fact.flags:
                fact.flags.append(kind)
        issues.append(
            Issue(
                kind,
                "warning",
                f"{field_id}: {chosen.evidence.method} says {chosen.value} yuan "
                f"({chosen.evidence.text!r}), "
                f"{other.evidence.method} says {other.value} yuan ({other.evidence.text!r}); "
                f"difference {difference}",
                other.evidence.location,
            )
        )
    return issues


def _same_scope(fields: dict[str, Decimal]) -> list[Fact]:
    """Where all spending is 一般公共预算财政拨款, the department's spending items and the
    appropriation's are the same figures: each fills the other (added to ``fields``)."""
    when_a = next((a for a in SAME_SCOPE_WHEN if a in fields), None)
    when_b = SAME_SCOPE_AS
    if when_a is None or fields.get(when_a) != fields.get(when_b):
        return []
    derived = []
    for dept, app in SAME_SCOPE:
        for target, source in ((dept, app), (app, dept)):
            if target not in fields and source in fields:
                fields[target] = fields[source]
                text = f"= {source} (all spending is {when_b}: {when_a} = {when_b})"
                derived.append(_derived(target, fields[source], (source, when_a, when_b), text))
    return derived


def _derived(field: str, value: Decimal, sources: tuple[str, ...], text: str) -> Fact:
    evidence = Evidence(method="derived", text=text, location=Location(), derived_from=sources, rule="derive")
    return Fact(field_id=field, value=value, evidence=evidence)
