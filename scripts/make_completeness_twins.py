"""Re-create corpus/completeness: real disclosures with one required item taken out.

    pip install pypdf   # only this script needs it
    python3 scripts/make_completeness_twins.py

- the Jiangsu 2019 budget tables without their page 9, the “三公” table: required_tables must
  name that table as missing;
- the Pingtan 2016 final account page without its list of attachments: its tables are then
  missing, except the 政府性基金 one, which the page explains (本表无数据).
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader, PdfWriter

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "corpus" / "docs"
OUT = ROOT / "corpus" / "completeness"


def main() -> None:
    OUT.mkdir(exist_ok=True)
    source = DOCS / "2019_budget_jiangsu_prov_rendachangweihui_office_tables.pdf"
    writer = PdfWriter()
    for number, page in enumerate(PdfReader(source).pages, 1):
        if number != 9:  # 公开表九: “三公”经费、会议费、培训费支出预算表
            writer.add_page(page)
    writer.add_metadata({"/Producer": "disclosure-extract make_completeness_twins.py"})
    target = OUT / "2019_budget_jiangsu_prov_rendachangweihui_office_tables_without_sangong.pdf"
    with target.open("wb") as fh:
        writer.write(fh)

    lines = (DOCS / "pingtan_2016_final_jianchayuan.html").read_text(encoding="utf-8").split("\n")
    # the source lines from "附件：" to the last attachment (10. 政府采购情况表), tags and all
    first = next(n for n, line in enumerate(lines) if "附件：" in line)
    last = next(n for n in range(first, len(lines)) if "政府采购情况表" in lines[n])
    kept = "\n".join(lines[:first] + lines[last + 1 :])
    (OUT / "pingtan_2016_final_jianchayuan_without_attachment_list.html").write_text(kept, encoding="utf-8")


if __name__ == "__main__":
    main()
