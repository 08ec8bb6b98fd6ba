"""Extraction in worker processes (pebble): every core, a time limit per document, and a
worker that dies or hangs costing one document, not the batch.

Each worker loads the vocabulary once and returns each document made ready for the
outputs (``document.prepare``: its checks run, its rows rendered), the same as a run in one
process makes, so the outputs are the same bytes and the process writing them only
appends. A worker killed from outside (kill -9, the OOM killer) gets its document tried
once more in a fresh worker; a second death, or a document over the time limit, becomes a
failed record with its own issue code (``worker_died``, ``timeout``), and the pool goes on.
Each worker holds a memory budget (``common.limits``): a document needing more fails as
``out_of_memory`` (or, when C code ends the process, ``worker_died``), not the machine.

Workers own nothing of the process that started them: they are forked from a fork server
(a clean process started at the pool's first use), so they hold neither the output folder's
lock nor a listening socket; and each ends when the batch's process does (``_die_with``): a
killed batch leaves no worker running on. A worker reads its
document from the file itself, so a large file never travels through the pool's pipe. The
pool can still lose a task (a worker dying before it took the task in) or break (its last
worker dying): the process waiting on a document gives up after its own deadline, and a
broken pool is rebuilt, each document in flight tried once more in the new one.
"""

from __future__ import annotations

import concurrent.futures
import ctypes
import hashlib
import logging
import math
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from pebble import ProcessExpired, ProcessPool

from .common.limits import DEFAULT_MEMORY_MIB, limit_memory
from .document import Prepared, extract_data, failed_result, format_name, out_of_memory, prepare
from .load import DEFAULT_PDF_BACKEND
from .model import Issue, Result
from .patterns import Patterns, load_patterns

log = logging.getLogger("disclosure_extract")

# No disclosure takes this long to extract (the slowest, OCR'd, take a minute or two).
DEFAULT_TIMEOUT = 600.0
# What the waiting process allows past the time limit: a worker to start and the result to
# come back. Past it a document is given up even if the pool never says why (a lost task).
GRACE = 60.0
_PR_SET_PDEATHSIG = 1
_patterns: Patterns | None = None
_pdf_backend = DEFAULT_PDF_BACKEND


def _die_with(batch: int) -> None:
    """End this process when the batch's process (``batch``) or its own parent ends.

    The parent is the fork server, which outlives a killed batch while it has children; so the
    kernel is asked to end this process with its parent (PR_SET_PDEATHSIG, Linux), and a
    thread waits on the batch's process itself (a pidfd) and ends this one when it goes."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    handle: int | None
    try:
        handle = os.pidfd_open(batch)
    except ProcessLookupError:
        os._exit(1)  # it ended before this worker started
    except (AttributeError, OSError):
        handle = None  # no pidfd here (not Linux, an old kernel): poll instead
    threading.Thread(target=_watch, args=(batch, handle), name="batch-watch", daemon=True).start()


def _watch(batch: int, handle: int | None) -> None:
    if handle is not None:
        select.select([handle], [], [])  # readable once the process has ended
        os._exit(1)
    while True:
        try:
            os.kill(batch, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass  # alive, another user's (cannot be ours; keep watching)
        time.sleep(1.0)


def _init(directory: str, pdf_backend: str, memory_mib: int | None, batch: int) -> None:
    global _patterns, _pdf_backend  # noqa: PLW0603 - one vocabulary per worker process, loaded once
    _die_with(batch)
    # Ctrl-C reaches the whole process group: the batch's process handles it (and ends the
    # pool); a worker printing its own KeyboardInterrupt would only bury that message
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if memory_mib is not None:
        limit_memory(memory_mib)
    _patterns = load_patterns(Path(directory))
    _pdf_backend = pdf_backend


def _extract(document: bytes | str, source: str, sha256: str) -> Prepared:
    """A task: the document (its bytes, or the path to read them from) made ready."""
    assert _patterns is not None
    fmt = "unknown"
    try:
        if isinstance(document, str):
            data = Path(document).read_bytes()
            if hashlib.sha256(data).hexdigest() != sha256:
                message = "the file changed while the batch read it; it is read again by the next run"
                issue = Issue("unreadable", "error", message)
                return prepare(failed_result(source, sha256, "unknown", issue), _patterns)
        else:
            data = document
        fmt = format_name(data)
        return prepare(extract_data(data, source, _patterns, _pdf_backend), _patterns)
    except OSError as exc:
        issue = Issue("unreadable", "error", f"the worker cannot read the file: {exc.strerror}")
        return prepare(failed_result(source, sha256, "unknown", issue), _patterns)
    except MemoryError:
        # out of budget reading the file, or checking or rendering the result after extraction
        return prepare(out_of_memory(source, sha256, fmt), _patterns)


def _start_method() -> Any:
    """Workers forked from a fork server: a clean process, never the one holding the lock."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])  # the package imported once, not per worker
    return context


class WorkerPool:
    """A pool of ``jobs`` extraction processes; use as a context manager."""

    def __init__(
        self,
        jobs: int,
        patterns: Patterns,
        timeout: float = DEFAULT_TIMEOUT,
        pdf_backend: str = DEFAULT_PDF_BACKEND,
        memory_mib: int | None = DEFAULT_MEMORY_MIB,
    ) -> None:
        self.jobs = jobs
        self.timeout = timeout
        self.memory_mib = memory_mib
        self._initargs = (str(patterns.directory), pdf_backend, memory_mib, os.getpid())
        self.pool = self._new_pool()
        self._futures: dict[Any, str] = {}  # in flight, with where each document is read from

    def _new_pool(self) -> ProcessPool:
        return ProcessPool(
            max_workers=self.jobs, initializer=_init, initargs=self._initargs, context=_start_method()
        )

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.stop()  # type: ignore[no-untyped-call]
        self.pool.join()

    def submit(self, data: bytes, source: str, location: str = "", sha256: str | None = None) -> Any:
        """Extract the document: read from ``location`` by its worker when it is a file (its
        bytes, ``data``, hashed by the caller as ``sha256``), else sent as ``data``."""
        if not self.pool.active:
            self._rebuild()
        sha256 = sha256 or hashlib.sha256(data).hexdigest()
        document: bytes | str = location if location and os.path.isfile(location) else data
        future = self.pool.schedule(_extract, args=(document, source, sha256), timeout=self.timeout)
        self._futures[future] = location
        return future

    def _rebuild(self) -> None:
        log.warning("the worker pool broke; starting a new one (documents in flight are tried again)")
        self.pool.stop()  # type: ignore[no-untyped-call]
        self.pool.join()
        self.pool = self._new_pool()

    def _deadline(self) -> float:
        """How long to wait for one result: every document in flight ahead of it may take
        the whole time limit, ``jobs`` at a time."""
        return self.timeout * (1 + math.ceil(len(self._futures) / self.jobs)) + GRACE

    def result(self, future: Any, data: bytes, source: str, sha256: str, fmt: str) -> Result | Prepared:
        """The document made ready for the outputs by its worker, or the failed result saying
        why it could not be; a dead worker's document is tried once more."""
        for attempt in (1, 2):
            location = self._futures.get(future, "")
            try:
                prepared: Prepared = self._wait(future)
            except concurrent.futures.TimeoutError as exc:
                return failed_result(source, sha256, fmt, Issue("timeout", "error", str(exc)))
            except (ProcessExpired, BrokenProcessPool) as exc:
                code = exc.exitcode if isinstance(exc, ProcessExpired) else None
                log.warning("%s: the worker died (%s), attempt %d", source, code or exc, attempt)
                if attempt == 1:
                    future = self.submit(data, source, location, sha256)
                    continue
                return failed_result(source, sha256, fmt, Issue("worker_died", "error", self._death(code)))
            except MemoryError:
                # out of budget again while saying so, or while sending the result back
                return out_of_memory(source, sha256, fmt, self.memory_mib)
            except Exception as exc:  # noqa: BLE001 - a worker's failure is its document's, never the batch's
                log.error("%s: the worker failed: %s: %s", source, type(exc).__name__, exc)
                issue = Issue(
                    "internal_error", "error", f"{type(exc).__name__}: {exc} (a bug: please report it)"
                )
                return failed_result(source, sha256, fmt, issue)
            return prepared
        raise AssertionError("unreachable")  # pragma: no cover

    def _wait(self, future: Any) -> Prepared:
        deadline = self._deadline()
        try:
            prepared: Prepared = future.result(timeout=deadline)
        except concurrent.futures.TimeoutError:
            if future.done():  # the pool's own time limit: it stopped the worker
                message = f"extraction took longer than {self.timeout:.0f} s; its worker was stopped"
            else:  # the pool lost the task: nothing will ever come
                future.cancel()
                message = (
                    f"no result within {deadline:.0f} s of waiting: the worker pool lost the document "
                    "(a worker ended before it took it in)"
                )
            raise concurrent.futures.TimeoutError(message) from None
        finally:
            self._futures.pop(future, None)
        return prepared

    def _death(self, exitcode: int | None) -> str:
        message = f"the worker process died twice on this document (exit code {exitcode})"
        if self.memory_mib is not None:
            # PDFium and other C code end the process when an allocation fails
            message += f"; perhaps it needed more than its memory budget of {self.memory_mib} MiB"
        return message
