"""Inputs that are not ordinary files, and file names that are not UTF-8: each a record with
its own issue, and the batch writes its outputs (no hang, no crash at the write step)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from disclosure_extract import Patterns
from disclosure_extract.pipeline import extract_data
from disclosure_extract.write import JOURNAL

from .conftest import DOCS, SEED
from .test_jobs import CLI


def _extract(*args: str) -> subprocess.CompletedProcess[str]:
    # the time limit guards against a hang; it measures nothing
    return subprocess.run([*CLI, "extract", *args], capture_output=True, text=True, timeout=300, check=False)


def _records(out: Path) -> list[dict[str, object]]:
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_a_fifo_and_a_device_are_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # nobody writes to it: reading it would block forever
    out = tmp_path / "out"
    run = _extract(str(fifo), "/dev/zero", str(SEED), "-o", str(out), "-q", "--jobs", "1")
    assert run.returncode == 1, run.stderr
    records = [
        json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [r["status"] for r in records] == ["failed", "failed", "ok"]
    assert [r["issues"][0]["code"] for r in records[:2]] == ["not_a_file", "not_a_file"]


def test_a_file_name_that_is_not_utf8_is_named_with_escapes(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.path.join(os.fsencode(folder), b"budget-\xff\xfe.txt")
    with open(name, "wb") as handle:
        handle.write(SEED.read_bytes())
    out = tmp_path / "out"
    run = _extract(str(folder), "-o", str(out), "-q", "--jobs", "1")
    assert run.returncode == 0, run.stderr
    (record,) = [
        json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert record["source"].endswith("budget-\\xff\\xfe.txt")
    assert record["status"] == "ok"
    assert "budget-\\xff\\xfe" in (out / "facts.csv").read_text(encoding="utf-8")


def test_one_damaged_byte_is_replaced_and_flagged_not_a_rejected_page(patterns: Patterns) -> None:
    path = DOCS / "pingtan_2017_budget_renda.html"  # UTF-8
    data = path.read_bytes()
    middle = data.index(b"</p>", len(data) // 2)
    damaged = data[:middle] + b"\xff" + data[middle:]
    original = extract_data(data, str(path), patterns)
    record = extract_data(damaged, str(path), patterns)
    assert record.status == "ok"
    assert record.encoding == "utf-8"
    assert [i.code for i in record.issues if i.code == "replaced_bytes"] == ["replaced_bytes"]
    assert record.fields == original.fields


def test_an_output_folder_that_cannot_be_made_exits_3_with_the_reason(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    run = _extract(str(SEED), "-o", str(blocker / "out"), "-q", "--jobs", "1")
    assert run.returncode == 3
    assert f"cannot write in {blocker / 'out'}: Not a directory" in run.stderr
    assert "Traceback" not in run.stderr


def test_a_table_of_8000_rows_is_read_whole_in_bounded_time(tmp_path: Path) -> None:
    # blank-line removal and title splitting were rows x cells: 133 s for 8,000 rows
    rows = "".join(
        f"<tr><td>2010{i:04d}</td><td>项目{i}</td><td></td><td>{i}.50</td></tr>" for i in range(8000)
    )
    page = tmp_path / "big.html"
    page.write_text(
        "<html><head><meta charset='utf-8'><title>2020年部门预算</title></head><body><p>单位：万元</p>"
        f"<table><tr><td>科目编码</td><td>科目名称</td><td></td><td>合计</td></tr>{rows}</table></body></html>",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    run = _extract(str(page), "-o", str(out), "-q", "--jobs", "1")
    assert run.returncode == 0, run.stderr
    (record,) = _records(out)
    (table,) = record["tables"]
    assert (table["n_rows"], table["n_cols"]) == (8001, 3)  # the blank column is gone


def test_a_stopped_runs_temporary_files_are_removed_by_the_next(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "parquet").mkdir(parents=True)
    (out / ".cache" / "0123456789abcdef").mkdir(parents=True)
    leftovers = [
        out / ".documents.jsonl.k2j4h5.tmp",
        out / ".disclosures.x8a1.sqlite.tmp",
        out / "parquet" / ".facts.q1w2.parquet.tmp",
        out / ".cache" / "0123456789abcdef" / ".ab12.json.zz9.tmp",
    ]
    for path in leftovers:
        path.write_text("part of a run that was killed", encoding="utf-8")
    (out / ".tables.r4t5.tmp").mkdir()
    (out / ".tables.r4t5.tmp" / "x.csv").write_text("1,2\n", encoding="utf-8")
    mine = out / "notes.txt"
    mine.write_text("not ours", encoding="utf-8")
    run = _extract(str(SEED), "-o", str(out), "--jobs", "1")
    assert run.returncode == 0, run.stderr
    assert "removed 5 temporary file(s)" in run.stderr
    assert not [p for p in leftovers if p.exists()]
    assert not (out / ".tables.r4t5.tmp").exists()
    assert mine.read_text(encoding="utf-8") == "not ours"
    assert _records(out)[0]["status"] == "ok"


def _workbook(path: Path, fill: Callable[[Any], None]) -> Path:
    book = openpyxl.Workbook()
    fill(book.active)
    book.save(path)
    return path


def test_tiny_workbooks_with_huge_ranges_end_fast_with_their_own_issue(tmp_path: Path) -> None:
    # 1.5 KB files that took minutes and 13-15 GB: the sheet's range, not its values, decided
    def far_cell(ws: Any) -> None:
        ws["A1"], ws["B2"] = "2020年部门预算", "12.5"
        ws["XFD1048576"] = "x"

    def corners(ws: Any) -> None:
        ws["A1"], ws["B1048576"] = "2020年部门预算", "12.5"

    books = [_workbook(tmp_path / f"{f.__name__}.xlsx", f) for f in (far_cell, corners)]
    out = tmp_path / "out"
    run = _extract(*map(str, books), "-o", str(out), "-q", "--jobs", "1")
    records = {Path(str(r["source"])).stem: r for r in _records(out)}
    assert [i["code"] for i in records["far_cell"]["issues"]][:1] == ["too_complex"]
    assert [i["code"] for i in records["corners"]["issues"]][:1] == ["too_complex"]
    assert run.returncode == 1


_DIE_WHILE_COMMITTING = """
import os, sys
from pathlib import Path
from disclosure_extract import load_patterns
from disclosure_extract.pipeline import Workers, discover, run_batch
from disclosure_extract.write import stream

renames_before_death = int(sys.argv[3])
apply = stream._apply

def dying_apply(out_dir, journal):
    made = 0
    real = os.replace
    def replace(src, dst):
        nonlocal made
        if made == renames_before_death:
            os._exit(9)  # as kill -9 would: no cleanup, no exception
        made += 1
        real(src, dst)
    stream.os.replace = replace
    apply(out_dir, journal)

stream._apply = dying_apply
run_batch(discover([Path(sys.argv[1])]), Path(sys.argv[2]), load_patterns(), workers=Workers(in_process=True))
"""


def _outputs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != ".lock" and ".cache" not in p.parts
    }


@pytest.mark.parametrize("renames", [0, 3, 12])
def test_a_run_killed_while_putting_its_outputs_in_place_leaves_one_generation(
    tmp_path: Path, renames: int
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(SEED, first)
    shutil.copy(DOCS / "pingtan_2017_budget_renda.html", second)
    out, clean = tmp_path / "out", tmp_path / "clean"
    assert _extract(str(first), "-o", str(out), "-q").returncode == 0
    assert _extract(str(second), "-o", str(clean), "-q").returncode == 0
    died = subprocess.run(
        [sys.executable, "-c", _DIE_WHILE_COMMITTING, str(second), str(out), str(renames)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert died.returncode == 9, died.stderr
    assert (out / JOURNAL).exists()  # committed, not all in place
    # the next reader completes the generation the killed run had committed to
    check = subprocess.run(
        [*CLI, "check", str(out)], capture_output=True, text=True, timeout=300, check=False
    )
    assert check.returncode in (0, 1), check.stderr
    assert not (out / JOURNAL).exists()
    assert _outputs(out) == _outputs(clean)
