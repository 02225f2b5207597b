"""The DOCX writer on small hand-written HTML: styles, fonts, page set-up, footers, tables."""
from __future__ import annotations

import os
import shutil
import subprocess
import time
import zipfile
from pathlib import Path

import lxml.html
import pytest
from docx import Document
from lxml import etree
from pypdf import PdfReader

from conftest import docx_style, style_name
from reportgen.errors import WriterError
from reportgen.writers.columns import column_widths
from reportgen.writers.docx import write_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
TWIPS_PER_MM = 1440 / 25.4


def html_doc(body: str, lang: str = "zh-CN", head: str = "<title>测试</title>") -> str:
    return f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n{head}\n</head>\n<body>\n{body}\n</body>\n</html>'


class Written:
    """A DOCX written from HTML, read back with python-docx and as raw XML."""

    def __init__(self, path: Path):
        self.path = path
        self.doc = Document(path)
        with zipfile.ZipFile(path) as z:
            self.parts = {name: z.read(name) for name in z.namelist()}
        self.xml = etree.fromstring(self.parts["word/document.xml"])
        self.styles = etree.fromstring(self.parts["word/styles.xml"])
        self.settings = etree.fromstring(self.parts["word/settings.xml"])

    def paragraphs(self) -> list[tuple[str, str]]:
        """(style name, text) of the body paragraphs that have text."""
        return [(style_name(p.style), p.text) for p in self.doc.paragraphs if p.text]

    def style(self, name: str):
        """The w:style named or aliased `name` (Word's own names are in lower case: heading 1)."""

        def names(style) -> set[str]:
            return {style.find(f"{W}{tag}").get(f"{W}val").lower() for tag in ("name", "aliases") if style.find(f"{W}{tag}") is not None}

        (style,) = [s for s in self.styles.findall(f"{W}style") if name.lower() in names(s)]
        return style

    def sections(self):
        return self.xml.findall(f".//{W}sectPr")


def write(tmp_path: Path, body: str, **kwargs) -> Written:
    path = tmp_path / "out.docx"
    write_docx(html_doc(body, **kwargs), path)
    return Written(path)


def w(element, name: str) -> str | None:
    return element.get(f"{W}{name}")


ROWS = "\n".join(
    f'<tr><td class="center">{i}</td><td>第{i}个重点项目</td><td class="num">{i * 1234:,}</td></tr>' for i in range(1, 13)
)
TABLE = f"""<table class="data">
<thead><tr><th>序号</th><th>项目名称</th><th>总投资</th></tr></thead>
<tbody>
{ROWS}
<tr class="total"><td colspan="2" class="center">合计</td><td class="num">96,252</td></tr>
</tbody>
</table>"""

FULL = f"""
<header class="doc-head">
  <div class="issuer-mark"><p class="issuer">某某市人民政府办公室文件</p></div>
  <p class="doc-number ruled">某政办发〔2024〕3号</p>
  <h1 class="doc-title">某某市推进重点项目建设<br>
     三年行动方案</h1>
</header>
<p class="addressee">各县（市、区）人民政府：</p>
<p>
   为加快推进重点项目建设，制定本方案。
</p>
<h2 id="s1" class="goal"><span class="marker">一、</span>总体要求</h2>
<h3><span class="marker">（一）</span>指导思想</h3>
<h4><span class="marker">1.</span>基本原则</h4>
<h5><span class="marker">（1）</span>统筹推进</h5>
<p class="run-in"><span class="run-in-heading level-2"><span class="marker">（二）</span>主要目标。</span>到2026年完成投资。</p>
<p><strong>加粗</strong><em>强调</em><code>code()</code><a href="https://example.org">链接</a></p>
<ul><li>第一项</li><li><p>第二项</p><p>补充</p></li></ul>
<ol><li>甲</li><li>乙</li></ol>
<section class="attachment" data-orientation="landscape">
<p class="attachment-label">附件</p>
<h1 class="attachment-title">重点项目表</h1>
<p class="unit">单位：万元</p>
{TABLE}
</section>
<p>附件之后的正文。</p>
"""


@pytest.fixture(scope="module")
def full(tmp_path_factory) -> Written:
    return write(tmp_path_factory.mktemp("full"), FULL)


def test_every_element_gets_its_named_style(full):
    assert full.paragraphs() == [
        ("Issuer", "某某市人民政府办公室文件"),
        ("Document Number", "某政办发〔2024〕3号"),
        ("Title", "某某市推进重点项目建设\n三年行动方案"),
        ("Main Addressee", "各县（市、区）人民政府："),
        ("Body Text", "为加快推进重点项目建设，制定本方案。"),
        ("Heading 1", "一、总体要求"),
        ("Heading 2", "（一）指导思想"),
        ("Heading 3", "1.基本原则"),
        ("Heading 4", "（1）统筹推进"),
        ("Body Text", "（二）主要目标。到2026年完成投资。"),
        ("Body Text", "加粗强调code()链接"),
        ("List Bullet", "第一项"),
        ("List Bullet", "第二项"),
        ("List Continue", "补充"),
        ("List Number", "甲"),
        ("List Number", "乙"),
        ("Attachment Label", "附件"),
        ("Attachment Title", "重点项目表"),
        ("Unit Line", "单位：万元"),
        ("Body Text", "附件之后的正文。"),
    ]


def test_run_in_heading_and_inline_character_styles(full):
    paragraphs = [p for p in full.doc.paragraphs if p.text.startswith("（二）") or p.text.startswith("加粗")]
    run_in, inline = paragraphs
    assert [(style_name(r.style), r.text) for r in run_in.runs] == [("Heading 2 Char", "（二）主要目标。"),
                                                                   ("Default Paragraph Font", "到2026年完成投资。")]
    assert [(style_name(r.style), r.text) for r in inline.runs] == [
        ("Strong", "加粗"), ("Emphasis", "强调"), ("Code", "code()"), ("Default Paragraph Font", "链接")]
    assert "hyperlink" not in full.parts["word/document.xml"].decode()


def test_line_break_in_the_title_and_no_stray_spaces(full):
    title = next(p for p in full.doc.paragraphs if p.style.name == "Title")
    assert title._p.findall(f".//{W}br")
    texts = [t.text for t in title._p.iter(f"{W}t")]
    assert texts == ["某某市推进重点项目建设", "三年行动方案"]


def test_styles_name_the_official_fonts_without_theme_fonts(full):
    raw = full.parts["word/styles.xml"].decode()
    for attr in ("asciiTheme", "eastAsiaTheme", "hAnsiTheme", "cstheme"):
        assert attr not in raw
    expected = {"Normal": "仿宋_GB2312", "Body Text": "仿宋_GB2312", "Title": "方正小标宋简体", "Heading 1": "黑体",
                "Heading 2": "楷体_GB2312", "Heading 3": "仿宋_GB2312", "Heading 4": "仿宋_GB2312",
                "Heading 2 Char": "楷体_GB2312", "Attachment Label": "黑体",
                "Attachment Title": "方正小标宋简体", "Table Header": "黑体", "Table Text": "仿宋_GB2312",
                "Page Number": "宋体"}
    for name, font in expected.items():
        fonts = full.style(name).find(f"{W}rPr/{W}rFonts")
        assert w(fonts, "eastAsia") == font, name
        assert w(fonts, "ascii") == w(fonts, "hAnsi") == "Times New Roman", name
    defaults = full.styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert w(defaults.find(f"{W}rFonts"), "eastAsia") == "仿宋_GB2312"
    assert w(defaults.find(f"{W}lang"), "eastAsia") == "zh-CN"


def test_style_sizes_indents_and_line_grid(full):
    for name, size in (("Normal", 16), ("Title", 22), ("Table Text", 12), ("Page Number", 14)):
        assert docx_style(full.doc, name).font.size.pt == size, name
    normal = full.style("Normal").find(f"{W}pPr/{W}spacing")
    assert (w(normal, "line"), w(normal, "lineRule")) == ("579", "exact")
    for name in ("Body Text", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        indent = full.style(name).find(f"{W}pPr/{W}ind")
        assert (w(indent, "firstLineChars"), w(indent, "firstLine")) == ("200", "640"), name
    assert full.style("Title").find(f"{W}pPr/{W}ind") is None
    assert w(full.style("Title").find(f"{W}pPr/{W}jc"), "val") == "center"
    assert w(full.style("Table Number").find(f"{W}pPr/{W}jc"), "val") == "right"
    assert w(full.style("Unit Line").find(f"{W}pPr/{W}jc"), "val") == "right"


def test_headings_are_not_bold_black_with_outline_levels(full, tmp_path):
    run_in = write(tmp_path, "".join(f'<p class="run-in"><span class="run-in-heading level-{level}">标题。</span>正文</p>'
                                     for level in range(1, 5)))
    for level in range(1, 5):
        for written, name in ((full, f"Heading {level}"), (run_in, f"Heading {level} Char")):
            rpr = written.style(name).find(f"{W}rPr")
            assert w(rpr.find(f"{W}b"), "val") == "0", name
            if name.endswith("Char"):
                assert w(rpr.find(f"{W}color"), "val") == "auto"
        ppr = full.style(f"Heading {level}").find(f"{W}pPr")
        assert w(ppr.find(f"{W}outlineLvl"), "val") == str(level - 1)
        assert ppr.find(f"{W}keepNext") is not None
    assert w(full.style("Normal").find(f"{W}rPr/{W}color"), "val") == "auto"
    assert w(full.style("Issuer").find(f"{W}rPr/{W}color"), "val") not in (None, "auto", "000000")


def test_portrait_page_grid_and_footer_distance(full):
    first = full.sections()[0]
    size, margins = first.find(f"{W}pgSz"), first.find(f"{W}pgMar")
    assert (w(size, "w"), w(size, "h"), w(size, "orient")) == ("11906", "16838", None)
    assert [w(margins, k) for k in ("top", "bottom", "left", "right", "footer")] == ["2098", "1984", "1588", "1474", "1462"]
    grid = first.find(f"{W}docGrid")
    assert (w(grid, "type"), w(grid, "linePitch"), w(grid, "charSpace")) == ("linesAndChars", "579", "-849")


def test_landscape_attachment_is_a_section_of_its_own(full):
    first, landscape, last = full.sections()
    size, margins = landscape.find(f"{W}pgSz"), landscape.find(f"{W}pgMar")
    assert (w(size, "w"), w(size, "h"), w(size, "orient")) == ("16838", "11906", "landscape")
    assert [w(margins, k) for k in ("top", "bottom", "left", "right")] == ["1588", "1474", "1984", "2098"]
    assert w(last.find(f"{W}pgSz"), "orient") is None  # back to portrait for the text that follows
    assert w(landscape.find(f"{W}docGrid"), "linePitch") == "579"
    # The portrait section ends in the paragraph before the attachment: no page break needed.
    assert not full.xml.findall(f".//{W}pageBreakBefore")


def test_landscape_at_the_end_stays_landscape(tmp_path):
    out = write(tmp_path, f'<p>正文</p><section class="attachment" data-orientation="landscape">{TABLE}</section>')
    sections = out.sections()
    assert [w(s.find(f"{W}pgSz"), "orient") for s in sections] == [None, "landscape"]
    grid = [int(w(c, "w")) for c in out.xml.findall(f".//{W}gridCol")]
    assert sum(grid) == 16838 - 1984 - 2098 == 12756


def test_a_document_that_is_only_a_landscape_table(tmp_path):
    out = write(tmp_path, f'<section class="attachment" data-orientation="landscape"><p class="attachment-label">附件</p>{TABLE}</section>')
    (section,) = out.sections()
    assert w(section.find(f"{W}pgSz"), "orient") == "landscape"
    assert not out.xml.findall(f".//{W}pageBreakBefore")


def test_portrait_attachment_starts_a_new_page(tmp_path):
    out = write(tmp_path, '<p>正文</p><section class="attachment"><p class="attachment-label">附件2</p><p>内容</p></section>')
    label = next(p for p in out.doc.paragraphs if style_name(p.style) == "Attachment Label")
    assert label.paragraph_format.page_break_before is True
    assert len(out.sections()) == 1


def footer_refs(section) -> dict[str, str]:
    return {w(ref, "type"): ref.get(R_ID) for ref in section.findall(f"{W}footerReference")}


def footer_parts(written: Written, section) -> dict[str, etree._Element]:
    """The w:ftr of a section's odd ("default") and even footers."""
    rels = etree.fromstring(written.parts["word/_rels/document.xml.rels"])
    targets = {rel.get("Id"): rel.get("Target") for rel in rels}
    return {kind: etree.fromstring(written.parts["word/" + targets[rid]]) for kind, rid in footer_refs(section).items()}


def assert_page_field(p) -> None:
    """"— N —" with a PAGE field, every run in the character style Page Number."""
    texts = [t.text for t in p.iter(f"{W}t")]
    assert texts[0] == "— " and texts[-1] == " —"
    assert [e.text for e in p.iter(f"{W}instrText")] == [" PAGE "]
    assert [w(e, "fldCharType") for e in p.iter(f"{W}fldChar")] == ["begin", "separate", "end"]
    assert {w(e, "val") for e in p.iter(f"{W}rStyle")} == {"PageNumber"}


def test_footers_page_numbers_odd_right_even_left(full):
    assert full.settings.find(f"{W}evenAndOddHeaders") is not None
    for section in full.sections():  # every section, the landscape one included
        kinds = {w(ref, "type") for ref in section.findall(f"{W}footerReference")}
        assert kinds == {"default", "even"}
    section = full.doc.sections[0]
    for footer, style, align, indent in ((section.footer, "Footer Odd", "right", "right"),
                                         (section.even_page_footer, "Footer Even", "left", "left")):
        (paragraph,) = footer.paragraphs
        assert style_name(paragraph.style) == style
        ppr = full.style(style).find(f"{W}pPr")
        assert w(ppr.find(f"{W}jc"), "val") == align
        ind = ppr.find(f"{W}ind")
        assert (w(ind, indent), w(ind, indent + "Chars")) == ("280", "100")
        assert_page_field(paragraph._p)
        assert not footer.tables
    assert w(full.style("Page Number").find(f"{W}rPr/{W}rFonts"), "hint") == "eastAsia"


def test_landscape_section_has_its_own_footers_and_portrait_comes_back(full):
    first, landscape, last = full.sections()
    assert set(footer_refs(landscape)) == {"default", "even"}
    assert footer_refs(last) == footer_refs(first)  # the portrait footers again
    assert set(footer_refs(landscape).values()).isdisjoint(footer_refs(first).values())
    for kind, ftr in footer_parts(full, last).items():
        (p,) = ftr.findall(f"{W}p")
        assert w(p.find(f"{W}pPr/{W}pStyle"), "val") == {"default": "FooterOdd", "even": "FooterEven"}[kind]
        assert_page_field(p)
        assert ftr.find(f"{W}tbl") is None


def side_number(ftr) -> tuple[etree._Element, etree._Element, dict]:
    """The footer paragraph, the paragraph of the cell holding the number and the cell's geometry
    (twips from the page's top left corner) and text direction, in a landscape footer: a table of
    one cell, floating, before the footer's paragraph."""
    tbl, p = ftr
    assert (tbl.tag, p.tag) == (f"{W}tbl", f"{W}p")
    position = tbl.find(f"{W}tblPr/{W}tblpPr")
    assert (w(position, "horzAnchor"), w(position, "vertAnchor")) == ("page", "page")
    assert {w(margin, "w") for margin in tbl.find(f"{W}tblPr/{W}tblCellMar")} == {"0"}
    assert tbl.find(f"{W}tblPr/{W}tblStyle") is None and tbl.find(f"{W}tblPr/{W}tblBorders") is None  # no rules
    (tr,) = tbl.findall(f"{W}tr")
    (tc,) = tr.findall(f"{W}tc")
    height = tr.find(f"{W}trPr/{W}trHeight")
    assert w(height, "hRule") == "exact"
    geometry = {"x": int(w(position, "tblpX")), "y": int(w(position, "tblpY")), "width": int(w(tc.find(f"{W}tcPr/{W}tcW"), "w")),
                "height": int(w(height, "val")), "direction": w(tc.find(f"{W}tcPr/{W}textDirection"), "val")}
    (cell_p,) = tc.findall(f"{W}p")
    assert not list(p.iter(f"{W}t"))  # no text outside the cell
    return p, cell_p, geometry


def near(twips: int, mm: float) -> bool:
    return abs(twips - mm * TWIPS_PER_MM) < 0.05 * TWIPS_PER_MM


def test_landscape_odd_page_number_runs_down_the_left_margin(full):
    p, cell_p, cell = side_number(footer_parts(full, full.sections()[1])["default"])
    assert cell["direction"] == "tbRl"  # reads down, glyph tops to the right
    assert cell["width"] == 14 * 20  # the line, from 31.45 mm - 14 pt …
    assert near(cell["x"] + cell["width"], 35 - 3.55)  # … to 31.45 mm: the dash 7 mm left of the type area (35 mm)
    assert near(cell["y"] + cell["height"], 210 - 26)  # ends level with the type area's bottom …
    assert w(cell_p.find(f"{W}pPr/{W}pStyle"), "val") == "FooterOdd"  # … right-aligned, 1 character in
    assert_page_field(cell_p)
    assert w(p.find(f"{W}pPr/{W}pStyle"), "val") == "FooterAnchor"
    assert full.style("Footer Anchor").find(f"{W}pPr/{W}spacing").get(f"{W}line") == "20"  # 1 pt high


def test_landscape_even_page_number_runs_down_the_left_margin_from_the_top(full):
    """An even page turns anticlockwise too (its table head to the sheet's outer edge, §10.1): the
    number where the portrait sheet has it, bottom left, is the landscape page's upper left."""
    _, cell_p, cell = side_number(footer_parts(full, full.sections()[1])["even"])
    assert cell["direction"] == "tbRl"  # reads down, glyph tops to the right
    assert cell["width"] == 14 * 20
    assert near(cell["x"] + cell["width"], 35 - 3.55)  # the dash 7 mm left of the type area, as on odd pages
    assert near(cell["y"], 28)  # starts level with the type area's top …
    assert w(cell_p.find(f"{W}pPr/{W}pStyle"), "val") == "FooterEven"  # … left-aligned, 1 character in
    assert_page_field(cell_p)


def test_a_document_that_starts_landscape_keeps_no_unused_footers(tmp_path):
    out = write(tmp_path, f'<section class="attachment" data-orientation="landscape">{TABLE}</section><p>正文</p>')
    landscape, portrait = out.sections()
    assert {k: side_number(v)[2]["direction"] for k, v in footer_parts(out, landscape).items()} == {"default": "tbRl", "even": "tbRl"}
    assert all(ftr.find(f"{W}tbl") is None for ftr in footer_parts(out, portrait).values())
    assert len([name for name in out.parts if name.startswith("word/footer")]) == 4
    only = write(tmp_path, f'<section class="attachment" data-orientation="landscape">{TABLE}</section>')
    assert len([name for name in only.parts if name.startswith("word/footer")]) == 2


def test_table_header_rows_grid_spans_and_cell_styles(full):
    (tbl,) = full.xml.findall(f".//{W}tbl")
    assert w(tbl.find(f"{W}tblPr/{W}tblStyle"), "val") == "DataTable"
    rows = tbl.findall(f"{W}tr")
    assert len(rows) == 14
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])
    assert all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    total = rows[-1].findall(f"{W}tc")
    assert w(total[0].find(f"{W}tcPr/{W}gridSpan"), "val") == "2"
    assert {w(e, "val") for e in rows[-1].iter(f"{W}rStyle")} == {"TableTotal"}
    styles = [[w(tc.find(f"{W}p/{W}pPr/{W}pStyle"), "val") for tc in r.findall(f"{W}tc")] for r in rows]
    assert styles[0] == ["TableHeader"] * 3
    assert styles[1] == ["TableCenter", "TableText", "TableNumber"]
    widths = [int(w(c, "w")) for c in tbl.findall(f"{W}tblGrid/{W}gridCol")]
    assert sum(widths) == 12756  # the landscape type area, 225 mm
    assert widths[1] > widths[2] > widths[0]
    borders = full.style("Data Table").find(f"{W}tblPr/{W}tblBorders")
    assert {w(b, "val") for b in borders} == {"single"} and len(borders) == 6


def test_table_in_portrait_fills_the_text_width_and_tables_stay_apart(tmp_path):
    out = write(tmp_path, TABLE + TABLE)
    tables = out.xml.findall(f"{W}body/{W}tbl")
    assert len(tables) == 2
    assert tables[0].getnext().tag == f"{W}p"  # Word would merge adjacent tables
    assert sum(int(w(c, "w")) for c in tables[0].iter(f"{W}gridCol")) == 8844


def test_column_widths_follow_the_text_and_fill_the_width():
    table = lxml.html.fragment_fromstring(
        '<table class="data"><thead><tr><th>序号</th><th>项目名称</th><th>金额</th></tr></thead>'
        f'<tbody><tr><td class="center">1</td><td>{"项目名称" * 10}</td><td class="num">1,234,567</td></tr>'
        '<tr><td class="center">2</td><td>短</td><td class="num">12</td></tr></tbody></table>'
    )
    widths = column_widths(table, 8844)
    assert sum(widths) == pytest.approx(8844)
    assert widths[1] > 3 * widths[0]  # the long text gets the room
    assert widths[0] >= 4 * 120 + 216  # "序号" fits on one line beside the cell margins
    assert widths[2] >= 9 * 120 + 216  # a number never wraps


def test_lists_restart_numbering(tmp_path):
    out = write(tmp_path, "<ol><li>甲</li><li>乙</li></ol><p>中间</p><ol><li>丙</li></ol><ul><li>点</li></ul>")
    num_ids = [w(p.find(f"{W}pPr/{W}numPr/{W}numId"), "val") for p in out.xml.iter(f"{W}p")
               if p.find(f"{W}pPr/{W}numPr") is not None]
    assert len(num_ids) == 3 and num_ids[0] == num_ids[1] != num_ids[2]
    numbering = etree.fromstring(out.parts["word/numbering.xml"])
    nums = {w(n, "numId"): n for n in numbering.findall(f"{W}num")}
    assert w(nums[num_ids[2]].find(f"{W}lvlOverride/{W}startOverride"), "val") == "1"


def test_escaped_markup_stays_literal_text(tmp_path):
    out = write(tmp_path, "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; 〔2024〕</p>")
    assert out.paragraphs() == [("Body Text", "<script>alert(1)</script> & 〔2024〕")]
    assert b"&lt;script&gt;" in out.parts["word/document.xml"]


def test_white_space_collapses_as_in_a_browser(tmp_path):
    out = write(tmp_path, "<p>\n    第一句，\n    第二句。 Latin\n  words  <strong> bold </strong> end  <br>  next\n</p>")
    (paragraph,) = out.doc.paragraphs
    assert paragraph.text == "第一句，第二句。 Latin words bold end\nnext"
    assert [r.text for r in paragraph.runs if r.text][0] == "第一句，第二句。 Latin words "


def test_core_properties_from_the_head_without_the_clock(tmp_path):
    head = ('<title>行动\n  方案</title><meta name="author" content="某某办公室"><meta name="subject" content="主题">'
            '<meta name="keywords" content="甲, 乙"><meta name="description" content="说明">'
            '<meta name="dcterms.created" content="2024-03-01"><meta name="generator" content="reportgen">')
    props = write(tmp_path, "<p>正文</p>", head=head).doc.core_properties
    assert (props.title, props.author, props.subject, props.keywords, props.comments) == (
        "行动 方案", "某某办公室", "主题", "甲, 乙", "说明")
    assert props.created.date().isoformat() == props.modified.date().isoformat() == "2024-03-01"
    assert props.revision == 1 and props.language == "zh-CN"
    undated = write(tmp_path, "<p>正文</p>").doc.core_properties
    assert undated.created.year == 2000 and undated.author == ""


def test_same_html_gives_the_same_bytes(tmp_path):
    write_docx(html_doc(FULL), tmp_path / "a.docx")
    time.sleep(1.1)  # zip entry times would differ
    write_docx(html_doc(FULL), tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()


def test_english_document_language_and_latin_emphasis(tmp_path):
    out = write(tmp_path, '<h2><span class="marker">I. </span>General</h2><p>Text.</p>', lang="en")
    lang = out.styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert (w(lang, "val"), w(lang, "eastAsia")) == ("en-US", "zh-CN")
    assert out.doc.core_properties.language == "en"
    assert out.paragraphs() == [("Heading 1", "I. General"), ("Body Text", "Text.")]
    assert w(out.style("Heading 1").find(f"{W}rPr/{W}b"), "val") is None  # bold in English
    assert w(out.style("Normal").find(f"{W}rPr/{W}spacing"), "val") == "0"  # no CJK letter-spacing
    assert w(out.style("Body Text").find(f"{W}rPr/{W}rFonts"), "ascii") == "Times New Roman"


def test_chinese_letter_spacing_fits_28_characters(full):
    assert w(full.style("Normal").find(f"{W}rPr/{W}spacing"), "val") == "-6"


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_punctuation_compression_halves_the_first_of_two_marks(tmp_path, lang):
    """Chinese text: the ” before ， and the （ before “ are runs of their own, half an em (8 pt
    of Body Text's 16 pt) narrower than Normal's −0.3 pt spacing (the ） before 。 too); table cells (12 pt) alike. Not in
    an English document."""
    out = write(tmp_path, '<p>聚焦“六新”，推动（“甲”）。</p><table class="data"><tr><td>乙”，丙</td></tr></table>', lang=lang)
    runs = [(r.findtext(f"{W}t"), w(r.find(f"{W}rPr/{W}spacing"), "val") if r.find(f"{W}rPr/{W}spacing") is not None else None)
            for r in out.xml.iter(f"{W}r")]
    if lang == "en":
        assert runs == [("聚焦“六新”，推动（“甲”）。", None), ("乙”，丙", None)]
    else:
        assert runs == [("聚焦“六新", None), ("”", "-166"), ("，推动", None), ("（", "-166"), ("“甲", None),
                        ("”", "-166"), ("）", "-166"), ("。", None), ("乙", None), ("”", "-120"), ("，丙", None)]


@pytest.mark.parametrize("body,message", [
    ("<video>x</video>", "unsupported element <video>"),
    ("<p>a<img src='x.png'></p>", "unsupported element <img>"),
    ("<h6>x</h6>", "unsupported element <h6>"),
    ("<h1>x</h1>", "unsupported element <h1>"),
    ("<div>x</div>", "unsupported element <div>"),
    ('<table class="data"><caption>c</caption><tr><td>1</td></tr></table>', "unsupported element <caption>"),
    ("<ul><p>x</p></ul>", "unsupported element <p>"),
    ('<section class="attachment" data-orientation="sideways"><p>x</p></section>', "sideways"),
    ('<p class="run-in"><span class="run-in-heading">x</span></p>', "level-1"),
    ('<table class="data"><tr><td rowspan="two">1</td></tr></table>', "rowspan"),
])
def test_unknown_input_is_refused_with_the_element_named(tmp_path, body, message):
    with pytest.raises(WriterError, match=message):
        write(tmp_path, body)


def test_loose_text_outside_paragraphs_is_refused(tmp_path):
    with pytest.raises(WriterError, match="directly inside"):
        write(tmp_path, '<section class="attachment">stray<p>x</p></section>')


def test_ten_thousand_rows_in_a_few_seconds(tmp_path):
    rows = "".join(f'<tr><td>{i}</td><td>项目{i}</td><td class="num">{i:,}</td></tr>' for i in range(10_000))
    html = html_doc(f'<table class="data"><thead><tr><th>序号</th><th>名称</th><th>金额</th></tr></thead><tbody>{rows}</tbody></table>')
    start = time.perf_counter()
    write_docx(html, tmp_path / "big.docx")
    assert time.perf_counter() - start < 10
    with zipfile.ZipFile(tmp_path / "big.docx") as z:
        assert z.read("word/document.xml").count(b"<w:tr>") == 10_001


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_lays_out_page_numbers_and_repeated_headers(tmp_path):
    """An independent reader: LibreOffice renders the footers and repeats the header row."""
    long_table = TABLE.replace(ROWS, ROWS * 6)
    write_docx(html_doc(FULL.replace(TABLE, long_table)), tmp_path / "doc.docx")
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(tmp_path / "doc.docx")],
                   env=env, check=True, capture_output=True, timeout=180)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "doc.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 4
    for number, page in enumerate(pages, 1):
        assert f"—{number}—" in "".join(page.split())  # pdftotext drops the narrow spaces
    table_pages = [p for p in pages if "个重点项目" in p]
    assert len(table_pages) >= 3
    assert all("项目名称" in p for p in table_pages)  # the header row on every page of the table
    # Landscape page numbers where the PDF writer puts them (WeasyPrint: baselines at x = 26.85 mm,
    # reading down; on odd pages the number's lower end one character, 14 pt, above the type area's
    # bottom (26 mm + 4.94 mm above the page's), on even pages its upper end one character below
    # the type area's top (210 − 28 − 4.94 mm above the page's bottom).
    landscape = [(n, page) for n, page in enumerate(PdfReader(tmp_path / "doc.pdf").pages, 1)
                 if page.mediabox.width > page.mediabox.height]
    assert len(landscape) >= 3
    for number, page in landscape:
        runs = []  # (x, y, reading direction) of the vertical runs, mm from the bottom left

        def visit(text, cm, tm, *_):
            a, b = tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3]
            if text.strip() and abs(a) < 0.01:
                runs.append(((tm[4] * cm[0] + tm[5] * cm[2] + cm[4]) / 72 * 25.4,
                             (tm[4] * cm[1] + tm[5] * cm[3] + cm[5]) / 72 * 25.4, "down" if b < 0 else "up"))

        page.extract_text(visitor_text=visit)
        assert {direction for *_, direction in runs} == {"down"}, number
        xs, ys = [x for x, *_ in runs], [y for _, y, _ in runs]
        assert max(abs(x - 26.85) for x in xs) < 1.5, (number, runs)
        if number % 2:
            assert 30.9 < min(ys) and max(ys) < 30.9 + 20, (number, runs)
        else:
            assert abs(max(ys) - (210 - 28 - 4.94)) < 1.5, (number, runs)
