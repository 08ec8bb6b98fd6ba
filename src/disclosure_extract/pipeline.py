"""The batch: discover inputs, extract each (resumably), write the outputs.

Each document's result is cached under ``OUT/.cache/<fingerprint>/<sha256>.json`` as soon
as it is extracted (atomically), so a killed run resumes without redoing finished
documents; the combined outputs are written atomically at the end, in input order, so
the same inputs give byte-identical outputs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from .check import check_all
from .common.atomic import write_text
from .errors import DisclosureError, LoadError
from .extract import extract_document
from .load import load_bytes, sniff_format
from .model import Issue, Result
from .patterns import Patterns
from .version import code_fingerprint
from .write import dumps, issue_record, result_record
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


def failed_record(source: str, sha256: str | None, fmt: str, issue: Issue) -> dict[str, Any]:
    return {
        "schema": 1,
        "source": source,
        "sha256": sha256,
        "format": fmt,
        "status": "failed",
        "meta": {},
        "fields": {},
        "facts": [],
        "indicators": [],
        "tables": [],
        "issues": [issue_record(issue)],
    }


def _read_input(path: Path, source: str, max_bytes: int) -> bytes | dict[str, Any]:
    """The file's bytes, or the failed record saying why they cannot be had."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            issue = Issue(
                "too_large", "error", f"{size} bytes is over the limit of {max_bytes} (--max-bytes)"
            )
            return failed_record(source, None, "unknown", issue)
        return path.read_bytes()
    except OSError as exc:
        issue = Issue("unreadable", "error", f"cannot read the file: {exc.strerror}")
        return failed_record(source, None, "unknown", issue)


def extract_file(
    path: Path, source: str, patterns: Patterns, max_bytes: int = DEFAULT_MAX_BYTES
) -> dict[str, Any]:
    """The output record for one file; every failure becomes an issue, never an exception."""
    data = _read_input(path, source, max_bytes)
    return data if isinstance(data, dict) else extract_data(data, source, patterns)


def extract_data(data: bytes, source: str, patterns: Patterns) -> dict[str, Any]:
    sha256 = hashlib.sha256(data).hexdigest()
    try:
        doc = load_bytes(data, source, patterns)
        result: Result = extract_document(doc, patterns)
        record = result_record(result)
        record["encoding"] = doc.encoding
        declared = doc.properties.get("declared_charset")
        if doc.properties.get("charset_mismatch"):
            record["issues"].append(
                issue_record(
                    Issue(
                        "charset_mismatch",
                        "warning",
                        f"the page declares charset {declared} but its bytes are {doc.encoding}; "
                        f"decoded as {doc.encoding}",
                    )
                )
            )
        return json.loads(dumps(record), parse_float=Decimal)  # type: ignore[no-any-return]
    except LoadError as exc:
        return failed_record(source, sha256, _format_name(data), Issue(exc.code, "error", exc.message))
    except DisclosureError as exc:
        return failed_record(source, sha256, _format_name(data), Issue("extract_failed", "error", str(exc)))
    except Exception as exc:  # noqa: BLE001 - one document's bug must not end a batch of thousands
        log.error("internal error on %s:\n%s", source, traceback.format_exc())
        issue = Issue("internal_error", "error", f"{type(exc).__name__}: {exc} (a bug: please report it)")
        return failed_record(source, sha256, "unknown", issue)


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
    cache = out_dir / CACHE_DIR / fingerprint(patterns)
    summary = BatchSummary(total=len(inputs))
    records: list[dict[str, Any]] = []
    for path, source in inputs:
        # each file is read once: its size checked first, then hashed for the cache, then extracted
        data = _read_input(path, source, max_bytes)
        if isinstance(data, dict):
            record = data
        else:
            sha256 = hashlib.sha256(data).hexdigest()
            cached = _cached(cache / f"{sha256}.json", source) if use_cache else None
            if cached is not None:
                record = cached
                summary.cached += 1
            else:
                record = extract_data(data, source, patterns)
                if use_cache and not _transient(record):
                    write_text(cache / f"{sha256}.json", dumps({**record, "source": None}))
        records.append(record)
        if record["status"] == "ok":
            summary.ok += 1
        else:
            summary.failed += 1
            summary.failed_sources.append(source)
        if progress is not None:
            progress(source)
    write_outputs(out_dir, records, patterns)
    return summary


def _transient(record: dict[str, Any]) -> bool:
    """Failures that may not recur (a bug fixed, a file readable again) are not cached."""
    return any(i["code"] in ("internal_error", "unreadable") for i in record["issues"])


def _cached(entry: Path, source: str) -> dict[str, Any] | None:
    if not entry.is_file():
        return None
    try:
        record: dict[str, Any] = json.loads(entry.read_text(encoding="utf-8"), parse_float=Decimal)
    except (OSError, json.JSONDecodeError):
        return None  # a damaged cache entry is redone, not trusted
    record["source"] = source
    return record


def write_outputs(out_dir: Path, records: list[dict[str, Any]], patterns: Patterns | None = None) -> None:
    """Check the records (when a vocabulary is given) and write every output of ``out_dir``."""
    checks = [c.as_dict() for c in check_all(records, patterns)] if patterns is not None else []
    write_all(out_dir, records, checks)
