"""--jobs: worker processes give the same bytes as one process; a worker killed mid-batch or a
document over its time limit costs that document at most, never the batch."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pypdf

from .conftest import CORPUS, DOCS

CLI = [sys.executable, "-m", "disclosure_extract.cli"]
PDFS = sorted(DOCS.glob("*.pdf"))


def _outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.parts and not p.name.endswith(".lock")
    }


def _extract(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "extract", *args, "-o", str(out), "--no-cache", "-q"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_two_jobs_write_the_bytes_one_job_writes(tmp_path: Path) -> None:
    inputs = [str(DOCS), str(CORPUS / "regress")]
    one, two = (
        _extract(tmp_path / "one", *inputs, "--jobs", "1"),
        _extract(tmp_path / "two", *inputs, "--jobs", "2"),
    )
    assert one.returncode == two.returncode == 0, two.stderr
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "two")


def _harness() -> ModuleType:
    """scripts/kill_harness.py, whose process helpers the tests share (stated once, there)."""
    spec = importlib.util.spec_from_file_location(
        "kill_harness", CORPUS.parent / "scripts" / "kill_harness.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# The processes below a pid (one the test started), read from /proc; whether one still runs.
descendants: Callable[[int], list[int]] = _harness().descendants
alive: Callable[[int], bool] = _harness().alive


def workers_of(pid: int) -> list[int]:
    """The extraction workers of a batch the test started: the fork server's children."""

    def cmdline(p: int) -> str:
        try:
            return Path(f"/proc/{p}/cmdline").read_text()
        except OSError:
            return ""

    servers = [p for p in descendants(pid) if "forkserver" in cmdline(p)]
    return [w for server in servers for w in descendants(server)]


def test_a_worker_killed_mid_batch_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    # pdfminer is the slower parser: the batch lasts long enough to be killed in the middle
    command = [*CLI, "extract", *map(str, PDFS), "-o", str(out), "--no-cache", "-q", "--jobs", "2"]
    process = subprocess.Popen(
        [*command, "--pdf-backend", "pdfplumber"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while len(workers) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
        workers = workers_of(process.pid)
    assert workers, "no worker process started"
    time.sleep(1.0)  # let it be in the middle of a document
    os.kill(workers[0], signal.SIGKILL)
    _, err = process.communicate(timeout=600)
    assert process.returncode == 0, err
    assert "the worker died" in err
    records = [
        json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    assert [r["source"] for r in records] == [str(p) for p in PDFS]
    assert all(r["status"] == "ok" for r in records)


def _long_pdf(path: Path) -> Path:
    """Every page of the corpus PDFs, twice: about 500 pages, seconds even for PDFium."""
    writer = pypdf.PdfWriter()
    for _ in range(2):
        for pdf in PDFS:
            writer.append(pypdf.PdfReader(pdf))
    writer.write(path)
    return path


def test_a_document_over_the_time_limit_fails_alone_and_is_retried_next_run(tmp_path: Path) -> None:
    slow = _long_pdf(tmp_path / "long.pdf")
    quick = DOCS / "2017_budget_hebei_shanhaiguan_zonggonghui.txt"
    out = tmp_path / "out"
    run = subprocess.run(
        [*CLI, "extract", str(slow), str(quick), "-o", str(out), "-q", "--jobs", "2", "--timeout", "1"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 1
    first, second = (
        json.loads(x) for x in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    )
    assert first["status"] == "failed" and first["issues"][0]["code"] == "timeout"
    assert "longer than 1 s" in first["issues"][0]["message"]
    assert second["status"] == "ok"
    # a timeout is not cached: with time enough, the next run extracts the document
    again = subprocess.run(
        [*CLI, "extract", str(slow), str(quick), "-o", str(out), "-q", "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    first = json.loads((out / "documents.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert first["status"] == "ok"


def test_a_worker_failing_outside_extraction_fails_its_document_not_the_batch() -> None:
    # the worker's future raising (out of memory while sending its result back, a bug in
    # pickling) is that document's failed record
    import concurrent.futures

    from disclosure_extract.patterns import load_patterns
    from disclosure_extract.workers import WorkerPool

    with WorkerPool(1, load_patterns(), memory_mib=512) as pool:
        for error, code in (
            (MemoryError(), "out_of_memory"),
            (RuntimeError("cannot pickle"), "internal_error"),
        ):
            future: concurrent.futures.Future[object] = concurrent.futures.Future()
            future.set_exception(error)
            result = pool.result(future, b"x", "doc.txt", "0" * 64, "text")
            assert [i.code for i in result.issues] == [code]  # type: ignore[union-attr]
            assert "512 MiB" in result.issues[0].message or code != "out_of_memory"  # type: ignore[union-attr]
