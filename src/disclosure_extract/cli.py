"""The command line: ``disclosure-extract COMMAND …``.

Data goes to files (or stdout where a command says so), logs to stderr.
Exit status: 0 every document extracted, 1 some failed, 2 usage error.
"""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click
from tqdm import tqdm

from . import __version__
from .errors import PatternError
from .evaluate import TruthError, format_report
from .evaluate import evaluate as run_evaluation
from .patterns import load_patterns
from .pipeline import DEFAULT_MAX_BYTES, discover, run_batch

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2
# Without a terminal, a log line every this many documents shows a batch is alive.
LOG_EVERY = 50

log = logging.getLogger("disclosure_extract")


def _setup_logging(verbose: int, quiet: bool) -> None:
    level = logging.WARNING if quiet else (logging.DEBUG if verbose > 1 else logging.INFO)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(level)
    log.propagate = False


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="disclosure-extract")
def main() -> None:
    """Extract checked, normalized data from Chinese budget disclosures (部门预算/决算公开).

    Every value comes with its evidence: source, sha256, page or line, table cell or
    character span, the original text and unit, and how it was obtained.
    """


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("out"),
    show_default=True,
    help="Folder for documents.jsonl, facts.csv, indicators.csv and tables/.",
)
@click.option(
    "--patterns",
    "patterns_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Use the pattern vocabulary in this folder instead of the bundled one.",
)
@click.option(
    "--max-bytes",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_BYTES,
    show_default=True,
    help="Refuse inputs larger than this (reported as a too_large issue).",
)
@click.option("--no-cache", is_flag=True, help="Re-extract every document instead of reusing OUT/.cache.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors on stderr; no progress bar.")
@click.option("-v", "--verbose", count=True, help="More log detail (-vv for debug).")
def extract(
    paths: tuple[Path, ...],
    out_dir: Path,
    patterns_dir: Path | None,
    max_bytes: int,
    no_cache: bool,
    quiet: bool,
    verbose: int,
) -> None:
    """Extract every PATH (a file, or a folder read recursively) into OUT.

    Writes OUT/documents.jsonl (one object per input), OUT/facts.csv,
    OUT/indicators.csv and OUT/tables/*.csv. A document that cannot be read gets an
    entry in its issues list and the batch goes on. Exit status 0 when every document
    extracted, 1 when some failed, 2 on a usage error.
    """
    _setup_logging(verbose, quiet)
    try:
        patterns = load_patterns(patterns_dir)
    except PatternError as exc:
        raise click.UsageError(f"bad pattern vocabulary: {exc}") from exc
    inputs = discover(paths)
    if not inputs:
        raise click.UsageError("no files found under the given paths")
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
            inputs, out_dir, patterns, max_bytes=max_bytes, use_cache=not no_cache, progress=progress
        )
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


@main.command()
@click.argument("output", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--truth",
    "truth_dir",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of hand-annotated truth files (*.json).",
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
def evaluate(
    output: Path,
    truth_dir: Path,
    fmt: str,
    verbose: bool,
    min_precision: float,
    min_recall: float,
    min_indicator_f1: float,
) -> None:
    """Score OUTPUT (a folder or its documents.jsonl) against truth files.

    Prints precision and recall of fields and the f1 of indicators, per document
    and (with -v) per field. Exit status 1 when a --min-* floor is missed.
    """
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


if __name__ == "__main__":  # pragma: no cover
    main()
