"""Relative output folders, ``..`` and symlinked folders: every writing command works from the
working directory a user types it in (issue 21: the README's first command crashed on
``out``, a relative folder, because every test passed an absolute temporary one)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from disclosure_extract import load_patterns
from disclosure_extract.pipeline import discover, run_batch

from .conftest import DOCS, SEED, TEXT_HTML
from .test_jobs import workers_of

PDF = sorted(DOCS.glob("*.pdf"))[0]

CLI = [str(Path(sys.executable).with_name("disclosure-extract"))]


def _cli(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    """A working directory holding two documents under docs/, as a user's checkout would."""
    (tmp_path / "docs").mkdir()
    for path in TEXT_HTML[:2]:
        shutil.copy(path, tmp_path / "docs" / path.name)
    return tmp_path


@pytest.mark.parametrize("out", ["out", "./out", "sub/../out", None])
def test_extract_to_a_relative_folder(workdir: Path, out: str | None) -> None:
    args = ["extract", "docs"] + (["-o", out] if out else [])
    done = _cli(workdir, *args)
    assert done.returncode == 0, done.stderr
    lines = (workdir / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["source"] for line in lines] == [f"docs/{p.name}" for p in TEXT_HTML[:2]]
    assert not list((workdir / "out").glob(".*.tmp")) and not (workdir / "out" / ".commit.json").exists()
    # and the follow-ups on the same relative folder
    assert _cli(workdir, "check", "out").returncode in (0, 1)
    report = _cli(workdir, "report", "out", "--no-crops")
    assert report.returncode == 0, report.stderr
    assert (workdir / "out" / "report" / "index.html").is_file()


def test_extract_through_a_symlinked_folder(workdir: Path) -> None:
    (workdir / "real").mkdir()
    (workdir / "link").symlink_to(workdir / "real", target_is_directory=True)
    done = _cli(workdir, "extract", "docs", "-o", "link/../link/out")
    assert done.returncode == 0, done.stderr
    assert (workdir / "real" / "out" / "documents.jsonl").is_file()
    again = _cli(workdir, "extract", "docs", "-o", "link/out")  # the same folder by another name
    assert again.returncode == 0, again.stderr
    assert "2 reused from cache" in again.stderr


def test_run_batch_takes_a_relative_path(workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(workdir)
    summary = run_batch(discover([Path("docs")]), Path("out"), load_patterns())
    assert summary.failed == 0 and summary.total == 2
    assert (workdir / "out" / "disclosures.sqlite").is_file()


def test_absolute_path_with_dotdot(workdir: Path) -> None:
    out = f"{workdir}/docs/../out"
    done = _cli(Path(os.sep), "extract", str(workdir / "docs" / SEED.name), "-o", out)
    assert done.returncode == 0, done.stderr
    assert (workdir / "out" / "documents.jsonl").is_file()


def test_a_closed_pipe_ends_quietly(workdir: Path) -> None:
    # extract -o - | head -1: the reader goes after one line
    with subprocess.Popen(
        [*CLI, "extract", "docs", "-o", "-", "-q"],
        cwd=workdir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.readline()
        process.stdout.close()
        err = process.stderr.read().decode()
        code = process.wait(timeout=300)
    assert code == 0, err
    assert "Traceback" not in err


def test_ctrl_c_exits_130_saying_interrupted(workdir: Path) -> None:
    for n in range(3):
        shutil.copy(PDF, workdir / "docs" / f"copy{n}.pdf")
    with subprocess.Popen(
        [*CLI, "extract", "docs", "-o", "out", "--no-cache", "--pdf-backend", "pdfplumber", "--jobs", "1"],
        cwd=workdir,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        for _ in range(600):  # until a worker works (at most a minute)
            if workers_of(process.pid):
                break
            time.sleep(0.1)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=300)
    assert process.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert not (workdir / "out" / "documents.jsonl").exists()  # nothing half-written


def test_the_report_finds_sources_from_any_working_directory(workdir: Path, tmp_path: Path) -> None:
    shutil.copy(PDF, workdir / "docs" / PDF.name)
    assert _cli(workdir, "extract", "docs", "-o", "out").returncode == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    report = _cli(elsewhere, "report", str(workdir / "out"))
    assert report.returncode == 0, report.stderr
    assert "not in" not in report.stderr  # no source reported missing
    assert list((workdir / "out" / "report" / "crops").glob("*.png"))
    page = next(
        p
        for p in (workdir / "out" / "report" / "docs").glob("*.html")
        if PDF.name in p.read_text(encoding="utf-8")
    )
    hrefs = re.findall(r"href='([^'#]+\.pdf)(?:#page=\d+)?'", page.read_text(encoding="utf-8"))
    assert hrefs and all(
        (page.parent / h).resolve() == (workdir / "docs" / PDF.name).resolve() for h in hrefs
    )
    # a source gone since the extraction is a warning, not silence
    (workdir / "docs" / PDF.name).unlink()
    again = _cli(elsewhere, "report", str(workdir / "out"))
    assert again.returncode == 0 and "1 document(s) whose files are not in" in again.stderr
