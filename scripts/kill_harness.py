"""Kill a batch with SIGKILL at random moments, and check that nothing was lost or left behind.

    python3 scripts/kill_harness.py [--kills 20] [--documents 100] [--seed 7] [--work DIR]

A batch of ``--documents`` files (the bundled corpus, repeated under other names to the count)
is extracted once without a kill: the reference. Then, ``--kills`` times, the same batch is
started into one output folder and killed with SIGKILL (the batch's process only, as the OOM
killer or an operator would) at a random moment within the reference run's duration, and run
again to the end. After each kill:

- no process the killed batch started may still run (its workers end with it);
- the rerun is not refused (the folder's lock went with the killed process) and exits 0;
- its outputs are byte for byte the reference's (run.json aside: it names the folder);
- no temporary file, journal or staging file is left in the output folder.

It prints one line per kill and a total, and exits 1 when any kill showed a problem.
"""

from __future__ import annotations

import argparse
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "disclosure_extract.cli"]
# what a finished output folder may hold besides the outputs
HIDDEN_KEPT = {".lock", ".cache", ".demo-port"}


def make_batch(folder: Path, documents: int) -> None:
    """``documents`` files from the bundled corpus, repeated under other names as needed."""
    sources = sorted(p for p in (ROOT / "corpus" / "docs").iterdir() if p.is_file())
    folder.mkdir(parents=True)
    for n in range(documents):
        source = sources[n % len(sources)]
        (folder / f"{n:03d}_{source.name}").write_bytes(source.read_bytes())


def outputs(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".cache" not in p.parts and p.name not in (".lock", "run.json")
    }


def leftovers(folder: Path) -> list[str]:
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob(".*")
        if ".cache" not in p.relative_to(folder).parts[:-1] and p.name not in HIDDEN_KEPT
    )


def descendants(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents[int(stat.parent.name)] = int(fields[1])
    found, frontier = [], [pid]
    while frontier:
        below = [child for child, parent in parents.items() if parent in frontier]
        found += below
        frontier = below
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def extract(batch: Path, out: Path, jobs: int) -> subprocess.Popen[bytes]:
    command = [*CLI, "extract", str(batch), "-o", str(out), "-q", "--jobs", str(jobs)]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def one_kill(batch: Path, out: Path, reference: dict[str, bytes], after: float, jobs: int) -> list[str]:
    """Start, kill -9 after ``after`` seconds, rerun; the problems seen."""
    problems = []
    process = extract(batch, out, jobs)
    time.sleep(after)
    below = descendants(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    for _ in range(100):  # the workers end with the batch (a pidfd watch): within seconds
        running = [p for p in below if alive(p)]
        if not running:
            break
        time.sleep(0.1)
    if running:
        problems.append(f"{len(running)} process(es) of the killed batch still running")
    rerun = extract(batch, out, jobs)
    _, err = rerun.communicate(timeout=1800)
    if rerun.returncode != 0:
        problems.append(f"the rerun exited {rerun.returncode}: {err.decode(errors='replace')[-300:]}")
    if outputs(out) != reference:
        differing = sorted(set(outputs(out).items()) ^ set(reference.items()))
        problems.append(f"outputs differ from the reference: {sorted({name for name, _ in differing})[:5]}")
    left = leftovers(out)
    if left:
        problems.append(f"left behind: {left[:5]}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--work", type=Path, help="a folder to work in (default: a temporary one)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="kill-harness-"))
    shutil.rmtree(work / "batch", ignore_errors=True)
    make_batch(work / "batch", args.documents)
    started = time.monotonic()
    reference_run = extract(work / "batch", work / "reference", args.jobs)
    _, err = reference_run.communicate(timeout=3600)
    duration = time.monotonic() - started
    if reference_run.returncode != 0:
        sys.stderr.write(
            f"the reference run exited {reference_run.returncode}: {err.decode(errors='replace')}\n"
        )
        return 2
    reference = outputs(work / "reference")
    started = time.monotonic()
    extract(work / "batch", work / "reference", args.jobs).communicate(timeout=3600)
    cached = time.monotonic() - started  # every document from the cache: the writing and commit
    sys.stdout.write(f"reference: {args.documents} documents in {duration:.1f} s ({cached:.1f} s cached)\n")
    rng = random.Random(args.seed)
    failed = 0
    for k in range(1, args.kills + 1):
        # odd kills land in an extraction from nothing, even ones in a run from the cache
        # (mostly writing and committing the outputs): anywhere within such a run's time
        if k % 2:
            shutil.rmtree(work / "killed" / ".cache", ignore_errors=True)
        after = rng.uniform(0.2, max(0.5, duration if k % 2 else cached))
        problems = one_kill(work / "batch", work / "killed", reference, after, args.jobs)
        failed += bool(problems)
        sys.stdout.write(f"kill {k}: after {after:.1f} s: {'; '.join(problems) or 'ok'}\n")
        sys.stdout.flush()
    sys.stdout.write(f"kills: {args.kills}, with problems: {failed}\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
