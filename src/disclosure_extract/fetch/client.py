"""Polite, safe HTTP fetching into the archive.

Per host: robots.txt obeyed (by default), at most ``rate`` requests a second and
``host_concurrency`` at once; across hosts at most ``concurrency`` at once. Redirects are
followed by hand so every hop is checked (scheme, allowed host, private address) and
loops end. Connection errors, timeouts, truncated bodies, 5xx and 429 are retried with
exponential backoff and jitter, honouring Retry-After. ETag / Last-Modified are sent
back, and a 304 keeps the stored copy. Bodies stream to disk, never to memory, and stop
at ``max_bytes``.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
import urllib.robotparser
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx
import regex
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, stop_after_attempt

from ..common.decode import sniff_format
from ..errors import DisclosureError
from ..version import __version__
from .archive import Archive, FetchRecord
from .safety import FetchRefusedError, PinnedTransport, check_address, check_url, safe_filename

log = logging.getLogger("disclosure_extract")

DEFAULT_USER_AGENT = (
    f"disclosure-extract/{__version__} (+https://github.com/disclosure-extract; open-data research)"
)
# Bodies larger than this are refused: no disclosure is near it.
DEFAULT_MAX_BYTES = 100 * 1024 * 1024
# robots.txt past this is ignored (as Google ignores it past 500 KiB): a compressed bomb
# served as robots.txt inflates to gigabytes.
ROBOTS_MAX_BYTES = 512 * 1024
# Chunk size of streamed bodies: memory use is this, whatever the file's size.
CHUNK_BYTES = 64 * 1024
REDIRECT_STATUSES = (301, 302, 303, 307, 308)
_FILENAME_STAR = regex.compile(r"filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)")
_FILENAME = regex.compile(r'filename\s*=\s*"?([^";]+)"?')
_EXTENSION_FORMATS = {
    ".doc": "doc",
    ".wps": "wps",
    ".xls": "xls",
    ".et": "xls",
    ".docx": "docx",
    ".xlsx": "xlsx",
    ".rar": "rar",
    ".zip": "zip",
}


@dataclass
class FetchSettings:
    """How to fetch; every field has a sensible default for a government site."""

    user_agent: str = DEFAULT_USER_AGENT
    timeout: float = 30.0  # to connect, and between two reads of a body
    # a whole request, body included: a server sending 1 byte a second never times out a read
    deadline: float = 300.0
    max_bytes: int = DEFAULT_MAX_BYTES
    retries: int = 3
    backoff: float = 1.0  # seconds before the first retry; doubles each time
    max_backoff: float = 60.0  # no wait (Retry-After included) is longer
    rate: float = 1.0  # requests per second per host
    host_concurrency: int = 2
    concurrency: int = 8
    obey_robots: bool = True
    allow_private: bool = False  # loopback / private addresses (the demo and tests allow them)
    allowed_hosts: frozenset[str] | None = None
    max_redirects: int = 10


class _Retryable(DisclosureError):  # noqa: N818 - internal signal, never escapes this module
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


class _Failed(DisclosureError):  # noqa: N818 - internal signal, never escapes this module
    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass
class _HostGate:
    """Spaces requests to one host by 1/rate seconds and bounds how many run at once."""

    interval: float
    slots: asyncio.Semaphore
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_at: float = 0.0

    async def wait_turn(self) -> None:
        async with self.lock:
            delay = self.next_at - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            self.next_at = max(time.monotonic(), self.next_at) + self.interval


@dataclass
class Fetched:
    record: FetchRecord
    path: Path | None  # the archived body, when there is one


class Fetcher:
    """Fetches URLs into an archive, one run at a time."""

    def __init__(self, archive: Archive, run_id: int, settings: FetchSettings) -> None:
        self.archive = archive
        self.run_id = run_id
        self.settings = settings
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout),
            follow_redirects=False,
            headers={"User-Agent": settings.user_agent},
            trust_env=False,
            transport=PinnedTransport(settings.allow_private),
        )
        self.global_slots = asyncio.Semaphore(settings.concurrency)
        self.gates: dict[str, _HostGate] = {}
        self.robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self.robots_locks: dict[str, asyncio.Lock] = {}

    async def aclose(self) -> None:
        await self.client.aclose()

    def _gate(self, host: str) -> _HostGate:
        if host not in self.gates:
            interval = 1.0 / self.settings.rate if self.settings.rate > 0 else 0.0
            self.gates[host] = _HostGate(interval, asyncio.Semaphore(self.settings.host_concurrency))
        return self.gates[host]

    async def fetch(
        self, url: str, *, referrer: str | None = None, link_text: str | None = None, role: str = "document"
    ) -> Fetched:
        """Fetch one URL (with retries) and record the outcome in the archive."""
        previous = self.archive.resource(url)
        try:
            fetched = await self._with_retries(url, previous)
        except FetchRefusedError as exc:
            fetched = Fetched(FetchRecord(url=url, outcome="refused", error=exc.reason), None)
        except _Failed as exc:
            fetched = Fetched(
                FetchRecord(url=url, outcome="failed", error=exc.reason, status=exc.status), None
            )
        except _Retryable as exc:
            fetched = Fetched(
                FetchRecord(url=url, outcome="failed", error=f"gave up after retries: {exc.reason}"), None
            )
        rec = fetched.record
        rec.referrer, rec.link_text, rec.role = referrer, link_text, role
        if rec.outcome == "unchanged" and previous is not None:
            rec.sha256, rec.detected_format = previous["sha256"], previous["detected_format"]
            fetched.path = self.archive.blob_path(previous["sha256"]) if previous["sha256"] else None
        self.archive.record(self.run_id, rec)
        return fetched

    async def _with_retries(self, url: str, previous: dict[str, Any] | None) -> Fetched:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.settings.retries + 1),
            wait=self._wait,
            retry=retry_if_exception_type(_Retryable),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._attempt(url, previous)
        raise AssertionError("unreachable: tenacity reraises the last error")

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After when the server gave one, else exponential backoff with jitter."""
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, _Retryable) and exc.retry_after is not None:
            return min(exc.retry_after, self.settings.max_backoff)
        base = self.settings.backoff * 2 ** (state.attempt_number - 1)
        # jitter spreads retries of many clients so they do not hit the server in step
        return float(min(base + random.uniform(0, self.settings.backoff), self.settings.max_backoff))

    async def _allowed_by_robots(self, url: str, host: str) -> bool:
        if not self.settings.obey_robots:
            return True
        # one robots.txt request per host, however many fetches start at once
        async with self.robots_locks.setdefault(host, asyncio.Lock()):
            if host not in self.robots:
                await self._load_robots(url, host)
        parser = self.robots[host]
        return parser is not None and parser.can_fetch(self.settings.user_agent, url)

    async def _load_robots(self, url: str, host: str) -> None:
        if host not in self.robots:
            parts = urlsplit(url)
            robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
            parser: urllib.robotparser.RobotFileParser | None = None
            try:
                gate = self._gate(host)
                async with gate.slots, asyncio.timeout(self.settings.deadline):
                    await gate.wait_turn()
                    status, body = await self._robots_body(robots_url)
                # 5xx: the server cannot say now, so the host is not crawled (parser stays None)
                if status < 500:
                    parser = urllib.robotparser.RobotFileParser()
                    # 4xx: no robots.txt, everything is allowed
                    text = body.decode("utf-8", "replace") if status < 400 else ""
                    parser.parse(text.splitlines())
            except (httpx.HTTPError, TimeoutError, zlib.error) as exc:
                log.warning("%s: robots.txt unreadable (%s): the host is not crawled", host, exc)
                parser = None
            self.robots[host] = parser

    async def _robots_body(self, robots_url: str) -> tuple[int, bytes]:
        """robots.txt's status and its first ROBOTS_MAX_BYTES, decompressed through the cap:
        never more than the cap is inflated, whatever a compressed bomb would give."""
        headers = {"Accept-Encoding": "gzip, deflate"}  # encodings inflated here, bounded
        async with self.client.stream("GET", robots_url, headers=headers) as resp:
            inflate = BoundedInflater(resp.headers.get("content-encoding", ""), ROBOTS_MAX_BYTES)
            async for raw in resp.aiter_raw(CHUNK_BYTES):
                if inflate.feed(raw):
                    break
            return resp.status_code, inflate.body()

    async def _attempt(self, url: str, previous: dict[str, Any] | None) -> Fetched:
        current = url
        seen: set[str] = set()
        for _ in range(self.settings.max_redirects + 1):
            host = check_url(current, self.settings.allowed_hosts)
            await asyncio.to_thread(check_address, current, host, self.settings.allow_private)
            if not await self._allowed_by_robots(current, host):
                raise _Failed("disallowed by robots.txt (or robots.txt unreachable)")
            headers = _conditional_headers(previous) if current == url else {}
            gate = self._gate(host)
            async with self.global_slots, gate.slots:
                await gate.wait_turn()
                try:
                    async with (
                        asyncio.timeout(self.settings.deadline),
                        self.client.stream("GET", current, headers=headers) as resp,
                    ):
                        if resp.status_code in REDIRECT_STATUSES and "location" in resp.headers:
                            seen.add(current)
                            nxt = urljoin(current, resp.headers["location"]).split("#")[0]
                            if nxt in seen:
                                raise _Failed(f"redirect loop at {nxt}", resp.status_code)
                            current = nxt
                            continue
                        return await self._response(url, current, resp, previous)
                except httpx.TimeoutException as exc:
                    raise _Retryable(f"timeout: {type(exc).__name__}") from exc
                except TimeoutError as exc:
                    # not retried: a server this slow is as slow the next time
                    raise _Failed(f"no complete response within {self.settings.deadline:.0f} s") from exc
                except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
                    raise _Retryable(f"truncated or broken response: {exc}") from exc
                except httpx.TransportError as exc:
                    raise _Retryable(f"connection error: {exc}") from exc
        raise _Failed(f"more than {self.settings.max_redirects} redirects")

    async def _response(
        self, url: str, final: str, resp: httpx.Response, previous: dict[str, Any] | None
    ) -> Fetched:
        status = resp.status_code
        if status == 304 and previous is not None:
            return Fetched(FetchRecord(url=url, outcome="unchanged", final_url=final, status=status), None)
        if status == 429 or status >= 500:
            raise _Retryable(f"HTTP {status}", _retry_after(resp.headers.get("retry-after")))
        if status >= 400:
            raise _Failed(f"HTTP {status}", status)
        declared = resp.headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > self.settings.max_bytes:
            raise _Failed(f"body of {declared} bytes is over the limit of {self.settings.max_bytes}", status)
        tmp, hasher = self.archive.new_tmp()
        size = 0
        head = b""
        try:
            with tmp.open("wb") as fh:
                async for chunk in resp.aiter_bytes(CHUNK_BYTES):
                    size += len(chunk)
                    if size > self.settings.max_bytes:
                        raise _Failed(f"body is over the limit of {self.settings.max_bytes} bytes", status)
                    if len(head) < 4096:
                        head += chunk[: 4096 - len(head)]
                    hasher.update(chunk)
                    fh.write(chunk)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        sha256 = hasher.hexdigest()
        path = self.archive.commit_blob(tmp, sha256)
        outcome = (
            "new" if previous is None else ("unchanged" if previous.get("sha256") == sha256 else "changed")
        )
        rec = FetchRecord(
            url=url,
            outcome=outcome,
            final_url=final,
            status=status,
            sha256=sha256,
            size=size,
            headers={k: v for k, v in resp.headers.items() if k.lower() in _KEPT_HEADERS},
            content_type=resp.headers.get("content-type"),
            detected_format=_format(head, final),
            etag=resp.headers.get("etag"),
            last_modified=resp.headers.get("last-modified"),
            filename=_filename(resp.headers.get("content-disposition"), final),
        )
        return Fetched(rec, path)


_KEPT_HEADERS = {
    "content-type",
    "content-length",
    "etag",
    "last-modified",
    "content-disposition",
    "date",
    "server",
}


def _conditional_headers(previous: dict[str, Any] | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from what the archive stored of the last fetch."""
    headers: dict[str, str] = {}
    if previous is not None:
        if previous.get("etag"):
            headers["If-None-Match"] = previous["etag"]
        if previous.get("last_modified"):
            headers["If-Modified-Since"] = previous["last_modified"]
    return headers


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _format(head: bytes, url: str) -> str:
    """What the body is, from its bytes (a PDF served as text/html is a PDF)."""
    fmt = sniff_format(head)
    ext = Path(urlsplit(url).path).suffix.lower()
    if fmt in ("ole", "zip"):
        return _EXTENSION_FORMATS.get(ext, fmt)
    return fmt


def _filename(disposition: str | None, url: str) -> str:
    name = ""
    if disposition:
        star = _FILENAME_STAR.search(disposition)
        plain = _FILENAME.search(disposition)
        name = unquote(star.group(1)) if star else (plain.group(1) if plain else "")
    if not name:
        name = unquote(Path(urlsplit(url).path).name)
    return safe_filename(name)


def fetch_urls(urls: list[str], archive_dir: Path, settings: FetchSettings) -> list[FetchRecord]:
    """Fetch each URL into the archive (one run of the catalog); one record per URL, in order."""
    return asyncio.run(_fetch_urls(urls, archive_dir, settings))


async def _fetch_urls(urls: list[str], archive_dir: Path, settings: FetchSettings) -> list[FetchRecord]:
    archive = Archive(archive_dir)
    run_id, _ = archive.start_run({"fetch": urls})
    fetcher = Fetcher(archive, run_id, settings)
    try:
        results = await asyncio.gather(*(fetcher.fetch(url) for url in urls))
        archive.finish_run(run_id)
        return [r.record for r in results]
    finally:
        await fetcher.aclose()
        archive.close()


class BoundedInflater:
    """A body's bytes decoded (gzip, deflate or none) up to ``limit`` and no further: each
    chunk is inflated at most to what the limit leaves, so a bomb costs the limit, not what it
    would inflate to (httpx's own decoding inflates a whole chunk at once)."""

    def __init__(self, encoding: str, limit: int) -> None:
        name = encoding.strip().lower()
        # gzip and zlib-wrapped deflate told apart by their header (32 + 15); raw deflate tried next
        self._inflate = (
            zlib.decompressobj(32 + zlib.MAX_WBITS) if name in ("gzip", "x-gzip", "deflate") else None
        )
        self._raw_deflate = name == "deflate"
        self.limit = limit
        self._out = bytearray()

    def feed(self, raw: bytes) -> bool:
        """Add a chunk as received; True once the limit is reached (stop reading)."""
        room = self.limit - len(self._out)
        if room <= 0:
            return True
        if self._inflate is None:
            self._out += raw[:room]
        else:
            try:
                self._out += self._inflate.decompress(raw, room)
            except zlib.error:
                if not self._raw_deflate or self._out:
                    raise
                self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)  # deflate without its zlib header
                self._raw_deflate = False
                self._out += self._inflate.decompress(raw, room)
        return len(self._out) >= self.limit

    def body(self) -> bytes:
        return bytes(self._out[: self.limit])
