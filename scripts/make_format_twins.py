"""Re-create corpus/twins: Word and RTF twins of annotated disclosures, made with LibreOffice.

    .venv/bin/python scripts/make_format_twins.py      (needs soffice on PATH)

Departments publish the same 部门预算/决算 as a web page, a Word file or a PDF. The corpus
has no real Word file with a truth file yet, so each annotated HTML page below is saved
by LibreOffice as .docx and as .doc (Word 97), two of them as .rtf too, the way an office
re-saves a page: the same text, the same tables with their merged cells. Each twin must
give the facts its original's truth file states (tests/test_word.py). Two regression
pages whose tables merge cells down and across get .docx twins as well.

One more twin carries its table the way many real Word disclosures do: as an embedded
Excel workbook shown as a picture. It is the .docx twin of pingtan_2014_final_jianchayuan
with its 收入支出决算批复表 replaced by corpus/regress/jianchayuan_2014_final_table.xlsx
(that table saved as a workbook by scripts/make_xlsx_fixture.py), embedded as an OLE
object exactly where the table stood.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "corpus" / "docs"
TWINS = ROOT / "corpus" / "twins"
ORIGINALS = [
    "pingtan_2014_final_dongxiangxiang.html",
    "pingtan_2014_final_jianchayuan.html",
    "pingtan_2015_budget_guanweihuibangongshi.html",
    "pingtan_2015_final_fayuan.html",
    "pingtan_2016_budget_gonganju.html",
    "pingtan_2016_final_jianchayuan.html",
    "pingtan_2017_budget_renda.html",
    "pingtan_2018_budget_jingjifazhanju.html",
]
RTF = ORIGINALS[-2:]
# regression pages whose tables merge cells down (rowspan → vMerge) and across: .docx twins
MERGED = ["indicator_grid_three_levels_rowspan.html", "project_performance_forms_two_in_one_table.html"]
FILTERS = {"docx": "docx:MS Word 2007 XML", "doc": "doc:MS Word 97", "rtf": "rtf:Rich Text Format"}
EMBEDDED_FROM = "pingtan_2014_final_jianchayuan"
WORKBOOK = ROOT / "corpus" / "regress" / "jianchayuan_2014_final_table.xlsx"
NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "v": "urn:schemas-microsoft-com:vml",
    "o": "urn:schemas-microsoft-com:office:office",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PACKAGE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/package"


def _convert(source: Path, fmt: str, out: Path, profile: Path) -> Path:
    subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation={profile.as_uri()}",
            "--infilter=HTML (StarWriter)",
            "--convert-to",
            FILTERS[fmt],
            "--outdir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / f"{source.stem}.{fmt}"


def _embed_workbook(twin: Path, target: Path) -> None:
    """The twin with its first table replaced by the workbook as an embedded OLE object."""
    document = docx.Document(str(twin))
    body = document.element.body
    table = body.find("w:tbl", NS)
    part = Part(PackURI("/word/embeddings/Microsoft_Excel_Worksheet1.xlsx"), XLSX_TYPE, WORKBOOK.read_bytes())
    rel_id = document.part.relate_to(part, PACKAGE_REL)
    paragraph = etree.fromstring(
        f"""<w:p xmlns:w="{NS["w"]}" xmlns:v="{NS["v"]}" xmlns:o="{NS["o"]}" xmlns:r="{NS["r"]}">
  <w:r><w:object w:dxaOrig="8000" w:dyaOrig="3000">
    <v:shape id="_x0000_i1025" type="#_x0000_t75" style="width:400pt;height:150pt"/>
    <o:OLEObject Type="Embed" ProgID="Excel.Sheet.12" ShapeID="_x0000_i1025"
                 DrawAspect="Content" ObjectID="_1500000001" r:id="{rel_id}"/>
  </w:object></w:r>
</w:p>"""
    )
    table.addprevious(copy.deepcopy(paragraph))
    body.remove(table)
    document.save(str(target))


def main() -> None:
    if shutil.which("soffice") is None:
        raise SystemExit("soffice is not on PATH: apt-get install libreoffice-writer-nogui")
    TWINS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in ORIGINALS:
            for fmt in ("docx", "doc", *(("rtf",) if name in RTF else ())):
                made = _convert(DOCS / name, fmt, work / "out", work / "profile")
                shutil.copyfile(made, TWINS / made.name)
        for name in MERGED:
            made = _convert(ROOT / "corpus" / "regress" / name, "docx", work / "out", work / "profile")
            shutil.copyfile(made, TWINS / made.name)
        _embed_workbook(TWINS / f"{EMBEDDED_FROM}.docx", TWINS / f"{EMBEDDED_FROM}_embedded_workbook.docx")


if __name__ == "__main__":
    main()
