"""`disclosure-extract demo`: the bundled corpus as a local government-style site.

The site imitates a 部门预算公开 column: paginated listing pages in GBK without a charset
declaration (index.html, index_1.html, announced by createPageHTML), article pages
re-encoded to GBK, and PDF and text attachments, all served on 127.0.0.1 with ETag and
Last-Modified. The demo crawls it, extracts what it fetched, and writes the outputs.
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import re
import threading
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urljoin

import regex

from .client import FetchSettings
from .sources import DEFAULT_INCLUDE, Source, SourcesConfig

COLUMN = "/zwgk/bmyjsgk/bmysgk/"
DEMO_PORT = 8765
ITEMS_PER_PAGE = 6
_CHARSET_META = re.compile(r"<meta[^>]*charset=[^>]*>", re.IGNORECASE)
_DEAD_LINK = re.compile(r'href="((?!https?:)[^"#]+\.(?:xls|xlsx|doc|docx|pdf))"', re.IGNORECASE)
_MIME = {
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
    ".xls": "application/vnd.ms-excel",
}


def _listing_page(items: list[tuple[str, str]], page: int, pages: int) -> str:
    rows = "\n".join(
        f'<li><a href="{href}" title="{html.escape(title)}">{html.escape(title)}</a>'
        f"<span>2026-11-0{1 + i % 9}</span></li>"
        for i, (href, title) in enumerate(items)
    )
    return f"""<!DOCTYPE html><html><head><title>部门预算公开_示例区人民政府</title></head><body>
<div class="header"><a href="/">首页</a> <a href="/zwgk/">政务公开</a>
<a href="{COLUMN}">部门预算公开</a></div>
<div class="position">当前位置：<a href="/">首页</a> &gt; 部门预算公开</div>
<div class="list"><ul>
{rows}
</ul></div>
<div class="page"><script>createPageHTML({pages}, {page}, "index", "html");</script></div>
<div class="footer">主办单位：示例区人民政府办公室 版权所有</div>
</body></html>"""


def _article_page(title: str, attachments: list[tuple[str, str]]) -> str:
    links = "".join(f'<li><a href="{href}">{html.escape(name)}</a></li>' for href, name in attachments)
    return f"""<!DOCTYPE html><html><head><title>{html.escape(title)}</title></head><body>
<div class="nav"><a href="/">首页</a></div>
<div class="article"><h1>{html.escape(title)}</h1>
<p>现将{html.escape(title)}公开如下，详见附件。</p>
<div class="attachment">附件：<ul>{links}</ul></div></div>
<div class="footer">版权所有</div></body></html>"""


def build_site(docs: Path) -> dict[str, bytes]:
    """Path -> bytes of every file of the demo site, built from the bundled documents."""
    files: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
    items: list[tuple[str, str]] = []
    for path in sorted(docs.iterdir()):
        if path.suffix == ".html":
            # the real article pages, served as GBK with no charset declaration
            text = _CHARSET_META.sub("", path.read_text(encoding="utf-8"))
            href = f"2026/{path.name}"  # the original names, so `evaluate` can match the truth files
            files[COLUMN + href] = text.encode("gb18030")
            title = re.search(r'name="ArticleTitle" content="([^"]+)"', text)
            items.append((href, title.group(1) if title else path.stem))
        elif path.suffix in (".pdf", ".txt"):
            href = f"files/{path.name}"
            files[COLUMN + href] = path.read_bytes()
            items.append((href, f"{path.stem}（部门预算公开附件）"))
    # one article page that only links its attachments (two files of one disclosure)
    pairs = [(h, t) for h, t in items if "jiangsu_prov_zhengxie_office" in t]
    if pairs:
        href = "2026/t20261101_900.htm"
        files[COLUMN + href] = _article_page(
            "江苏省政协办公厅2017年度部门预算公开", [(f"../{h}", t) for h, t in pairs]
        ).encode("gb18030")
        items = [i for i in items if i not in pairs] + [(href, "江苏省政协办公厅2017年度部门预算公开")]
    # the real pages link some files the demo does not have: those links go nowhere
    for key, body in list(files.items()):
        if key.endswith((".htm", ".html")):
            files[key] = _drop_dead_links(key, body.decode("gb18030"), files).encode("gb18030")
    pages = max(1, -(-len(items) // ITEMS_PER_PAGE))
    for p in range(pages):
        name = "index.html" if p == 0 else f"index_{p}.html"
        chunk = items[p * ITEMS_PER_PAGE : (p + 1) * ITEMS_PER_PAGE]
        files[COLUMN + name] = _listing_page(chunk, p, pages).encode("gb18030")
    return files


def _drop_dead_links(page: str, text: str, files: dict[str, bytes]) -> str:
    def keep_or_drop(m: re.Match[str]) -> str:
        return m.group(0) if urljoin(page, m.group(1)) in files else 'href="#"'

    return _DEAD_LINK.sub(keep_or_drop, text)


class _Handler(BaseHTTPRequestHandler):
    files: ClassVar[dict[str, bytes]] = {}
    stamp = formatdate(usegmt=True)

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        if path.endswith("/"):
            path += "index.html"
        body = self.files.get(path)
        if body is None:
            self.send_error(404)
            return
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        # the server declares no charset for its GBK pages, as many government servers do
        self.send_header("Content-Type", _MIME.get(Path(path).suffix, "application/octet-stream"))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", etag)
        self.send_header("Last-Modified", self.stamp)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return  # the crawler logs what matters


class DemoSite:
    """The demo site served on 127.0.0.1 in a background thread."""

    def __init__(self, docs: Path, port_file: Path | None = None) -> None:
        """Serve ``docs``; ``port_file`` remembers the port between runs."""
        handler = type("DemoHandler", (_Handler,), {"files": build_site(docs)})
        # A stable port keeps URLs stable, so a second demo shows an incremental crawl: the
        # port the last run on this output folder used, else DEMO_PORT, else any free one
        # (then remembered, so a taken DEMO_PORT costs only the first run's URLs).
        ports = [*_remembered(port_file), DEMO_PORT, 0]
        for port in ports:
            try:
                self.server = ThreadingHTTPServer(("127.0.0.1", port), handler)
                break
            except OSError:
                if port == 0:
                    raise
        if port_file is not None:
            with contextlib.suppress(OSError):
                port_file.parent.mkdir(parents=True, exist_ok=True)
                port_file.write_text(f"{self.server.server_address[1]}\n", encoding="ascii")
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}{COLUMN}"

    def __enter__(self) -> DemoSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def _remembered(port_file: Path | None) -> list[int]:
    try:
        port = int(port_file.read_text(encoding="ascii")) if port_file is not None else 0
    except (OSError, ValueError):
        return []
    return [port] if 0 < port < 65536 else []


def demo_sources(site_url: str) -> SourcesConfig:
    """The crawl of the demo site: its one column, fast (it is local), private address allowed."""
    return SourcesConfig(
        path="(demo)",
        settings=FetchSettings(rate=50.0, concurrency=4, host_concurrency=4, timeout=10.0),
        sources=[
            Source(
                name="demo",
                entries=[site_url],
                allowed_hosts=frozenset({"127.0.0.1"}),
                include_title=regex.compile(DEFAULT_INCLUDE),
                max_pages=20,
                allow_private=True,
            )
        ],
    )
