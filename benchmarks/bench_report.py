"""The report at scale: time and size of the report folder for N documents.

    python3 benchmarks/bench_report.py [--documents N] [--corpus DIR]

Extracts the corpus (default corpus/docs) once, then makes a dataset of N documents by
publishing each file under several names (symbolic links: distinct sources, the same
bytes), and writes the report of it twice: (1) cold, every page crop rendered; (2) warm,
the crops already there, as when a dataset grows by a crawl. Prints the times, the
number of pages and crops, the folder's size and the size of index.html. Asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from disclosure_extract import load_patterns  # noqa: E402
from disclosure_extract.pipeline import discover, make_report, run_batch  # noqa: E402
from disclosure_extract.write import loads_record  # noqa: E402


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--corpus", type=Path, default=ROOT / "corpus" / "docs")
    args = parser.parse_args()
    patterns = load_patterns()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        files = sorted(p for p in args.corpus.iterdir() if p.is_file())
        published = work / "published"
        published.mkdir()
        links = []
        for n in range(args.documents):
            source = files[n % len(files)]
            link = published / f"{n:05d}-{source.name}"
            os.symlink(source.resolve(), link)
            links.append(link)
        out = work / "out"
        started = time.monotonic()
        run_batch(discover([published]), out, patterns)
        elapsed = time.monotonic() - started
        print(f"extract: {len(links)} documents in {elapsed:.1f} s (repeated files come from the cache)")
        lines = (out / "documents.jsonl").read_text(encoding="utf-8").splitlines()
        records = [loads_record(line) for line in lines]
        for label in ("cold (crops rendered)", "warm (crops reused)"):
            started = time.monotonic()
            summary = make_report(records, out, patterns)
            elapsed = time.monotonic() - started
            folder = out / "report"
            index_kib = (folder / "index.html").stat().st_size / 2**10
            print(
                f"report {label}: {summary.documents} documents, {summary.crops} crops shown, "
                f"{len(list((folder / 'crops').iterdir()))} crop files, {elapsed:.1f} s, "
                f"folder {_size(folder) / 2**20:.1f} MiB, index.html {index_kib:.0f} KiB"
            )


if __name__ == "__main__":
    main()
