"""The command line: ``disclosure-extract COMMAND …``.

Data goes to files (or stdout where a command says so), logs to stderr.
Exit status: 0 every document extracted, 1 some failed, 2 usage error.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from tqdm import tqdm

from .check import FAIL, NOT_APPLICABLE, PASS, CheckResult, check_all
from .common.limits import DEFAULT_MEMORY_MIB
from .common.lock import FolderLockedError
from .errors import ClusterError, OutputError, PatternError, RecordsError
from .evaluate import TruthError, format_report
from .evaluate import evaluate as run_evaluation
from .fetch.client import FetchSettings, fetch_urls
from .fetch.demo import DemoSite, demo_sources
from .fetch.sources import SourcesConfig, SourcesError, load_sources
from .load import DEFAULT_PDF_BACKEND, PDF_BACKENDS
from .model import Result
from .patterns import Patterns, load_patterns
from .pipeline import (
    DEFAULT_MAX_BYTES,
    Workers,
    crawl_and_extract,
    discover,
    make_report,
    read_records,
    run_batch,
    stream_documents,
)
from .unlabeled import format_unlabeled, measure_unlabeled
from .version import __version__
from .workers import DEFAULT_TIMEOUT
from .write import dumps

# 0: every document (or URL) succeeded; 1: some failed, each described in its record; 2: a
# usage error, or the run could not start; 3: the run itself failed (its outputs could not be
# written, or a bug): distinct from 1, so that a scheduler does not take a crash for a batch
# with a few bad documents.
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_RUN_FAILED = 0, 1, 2, 3
EXIT_INTERRUPTED = 128 + signal.SIGINT  # 130, as a shell reports a command Ctrl-C ended
# Failures to write that are the machine's, not a bug: disk or quota full, a read-only or
# forbidden folder, a file too large for its file system.
_WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG})
_F = TypeVar("_F", bound=Callable[..., Any])
# Archived formats the extractor reads.
# Without a terminal, a log line every this many documents shows a batch is alive.
LOG_EVERY = 50

log = logging.getLogger("disclosure_extract")


LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_DATE = "%Y-%m-%dT%H:%M:%S%z"  # ISO 8601, with the zone


def _setup_logging(verbose: int, quiet: bool, log_file: Path | None = None) -> None:
    """Logs to stderr with ISO timestamps: INFO by default, WARNING with -q, DEBUG with -v
    (every document), and -vv the libraries' own debug logs too (pdfminer, httpx …)."""
    level = logging.WARNING if quiet else (logging.DEBUG if verbose else logging.INFO)
    formatter = logging.Formatter(LOG_FORMAT, LOG_DATE)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file is not None:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    for handler in handlers:
        handler.setFormatter(formatter)
    for old in log.handlers:
        if old not in handlers:
            old.close()  # a log file of an earlier call (tests run many commands in one process)
    log.handlers[:] = handlers
    log.setLevel(level)
    log.propagate = False
    root = logging.getLogger()
    root.handlers[:] = handlers if verbose > 1 else []
    root.setLevel(logging.DEBUG if verbose > 1 else logging.WARNING)


def output_option(help_text: str) -> Callable[[_F], _F]:
    """The -o/--output folder option every writing command takes."""
    return click.option(
        "-o",
        "--output",
        "out_dir",
        type=click.Path(file_okay=False, path_type=Path, allow_dash=True),
        default=Path("out"),
        show_default=True,
        help=help_text,
    )


class _Commands(click.Group):
    """The commands, a failed run exiting 3 with its reason (and a bug's traceback) on stderr."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            log.error("interrupted: the previous outputs are left as they were")
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:
            # the reader of stdout went away (``| head``): what it wanted it has; stdout is
            # pointed at /dev/null so that the exit's own flush finds no broken pipe either
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except OutputError as exc:
            log.error("the outputs could not be written: %s", exc)
        except OSError as exc:
            if exc.errno not in _WRITE_ERRNOS:
                log.exception("the run failed (a bug: please report it with this traceback)")
                sys.exit(EXIT_RUN_FAILED)
            # a full disk, a read-only folder: the operator's to mend, said in one line
            where = f" ({exc.filename})" if exc.filename else ""
            log.error(
                "the outputs could not be written: %s%s; the previous outputs are left as they were",
                exc.strerror,
                where,
            )
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception:  # any other failure of the run is a bug: said as such, with its traceback
            log.exception("the run failed (a bug: please report it with this traceback)")
        sys.exit(EXIT_RUN_FAILED)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="disclosure-extract")
def main() -> None:
    """Extract checked, normalized data from Chinese budget disclosures (部门预算/决算公开).

    Every value comes with its evidence: source, sha256, page or line, table cell or
    character span, the original text and unit, and how it was obtained.
    """


jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    default=os.cpu_count() or 1,
    show_default="the machine's cores",
    help="Extract in this many worker processes.",
)
memory_option = click.option(
    "--memory-limit",
    "memory_mib",
    type=click.IntRange(min=64),
    default=DEFAULT_MEMORY_MIB,
    show_default=True,
    metavar="MIB",
    help="Memory one worker may take, in MiB; a document needing more fails with a out_of_memory issue.",
)
in_process_option = click.option(
    "--in-process",
    is_flag=True,
    help="Extract in this process, with no time limit or memory budget (debugging, profiling).",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=1),
    default=DEFAULT_TIMEOUT,
    show_default=True,
    help="Seconds one document may take in a worker; past it the document fails with a timeout issue.",
)
dask_option = click.option(
    "--dask",
    metavar="ADDRESS",
    help="Extract on a Dask cluster: a scheduler's address (tcp://host:8786), or 'local' for a "
    "cluster of --jobs workers on this machine. Workers read the inputs from their paths, so "
    "those must be shared (NFS). Needs the dask extra.",
)
pdf_backend_option = click.option(
    "--pdf-backend",
    type=click.Choice(PDF_BACKENDS),
    default=DEFAULT_PDF_BACKEND,
    show_default=True,
    help="The PDF parser: pdfium (PDFium, several times faster) or pdfplumber (pdfminer); "
    "both give the same tables.",
)
patterns_option = click.option(
    "--patterns",
    "patterns_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Use the pattern vocabulary in this folder instead of the bundled one.",
)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@output_option("Folder for documents.jsonl, facts.csv, indicators.csv and tables/.")
@patterns_option
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse inputs larger than this (reported as a too_large issue).",
)
@click.option("--no-cache", is_flag=True, help="Re-extract every document instead of reusing OUT/.cache.")
@jobs_option
@timeout_option
@memory_option
@in_process_option
@dask_option
@pdf_backend_option
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr; no progress bar.")
@click.option("-v", "--verbose", count=True, help="Debug logs: -v every document, -vv the libraries' too.")
@click.option(
    "--log-file", type=click.Path(dir_okay=False, path_type=Path), help="Also write the log to this file."
)
def extract(
    paths: tuple[Path, ...],
    out_dir: Path,
    patterns_dir: Path | None,
    max_bytes: int,
    no_cache: bool,
    jobs: int,
    timeout: float,
    memory_mib: int,
    in_process: bool,
    dask: str | None,
    pdf_backend: str,
    quiet: bool,
    verbose: int,
    log_file: Path | None,
) -> None:
    """Extract every PATH (a file, or a folder read recursively) into OUT.

    Writes into OUT: documents.jsonl (one JSON object per input); panel.csv (one row per
    document, one column per field); field_values.csv, facts.csv, line_items.csv,
    indicators.csv, checks.csv, issues.csv, documents.csv, sources.csv, departments.csv,
    fields.csv; tables/*.csv (each table's grid); disclosures.sqlite; parquet/*.parquet;
    datapackage.json. With -o - the JSON objects go to stdout instead, one per line, and
    nothing is written. A document that cannot be read gets an entry in its issues list and
    the batch goes on. Exit status 0 when every document extracted, 1 when some failed, 2 on
    a usage error (or when another run is writing OUT).
    """
    _setup_logging(verbose, quiet, log_file)
    patterns = _patterns(patterns_dir)
    inputs = discover(paths)
    if not inputs:
        raise click.UsageError("no files found under the given paths")
    workers = Workers(min(jobs, len(inputs)), timeout, dask, memory_mib, in_process)
    if str(out_dir) == "-":
        sys.exit(_stream(inputs, patterns, max_bytes, workers, pdf_backend))
    log.info("extracting %d document(s) into %s", len(inputs), out_dir)
    bar = tqdm(total=len(inputs), unit="doc", file=sys.stderr, disable=quiet or not sys.stderr.isatty())
    done = 0

    def progress(source: str) -> None:
        nonlocal done
        done += 1
        bar.update(1)
        if bar.disable and not quiet and (done % LOG_EVERY == 0 or done == len(inputs)):
            log.info("%d/%d documents", done, len(inputs))

    try:
        summary = run_batch(
            inputs,
            out_dir,
            patterns,
            max_bytes=max_bytes,
            use_cache=not no_cache,
            progress=progress,
            workers=workers,
            pdf_backend=pdf_backend,
        )
    except (FolderLockedError, ClusterError) as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        bar.close()
    for source in summary.failed_sources:
        log.warning("failed: %s (see its issues in documents.jsonl)", source)
    log.info(
        "%d document(s): %d ok, %d failed, %d reused from cache; output in %s",
        summary.total,
        summary.ok,
        summary.failed,
        summary.cached,
        out_dir,
    )
    sys.exit(EXIT_SOME_FAILED if summary.failed else EXIT_OK)


def _stream(
    inputs: list[tuple[Path, str]], patterns: Patterns, max_bytes: int, workers: Workers, pdf_backend: str
) -> int:
    """Each input's JSON object to stdout as soon as it is extracted (no files, no cache)."""
    failed = False
    for prepared in stream_documents(
        inputs, patterns, max_bytes=max_bytes, workers=workers, pdf_backend=pdf_backend
    ):
        failed = failed or prepared.failed
        click.echo(prepared.parts.record)
    return EXIT_SOME_FAILED if failed else EXIT_OK


@main.command()
@click.argument("output", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--truth",
    "truth_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of hand-annotated truth files (*.json).",
)
@click.option(
    "--unlabeled",
    is_flag=True,
    help="No truth: measure the output by what its documents' own numbers say (identities, "
    "line-item sums, standard tables classified, core fields present, conflicts, figures no "
    "field took).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A readable table, or JSON with per-field and per-document counts.",
)
@click.option("-v", "--verbose", is_flag=True, help="List every wrong or missing value and per-field counts.")
@click.option(
    "--min-precision", type=click.FloatRange(0, 1), default=0.0, help="Exit 1 below this precision."
)
@click.option("--min-recall", type=click.FloatRange(0, 1), default=0.0, help="Exit 1 below this recall.")
@click.option("--min-indicator-f1", type=click.FloatRange(0, 1), default=0.0, help="Exit 1 below this f1.")
@click.option(
    "--patterns",
    "patterns_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="With --unlabeled: the vocabulary folder the output was extracted with (default: the bundled one).",
)
def evaluate(
    output: Path,
    truth_dir: Path | None,
    unlabeled: bool,
    fmt: str,
    verbose: bool,
    min_precision: float,
    min_recall: float,
    min_indicator_f1: float,
    patterns_dir: Path | None,
) -> None:
    """Score OUTPUT (a folder or its documents.jsonl) against truth files, or with
    --unlabeled measure it without any.

    With --truth: precision and recall of fields, the f1 of indicators and the share of
    values taken from tables, per document and (with -v) per field. Exit status 1 when a
    --min-* floor is missed.

    With --unlabeled: per document (-v) and in total, the standard tables classified, core
    fields present, identities and line-item sums passed, conflicts left, the figures of
    standard tables no field took and the rows and columns not understood.
    """
    if unlabeled == (truth_dir is not None):
        raise click.UsageError("give either --truth DIR or --unlabeled")
    if unlabeled:
        patterns = _patterns(patterns_dir)
        try:
            measures = measure_unlabeled(output, patterns)
        except TruthError as exc:
            raise click.UsageError(str(exc)) from exc
        if fmt == "json":
            click.echo(json.dumps(measures.as_dict(), ensure_ascii=False, indent=2))
        else:
            click.echo(format_unlabeled(measures, verbose))
        sys.exit(EXIT_OK)
    assert truth_dir is not None
    try:
        result = run_evaluation(output, truth_dir)
    except TruthError as exc:
        raise click.UsageError(str(exc)) from exc
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(format_report(result, verbose))
    ok = (
        result.precision >= min_precision
        and result.recall >= min_recall
        and result.indicator_f1 >= min_indicator_f1
    )
    sys.exit(EXIT_OK if ok else EXIT_SOME_FAILED)


@main.command()
@click.argument("out_dir", metavar="DIR", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A readable summary, or a JSON list of {source, rule, status, expected, actual, difference, "
    "locations}.",
)
@click.option(
    "--all", "show_all", is_flag=True, help="List passed and not-applicable checks too (text format)."
)
@patterns_option
def check(out_dir: Path, fmt: str, show_all: bool, patterns_dir: Path | None) -> None:
    """Check every number of DIR/documents.jsonl against the others it must agree with.

    Identities (收入 = 支出, total = basic + project, 三公 = its parts …), prose against
    tables, line items against their parents and row totals, and across documents
    (duplicates, corrections, previous-year figures). Exit status 1 when a check failed.
    """
    path = out_dir / "documents.jsonl" if out_dir.is_dir() else out_dir
    results = check_all(_read_records(path), _patterns(patterns_dir))
    failed = [r for r in results if r.status == FAIL]
    if fmt == "json":
        keys = (
            "source",
            "rule",
            "status",
            "subject",
            "expected",
            "actual",
            "difference",
            "description",
            "locations",
        )
        click.echo(dumps([{k: r.as_dict()[k] for k in keys} for r in results]))
    else:
        click.echo(_check_summary(results, show_all))
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)


@main.command()
@click.argument("out_dir", metavar="DIR", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    help="The report folder [default: DIR/report].",
)
@click.option(
    "--crops/--no-crops",
    default=True,
    show_default=True,
    help="Show each PDF value on a crop of its page with the cell highlighted (needs the documents).",
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@patterns_option
def report(out_dir: Path, output: Path | None, crops: bool, quiet: bool, patterns_dir: Path | None) -> None:
    """Write the HTML report of DIR: index.html, failures.html and a page per document.

    Each value with its Chinese field name, its amount in 万元, the text as printed, a
    link to the source at its page and a crop of the page with the cell highlighted
    (rendered once per page from the file extracted, or from DIR/archive for crawls);
    failed checks with theirs; the index has the documents to review first, charts
    (三公 by department and year, check failures by rule) and the coverage of each field.
    """
    _setup_logging(0, quiet)
    try:
        summary = make_report(out_dir, _patterns(patterns_dir), output, crops)
    except RecordsError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"report: {summary.index}")


def _patterns(patterns_dir: Path | None) -> Patterns:
    """The vocabulary of --patterns (or the bundled one); a malformed one is a usage error."""
    try:
        return load_patterns(patterns_dir)
    except PatternError as exc:
        raise click.UsageError(f"bad pattern vocabulary: {exc}") from exc


def _read_records(path: Path) -> list[Result]:
    """The results of a documents.jsonl; one that is not ours is a usage error."""
    try:
        return list(read_records(path))
    except RecordsError as exc:
        raise click.UsageError(str(exc)) from exc


def _check_summary(results: list[CheckResult], show_all: bool) -> str:
    lines = []
    by_source: dict[str, list[CheckResult]] = {}
    for r in results:
        by_source.setdefault(r.source, []).append(r)
    for source, rs in by_source.items():
        counts = {s: sum(1 for r in rs if r.status == s) for s in (PASS, FAIL, NOT_APPLICABLE)}
        lines.append(
            f"{source}: {counts[PASS]} passed, {counts[FAIL]} failed, {counts[NOT_APPLICABLE]} not applicable"
        )
        for r in rs:
            if r.status == FAIL or show_all:
                numbers = (
                    f" expected {r.expected}, actual {r.actual}, difference {r.difference}"
                    if r.expected is not None
                    else ""
                )
                where = "; ".join(
                    f"{k}={v}"
                    for loc in r.locations[:2]
                    for k, v in loc.items()
                    if k in ("page", "table", "row", "text")
                )
                lines.append(f"  {r.status.upper():4} {r.rule} [{r.subject}]{numbers}  ({where})")
    total_failed = sum(1 for r in results if r.status == FAIL)
    lines.append(
        f"{len(results)} checks: {sum(1 for r in results if r.status == PASS)} passed, {total_failed} failed"
    )
    return "\n".join(lines)


def _crawl_progress(quiet: bool) -> tuple[Any, Any]:
    bar = tqdm(unit="url", file=sys.stderr, disable=quiet or not sys.stderr.isatty(), desc="crawl")
    count = 0

    def progress(url: str) -> None:
        nonlocal count
        count += 1
        bar.update(1)
        if bar.disable and not quiet and count % LOG_EVERY == 0:
            log.info("%d URLs done", count)

    return bar, progress


def _crawl_and_extract(
    config: SourcesConfig,
    out_dir: Path,
    quiet: bool,
    patterns: Patterns | None,
    workers: Workers | None = None,
    pdf_backend: str = DEFAULT_PDF_BACKEND,
) -> int:
    bar, progress = _crawl_progress(quiet)
    try:
        done = crawl_and_extract(
            config, out_dir, patterns, progress=progress, workers=workers, pdf_backend=pdf_backend
        )
    except (FolderLockedError, ClusterError) as exc:
        raise click.UsageError(str(exc)) from exc
    finally:
        bar.close()
    click.echo(f"crawl: {done.crawl.line()}")
    if done.batch is not None:
        batch = done.batch
        click.echo(
            f"extract: {batch.total} documents, {batch.ok} ok, {batch.failed} failed, "
            f"{batch.total - batch.cached} extracted now, {batch.cached} unchanged since an earlier run; "
            f"output in {out_dir}"
        )
    return EXIT_SOME_FAILED if done.failed else EXIT_OK


@main.command()
@click.argument("urls", nargs=-1, required=True)
@click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out/archive"),
    show_default=True,
    help="The archive: content-addressed blobs and catalog.sqlite.",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0.01),
    default=1.0,
    show_default=True,
    help="Requests per second per host.",
)
@click.option("--user-agent", help="User-Agent to send (name a contact); the default names the tool.")
@click.option(
    "--allow-private", is_flag=True, help="Allow loopback and private addresses (your own network only)."
)
@click.option(
    "--ignore-robots", is_flag=True, help="Do not obey robots.txt (only where you have permission)."
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
def fetch(
    urls: tuple[str, ...],
    archive_dir: Path,
    rate: float,
    user_agent: str | None,
    allow_private: bool,
    ignore_robots: bool,
    quiet: bool,
) -> None:
    """Fetch URLs into the archive; print one tab-separated line per URL to stdout.

    Columns: url, outcome (new/changed/unchanged/failed/refused), HTTP status, sha256,
    detected format, error. Exit status 1 when some URL failed.
    """
    _setup_logging(0, quiet)
    settings = FetchSettings(rate=rate, allow_private=allow_private, obey_robots=not ignore_robots)
    if user_agent:
        settings.user_agent = user_agent
    try:
        results = fetch_urls(list(urls), archive_dir, settings)
    except FolderLockedError as exc:
        raise click.UsageError(str(exc)) from exc
    for rec in results:
        click.echo(
            "\t".join(
                str(v or "")
                for v in (rec.url, rec.outcome, rec.status, rec.sha256, rec.detected_format, rec.error)
            )
        )
    sys.exit(EXIT_SOME_FAILED if any(r.outcome in ("failed", "refused") for r in results) else EXIT_OK)


def _load_sources(path: Path) -> SourcesConfig:
    try:
        return load_sources(path)
    except SourcesError as exc:
        raise click.UsageError(str(exc)) from exc


@main.command(name="crawl")
@click.argument("sources", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option("Output folder; the archive is OUT/archive.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
def crawl_command(sources: Path, out_dir: Path, quiet: bool) -> None:
    """Crawl the sources of SOURCES (sources.yml) into OUT/archive, without extracting.

    A second crawl fetches conditionally and reports what is new or changed; a crawl
    killed at any moment is resumed by the next one without re-downloading.
    """
    _setup_logging(0, quiet)
    sys.exit(_crawl_and_extract(_load_sources(sources), out_dir, quiet, None))


@main.command()
@click.argument("sources", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_option("Output folder: documents.jsonl and the other outputs, and the archive.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@patterns_option
@jobs_option
@timeout_option
@memory_option
@in_process_option
@dask_option
@pdf_backend_option
def run(
    sources: Path,
    out_dir: Path,
    quiet: bool,
    patterns_dir: Path | None,
    jobs: int,
    timeout: float,
    memory_mib: int,
    in_process: bool,
    dask: str | None,
    pdf_backend: str,
) -> None:
    """Crawl SOURCES, then extract what is new: the one command for cron or a systemd timer.

    Documents fetched before are not extracted again (their results are cached by
    sha256); the outputs always cover every archived document. Exit status 1 when some
    URL or document failed.
    """
    _setup_logging(0, quiet)
    config = _load_sources(sources)
    workers = Workers(jobs, timeout, dask, memory_mib, in_process)
    sys.exit(_crawl_and_extract(config, out_dir, quiet, _patterns(patterns_dir), workers, pdf_backend))


@main.command()
@output_option("Output folder.")
@click.option(
    "--corpus",
    "docs",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Documents to publish on the demo site [default: the bundled corpus/docs].",
)
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr.")
@patterns_option
def demo(out_dir: Path, docs: Path | None, quiet: bool, patterns_dir: Path | None) -> None:
    """Serve the bundled corpus as a local government-style site, crawl it, extract it into OUT,
    and write the report (OUT/report/index.html).

    The site runs on 127.0.0.1 only: GBK listing pages without a charset, article pages
    and PDF attachments, as a 部门预算公开 column publishes them.
    """
    _setup_logging(0, quiet)
    docs = docs or _bundled_docs()
    patterns = _patterns(patterns_dir)
    with DemoSite(docs, out_dir / ".demo-port") as site:
        log.info("demo site at %s", site.url)
        code = _crawl_and_extract(demo_sources(site.url), out_dir, quiet, patterns)
    if (out_dir / "documents.jsonl").is_file():
        summary = make_report(out_dir, patterns)
        click.echo(f"report: {summary.index}")
    sys.exit(code)


def _bundled_docs() -> Path:
    for candidate in (Path("corpus/docs"), Path(__file__).resolve().parents[2] / "corpus" / "docs"):
        if candidate.is_dir():
            return candidate
    raise click.UsageError("no bundled corpus found: run from the repository, or give --corpus DIR")


if __name__ == "__main__":  # pragma: no cover
    main()
