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
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
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
_patterns: Patterns | None = None
_pdf_backend = DEFAULT_PDF_BACKEND


def _init(directory: str, pdf_backend: str, memory_mib: int | None) -> None:
    global _patterns, _pdf_backend  # noqa: PLW0603 - one vocabulary per worker process, loaded once
    if memory_mib is not None:
        limit_memory(memory_mib)
    _patterns = load_patterns(Path(directory))
    _pdf_backend = pdf_backend


def _extract(data: bytes, source: str) -> Prepared:
    assert _patterns is not None
    try:
        return prepare(extract_data(data, source, _patterns, _pdf_backend), _patterns)
    except MemoryError:
        # out of budget while checking or rendering the result, after extraction itself
        result = out_of_memory(source, hashlib.sha256(data).hexdigest(), format_name(data))
        return prepare(result, _patterns)


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
        self.timeout = timeout
        self.memory_mib = memory_mib
        initargs = (str(patterns.directory), pdf_backend, memory_mib)
        self.pool = ProcessPool(max_workers=jobs, initializer=_init, initargs=initargs)

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.pool.stop()  # type: ignore[no-untyped-call]
        self.pool.join()

    def submit(self, data: bytes, source: str, location: str = "") -> Any:
        """Extract ``data`` (``location``, where it was read, is for pools that read it themselves)."""
        return self.pool.schedule(_extract, args=(data, source), timeout=self.timeout)

    def result(self, future: Any, data: bytes, source: str, sha256: str, fmt: str) -> Result | Prepared:
        """The document made ready for the outputs by its worker, or the failed result saying
        why it could not be; a dead worker's document is tried once more."""
        for attempt in (1, 2):
            try:
                prepared: Prepared = future.result()
            except concurrent.futures.TimeoutError:
                message = f"extraction took longer than {self.timeout:.0f} s; its worker was stopped"
                return failed_result(source, sha256, fmt, Issue("timeout", "error", message))
            except ProcessExpired as exc:
                log.warning("%s: the worker died (exit code %s), attempt %d", source, exc.exitcode, attempt)
                if attempt == 1:
                    future = self.submit(data, source)
                    continue
                message = f"the worker process died twice on this document (exit code {exc.exitcode})"
                if self.memory_mib is not None:
                    # PDFium and other C code end the process when an allocation fails
                    message += f"; perhaps it needed more than its memory budget of {self.memory_mib} MiB"
                return failed_result(source, sha256, fmt, Issue("worker_died", "error", message))
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
