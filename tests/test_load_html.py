"""The HTML loader: article body, tables with spans, Word HTML, layout tables, charsets."""

from __future__ import annotations

from disclosure_extract import Patterns, load_bytes
from disclosure_extract.model import Block, Table

from .conftest import BAD, DOCS


def _load(patterns: Patterns, data: bytes, name: str = "page.html"):
    return load_bytes(data, name, patterns)


def test_template_is_not_content(patterns: Patterns) -> None:
    doc = _load(patterns, (DOCS / "pingtan_2017_budget_renda.html").read_bytes())
    texts = " ".join(b.text for b in doc.blocks)
    assert "部门预算说明" in texts and "711.27" in texts
    for template_text in ("首页", "版权所有", "ICP", "主办", "无障碍", "当前位置", "联系我们", "微信"):
        assert template_text not in texts, template_text
    assert doc.title == "2017年度平潭县人大常委会部门预算说明"
    assert doc.properties["ColumnName"] == "部门预算公开"


def test_word_spans_are_joined(patterns: Patterns) -> None:
    doc = _load(patterns, (DOCS / "pingtan_2017_budget_renda.html").read_bytes())
    assert any("部门收入预算为711.27万元，其中：一般公共预算拨款711.27万元" in b.text for b in doc.blocks)
    block = next(b for b in doc.blocks if b.text.startswith("四、预算收支总体情况"))
    assert block.kind == "heading" and block.level == 1
    assert block.location.line_start and block.location.path and block.location.path.startswith("/html/body/")


def test_rowspan_colspan_header(patterns: Patterns) -> None:
    doc = _load(patterns, (DOCS / "pingtan_2014_final_shuiliju.html").read_bytes())
    (table,) = doc.tables
    cells = {(c.row, c.col): c for c in table.cells}
    assert (cells[(0, 0)].text, cells[(0, 0)].colspan) == ("项目", 2)
    assert (cells[(0, 2)].rowspan, cells[(0, 4)].text) == (2, "公务用车购置及运行维护费小计")
    assert cells[(1, 5)].text == "公务用车购置费" and cells[(1, 6)].text == "公务用车运行维护费"
    assert table.text_rows()[2] == ["类款项", "合计", "4.90", "", "3.19", "", "3.19", "1.71"]


def test_preamble_rows_become_caption_and_unit(patterns: Patterns) -> None:
    doc = _load(patterns, (DOCS / "pingtan_2014_final_jianchayuan.html").read_bytes())
    (table,) = doc.tables
    assert table.unit_text == "单位：万元"
    assert "2014年收入支出决算批复表" in table.caption
    assert table.text_rows()[0] == ["项目", "金额", "备注"]


WORD_PAGE = """<html xmlns:o="urn:schemas-microsoft-com:office:office"><head>
<meta http-equiv=Content-Type content="text/html; charset=gb2312">
<!--[if gte mso 9]><xml><o:DocumentProperties><o:Author>x</o:Author></o:DocumentProperties></xml><![endif]-->
<style>p.MsoNormal {mso-style-parent:""; margin:0cm}</style></head>
<body lang=ZH-CN><div class=WordSection1>
<p class=MsoNormal><b><span style='font-size:16pt'>某某局</span></b><span>2019</span>
<span>年部门预算</span></p>
<p class=MsoNormal style='display:none'>隐藏的文字</p>
<p class=MsoNormal><span>一、收入预算</span><o:p></o:p></p>
<p class=MsoNormal><span>收入预算为</span><span lang=EN-US>12.50</span><span>万元。</span></p>
<table border=0 cellpadding=0><tr><td><table class=MsoNormalTable border=1>
<tr><td><p class=MsoNormal>项目</p></td><td><p>金额</p></td></tr>
<tr><td><p class=MsoNormal>收入总计</p></td><td><p class=MsoNormal>12.50</p></td></tr>
</table></td></tr></table>
</div></body></html>"""


def test_word_html_with_layout_table(patterns: Patterns) -> None:
    doc = _load(patterns, WORD_PAGE.encode("gb18030"))
    texts = [b.text for b in doc.blocks]
    assert texts[:3] == ["某某局2019年部门预算", "一、收入预算", "收入预算为12.50万元。"]
    assert "隐藏的文字" not in " ".join(texts)
    # the outer table only lays out the page; the inner one is the data
    assert [t.text_rows() for t in doc.tables] == [[["项目", "金额"], ["收入总计", "12.50"]]]
    assert doc.encoding == "gb18030"


def test_gbk_page_without_charset(patterns: Patterns) -> None:
    doc = _load(patterns, (BAD / "renda_gbk_no_charset.html").read_bytes())
    assert doc.encoding == "gb18030"
    assert any("711.27万元" in b.text for b in doc.blocks)


def test_gbk_page_declaring_utf8(patterns: Patterns) -> None:
    doc = _load(patterns, (BAD / "renda_gbk_declared_utf8.html").read_bytes())
    assert doc.encoding == "gb18030"
    assert doc.declared_charset == "utf-8"
    assert doc.charset_mismatch is True


def test_items_are_in_document_order(patterns: Patterns) -> None:
    doc = _load(patterns, (DOCS / "pingtan_2016_budget_guanweihuibangongshi.html").read_bytes())
    kinds = [type(i).__name__ for i in doc.items]
    assert kinds.index("Table") > 0
    table = doc.tables[0]
    before = doc.items[table.item_index - 1]
    assert isinstance(before, Block) and "单位详细情况见下表" in before.text
    assert isinstance(doc.items[table.item_index], Table)
