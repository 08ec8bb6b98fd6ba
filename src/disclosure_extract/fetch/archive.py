"""The archive: content-addressed blobs and a SQLite catalog of every fetch.

Layout under the archive folder::

    blobs/ab/abcdef…   the bytes, named by their sha256 (the same bytes are stored once)
    tmp/               bodies being downloaded; moved into blobs/ only when complete
    catalog.sqlite     resources (one row per URL, its latest state), fetches (every
                       attempt, per run), runs

A body is streamed to tmp/, hashed on the way, fsynced, then renamed into blobs/: a
process killed at any moment leaves a complete blob or none (tmp/ is emptied at start).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..common.atomic import default_mode
from ..common.lock import folder_lock

SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    config TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS resources (
    url TEXT PRIMARY KEY,
    final_url TEXT,
    status INTEGER,
    sha256 TEXT,
    size INTEGER,
    content_type TEXT,
    detected_format TEXT,
    etag TEXT,
    last_modified TEXT,
    filename TEXT,
    referrer TEXT,
    link_text TEXT,
    role TEXT,
    first_seen_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    changed_at TEXT
);
CREATE TABLE IF NOT EXISTS fetches (
    id INTEGER PRIMARY KEY,
    run_id INTEGER NOT NULL REFERENCES runs(id),
    url TEXT NOT NULL,
    final_url TEXT,
    status INTEGER,
    outcome TEXT NOT NULL,
    error TEXT,
    headers TEXT,
    sha256 TEXT,
    size INTEGER,
    content_type TEXT,
    detected_format TEXT,
    referrer TEXT,
    link_text TEXT,
    fetched_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS fetches_run_url ON fetches(run_id, url);
CREATE INDEX IF NOT EXISTS resources_sha ON resources(sha256);
"""

OUTCOMES = ("new", "changed", "unchanged", "failed", "refused", "recorded")


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class FetchRecord:
    """One fetch attempt as the catalog keeps it."""

    url: str
    outcome: str  # new / changed / unchanged / failed / refused
    final_url: str | None = None
    status: int | None = None
    error: str | None = None
    headers: dict[str, str] | None = None
    sha256: str | None = None
    size: int | None = None
    content_type: str | None = None
    detected_format: str | None = None
    referrer: str | None = None
    link_text: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    filename: str | None = None
    role: str | None = None  # listing / article / attachment


class Archive:
    """Blobs on disk and their catalog; one writer at a time."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.blobs = folder / "blobs"
        self.tmp = folder / "tmp"
        # one run per archive: a second would empty tmp/ under the first (FolderLockedError)
        self._lock = contextlib.ExitStack()
        self._lock.enter_context(folder_lock(folder))
        try:
            self.blobs.mkdir(parents=True, exist_ok=True)
            self.tmp.mkdir(parents=True, exist_ok=True)
            for leftover in self.tmp.iterdir():  # a killed run's partial downloads
                leftover.unlink()
            self.db = sqlite3.connect(folder / "catalog.sqlite", isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.executescript(SCHEMA)
        except BaseException:
            self._lock.close()
            raise

    def close(self) -> None:
        try:
            self.db.close()
        finally:
            self._lock.close()

    # --- runs ---------------------------------------------------------------------------
    def start_run(self, config: dict[str, Any]) -> tuple[int, bool]:
        """The run to write into: the last unfinished one (resumed) or a new one."""
        row = self.db.execute(
            "SELECT id FROM runs WHERE finished_at IS NULL ORDER BY id DESC LIMIT 1"
        ).fetchone()
        if row is not None:
            return int(row[0]), True
        cur = self.db.execute(
            "INSERT INTO runs (started_at, config) VALUES (?, ?)", (now(), json.dumps(config, sort_keys=True))
        )
        return int(cur.lastrowid or 0), False

    def finish_run(self, run_id: int) -> None:
        self.db.execute("UPDATE runs SET finished_at = ? WHERE id = ?", (now(), run_id))

    def done_in_run(self, run_id: int, url: str) -> FetchRecord | None:
        """The completed fetch of ``url`` in this run, if there was one (for resuming)."""
        row = self.db.execute(
            "SELECT url, outcome, final_url, status, sha256, detected_format, content_type, error "
            "FROM fetches WHERE run_id = ? AND url = ? AND outcome != 'failed' ORDER BY id DESC LIMIT 1",
            (run_id, url),
        ).fetchone()
        if row is None:
            return None
        return FetchRecord(
            url=row[0],
            outcome=row[1],
            final_url=row[2],
            status=row[3],
            sha256=row[4],
            detected_format=row[5],
            content_type=row[6],
            error=row[7],
        )

    # --- resources ----------------------------------------------------------------------
    def resource(self, url: str) -> dict[str, Any] | None:
        cur = self.db.execute("SELECT * FROM resources WHERE url = ?", (url,))
        row = cur.fetchone()
        if row is None:
            return None
        return dict(zip([d[0] for d in cur.description], row, strict=True))

    def record(self, run_id: int, rec: FetchRecord) -> None:
        """Log a fetch and update the URL's latest state, in one transaction."""
        stamp = now()
        with self.db:
            self.db.execute("BEGIN")
            self.db.execute(
                "INSERT INTO fetches (run_id, url, final_url, status, outcome, error, headers, sha256, size, "
                "content_type, detected_format, referrer, link_text, fetched_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    rec.url,
                    rec.final_url,
                    rec.status,
                    rec.outcome,
                    rec.error,
                    json.dumps(rec.headers, sort_keys=True) if rec.headers else None,
                    rec.sha256,
                    rec.size,
                    rec.content_type,
                    rec.detected_format,
                    rec.referrer,
                    rec.link_text,
                    stamp,
                ),
            )
            if rec.outcome in ("new", "changed"):
                self.db.execute(
                    "INSERT INTO resources (url, final_url, status, sha256, size, content_type, "
                    "detected_format, etag, last_modified, filename, referrer, link_text, role, "
                    "first_seen_at, fetched_at, changed_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT(url) DO UPDATE SET final_url=excluded.final_url, status=excluded.status, "
                    "sha256=excluded.sha256, size=excluded.size, content_type=excluded.content_type, "
                    "detected_format=excluded.detected_format, etag=excluded.etag, "
                    "last_modified=excluded.last_modified, filename=excluded.filename, "
                    "referrer=COALESCE(resources.referrer, excluded.referrer), "
                    "link_text=COALESCE(resources.link_text, excluded.link_text), role=excluded.role, "
                    "fetched_at=excluded.fetched_at, changed_at=excluded.changed_at",
                    (
                        rec.url,
                        rec.final_url,
                        rec.status,
                        rec.sha256,
                        rec.size,
                        rec.content_type,
                        rec.detected_format,
                        rec.etag,
                        rec.last_modified,
                        rec.filename,
                        rec.referrer,
                        rec.link_text,
                        rec.role,
                        stamp,
                        stamp,
                        stamp,
                    ),
                )
            elif rec.outcome == "recorded":
                # an archive (.rar/.zip) link: its URL is kept, its bytes are not fetched
                self.db.execute(
                    "INSERT OR IGNORE INTO resources "
                    "(url, referrer, link_text, role, first_seen_at, fetched_at) "
                    "VALUES (?, ?, ?, ?, ?, ?)",
                    (rec.url, rec.referrer, rec.link_text, rec.role, stamp, stamp),
                )
            elif rec.outcome == "unchanged":
                self.db.execute("UPDATE resources SET fetched_at = ? WHERE url = ?", (stamp, rec.url))
            self.db.execute("COMMIT")

    def documents(self) -> Iterator[tuple[str, str, str]]:
        """(url, sha256, detected format) of every archived article and attachment."""
        yield from self.db.execute(
            "SELECT url, sha256, detected_format FROM resources WHERE role IN ('article', 'attachment') "
            "AND sha256 IS NOT NULL ORDER BY url"
        )

    # --- blobs --------------------------------------------------------------------------
    def blob_path(self, sha256: str) -> Path:
        return blob_path(self.folder, sha256)

    def has_blob(self, sha256: str) -> bool:
        return self.blob_path(sha256).is_file()

    def new_tmp(self) -> tuple[Path, Any]:
        """A temp file for a body being downloaded, and a hasher to feed alongside."""
        fd, name = _mkstemp(self.tmp)
        os.fchmod(fd, default_mode())
        os.close(fd)
        return Path(name), hashlib.sha256()

    def commit_blob(self, tmp: Path, sha256: str) -> Path:
        """Move a complete download into place (or drop it: the same bytes are already stored)."""
        target = self.blob_path(sha256)
        if target.is_file():
            tmp.unlink()
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
        return target


def _mkstemp(folder: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix="body.", suffix=".part", dir=folder)


def blob_path(archive_dir: Path, sha256: str) -> Path:
    """Where the archive in ``archive_dir`` keeps the bytes with this sha256."""
    return archive_dir / "blobs" / sha256[:2] / sha256


def archived_documents(archive_dir: Path, formats: tuple[str, ...]) -> list[tuple[Path, str]]:
    """(blob path, URL) of every archived document of these detected formats, for extraction."""
    archive = Archive(archive_dir)
    try:
        return [(archive.blob_path(sha), url) for url, sha, fmt in archive.documents() if fmt in formats]
    finally:
        archive.close()
