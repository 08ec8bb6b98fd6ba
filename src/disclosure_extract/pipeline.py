"""The batch: discover inputs, extract each (resumably), write the outputs as results come.

Each document's result is cached under ``OUT/.cache/<fingerprint>/<sha256>.json`` as soon
as it is extracted (atomically), so a killed run resumes without redoing finished
documents. Results are taken in input order and streamed into the outputs (write/stream.py),
which replace the previous ones when the batch is complete: the same inputs give
byte-identical outputs, with one process or many, and memory does not grow with the batch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import shutil
import stat
import subprocess
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .check import CheckResult, check_dataset, check_document, dataset_summary
from .cluster import DaskPool
from .common.atomic import write_text
from .common.limits import DEFAULT_MEMORY_MIB
from .common.lock import FolderLockedError, folder_lock
from .document import Prepared, extract_data, failed_result, format_name, prepare
from .errors import RecordsError
from .fetch.archive import archived_documents, blob_path
from .fetch.crawl import CrawlSummary, crawl
from .fetch.sources import SourcesConfig
from .load import DEFAULT_PDF_BACKEND
from .model import Issue, Result
from .patterns import Patterns, get_patterns
from .version import code_fingerprint
from .workers import DEFAULT_TIMEOUT, WorkerPool
from .write import (
    JOURNAL,
    RUN_FILE,
    OutputStream,
    ReportSummary,
    finish_commit,
    loads_record,
    remove_leftovers,
    write_report,
)

__all__ = [
    "DEFAULT_MAX_BYTES",
    "EXTRACTABLE",
    "BatchSummary",
    "CrawlRun",
    "Workers",
    "crawl_and_extract",
    "discover",
    "extract_data",
    "extract_file",
    "failed_result",
    "fingerprint",
    "local_copy",
    "make_report",
    "read_records",
    "run_batch",
    "write_outputs",
]

log = logging.getLogger("disclosure_extract")

# Larger inputs are refused: no disclosure is this big, and reading it would only
# exhaust memory. Raise with --max-bytes for unusual corpora.
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
CACHE_DIR = ".cache"
# Documents in flight per worker, and the input bytes held for them: results are taken in
# input order, so a long document at the head of the line must not leave the workers idle.
IN_FLIGHT_PER_JOB = 16
IN_FLIGHT_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class Workers:
    """Where a batch's documents are extracted: in ``jobs`` worker processes, each document
    under ``timeout`` seconds and ``memory_mib`` MiB of memory (None: no budget); with
    ``in_process``, in this process with neither limit (for debugging and profiling); with
    ``dask`` (a scheduler's address, or ``local`` for a cluster of ``jobs`` workers on this
    machine) on a Dask cluster whose workers read the inputs from their paths."""

    jobs: int = 1
    timeout: float = DEFAULT_TIMEOUT
    dask: str | None = None
    memory_mib: int | None = DEFAULT_MEMORY_MIB
    in_process: bool = False


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
                    found.append((child, source_name(child)))
        else:
            found.append((path, source_name(path)))
    return unique_inputs(found)


def unique_inputs(inputs: Iterable[tuple[Path, str]]) -> list[tuple[Path, str]]:
    """The inputs with each file once: a path given twice, a folder and a file inside it, two
    names of one file (a link) are read once (logged); two files whose names escape to the
    same source (``\\xff`` as a name, and a byte 0xFF) are told apart by a ``#2`` suffix."""
    unique: list[tuple[Path, str]] = []
    seen_files: dict[tuple[int, int], str] = {}
    seen_sources: set[str] = set()
    for path, source in inputs:
        try:
            status = path.stat()
            identity: tuple[int, int] | None = (status.st_dev, status.st_ino)
        except OSError:
            identity = None  # unreadable: its record says so
        if identity is not None and identity in seen_files:
            log.info("%s: the same file as %s, read once", source, seen_files[identity])
            continue
        name, n = source, 1
        while name in seen_sources:
            n += 1
            name = f"{source}#{n}"
        if name != source:
            log.warning("%s: another input has the same name; this one is named %s", source, name)
        seen_sources.add(name)
        if identity is not None:
            seen_files[identity] = name
        unique.append((path, name))
    return unique


def source_name(path: Path) -> str:
    """The path as the outputs name it: bytes of the file name that are not UTF-8 written as
    ``\\xNN`` (the outputs are UTF-8 text; the file itself is read by its real name)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def fingerprint(patterns: Patterns, pdf_backend: str = DEFAULT_PDF_BACKEND) -> str:
    """What a cached result depends on: the package's code, the pattern files and the PDF parser."""
    digest = hashlib.sha256(f"{code_fingerprint()} {pdf_backend}".encode())
    for file in sorted(patterns.directory.glob("*.yml")):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


def _read_input(path: Path, source: str, max_bytes: int) -> bytes | Result:
    """The file's bytes, or the failed result saying why they cannot be had."""
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            # a device (/dev/zero) never ends and a FIFO may never deliver: neither is read
            issue = Issue("not_a_file", "error", "not a regular file (a device, FIFO or socket): not read")
            return failed_result(source, None, "unknown", issue)
        data = b""
        if status.st_size <= max_bytes:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)  # the limit holds even for a file that grows
        if status.st_size > max_bytes or len(data) > max_bytes:
            size = max(status.st_size, len(data))
            issue = Issue(
                "too_large", "error", f"{size} bytes is over the limit of {max_bytes} (--max-bytes)"
            )
            return failed_result(source, None, "unknown", issue)
        return data
    except OSError as exc:
        issue = Issue("unreadable", "error", f"cannot read the file: {exc.strerror}")
        return failed_result(source, None, "unknown", issue)


def extract_file(
    path: Path,
    source: str,
    patterns: Patterns,
    max_bytes: int = DEFAULT_MAX_BYTES,
    pdf_backend: str = DEFAULT_PDF_BACKEND,
) -> Result:
    """The result for one file; every failure becomes an issue, never an exception."""
    data = _read_input(path, source, max_bytes)
    return data if isinstance(data, Result) else extract_data(data, source, patterns, pdf_backend)


def stream_documents(
    inputs: list[tuple[Path, str]],
    patterns: Patterns,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: Workers | None = None,
    pdf_backend: str = DEFAULT_PDF_BACKEND,
) -> Iterator[Prepared]:
    """Each input made ready for the outputs, in input order, as soon as it and those before it
    are done (``extract -o -``): in ``workers``' processes, under their time limit and memory
    budget (a Dask cluster is not used here), with no cache and no output files."""
    workers = workers or Workers()
    inputs = unique_inputs(inputs)
    if workers.in_process:
        for path, source in inputs:
            yield prepare(extract_file(path, source, patterns, max_bytes, pdf_backend), patterns)
        return
    jobs, memory = workers.jobs, workers.memory_mib
    with WorkerPool(jobs, patterns, workers.timeout, pdf_backend, memory) as pool:
        pending: deque[_Pending] = deque()
        for path, source in inputs:
            data = _read_input(path, source, max_bytes)
            if isinstance(data, Result):
                pending.append(_Pending(source, prepare(data, patterns)))
            else:
                sha256 = hashlib.sha256(data).hexdigest()
                future = pool.submit(data, source, str(path.absolute()), sha256)
                pending.append(_Pending(source, future=future, data=data, sha256=sha256))
            while len(pending) > IN_FLIGHT_PER_JOB * jobs:
                yield _prepared(pending.popleft(), pool, patterns)
        while pending:
            yield _prepared(pending.popleft(), pool, patterns)


def _prepared(item: _Pending, pool: Pool | None, patterns: Patterns) -> Prepared:
    """A pending document made ready: its result already, or its future's from the pool."""
    if item.prepared is not None:
        return item.prepared
    assert pool is not None
    done = pool.result(item.future, item.data, item.source, item.sha256, format_name(item.data))
    return done if isinstance(done, Prepared) else prepare(done, patterns)


def run_batch(
    inputs: list[tuple[Path, str]],
    out_dir: Path,
    patterns: Patterns,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    use_cache: bool = True,
    progress: Callable[[str], None] | None = None,
    workers: Workers | None = None,
    pdf_backend: str = DEFAULT_PDF_BACKEND,
) -> BatchSummary:
    """Extract every input (reusing cached results) and write every output of ``out_dir``,
    holding the folder's lock (FolderLockedError when another run writes it).

    Where documents are extracted is ``workers`` (default: one worker process, under the
    default time limit and memory budget); PDFs are parsed with ``pdf_backend``. The outputs
    are the same bytes in every case: results are taken in input order.
    """
    workers = workers or Workers()
    inputs = unique_inputs(inputs)
    out_dir = Path(out_dir).resolve()  # once: every output and temporary name hangs from it
    with folder_lock(out_dir):
        if finish_commit(out_dir):  # before the leftovers: its journal names temporary files
            log.info("completed the outputs a stopped run had committed to in %s", out_dir)
        left = remove_leftovers(out_dir)  # a killed run's temporary files: ours to remove now
        if left:
            log.info("removed %d temporary file(s) a stopped run left in %s", left, out_dir)
        return _run(inputs, out_dir, patterns, max_bytes, use_cache, progress, workers, pdf_backend)


def _run(
    inputs: list[tuple[Path, str]],
    out_dir: Path,
    patterns: Patterns,
    max_bytes: int,
    use_cache: bool,
    progress: Callable[[str], None] | None,
    workers: Workers,
    pdf_backend: str,
) -> BatchSummary:
    jobs, timeout, memory = workers.jobs, workers.timeout, workers.memory_mib
    with OutputStream(out_dir, patterns) as stream:
        cache = out_dir / CACHE_DIR / fingerprint(patterns, pdf_backend)
        batch = _Batch(cache, patterns, use_cache, progress, stream, pdf_backend)
        batch.summary.total = len(inputs)
        if workers.dask is not None:
            with DaskPool(workers.dask, jobs, patterns, timeout, pdf_backend, memory) as cluster:
                batch.run(inputs, max_bytes, cluster, window=IN_FLIGHT_PER_JOB * cluster.workers)
        elif not workers.in_process:
            with WorkerPool(jobs, patterns, timeout, pdf_backend, memory) as pool:
                batch.run(inputs, max_bytes, pool, window=IN_FLIGHT_PER_JOB * jobs)
        else:
            batch.run(inputs, max_bytes, None, window=0)
        stream.close(check_dataset(batch.summaries, patterns))
        return batch.summary


Pool = WorkerPool | DaskPool


@dataclass
class _Pending:
    """A document on its way: its result already, or its future in the pool."""

    source: str
    prepared: Prepared | None = None
    future: Any = None
    data: bytes = b""
    sha256: str = ""
    started: float = 0.0


class _Batch:
    """Documents through the cache and the extractor into the outputs, in input order; what is
    kept of each is the small summary the checks across documents need."""

    def __init__(
        self,
        cache: Path,
        patterns: Patterns,
        use_cache: bool,
        progress: Callable[[str], None] | None,
        stream: OutputStream,
        pdf_backend: str,
    ) -> None:
        self.cache = cache
        self.pdf_backend = pdf_backend
        self.patterns = patterns
        self.use_cache = use_cache
        self.progress = progress
        self.stream = stream
        self.summary = BatchSummary()
        self.summaries: list[Result] = []

    def run(self, inputs: list[tuple[Path, str]], max_bytes: int, pool: Pool | None, window: int) -> None:
        pending: deque[_Pending] = deque()
        held = 0
        for path, source in inputs:
            item = self._start(path, source, max_bytes, pool)
            pending.append(item)
            held += len(item.data)
            while pending and (len(pending) > window or held > IN_FLIGHT_BYTES):
                done = pending.popleft()
                held -= len(done.data)
                self._finish(done, pool)
        while pending:
            self._finish(pending.popleft(), pool)

    def _start(self, path: Path, source: str, max_bytes: int, pool: Pool | None) -> _Pending:
        # each file is read once: its size checked first, then hashed for the cache, then extracted
        data = _read_input(path, source, max_bytes)
        if isinstance(data, Result):
            return _Pending(source, prepare(data, self.patterns))
        sha256 = hashlib.sha256(data).hexdigest()
        cached = _cached(self.cache / f"{sha256}.json", source) if self.use_cache else None
        if cached is not None:
            prepared = prepare(cached, self.patterns)
            if not prepared.transient:
                self.summary.cached += 1
                log.debug("%s: from the cache (%s)", source, sha256[:12])
                return _Pending(source, prepared)
            # a cached result the outputs cannot take (made by another version): redone
            (self.cache / f"{sha256}.json").unlink(missing_ok=True)
        started = time.perf_counter()
        if pool is None:
            result = extract_data(data, source, self.patterns, self.pdf_backend)
            return _Pending(source, prepare(result, self.patterns), sha256=sha256, started=started)
        future = pool.submit(data, source, str(path.absolute()), sha256)
        return _Pending(source, future=future, data=data, sha256=sha256, started=started)

    def _finish(self, item: _Pending, pool: Pool | None) -> None:
        prepared = _prepared(item, pool, self.patterns)
        if item.sha256:  # extracted now, not read from the cache
            log.debug(
                "%s: %s, %d facts, %d tables, %d issues in %.2f s",
                item.source,
                "failed" if prepared.failed else "ok",
                *prepared.counts,
                time.perf_counter() - item.started,
            )
            if self.use_cache and not prepared.transient:
                # the entry names the source it was made for; a reader puts its own in
                write_text(self.cache / f"{item.sha256}.json", prepared.parts.record)
        self.stream.add_parts(prepared.parts)
        if prepared.summary is not None:
            self.summaries.append(prepared.summary)
        if prepared.failed:
            self.summary.failed += 1
            self.summary.failed_sources.append(item.source)
        else:
            self.summary.ok += 1
        if self.progress is not None:
            self.progress(item.source)


def _cached(entry: Path, source: str) -> Result | None:
    if not entry.is_file():
        return None
    try:
        result = loads_record(entry.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError):
        return None  # a damaged cache entry is redone, not trusted
    result.source = source
    return result


def write_outputs(out_dir: Path, results: Iterable[Result], patterns: Patterns | None = None) -> None:
    """Check the results (when a vocabulary is given) and write every output of ``out_dir``."""
    with OutputStream(out_dir, patterns or get_patterns()) as stream:
        summaries = []
        for result in results:
            if patterns is None:
                stream.add(result, [])
                continue
            prepared = prepare(result, patterns)
            stream.add_parts(prepared.parts)
            if prepared.summary is not None:
                summaries.append(prepared.summary)
        stream.close(check_dataset(summaries, patterns) if patterns is not None else [])


# The formats the crawler detects that extraction reads.
EXTRACTABLE = ("html", "pdf", "text", "xls", "xlsx", "doc", "docx", "wps", "rtf", "ole")


@dataclass
class CrawlRun:
    """What a crawl (and the extraction after it) did."""

    crawl: CrawlSummary
    batch: BatchSummary | None = None

    @property
    def failed(self) -> bool:
        crawl_failed = self.crawl.failed > 0 or self.crawl.refused > 0
        return crawl_failed or (self.batch is not None and self.batch.failed > 0)


def crawl_and_extract(
    config: SourcesConfig,
    out_dir: Path,
    patterns: Patterns | None,
    *,
    progress: Callable[[str], None] | None = None,
    workers: Workers | None = None,
    pdf_backend: str = DEFAULT_PDF_BACKEND,
) -> CrawlRun:
    """Crawl the sources into OUT/archive; with a vocabulary, then extract every archived
    document into OUT (those extracted before come from the cache), in ``workers``."""
    out_dir = Path(out_dir).resolve()
    archive_dir = out_dir / "archive"
    summary = crawl(config, archive_dir, progress)
    for url, reason in summary.failures:
        log.warning("not fetched: %s (%s)", url, reason)
    log.info("crawl: %s", summary.line())
    run = CrawlRun(summary)
    if patterns is not None:
        documents = archived_documents(archive_dir, EXTRACTABLE)
        workers = workers or Workers()
        jobs = min(workers.jobs, max(1, len(documents)))
        workers = dataclasses.replace(workers, jobs=jobs)
        run.batch = run_batch(documents, out_dir, patterns, workers=workers, pdf_backend=pdf_backend)
        for source in summary.new_documents:
            log.info("new or changed: %s", source)
    return run


def sources_folder(out_dir: Path) -> Path:
    """The folder OUT's relative sources are relative to: where its run was (OUT/run.json),
    else this process's working directory (outputs of a version before run.json)."""
    try:
        run = json.loads((out_dir / RUN_FILE).read_text(encoding="utf-8"))
        return Path(run["working_directory"])
    except (OSError, ValueError, KeyError, TypeError):
        return Path.cwd()


def local_copy(out_dir: Path, sources: Path | None = None) -> Callable[[Result], Path | None]:
    """A finder of a document's bytes for the report's page crops: the file it was extracted
    from (a relative source found in ``sources``, the run's folder), or for crawled documents
    its copy in OUT/archive, only while the sha256 still matches (a file changed since
    extraction would show other pages)."""
    archive_dir = out_dir / "archive"
    base = sources if sources is not None else sources_folder(out_dir)

    def locate(result: Result) -> Path | None:
        if result.sha256 is None:
            return None
        candidates = [blob_path(archive_dir, result.sha256)]
        if not result.source.startswith(("http://", "https://")):
            candidates.insert(0, base / result.source)
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


def settle(out_dir: Path) -> None:
    """Before reading an output folder: complete the outputs a run killed while putting them
    in place had committed to, unless a run is writing the folder now (it will)."""
    if not (out_dir / JOURNAL).exists():
        return
    with contextlib.suppress(FolderLockedError), folder_lock(out_dir):
        finish_commit(out_dir)


def read_records(path: Path) -> Iterator[Result]:
    """The results of a documents.jsonl, one at a time (RecordsError names a bad line); in an
    output folder a stopped run left part way, the run's outputs are put in place first."""
    settle(path.parent)
    try:
        with path.open(encoding="utf-8") as handle:
            for n, line in enumerate(handle, 1):
                if line.strip():
                    try:
                        yield loads_record(line)
                    except (ValueError, KeyError, TypeError) as exc:
                        raise RecordsError(f"{path}:{n}: not a record of this tool ({exc})") from exc
    except OSError as exc:
        raise RecordsError(f"cannot read {path}: {exc.strerror}") from exc


def make_report(
    out_dir: Path, patterns: Patterns, folder: Path | None = None, crops: bool = True
) -> ReportSummary:
    """The HTML report of OUT's documents.jsonl, checked, in ``folder`` (default OUT/report).

    The records are read twice, one at a time: first for the checks across documents (a
    small summary of each) and the source files gone, then for the pages; memory does not
    grow with the dataset.
    """
    started = time.monotonic()
    path = out_dir / "documents.jsonl"
    sources = sources_folder(out_dir)
    summaries, missing = [], []
    for record in read_records(path):  # one pass: the checks across documents, the files gone
        if not record.failed:
            summaries.append(dataset_summary(record, patterns))
        if not record.source.startswith(("http://", "https://")) and not (sources / record.source).is_file():
            missing.append(record.source)
    if missing:
        log.warning(
            "%d document(s) whose files are not in %s any more (the first: %s): their pages "
            "link to nothing and show no page crops",
            len(missing),
            sources,
            missing[0],
        )
    if not cjk_font_found():
        log.warning(
            "no Chinese font is installed here (Debian: apt-get install fonts-noto-cjk): the report's "
            "Chinese shows as boxes in a browser on this machine"
        )
    across: dict[str, list[CheckResult]] = {}
    for check in check_dataset(summaries, patterns):
        across.setdefault(check.source, []).append(check)
    documents = ((r, [*check_document(r, patterns), *across.get(r.source, [])]) for r in read_records(path))
    locate = local_copy(out_dir, sources) if crops else None
    summary = write_report(documents, patterns, folder or out_dir / "report", locate, sources)
    log.info(
        "report: %d documents, %d page crops, %.1f s",
        summary.documents,
        summary.crops,
        time.monotonic() - started,
    )
    return summary


def cjk_font_found() -> bool:
    """Whether fontconfig knows a font for Chinese (True where it cannot tell: no fc-list)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    try:
        found = subprocess.run([fc_list, ":lang=zh", "family"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return True
    return bool(found.stdout.strip())
