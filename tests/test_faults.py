"""Faults one document brings (issue 22): a value no output can hold, the same input twice, a
pool that breaks. Each costs that document at most, never the batch."""

from __future__ import annotations

import concurrent.futures
import json
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pytest

from disclosure_extract import load_patterns, workers
from disclosure_extract.document import prepare
from disclosure_extract.model import Evidence, Fact, Location, Result
from disclosure_extract.workers import WorkerPool

from .conftest import CORPUS, SEED
from .test_jobs import CLI, _long_pdf, descendants, workers_of

REGRESS = CORPUS / "regress"
OUT_OF_RANGE = [
    REGRESS / "value_finer_than_a_yuan_amount_holds.txt",  # 1500.12345678元
    REGRESS / "value_beyond_the_largest_amount.txt",  # 99999999999999999999万元
    REGRESS / "value_of_32_digits.txt",  # more digits than Decimal's default context holds
]


def _extract(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [*CLI, "extract", *args, "-o", str(out), "-q"]
    return subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)


def _records(out: Path) -> dict[str, dict[str, object]]:
    lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    return {Path(str(r["source"])).name: r for r in map(json.loads, lines)}


def _codes(record: dict[str, object]) -> list[str]:
    issues = record["issues"]
    assert isinstance(issues, list)
    return [i["code"] for i in issues]


def test_a_value_out_of_range_is_its_documents_issue(tmp_path: Path) -> None:
    for attempt in (1, 2):  # the second run reads the cache: it must write too
        done = _extract(tmp_path, *map(str, OUT_OF_RANGE), str(SEED))
        assert done.returncode == 0, (attempt, done.stderr)
        records = _records(tmp_path)
        assert len(records) == 4
        for path in OUT_OF_RANGE:
            record = records[path.name]
            assert "value_out_of_range" in _codes(record), path.name
            message = next(i["message"] for i in record["issues"] if i["code"] == "value_out_of_range")  # type: ignore[attr-defined]
            assert "收入总计" in message  # the figure as printed, to find it by
            fields = record["fields"]
            assert isinstance(fields, dict)
            assert "income.total" not in fields
            assert Decimal(str(fields["expenditure.total"])) == 1500  # the rest of the page is read
        assert records[SEED.name]["fields"]
    assert (tmp_path / "parquet" / "facts.parquet").is_file()


def test_a_value_no_writer_holds_fails_its_document_alone() -> None:
    # a result made elsewhere (an older cache entry, the API) with a value past the maximum
    evidence = Evidence("table", "1e30", Location(page=1), unit="元")
    result = Result(source="x.txt", sha256="0" * 64, format="text")
    result.facts = [Fact("income.total", Decimal("1e30"), evidence)]
    result.fields = {"income.total": Decimal("1e30")}
    prepared = prepare(result, load_patterns())
    assert prepared.failed and prepared.transient
    record = json.loads(prepared.parts.record)
    assert [i["code"] for i in record["issues"]] == ["value_out_of_range"]


def test_a_cached_result_the_writers_cannot_take_is_redone(tmp_path: Path) -> None:
    assert _extract(tmp_path, str(SEED)).returncode == 0
    [entry] = (tmp_path / ".cache").glob("*/*.json")
    record = json.loads(entry.read_text(encoding="utf-8"))
    record["fields"]["income.total"] = "1" + "0" * 30  # as an older version might have stored
    record["facts"][0]["value"] = "1" + "0" * 30
    entry.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    done = _extract(tmp_path, str(SEED))
    assert done.returncode == 0, done.stderr
    assert "value_out_of_range" not in _codes(_records(tmp_path)[SEED.name])
    assert "1" + "0" * 30 not in entry.read_text(encoding="utf-8")  # evicted and made anew


def _big_text(path: Path, megabytes: int) -> Path:
    line = "某某局2020年部门决算公开说明 收入总计100万元。\n".encode()
    with path.open("wb") as handle:
        for _ in range(megabytes * 1024 * 1024 // len(line) + 1):
            handle.write(line)
    return path


def test_a_lost_task_is_given_up_after_the_pools_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    # a worker ending before it took its task in leaves a future nothing will complete
    monkeypatch.setattr(workers, "GRACE", 0.5)
    with WorkerPool(1, load_patterns(), timeout=0.5) as pool:
        lost: concurrent.futures.Future[object] = concurrent.futures.Future()
        result = pool.result(lost, b"x", "doc.txt", "0" * 64, "text")
    assert isinstance(result, Result)
    [issue] = result.issues
    assert issue.code == "timeout" and "lost the document" in issue.message
    assert lost.cancelled()


def test_a_broken_pool_is_rebuilt(tmp_path: Path) -> None:
    # 150 MB sent to a worker with a 128 MiB budget: it dies taking the task in, the pool's only
    # worker: the pool breaks (BrokenProcessPool). The document fails; the next one is read.
    data = _big_text(tmp_path / "big.txt", 150).read_bytes()
    with WorkerPool(1, load_patterns(), timeout=60, memory_mib=128) as pool:
        first = pool.result(pool.submit(data, "big.txt"), data, "big.txt", "0" * 64, "text")
        assert isinstance(first, Result) and first.issues[0].code == "worker_died"
        del data
        seed = SEED.read_bytes()
        second = pool.result(pool.submit(seed, "seed.txt"), seed, "seed.txt", "0" * 64, "text")
    assert not isinstance(second, Result) and not second.failed


def test_a_large_document_under_a_small_budget_never_hangs_the_batch(tmp_path: Path) -> None:
    # the issue's case: 4 of 4 runs hung. The worker reads the file itself: out_of_memory.
    folder = tmp_path / "in"
    folder.mkdir()
    _big_text(folder / "big.txt", 150)
    shutil.copy(CORPUS / "hostile" / "pdf_inflates_to_300mb.pdf", folder)
    command = [*CLI, "extract", str(folder), "-o", str(tmp_path / "out"), "--no-cache", "-q"]
    limits = ["--jobs", "2", "--timeout", "20", "--memory-limit", "256"]
    # the subprocess time limit guards the test against a hang; it measures nothing
    done = subprocess.run([*command, *limits], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1, done.stderr
    records = _records(tmp_path / "out")
    assert sorted(records) == ["big.txt", "pdf_inflates_to_300mb.pdf"]
    assert _codes(records["big.txt"]) == ["out_of_memory"]


def test_workers_end_with_a_killed_batch_and_leave_its_folder_free(tmp_path: Path) -> None:
    slow = _long_pdf(tmp_path / "long.pdf")
    out = tmp_path / "out"
    command = [*CLI, "extract", str(slow), str(slow), "-o", str(out), "--no-cache", "-q", "--jobs", "2"]
    process = subprocess.Popen([*command, "--pdf-backend", "pdfplumber"], stderr=subprocess.DEVNULL)
    try:
        found: list[int] = []
        for _ in range(600):  # until the workers have started (at most a minute)
            found = workers_of(process.pid)
            if found:
                break
            time.sleep(0.1)
        assert found, "no worker started"
        time.sleep(3)  # let them be in the middle of the long document
        below = descendants(process.pid)
    finally:
        process.kill()
        process.wait()
    # each worker had seconds of its document left (about 20 s of pdfminer per copy): gone
    # within 10 s, they ended with the batch, not after their document
    for _ in range(100):
        alive = [p for p in below if Path(f"/proc/{p}").exists() and _state(p) != "Z"]
        if not alive:
            break
        time.sleep(0.1)
    assert not alive, f"processes left running: {alive}"
    again = _extract(out, str(SEED))  # the folder's lock went with the batch
    assert again.returncode == 0, again.stderr


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "Z"
