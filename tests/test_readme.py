"""The README works as printed (issue 21): its commands and examples run from the folder it
is written for, print what it shows, and its first screen says what a new user needs.

CI runs every block of the README on a fresh clone (``scripts/readme_blocks.py run`` in
``.ci/run``, the install steps included). Here the same blocks run without the install step,
in a folder laid out like the repository (its .venv and corpus linked), after the demo."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from disclosure_extract import Patterns
from disclosure_extract.fetch.demo import DemoSite
from disclosure_extract.load.ocr import ocr_available
from disclosure_extract.pipeline import extract_data

from .conftest import ROOT, TEXT_HTML
from .test_jobs import CLI

README = ROOT / "README.md"
INSTALL = "pip install"


def _blocks_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_blocks", ROOT / "scripts" / "readme_blocks.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BLOCKS = _blocks_module()


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder laid out like the repository after the README's first command."""
    folder = tmp_path_factory.mktemp("checkout")
    (folder / ".venv").symlink_to(Path(sys.executable).parents[1], target_is_directory=True)
    (folder / "corpus").symlink_to(ROOT / "corpus", target_is_directory=True)
    first = next(text for _, _, text, _ in BLOCKS.blocks(README))
    # the first command as printed, less its install steps (this environment is installed)
    demo = first.strip().split(" && ")[-1]
    assert demo == ".venv/bin/disclosure-extract demo"
    done = subprocess.run(
        ["bash", "-c", demo], cwd=folder, capture_output=True, text=True, timeout=900, check=False
    )
    assert done.returncode == 0, done.stderr
    return folder


def test_the_first_screen() -> None:
    text = README.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 250
    blocks = BLOCKS.blocks(README)
    setup, tests = blocks[0][2].strip(), blocks[1][2].strip()
    assert setup == "python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/disclosure-extract demo"
    assert tests.endswith(".venv/bin/pytest") and INSTALL in tests
    head = text[: text.index("## What works today")]
    assert re.search(r"test suite takes about \d+ minutes", head)
    assert "## A first query" in head and "## Contents" in head
    for link in re.findall(r"\]\((docs/[^)#]+)", text):
        assert (ROOT / link).is_file(), link


def test_every_block_runs_and_prints_what_the_readme_shows(checkout: Path) -> None:
    ran = 0
    for line, language, text, printed in BLOCKS.blocks(README):
        if INSTALL in text:
            continue  # the install commands: CI runs them as printed
        done = BLOCKS.run_block(language, text, checkout)
        assert done.returncode == 0, (line, done.stderr)
        if printed is not None:
            assert done.stdout == printed, f"README.md:{line} prints otherwise:\n{done.stdout}"
        ran += 1
    assert ran >= 2


def test_the_cron_line_as_printed(tmp_path: Path) -> None:
    crawling = (ROOT / "docs" / "crawling.md").read_text(encoding="utf-8")
    [cron] = re.findall(r"```cron\n(.*?)\n```", crawling, re.S)
    command = cron.split("  ", 1)[1].split(" && ", 1)[1]  # after the schedule and the cd
    assert command.startswith(".venv/bin/disclosure-extract run sources.yml -o data")
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1], target_is_directory=True)
    docs = tmp_path / "site"
    docs.mkdir()
    for path in TEXT_HTML[:2]:
        (docs / path.name).write_bytes(path.read_bytes())
    with DemoSite(docs) as site:
        (tmp_path / "sources.yml").write_text(
            f"sources:\n  - name: local\n    entry: {site.url}\n    allow_private: true\n", encoding="utf-8"
        )
        done = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, capture_output=True, text=True, timeout=600, check=False
        )
    assert done.returncode == 0, (tmp_path / "run.log").read_text(encoding="utf-8")
    assert (tmp_path / "data" / "panel.csv").is_file()
    assert "Traceback" not in (tmp_path / "run.log").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "path",
    [
        README,
        *sorted((ROOT / "docs").glob("*.md")),
        ROOT / "corpus" / "bad" / "readme_quoting_a_figure.md",
    ],
    ids=lambda p: p.name,
)
def test_the_projects_own_pages_are_not_disclosures(path: Path, patterns: Patterns) -> None:
    # the README once came out as a 2014 final account stating 2.28 yuan of 因公出国 费, status ok
    result = extract_data(path.read_bytes(), str(path), patterns)
    assert result.failed and [i.code for i in result.issues if i.severity == "error"] == ["not_a_disclosure"]
    assert not [f for f in result.fields if not f.startswith("meta.")]


WILD = ROOT.parent / "shared" / "wild" / "docs"
# Files of the unannotated wild corpus that are not disclosures, though their crawler named them
# …部门预算.pdf: notices, gazettes, a request form, an evaluation report (read by a person).
# 015_长沙/市场监督管理局 is a scan of a 绩效评价 report: OCR finds one stray figure in it.
WILD_NOTICES = [
    "008_杭州/2026年杭州市政府办公厅部门预算.pdf",
    "015_长沙/国有资产监督管理委员会_2026年部门预算.pdf",
    "015_长沙/市场监督管理局_2026年部门预算.pdf",
    "018_济南/2026年济南市审计局部门预算.pdf",
    "018_济南/2026年济南市应急管理局部门预算.pdf",
    "021_泉州/2026年泉州市气象局部门预算.pdf",
    "021_泉州/统计局_2026年部门预算.pdf",
    "040_长春/2026年长春市工业和信息化局部门预算.pdf",
    "040_长春/2026年长春市财政局部门预算.pdf",
    "041_嘉兴/2026年嘉兴市卫生健康委员会部门预算.pdf",
    "041_嘉兴/2026年嘉兴市政府办公厅部门预算.pdf",
    "048_惠州/2026年惠州市政府办公厅部门预算.pdf",
    "048_惠州/2026年惠州市民政局部门预算.pdf",
    "048_惠州/2026年惠州市退役军人事务局部门预算.pdf",
    "077_珠海/2026年珠海市教育局部门预算.pdf",
]


@pytest.mark.skipif(not WILD.is_dir(), reason="../shared/wild is not beside this checkout")
def test_the_notices_of_the_wild_corpus_are_not_disclosures(tmp_path: Path) -> None:
    if not ocr_available() and os.environ.get("CI") != "true":
        pytest.skip("the scanned notice needs the ocr extra")
    command = [*CLI, "extract", *(str(WILD / name) for name in WILD_NOTICES), "-o", str(tmp_path), "-q"]
    done = subprocess.run(
        [*command, "--jobs", "2"], capture_output=True, text=True, timeout=1800, check=False
    )
    assert done.returncode == 1, done.stderr
    lines = (tmp_path / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(WILD_NOTICES)
    for record in records:
        errors = [i["code"] for i in record["issues"] if i["severity"] == "error"]
        assert errors == ["not_a_disclosure"], (record["source"], errors)
        assert not [f for f in record["fields"] if not f.startswith("meta.")]
