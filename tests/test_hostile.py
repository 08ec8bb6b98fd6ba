"""Hostile inputs (corpus/hostile, made by scripts/make_hostile_inputs.py): each file once
hung a batch, took gigabytes or ended as an internal_error. Each now ends as its own issue
within the batch's time limit and memory budget: a run with a short --timeout and a small
--memory-limit would give ``timeout``, ``out_of_memory`` or ``worker_died`` instead."""

from __future__ import annotations

import filecmp
import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import CORPUS, DOCS, ROOT
from .test_jobs import CLI

HOSTILE = CORPUS / "hostile"
LIMITS = ["--jobs", "2", "--timeout", "120", "--memory-limit", "1024", "--no-cache", "-q"]

# the first error each file's record carries, per PDF backend where the backends differ
EXPECTED = {
    "html_control_characters.html": None,  # read: the control characters are dropped
    "pdf_contents_cycle.pdf": {"pdfium": "no_text_layer", "pdfplumber": "damaged_pdf"},
    "pdf_contents_self_reference.pdf": {"pdfium": "no_text_layer", "pdfplumber": "damaged_pdf"},
    "pdf_inflates_to_300mb.pdf": "no_text_layer",
    "pdf_mediabox_self_reference.pdf": {"pdfium": "not_a_disclosure", "pdfplumber": "damaged_pdf"},
    "pdf_page_not_a_dictionary.pdf": {"pdfium": "no_text_layer", "pdfplumber": "empty_document"},
    "pdf_page_tree_3000_deep.pdf": {"pdfium": "no_text_layer", "pdfplumber": "too_complex"},
    "pdf_ruled_grid_150.pdf": "not_a_disclosure",  # its 22,500 cells read in about a second
    "docx_block_cut.docx": "damaged_file",  # a negative seek in zipfile, once an internal_error
    "docx_name_not_utf8.docx": "damaged_file",  # a UnicodeDecodeError, likewise
    "docx_part_cut_in_half.docx": "damaged_file",  # an XMLSyntaxError, likewise
    "docx_version_needed_unknown.docx": "damaged_file",  # NotImplementedError, likewise (issue 22)
    "xls_damaged.xls": "damaged_file",
    "xls_merge_whole_sheet.xls": "too_complex",  # 19 s and 1.8 GB once (issue 22)
    "xls_truncated.xls": "damaged_file",
    "xlsx_100000_rows.xlsx": "too_complex",
    "xlsx_billion_laughs.xlsx": "unsafe_xml",
    "xlsx_cell_at_xfd1048576.xlsx": "too_complex",
    "xlsx_external_entity.xlsx": "unsafe_xml",
    "xlsx_merge_whole_sheet.xlsx": "too_complex",
    "xlsx_shared_string_120mb.xlsx": "too_large",
}


def _run(paths: list[Path], out: Path, *options: str) -> tuple[int, dict[str, dict[str, object]]]:
    args = [*CLI, "extract", *map(str, paths), "-o", str(out), *LIMITS, *options]
    # the subprocess time limit guards the test against a hang; it measures nothing
    run = subprocess.run(args, capture_output=True, text=True, timeout=900, check=False)
    assert run.returncode in (0, 1), run.stderr
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    records = {Path(str(r["source"])).name: r for r in map(json.loads, lines)}
    return run.returncode, records


def _first_error(record: dict[str, object]) -> str | None:
    issues = record["issues"]
    assert isinstance(issues, list)
    return next((i["code"] for i in issues if i["severity"] == "error"), None)


@pytest.mark.parametrize("backend", ["pdfium", "pdfplumber"])
def test_each_hostile_file_ends_as_its_own_issue(tmp_path: Path, backend: str) -> None:
    files = sorted(HOSTILE.iterdir())
    if backend == "pdfplumber":  # the other formats do not depend on the PDF parser
        files = [f for f in files if f.suffix == ".pdf"]
    status, records = _run(files, tmp_path / "out", "--pdf-backend", backend)
    assert status == 1
    assert sorted(records) == sorted(f.name for f in files)
    for name, record in records.items():
        expected = EXPECTED[name]
        code = expected.get(backend) if isinstance(expected, dict) else expected
        assert (name, _first_error(record)) == (name, code)


def test_control_characters_in_a_page_are_dropped_not_fatal(tmp_path: Path) -> None:
    _, records = _run(
        [HOSTILE / "html_control_characters.html", DOCS / "pingtan_2017_budget_renda.html"], tmp_path / "out"
    )
    damaged, original = records["html_control_characters.html"], records["pingtan_2017_budget_renda.html"]
    assert damaged["fields"] == original["fields"]
    assert damaged["fields"]


def test_a_document_over_its_memory_budget_fails_alone(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("2024年部门预算 一般公共预算拨款收入 100.00 万元\n" * 1_000_000, encoding="utf-8")  # 65 MB
    seed = DOCS / "2017_budget_hebei_shanhaiguan_zonggonghui.txt"
    out = tmp_path / "out"
    status, records = _run([big, seed], out, "--memory-limit", "200")
    assert status == 1
    assert _first_error(records["big.txt"]) == "out_of_memory"
    assert "200 MiB" in json.dumps(records["big.txt"]["issues"])
    assert records[seed.name]["status"] == "ok"
    # out of memory depends on the budget: it is not cached, a rerun with more tries again
    assert not any(
        json.loads(p.read_text())["source"].endswith("big.txt") for p in out.glob(".cache/*/*.json")
    )


def test_the_script_makes_the_bundled_files(tmp_path: Path) -> None:
    script = ROOT / "scripts" / "make_hostile_inputs.py"
    subprocess.run([sys.executable, str(script), str(tmp_path)], check=True, capture_output=True, timeout=300)
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(EXPECTED)
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, HOSTILE, made, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_mutated_disclosures_end_as_issues_never_as_bugs(tmp_path: Path) -> None:
    # a bounded fuzz run: 300 corrupted copies of the bundled files (fixed seed; the script
    # makes as many as asked: 1,000 by hand, seed 22, gave no bug either)
    folder = tmp_path / "mutants"
    script = ROOT / "scripts" / "fuzz_inputs.py"
    made = ["--count", "300", "--seed", "14"]
    subprocess.run([sys.executable, str(script), str(folder), *made], check=True, timeout=300)
    _, records = _run(sorted(folder.iterdir()), tmp_path / "out")
    assert len(records) == 300
    bugs = {name: _first_error(r) for name, r in records.items() if _first_error(r) in BUGS}
    assert bugs == {}


# what must never come of any input: a bug, or a worker lost to one
BUGS = ("internal_error", "worker_died", "timeout", "out_of_memory")


def test_streaming_to_stdout_keeps_the_limits(tmp_path: Path) -> None:
    big = tmp_path / "big.txt"
    big.write_text("2024年部门预算 一般公共预算拨款收入 100.00 万元\n" * 1_000_000, encoding="utf-8")
    seed = DOCS / "2017_budget_hebei_shanhaiguan_zonggonghui.txt"
    args = [*CLI, "extract", str(big), str(seed), "-o", "-", "-q", "--memory-limit", "200", "--jobs", "2"]
    run = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 1, run.stderr
    records = [json.loads(line) for line in run.stdout.splitlines()]
    assert [Path(r["source"]).name for r in records] == ["big.txt", seed.name]  # input order
    assert [_first_error(r) for r in records] == ["out_of_memory", None]
