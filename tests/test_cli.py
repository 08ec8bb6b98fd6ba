"""The command line: help on every command, exit codes, stable output, resuming."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from disclosure_extract import Patterns
from disclosure_extract.cli import main
from disclosure_extract.pipeline import discover, run_batch

from .conftest import BAD, DOCS, SEED, TEXT_HTML


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_help_on_every_command() -> None:
    code, out, _ = _run("--help")
    assert code == 0 and "Usage:" in out
    assert main.commands  # type: ignore[attr-defined]
    for name, command in main.commands.items():  # type: ignore[attr-defined]
        code, out, _ = _run(name, "--help")
        assert code == 0, name
        # click rewraps help text: compare with white space folded
        assert command.help and " ".join(command.help.split("\n")[0].split()) in " ".join(out.split())


def test_exit_0_when_all_extract(tmp_path: Path) -> None:
    code, out, err = _run("extract", *map(str, TEXT_HTML), "-o", str(tmp_path))
    assert code == 0
    assert out == ""  # data goes to files, logs to stderr
    assert "5 ok, 0 failed" in err
    lines = (tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 5


def test_exit_1_when_some_fail(tmp_path: Path) -> None:
    code, _, err = _run("extract", str(SEED), str(BAD / "noise.html"), "-o", str(tmp_path))
    assert code == 1
    assert "failed: " in err and "noise.html" in err
    assert (tmp_path / "documents.jsonl").read_text(encoding="utf-8").count("\n") == 2


@pytest.mark.parametrize(
    "args",
    [
        ["extract"],  # no PATH
        ["extract", "does/not/exist.txt"],
        ["extract", "--max-bytes", "0", "x"],
        ["no-such-command"],
    ],
)
def test_exit_2_on_usage_error(args: list[str]) -> None:
    code, _, _ = _run(*args)
    assert code == 2


def test_exit_2_on_bad_patterns(tmp_path: Path) -> None:
    broken = tmp_path / "patterns"
    shutil.copytree(Path(__file__).resolve().parents[1] / "patterns", broken)
    (broken / "meta.yml").write_text("kind: [\n", encoding="utf-8")
    code, _, err = _run("extract", str(SEED), "--patterns", str(broken), "-o", str(tmp_path / "o"))
    assert code == 2
    assert "meta.yml" in err


def test_output_is_byte_identical(tmp_path: Path) -> None:
    for name in ("a", "b"):
        code, _, _ = _run("extract", *map(str, TEXT_HTML), "-o", str(tmp_path / name), "--no-cache")
        assert code == 0

    def outputs(folder: Path) -> list[Path]:
        # .lock and .cache are the run's own state, not outputs
        files = (p.relative_to(folder) for p in folder.rglob("*") if p.is_file())
        return sorted(p for p in files if not p.parts[0].startswith("."))

    files_a, files_b = outputs(tmp_path / "a"), outputs(tmp_path / "b")
    assert files_a == files_b and len(files_a) > 5
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_interrupted_run_resumes_without_redoing(tmp_path: Path, patterns: Patterns) -> None:
    inputs = discover(TEXT_HTML)
    out = tmp_path / "out"
    run_batch(inputs[:1], out, patterns)  # an earlier, finished run
    before = (out / "documents.jsonl").read_bytes()

    class KilledError(Exception):
        pass

    seen: list[str] = []

    def die_after_three(source: str) -> None:
        seen.append(source)
        if len(seen) == 3:
            raise KilledError

    with pytest.raises(KilledError):
        run_batch(inputs, out, patterns, progress=die_after_three)
    # the interrupted run lost nothing: the earlier output is whole, and no temp files are left
    assert (out / "documents.jsonl").read_bytes() == before
    assert not list(out.rglob("*.tmp"))
    summary = run_batch(inputs, out, patterns)
    assert (summary.cached, summary.ok) == (3, 5)
    records = [json.loads(x) for x in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in records] == [s for _, s in inputs]


def test_console_script_runs(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("disclosure-extract")
    proc = subprocess.run(
        [str(exe), "extract", str(SEED), "-o", str(tmp_path), "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    record = json.loads((tmp_path / "documents.jsonl").read_text(encoding="utf-8"))
    assert record["fields"]["income.total"] == 962200
    facts = (tmp_path / "facts.csv").read_text(encoding="utf-8").splitlines()
    assert facts[0].startswith("source,sha256,n,field,value,in_fields,unit")
    assert any(",income.total,962200,true,万元," in line for line in facts)
    indicators = (tmp_path / "indicators.csv").read_text(encoding="utf-8").splitlines()
    assert len(indicators) == 16


def test_demo_crawls_and_extracts(tmp_path: Path) -> None:
    code, out, _ = _run("demo", "-o", str(tmp_path), "-q")
    assert code == 0
    assert "crawl: fetched" in out and "failed 0" in out
    # every bundled document, plus the demo's article page that links two of them
    n = len([p for p in DOCS.iterdir() if p.suffix in (".html", ".pdf", ".txt")]) + 1
    assert f"extract: {n} documents, {n} ok, 0 failed" in out
    records = [json.loads(x) for x in (tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()]
    by_format = {r["format"] for r in records}
    assert by_format == {"html", "pdf", "text"}
    # GBK article pages served without a charset extract like the originals
    renda = next(r for r in records if r["source"].endswith("pingtan_2017_budget_renda.html"))
    assert renda["encoding"] == "gb18030" and renda["fields"]["income.total"] == 7112700
    assert (tmp_path / "archive" / "catalog.sqlite").is_file()
    # the report: crawled PDFs are cropped from their archived copies
    assert f"report: {tmp_path / 'report' / 'index.html'}" in out
    assert len(list((tmp_path / "report" / "docs").iterdir())) == n
    assert any(p.suffix == ".png" for p in (tmp_path / "report" / "crops").iterdir())
    # a second demo run is incremental: nothing new, nothing extracted again
    code, out, _ = _run("demo", "-o", str(tmp_path), "-q")
    assert code == 0 and "fetched 0" in out and "0 extracted now" in out


def test_check_and_report_honour_patterns(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, _ = _run("extract", str(SEED), "-o", str(out), "-q")
    assert code == 0
    vocabulary = tmp_path / "patterns"
    shutil.copytree(Path(__file__).resolve().parents[1] / "patterns", vocabulary)
    # the same vocabulary from another folder: the same results
    code, stdout, _ = _run("check", str(out), "--format", "json", "--patterns", str(vocabulary))
    assert code in (0, 1) and json.loads(stdout)
    code, _, _ = _run("report", str(out), "--patterns", str(vocabulary))
    assert code == 0 and (out / "report" / "index.html").is_file()
    # a broken one is a usage error naming the file and line
    checks = vocabulary / "checks.yml"
    checks.write_text(checks.read_text(encoding="utf-8").replace("total:", "totl:", 1), encoding="utf-8")
    for command in ("check", "report"):
        code, _, stderr = _run(command, str(out), "--patterns", str(vocabulary))
        assert code == 2 and "checks.yml:" in stderr and "totl" in stderr, stderr


def test_a_second_run_on_a_locked_folder_exits_2_naming_the_holder(tmp_path: Path) -> None:
    from disclosure_extract.common.lock import folder_lock

    out = tmp_path / "out"
    with folder_lock(out):
        code, _, err = _run("extract", str(SEED), "-o", str(out), "-q")
    assert code == 2 and "being written by another run (pid " in err
    assert not (out / "documents.jsonl").exists()
    code, _, _ = _run("extract", str(SEED), "-o", str(out), "-q")  # released: the next run writes
    assert code == 0 and (out / "documents.jsonl").is_file()


def test_dash_streams_json_lines_to_stdout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = _run("extract", str(SEED), *map(str, TEXT_HTML[1:3]), "-o", "-", "-q")
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [Path(r["source"]).name for r in records] == [SEED.name, TEXT_HTML[1].name, TEXT_HTML[2].name]
    assert records[0]["fields"]["income.total"] == 962200
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_logs_carry_iso_timestamps_and_verbose_debug_per_document(tmp_path: Path) -> None:
    log_file = tmp_path / "run.log"
    code, _, err = _run("extract", str(SEED), "-o", str(tmp_path / "out"), "-v", "--log-file", str(log_file))
    assert code == 0
    import regex

    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines and all(regex.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{4} ", ln) for ln in lines)
    assert any("DEBUG" in ln and SEED.name in ln and "facts" in ln for ln in lines)
    assert log_file.read_text(encoding="utf-8").splitlines() == lines


def test_the_demo_stays_incremental_when_its_port_is_taken(tmp_path: Path) -> None:
    import socket

    from disclosure_extract.fetch.demo import DEMO_PORT

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in TEXT_HTML[:2]:
        shutil.copy(path, corpus)
    out = tmp_path / "out"
    with socket.socket() as holder:
        with contextlib.suppress(OSError):  # taken already: the same situation
            holder.bind(("127.0.0.1", DEMO_PORT))  # another program holds the demo's port
        code, first, _ = _run("demo", "-o", str(out), "-q", "--corpus", str(corpus))
        assert code == 0 and "extract: 2 documents, 2 ok" in first
        code, second, _ = _run("demo", "-o", str(out), "-q", "--corpus", str(corpus))
    assert code == 0 and "fetched 0" in second and "0 extracted now" in second
