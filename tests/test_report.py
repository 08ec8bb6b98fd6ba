"""The HTML report: an index, a failures-only page, a page per document with highlighted page crops;
rendered in headless Chromium with no console errors."""

from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from disclosure_extract import Patterns, Result
from disclosure_extract.cli import main
from disclosure_extract.pipeline import discover, local_copy, run_batch
from disclosure_extract.write.crops import crop_name
from disclosure_extract.write.report import document_page, wan

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
PUTUO = DOCS / "2024_final_shanghai_putuo_caizhengju.pdf"
# its 三公 total is not the sum of its three parts: a failed check citing four cells
SANGONG_PARTS = DOCS / "2015_budget_guangxi_guilin_sifaju_sangong_MIRROR.txt"
# 一、一般公共预算财政拨款收入 / 决算数 on page 6 of the Putuo final account
GENERAL_BUDGET_CELL = (6, (248.2, 291.3, 314.0, 308.55))


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory, patterns: Patterns) -> Path:
    out = tmp_path_factory.mktemp("report")
    run_batch(discover([*TEXT_HTML, PUTUO, SANGONG_PARTS]), out, patterns)
    result = CliRunner().invoke(main, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"report: {out / 'report' / 'index.html'}"
    return out


def _page_of(out: Path, source: Path) -> Path:
    return out / "report" / document_page(str(source))


def _highlighted(png: Path) -> int:
    """How many pixels have the highlight's red."""
    with Image.open(png) as image:
        data = image.convert("RGB").tobytes()
    pixels = zip(data[0::3], data[1::3], data[2::3], strict=True)
    return sum(1 for r, g, b in pixels if r > 180 and g < 60 and b < 90)


def test_every_amount_is_in_wan_exactly() -> None:
    assert wan(9622000) == "962.20"
    assert wan(3000) == "0.30"
    assert wan(1234) == "0.1234"  # yuan that 万元 with two decimals would lose are shown
    assert wan(-569500) == "-56.95"


def test_index_links_a_page_per_document(out: Path) -> None:
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert "<script" not in index and "http://" not in index and "https://" not in index
    assert index.count("<svg") == 2  # 三公 by department and year; check failures by rule
    assert index.index("Needs review") < index.index("Field coverage") < index.index("Documents (7)")
    links = re.findall(r"href='(docs/[0-9a-f]{16}\.html)'", index)
    assert len(set(links)) == 7
    assert all((out / "report" / link).is_file() for link in links)
    assert "failures.html" in index and (out / "report" / "failures.html").is_file()


def test_document_page_shows_each_value_with_its_evidence(out: Path) -> None:
    seed = _page_of(out, TEXT_HTML[0]).read_text(encoding="utf-8")
    assert "金额单位：万元" in seed
    assert "<td class='num'>96.22</td>" in seed  # the seed's income, in 万元
    assert "line_start 49" in seed and "全部为一般公共预算安排" in seed
    assert "<img" not in seed  # a text file has no page to crop


def test_pdf_values_show_a_crop_of_their_cell(out: Path) -> None:
    page = _page_of(out, PUTUO).read_text(encoding="utf-8")
    assert "2024_final_shanghai_putuo_caizhengju.pdf#page=6" in page
    assert "<td class='num'>2,940.05</td>" in page
    crop = crop_name(hashlib.sha256(PUTUO.read_bytes()).hexdigest(), *GENERAL_BUDGET_CELL)
    assert f"src='../crops/{crop}'" in page
    png = out / "report" / "crops" / crop
    with Image.open(png) as image:
        assert image.size[0] > 600  # the cell and the row's label at 144 dpi
    assert _highlighted(png) > 500  # the box drawn round the cell
    for src in re.findall(r"src='\.\./(crops/[^']+)'", page):
        assert (out / "report" / src).is_file()


def test_failures_page_lists_only_failures_with_their_crops(out: Path) -> None:
    failures = (out / "report" / "failures.html").read_text(encoding="utf-8")
    assert "prose_equals_table" in failures  # the Putuo final account's 0.3万元 prose total
    assert "<td class='num'>0.30</td>" in failures and "<td class='num'>2,961.68</td>" in failures
    assert "src='crops/" in failures
    assert "三公经费 by department" not in failures and "Field coverage" not in failures
    assert "Documents that could not be extracted (0)" in failures


def test_a_second_report_renders_no_page_again(out: Path) -> None:
    crops = sorted((out / "report" / "crops").iterdir())
    before = {p.name: p.stat().st_mtime_ns for p in crops}
    result = CliRunner().invoke(main, ["report", str(out)])
    assert result.exit_code == 0, result.output
    assert {p.name: p.stat().st_mtime_ns for p in (out / "report" / "crops").iterdir()} == before


def test_no_crops_and_another_folder(out: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(out), "--no-crops", "-o", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "r" / "crops").exists()
    page = (tmp_path / "r" / document_page(str(PUTUO))).read_text(encoding="utf-8")
    assert "2,940.05" in page and "<img" not in page


def test_crawled_documents_are_found_in_the_archive(tmp_path: Path) -> None:
    data = PUTUO.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    blob = tmp_path / "archive" / "blobs" / sha[:2] / sha
    blob.parent.mkdir(parents=True)
    blob.write_bytes(data)
    locate = local_copy(tmp_path)
    assert locate(Result("https://example.org/a.pdf", sha, "pdf")) == blob
    # a file changed since extraction is not the document: no crops from the wrong pages
    assert locate(Result(str(PUTUO), "0" * 64, "pdf")) is None


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_report_renders_in_chromium(out: Path, tmp_path: Path) -> None:
    assert CHROMIUM is not None
    index = out / "report" / "index.html"
    cmd = [
        CHROMIUM,
        *FLAGS,
        f"--user-data-dir={tmp_path / 'profile'}",
        "--enable-logging=stderr",
        "--v=0",
        "--dump-dom",
        index.as_uri(),
    ]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert console == []
    assert "<svg" in proc.stdout and "三公经费 by department and year" in proc.stdout
    assert "上海市普陀区财政局" in proc.stdout
    # the document page as a reviewer sees it: a value beside its highlighted page crop
    shot = tmp_path / "document.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'profile2'}",
            "--window-size=1280,1000",
            f"--screenshot={shot}",
            _page_of(out, PUTUO).as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    assert _highlighted(shot) > 500


def test_the_report_checks_csv_documents_and_datasette_count_failures_alike(out: Path) -> None:
    import csv
    import json
    import sqlite3

    with (out / "checks.csv").open(encoding="utf-8", newline="") as handle:
        failed = [r for r in csv.DictReader(handle) if r["status"] == "fail"]
    assert failed and {r["category"] for r in failed} <= {
        "arithmetic",
        "prose",
        "across_documents",
        "completeness",
        "compliance",
    }
    documents = {r["sha256"] for r in failed}
    db = sqlite3.connect(out / "disclosures.sqlite")
    assert db.execute("SELECT SUM(checks_failed), SUM(checks_failed > 0) FROM documents").fetchone() == (
        len(failed),
        len(documents),
    )
    canned = json.loads((out / "metadata.json").read_text(encoding="utf-8"))["databases"]["disclosures"][
        "queries"
    ]
    by_category = db.execute(canned["failed_checks_by_category"]["sql"]).fetchall()
    assert sum(n for _, n, _ in by_category) == len(failed)
    assert len(db.execute(canned["documents_with_failed_checks"]["sql"]).fetchall()) == len(documents)
    index = (out / "report" / "index.html").read_text(encoding="utf-8")
    assert f"{len(failed)} failed</span> in {len(documents)} documents" in index


def test_a_prose_misprint_is_flagged_on_the_prose(out: Path) -> None:
    import sqlite3

    # the Putuo final account's prose says 财政拨款 0.3万元 where its table (and its identities)
    # say 2,961.68万元: the prose is the misprint, the table's figure is the value
    db = sqlite3.connect(out / "disclosures.sqlite")
    putuo = "%2024_final_shanghai_putuo_caizhengju.pdf"
    status = db.execute(
        "SELECT v.value, v.method, v.check_status FROM field_values v JOIN documents d USING (sha256) "
        "WHERE d.source LIKE ? AND v.field = 'appropriation.total'",
        (putuo,),
    ).fetchone()
    assert status[:2] == (29616800, "table") and status[2] != "fail"
    flags = dict(
        db.execute(
            "SELECT method, COALESCE(flags, '') FROM facts "
            "WHERE source LIKE ? AND field = 'appropriation.total'",
            (putuo,),
        ).fetchall()
    )
    assert flags["prose"] == "unit_error" and flags["table"] == ""  # 0.3万元: 万元 printed for 亿元
    failed = db.execute(
        "SELECT category FROM checks WHERE source LIKE ? AND rule = 'prose_equals_table' AND status = 'fail'",
        (putuo,),
    ).fetchall()
    assert failed == [("prose",)]  # the check still fails, where checks are read


def test_the_failures_page_shows_every_cited_cell(out: Path) -> None:
    import csv
    import json

    with (out / "checks.csv").open(encoding="utf-8", newline="") as handle:
        failed = [
            r for r in csv.DictReader(handle) if r["status"] == "fail" and r["category"] == "arithmetic"
        ]
    many = [r for r in failed if len(json.loads(r["locations"])) > 3]
    assert many, "a failed check citing more than three cells"
    page = (out / "report" / "failures.html").read_text(encoding="utf-8")
    for check in many:
        for loc in json.loads(check["locations"]):
            assert f"“{loc['text']}”" in page, (check["subject"], loc["text"])


def test_performance_grids_beside_their_page_crops(tmp_path: Path, patterns: Patterns) -> None:
    """Each grid's rows as read, per page, beside a crop of that page's rows (the table's width)."""
    forms = DOCS.parent / "regress" / "indicator_forms_cut_by_page_breaks.pdf"
    run_batch(discover([forms]), tmp_path, patterns)
    assert CliRunner().invoke(main, ["report", str(tmp_path)]).exit_code == 0
    page = _page_of(tmp_path, forms).read_text(encoding="utf-8")
    grids = page[page.index("<h2>Performance grids</h2>") :]
    assert "25 indicator rows" in grids
    assert "236中央高校教育教学改革专项 · 2,112.76 万元" in grids
    assert "<td>满意度指标</td><td>服务对象满意度指标</td><td>教职工满意度</td><td>95%</td>" in grids
    crops = re.findall(r"src='\.\./(crops/[^']+-p(\d)-[^']+)'", grids)
    # the first project's rows on pages 1 and 2, the second's on page 3
    assert [p for _, p in crops] == ["1", "2", "3"]
    for src, _ in crops:
        assert _highlighted(tmp_path / "report" / src) > 500
