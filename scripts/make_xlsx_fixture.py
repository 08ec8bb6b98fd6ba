"""Re-create corpus/regress/jianchayuan_2014_final_table.xlsx from the real published page.

    python3 scripts/make_xlsx_fixture.py

The table of pingtan_2014_final_jianchayuan.html (a real 收入支出决算批复表) written as an
Excel workbook the way an office saves one: numbers as numbers, the title as a merged row.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import openpyxl

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    page = lxml.html.parse(str(ROOT / "corpus" / "docs" / "pingtan_2014_final_jianchayuan.html")).getroot()
    table = page.xpath("//table")[0]
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "收入支出决算批复表"
    for tr in table.iter("tr"):
        row = []
        for td in tr.iter("td", "th"):
            text = " ".join(td.text_content().split())
            number = text.replace(",", "")
            row.append(float(number) if number.replace(".", "", 1).isdigit() else text or None)
        ws.append(row)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=3)
    ws["A1"] = "2014年收入支出决算批复表"
    book.properties.creator = "disclosure-extract fixture"
    book.save(ROOT / "corpus" / "regress" / "jianchayuan_2014_final_table.xlsx")


if __name__ == "__main__":
    main()
