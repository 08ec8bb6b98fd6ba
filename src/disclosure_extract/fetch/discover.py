"""Links on listing and article pages: items, attachments and further listing pages.

Pagination of the site systems common in Chinese government websites:
- static pages ``index.html, index_1.html …`` announced by a ``createPageHTML(n, …)``
  call or a TRS ``pageChnlInfo`` object (recordCount / prepage / maxStaticIndex);
- "下一页" (next page) links;
- links to ``index_N.html`` siblings.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.etree
import lxml.html
import regex

from ..common.text import clean_inline

ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et", ".txt")
# Archives are recorded as found, never downloaded or unpacked.
ARCHIVE_EXTENSIONS = (".rar", ".zip", ".7z")
PAGE_EXTENSIONS = (".htm", ".html", ".shtml", ".jhtml", "")
_CREATE_PAGE = regex.compile(
    r"createPageHTML\(\s*['\"]?(\d+)['\"]?\s*,\s*['\"]?(\d+)['\"]?\s*,\s*['\"]([\w-]+)['\"]\s*,\s*['\"](\w+)['\"]"
)
_CHNL_COUNT = regex.compile(r"recordCount\s*:\s*['\"]?(\d+)")
_CHNL_PREPAGE = regex.compile(r"prepage\s*:\s*['\"]?(\d+)")
_CHNL_STATIC = regex.compile(r"maxStaticIndex\s*:\s*['\"]?(\d+)")
_INDEX_N = regex.compile(r"^(index)_(\d+)\.(s?html?)$")
_NEXT_TEXT = regex.compile(r"^\s*(?:下一页|下页|后一页|>)\s*$")


@dataclass(frozen=True)
class Link:
    url: str
    text: str


def _clean(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def page_links(html: str, base_url: str) -> list[Link]:
    """Every http(s) link of a page, absolute, without fragment, with its text (or title)."""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return []
    links: list[Link] = []
    seen: set[str] = set()
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#", "tel:")):
            continue
        url = _clean(urljoin(base_url, href))
        if not url.startswith(("http://", "https://")) or url in seen:
            continue
        seen.add(url)
        text = clean_inline(a.get("title") or "") or clean_inline(a.text_content())
        links.append(Link(url, text))
    return links


def extension(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).suffix.lower()


def is_attachment(url: str) -> bool:
    return extension(url) in ATTACHMENT_EXTENSIONS


def is_archive(url: str) -> bool:
    return extension(url) in ARCHIVE_EXTENSIONS


def is_page(url: str) -> bool:
    return extension(url) in PAGE_EXTENSIONS


def pagination(html: str, base_url: str, links: list[Link]) -> Iterator[str]:
    """Further pages of the same listing, in page order, made one at a time as they are taken:
    a page may announce a billion pages, and only the ones the crawl takes are ever built."""
    parts = urlsplit(base_url)
    folder = parts.path.rsplit("/", 1)[0] + "/"

    def sibling(name: str) -> str:
        return urlunsplit((parts.scheme, parts.netloc, folder + name, "", ""))

    def announced() -> Iterator[str]:
        created = _CREATE_PAGE.search(html)
        if created:
            total, stem, ext = int(created.group(1)), created.group(3), created.group(4)
            yield from (sibling(f"{stem}_{n}.{ext}") for n in range(1, total))
        count, per_page = _CHNL_COUNT.search(html), _CHNL_PREPAGE.search(html)
        static = _CHNL_STATIC.search(html)
        if count and per_page and int(per_page.group(1)) > 0:
            n_pages = math.ceil(int(count.group(1)) / int(per_page.group(1)))
            # pages past maxStaticIndex are served by a search API, not as static files
            n_static = min(n_pages, int(static.group(1))) if static else n_pages
            yield from (sibling(f"index_{n}.html") for n in range(1, n_static))
        for link in links:
            name = PurePosixPath(urlsplit(link.url).path).name
            same_folder = urlsplit(link.url).path.rsplit("/", 1)[0] + "/" == folder
            if _NEXT_TEXT.match(link.text) or (same_folder and _INDEX_N.match(name)):
                yield link.url

    # the seen set grows only with what is taken, as the pages do
    seen = {_clean(base_url)}
    for page in announced():
        if page not in seen:
            seen.add(page)
            yield page
