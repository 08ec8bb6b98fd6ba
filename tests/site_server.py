"""A mock government site on 127.0.0.1 for the fetch tests, modelled on the real pages.

Behaviours by path: GBK pages without a charset, paginated listings, attachments, a
robots.txt disallow, a 500 then success, a 429 with Retry-After, a slow page, a truncated
body, a redirect loop, an off-site redirect, bodies over the size limit, ETag / 304, and
an optional delay on every response (to kill a crawl half way). Every request is logged.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

DOCS = Path(__file__).resolve().parents[1] / "corpus" / "docs"
PDF = (DOCS / "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf").read_bytes()
ARTICLE = (
    (DOCS / "pingtan_2017_budget_renda.html")
    .read_text(encoding="utf-8")
    .replace('<meta charset="utf-8"', "<meta")
)


def listing(page: int, items: list[tuple[str, str]], pages: int) -> bytes:
    rows = "".join(f'<li><a href="{href}" title="{title}">{title}</a></li>' for href, title in items)
    html = (
        '<html><head><title>部门预算公开</title></head><body><div class="nav"><a href="/">首页</a></div>'
        f'<ul>{rows}</ul><script>createPageHTML({pages}, {page}, "index", "html");</script></body></html>'
    )
    return html.encode("gb18030")  # GBK, and no charset anywhere


def article(title: str, attachments: list[str]) -> bytes:
    links = "".join(f'<a href="{a}">{a.rsplit("/", 1)[-1]}</a>' for a in attachments)
    return (
        f"<html><body><div class='content'><h1>{title}</h1>"
        f"<p>{title}，详见附件。</p>{links}</div></body></html>"
    ).encode("gb18030")


PAGE_0 = [
    ("a1.htm", "2024年度某局部门预算"),
    ("a2.htm", "2024年度某委部门决算"),
    ("files/direct.pdf", "2024年部门预算表"),
    ("news.htm", "工作动态"),
    ("../../private/secret.htm", "2024年秘密预算"),
]
PAGE_1 = [
    ("renda.htm", "2017年度平潭县人大常委会部门预算说明"),
    ("flaky.htm", "2024年预算（服务器出错一次）"),
    ("limited.htm", "2024年预算（限流一次）"),
    ("slow.htm", "2024年预算（很慢）"),
    ("loop1.htm", "2024年预算（重定向循环）"),
    ("offsite.htm", "2024年预算（站外跳转）"),
    ("files/truncated.pdf", "2024年预算（截断）"),
    ("files/big.pdf", "2024年预算（超大）"),
    ("files/bigchunked.pdf", "2024年决算（超大无长度）"),
    ("files/pack.rar", "2024年预算附件包"),
    ("files/report.doc", "2024年预算（其实是网页的doc）"),
]


class SiteHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hits: ClassVar[Counter[str]] = Counter()
    log: ClassVar[list[tuple[float, str]]] = []
    delay: ClassVar[float] = 0.0
    lock = threading.Lock()

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.lock:
            self.hits[path] += 1
            n = self.hits[path]
            self.log.append((time.monotonic(), path))
        if self.delay:
            time.sleep(self.delay)
        col = "/zwgk/col/"
        if path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /private/\n")
        if path in (col, col + "index.html"):
            return self._send(200, listing(0, PAGE_0, 2), {"Content-Type": "text/html"})
        if path == col + "index_1.html":
            return self._send(200, listing(1, PAGE_1, 2), {"Content-Type": "text/html"})
        if path in (col + "a1.htm", col + "a2.htm"):
            body = article("2024年度某局部门预算", [f"files/{path[-6:-4]}.pdf", "/other/x.xls"])
            etag = '"' + hashlib.sha256(body).hexdigest()[:12] + '"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304)
            return self._send(200, body, {"Content-Type": "text/html", "ETag": etag})
        if path == col + "renda.htm":
            return self._send(200, ARTICLE.encode("gb18030"), {"Content-Type": "text/html"})
        if path in (col + "files/a1.pdf", col + "files/a2.pdf", col + "files/direct.pdf"):
            etag = '"pdf-v1"'
            if self.headers.get("If-None-Match") == etag:
                return self._send(304)
            # a PDF served with a wrong content type and an unsafe file name
            return self._send(
                200,
                PDF,
                {
                    "Content-Type": "text/html",
                    "ETag": etag,
                    "Content-Disposition": 'attachment; filename="../../etc/passwd.pdf"',
                },
            )
        if path == col + "flaky.htm":
            if n == 1:
                return self._send(500, b"oops")
            return self._send(200, article("2024年预算 恢复", []), {"Content-Type": "text/html"})
        if path == col + "limited.htm":
            if n == 1:
                return self._send(429, b"slow down", {"Retry-After": "1"})
            return self._send(200, article("2024年预算 限流后", []), {"Content-Type": "text/html"})
        if path == col + "slow.htm":
            time.sleep(3)
            return self._send(200, b"late")
        if path in (col + "loop1.htm", col + "loop2.htm"):
            other = "loop2.htm" if path.endswith("loop1.htm") else "loop1.htm"
            return self._send(302, b"", {"Location": other})
        if path == col + "offsite.htm":
            return self._send(302, b"", {"Location": "http://evil.example.com/steal"})
        if path == col + "files/truncated.pdf":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PDF)))
            self.end_headers()
            self.wfile.write(PDF[:1000])
            self.close_connection = True
            return None
        if path == col + "files/report.doc":
            # a Word export that is really HTML, as some CMSs save it
            return self._send(200, article("2024年部门预算", []), {"Content-Type": "application/msword"})
        if path == col + "files/big.pdf":
            return self._send(200, b"%PDF-1.4\n" + b"0" * (3 * 1024 * 1024))
        if path == col + "files/bigchunked.pdf":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for _ in range(40):
                chunk = b"0" * 100_000
                self.wfile.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return None
        return self._send(404, b"not found")

    def log_message(self, format: str, *args: Any) -> None:
        return


class Site:
    def __init__(self, delay: float = 0.0) -> None:
        handler = type("Handler", (SiteHandler,), {"hits": Counter(), "log": [], "delay": delay})
        self.handler = handler
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def column(self) -> str:
        return self.base + "/zwgk/col/"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
