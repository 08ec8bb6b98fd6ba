"""Measures without truth (`evaluate --unlabeled`): what a document's own numbers say of how it
was read, on real documents with the counts checked by hand."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from disclosure_extract.cli import main
from disclosure_extract.model import Result
from disclosure_extract.patterns import Patterns
from disclosure_extract.unlabeled import measure_document

from .conftest import DOCS

SANGONG = "2015_budget_guangxi_guilin_sifaju_sangong_MIRROR.txt"


def test_a_sangong_table_measured_without_truth(results: dict[str, Result], patterns: Patterns) -> None:
    # the table: 合计 34.35 = 出国 0 + 接待 1.70 + 公务用车 0, though 其中 车运行维护 32.65: the
    # document contradicts itself, so two identities fail (total = parts, car = its parts)
    doc = measure_document(results[SANGONG], patterns)
    assert (doc.tables, doc.classified) == (1, 1)
    assert doc.identities == {"fail": 2}
    # 2 columns x 6 rows of figures; the 其中:公共预算财政拨款 column is read by no rule
    assert (doc.figures, doc.unclaimed) == (12, 6)
    assert doc.columns_not_understood == ["sangong: 其中:公共预算财政拨款"]
    assert doc.rows_not_understood == []
    assert doc.core_missing == [
        "income.total",
        "expenditure.total",
        "expenditure.basic",
        "expenditure.project",
        "operating_costs.total",
    ]
    assert (doc.values, doc.from_tables) == (6, 6)


def test_a_table_no_rule_reads_is_counted_as_not_understood(
    results: dict[str, Result], patterns: Patterns
) -> None:
    record = results[SANGONG]
    unread = Result(
        source=record.source,
        sha256=record.sha256,
        format=record.format,
        tables=record.tables,
        meta=record.meta,
        fields={k: v for k, v in record.fields.items() if k.startswith("meta.")},
    )
    doc = measure_document(unread, patterns)
    assert (doc.figures, doc.unclaimed) == (12, 12)
    assert len(doc.rows_not_understood) == 6 and "sangong: 合计" in doc.rows_not_understood


def test_evaluate_unlabeled_prints_totals_and_json(corpus_output: Path) -> None:
    runner = CliRunner()
    text = runner.invoke(main, ["evaluate", str(corpus_output), "--unlabeled"])
    assert text.exit_code == 0, text.output
    assert "table identities pass" in text.output and "values from tables" in text.output
    done = runner.invoke(main, ["evaluate", str(corpus_output), "--unlabeled", "--format", "json"])
    totals = json.loads(done.output)["totals"]
    documents = json.loads(done.output)["documents"]
    assert totals["documents"] == len(documents) == len(list(DOCS.iterdir()))
    assert totals["tables_classified"] == sum(d["classified"] for d in documents)
    # which core field is missing, in how many documents: where a corpus needs work first
    missing = [f for d in documents if d["disclosure"] for f in d["core_missing"]]
    assert totals["core_fields_missing"] == {f: missing.count(f) for f in set(missing)}
    assert "core fields missing" in text.output
    assert 0 < totals["values_from_tables"] < totals["values"]


def test_evaluate_takes_truth_or_unlabeled_not_both(corpus_output: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["evaluate", str(corpus_output)]).exit_code == 2
    both = runner.invoke(main, ["evaluate", str(corpus_output), "--unlabeled", "--truth", str(tmp_path)])
    assert both.exit_code == 2 and "either --truth DIR or --unlabeled" in both.output
