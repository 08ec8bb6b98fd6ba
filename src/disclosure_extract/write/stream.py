"""Every output of a folder, written while the batch runs: memory does not grow with the batch.

An :class:`OutputStream` is given each document's result, in input order, with the results
of its own checks; then, at ``close``, the checks across documents. It writes
documents.jsonl, one CSV per output table (write/schema.py), each table's grid
(tables/*.csv), disclosures.sqlite, parquet/*.parquet, datapackage.json and metadata.json.
Everything goes to temporary files that replace the previous outputs only when ``close``
has written them all; an exception (or leaving the ``with`` block without ``close``)
removes them and leaves the previous outputs whole.

Most rows are written when their document arrives: the CSV line at once, the SQLite
inserts and Parquet row groups in batches of ``BATCH_ROWS``. Two tables depend on the checks
across documents (documents.checks_failed, field_values.check_status), and the panel is
made with the documents rows: their rows wait in a private staging file (pickled, so every
value keeps its exact type) and are written, completed, at ``close``. What stays in memory
per document is its sha256 (one documents row per content), its number of checks, and the
tally of its department.
"""

from __future__ import annotations

import contextlib
import csv
import itertools
import json
import os
import pickle
import shutil
import sqlite3
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import pyarrow as pa
import pyarrow.parquet as pq

from ..common.atomic import default_mode, folder_mode, write_text
from ..errors import OutputError
from ..model import CheckResult, Result
from ..patterns import Patterns
from .csvout import TABLE_FILE_RE
from .dataset import datapackage, grid_resource, sql_value
from .datasette import datasette_metadata
from .disclosures import plan_disclosures
from .parts import DocumentParts, document_parts, rendered
from .schema import (
    DEPARTMENTS,
    DOCUMENTS,
    FIELD_VALUES,
    FIELDS,
    TABLES,
    OutputTable,
    Statuses,
    arrow_schema,
    check_rows,
    failed_counts,
    field_rows,
    panel_row,
    panel_table,
    quote_identifier,
    sql_ddl,
    value_statuses,
)

__all__ = ["BATCH_ROWS", "JOURNAL", "RUN_FILE", "OutputStream", "finish_commit", "remove_leftovers"]

# Rows per SQLite insert and per Parquet row group: a few MB of rows held at a time. The
# same rows always fall in the same groups, so the files are the same bytes run after run.
BATCH_ROWS = 2_000
# The renames that put a run's outputs in place, written before the first is made.
JOURNAL = ".commit.json"
# What the outputs need to be read elsewhere: the folder relative sources are relative to.
RUN_FILE = "run.json"


def remove_leftovers(out_dir: Path) -> int:
    """Remove the temporary files and folders a killed run left in ``out_dir`` (its outputs'
    ``.NAME.XXXX.tmp``, SQLite's ``.disclosures.XXXX.sqlite.tmp-journal``, the grids'
    ``.tables.XXXX.tmp``/``.old``, the cache's part-written entries); how many. Only while
    holding the folder's lock: another run's would be live."""
    removed = 0
    folders = [out_dir, out_dir / "parquet", *sorted((out_dir / ".cache").glob("*"))]
    for folder in folders:
        if not folder.is_dir():
            continue
        for entry in folder.iterdir():
            # SQLite's journal of a temporary database ends "-journal" (also -wal, -shm)
            name = entry.name.removesuffix("-journal").removesuffix("-wal").removesuffix("-shm")
            if not (name.startswith(".") and name.endswith((".tmp", ".old"))):
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
            removed += 1
    return removed


def _temp_file(folder: Path, name: str, suffix: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=suffix, dir=folder)
    os.fchmod(fd, default_mode())
    os.close(fd)
    return Path(tmp)


class _Sink:
    """One output table: its CSV as lines come, its SQLite table and Parquet file in batches."""

    def __init__(
        self, table: OutputTable, handle: IO[str], parquet: Path, db: sqlite3.Connection | None
    ) -> None:
        self.table = table
        self.names = table.column_names
        self.handle = handle
        csv.writer(handle, lineterminator="\n").writerow(self.names)
        self.db = db
        quoted = ", ".join(map(quote_identifier, self.names))
        marks = ", ".join("?" for _ in self.names)
        self.insert = f"INSERT INTO {quote_identifier(table.name)} ({quoted}) VALUES ({marks})"
        self.schema = arrow_schema(table)
        self.parquet = pq.ParquetWriter(parquet, self.schema)
        self.buffer: list[tuple[Any, ...]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.extend(*rendered(self.table, [row]))

    def extend(self, lines: str, rows: list[tuple[Any, ...]]) -> None:
        """Rows already rendered (``_rendered``): their CSV lines and their values."""
        self.handle.write(lines)
        self.buffer.extend(rows)
        if len(self.buffer) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        # the same groups of BATCH_ROWS rows whatever the documents: the same bytes
        for start in range(0, len(self.buffer), BATCH_ROWS):
            self._write(self.buffer[start : start + BATCH_ROWS])
        self.buffer.clear()

    def _write(self, rows: list[tuple[Any, ...]]) -> None:
        if self.db is not None:
            self.db.executemany(self.insert, [tuple(sql_value(v) for v in r) for r in rows])
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in self.names]
        arrays = [pa.array(col, type=f.type) for col, f in zip(columns, self.schema, strict=True)]
        self.parquet.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.flush()
        self.parquet.close()


@dataclass
class _Department:
    """What the departments table says of a department key, tallied as its documents come."""

    names: Counter[str] = field(default_factory=Counter)
    regions: Counter[str] = field(default_factory=Counter)
    documents: int = 0
    years: set[int] = field(default_factory=set)

    def add(self, document: dict[str, Any]) -> None:
        self.names[document["department"]] += 1
        if document["region"]:
            self.regions[document["region"]] += 1
        self.documents += 1
        if document["year"]:
            self.years.add(document["year"])

    def row(self, key: str) -> dict[str, Any]:
        # max over a Counter takes the first-seen of equal counts: the first on ties
        return {
            "department_key": key,
            "department": max(self.names, key=self.names.__getitem__),
            "names": ";".join(name for name, _ in self.names.most_common()),
            "region": max(self.regions, key=self.regions.__getitem__) if self.regions else None,
            "documents": self.documents,
            "years": ";".join(str(y) for y in sorted(self.years)) or None,
        }


class OutputStream:
    """The outputs of ``out_dir``, written as documents arrive. Use as a context manager:
    ``add`` each result with its checks, then ``close`` with the checks across documents.
    """

    def __init__(self, out_dir: Path, patterns: Patterns) -> None:
        # resolved once: the temporary files are named by absolute paths, and the journal
        # names them relative to this folder whatever form (``out``, ``./x/../out``) was given
        self.out_dir = Path(out_dir).resolve()
        self.patterns = patterns
        self.tables = (*TABLES, panel_table(patterns))
        self._stack = contextlib.ExitStack()
        self._temps: list[Path] = []
        self._moves: list[tuple[Path, Path]] = []
        self._sinks: dict[str, _Sink] = {}
        self._seen: set[str] = set()
        self._check_counts: dict[str, int] = {}
        # what checks counted after a documents row was made say of it: a second source of the
        # same content, the checks across documents
        self._late_failed: dict[str | None, int] = {}
        self._late_statuses: Statuses = {}
        self._departments: dict[str, _Department] = {}
        self._phases: set[str] = set()
        self._years: set[int] = set()
        self._closed = False

    def __enter__(self) -> OutputStream:
        try:
            self._open()
        except BaseException:
            self._abort()
            raise
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if not self._closed:
            self._abort()

    def _open(self) -> None:
        out = self.out_dir
        try:
            out.mkdir(parents=True, exist_ok=True)
            (out / "parquet").mkdir(exist_ok=True)
            self._grids = Path(tempfile.mkdtemp(prefix=".tables.", suffix=".tmp", dir=out))
            self._grids.chmod(folder_mode())  # it becomes tables/: a folder like any other
        except OSError as exc:
            raise OutputError(f"cannot write in {out}: {exc.strerror}") from exc
        self._temps.append(self._grids)
        self._jsonl = self._output(out / "documents.jsonl")
        # relative sources are relative to where the run was: the report, run from anywhere,
        # finds their files (for links and page crops) from this
        run = {"working_directory": os.getcwd(), "tool": "disclosure-extract"}
        self._output(out / RUN_FILE).write(json.dumps(run, ensure_ascii=False, indent=1) + "\n")
        self._sqlite = _temp_file(out, "disclosures", ".sqlite.tmp")
        self._temps.append(self._sqlite)
        # foreign keys are checked once, at the end: documents rows are written last
        self._db = sqlite3.connect(self._sqlite)
        self._db.executescript("\n".join(sql_ddl(t) for t in self.tables))
        self._parquet: dict[str, Path] = {}
        for table in self.tables:
            handle = self._output(out / table.csv_name)
            parquet = _temp_file(out / "parquet", table.name, ".parquet.tmp")
            self._temps.append(parquet)
            self._parquet[table.name] = parquet
            self._sinks[table.name] = _Sink(table, handle, parquet, self._db)
        # private and unnamed: gone with the process, whatever happens
        staging = tempfile.TemporaryFile(dir=out, prefix=".staging.")  # noqa: SIM115
        self._staging = self._stack.enter_context(staging)
        resources = tempfile.TemporaryFile("w+", encoding="utf-8", dir=out, prefix=".resources.")  # noqa: SIM115
        self._grid_resources = self._stack.enter_context(resources)
        for row in field_rows(self.patterns):
            self._sinks[FIELDS.name].add(row)

    def add(self, result: Result, checks: list[CheckResult], record: str | None = None) -> None:
        """A document's result and its own checks (``document_parts`` made here)."""
        self.add_parts(document_parts(result, checks, self.patterns, record))

    def add_parts(self, parts: DocumentParts) -> None:
        """A document's share of every output, in input order."""
        self._jsonl.write(parts.record + "\n")
        self._stage(parts)
        for name, (lines, rows) in parts.tables.items():
            self._sinks[name].extend(lines, rows)
        if parts.checks:
            self._check_counts[parts.source] = self._check_counts.get(parts.source, 0) + parts.checks
        for name, text, width in parts.grids:
            with (self._grids / name).open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
            self._grid_resources.write(json.dumps(grid_resource(name, width), ensure_ascii=False) + "\n")

    def _stage(self, parts: DocumentParts) -> None:
        """The documents row and field values of a content seen first; of one seen before,
        what its checks add to them."""
        sha256 = parts.sha256
        if sha256 and sha256 not in self._seen:
            self._seen.add(sha256)
            document = parts.document
            pickle.dump((document, parts.values), self._staging, protocol=pickle.HIGHEST_PROTOCOL)
            if document["department_key"]:
                self._departments.setdefault(document["department_key"], _Department()).add(document)
            if parts.phase:
                self._phases.add(parts.phase)
            if parts.year:
                self._years.add(parts.year)
        elif sha256:  # they count on the first source's documents row
            self._late_failed[sha256] = self._late_failed.get(sha256, 0) + parts.failed
            for key, status in parts.statuses.items():
                if self._late_statuses.get(key) != "fail":
                    self._late_statuses[key] = status

    def _restaged(self) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
        """The staged documents rows and field values, from the start (readable many times)."""
        return _staged(self._staging)

    def close(self, checks: Iterable[CheckResult]) -> None:
        """Complete the outputs with the checks across documents and put them all in place."""
        try:
            self._complete(checks)
            self._commit()
        except BaseException:
            self._abort()
            raise
        finally:
            self._closed = True

    def _complete(self, checks: Iterable[CheckResult]) -> None:
        failed, statuses = self._late_failed, self._late_statuses

        def counted() -> Iterator[CheckResult]:
            for check in checks:  # one at a time: they are not held
                failed_counts([check], failed)
                value_statuses([check], statuses)
                yield check

        for row in check_rows(counted(), self._check_counts):
            self._sinks["checks"].add(row)
        for key, department in self._departments.items():
            self._sinks[DEPARTMENTS.name].add(department.row(key))
        self._write_documents(failed, statuses)
        for sink in self._sinks.values():
            sink.close()
        broken = self._db.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            table, rowid, parent, _ = broken[0]
            raise OutputError(
                f"{len(broken)} rows refer to rows that are not there "
                f"(the first: {table} row {rowid}, to {parent})"
            )
        self._db.commit()
        self._db.close()
        metadata = datasette_metadata(self.tables[-1])
        with self._output(self.out_dir / "metadata.json") as handle:
            handle.write(json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")
        self._write_datapackage()

    def _write_documents(self, failed: dict[str | None, int], statuses: Statuses) -> None:
        """The documents, field_values and panel rows, completed by the checks across
        documents and by the disclosures the documents make (write/disclosures.py)."""
        panel = self._sinks["panel"]
        plan, merged = plan_disclosures(self._restaged)
        for document, values in self._restaged():
            sha256 = document["sha256"]
            document["checks_failed"] += failed.get(sha256, 0)
            disclosure = plan[sha256]
            document["disclosure_id"] = disclosure.disclosure_id
            document["duplicate_of"] = disclosure.duplicate_of
            self._sinks[DOCUMENTS.name].add(document)
            for value in values:
                late_status = statuses.get((value["sha256"], value["field"]))
                if late_status == "fail" or (late_status and value["check_status"] is None):
                    value["check_status"] = late_status
                self._sinks[FIELD_VALUES.name].add(value)
            if disclosure.primary == sha256:  # the disclosure's row, in its primary's place
                own = {v["field"]: v for v in values}
                panel.add(panel_row(document, merged.get(sha256, own), disclosure.members, self.patterns))

    def _write_datapackage(self) -> None:
        package = datapackage(sorted(self._phases), sorted(self._years), self.tables)
        resources = package.pop("resources")
        head = json.dumps(package, ensure_ascii=False, indent=2)[: -len("\n}")]
        self._grid_resources.seek(0)
        grids = (json.loads(line) for line in self._grid_resources)
        with self._output(self.out_dir / "datapackage.json") as handle:
            handle.write(head + ',\n  "resources": [')
            for n, resource in enumerate(itertools.chain(resources, grids)):
                text = textwrap.indent(json.dumps(resource, ensure_ascii=False, indent=2), "    ")
                handle.write(("," if n else "") + "\n" + text)
            handle.write("\n  ]\n}\n")

    def _output(self, path: Path) -> IO[str]:
        """A temporary text file that becomes ``path`` when the generation is committed."""
        temp = _temp_file(path.parent, path.name, ".tmp")
        self._temps.append(temp)
        self._moves.append((temp, path))
        # newline="" keeps CSV rows as the csv module writes them
        return self._stack.enter_context(temp.open("w", encoding="utf-8", newline=""))

    def _commit(self) -> None:
        """Every new output in place of the old, as one generation: the renames are written to
        a journal first, so a run killed while making them is completed by the next one
        (``finish_commit``) and the folder never stays a mix of two runs."""
        self._stack.close()  # documents.jsonl, the CSVs, metadata.json, datapackage.json
        for temp, _ in self._moves:
            _fsync(temp)
        _fsync(self._sqlite)
        moves = [*self._moves, (self._sqlite, self.out_dir / "disclosures.sqlite")]
        moves += [(p, self.out_dir / "parquet" / f"{n}.parquet") for n, p in self._parquet.items()]
        old = self.out_dir / f".tables.{self._grids.name.split('.')[2]}.old"
        journal = {
            "replace": [[_relative(self.out_dir, a), _relative(self.out_dir, b)] for a, b in moves],
            "tables": [_relative(self.out_dir, self._grids), _relative(self.out_dir, old)],
        }
        write_text(self.out_dir / JOURNAL, json.dumps(journal, ensure_ascii=False, indent=1) + "\n")
        # the commit point: from here on the new generation is the folder's, whatever happens
        self._temps.clear()
        _apply(self.out_dir, journal)

    def _abort(self) -> None:
        with contextlib.suppress(Exception):
            self._db.close()
        for sink in self._sinks.values():
            with contextlib.suppress(Exception):
                sink.parquet.close()
        # unwinding the stack with an exception removes the temporary JSONL and CSVs
        with contextlib.suppress(BaseException):
            self._stack.__exit__(OutputError, OutputError("aborted"), None)
        for temp in self._temps:
            if temp.is_dir():
                shutil.rmtree(temp, ignore_errors=True)
            else:
                temp.unlink(missing_ok=True)
        self._closed = True


def finish_commit(out_dir: Path) -> bool:
    """Complete the generation a run killed while putting its outputs in place had committed
    to (its journal, ``JOURNAL``); whether there was one. Only while holding the folder's lock."""
    path = out_dir / JOURNAL
    try:
        journal = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        raise OutputError(f"{path}: the journal of an interrupted commit is unreadable: {exc}") from exc
    _apply(out_dir, journal)
    return True


def _apply(out_dir: Path, journal: dict[str, Any]) -> None:
    """The journal's renames; each step is skipped once done, so it can be run again after
    being stopped part way."""
    for temp, final in journal["replace"]:
        if (out_dir / temp).exists():
            os.replace(out_dir / temp, out_dir / final)
    grids, old = (out_dir / name for name in journal["tables"])
    current = out_dir / "tables"
    if grids.exists():
        if current.is_dir():
            for other in current.iterdir():  # files there that are not grids stay
                if not TABLE_FILE_RE.match(other.name):
                    os.replace(other, grids / other.name)
            os.replace(current, old)
        os.replace(grids, current)
    shutil.rmtree(old, ignore_errors=True)
    (out_dir / JOURNAL).unlink(missing_ok=True)


def _relative(out_dir: Path, path: Path) -> str:
    return Path(os.path.relpath(path.resolve(), out_dir.resolve())).as_posix()


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _staged(handle: IO[bytes]) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    handle.seek(0)
    while True:
        try:
            yield pickle.load(handle)  # our own file, written by this run
        except EOFError:
            return
