"""The crawler against hostile servers and unlucky operators, on a real 127.0.0.1 server: a
body trickling 1 byte at a time, an endless compressed robots.txt, a name that resolves to a
public address when checked and to 127.0.0.1 when connected to, a crawl whose only entry is
refused, a bug in one URL's handling, and two runs on one archive."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from disclosure_extract.common.lock import folder_lock
from disclosure_extract.fetch import crawl as crawl_module
from disclosure_extract.fetch.client import FetchSettings, fetch_urls
from disclosure_extract.fetch.crawl import crawl
from disclosure_extract.fetch.sources import load_sources

from .test_jobs import CLI

PAGE = "<html><body><ul><li><a href='/a.htm'>2024年部门预算</a></li></ul></body></html>".encode()


class Hostile(BaseHTTPRequestHandler):
    """HTTP/1.0: a body without a length runs until the server closes it."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.startswith("/trickle"):  # 1,000 bytes announced, one sent every 0.2 s
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            for _ in range(1000):
                try:
                    self.wfile.write(b"x")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(0.2)
            return
        if path == "/robots.txt" and self.server.bomb:  # type: ignore[attr-defined]
            self._endless_gzip()
            return
        body = PAGE if path in ("/", "/index.html") else b"<html><body><p>ok</p></body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _endless_gzip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
        block = b"\0" * (1024 * 1024)
        try:
            while True:  # 1 MiB of zeros after another, about 1 KB each on the wire
                self.wfile.write(packer.compress(block) + packer.flush(zlib.Z_SYNC_FLUSH))
        except OSError:
            return


@pytest.fixture
def server() -> Iterator[ThreadingHTTPServer]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    httpd.daemon_threads = True
    httpd.bomb = False  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _base(httpd: ThreadingHTTPServer) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def _settings(**kw: Any) -> FetchSettings:
    defaults: dict[str, Any] = {"rate": 100.0, "retries": 0, "timeout": 5.0, "allow_private": True}
    return FetchSettings(**{**defaults, **kw})


def test_a_trickling_body_ends_at_the_deadline_and_does_not_starve_the_host(
    server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    # each read comes within the 5 s timeout, so only a deadline on the whole request ends it
    base = _base(server)
    urls = [f"{base}/trickle1", f"{base}/trickle2", f"{base}/page.htm"]
    records = fetch_urls(urls, tmp_path / "archive", _settings(deadline=2.0, obey_robots=False))
    outcomes = {r.url.rsplit("/", 1)[1]: (r.outcome, r.error) for r in records}
    assert outcomes["trickle1"] == ("failed", "no complete response within 2 s")
    assert outcomes["trickle2"] == ("failed", "no complete response within 2 s")
    assert outcomes["page.htm"][0] == "new"  # the two host slots were given back


def test_an_endless_compressed_robots_txt_is_read_only_to_its_cap(
    server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    server.bomb = True  # type: ignore[attr-defined]
    records = fetch_urls([f"{_base(server)}/page.htm"], tmp_path / "archive", _settings(deadline=30.0))
    # read whole, it would never end (the deadline would leave the host uncrawled)
    assert [(r.outcome, r.error) for r in records] == [("new", None)]


def test_the_address_connected_to_is_the_address_checked(
    server: ThreadingHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # DNS rebinding: the first answer is public, every later one is this machine
    real = socket.getaddrinfo
    asked: list[str] = []

    def rebinding(host: Any, *args: Any, **kw: Any) -> Any:
        if host != "rebind.example":
            return real(host, *args, **kw)
        asked.append(host)
        address = "93.184.216.34" if len(asked) == 1 else "127.0.0.1"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    url = f"http://rebind.example:{server.server_address[1]}/page.htm"
    settings = _settings(allow_private=False, obey_robots=False)
    records = fetch_urls([url], tmp_path / "archive", settings)
    assert records[0].outcome == "refused"
    assert "127.0.0.1" in (records[0].error or "")
    assert len(asked) >= 2  # checked, then checked again when connecting


def test_a_crawl_whose_only_entry_is_refused_exits_1(server: ThreadingHTTPServer, tmp_path: Path) -> None:
    sources = tmp_path / "sources.yml"
    # 127.0.0.1 without allow_private: refused
    sources.write_text(f"sources:\n  - name: local\n    entry: {_base(server)}/\n", encoding="utf-8")
    run = subprocess.run(
        [*CLI, "crawl", str(sources), "-o", str(tmp_path / "out"), "-q"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert "refused 1" in run.stdout


def test_a_bug_on_one_url_is_reported_and_the_crawl_goes_on(
    server: ThreadingHTTPServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Any, item: Any, path: Path) -> None:
        raise RuntimeError("a bug in link discovery")

    monkeypatch.setattr(crawl_module._SourceCrawl, "discover", broken)
    sources = tmp_path / "sources.yml"
    sources.write_text(
        "settings:\n  concurrency: 2\n  rate: 100\n"
        f"sources:\n  - name: local\n    entry: [{_base(server)}/, {_base(server)}/index.html]\n"
        "    allow_private: true\n",
        encoding="utf-8",
    )
    summary = crawl(load_sources(sources), tmp_path / "archive")  # before: hung, or lost silently
    assert summary.failed == 2
    assert all(
        "internal error: RuntimeError: a bug in link discovery" in reason for _, reason in summary.failures
    )


def test_a_second_run_on_an_archive_is_refused_with_exit_2(
    server: ThreadingHTTPServer, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    sources = tmp_path / "sources.yml"
    sources.write_text(
        f"sources:\n  - name: local\n    entry: {_base(server)}/\n    allow_private: true\n", encoding="utf-8"
    )
    with folder_lock(out / "archive"):  # a crawl holding the archive
        for args in (
            ["crawl", str(sources), "-o", str(out)],
            ["fetch", f"{_base(server)}/", "--archive", str(out / "archive")],
        ):
            run = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120, check=False)
            assert run.returncode == 2, run.stderr
            assert "being written by another run" in run.stderr
    assert not (out / "archive" / "catalog.sqlite").exists()  # nothing touched
