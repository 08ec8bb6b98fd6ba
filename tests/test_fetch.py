"""Fetching from a real HTTP server on 127.0.0.1 (tests/site_server.py)."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from disclosure_extract.fetch.crawl import crawl
from disclosure_extract.fetch.discover import page_links, pagination
from disclosure_extract.fetch.safety import FetchRefusedError, check_address, check_url, safe_filename
from disclosure_extract.fetch.sources import SourcesError, load_sources

from .site_server import Site

FAST = "  rate: 200\n  retries: 2\n  timeout: 1.0\n  max_bytes: 2000000\n"


def _sources(tmp: Path, site: Site, extra: str = "") -> Path:
    path = tmp / "sources.yml"
    path.write_text(
        "settings:\n" + FAST + "  user_agent: 'disclosure-extract-tests (contact: tests@example.org)'\n"
        "sources:\n"
        f"  - name: mock\n    entry: {site.column}\n    allow_private: true\n    max_pages: 5\n" + extra,
        encoding="utf-8",
    )
    return path


def _catalog(out: Path) -> dict[str, dict]:
    db = sqlite3.connect(out / "archive" / "catalog.sqlite")
    db.row_factory = sqlite3.Row
    return {row["url"]: dict(row) for row in db.execute("SELECT * FROM resources")}


def _fetches(out: Path) -> list[dict]:
    db = sqlite3.connect(out / "archive" / "catalog.sqlite")
    db.row_factory = sqlite3.Row
    return [dict(row) for row in db.execute("SELECT * FROM fetches ORDER BY id")]


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    yield s
    s.close()


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Site, Path, object]]:
    """One crawl of the mock site, shared by the tests that read its archive."""
    shared = Site()
    tmp = tmp_path_factory.mktemp("crawl")
    config = load_sources(_sources(tmp, shared))
    config.settings.backoff = 0.05  # keep the test quick; Retry-After still waits its second
    summary = crawl(config, tmp / "out" / "archive")
    yield shared, tmp / "out", summary
    shared.close()


def test_pagination_and_gbk_listing(crawled: tuple[Site, Path, object]) -> None:
    site, out, _ = crawled
    assert site.handler.hits["/zwgk/col/index_1.html"] == 1  # found through createPageHTML(2, …)
    resources = _catalog(out)
    listing = resources[site.column]
    assert listing["role"] == "listing" and listing["detected_format"] == "html"
    renda = resources[site.column + "renda.htm"]
    assert (renda["role"], renda["link_text"], renda["referrer"]) == (
        "article",
        "2017年度平潭县人大常委会部门预算说明",
        site.column + "index_1.html",
    )
    # the link filter keeps disclosures only
    assert site.column + "news.htm" not in resources


def test_attachments_archived_by_content(crawled: tuple[Site, Path, object]) -> None:
    site, out, _ = crawled
    resources = _catalog(out)
    pdfs = [resources[site.column + f"files/{n}.pdf"] for n in ("a1", "a2", "direct")]
    # served as text/html, sniffed as PDF; one blob for the same bytes from three URLs
    assert {p["detected_format"] for p in pdfs} == {"pdf"}
    assert {p["content_type"] for p in pdfs} == {"text/html"}
    assert len({p["sha256"] for p in pdfs}) == 1
    blobs = [p for p in (out / "archive" / "blobs").rglob("*") if p.is_file()]
    assert sum(1 for b in blobs if b.name == pdfs[0]["sha256"]) == 1
    assert pdfs[0]["filename"] == "passwd.pdf"  # Content-Disposition "../../etc/passwd.pdf", sanitised
    assert resources[site.column + "files/report.doc"]["detected_format"] == "html"  # a .doc that is HTML
    # an archive link is recorded, never downloaded
    assert resources[site.column + "files/pack.rar"]["sha256"] is None
    assert site.handler.hits["/zwgk/col/files/pack.rar"] == 0


def test_robots_disallow(crawled: tuple[Site, Path, object]) -> None:
    site, out, _ = crawled
    assert site.handler.hits["/private/secret.htm"] == 0
    fetch = next(f for f in _fetches(out) if f["url"].endswith("/private/secret.htm"))
    assert fetch["outcome"] == "failed" and "robots.txt" in fetch["error"]


def test_retries_500_and_429(crawled: tuple[Site, Path, object]) -> None:
    site, out, _ = crawled
    assert site.handler.hits["/zwgk/col/flaky.htm"] == 2
    assert site.handler.hits["/zwgk/col/limited.htm"] == 2
    resources = _catalog(out)
    assert resources[site.column + "flaky.htm"]["status"] == 200
    # the retry after the 429 waited its Retry-After second
    times = [t for t, p in site.handler.log if p == "/zwgk/col/limited.htm"]
    assert times[1] - times[0] >= 0.95


def test_failures_are_specific(crawled: tuple[Site, Path, object]) -> None:
    _site, out, summary = crawled
    errors = {
        f["url"].rsplit("/", 1)[-1]: f["error"]
        for f in _fetches(out)
        if f["outcome"] in ("failed", "refused")
    }
    assert "timeout" in errors["slow.htm"]
    assert "truncated" in errors["truncated.pdf"] or "broken" in errors["truncated.pdf"]
    assert "redirect loop" in errors["loop1.htm"]
    assert "not in the source's allowed hosts" in errors["offsite.htm"]
    assert "over the limit" in errors["big.pdf"]
    assert "over the limit" in errors["bigchunked.pdf"]
    assert not list((out / "archive" / "tmp").iterdir())  # no partial download left
    assert summary.failed >= 6  # type: ignore[attr-defined]


def test_second_run_is_conditional(crawled: tuple[Site, Path, object]) -> None:
    _site, out, _ = crawled
    config = load_sources(out.parent / "sources.yml")
    config.settings.backoff = 0.05
    summary = crawl(config, out / "archive")
    assert summary.unchanged >= 5
    assert summary.new_documents == []
    outcomes = {f["url"].rsplit("/", 1)[-1]: f["outcome"] for f in _fetches(out)[-40:]}
    assert outcomes["a1.htm"] == "unchanged" and outcomes["a1.pdf"] == "unchanged"


def test_run_extracts_what_was_fetched(site: Site, tmp_path: Path) -> None:
    sources = _sources(tmp_path, site)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "disclosure_extract.cli",
            "run",
            str(sources),
            "-o",
            str(tmp_path / "out"),
            "-q",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 1  # some URLs of the mock site fail on purpose
    assert "crawl: fetched" in proc.stdout and "extract:" in proc.stdout
    records = {
        json.loads(x)["source"]: json.loads(x)
        for x in (tmp_path / "out" / "documents.jsonl").read_text(encoding="utf-8").splitlines()
    }
    renda = records[site.column + "renda.htm"]
    assert renda["fields"]["meta.department"] == "平潭县人大常委会" and renda["encoding"] == "gb18030"
    assert records[site.column + "files/a1.pdf"]["fields"]["income.total"] == 183303700


def test_kill_9_then_resume(tmp_path: Path) -> None:
    slow = Site(delay=0.25)
    try:
        sources = _sources(tmp_path, slow)
        cmd = [
            sys.executable,
            "-m",
            "disclosure_extract.cli",
            "crawl",
            str(sources),
            "-o",
            str(tmp_path / "out"),
            "-q",
        ]
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        deadline = time.monotonic() + 30
        while sum(slow.handler.hits.values()) < 8 and time.monotonic() < deadline:
            time.sleep(0.05)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        done_before = {f["url"] for f in _fetches(tmp_path / "out") if f["outcome"] in ("new", "changed")}
        assert done_before, "the crawl was killed before it finished anything"
        hits_before = dict(slow.handler.hits)
        resumed = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
        assert "reused from an interrupted run" in resumed.stdout
        for url in done_before:
            path = url.split(str(slow.server.server_address[1]), 1)[1]
            assert slow.handler.hits[path] == hits_before[path], f"{path} was downloaded again"
        blobs = tmp_path / "out" / "archive" / "blobs"
        for blob in (p for p in blobs.rglob("*") if p.is_file()):
            assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name  # no half-written blob
        assert not list((tmp_path / "out" / "archive" / "tmp").iterdir())
        db = sqlite3.connect(tmp_path / "out" / "archive" / "catalog.sqlite")
        assert db.execute("SELECT COUNT(*) FROM runs WHERE finished_at IS NULL").fetchone()[0] == 0
    finally:
        slow.close()


def test_safety_rules() -> None:
    with pytest.raises(FetchRefusedError, match="scheme"):
        check_url("file:///etc/passwd", None)
    with pytest.raises(FetchRefusedError, match="allowed hosts"):
        check_url("https://evil.example.com/x", frozenset({"www.gov.cn"}))
    with pytest.raises(FetchRefusedError, match="private address"):
        check_address("http://127.0.0.1/", "127.0.0.1", allow_private=False)
    taken: set[str] = set()
    assert safe_filename("../../etc/passwd", taken) == "passwd"
    assert safe_filename("passwd", taken) == "passwd-2"
    assert safe_filename("..\\..\\报表 (1).pdf") == "报表_(1).pdf"
    assert safe_filename("") == "download"


def test_pagination_forms() -> None:
    real = (Path(__file__).resolve().parents[1] / "corpus" / "site" / "pingtan_list_bmysgk.html").read_text(
        encoding="utf-8"
    )
    base = "https://www.pingtan.gov.cn/zwgk/zdlyxxgk/czzj/bmyjsgk/bmysgk/index.html"
    links = page_links(real, base)
    pages = list(pagination(real, base, links))
    # pageChnlInfo: 757 records, 15 a page, the first 5 pages static
    assert pages[:4] == [base.replace("index.html", f"index_{n}.html") for n in range(1, 5)]
    items = [x for x in links if "/2026" in x.url or "/2025" in x.url]
    assert (
        items[0].url
        == "https://www.pingtan.gov.cn/zwgk/zdlyxxgk/czzj/bmyjsgk/bmysgk/202603/P020260310532318209212.pdf"
    )
    html = '<a href="list_3.html">下一页</a><script>createPageHTML(3, 0, "index", "shtml")</script>'
    assert list(
        pagination(html, "http://x.gov.cn/a/index.shtml", page_links(html, "http://x.gov.cn/a/index.shtml"))
    ) == [
        "http://x.gov.cn/a/index_1.shtml",
        "http://x.gov.cn/a/index_2.shtml",
        "http://x.gov.cn/a/list_3.html",
    ]


def test_a_billion_announced_pages_make_only_the_pages_the_crawl_takes() -> None:
    # createPageHTML(1000000000, …) once built every URL before max_pages applied (5.4 GB)
    html = '<script>createPageHTML(1000000000, 0, "index", "html")</script>'
    html += "<script>var pageChnlInfo = {recordCount: 9000000000, prepage: 1};</script>"
    pages = pagination(html, "http://x.gov.cn/a/index.html", [])
    assert isinstance(pages, Iterator)  # built as taken: nothing is made before the crawl asks
    assert list(itertools.islice(pages, 3)) == [f"http://x.gov.cn/a/index_{n}.html" for n in range(1, 4)]


def test_bad_sources_file_names_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "sources.yml"
    bad.write_text("sources:\n  - name: x\n    entry: ftp://example.com/\n", encoding="utf-8")
    with pytest.raises(SourcesError, match=r"sources\.yml:2: .*not an http\(s\) URL"):
        load_sources(bad)


def test_fetch_command(site: Site, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from disclosure_extract.cli import main

    urls = [site.column + "a1.htm", site.column + "missing.htm"]
    result = CliRunner().invoke(
        main, ["fetch", *urls, "--archive", str(tmp_path / "arc"), "--allow-private", "-q"]
    )
    assert result.exit_code == 1  # one URL failed
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert [(x[0], x[1], x[2]) for x in lines] == [(urls[0], "new", "200"), (urls[1], "failed", "404")]
    assert lines[0][4] == "html" and len(lines[0][3]) == 64
    assert lines[1][5] == "HTTP 404"
    # without --allow-private, a loopback address is refused before any request
    result = CliRunner().invoke(main, ["fetch", urls[0], "--archive", str(tmp_path / "arc2"), "-q"])
    assert result.exit_code == 1 and "refused" in result.stdout and "private address" in result.stdout


def test_the_example_sources_file_loads() -> None:
    config = load_sources(Path(__file__).resolve().parents[1] / "examples" / "sources.yml")
    assert [s.name for s in config.sources] == ["pingtan-budgets", "pingtan-final-accounts"]
    assert config.settings.rate == 1.0 and config.settings.obey_robots is True
    assert config.sources[1].allowed_hosts == frozenset({"www.pingtan.gov.cn"})
    assert config.sources[0].exclude_title is not None and config.sources[0].allow_private is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "sources:\n  - name: a\n    entry: http://x.test/\n    allow_private: 'false'\n",
            r":2: 'allow_private' must be true or false",
        ),
        (
            "sources:\n  - name: a\n    entry: http://x.test/\n    max_page: 3\n",
            r":2: unknown key 'max_page' in a source",
        ),
        (
            "settings:\n  rates: 2\nsources:\n  - name: a\n    entry: http://x.test/\n",
            r":2: unknown key 'rates' in settings",
        ),
        (
            "sources:\n  - name: a\n    entry: http://x.test/\n  - name: a\n    entry: http://y.test/\n",
            r":4: source names must be unique",
        ),
    ],
)
def test_sources_file_mistakes_name_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    bad = tmp_path / "sources.yml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(SourcesError, match=rf"sources\.yml{message}"):
        load_sources(bad)
