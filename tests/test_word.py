"""Word and RTF: .docx read directly, .doc/.wps/.rtf through LibreOffice; format twins of
annotated disclosures (corpus/twins, made by scripts/make_format_twins.py) give the same
facts as their originals."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from disclosure_extract import Patterns
from disclosure_extract.errors import ConversionError
from disclosure_extract.evaluate import evaluate
from disclosure_extract.load import load_bytes
from disclosure_extract.load.convert import convert, converter
from disclosure_extract.model import Block, Table
from disclosure_extract.pipeline import discover, run_batch

from .conftest import CORPUS, DOCS, as_record
from .test_jobs import descendants

TWINS = CORPUS / "twins"
REGRESS = CORPUS / "regress"
TRUTH = CORPUS / "truth"
# CI installs LibreOffice: there the converted formats must be tested, never skipped.
needs_libreoffice = pytest.mark.skipif(
    converter() is None and not os.environ.get("CI"),
    reason="LibreOffice is not installed (.ci/run installs it)",
)


def _original(twin: Path) -> Path:
    stem = twin.stem.removesuffix("_embedded_workbook")
    return next(p for p in (DOCS / f"{stem}.html", REGRESS / f"{stem}.html") if p.is_file())


def _tables(path: Path, patterns: Patterns) -> list[list[tuple[int, int, int, int, str]]]:
    doc = load_bytes(path.read_bytes(), str(path), patterns)
    return [
        [(c.row, c.col, c.rowspan, c.colspan, c.text) for c in item.cells]
        for item in doc.items
        if isinstance(item, Table)
    ]


@pytest.mark.parametrize(
    "twin", sorted(p for p in TWINS.glob("*.docx") if "embedded" not in p.name), ids=lambda p: p.name
)
def test_docx_tables_are_the_original_tables(twin: Path, patterns: Patterns) -> None:
    """gridSpan and vMerge rebuild exactly the spans the HTML page had."""
    assert _tables(twin, patterns) == _tables(_original(twin), patterns)


def test_merged_cells_down_and_across(patterns: Patterns) -> None:
    (table,) = _tables(TWINS / "project_performance_forms_two_in_one_table.docx", patterns)
    assert sum(1 for c in table if c[2] > 1) == 7 and sum(1 for c in table if c[3] > 1) == 36


def test_docx_indicator_grid_gives_the_same_rows(patterns: Patterns) -> None:
    from disclosure_extract.pipeline import extract_data

    for name in ("indicator_grid_three_levels_rowspan", "project_performance_forms_two_in_one_table"):
        twin = as_record(extract_data((TWINS / f"{name}.docx").read_bytes(), "twin", patterns))
        html = as_record(extract_data((REGRESS / f"{name}.html").read_bytes(), "html", patterns))
        strip = [{k: v for k, v in row.items() if k != "location"} for row in html["indicators"]]
        assert [{k: v for k, v in row.items() if k != "location"} for row in twin["indicators"]] == strip
        assert len(strip) > 0


def test_embedded_workbook_is_read_where_the_body_shows_it(patterns: Patterns) -> None:
    embedded = load_bytes(
        (TWINS / "pingtan_2014_final_jianchayuan_embedded_workbook.docx").read_bytes(), "e", patterns
    )
    plain = load_bytes((TWINS / "pingtan_2014_final_jianchayuan.docx").read_bytes(), "p", patterns)
    (table,) = [i for i in embedded.items if isinstance(i, Table)]
    assert table.cells[0].location.path == "embedding[Microsoft_Excel_Worksheet1.xlsx]!收入支出决算批复表!A3"
    assert table.caption.startswith("收入支出决算批复表")
    # in the body's order: after the same paragraphs the plain twin's table follows
    (plain_table,) = [i for i in plain.items if isinstance(i, Table)]
    before = [i.text for i in plain.items[: plain.items.index(plain_table)] if not isinstance(i, Table)]
    assert [
        i.text for i in embedded.items[: embedded.items.index(table)] if not isinstance(i, Table)
    ] == before


@pytest.fixture(scope="module")
def twin_scores(
    tmp_path_factory: pytest.TempPathFactory, patterns: Patterns
) -> dict[str, tuple[int, int, int]]:
    """(right, wrong, missing) of every annotated original and every twin, each scored
    against the original's truth file."""
    out = tmp_path_factory.mktemp("twins")
    truth = tmp_path_factory.mktemp("truth")
    by_doc = {json.loads(p.read_text(encoding="utf-8"))["doc"]: p for p in TRUTH.glob("*.json")}
    twins = [p for p in sorted(TWINS.iterdir()) if _original(p).name in by_doc]
    if converter() is None:
        twins = [p for p in twins if p.suffix == ".docx"]
    originals = sorted({_original(p) for p in twins})
    for path in [*twins, *originals]:
        record = json.loads(by_doc[_original(path).name].read_text(encoding="utf-8"))
        record["doc"] = path.name
        (truth / f"{path.name}.json").write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    summary = run_batch(discover([*twins, *originals]), out, patterns)
    assert summary.failed == 0
    scores = evaluate(out, truth)
    return {d.doc: (d.right, d.wrong, d.missing) for d in scores.documents}


def test_docx_twins_score_as_their_originals(twin_scores: dict[str, tuple[int, int, int]]) -> None:
    docx = [name for name in twin_scores if name.endswith(".docx")]
    assert len(docx) >= 9
    for name in docx:
        original = _original(TWINS / name).name
        assert twin_scores[name] == twin_scores[original], name


@needs_libreoffice
def test_doc_and_rtf_twins_score_as_their_originals(twin_scores: dict[str, tuple[int, int, int]]) -> None:
    converted = [name for name in twin_scores if name.endswith((".doc", ".rtf"))]
    assert len([n for n in converted if n.endswith(".doc")]) >= 8 and len(converted) >= 10
    for name in converted:
        assert twin_scores[name] == twin_scores[_original(TWINS / name).name], name


@needs_libreoffice
def test_wps_is_read_as_the_word_file_it_is(tmp_path: Path, patterns: Patterns) -> None:
    # WPS Office saves .wps in the binary Word form: the same bytes, named .wps
    wps = tmp_path / "pingtan_2017_budget_renda.wps"
    shutil.copyfile(TWINS / "pingtan_2017_budget_renda.doc", wps)
    from disclosure_extract.pipeline import extract_data

    record = as_record(extract_data(wps.read_bytes(), str(wps), patterns))
    assert record["format"] == "wps" and record["status"] == "ok"
    assert record["fields"]["income.total"] == 7112700
    assert [i["code"] for i in record["issues"]] == ["converted"]


@needs_libreoffice
def test_a_hung_conversion_is_stopped() -> None:
    with pytest.raises(ConversionError, match="did not finish the conversion within 0 s"):
        convert(
            (TWINS / "pingtan_2017_budget_renda.doc").read_bytes(), "slow.doc", ".doc", "docx", timeout=0.05
        )
    # the whole process group was killed: no LibreOffice this test started is left (only the
    # test's own processes are looked at: others may be converting on a busy machine)
    leftover = [p for p in descendants(os.getpid()) if b"disclosure-extract-lo-" in _cmdline(p)]
    assert leftover == []


def test_without_libreoffice_the_document_says_what_to_install(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "disclosure_extract.cli",
            "extract",
            str(TWINS / "pingtan_2017_budget_renda.doc"),
            str(TWINS / "pingtan_2017_budget_renda.docx"),
            "-o",
            str(out),
            "-q",
        ],
        env={**os.environ, "PATH": str(bin_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    records = [
        json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    doc, docx = records
    assert doc["status"] == "failed" and doc["issues"][0]["code"] == "converter_missing"
    assert "libreoffice-writer-nogui" in doc["issues"][0]["message"]
    assert docx["status"] == "ok" and docx["fields"]["income.total"] == 7112700


def test_heading_styles_make_headings(patterns: Patterns) -> None:
    twin = load_bytes((TWINS / "pingtan_2014_final_dongxiangxiang.docx").read_bytes(), "twin", patterns)
    html = load_bytes((DOCS / "pingtan_2014_final_dongxiangxiang.html").read_bytes(), "html", patterns)

    def headings(doc: Any) -> list[tuple[str, int | None]]:
        return [(b.text, b.level) for b in doc.items if isinstance(b, Block) and b.kind == "heading"]

    # the page's outline headings, as the HTML gives them ...
    assert [h for h in headings(twin) if h[1] is not None] == [h for h in headings(html) if h[1] is not None]
    # ... and a line with no outline number that Word styles "Heading 3" (the site's 新媒体矩阵)
    assert ("新媒体矩阵", None) in headings(twin)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
