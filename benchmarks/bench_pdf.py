"""PDF throughput and memory: bare parsing vs full extraction with each backend (vs camelot).

    python3 benchmarks/bench_pdf.py [FOLDER] [--repeat N] [--rounds N]

FOLDER defaults to corpus/docs. Each phase runs in a fresh process so its peak memory
(ru_maxrss) is its own, and is timed after its imports (and the vocabulary's loading); the
phases run in turn --rounds times (3), and the fastest round of each is reported:
  (a) bare pdfplumber: open every PDF and read every page's characters;
  (b) bare pypdfium2: open every PDF and read every page's characters (text page, boxes);
  (c) disclosure-extract, --pdf-backend pdfplumber: the full load + extraction of every PDF;
  (d) disclosure-extract, --pdf-backend pdfium: the same with PDFium;
  (e) the same in 2 worker processes (as --jobs 2), timed once they have started;
  (f) camelot lattice on the same files, when camelot is installed.
Then (d) runs again over the file list repeated --repeat times: a flat peak shows memory
does not grow with the number of documents. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _pages(paths: list[Path]) -> int:
    import pdfplumber

    total = 0
    for path in paths:
        with pdfplumber.open(path) as pdf:
            total += len(pdf.pages)
    return total


def _bare(paths: list[Path]) -> float:
    import pdfplumber

    start = time.perf_counter()
    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                _ = len(page.chars)
                page.flush_cache()
    return time.perf_counter() - start


def _pdfium_chars(paths: list[Path]) -> float:
    import pypdfium2 as pdfium

    start = time.perf_counter()
    for path in paths:
        pdf = pdfium.PdfDocument(path)
        for page in pdf:
            text = page.get_textpage()
            for i in range(text.count_chars()):
                text.get_charbox(i, loose=True)
            text.close()
            page.close()
        pdf.close()
    return time.perf_counter() - start


def _full(paths: list[Path], backend: str) -> float:
    # what a worker process imports: extraction, not the output writers (pyarrow) or pandas
    from disclosure_extract.document import extract_data
    from disclosure_extract.patterns import load_patterns

    patterns = load_patterns()
    start = time.perf_counter()
    for path in paths:
        extract_data(path.read_bytes(), str(path), patterns, backend)
    return time.perf_counter() - start


def _full_pdfplumber(paths: list[Path]) -> float:
    return _full(paths, "pdfplumber")


def _full_pdfium(paths: list[Path]) -> float:
    return _full(paths, "pdfium")


_worker_patterns: Any = None


def _worker_init() -> None:
    global _worker_patterns  # noqa: PLW0603 - one vocabulary per worker process
    from disclosure_extract.patterns import load_patterns

    _worker_patterns = load_patterns()


def _worker_extract(path: Path) -> None:
    from disclosure_extract.document import extract_data

    extract_data(path.read_bytes(), str(path), _worker_patterns, "pdfium")


def _full_pdfium_jobs(paths: list[Path]) -> float:
    """Seconds for the files in JOBS worker processes, once they have started (as in a long
    batch, where their start is paid once): the mean of three passes over them, given to
    the workers as one batch, so that one large file does not leave a worker idle."""
    from concurrent.futures import ProcessPoolExecutor

    # the largest first, so that the processes finish together
    ordered = sorted(paths, key=lambda p: -p.stat().st_size)
    with ProcessPoolExecutor(JOBS, mp.get_context("spawn"), initializer=_worker_init) as pool:
        list(pool.map(_worker_extract, ordered[-JOBS:]))  # start them: the smallest files
        start = time.perf_counter()
        list(pool.map(_worker_extract, ordered * PASSES))
        return (time.perf_counter() - start) / PASSES


def _camelot(paths: list[Path]) -> float:
    import camelot

    start = time.perf_counter()
    for path in paths:
        camelot.read_pdf(str(path), pages="all", flavor="lattice")
    return time.perf_counter() - start


JOBS = 2
PASSES = 3
PHASES = {
    "bare pdfplumber": _bare,
    "bare pypdfium2": _pdfium_chars,
    "full, pdfplumber backend": _full_pdfplumber,
    "full, pdfium backend": _full_pdfium,
    "full, pdfium backend, 2 jobs": _full_pdfium_jobs,
    "camelot lattice": _camelot,
}


def _child(phase: str, paths: list[Path], queue: Any) -> None:
    try:
        seconds = PHASES[phase](paths)
    except ImportError as exc:
        queue.put((phase, None, None, f"not installed ({exc.name})"))
        return
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put((phase, seconds, peak_mib, ""))


def run(phase: str, paths: list[Path]) -> tuple[float | None, float | None, str]:
    ctx = mp.get_context("spawn")  # a fresh interpreter: nothing measured is inherited
    queue = ctx.Queue()
    proc = ctx.Process(target=_child, args=(phase, paths, queue))
    proc.start()
    proc.join()
    _, seconds, peak, note = queue.get()
    return seconds, peak, note


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", default=str(Path(__file__).resolve().parents[1] / "corpus" / "docs"))
    ap.add_argument("--repeat", type=int, default=3, help="file-list repetitions for the memory-flatness run")
    ap.add_argument(
        "--rounds", type=int, default=3, help="runs of each phase, in turn; the fastest of each is reported"
    )
    args = ap.parse_args()
    paths = sorted(Path(args.folder).glob("*.pdf"))
    if not paths:
        print(f"no PDFs in {args.folder}", file=sys.stderr)
        return 2
    pages = _pages(paths)
    print(f"{len(paths)} PDFs, {pages} pages in {args.folder}")
    results: dict[str, float] = {}
    # every phase once per round, in turn: a slow spell of the machine hits all phases alike,
    # and the fastest of a phase's rounds is the least disturbed measure of it
    rounds = {phase: [run(phase, paths) for _ in range(1)] for phase in PHASES}
    for _ in range(args.rounds - 1):
        for phase in PHASES:
            rounds[phase].append(run(phase, paths))
    for phase in PHASES:
        measured = [r for r in rounds[phase] if r[0] is not None]
        seconds, peak, note = min(measured, key=lambda r: r[0] or 0.0) if measured else rounds[phase][0]
        if seconds is None:
            print(f"  {phase:30} {note}")
            continue
        results[phase] = pages / seconds
        print(f"  {phase:30} {seconds:7.2f} s  {pages / seconds:7.1f} pages/s  peak {peak:6.0f} MiB")
    bare = results.get("bare pdfplumber")
    for phase, speed in results.items():
        if bare and phase != "bare pdfplumber":
            print(f"{phase} / bare pdfplumber: {speed / bare:.2f}x")
    _, peak_1, _ = run("full, pdfium backend", paths)
    _, peak_n, _ = run("full, pdfium backend", paths * args.repeat)
    print(
        f"peak memory, full extraction (pdfium): {peak_1:.0f} MiB for {len(paths)} documents, "
        f"{peak_n:.0f} MiB for {len(paths) * args.repeat}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
