"""Identities choose: of the values a field is stated with, the set that satisfies the most of
the document's identities (收支平衡, parts = totals) is taken; evidence order breaks ties.

Budget software prints consistent figures, so when a document states a field twice with two
values, the one that agrees with the document's other figures is the field's. Resolution ranks
the statements (a table's before prose, a total row before a classified row); this step then
tries each other value of each field and keeps a change only when more identities hold after
it than before (a pass counts one, a failure minus one). Where an identity holds with the
chosen value and fails with another, the disagreement is decided, not a conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..model import Fact, rounding_tolerance
from ..patterns import Identity

__all__ = ["Choice", "choose_by_identities"]

# Each change must raise the score, so this bounds nothing in practice; it keeps a pathological
# document's search short.
MAX_ROUNDS = 5


@dataclass
class Choice:
    chosen: dict[str, Fact]  # the statement each field takes
    switched: dict[str, Fact] = field(default_factory=dict)  # field -> the ranked statement it replaced
    # field -> per other value, the identity that holds with the chosen value and fails with it
    decided: dict[str, dict[Decimal, str]] = field(default_factory=dict)


def choose_by_identities(
    chosen: Mapping[str, Fact],
    alternatives: Mapping[str, list[Fact]],
    identities: tuple[Identity, ...],
) -> Choice:
    """``chosen``: the ranked statement of each field; ``alternatives``: other statements that
    may stand for it (no classified rows, unit slips or fallbacks), in rank order."""
    state = dict(chosen)
    relevant = tuple(i for i in identities if any(f in alternatives for f in i.fields()))
    result = Choice(state)
    if not relevant:
        return result
    options = {f: _distinct(state[f], alts) for f, alts in alternatives.items() if f in state}
    options = {f: alts for f, alts in options.items() if alts}
    current = _score(state, relevant)
    for _ in range(MAX_ROUNDS):
        improved = False
        for field_id in sorted(options):
            for alt in options[field_id]:
                trial = {**state, field_id: alt}
                score = _score(trial, relevant)
                if score > current:
                    result.switched.setdefault(field_id, chosen[field_id])
                    state, current, improved = trial, score, True
        if not improved:
            break
    result.chosen = state
    for field_id, alts in alternatives.items():
        if field_id in state:
            # the ranked statement too, when another was taken over it
            statements = [chosen[field_id], *alts] if field_id in chosen else alts
            result.decided[field_id] = _decided(field_id, state, statements, relevant)
    return result


def _distinct(chosen: Fact, alternatives: list[Fact]) -> list[Fact]:
    """The first statement of each value other than the chosen one."""
    seen = {chosen.value}
    out = []
    for fact in alternatives:
        if fact.value not in seen:
            seen.add(fact.value)
            out.append(fact)
    return out


def _holds(identity: Identity, state: Mapping[str, Fact]) -> bool | None:
    values = {f: fact.value for f, fact in state.items() if isinstance(fact.value, Decimal)}
    difference = identity.difference(values)
    if difference is None:
        return None
    facts = [state[f] for f in identity.fields() if f in state]
    # each figure rounded on its own: n of them may be n half-digits off, as the checks allow
    return abs(difference) <= rounding_tolerance(facts) * len(facts)


def _score(state: Mapping[str, Fact], identities: tuple[Identity, ...]) -> int:
    score = 0
    for identity in identities:
        holds = _holds(identity, state)
        if holds is not None:
            score += 1 if holds else -1
    return score


def _decided(
    field_id: str, state: Mapping[str, Fact], alternatives: list[Fact], identities: tuple[Identity, ...]
) -> dict[Decimal, str]:
    """Per other value of the field: an identity that holds with the chosen value and not with it."""
    decided: dict[Decimal, str] = {}
    mine = [i for i in identities if field_id in i.fields() and _holds(i, state)]
    for alt in alternatives:
        if not isinstance(alt.value, Decimal) or alt.value == state[field_id].value:
            continue
        trial = {**state, field_id: alt}
        refuted = next((i.id for i in mine if _holds(i, trial) is False), None)
        if refuted is not None:
            decided[alt.value] = refuted
    return decided
