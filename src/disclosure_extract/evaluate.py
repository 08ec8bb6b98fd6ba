"""Scoring an output against hand-annotated truth files.

A truth file is JSON: ``doc`` (the input's file name), ``fields`` (id -> value, all
required), optional ``optional_fields`` (scored only when output) and optional
``indicators`` (a list of records; absent means indicators are not scored). A truth
value that is a list means the document itself states several values: any counts.

Money is right within ``MONEY_TOLERANCE`` yuan, years and counts exactly; text is compared after NFKC
normalisation without white space. Precision = right / (right + wrong) over every
output value that has a truth; recall = right required / required. Indicators are
compared as (activity, indicator, first standard or target) triples.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from .errors import DisclosureError
from .model import Indicator, Result
from .write import loads_record

# Annotators copy amounts from documents in 万元 with two decimals and convert by hand;
# a yuan either way is transcription, not extraction error.
MONEY_TOLERANCE = Decimal(1)


class TruthError(DisclosureError):
    """A truth file or an output file is malformed."""


def _text(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    if isinstance(value, str):
        try:
            return Decimal(_text(value).replace(",", ""))
        except InvalidOperation:
            return None
    return None


def is_exact(field_id: str) -> bool:
    """Years and counts compare exactly; only money has a rounding tolerance."""
    return field_id.startswith("meta.") or field_id == "assets.vehicles"


def same(truth: object, got: object, *, exact: bool = False) -> bool:
    if isinstance(truth, list):
        return any(same(t, got, exact=exact) for t in truth)
    t_num = _number(truth)
    if t_num is not None and not isinstance(truth, str):
        g_num = _number(got)
        return g_num is not None and abs(t_num - g_num) <= (0 if exact else MONEY_TOLERANCE)
    return _text(truth) == _text(got)


def indicator_key(rec: dict[str, Any]) -> tuple[str, str, str]:
    standards = rec.get("standards") or {}
    first = standards.get("excellent") if isinstance(standards, dict) else None
    if first in (None, ""):
        first = rec.get("target", "")
    return (_text(rec.get("activity", "")), _text(rec.get("indicator", "")), _text(first or ""))


@dataclass
class DocScore:
    doc: str
    found: bool
    right: int = 0
    wrong: int = 0
    missing: int = 0
    problems: list[str] = field(default_factory=list)
    ind_tp: int = 0
    ind_out: int = 0
    ind_truth: int = 0


@dataclass
class Evaluation:
    documents: list[DocScore]
    per_field: dict[str, dict[str, int]]
    right: int = 0
    wrong: int = 0
    required: int = 0
    required_right: int = 0
    values: int = 0  # fields with a value in the scored documents (metadata aside)
    from_tables: int = 0  # of them, taken from a table cell

    @property
    def table_share(self) -> float:
        return self.from_tables / self.values if self.values else 0.0

    @property
    def precision(self) -> float:
        return self.right / (self.right + self.wrong) if self.right + self.wrong else 0.0

    @property
    def recall(self) -> float:
        return self.required_right / self.required if self.required else 0.0

    @property
    def indicator_f1(self) -> float:
        tp = sum(d.ind_tp for d in self.documents)
        out = sum(d.ind_out for d in self.documents)
        truth = sum(d.ind_truth for d in self.documents)
        p = tp / out if out else 0.0
        r = tp / truth if truth else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "indicator_f1": round(self.indicator_f1, 4),
            "right": self.right,
            "wrong": self.wrong,
            "required": self.required,
            "values_from_tables": [self.from_tables, self.values],
            "per_field": self.per_field,
            "documents": [
                {
                    "doc": d.doc,
                    "found": d.found,
                    "right": d.right,
                    "wrong": d.wrong,
                    "missing": d.missing,
                    "indicators": [d.ind_tp, d.ind_out, d.ind_truth],
                    "problems": d.problems,
                }
                for d in self.documents
            ],
        }


def output_key(ind: Indicator) -> tuple[str, str, str]:
    """An extracted indicator as the triple truth files are compared by."""
    first = (ind.standards or {}).get("excellent") or ind.target or ""
    return (_text(ind.activity), _text(ind.indicator), _text(first))


def load_output(path: Path) -> dict[str, Result]:
    """The results of a documents.jsonl (or of the folder holding one), by source."""
    if path.is_dir():
        path = path / "documents.jsonl"
    docs: dict[str, Result] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise TruthError(f"{path}: cannot read the output: {exc.strerror}") from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = loads_record(line)
        except json.JSONDecodeError as exc:
            raise TruthError(f"{path}:{n}: not JSON: {exc.msg}") from exc
        except (KeyError, TypeError, ValueError) as exc:
            raise TruthError(f"{path}:{n}: not an output record ({exc!r})") from exc
        docs[record.source] = record
    return docs


def _find(docs: dict[str, Result], name: str) -> Result | None:
    for source, record in docs.items():
        if source == name or source.replace("\\", "/").endswith("/" + name):
            return record
    return None


def evaluate(output: Path, truth_dir: Path) -> Evaluation:
    """Score an output (documents.jsonl or its folder) against every truth file of a folder."""
    docs = load_output(output)
    truth_files = sorted(truth_dir.glob("*.json"))
    if not truth_files:
        raise TruthError(f"{truth_dir}: no truth files (*.json)")
    result = Evaluation(documents=[], per_field={})
    for truth_file in truth_files:
        try:
            truth = json.loads(truth_file.read_text(encoding="utf-8"))
            name = truth["doc"]
        except (json.JSONDecodeError, KeyError, OSError) as exc:
            raise TruthError(f"{truth_file}: not a truth file ({exc})") from exc
        record = _find(docs, name)
        score = DocScore(doc=name, found=record is not None)
        fields = record.fields if record is not None else {}
        if record is not None:
            result.values += sum(1 for f in fields if not f.startswith("meta."))
            chosen = record.chosen_facts().values()
            result.from_tables += sum(1 for fact in chosen if fact.evidence.method == "table")
        _score_fields(result, score, truth.get("fields", {}), fields, required=True)
        _score_fields(result, score, truth.get("optional_fields", {}), fields, required=False)
        result.right += score.right
        result.wrong += score.wrong
        if "indicators" in truth:
            t_ind = {indicator_key(r) for r in truth["indicators"]}
            o_ind = {output_key(i) for i in (record.indicators if record is not None else [])}
            score.ind_tp, score.ind_out, score.ind_truth = len(t_ind & o_ind), len(o_ind), len(t_ind)
            score.problems.extend(f"missing indicator {k}" for k in sorted(t_ind - o_ind))
            score.problems.extend(f"extra indicator {k}" for k in sorted(o_ind - t_ind))
        result.documents.append(score)
    return result


def _score_fields(
    result: Evaluation, score: DocScore, truth: dict[str, Any], fields: dict[str, Any], *, required: bool
) -> None:
    """Right, wrong and (required only) missing values of one document."""

    def tally(fid: str, key: str) -> None:
        result.per_field.setdefault(fid, {"right": 0, "wrong": 0, "missing": 0})[key] += 1

    for fid, want in truth.items():
        if required:
            result.required += 1
        if fid not in fields:
            if required:
                score.missing += 1
                tally(fid, "missing")
                score.problems.append(f"missing {fid} = {want}")
        elif same(want, fields[fid], exact=is_exact(fid)):
            score.right += 1
            result.required_right += int(required)
            tally(fid, "right")
        else:
            score.wrong += 1
            tally(fid, "wrong")
            note = "" if required else " (optional)"
            score.problems.append(f"wrong {fid} = {fields[fid]}, truth {want}{note}")


def format_report(result: Evaluation, verbose: bool = False) -> str:
    lines = [f"{'document':58} {'right':>5} {'wrong':>5} {'miss':>5} {'ind tp/out/truth':>17}"]
    for d in result.documents:
        ind = f"{d.ind_tp}/{d.ind_out}/{d.ind_truth}" if d.ind_out or d.ind_truth else "-"
        flag = "" if d.found else "  (no output for this document)"
        lines.append(f"{d.doc[:58]:58} {d.right:5} {d.wrong:5} {d.missing:5} {ind:>17}{flag}")
        if verbose:
            lines.extend(f"  {p}" for p in d.problems)
    if verbose:
        lines.append("")
        lines.append(f"{'field':34} {'right':>5} {'wrong':>5} {'miss':>5}")
        for fid, counts in sorted(result.per_field.items()):
            lines.append(f"{fid:34} {counts['right']:5} {counts['wrong']:5} {counts['missing']:5}")
    lines.append(
        f"fields: precision {result.precision:.3f} recall {result.recall:.3f} "
        f"(right {result.right}, wrong {result.wrong}, required {result.required}); "
        f"indicators: f1 {result.indicator_f1:.3f}"
    )
    lines.append(
        f"values from tables: {result.from_tables} of {result.values} ({result.table_share:.1%}); "
        "the rest from prose or derived"
    )
    return "\n".join(lines)
