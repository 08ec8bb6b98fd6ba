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
        ranked = sorted(group, key=lambda f: METHOD_RANK[f.evidence.method])
        chosen = ranked[0]
        assert isinstance(chosen.value, Decimal)
        fields[field_id] = chosen.value
        for other in ranked[1:]:
            assert isinstance(other.value, Decimal)
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
    for target, sources in DERIVATIONS:
        if target in fields or not all(src in fields for src, _ in sources):
            continue
        value = sum((fields[src] * weight for src, weight in sources), Decimal(0))
        fields[target] = value
        facts.append(
            Fact(
                field_id=target,
                value=value,
                evidence=Evidence(
                    method="derived",
                    text=" ".join(f"{'+' if w > 0 else '-'} {src}" for src, w in sources).lstrip("+ "),
                    location=Location(),
                    derived_from=tuple(src for src, _ in sources),
                    rule="derive",
                ),
            )
        )
    return fields, issues
