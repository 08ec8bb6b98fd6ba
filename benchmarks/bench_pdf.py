"""PDF throughput and memory: bare pdfplumber parsing vs full extraction (vs camelot).

    python3 benchmarks/bench_pdf.py [FOLDER] [--repeat N]

FOLDER defaults to corpus/docs. Each phase runs in a fresh process so its peak memory
(ru_maxrss) is its own:
  (a) bare pdfplumber: open every PDF and read every page's characters;
  (b) disclosure-extract: the full load + extraction of every PDF;
  (c) camelot lattice on the same files, when camelot is installed.
Then (b) runs again over the file list repeated --repeat times: a flat peak shows memory
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


def _bare(paths: list[Path]) -> None:
    import pdfplumber

    for path in paths:
        with pdfplumber.open(path) as pdf:
            for page in pdf.pages:
                _ = len(page.chars)
                page.flush_cache()


def _full(paths: list[Path]) -> None:
    # what a worker process imports: extraction, not the output writers (pyarrow) or pandas
    from disclosure_extract.document import extract_data
    from disclosure_extract.patterns import load_patterns

    patterns = load_patterns()
    for path in paths:
        extract_data(path.read_bytes(), str(path), patterns)


def _camelot(paths: list[Path]) -> None:
    import camelot

    for path in paths:
        camelot.read_pdf(str(path), pages="all", flavor="lattice")


PHASES = {"bare": _bare, "full": _full, "camelot": _camelot}


def _child(phase: str, paths: list[Path], queue: Any) -> None:
    start = time.perf_counter()
    try:
        PHASES[phase](paths)
    except ImportError as exc:
        queue.put((phase, None, None, f"not installed ({exc.name})"))
        return
    seconds = time.perf_counter() - start
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
    args = ap.parse_args()
    paths = sorted(Path(args.folder).glob("*.pdf"))
    if not paths:
        print(f"no PDFs in {args.folder}", file=sys.stderr)
        return 2
    pages = _pages(paths)
    print(f"{len(paths)} PDFs, {pages} pages in {args.folder}")
    results: dict[str, float] = {}
    for phase in ("bare", "full", "camelot"):
        seconds, peak, note = run(phase, paths)
        if seconds is None:
            print(f"  {phase:8} {note}")
            continue
        results[phase] = pages / seconds
        print(f"  {phase:8} {seconds:7.2f} s  {pages / seconds:7.1f} pages/s  peak {peak:6.0f} MiB")
    if "bare" in results:
        print(f"full / bare pdfplumber: {results['full'] / results['bare']:.2f}  (target >= 0.6)")
    if "camelot" in results:
        print(f"full / camelot lattice: {results['full'] / results['camelot']:.2f}  (target >= 3)")
    _, peak_1, _ = run("full", paths)
    _, peak_n, _ = run("full", paths * args.repeat)
    print(
        f"peak memory, full extraction: {peak_1:.0f} MiB for {len(paths)} documents, "
        f"{peak_n:.0f} MiB for {len(paths) * args.repeat}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
