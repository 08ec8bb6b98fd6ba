"""Large batches: documents/s with 1 and with N jobs, and peak memory at 1x and 10x a batch.

    python3 benchmarks/bench_batch.py [--documents 1000] [--jobs 2] [--scale 10]

The batch is made from corpus/docs: copies of its files under new names and with one
byte appended (a trailing newline or PDF comment), so every copy has its own sha256 and
the cache cannot help. Each run is a fresh `disclosure-extract extract --no-cache` in its
own process; peak memory (ru_maxrss) is read for the parent and for its workers together
(the largest of them). Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "corpus" / "docs"
TAIL = {".pdf": b"\n%copy\n", ".html": b"\n", ".txt": b"\n", ".xls": b"", ".xlsx": b""}


def make_batch(folder: Path, documents: int) -> tuple[int, int]:
    """``documents`` distinct files; returns (files, PDF pages)."""
    import pypdfium2 as pdfium

    files = sorted(p for p in DOCS.iterdir() if TAIL.get(p.suffix))
    pages = {p: len(pdfium.PdfDocument(p)) if p.suffix == ".pdf" else 0 for p in files}
    folder.mkdir(parents=True)
    total_pages = 0
    for n in range(documents):
        source = files[n % len(files)]
        target = folder / f"{n:06d}-{source.name}"
        shutil.copyfile(source, target)
        with target.open("ab") as handle:
            handle.write(TAIL[source.suffix] * (1 + n // len(files)))
        total_pages += pages[source]
    return documents, total_pages


# Runs the command, then prints the largest resident size among the processes it waited
# for (the extract process and its workers), in KiB: one fresh measure per run.
MEASURE = (
    "import resource, subprocess, sys; code = subprocess.run(sys.argv[1:], capture_output=True).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)"
)

MEASURED = [sys.executable, "-c", MEASURE, sys.executable, "-m", "disclosure_extract.cli"]


def run(batch: Path, out: Path, jobs: int) -> tuple[float, float, int]:
    """Seconds, peak resident MiB of the largest process, exit status."""
    started = time.monotonic()
    proc = subprocess.run(
        [*MEASURED, "extract", str(batch), "-o", str(out), "--no-cache", "-q", "--jobs", str(jobs)],
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.monotonic() - started
    peak_kib, code = proc.stdout.split()
    return elapsed, int(peak_kib) / 1024, int(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--scale", type=int, default=0, help="also run a batch this many times larger")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docs, pages = make_batch(work / "batch", args.documents)
        print(f"batch: {docs} documents, {pages} PDF pages")
        single, peak1, code1 = run(work / "batch", work / "out1", 1)
        print(
            f"--jobs 1: {single:.1f} s, {docs / single:.2f} docs/s, {pages / single:.1f} pages/s, "
            f"exit {code1}"
        )
        multi, peak2, code2 = run(work / "batch", work / "out2", args.jobs)
        print(
            f"--jobs {args.jobs}: {multi:.1f} s, {docs / multi:.2f} docs/s, {pages / multi:.1f} pages/s, "
            f"exit {code2}; speed-up {single / multi:.2f}x"
        )
        same = all(
            (work / "out1" / name).read_bytes() == (work / "out2" / name).read_bytes()
            for name in ("documents.jsonl", "facts.csv", "panel.csv")
        )
        print(
            f"outputs identical: {same}; peak RSS: {peak1:.0f} MiB with 1 job, "
            f"{peak2:.0f} MiB with {args.jobs}"
        )
        if args.scale > 1:
            docs10, _ = make_batch(work / "batch10", args.documents * args.scale)
            big, peak10, code10 = run(work / "batch10", work / "out10", args.jobs)
            print(f"{docs10} documents: {big:.1f} s, exit {code10}; peak RSS {peak10:.0f} MiB")


if __name__ == "__main__":
    main()
