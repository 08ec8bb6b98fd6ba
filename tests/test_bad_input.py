"""Bad input never crashes the batch: each gets a specific issue, the batch goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from disclosure_extract import Patterns
from disclosure_extract.pipeline import discover, run_batch

from .conftest import BAD, SEED

EXPECTED = {
    "empty.txt": ("failed", "empty_document"),
    "blank.html": ("failed", "empty_document"),
    "noise.html": ("failed", "binary_content"),
    "noise.txt": ("failed", "binary_content"),
    # read as the PDF it is, whatever its name; this one has no pages
    "pdf_named.html": ("failed", "empty_document"),
    "listing_page_not_a_disclosure.html": ("failed", "not_a_disclosure"),
    # an excerpt of this project's README quoting one figure: it once came out a 2014 final account
    "readme_quoting_a_figure.md": ("failed", "not_a_disclosure"),
    "renda_gbk_declared_utf8.html": ("ok", "charset_mismatch"),
    "encrypted.pdf": ("failed", "encrypted_pdf"),
    "damaged.pdf": ("failed", "damaged_pdf"),
    "truncated.pdf": ("failed", "truncated_pdf"),
    "zero_pages.pdf": ("failed", "empty_document"),
    "image_only_scan.pdf": ("failed", "no_text_layer"),
    "real_pdf_named.html": ("ok", None),
    "renda_gbk_no_charset.html": ("ok", None),
    "renda_gb2312_declared.html": ("ok", None),
}


@pytest.fixture(scope="module")
def bad_batch(tmp_path_factory: pytest.TempPathFactory, patterns: Patterns) -> tuple[dict[str, dict], object]:
    out = tmp_path_factory.mktemp("bad")
    # the seed sits between bad files: work after a failure must still be done
    inputs = [*discover([BAD]), (SEED, str(SEED))]
    summary = run_batch(inputs, out, patterns)
    records = [
        json.loads(line) for line in (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    return {Path(r["source"]).name: r for r in records}, summary


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_specific_issue(bad_batch: tuple[dict[str, dict], object], name: str) -> None:
    records, _ = bad_batch
    status, code = EXPECTED[name]
    record = records[name]
    assert record["status"] == status
    codes = [i["code"] for i in record["issues"]]
    if code is None:
        assert not any(i["severity"] != "info" for i in record["issues"]), codes
    else:
        assert code in codes
    for issue in record["issues"]:
        assert issue["message"]


def test_batch_goes_on_and_counts_failures(bad_batch: tuple[dict[str, dict], object]) -> None:
    records, summary = bad_batch
    assert records[SEED.name]["status"] == "ok"
    assert records[SEED.name]["fields"]["income.total"] == 962200
    assert (summary.total, summary.failed) == (17, 12)  # type: ignore[attr-defined]


def test_gbk_pages_extract_like_the_utf8_original(bad_batch: tuple[dict[str, dict], object]) -> None:
    records, _ = bad_batch
    for name in ("renda_gbk_no_charset.html", "renda_gbk_declared_utf8.html", "renda_gb2312_declared.html"):
        assert records[name]["encoding"] == "gb18030"
        assert records[name]["fields"]["income.total"] == 7112700
        assert records[name]["fields"]["meta.department"] == "平潭县人大常委会"


def test_too_large_is_refused_before_reading(tmp_path: Path, patterns: Patterns) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<html>" + b" " * 5000 + b"</html>")
    summary = run_batch([(big, "big.html")], tmp_path / "out", patterns, max_bytes=1000)
    record = json.loads((tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8"))
    assert summary.failed == 1
    assert record["issues"][0]["code"] == "too_large"


def test_pdf_named_html_is_read_as_pdf(bad_batch: tuple[dict[str, dict], object]) -> None:
    records, _ = bad_batch
    record = records["real_pdf_named.html"]
    assert record["format"] == "pdf"
    assert record["fields"]["income.total"] == 183303700
    # failed PDFs keep their sniffed format too
    assert records["encrypted.pdf"]["format"] == "pdf"


def test_huge_file_is_refused_by_its_size_alone(tmp_path: Path, patterns: Patterns) -> None:
    # sparse: 20 GiB apparent size, no disk used; reading it before the size check would
    # take minutes and all the memory (the cache lookup once hashed whole files first)
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as fh:
        fh.truncate(20 * 2**30)
    summary = run_batch([(huge, "huge.pdf")], tmp_path / "out", patterns)
    record = json.loads((tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8"))
    assert summary.failed == 1
    assert record["issues"][0]["code"] == "too_large"
