"""--dask: a local Dask cluster (two worker processes on 127.0.0.1) writes the bytes one
process writes; a Dask worker killed mid-batch has its documents rerun, and nothing is lost."""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from .conftest import CORPUS, DOCS
from .test_jobs import CLI, PDFS, _extract, _outputs, descendants

# CI installs the dask extra (README's test command): there these tests must run, never skip.
pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("distributed") is None and not os.environ.get("CI"),
    reason="the dask extra is not installed",
)


def test_a_local_dask_cluster_writes_the_bytes_one_process_writes(tmp_path: Path) -> None:
    inputs = [str(DOCS), str(CORPUS / "regress")]
    one = _extract(tmp_path / "one", *inputs, "--jobs", "1")
    cluster = _extract(tmp_path / "dask", *inputs, "--dask", "local", "--jobs", "2")
    assert one.returncode == cluster.returncode == 0, cluster.stderr
    assert _outputs(tmp_path / "one") == _outputs(tmp_path / "dask")


def _workers(pid: int) -> list[int]:
    """The cluster's worker processes: the children of the extract process that multiprocessing
    spawned (the scheduler and the nannies run in the extract process itself)."""
    return [c for c in descendants(pid) if b"spawn_main" in _read(f"/proc/{c}/cmdline")]


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError:
        return b""


def _cpu_ticks(pid: int) -> int:
    fields = _read(f"/proc/{pid}/stat").rsplit(b")", 1)[-1].split()
    return int(fields[11]) + int(fields[12]) if len(fields) > 12 else 0


def _busy_worker(pid: int) -> int | None:
    """A worker using the CPU (extracting a document: the work runs in a thread of it)."""
    before = {w: _cpu_ticks(w) for w in _workers(pid)}
    time.sleep(0.5)
    # any CPU at all in half a second: on a busy machine a working process may get little
    busy = [w for w, ticks in before.items() if _cpu_ticks(w) - ticks >= 1]
    return busy[0] if busy else None


def test_a_dask_worker_killed_mid_batch_loses_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    command = [*CLI, "extract", *map(str, PDFS), "-o", str(out), "--no-cache", "--dask", "local", "-j", "2"]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as process:
        killed, log = _kill_a_busy_worker(process)
    assert killed is not None, "no busy worker was found to kill"
    assert process.returncode == 0, "".join(log)
    records = [json.loads(line) for line in (out / "documents.jsonl").read_text().splitlines()]
    assert [r["source"] for r in records] == list(map(str, PDFS))
    assert all(r["status"] == "ok" for r in records)


def _kill_a_busy_worker(process: subprocess.Popen[str]) -> tuple[int | None, list[str]]:
    """Kill a worker in the middle of a document, once the cluster is up; the pid and the log."""
    log: list[str] = []
    # the log says when the cluster is up ("dask: local, 2 workers"): killing a worker while
    # it starts would test Dask's start-up, not a batch
    reader = threading.Thread(target=lambda: log.extend(process.stderr or ()), daemon=True)
    reader.start()
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.2)
        if any("dask: local" in line for line in log):
            killed = _busy_worker(process.pid)
    if killed is not None:
        os.kill(killed, signal.SIGKILL)
    process.wait(timeout=600)
    reader.join(timeout=10)
    return killed, log


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    # port 9 (discard) on 127.0.0.1: nothing listens there
    done = _extract(tmp_path / "out", str(PDFS[0]), "--dask", "tcp://127.0.0.1:9")
    assert done.returncode == 2
    assert "cannot use the Dask cluster 'tcp://127.0.0.1:9'" in done.stderr
    assert "Traceback" not in done.stderr
