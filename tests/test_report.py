"""The HTML report: self-contained, rendered in headless Chromium with no console errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from disclosure_extract import Patterns
from disclosure_extract.cli import main
from disclosure_extract.pipeline import discover, run_batch

from .conftest import DOCS, TEXT_HTML

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The flags a sandboxed root session needs, and none of the background network chatter.
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, patterns: Patterns) -> Path:
    out = tmp_path_factory.mktemp("report")
    inputs = [*TEXT_HTML, DOCS / "2024_final_shanghai_putuo_caizhengju.pdf"]
    run_batch(discover(inputs), out, patterns)
    result = CliRunner().invoke(main, ["report", str(out)])
    assert result.exit_code == 0, result.output
    return out / "report.html"


def test_report_is_self_contained(report: Path) -> None:
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert page.count("<svg") == 2  # 三公 by department and year; check failures by rule
    assert "96.22 万元" in page  # the seed's income, with its evidence
    assert "line_start 49" in page and "全部为一般公共预算安排" in page
    assert "prose_equals_table" in page  # the 2024 final account's 0.3万元 prose total
    assert "Field coverage" in page
    # evidence links to the document at its page; the documents to look at first come first
    assert "2024_final_shanghai_putuo_caizhengju.pdf#page=" in page
    assert page.index("Needs review") < page.index("Field coverage")


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_report_renders_in_chromium(report: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    cmd = [
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        report.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    dom = proc.stdout
    assert "<svg" in dom and "三公经费 by department and year" in dom
    assert "上海市普陀区财政局" in dom and "2,961.68" in dom
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile2'}",
            "--window-size=1280,1800",
            f"--screenshot={shot}",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert shot.stat().st_size > 10_000
