"""Write mutated copies of the bundled disclosures, for fuzzing the extractor.

    python3 scripts/fuzz_inputs.py FOLDER [--count 400] [--seed 1]
    disclosure-extract extract FOLDER -o OUT --timeout 60
    grep -l internal_error OUT/documents.jsonl    # should find nothing

Every format in corpus/ is mutated the ways files are damaged in the wild: bytes
overwritten, a block cut out or repeated, the end cut off, and, inside a ZIP (xlsx, docx),
one part's XML damaged while the container stays valid. The same seed makes the same files.
"""

from __future__ import annotations

import argparse
import io
import random
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("docs", "twins", "regress")
SUFFIXES = (".pdf", ".html", ".htm", ".txt", ".xlsx", ".xls", ".docx", ".doc")


def sources() -> list[Path]:
    """The bundled files to mutate, in a fixed order."""
    found = [p for folder in SOURCES for p in sorted((ROOT / "corpus" / folder).rglob("*"))]
    return [p for p in found if p.is_file() and p.suffix.lower() in SUFFIXES and p.stat().st_size < 3_000_000]


def _flip(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 20)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def _cut(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    return data[:start] + data[start + rng.randint(1, 4096) :]


def _repeat(data: bytes, rng: random.Random) -> bytes:
    start = rng.randrange(len(data))
    block = data[start : start + rng.randint(1, 4096)]
    return data[:start] + block * rng.randint(2, 50) + data[start:]


def _truncate(data: bytes, rng: random.Random) -> bytes:
    return data[: rng.randrange(1, len(data))]


def _zip_part(data: bytes, rng: random.Random) -> bytes:
    """One XML part of an Office package damaged, the container itself intact."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            parts = {info.filename: package.read(info) for info in package.infolist()}
    except zipfile.BadZipFile:
        return _flip(data, rng)
    xml = sorted(name for name in parts if name.endswith((".xml", ".rels")))
    if not xml:
        return _flip(data, rng)
    name = rng.choice(xml)
    parts[name] = rng.choice([_flip, _cut, _repeat, _truncate])(parts[name] or b" ", rng)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for part, body in parts.items():
            package.writestr(zipfile.ZipInfo(part, date_time=(2024, 1, 1, 0, 0, 0)), body)
    return buffer.getvalue()


MUTATIONS = {"flip": _flip, "cut": _cut, "repeat": _repeat, "truncate": _truncate}


def write_mutants(folder: Path, count: int, seed: int) -> list[Path]:
    """``count`` mutants of the bundled files in ``folder``, named after source and mutation."""
    rng = random.Random(seed)
    originals = sources()
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for number in range(count):
        source = originals[number % len(originals)]
        data = source.read_bytes()
        kinds = [*MUTATIONS, "zip_part"] if data[:2] == b"PK" else list(MUTATIONS)
        kind = rng.choice(kinds)
        mutate = _zip_part if kind == "zip_part" else MUTATIONS[kind]
        path = folder / f"{number:04d}_{kind}_{source.name}"
        path.write_bytes(mutate(data, rng) if data else data)
        written.append(path)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    write_mutants(args.folder, args.count, args.seed)


if __name__ == "__main__":
    main()
