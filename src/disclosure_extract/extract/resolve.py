"""From facts to one value per field: tables win, disagreements are flagged, sums derived.

Every fact is kept. ``fields`` takes a table's value over a prose one (tables are the
audited statements; prose restates them), and the first in document order among equals.
Facts that disagree beyond rounding (half the last printed digit of either) are flagged
on both sides and reported as an issue; nothing is dropped or "fixed".
"""

from __future__ import annotations

from decimal import Decimal

from ..model import Evidence, Fact, Issue, Location

METHOD_RANK = {"table": 0, "prose": 1, "derived": 2}

# Derived values: (target, sign-weighted sources). Only output when the target is absent.
DERIVATIONS: tuple[tuple[str, tuple[tuple[str, int], ...]], ...] = (
    ("expenditure.basic", (("expenditure.personnel", 1), ("expenditure.public", 1))),
    ("appropriation.basic", (("appropriation.personnel", 1), ("appropriation.public", 1))),
    ("expenditure.total_prev", (("expenditure.total", 1), ("expenditure.total_change", -1))),
    ("sangong.total_prev", (("sangong.total", 1), ("sangong.total_change", -1))),
)


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


def resolve_fields(facts: list[Fact]) -> tuple[dict[str, Decimal], list[Issue]]:
    issues: list[Issue] = []
    by_field: dict[str, list[Fact]] = {}
    for fact in facts:
        by_field.setdefault(fact.field_id, []).append(fact)
    fields: dict[str, Decimal] = {}
    for field_id, group in by_field.items():
        # classified rows (flag line_item) rank last: they are items, not the department's figure
        ranked = sorted(group, key=lambda f: ("line_item" in f.flags, METHOD_RANK[f.evidence.method]))
        chosen = ranked[0]
        assert isinstance(chosen.value, Decimal)
        fields[field_id] = chosen.value
        for other in ranked[1:]:
            assert isinstance(other.value, Decimal)
            if "line_item" in other.flags:
                continue  # an item of a classification is no second statement of the figure
            difference = abs(other.value - chosen.value)
            if difference <= _slack(chosen, other):
                continue
            kind = (
                "prose_table_mismatch"
                if {chosen.evidence.method, other.evidence.method} == {"table", "prose"}
                else "conflicting_values"
            )
            for fact in (chosen, other):
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
    when_a = next((a for a in SAME_SCOPE_WHEN if a in fields), None)
    when_b = SAME_SCOPE_AS
    if when_a is not None and fields.get(when_a) == fields.get(when_b):
        for dept, app in SAME_SCOPE:
            for target, source in ((dept, app), (app, dept)):
                if target not in fields and source in fields:
                    fields[target] = fields[source]
                    facts.append(
                        _derived(
                            target,
                            fields[source],
                            (source, when_a, when_b),
                            f"= {source} (all spending is {when_b}: {when_a} = {when_b})",
                        )
                    )
    for target, sources in DERIVATIONS:
        if target in fields or not all(src in fields for src, _ in sources):
            continue
        value = sum((fields[src] * weight for src, weight in sources), Decimal(0))
        fields[target] = value
        text = " ".join(f"{'+' if w > 0 else '-'} {src}" for src, w in sources).lstrip("+ ")
        facts.append(_derived(target, value, tuple(src for src, _ in sources), text))
    return fields, issues


def _derived(field: str, value: Decimal, sources: tuple[str, ...], text: str) -> Fact:
    evidence = Evidence(method="derived", text=text, location=Location(), derived_from=sources, rule="derive")
    return Fact(field_id=field, value=value, evidence=evidence)
