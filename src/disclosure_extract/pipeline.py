"""The batch: discover inputs, extract each (resumably), write the outputs.

Each document's result is cached under ``OUT/.cache/<fingerprint>/<sha256>.json`` as soon
as it is extracted (atomically), so a killed run resumes without redoing finished
documents; the combined outputs are written atomically at the end, in input order, so
the same inputs give byte-identical outputs.
"""

from __future__ import annotations

import hashlib
import logging
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .check import check_all
from .common.atomic import write_text
from .common.lock import folder_lock
from .errors import DisclosureError, LoadError
from .extract import extract_document
from .fetch.archive import archived_documents, blob_path
from .fetch.crawl import CrawlSummary, crawl
from .fetch.sources import SourcesConfig
from .load import load_bytes, sniff_format
from .model import Issue, Result
from .patterns import Patterns, get_patterns
from .version import code_fingerprint
from .write import ReportSummary, dumps, loads_record, result_record, write_report
from .write import write_outputs as write_all

log = logging.getLogger("disclosure_extract")

# Larger inputs are refused: no disclosure is this big, and reading it would only
# exhaust memory. Raise with --max-bytes for unusual corpora.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
CACHE_DIR = ".cache"


@dataclass
class BatchSummary:
    total: int = 0
    ok: int = 0
    failed: int = 0
    cached: int = 0
    failed_sources: list[str] = field(default_factory=list)


def discover(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """(file, source) pairs: files as given, folders read recursively in sorted order."""
    found: list[tuple[Path, str]] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(part.startswith(".") for part in relative.parts):
                    found.append((child, str(child)))
        else:
            found.append((path, str(path)))
    return found


def fingerprint(patterns: Patterns) -> str:
    """What a cached result depends on: the package's code and the pattern files."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for file in sorted(patterns.directory.glob("*.yml")):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def failed_result(source: str, sha256: str | None, fmt: str, issue: Issue) -> Result:
    """The result of a document that could not be read or extracted: no figures, one error."""
    return Result(source=source, sha256=sha256, format=fmt, issues=[issue])


def _read_input(path: Path, source: str, max_bytes: int) -> bytes | Result:
    """The file's bytes, or the failed result saying why they cannot be had."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            issue = Issue(
                "too_large", "error", f"{size} bytes is over the limit of {max_bytes} (--max-bytes)"
            )
            return failed_result(source, None, "unknown", issue)
        return path.read_bytes()
    except OSError as exc:
        issue = Issue("unreadable", "error", f"cannot read the file: {exc.strerror}")
        return failed_result(source, None, "unknown", issue)


def extract_file(path: Path, source: str, patterns: Patterns, max_bytes: int = DEFAULT_MAX_BYTES) -> Result:
    """The result for one file; every failure becomes an issue, never an exception."""
    data = _read_input(path, source, max_bytes)
    return data if isinstance(data, Result) else extract_data(data, source, patterns)


def extract_data(data: bytes, source: str, patterns: Patterns) -> Result:
    """Load and extract one document's bytes; every failure becomes an issue, never an exception."""
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        doc = load_bytes(data, source, patterns)
        result = extract_document(doc, patterns)
        result.encoding = doc.encoding
        declared = doc.declared_charset
        if doc.charset_mismatch:
            result.issues.append(
                Issue(
                    "charset_mismatch",
                    "warning",
                    f"the page declares charset {declared} but its bytes are {doc.encoding}; "
                    f"decoded as {doc.encoding}",
                )
            )
        return result
    except LoadError as exc:
        return failed_result(source, sha256, _format_name(data), Issue(exc.code, "error", exc.message))
    except DisclosureError as exc:
        return failed_result(source, sha256, _format_name(data), Issue("extract_failed", "error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - one document's bug must not end a batch of thousands
        log.error("internal error on %s:\n%s", source, traceback.format_exc())
        issue = Issue("internal_error", "error", f"{type(exc).__name__}: {exc} (a bug: please report it)")
        return failed_result(source, sha256, "unknown", issue)


def _format_name(data: bytes) -> str:
    """The format the bytes are, for the record of a document that failed to load."""
    fmt = sniff_format(data) if data.strip() else "unknown"
    return {"zip": "zip", "ole": "ole"}.get(fmt, fmt)


def run_batch(
    inputs: list[tuple[Path, str]],
    out_dir: Path,
    patterns: Patterns,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
) -> BatchSummary:
    """Extract every input (reusing cached results) and write every output of ``out_dir``,
    holding the folder's lock (FolderLockedError when another run writes it)."""
    with folder_lock(out_dir):
        return _run_batch(
            inputs, out_dir, patterns, max_bytes=max_bytes, use_cache=use_cache, progress=progress
        )


def _run_batch(
    inputs: list[tuple[Path, str]],
    out_dir: Path,
    patterns: Patterns,
    *,
    max_bytes: int,
    use_cache: bool,
    progress: Callable[[str], None] | None,
) -> BatchSummary:
    cache = out_dir / CACHE_DIR / fingerprint(patterns)
    summary = BatchSummary(total=len(inputs))
    results: list[Result] = []
    for path, source in inputs:
        # each file is read once: its size checked first, then hashed for the cache, then extracted
        data = _read_input(path, source, max_bytes)
        if isinstance(data, Result):
            result = data
        else:
            sha256 = hashlib.sha256(data).hexdigest()
            cached = _cached(cache / f"{sha256}.json", source) if use_cache else None
            if cached is not None:
                result = cached
                summary.cached += 1
                log.debug("%s: from the cache (%s)", source, sha256[:12])
            else:
                started = time.perf_counter()
                result = extract_data(data, source, patterns)
                log.debug(
                    "%s: %s, %d facts, %d tables, %d issues in %.2f s",
                    source,
                    result.status,
                    len(result.facts),
                    len(result.tables),
                    len(result.issues),
                    time.perf_counter() - started,
                )
                if use_cache and not _transient(result):
                    write_text(cache / f"{sha256}.json", dumps({**result_record(result), "source": None}))
        results.append(result)
        if result.failed:
            summary.failed += 1
            summary.failed_sources.append(source)
        else:
            summary.ok += 1
        if progress is not None:
            progress(source)
    write_outputs(out_dir, results, patterns)
    return summary


def _transient(result: Result) -> bool:
    """Failures that may not recur (a bug fixed, a file readable again) are not cached."""
    return any(i.code in ("internal_error", "unreadable") for i in result.issues)


def _cached(entry: Path, source: str) -> Result | None:
    if not entry.is_file():
        return None
    try:
        result = loads_record(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged cache entry is redone, not trusted
    result.source = source
    return result


def write_outputs(out_dir: Path, results: list[Result], patterns: Patterns | None = None) -> None:
    """Check the results (when a vocabulary is given) and write every output of ``out_dir``."""
    checks = check_all(results, patterns) if patterns is not None else []
    write_all(out_dir, results, checks, patterns or get_patterns())


# The formats the crawler detects that extraction reads.
EXTRACTABLE = ("html", "pdf", "text", "xls", "xlsx")


@dataclass
class CrawlRun:
    """What a crawl (and the extraction after it) did."""

    crawl: CrawlSummary
    batch: BatchSummary | None = None

    @property
    def failed(self) -> bool:
        return self.crawl.failed > 0 or (self.batch is not None and self.batch.failed > 0)


def crawl_and_extract(
    config: SourcesConfig,
    out_dir: Path,
    patterns: Patterns | None,
    *,
    progress: Callable[[str], None] | None = None,
) -> CrawlRun:
    """Crawl the sources into OUT/archive; with a vocabulary, then extract every archived
    document into OUT (those extracted before come from the cache)."""
    archive_dir = out_dir / "archive"
    summary = crawl(config, archive_dir, progress)
    for url, reason in summary.failures:
        log.warning("not fetched: %s (%s)", url, reason)
    log.info("crawl: %s", summary.line())
    run = CrawlRun(summary)
    if patterns is not None:
        run.batch = run_batch(archived_documents(archive_dir, EXTRACTABLE), out_dir, patterns)
        for source in summary.new_documents:
            log.info("new or changed: %s", source)
    return run


def local_copy(out_dir: Path) -> Callable[[Result], Path | None]:
    """A finder of a document's bytes for the report's page crops: the file it was extracted
    from, or for crawled documents its copy in OUT/archive, only while the sha256 still matches
    (a file changed since extraction would show other pages)."""
    archive_dir = out_dir / "archive"

    def locate(result: Result) -> Path | None:
        if result.sha256 is None:
            return None
        candidates = [blob_path(archive_dir, result.sha256)]
        if not result.source.startswith(("http://", "https://")):
            candidates.insert(0, Path(result.source))
        for path in candidates:
            if path.is_file() and _file_sha256(path) == result.sha256:
                return path
        return None

    return locate


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def make_report(
    records: list[Result], out_dir: Path, patterns: Patterns, folder: Path | None = None, crops: bool = True
) -> ReportSummary:
    """The HTML report of the results of OUT, checked, in ``folder`` (default OUT/report)."""
    started = time.monotonic()
    checks = check_all(records, patterns)
    summary = write_report(
        records, checks, patterns, folder or out_dir / "report", local_copy(out_dir) if crops else None
    )
    log.info(
        "report: %d documents, %d page crops, %.1f s",
        summary.documents,
        summary.crops,
        time.monotonic() - started,
    )
    return summary
