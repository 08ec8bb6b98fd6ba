"""Re-create corpus/regress/unruled_table_below_the_page_edge.pdf from a real published PDF.

    .venv/bin/python scripts/make_unclipped_page.py

Page 11 of 2017_budget_jiangsu_prov_rendachangweihui_office.pdf shows 财政拨款支出预算表;
its producer placed two more tables below the page's bottom edge, where no viewer shows
them (the extractor ignores such text: `off_page_text`). One of them, 财政拨款基本支出预算表,
is the corpus's only table printed without ruling lines. This script keeps that page and
enlarges it downward so all three tables are on the page: the content is untouched,
moved up by the added height.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter, Transformation

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "corpus" / "docs" / "2017_budget_jiangsu_prov_rendachangweihui_office.pdf"
TARGET = ROOT / "corpus" / "regress" / "unruled_table_below_the_page_edge.pdf"
PAGE = 11
ADDED = 1900.0  # points: the hidden tables reach 1,844 points below the edge


def main() -> None:
    writer = PdfWriter()
    writer.add_page(PdfReader(SOURCE).pages[PAGE - 1])
    page = writer.pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    page.add_transformation(Transformation().translate(0, ADDED))
    for box in (page.mediabox, page.cropbox):
        box.lower_left = (0, 0)
        box.upper_right = (width, height + ADDED)
    writer.add_metadata({"/Title": f"{SOURCE.name}, page {PAGE} enlarged to show the tables below its edge"})
    with TARGET.open("wb") as handle:
        writer.write(handle)


if __name__ == "__main__":
    main()
