"""One document from its bytes to its typed result: load, then extract; then made ready for
the outputs (``prepare``).

Every failure becomes an issue of the result, never an exception: a batch of thousands
goes on past any one document. The batch (``pipeline``) and its worker processes
(``workers``, ``cluster``) both call ``extract_data`` and ``prepare``, so a worker hands
back what the outputs need and the process writing them only appends it.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from dataclasses import dataclass

from .check import check_document, dataset_summary
from .common.limits import memory_budget
from .errors import DisclosureError, LoadError, UnfitValueError
from .extract import extract_document
from .load import DEFAULT_PDF_BACKEND, load_bytes, sniff_format
from .model import Issue, Result
from .patterns import Patterns
from .write import DocumentParts, document_parts

log = logging.getLogger("disclosure_extract")


# Failures that may not recur (a bug fixed, a file readable again, a worker that died or ran
# out of time or memory): such results are not cached.
TRANSIENT = ("internal_error", "unreadable", "timeout", "worker_died", "out_of_memory", "value_out_of_range")


@dataclass
class Prepared:
    """A document's result made ready for the outputs: its share of each (``parts``), what
    the checks across documents read of it (``summary``, None when it failed), and what the
    batch counts and logs."""

    parts: DocumentParts
    summary: Result | None
    failed: bool
    transient: bool  # not to be cached
    counts: tuple[int, int, int]  # facts, tables, issues


def prepare(result: Result, patterns: Patterns, record: str | None = None) -> Prepared:
    """Check a result and make its share of every output (``record``: its JSON line, if made).

    A value no output can hold makes the document a failed record (``value_out_of_range``,
    not cached: a cached result that cannot be written is evicted by the batch)."""
    try:
        parts = document_parts(result, check_document(result, patterns), patterns, record)
    except UnfitValueError as exc:
        issue = Issue("value_out_of_range", "error", f"a value the outputs cannot hold: {exc}")
        result = failed_result(result.source, result.sha256, result.format, issue)
        parts = document_parts(result, [], patterns)
    return Prepared(
        parts=parts,
        summary=None if result.failed else dataset_summary(result, patterns),
        failed=result.failed,
        transient=any(i.code in TRANSIENT and i.severity == "error" for i in result.issues),
        counts=(len(result.facts), len(result.tables), len(result.issues)),
    )


def failed_result(source: str, sha256: str | None, fmt: str, issue: Issue) -> Result:
    """The result of a document that could not be read or extracted: no figures, one error."""
    return Result(source=source, sha256=sha256, format=fmt, issues=[issue])


def extract_data(
    data: bytes, source: str, patterns: Patterns, pdf_backend: str = DEFAULT_PDF_BACKEND
) -> Result:
    """Load and extract one document's bytes (PDFs parsed with ``pdf_backend``); every failure
    becomes an issue, never an exception."""
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        doc = load_bytes(data, source, patterns, pdf_backend)
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
        return failed_result(source, sha256, format_name(data), Issue(exc.code, "error", exc.message))
    except DisclosureError as exc:
        return failed_result(source, sha256, format_name(data), Issue("extract_failed", "error", str(exc)))
    except RecursionError:
        # structure nested deeper than a parser can follow (a page tree thousands deep)
        issue = Issue("too_complex", "error", "the document is nested too deep to read")
        return failed_result(source, sha256, format_name(data), issue)
    except MemoryError:
        return out_of_memory(source, sha256, format_name(data))
    except Exception as exc:  # noqa: BLE001 - one document's bug must not end a batch of thousands
        log.error("internal error on %s:\n%s", source, traceback.format_exc())
        issue = Issue("internal_error", "error", f"{type(exc).__name__}: {exc} (a bug: please report it)")
        return failed_result(source, sha256, "unknown", issue)


def out_of_memory(source: str, sha256: str, fmt: str, budget: int | None = None) -> Result:
    """The result of a document that needed more memory than its process may take (``budget``
    MiB; by default this process's own)."""
    budget = budget if budget is not None else memory_budget()
    note = f" (its memory budget: {budget} MiB, --memory-limit)" if budget is not None else ""
    return failed_result(
        source, sha256, fmt, Issue("out_of_memory", "error", f"reading it ran out of memory{note}")
    )


def format_name(data: bytes) -> str:
    """The format the bytes are, for the record of a document that failed to load."""
    fmt = sniff_format(data) if data.strip() else "unknown"
    return {"zip": "zip", "ole": "ole"}.get(fmt, fmt)
