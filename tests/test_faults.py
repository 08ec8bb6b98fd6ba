"""Faults one document brings (issue 22): a value no output can hold, the same input twice, a
pool that breaks. Each costs that document at most, never the batch."""

from __future__ import annotations

import concurrent.futures
import csv
import errno
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import time
import types
from decimal import Decimal
from pathlib import Path

import pytest
import regex

from disclosure_extract import load_patterns, workers
from disclosure_extract.document import prepare
from disclosure_extract.fetch.safety import FetchRefusedError, check_address
from disclosure_extract.fetch.sources import SourcesError, load_sources
from disclosure_extract.model import Evidence, Fact, Location, Result
from disclosure_extract.pipeline import discover, run_batch
from disclosure_extract.workers import WorkerPool
from disclosure_extract.write.csvout import csv_text
from disclosure_extract.write.schema import TABLES, panel_column, panel_table, quote_identifier, sql_ddl

from .conftest import CORPUS, SEED, TEXT_HTML
from .test_jobs import CLI, _long_pdf, alive, descendants, workers_of

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
        running = [p for p in below if alive(p)]
        if not running:
            break
        time.sleep(0.1)
    assert not running, f"processes left running: {running}"
    again = _extract(out, str(SEED))  # the folder's lock went with the batch
    assert again.returncode == 0, again.stderr


@pytest.mark.parametrize(
    "address",
    [
        "100.100.100.200",
        "100.64.0.1",
        "192.0.2.1",
        "198.18.0.1",
        "240.0.0.1",
        "224.0.0.1",
        "::ffff:10.0.0.1",
        "fc00::1",
    ],
)
def test_the_crawler_refuses_every_special_purpose_address(address: str) -> None:
    # 100.64.0.0/10 (carrier-grade NAT) holds a cloud metadata address; it passed the old list
    with pytest.raises(FetchRefusedError, match="private address"):
        check_address(f"http://[{address}]/" if ":" in address else f"http://{address}/", address, False)


def test_the_crawler_accepts_a_global_address() -> None:
    assert check_address("http://8.8.8.8/", "8.8.8.8", False) == ["8.8.8.8"]  # no request is made


def test_csv_cells_a_spreadsheet_would_run_are_neutralised(tmp_path: Path) -> None:
    named = tmp_path / "=cmd.txt"  # a source name that is a formula, as given on the command line
    shutil.copy(REGRESS / "csv_formula_in_title.txt", named)
    done = subprocess.run(
        [*CLI, "extract", named.name, "-o", "out", "-q"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with (tmp_path / "out" / "documents.csv").open(encoding="utf-8", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert row["source"] == "'=cmd.txt"
    assert row["title"].startswith("'=HYPERLINK(")
    with (tmp_path / "out" / "facts.csv").open(encoding="utf-8", newline="") as handle:
        values = [r["value"] for r in csv.DictReader(handle)]
    assert "15000000" in values  # numbers stay numbers
    # the raw text is kept where nothing runs it
    record = json.loads((tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8"))
    assert record["source"] == "=cmd.txt" and record["meta"]["title"].startswith("=HYPERLINK(")
    with sqlite3.connect(tmp_path / "out" / "disclosures.sqlite") as db:
        assert db.execute("SELECT source, title FROM documents").fetchone()[0] == "=cmd.txt"


def test_negative_numbers_and_dashes_stay_as_printed_in_csv() -> None:
    assert [csv_text(t) for t in ("-12.5", "+3", "-", "——", "-1,234.00")] == [
        "-12.5",
        "+3",
        "-",
        "——",
        "-1,234.00",
    ]
    assert [csv_text(t) for t in ("@SUM(A1)", "-2+3", "+cmd|' /C calc'!A0", "\tx")] == [
        "'@SUM(A1)",
        "'-2+3",
        "'+cmd|' /C calc'!A0",
        "'\tx",
    ]


def test_field_ids_from_a_vocabulary_cannot_break_or_inject_sql() -> None:
    crafted = ['x"y', "a'b", 'income.total" TEXT); DROP TABLE "documents"; --']
    vocabulary = types.SimpleNamespace(
        known_fields=["income.total", *crafted],
        count_fields=frozenset(),
        field_names={},
        two_meanings=frozenset(),
    )
    panel = panel_table(vocabulary)  # type: ignore[arg-type]
    with sqlite3.connect(":memory:") as db:
        for table in (*TABLES, panel):
            db.executescript(sql_ddl(table))
        names = [row[1] for row in db.execute("PRAGMA table_info(panel)")]
        assert {panel_column(f) for f in crafted} <= set(names)
        assert db.execute("SELECT count(*) FROM documents").fetchone() == (0,)  # still there
        row = dict.fromkeys(panel.column_names, "x")
        quoted = ", ".join(map(quote_identifier, row))
        db.execute(f"INSERT INTO panel ({quoted}) VALUES ({', '.join('?' * len(row))})", list(row.values()))


def test_output_folders_follow_the_umask(tmp_path: Path) -> None:
    assert _extract(tmp_path, str(SEED)).returncode == 0
    modes = {name: stat.S_IMODE((tmp_path / name).stat().st_mode) for name in ("tables", "parquet")}
    umask = os.umask(0)
    os.umask(umask)
    assert modes == {"tables": 0o777 & ~umask, "parquet": 0o777 & ~umask}


def test_a_killed_runs_sqlite_journal_is_removed_by_the_next_run(tmp_path: Path) -> None:
    assert _extract(tmp_path, str(SEED)).returncode == 0
    left = tmp_path / ".disclosures.abc123.sqlite.tmp-journal"  # as a kill during the writes leaves
    left.write_bytes(b"\0" * 512)
    assert _extract(tmp_path, str(SEED)).returncode == 0
    assert not left.exists()


def test_the_same_file_given_twice_is_read_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SEED, folder / "seed.txt")
    (folder / "link.txt").symlink_to(folder / "seed.txt")
    given = [str(folder / "seed.txt"), str(folder / "seed.txt"), str(folder)]
    done = _extract(tmp_path / "out", *given)
    assert done.returncode == 0, done.stderr
    lines = (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["source"] for line in lines] == [str(folder / "seed.txt")]


def test_two_names_that_escape_alike_stay_two_documents(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    raw = os.fsdecode(bytes(folder) + b"/a\xff.txt")  # a name that is not UTF-8
    shutil.copy(SEED, raw)
    shutil.copy(TEXT_HTML[1], folder / "a\\xff.txt")  # a name that is its escaped form
    inputs = discover([folder])
    assert len({source for _, source in inputs}) == 2
    summary = run_batch(inputs, tmp_path / "out", load_patterns())
    assert summary.total == 2 and summary.failed == 0


@pytest.mark.parametrize(
    ("command", "target", "code"),
    [
        (["extract", str(SEED)], "run_batch", errno.ENOSPC),  # a full disk
        (["report", "."], "make_report", errno.EROFS),  # a read-only folder
    ],
)
def test_a_full_disk_or_read_only_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str], target: str, code: int
) -> None:
    from click.testing import CliRunner

    from disclosure_extract import cli

    def refuse(*_: object, **__: object) -> None:
        raise OSError(code, os.strerror(code), str(tmp_path / "out" / "documents.jsonl"))

    monkeypatch.setattr(cli, target, refuse)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli.main, [*command, "-o", "out"] if target == "run_batch" else command)
    assert result.exit_code == 3
    assert "Traceback" not in result.stderr and "a bug" not in result.stderr
    assert os.strerror(code) in result.stderr and "could not be written" in result.stderr


MALFORMED_SOURCES = {
    # each once crashed (exit 3), crawled nothing with exit 0, or failed at crawl time as "a bug"
    "a bad IPv6 entry": ("entry: 'http://[::1/'", 3, "not a valid URL"),
    "an infinite number": ("max_pages: .inf", 4, "non-negative number"),
    "not a number": ("max_items: .nan", 4, "non-negative number"),
    "a fraction of a page": ("max_pages: 2.5", 4, "whole number"),
    "ten million pages": ("max_pages: 10000000", 4, "at most 10000"),
    "allowed_hosts as text": ("allowed_hosts: www.example.gov.cn", 4, "must be a list"),
    "allowed_hosts of numbers": ("allowed_hosts: [1, 2]", 4, "not a host name"),
    "an entry without a host": ("entry: 'http://'", 3, "not a host name"),
    "a port that does not exist": ("entry: 'http://www.example.gov.cn:99999/'", 3, "not a valid URL"),
    "a 300-character label": (f"entry: 'http://{'a' * 300}.gov.cn/'", 3, "not a host name"),
    # checked by the file's typed model (fetch.sources.SourcesSpec), at the source's line
    "a title pattern given as a list": ("include_title: [预算]", 4, "non-empty regex"),
    "a flag given as a number": ("allow_private: 1", 4, "must be true or false"),
}


def test_an_xls_past_the_limits_is_refused_before_xlrd_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import xlrd

    from disclosure_extract.errors import TooComplexError
    from disclosure_extract.load import excel

    data = (CORPUS / "hostile" / "xls_merge_whole_sheet.xls").read_bytes()
    # the sheet's size is read from its BIFF records: 65,536 x 256 by its merge
    assert excel.xls_sheet_areas(data)[0] == 65536 * 256

    def built(*args: object, **kwargs: object) -> None:
        raise AssertionError("xlrd built the workbook before the limits were applied")

    monkeypatch.setattr(xlrd, "open_workbook", built)
    with pytest.raises(TooComplexError, match="16,777,216 cells"):
        excel._xls_sheets(data, "x.xls")
    # a real workbook's sheets are measured as xlrd builds them, or smaller (never refused)
    real = (CORPUS / "regress" / "2026_budget_template_shanghai_putuo_unit.xls").read_bytes()
    assert 0 < max(excel.xls_sheet_areas(real)) < 10_000


@pytest.mark.parametrize("case", sorted(MALFORMED_SOURCES))
def test_a_malformed_sources_file_is_refused_at_its_line(tmp_path: Path, case: str) -> None:
    line, at, message = MALFORMED_SOURCES[case]
    entry = "" if line.startswith("entry:") else "    entry: 'http://www.example.gov.cn/'\n"
    text = f"sources:\n  - name: s\n{entry}    {line}\n"
    path = tmp_path / "sources.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError, match=message) as raised:
        load_sources(path)
    assert raised.value.line in (2, at), text
    # and through the command line: exit 2, one line, no traceback
    done = subprocess.run(
        [*CLI, "crawl", str(path), "-o", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{path}:" in done.stderr


def test_a_sources_file_that_is_not_utf8_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "sources.yml"
    path.write_bytes("sources:\n  - name: 部门预算\n".encode("gbk") + b"    entry: 'http://x.gov.cn/'\n")
    with pytest.raises(SourcesError, match="not UTF-8") as raised:
        load_sources(path)
    assert raised.value.line == 2


def test_a_reached_cap_is_logged(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from disclosure_extract.fetch.crawl import crawl
    from disclosure_extract.fetch.demo import DemoSite, demo_sources

    site_docs = tmp_path / "site"
    site_docs.mkdir()
    for path in TEXT_HTML:
        shutil.copy(path, site_docs)
    with DemoSite(site_docs) as site:
        config = demo_sources(site.url)
        config.sources[0].max_items = 2
        with caplog.at_level("WARNING", logger="disclosure_extract"):
            crawl(config, tmp_path / "archive")
    assert "max_items reached (2 articles and attachments)" in caplog.text


def test_a_resumed_crawl_counts_the_refusals_made_before_its_kill(tmp_path: Path) -> None:
    from disclosure_extract.fetch.archive import Archive, FetchRecord
    from disclosure_extract.fetch.client import FetchSettings
    from disclosure_extract.fetch.crawl import crawl
    from disclosure_extract.fetch.sources import DEFAULT_INCLUDE, Source, SourcesConfig

    entry = "http://127.0.0.1:9/zwgk/"  # a loopback address: refused while allow_private is off
    source = Source("s", [entry], frozenset({"127.0.0.1"}), regex.compile(DEFAULT_INCLUDE))
    config = SourcesConfig("sources.yml", FetchSettings(retries=0), [source])
    uninterrupted = crawl(config, tmp_path / "whole")
    assert uninterrupted.refused == 1
    # a run killed after refusing the entry: its catalog holds the refusal, the run unfinished
    archive = Archive(tmp_path / "killed")
    run_id, _ = archive.start_run({"sources": config.path})
    archive.record(run_id, FetchRecord(url=entry, outcome="refused", error="a private address"))
    archive.close()
    resumed = crawl(config, tmp_path / "killed")
    assert (resumed.refused, resumed.reused) == (1, 0)
    assert resumed.failures == [(entry, "a private address")]


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw deflate"])
def test_a_compressed_robots_txt_is_inflated_only_to_its_cap(encoding: str) -> None:
    import tracemalloc
    import zlib

    from disclosure_extract.fetch.client import ROBOTS_MAX_BYTES, BoundedInflater

    wbits = {"gzip": 31, "deflate": 15, "raw deflate": -15}[encoding]
    packer = zlib.compressobj(9, zlib.DEFLATED, wbits)
    bomb = packer.compress(b"Disallow: /x\n" * (64 * 1024 * 1024 // 13)) + packer.flush()  # 64 MB inflated
    tracemalloc.start()
    inflate = BoundedInflater(encoding.rsplit(maxsplit=1)[-1], ROBOTS_MAX_BYTES)
    for at in range(0, len(bomb), 64 * 1024):  # as the body arrives
        if inflate.feed(bomb[at : at + 64 * 1024]):
            break
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(inflate.body()) == ROBOTS_MAX_BYTES
    assert inflate.body().startswith(b"Disallow: /x\n")
    assert peak < 8 * ROBOTS_MAX_BYTES  # it was ~260 MB


def test_the_kill_harness_finds_no_problem(tmp_path: Path) -> None:
    # the full run (20 kills over 100 documents) is the script's default, by hand; two kills
    # here keep the harness itself working
    script = CORPUS.parent / "scripts" / "kill_harness.py"
    command = [sys.executable, str(script), "--kills", "2", "--documents", "12", "--work", str(tmp_path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "kills: 2, with problems: 0" in done.stdout
