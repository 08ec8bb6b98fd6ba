"""Re-create the bad-PDF regression files in corpus/bad (deterministic).

    pip install pypdf   # only this script needs it; the project and its tests do not
    python3 scripts/make_bad_pdfs.py

Each file is made from a real bundled disclosure, so the failures are realistic.
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

from PIL import Image
from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parents[1]
BAD = ROOT / "corpus" / "bad"
SOURCE = ROOT / "corpus" / "docs" / "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf"


def main() -> None:
    data = SOURCE.read_bytes()
    # encrypted with a user password: unreadable without it
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    with (BAD / "encrypted.pdf").open("wb") as fh:
        writer.write(fh)
    # truncated: the download stopped half way
    (BAD / "truncated.pdf").write_bytes(data[: len(data) // 2])
    # damaged: the header survives, everything after it is overwritten
    damaged = bytearray(data)
    for i in range(64, len(damaged), 7):
        damaged[i] = (damaged[i] * 31 + 17) % 256
    (BAD / "damaged.pdf").write_bytes(bytes(damaged))
    # zero pages: a well-formed PDF whose page tree is empty
    empty = PdfWriter()
    buffer = io.BytesIO()
    empty.write(buffer)
    (BAD / "zero_pages.pdf").write_bytes(buffer.getvalue())
    # image-only: a scan with no text layer
    image = Image.new("RGB", (600, 800), "white")
    for x in range(100, 500):
        for y in (200, 300, 400):
            image.putpixel((x, y), (0, 0, 0))
    image.save(BAD / "image_only_scan.pdf", "PDF", resolution=72.0)
    # a real disclosure served with the wrong name: the format is sniffed from the bytes
    shutil.copy(SOURCE, BAD / "real_pdf_named.html")


if __name__ == "__main__":
    main()
