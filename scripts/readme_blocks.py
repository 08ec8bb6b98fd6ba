"""Run the README's code blocks as printed: every ```sh block with bash, every ```python block
with the project's Python, in order, from the repository root (the directory the README's
commands are written for). CI runs them on a fresh clone, so a command the README prints is a
command that works.

    python3 scripts/readme_blocks.py list                 # the blocks, numbered
    python3 scripts/readme_blocks.py show --match pytest  # the text of the blocks matching
    python3 scripts/readme_blocks.py run --skip pytest    # run all but those matching

Exit 0 when every block run exits 0; 1 at the first that does not (its output shown); 2 for
a usage error. Blocks in other fences (```yaml …) are not commands; a ```text block right
after a command's block is what it prints, and must be what it prints now.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FENCE = re.compile(r"^```(\w+)[^\n]*\n(.*?)^```\s*$", re.M | re.S)
RUNNABLE = ("sh", "python")


def blocks(readme: Path) -> list[tuple[int, str, str, str | None]]:
    """(line, language, text, the output printed for it or None) of each runnable block."""
    text = readme.read_text(encoding="utf-8")
    found: list[tuple[int, str, str, str | None]] = []
    matches = list(FENCE.finditer(text))
    for n, match in enumerate(matches):
        if match.group(1) not in RUNNABLE:
            continue
        line = text.count("\n", 0, match.start()) + 1
        after = matches[n + 1] if n + 1 < len(matches) else None
        printed = None
        if after is not None and after.group(1) == "text" and not text[match.end() : after.start()].strip():
            printed = after.group(2)
        found.append((line, match.group(1), match.group(2), printed))
    return found


def run_block(language: str, text: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """Run one block in ``cwd`` (the repository root, or a folder laid out like it)."""
    if language == "sh":
        command = ["bash", "-euo", "pipefail", "-c", text]
    else:
        python = cwd / ".venv" / "bin" / "python"
        command = [str(python if python.exists() else sys.executable), "-c", text]
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("list", "show", "run"))
    parser.add_argument("--readme", type=Path, default=ROOT / "README.md")
    parser.add_argument("--match", help="only the blocks containing this text")
    parser.add_argument("--skip", action="append", default=[], help="not the blocks containing this text")
    args = parser.parse_args(argv)
    chosen = [
        block
        for block in blocks(args.readme)
        if (args.match is None or args.match in block[2]) and not any(s in block[2] for s in args.skip)
    ]
    if args.action == "list":
        for line, language, text, _ in chosen:
            _say(f"{args.readme.name}:{line} [{language}] {text.strip().splitlines()[0]}")
        return 0
    if args.action == "show":
        _say("\n".join(text.rstrip("\n") for _, _, text, _ in chosen))
        return 0
    for line, language, text, printed in chosen:
        _say(f"--- {args.readme.name}:{line} [{language}]")
        done = run_block(language, text)
        sys.stdout.write(done.stdout)
        if done.returncode != 0:
            sys.stderr.write(done.stderr)
            sys.stderr.write(f"{args.readme.name}:{line}: exit {done.returncode}\n")
            return 1
        if printed is not None and done.stdout != printed:
            sys.stderr.write(f"{args.readme.name}:{line}: prints other than the README shows\n")
            return 1
    _say(f"{len(chosen)} README blocks ran, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
