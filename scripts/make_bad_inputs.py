"""Re-create the bad-input regression files in this folder (deterministic).

python3 scripts/make_bad_inputs.py
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "corpus" / "bad"
DOCS = HERE.parent / "docs"
SITE = HERE.parent / "site"


def main() -> None:
    src = (DOCS / "pingtan_2017_budget_renda.html").read_text(encoding="utf-8")
    (HERE / "empty.txt").write_bytes(b"")
    (HERE / "blank.html").write_bytes(b"   \n\n\t  \n")
    rng = random.Random(20261123)  # fixed seed: the same noise every time
    (HERE / "noise.html").write_bytes(bytes(rng.randrange(256) for _ in range(4096)))
    (HERE / "noise.txt").write_bytes(bytes(rng.randrange(256) for _ in range(2048)))
    # the real page re-encoded: GBK with no charset declaration at all
    no_charset = re.sub(r'<meta charset="utf-8"', "<meta", src, count=1)
    (HERE / "renda_gbk_no_charset.html").write_bytes(no_charset.encode("gb18030"))
    # GBK bytes that declare utf-8 (a wrong declaration)
    (HERE / "renda_gbk_declared_utf8.html").write_bytes(src.encode("gb18030"))
    # GBK bytes that declare gb2312 (declared right)
    declared = src.replace('<meta charset="utf-8"', '<meta charset="gb2312"', 1)
    (HERE / "renda_gb2312_declared.html").write_bytes(declared.encode("gb18030"))
    # a real government page that is not a disclosure
    shutil.copy(SITE / "pingtan_list_bmysgk.html", HERE / "listing_page_not_a_disclosure.html")
    # a PDF named .html
    (HERE / "pdf_named.html").write_bytes(
        b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
        b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


if __name__ == "__main__":
    main()
