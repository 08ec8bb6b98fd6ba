"""Extraction on a Dask distributed cluster: the same per-document work as the local pool.

``--dask ADDRESS`` connects to a running scheduler (``tcp://host:8786``); ``--dask local``
starts a ``LocalCluster`` of ``jobs`` single-threaded worker processes on 127.0.0.1. Each
task is given where its input is (a path every worker can read, or an fsspec URL: NFS,
``s3://``…), not its bytes; the worker reads it there, extracts it and returns the result's
document made ready for the outputs, as a local worker does, so the outputs are the same
bytes. The vocabulary is sent to every worker once.

A worker that dies has its task rerun by the scheduler on another worker; after Dask's
allowed failures the document becomes ``worker_died``. The time limit is how long the batch
waits for a document once it is at the head of the line; past it the document becomes
``timeout`` and its task is cancelled (a task already running finishes in its worker, since
Dask cannot interrupt one).

Needs the ``dask`` extra: ``pip install 'disclosure-extract[dask]'``.
"""

from __future__ import annotations

import logging
from typing import Any

from .document import Prepared, extract_data, failed_result, prepare
from .errors import ClusterError
from .model import Issue, Result
from .patterns import Patterns

__all__ = ["DaskPool", "extract_location", "read_location"]

log = logging.getLogger("disclosure_extract")

# Seconds to reach a scheduler given by its address.
CONNECT_TIMEOUT = 30


def read_location(location: str) -> bytes:
    """The bytes at a path or fsspec URL."""
    import fsspec

    with fsspec.open(location, "rb") as handle:
        data: bytes = handle.read()
    return data


def extract_location(location: str, source: str, patterns: Patterns, pdf_backend: str) -> Prepared:
    """A task: the document at ``location``, made ready for the outputs."""
    try:
        data = read_location(location)
    except OSError as exc:
        issue = Issue("unreadable", "error", f"the worker cannot read {location}: {exc}")
        return prepare(failed_result(source, None, "unknown", issue), patterns)
    return prepare(extract_data(data, source, patterns, pdf_backend), patterns)


class DaskPool:
    """Documents extracted on a Dask cluster; use as a context manager."""

    def __init__(
        self,
        address: str,
        jobs: int,
        patterns: Patterns,
        timeout: float,
        pdf_backend: str,
        memory_mib: int | None = None,
    ) -> None:
        try:
            import distributed
        except ImportError as exc:
            raise ClusterError("--dask needs Dask: pip install 'disclosure-extract[dask]'") from exc
        dask: Any = distributed  # its constructors are not annotated
        self.timeout = timeout
        self.pdf_backend = pdf_backend
        self.cluster: Any = None
        self.client: Any = None
        try:
            if address == "local":
                self.cluster = dask.LocalCluster(
                    n_workers=jobs,
                    threads_per_worker=1,
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                    # Dask's nanny restarts a worker past this (a remote cluster sets its own)
                    memory_limit=f"{memory_mib}MiB" if memory_mib is not None else "auto",
                )
                self.client = dask.Client(self.cluster)
            else:
                self.client = dask.Client(address, timeout=CONNECT_TIMEOUT)
        except (OSError, RuntimeError, TimeoutError, ValueError) as exc:
            self.__exit__()
            raise ClusterError(f"cannot use the Dask cluster {address!r}: {exc}") from exc
        self.workers = max(1, len(self.client.scheduler_info()["workers"]))
        log.info("dask: %s, %d workers", address, self.workers)
        self.patterns = self.client.scatter(patterns, broadcast=True, hash=False)

    def __enter__(self) -> DaskPool:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def submit(self, data: bytes, source: str, location: str, sha256: str | None = None) -> Any:
        # pure=False: the same file under two sources is two tasks, as in a local run
        return self.client.submit(
            extract_location, location, source, self.patterns, self.pdf_backend, pure=False
        )

    def result(self, future: Any, data: bytes, source: str, sha256: str, fmt: str) -> Result | Prepared:
        from distributed import KilledWorker

        try:
            prepared: Prepared = future.result(timeout=self.timeout)
        except TimeoutError:
            future.cancel()
            message = f"no result within {self.timeout:.0f} s of waiting for it; its task was cancelled"
            return failed_result(source, sha256, fmt, Issue("timeout", "error", message))
        except KilledWorker as exc:
            message = f"the Dask workers running this document died: {exc}"
            return failed_result(source, sha256, fmt, Issue("worker_died", "error", message))
        except MemoryError:
            return failed_result(
                source, sha256, fmt, Issue("out_of_memory", "error", "its task ran out of memory")
            )
        except OSError as exc:  # the worker could not read the path: not shared with it, or gone
            message = f"a Dask worker could not read it: {exc}"
            return failed_result(source, sha256, fmt, Issue("unreadable", "error", message))
        except Exception as exc:  # noqa: BLE001 - a task's failure (an unreadable path …) is its document's
            log.error("%s: the Dask task failed: %s: %s", source, type(exc).__name__, exc)
            issue = Issue("internal_error", "error", f"{type(exc).__name__}: {exc} (the Dask task failed)")
            return failed_result(source, sha256, fmt, issue)
        return prepared
