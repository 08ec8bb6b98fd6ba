"""The crawl: listing pages, then the articles they list, then the articles' attachments.

A run is recorded in the archive's catalog as it goes. A run that was killed is resumed
by the next crawl: what it already fetched is taken from the archive (no second
download), the rest is fetched. A later run fetches everything again conditionally
(ETag / Last-Modified), so unchanged documents cost a 304, and reports what is new.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..common.decode import decode_text
from ..errors import LoadError
from .archive import Archive, FetchRecord
from .client import Fetched, Fetcher
from .discover import Link, is_archive, is_attachment, is_page, page_links, pagination
from .safety import FetchRefusedError, check_url
from .sources import Source, SourcesConfig

log = logging.getLogger("disclosure_extract")


@dataclass
class CrawlSummary:
    fetched: int = 0  # downloaded, new or changed
    unchanged: int = 0
    failed: int = 0
    refused: int = 0
    reused: int = 0  # taken from the archive when resuming a killed run
    archives: int = 0  # .rar/.zip links recorded, not downloaded
    new_documents: list[str] = field(default_factory=list)  # articles and attachments new or changed
    failures: list[tuple[str, str]] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"fetched {self.fetched}, unchanged {self.unchanged}, failed {self.failed}, "
            f"refused {self.refused}, new or changed documents {len(self.new_documents)}, "
            f"reused from an interrupted run {self.reused}, "
            f"archives recorded {self.archives}"
        )


@dataclass(frozen=True)
class _Item:
    url: str
    role: str  # listing / article / attachment
    referrer: str | None = None
    link_text: str | None = None


@dataclass
class _Run:
    """The run a source is crawled in: archive, run id, whether it resumes, the tallies."""

    archive: Archive
    run_id: int
    resumed: bool
    summary: CrawlSummary
    progress: Callable[[str], None] | None


class _SourceCrawl:
    def __init__(self, source: Source, fetcher: Fetcher, run: _Run) -> None:
        self.source = source
        self.fetcher = fetcher
        self.archive = run.archive
        self.run_id = run.run_id
        self.resumed = run.resumed
        self.summary = run.summary
        self.progress = run.progress
        self.queue: asyncio.Queue[_Item] = asyncio.Queue()
        self.seen: set[str] = set()
        self.listings = 0
        self.items = 0
        self.caps_reached: set[str] = set()

    def enqueue(self, item: _Item) -> None:
        if item.url in self.seen:
            return
        try:
            check_url(item.url, self.source.allowed_hosts)
        except FetchRefusedError:
            return  # links off the allowed hosts are not followed
        if item.role == "listing":
            if self.listings >= self.source.max_pages:
                self._capped("max_pages", self.source.max_pages, "listing pages")
                return
            self.listings += 1
        elif self.items >= self.source.max_items:
            self._capped("max_items", self.source.max_items, "articles and attachments")
            return
        else:
            self.items += 1
        self.seen.add(item.url)
        self.queue.put_nowait(item)

    def _capped(self, key: str, limit: int, what: str) -> None:
        """Say once per source that a cap left links unfollowed: a silent cap looks like a site
        with nothing more."""
        if key not in self.caps_reached:
            self.caps_reached.add(key)
            log.warning(
                "source %s: %s reached (%d %s); further ones are not followed",
                self.source.name,
                key,
                limit,
                what,
            )

    async def run(self, workers: int) -> None:
        for entry in self.source.entries:
            self.enqueue(_Item(entry, "listing"))
        tasks = [asyncio.create_task(self.worker()) for _ in range(max(1, workers))]
        await self.queue.join()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def worker(self) -> None:
        while True:
            item = await self.queue.get()
            try:
                await self.process(item)
            except Exception as exc:
                # a worker that died here would leave its queue unfinished and the crawl waiting
                log.exception("internal error on %s (a bug: please report it)", item.url)
                self.summary.failed += 1
                self.summary.failures.append((item.url, f"internal error: {type(exc).__name__}: {exc}"))
            finally:
                self.queue.task_done()

    async def process(self, item: _Item) -> None:
        done = self.archive.done_in_run(self.run_id, item.url) if self.resumed else None
        if done is not None and done.outcome == "refused":
            # refused before the kill: still this run's refusal, counted as the whole run counts it
            self._count(item, done)
            fetched = Fetched(done, None)
        elif done is not None:
            self.summary.reused += 1
            path = self.archive.blob_path(done.sha256) if done.sha256 else None
            fetched = Fetched(done, path)
        else:
            fetched = await self.fetcher.fetch(
                item.url, referrer=item.referrer, link_text=item.link_text, role=item.role
            )
            self._count(item, fetched.record)
        if self.progress is not None:
            self.progress(item.url)
        if (
            item.role in ("listing", "article")
            and fetched.path is not None
            and fetched.record.detected_format == "html"
        ):
            self.discover(item, fetched.path)

    def _count(self, item: _Item, rec: FetchRecord) -> None:
        s = self.summary
        if rec.outcome in ("new", "changed"):
            s.fetched += 1
            if item.role in ("article", "attachment"):
                s.new_documents.append(item.url)
        elif rec.outcome == "unchanged":
            s.unchanged += 1
        elif rec.outcome == "refused":
            s.refused += 1
            s.failures.append((item.url, rec.error or "refused"))
        else:
            s.failed += 1
            s.failures.append((item.url, rec.error or "failed"))

    def _wanted(self, link: Link) -> bool:
        text = f"{link.text} {link.url}"
        if self.source.exclude_title is not None and self.source.exclude_title.search(text):
            return False
        return bool(self.source.include_title.search(text))

    def discover(self, item: _Item, path: Path) -> None:
        try:
            html = decode_text(path.read_bytes(), item.url, html=True).text
        except LoadError as exc:
            log.warning("cannot read %s for links: %s", item.url, exc)
            return
        links = page_links(html, item.url)
        for link in links:
            if is_archive(link.url):
                if self._wanted(link) or item.role == "article":
                    self._note_archive(link, item.url)
            elif is_attachment(link.url):
                # an article's attachments all belong to it; a listing's must look like disclosures
                if item.role == "article" or self._wanted(link):
                    self.enqueue(_Item(link.url, "attachment", item.url, link.text))
            elif item.role == "listing" and is_page(link.url) and self._wanted(link):
                self.enqueue(_Item(link.url, "article", item.url, link.text))
        if item.role == "listing":
            self._paginate(html, item, links)

    def _paginate(self, html: str, item: _Item, links: list[Link]) -> None:
        for page in pagination(html, item.url, links):
            if self.listings >= self.source.max_pages:
                self._capped("max_pages", self.source.max_pages, "listing pages")
                break  # the rest of the announced pages are never built
            self.enqueue(_Item(page, "listing", item.url, "page"))

    def _note_archive(self, link: Link, referrer: str) -> None:
        if link.url in self.seen:
            return
        self.seen.add(link.url)
        self.summary.archives += 1
        self.archive.record(
            self.run_id,
            FetchRecord(
                url=link.url, outcome="recorded", referrer=referrer, link_text=link.text, role="archive"
            ),
        )


async def crawl_async(
    config: SourcesConfig, archive_dir: Path, progress: Callable[[str], None] | None = None
) -> CrawlSummary:
    archive = Archive(archive_dir)
    summary = CrawlSummary()
    try:
        run_id, resumed = archive.start_run({"sources": config.path})
        if resumed:
            log.info("resuming interrupted run %d: finished items are taken from the archive", run_id)
        for source in config.sources:
            settings = replace(
                config.settings, allowed_hosts=source.allowed_hosts, allow_private=source.allow_private
            )
            fetcher = Fetcher(archive, run_id, settings)
            try:
                run = _Run(archive, run_id, resumed, summary, progress)
                await _SourceCrawl(source, fetcher, run).run(settings.concurrency)
            finally:
                await fetcher.aclose()
        archive.finish_run(run_id)
    finally:
        archive.close()
    return summary


def crawl(
    config: SourcesConfig, archive_dir: Path, progress: Callable[[str], None] | None = None
) -> CrawlSummary:
    """Crawl every source of ``config`` into the archive at ``archive_dir``."""
    return asyncio.run(crawl_async(config, archive_dir, progress))
