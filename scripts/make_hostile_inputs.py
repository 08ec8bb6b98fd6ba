"""Re-create the hostile-input regression files in corpus/hostile (deterministic).

    python3 scripts/make_hostile_inputs.py [FOLDER]     # default: corpus/hostile

One small file per class of input that once hung a batch, took gigabytes or ended as an
``internal_error`` (issue 14). Every file is written byte by byte (no PDF or Office
library), so a file is exactly the shape it is named for, however absurd; tests assert
each one's issue code and that it ends in bounded time.
"""

from __future__ import annotations

import io
import struct
import sys
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOSTILE = ROOT / "corpus" / "hostile"
DOCX_SOURCE = ROOT / "corpus" / "twins" / "pingtan_2017_budget_renda.docx"
XLS_SOURCE = ROOT / "corpus" / "regress" / "2026_budget_template_shanghai_putuo_unit.xls"

PAGE_TEXT = b"BT /F1 12 Tf 72 720 Td (2024 budget) Tj ET"
FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF of ``objects`` (object n is objects[n - 1]) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


def stream(content: bytes, filters: int = 0) -> bytes:
    """A stream object's body, its content deflated ``filters`` times."""
    for _ in range(filters):
        content = zlib.compress(content, 9)
    names = b" ".join([b"/FlateDecode"] * filters)
    head = (
        b"<< /Length %d /Filter [%s] >>" % (len(content), names)
        if filters
        else b"<< /Length %d >>" % len(content)
    )
    return head + b"\nstream\n" + content + b"\nendstream"


def one_page(page: bytes, *rest: bytes) -> bytes:
    """Catalog, page tree, ``page`` (object 3) and the objects after it (4, 5 …)."""
    return pdf(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page, *rest]
    )


PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "


def pdf_files() -> dict[str, bytes]:
    files = {
        # /Contents is a reference to itself: pdfminer's resolve1 follows it forever
        "pdf_contents_self_reference.pdf": one_page(PAGE + b"/Contents 4 0 R >>", b"4 0 R", FONT),
        # /Contents refers to an object that refers back to it
        "pdf_contents_cycle.pdf": one_page(PAGE + b"/Contents 4 0 R >>", b"6 0 R", FONT, b"4 0 R"),
        # /MediaBox is a reference to itself
        "pdf_mediabox_self_reference.pdf": one_page(
            b"<< /Type /Page /Parent 2 0 R /MediaBox 4 0 R /Resources << /Font << /F1 5 0 R >> >> "
            b"/Contents 6 0 R >>",
            b"4 0 R",
            FONT,
            stream(PAGE_TEXT),
        ),
        # the page dictionary is an integer
        "pdf_page_not_a_dictionary.pdf": pdf(
            [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", b"42"]
        ),
        # a 150 x 150 ruled grid: 22,500 cells of table finding in 3 KB
        "pdf_ruled_grid_150.pdf": one_page(PAGE + b"/Contents 4 0 R >>", stream(_grid(150), 1), FONT),
        # one content stream that inflates to 300 MB (deflated twice, a few hundred bytes)
        "pdf_inflates_to_300mb.pdf": one_page(
            PAGE + b"/Contents 4 0 R >>", stream(b" " * 300_000_000, 2), FONT
        ),
    }
    # a page tree 3,000 levels deep
    depth = 3000
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>"]
    for level in range(depth):
        number = level + 2
        parent = b"/Parent %d 0 R " % (number - 1) if level else b""
        objects.append(b"<< /Type /Pages %s/Kids [%d 0 R] /Count 1 >>" % (parent, number + 1))
    leaf = depth + 2
    objects.append(
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> "
        b"/Contents %d 0 R >>" % (leaf - 1, leaf + 1, leaf + 2)
    )
    objects += [FONT, stream(PAGE_TEXT)]
    files["pdf_page_tree_3000_deep.pdf"] = pdf(objects)
    return files


def _grid(n: int) -> bytes:
    """A ruled grid of n x n cells, a number written in every tenth row's cells."""
    lines = [b"0.5 w"]
    for row in range(0, n, 10):
        for col in range(n):
            x, y = 41 + col * 3.5, 41 + row * 3.5
            lines.append(b"BT /F1 2 Tf %.1f %.1f Td (%d) Tj ET" % (x, y, row + col))
    for i in range(n + 1):
        at = 40 + i * 3.5
        lines.append(b"%.1f 40 m %.1f %.1f l S" % (at, at, 40 + n * 3.5))
        lines.append(b"40 %.1f m %.1f %.1f l S" % (at, 40 + n * 3.5, at))
    return b"\n".join(lines)


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)


def xlsx(sheet: bytes, shared: bytes | None = None, prolog: bytes = b"") -> bytes:
    """A one-sheet workbook whose sheet1.xml is ``sheet`` (and sharedStrings.xml ``shared``)."""
    ns = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pkg = b"http://schemas.openxmlformats.org/package/2006"
    office = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="%s/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        b"%s</Types>"
        % (
            pkg,
            b'<Override PartName="/xl/sharedStrings.xml" '
            b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
            if shared is not None
            else b"",
        ),
        "_rels/.rels": b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="%s/relationships">'
        b'<Relationship Id="rId1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        % (pkg, office),
        "xl/workbook.xml": b'<?xml version="1.0" encoding="UTF-8"?>%s<workbook %s %s><sheets>'
        b'<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>' % (prolog, ns, rel),
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<Relationships xmlns="%s/relationships">'
        b'<Relationship Id="rId1" Type="%s/worksheet" Target="worksheets/sheet1.xml"/>%s</Relationships>'
        % (
            pkg,
            office,
            b'<Relationship Id="rId2" Type="%s/sharedStrings" Target="sharedStrings.xml"/>' % office
            if shared is not None
            else b"",
        ),
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, body in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, body)
    return buffer.getvalue()


def _cell(ref: bytes, value: bytes) -> bytes:
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (ref, value)


def xlsx_files() -> dict[str, bytes]:
    data = b'<sheetData><row r="1">%s</row></sheetData>' % _cell(b"A1", b"2024")
    # cells without addresses (they are optional): each row the same bytes, so it deflates small
    rows = b"<row>" + b"<c><v>1234.56</v></c>" * 10 + b"</row>"
    rows *= 100_000
    laughs = b"".join(
        b'<!ENTITY l%d "&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;&l%d;">' % ((i,) + (i - 1,) * 10)
        for i in range(1, 10)
    )
    return {
        # one merge over the whole sheet: 17 billion cells
        "xlsx_merge_whole_sheet.xlsx": xlsx(
            SHEET_HEAD
            + data
            + b'<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells></worksheet>'
        ),
        # one stray cell at the last row and column
        "xlsx_cell_at_xfd1048576.xlsx": xlsx(
            SHEET_HEAD
            + b'<sheetData><row r="1">%s</row><row r="1048576">%s</row></sheetData></worksheet>'
            % (_cell(b"A1", b"2024"), _cell(b"XFD1048576", b"x"))
        ),
        # 100,000 rows of 10 numbers
        "xlsx_100000_rows.xlsx": xlsx(SHEET_HEAD + b"<sheetData>" + rows + b"</sheetData></worksheet>"),
        # one shared string of 120 MB
        "xlsx_shared_string_120mb.xlsx": xlsx(
            SHEET_HEAD + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
            shared=b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'count="1" uniqueCount="1"><si><t>' + b"a" * 120_000_000 + b"</t></si></sst>",
        ),
        # an external entity (XXE) naming a local file
        "xlsx_external_entity.xlsx": xlsx(
            b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            + SHEET_HEAD.split(b"\n", 1)[1]
            + b'<sheetData><row r="1">%s</row></sheetData></worksheet>' % _cell(b"A1", b"&xxe;")
        ),
        # nested entities: a billion laughs
        "xlsx_billion_laughs.xlsx": xlsx(
            b'<?xml version="1.0" encoding="UTF-8"?><!DOCTYPE worksheet [<!ENTITY l0 "lol">%s]>' % laughs
            + SHEET_HEAD.split(b"\n", 1)[1]
            + b'<sheetData><row r="1">%s</row></sheetData></worksheet>' % _cell(b"A1", b"&l9;")
        ),
    }


def other_files() -> dict[str, bytes]:
    xls = XLS_SOURCE.read_bytes()
    damaged = bytearray(xls)
    for i in range(2048, len(damaged), 11):  # the header and directory survive, the streams do not
        damaged[i] = (damaged[i] * 31 + 17) % 256
    # a real page with a few C0 control characters in its text (lxml refuses them)
    page = (ROOT / "corpus" / "docs" / "pingtan_2017_budget_renda.html").read_text(encoding="utf-8")
    page = (
        page.replace("一、", "一\x00、", 1).replace("二、", "二\x01\x0b、", 1).replace("合计", "合\x1f计", 1)
    )
    # the first MERGEDCELLS record's first range widened to the whole sheet (65,536 x 256)
    merge = bytearray(xls)
    at = merge.find(b"\xe5\x00")
    merge[at + 6 : at + 14] = struct.pack("<HHHH", 0, 65535, 0, 255)
    return {
        **docx_files(),
        "xls_merge_whole_sheet.xls": bytes(merge),
        "xls_truncated.xls": xls[: len(xls) // 3],
        "xls_damaged.xls": bytes(damaged),
        "html_control_characters.html": page.encode("utf-8"),
    }


def docx_files() -> dict[str, bytes]:
    """A real Word file damaged four ways the fuzz runs found ending as internal_error."""
    docx = DOCX_SOURCE.read_bytes()
    middle = len(docx) // 2
    # a block cut out: the central directory's offsets point past the end (negative seek)
    cut = docx[:middle] + docx[middle + 3000 :]
    # a member name that is not the UTF-8 its directory entry's flag says it is
    name_at = docx.rindex(b"word/document.xml")  # the central directory's copy
    entry = docx.rindex(b"PK\x01\x02", 0, name_at)
    bad = bytearray(docx)
    flags = int.from_bytes(bad[entry + 8 : entry + 10], "little") | 0x800
    bad[entry + 8 : entry + 10] = flags.to_bytes(2, "little")
    bad[name_at] = 0x92
    # the document part's XML cut in half, the container intact
    with zipfile.ZipFile(io.BytesIO(docx)) as package:
        parts = {info.filename: package.read(info) for info in package.infolist()}
    parts["word/document.xml"] = parts["word/document.xml"][: len(parts["word/document.xml"]) // 2]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for name, body in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, body)
    # every directory entry's "version needed to extract" set past any reader (25.5)
    version = bytearray(docx)
    at = version.find(b"PK\x01\x02")
    while at != -1:
        version[at + 6] = 0xFF
        at = version.find(b"PK\x01\x02", at + 4)
    return {
        "docx_block_cut.docx": cut,
        "docx_name_not_utf8.docx": bytes(bad),
        "docx_part_cut_in_half.docx": buffer.getvalue(),
        "docx_version_needed_unknown.docx": bytes(version),
    }


def main() -> None:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else HOSTILE
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in {**pdf_files(), **xlsx_files(), **other_files()}.items():
        (folder / name).write_bytes(body)
        sys.stdout.write(f"{name}: {len(body):,} bytes\n")


if __name__ == "__main__":
    main()
