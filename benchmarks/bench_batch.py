"""Large batches: documents/s with 1 and N jobs and on a local Dask cluster, and peak
memory at 1x and 10x a batch.

    python3 benchmarks/bench_batch.py [--documents 1000] [--jobs 2] [--dask] [--scale 10]

The batch is made from corpus/docs: copies of its files under new names and with bytes
appended (trailing newlines or PDF comments), so every copy has its own sha256 and the
cache cannot help. Each run is a fresh `disclosure-extract extract --no-cache` in its own
process. Peak memory is the high-water mark (VmHWM) of each process of the run, read from
/proc while it runs: the parent, and the largest of its workers. Prints figures; asserts
nothing.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
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


CLI = [sys.executable, "-m", "disclosure_extract.cli"]


def _descendants(pid: int) -> list[int]:
    children: list[int] = []
    # every thread's children: Dask starts its workers from a thread of the extract process
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return children + [d for c in children for d in _descendants(c)]


def _peak_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass
class Run:
    seconds: float
    parent_mib: float
    worker_mib: float  # the largest worker's peak
    code: int


def run(batch: Path, out: Path, *options: str) -> Run:
    """One extract run, its peaks sampled from /proc every 0.2 s."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [*CLI, "extract", str(batch), "-o", str(out), "--no-cache", "-q", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    peaks: dict[int, int] = {}
    while proc.poll() is None:
        for pid in (proc.pid, *_descendants(proc.pid)):
            peaks[pid] = max(peaks.get(pid, 0), _peak_kib(pid))
        time.sleep(0.2)
    elapsed = time.monotonic() - started
    workers = [kib for pid, kib in peaks.items() if pid != proc.pid]
    return Run(elapsed, peaks.get(proc.pid, 0) / 1024, max(workers, default=0) / 1024, proc.returncode)


def _line(label: str, r: Run, docs: int, pages: int, base: Run | None = None) -> str:
    speed = f"; speed-up {base.seconds / r.seconds:.2f}x" if base else ""
    return (
        f"{label}: {r.seconds:.1f} s, {docs / r.seconds:.2f} docs/s, {pages / r.seconds:.1f} pages/s, "
        f"exit {r.code}; peak {r.parent_mib:.0f} MiB parent, {r.worker_mib:.0f} MiB largest worker{speed}"
    )


def _same(a: Path, b: Path) -> bool:
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and ".cache" not in p.parts)
    return all((a / f).read_bytes() == (b / f).read_bytes() for f in files if f.name != ".lock")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--dask", action="store_true", help="also run on a local Dask cluster of --jobs workers"
    )
    parser.add_argument("--scale", type=int, default=0, help="also run a batch this many times larger")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docs, pages = make_batch(work / "batch", args.documents)
        print(f"batch: {docs} documents, {pages} PDF pages")
        # the baseline: one process, no worker (as --jobs 1 ran before every document had one)
        single = run(work / "batch", work / "out1", "--in-process")
        print(_line("--in-process", single, docs, pages))
        multi = run(work / "batch", work / "out2", "--jobs", str(args.jobs))
        print(_line(f"--jobs {args.jobs}", multi, docs, pages, single))
        print(f"outputs identical to --in-process: {_same(work / 'out1', work / 'out2')}")
        if args.dask:
            dask = run(work / "batch", work / "outd", "--dask", "local", "--jobs", str(args.jobs))
            print(_line(f"--dask local ({args.jobs} workers)", dask, docs, pages, single))
            print(f"outputs identical to --in-process: {_same(work / 'out1', work / 'outd')}")
        if args.scale > 1:
            shutil.rmtree(work / "out1")
            docs10, pages10 = make_batch(work / "batch10", args.documents * args.scale)
            big = run(work / "batch10", work / "out10", "--jobs", str(args.jobs))
            print(_line(f"{docs10} documents, --jobs {args.jobs}", big, docs10, pages10, None))
            print(
                f"peak at {args.scale}x the batch / at 1x: parent {big.parent_mib / multi.parent_mib:.2f}, "
                f"largest worker {big.worker_mib / multi.worker_mib:.2f}"
            )


if __name__ == "__main__":
    main()
