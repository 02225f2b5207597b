"""Bulletin charts as native Word charts (writers/docx_charts.py): the chart parts with their caches
and embedded workbooks hold the bulletin's numbers, the PNG stays as the fallback, the charts are
styled as the PDF's, LibreOffice prints the numbers the PDF prints and keeps the charts when it
saves the file again, and the same HTML gives the same bytes."""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import lxml.html
import openpyxl
import pdfplumber
import pytest
from docx import Document
from lxml import etree

from conftest import CONTENT, TEMPLATES, output_file, style_name
from reportgen import charts
from reportgen.charts import ChartData
from reportgen.content import load_content
from reportgen.errors import WriterError
from reportgen.render import environment
from reportgen.writers import docx_charts
from reportgen.writers.docx import write_docx

NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "pic": "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
    "ct": "http://schemas.openxmlformats.org/package/2006/content-types",
}
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FONT = "Noto Sans CJK SC"
NUMBER = re.compile(r"^-?\d[\d,]*(\.\d+)?%?$")


def bulletin():
    (b,) = [b for b in load_content(CONTENT).bulletins if b.id == "bulletin-2020Q2"]
    return b


class Package:
    """A DOCX read as its parts: XML by name, relationships, content types."""

    def __init__(self, path: Path):
        with zipfile.ZipFile(path) as z:
            self.blobs = {name: z.read(name) for name in z.namelist()}

    def xml(self, name: str):
        return etree.fromstring(self.blobs[name])

    def rels(self, name: str) -> dict[str, tuple[str, str]]:
        """Relationship id → (type, target) of the part `name`."""
        folder, _, base = name.rpartition("/")
        rels = self.xml(f"{folder}/_rels/{base}.rels")
        return {r.get("Id"): (r.get("Type"), r.get("Target")) for r in rels.iterfind("rel:Relationship", NS)}

    def chart(self, n: int):
        return self.xml(f"word/charts/chart{n}.xml")

    def workbook(self, n: int):
        return openpyxl.load_workbook(io.BytesIO(self.blobs[f"word/embeddings/chart{n}.xlsx"]))["Sheet1"]


@pytest.fixture(scope="module", params=["zh", "en"])
def package(request, built, manifest) -> tuple[str, Package]:
    return request.param, Package(output_file(built, manifest, "bulletin-2020Q2", request.param, "docx"))


def cached(series, part: str) -> list:
    """The cached points of a series' c:tx, c:cat or c:val, None where a point is missing."""
    cache = series.find(f"c:{part}//c:ptCount/..", NS)
    points = {int(pt.get("idx")): pt.findtext("c:v", namespaces=NS) for pt in cache.iterfind("c:pt", NS)}
    return [points.get(i) for i in range(int(cache.find("c:ptCount", NS).get("val")))]


def test_each_bulletin_chart_is_a_chart_part_with_its_workbook(package):
    _, docx = package
    names = sorted(n for n in docx.blobs if n.startswith(("word/charts/", "word/embeddings/")))
    assert names == ["word/charts/_rels/chart1.xml.rels", "word/charts/_rels/chart2.xml.rels", "word/charts/chart1.xml",
                     "word/charts/chart2.xml", "word/embeddings/chart1.xlsx", "word/embeddings/chart2.xlsx"]
    types = docx.xml("[Content_Types].xml")
    overrides = {o.get("PartName"): o.get("ContentType") for o in types.iterfind("ct:Override", NS)}
    defaults = {d.get("Extension"): d.get("ContentType") for d in types.iterfind("ct:Default", NS)}
    assert overrides["/word/charts/chart1.xml"] == overrides["/word/charts/chart2.xml"] == CHART_TYPE
    assert defaults["xlsx"] == SHEET_TYPE
    document = docx.rels("word/document.xml")
    assert sorted(t for kind, t in document.values() if kind == RT + "chart") == ["charts/chart1.xml", "charts/chart2.xml"]
    for n in (1, 2):
        (rid, (kind, target)), = docx.rels(f"word/charts/chart{n}.xml").items()
        assert (kind, target) == (RT + "package", f"../embeddings/chart{n}.xlsx")
        chart = docx.chart(n)
        assert etree.QName(chart).localname == "chartSpace"
        assert chart.find("c:externalData", NS).get(f"{{{NS['r']}}}id") == rid


def test_caches_and_workbooks_hold_the_bulletins_numbers(package):
    lang, docx = package
    b = bulletin()
    rates = [float(p.rate) for p in b.projects]
    # the completion chart: projects' numbers, rates, and the benchmark once per project
    chart = docx.chart(1)
    assert chart.find(".//c:barDir", NS).get("val") == "bar"
    rate_series, benchmark_series = chart.iterfind(".//c:ser", NS)
    assert cached(rate_series, "cat") == [str(p.number) for p in b.projects]
    assert [float(v) for v in cached(rate_series, "val")] == pytest.approx(rates, abs=1e-12)
    assert [float(v) for v in cached(benchmark_series, "val")] == [float(b.benchmark)] * len(rates)
    label = "时间进度 50.0%" if lang == "zh" else "Time-elapsed benchmark 50.0%"
    assert cached(benchmark_series, "tx") == [label]
    sheet = docx.workbook(1)
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("项目序号" if lang == "zh" else "Project No.", "完成率（%）" if lang == "zh" else "Completion rate (%)", label)
    assert [r[0] for r in rows[1:]] == [str(p.number) for p in b.projects]
    assert [r[1] for r in rows[1:]] == pytest.approx(rates, rel=1e-14)
    assert rows[1][2] == float(b.benchmark) and {r[2] for r in rows[2:]} == {"=$C$2"}  # one cell moves the line
    assert [f.text for f in chart.iterfind(".//c:f", NS)] == [
        "Sheet1!$B$1", "Sheet1!$A$2:$A$13", "Sheet1!$B$2:$B$13", "Sheet1!$C$1", "Sheet1!$A$2:$A$13", "Sheet1!$C$2:$C$13"]
    # the grouped chart: the cities' planned and completed investment
    chart = docx.chart(2)
    assert chart.find(".//c:barDir", NS).get("val") == "col"
    planned, ytd = chart.iterfind(".//c:ser", NS)
    assert cached(planned, "cat") == [g.name[lang] for g in b.groups] == (["太原", "忻州"] if lang == "zh" else ["Taiyuan", "Xinzhou"])
    assert [float(v) for v in cached(planned, "val")] == [float(g.planned) for g in b.groups] == [93350, 88891.2]
    assert [float(v) for v in cached(ytd, "val")] == [float(g.ytd) for g in b.groups] == [37950, 41800]
    rows = list(docx.workbook(2).iter_rows(values_only=True))
    assert rows[1:] == [(g.name[lang], float(g.planned), float(g.ytd)) for g in b.groups]
    assert rows[0][1:] == (cached(planned, "tx")[0], cached(ytd, "tx")[0])


def test_the_chart_is_the_choice_and_the_png_its_fallback(package):
    """Word, WPS and LibreOffice read the chart (a Choice requiring w14); any other reader shows the
    PNG, of the same size and with the same alt text."""
    _, docx = package
    document = docx.xml("word/document.xml")
    rels = docx.rels("word/document.xml")
    alternates = document.findall(".//w:p/w:r/mc:AlternateContent", NS)
    assert len(alternates) == 2
    for n, alternate in enumerate(alternates, 1):
        (choice,), (fallback,) = alternate.findall("mc:Choice", NS), alternate.findall("mc:Fallback", NS)
        assert choice.get("Requires") == "w14"
        chart_inline, picture_inline = choice.find("w:drawing/wp:inline", NS), fallback.find("w:drawing/wp:inline", NS)
        graphic = chart_inline.find(".//a:graphicData", NS)
        assert graphic.get("uri") == NS["c"]
        assert rels[graphic.find("c:chart", NS).get(f"{{{NS['r']}}}id")] == (RT + "chart", f"charts/chart{n}.xml")
        blip = picture_inline.find(".//pic:blipFill/a:blip", NS)
        kind, target = rels[blip.get(f"{{{NS['r']}}}embed")]
        assert kind == RT + "image" and docx.blobs["word/" + target].startswith(b"\x89PNG")
        for tag in ("wp:extent", "wp:docPr"):
            assert dict(chart_inline.find(tag, NS).attrib) == dict(picture_inline.find(tag, NS).attrib)
        assert int(chart_inline.find("wp:extent", NS).get("cx")) == 156 * 36000
        assert len(chart_inline.find("wp:docPr", NS).get("descr")) > 40


def test_the_charts_are_styled_as_the_pdf_draws_them(package):
    lang, docx = package
    chart = docx.chart(1)
    assert chart.find("c:lang", NS).get("val") == ("zh-CN" if lang == "zh" else "en-US")
    assert chart.find("c:roundedCorners", NS).get("val") == "0"
    assert chart.find("c:chart/c:autoTitleDeleted", NS).get("val") == "1"  # the caption is the title
    font = chart.find("c:txPr//a:defRPr", NS)
    assert (font.find("a:latin", NS).get("typeface"), font.find("a:ea", NS).get("typeface")) == ("Times New Roman", "黑体")
    assert font.get("sz") == "1050"  # 五号, as the PDF's
    rate_series, benchmark_series = chart.iterfind(".//c:ser", NS)
    hatch = rate_series.find("c:spPr/a:pattFill", NS)  # behind the benchmark: light, hatched
    assert hatch.get("prst") == "ltUpDiag"
    assert (hatch.find("a:fgClr/a:srgbClr", NS).get("val"), hatch.find("a:bgClr/a:srgbClr", NS).get("val")) == ("404040", "D9D9D9")
    ahead = {int(p.find("c:idx", NS).get("val")): p.find("c:spPr/a:solidFill/a:srgbClr", NS).get("val")
             for p in rate_series.iterfind("c:dPt", NS)}
    assert ahead == {i: "595959" for i, p in enumerate(bulletin().projects) if p.rate >= bulletin().benchmark} == {11: "595959"}
    labels = rate_series.find("c:dLbls", NS)
    assert labels.find("c:numFmt", NS).get("formatCode") == '0.0"%"'
    assert labels.find("c:dLblPos", NS).get("val") == "outEnd"
    assert labels.find(".//a:defRPr", NS).get("sz") == "900"  # 小五
    assert chart.find(".//c:catAx/c:scaling/c:orientation", NS).get("val") == "maxMin"  # the first project on top
    axis = chart.find(".//c:valAx", NS)
    assert [axis.find(f"c:scaling/c:{k}", NS).get("val") for k in ("min", "max")] == ["0.0", "120.0"]
    assert axis.find("c:majorUnit", NS).get("val") == "10.0"
    # the benchmark: invisible bars over the projects', their trend line dashed in the accent colour
    assert chart.find(".//c:overlap", NS).get("val") == "100"
    assert benchmark_series.find("c:spPr/a:noFill", NS) is not None
    trend = benchmark_series.find("c:trendline", NS)
    assert trend.find("c:trendlineType", NS).get("val") == "linear"
    assert [trend.find(f"c:{k}", NS).get("val") for k in ("forward", "backward")] == ["0.5", "0.5"]
    line = trend.find("c:spPr/a:ln", NS)
    assert line.find("a:solidFill/a:srgbClr", NS).get("val") == "A3262A" and line.find("a:custDash/a:ds", NS).get("d") == "400000"
    (named,) = benchmark_series.findall("c:dLbls/c:dLbl", NS)
    assert named.find("c:showSerName", NS).get("val") == "1" and float(named.find(".//c:y", NS).get("val")) < 0  # above the plot
    # the grouped chart: grey and hatched series, a legend on top, the numbers as the PDF prints them
    chart = docx.chart(2)
    planned, ytd = chart.iterfind(".//c:ser", NS)
    assert planned.find("c:spPr/a:pattFill", NS).get("prst") == "ltUpDiag"
    assert ytd.find("c:spPr/a:solidFill/a:srgbClr", NS).get("val") == "595959"
    assert chart.find(".//c:legend/c:legendPos", NS).get("val") == "t"
    whole, fractional = ("#,##0", "#,##0.0") if lang == "en" else ("0", "0.0")
    assert planned.find("c:dLbls/c:numFmt", NS).get("formatCode") == fractional  # 88891.2
    assert [(d.find("c:idx", NS).get("val"), d.find("c:numFmt", NS).get("formatCode"))
            for d in planned.iterfind("c:dLbls/c:dLbl", NS)] == [("0", whole)]  # 93350, not 93350.0
    assert [d.find("c:idx", NS).get("val") for d in ytd.iterfind("c:dLbls/c:dLbl", NS)] == ["0", "1"]


@pytest.mark.parametrize("lang,values,expected", [
    ("zh", ([93350, 88891.2], [37950, 41800.04]), [("0.0", {0: "0"}), ("0.0", {0: "0", 1: "0"})]),
    ("en", ([93350, 88891.2], [37950, 41800.04]), [("#,##0.0", {0: "#,##0"}), ("#,##0.0", {0: "#,##0", 1: "#,##0"})]),
    ("en", ([3205, 4100], [1602, 2300]), [("#,##0", {}), ("#,##0", {})]),
])
def test_numbers_at_the_bars_print_as_the_pdfs(lang, values, expected):
    """A grouped chart's numbers are rounded to the chart's decimals without trailing zeros
    (charts.number): the bars whose number has no decimals left get a format of their own."""
    data = ChartData("grouped-bar", ("甲", "乙"), (("计划", tuple(values[0])), ("完成", tuple(values[1]))), "万元")
    assert [(code, points) for _, _, code, points in docx_charts.columns(data, lang == "en")] == expected
    for (_, vs, code, points) in docx_charts.columns(data, lang == "en"):
        for i, v in enumerate(vs):  # the format's decimals are those of the PDF's number
            printed = charts.number(v, charts.value_decimals([*values[0], *values[1]]), lang)
            assert ("." in printed) == ("." in points.get(i, code))


def chart_figure(chart: charts.Chart, categories: str) -> str:
    """A <figure class="chart"> with the data table the templates' macro writes."""
    macros = environment(TEMPLATES).get_template("macros.html.j2").module
    return (f'<figure class="chart"><img src="{chart.svg_uri()}" data-raster="{chart.png_uri()}" width="156mm" alt="图表">\n'
            f"{macros.chart_data(chart, categories)}<figcaption>图1</figcaption></figure>")


def html_doc(body: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n<title>图表</title>\n'
            '<meta name="dcterms.created" content="2021-03-16">\n</head>\n<body>\n' + body + "\n</body>\n</html>")


@pytest.fixture(scope="module")
def completion() -> charts.Chart:
    return charts.completion_chart(["1", "2", "3"], [10.0, None, 60.0], 50.0, axis="完成率（%）",
                                   benchmark_label="时间进度 50.0%", lang="zh", font=FONT)


def test_the_template_writes_the_data_the_chart_was_drawn_from(completion):
    table = lxml.html.fragment_fromstring(chart_figure(completion, "项目序号")).find("table")
    assert table.get("class") == "chart-data" and table.get("hidden") is not None  # not printed in the PDF
    assert (table.get("data-chart"), table.get("data-axis"), table.get("data-benchmark"), table.get("data-benchmark-label")) == (
        "completion", "完成率（%）", "50.0", "时间进度 50.0%")
    assert [[c.text or "" for c in tr] for tr in table.iter("tr")] == [
        ["项目序号", "完成率（%）"], ["1", "10.0"], ["2", ""], ["3", "60.0"]]
    assert docx_charts.read_chart_data(table) == (completion.data, "项目序号")


def test_a_project_without_a_rate_has_no_bar_and_the_file_is_reproducible(completion, tmp_path):
    html = html_doc(chart_figure(completion, "项目序号"))
    write_docx(html, tmp_path / "a.docx")
    write_docx(html, tmp_path / "b.docx")
    assert (tmp_path / "a.docx").read_bytes() == (tmp_path / "b.docx").read_bytes()
    docx = Package(tmp_path / "a.docx")
    rates = docx.chart(1).find(".//c:ser", NS)
    assert cached(rates, "val") == ["10.0", None, "60.0"]
    assert [r[1] for r in docx.workbook(1).iter_rows(min_row=2, values_only=True)] == [10, None, 60]
    book = zipfile.ZipFile(io.BytesIO(docx.blobs["word/embeddings/chart1.xlsx"]))
    assert {info.date_time for info in book.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    core = book.read("docProps/core.xml").decode()
    assert "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2021-03-16T00:00:00Z</dcterms:created>" in core  # the document's date
    doc = Document(tmp_path / "a.docx")  # python-docx still reads the file
    assert [(style_name(p.style), p.text) for p in doc.paragraphs] == [("Figure", ""), ("Caption", "图1")]


@pytest.mark.parametrize("change,message", [
    (('data-chart="completion"', 'data-chart="pie"'), "data-chart='pie' is not one of completion, grouped-bar"),
    (('data-chart="completion"', ""), "data-chart=None is not one of"),
    (("<td>10.0</td>", "<td>ten</td>"), "value 'ten' is not a number"),
    (("<td>10.0</td>", "<td>nan</td>"), "value 'nan' is not a number"),
    (("<td>10.0</td>", ""), "a row per category, each with a cell per series"),
    ((' data-benchmark="50.0"', ""), "data-benchmark is required for a completion chart"),
    (('data-benchmark="50.0"', 'data-benchmark="half"'), "data-benchmark 'half' is not a number"),
    (("<th>完成率（%）</th>", "<th>完成率（%）</th><th>另一</th>"), "a row per category"),
])
def test_bad_chart_data_is_refused_with_the_html_line(completion, tmp_path, change, message):
    figure = chart_figure(completion, "项目序号")
    assert change[0] in figure
    with pytest.raises(WriterError, match=re.escape(message)) as caught:
        write_docx(html_doc(figure.replace(*change)), tmp_path / "bad.docx")
    assert re.search(r"HTML line \d+: <table class=\"chart-data\">", str(caught.value))
    assert not (tmp_path / "bad.docx").exists()


def test_a_grouped_chart_needs_every_value_and_no_benchmark(tmp_path):
    chart = charts.grouped_bar_chart(["甲", "乙"], {"计划": [1.0, 2.0]}, axis="万元", lang="zh", font=FONT)
    figure = chart_figure(chart, "市")
    for change, message in ((("<td>2.0</td>", "<td></td>"), "needs every value"),
                            (('data-axis="万元"', 'data-axis="万元" data-benchmark="5"'), "and only there")):
        with pytest.raises(WriterError, match=message):
            write_docx(html_doc(figure.replace(*change)), tmp_path / "bad.docx")


def test_control_characters_of_a_table_are_dropped_from_the_chart(tmp_path):
    """A group's name from a CSV may hold characters XML forbids: the chart leaves them out, as the
    document's text does."""
    chart = charts.grouped_bar_chart(["太原", "忻州"], {"计划": [1.0, 2.0]}, axis="万元", lang="zh", font=FONT)
    figure = chart_figure(chart, "市")
    assert "<th>太原</th>" in figure
    write_docx(html_doc(figure.replace("<th>太原</th>", "<th>太\x01原</th>")), tmp_path / "c.docx")
    docx = Package(tmp_path / "c.docx")
    assert cached(docx.chart(1).find(".//c:ser", NS), "cat") == ["太原", "忻州"]
    assert [row[0] for row in docx.workbook(1).iter_rows(min_row=2, values_only=True)] == ["太原", "忻州"]


# --- LibreOffice ---------------------------------------------------------------------------

def libreoffice(path: Path, out: Path, target: str = "pdf") -> Path:
    from reportgen.fonts import fontconfig_file

    env = {"PATH": "/usr/bin:/bin", "HOME": str(out), "FONTCONFIG_FILE": str(fontconfig_file(TEMPLATES))}
    subprocess.run(["soffice", "--headless", "--convert-to", target, "--outdir", str(out), str(path)], env=env,
                   check=True, capture_output=True, timeout=180)
    return out / path.with_suffix("." + target.split(":")[0]).name


def bar_numbers(path: Path) -> list[str]:
    """The numbers printed upright at 9 pt or smaller: the numbers at the charts' bars (the
    documents' text is larger; the charts' axis titles and landscape page numbers are turned)."""
    with pdfplumber.open(path) as pdf:
        return [w["text"] for page in pdf.pages for w in page.extract_words(extra_attrs=["size", "upright"])
                if w["upright"] and w["size"] < 9.6 and NUMBER.match(w["text"])]


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_libreoffice_draws_the_charts_with_the_numbers_the_pdf_prints(built, manifest, lang, tmp_path):
    pdf = libreoffice(output_file(built, manifest, "bulletin-2020Q2", lang, "docx"), tmp_path)
    printed = bar_numbers(output_file(built, manifest, "bulletin-2020Q2", lang, "pdf"))
    assert len(printed) == 12 + 4 and printed[:3] == ["46.0%", "47.8%", "46.3%"]
    assert sorted(bar_numbers(pdf)) == sorted(printed)
    assert {"93,350", "88,891.2"} <= set(printed) if lang == "en" else {"93350", "88891.2"} <= set(printed)
    with pdfplumber.open(pdf) as document:
        assert not [image for page in document.pages for image in page.images]  # drawn, not the fallback picture
        text = "".join(page.extract_text() for page in document.pages)
    assert ("时间进度 50.0%" if lang == "zh" else "Time-elapsed benchmark 50.0%") in text


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_saves_the_charts_again(built, manifest, tmp_path):
    """docx → docx and docx → odt: the charts stay charts, with their numbers."""
    source = tmp_path / "in.docx"
    shutil.copyfile(output_file(built, manifest, "bulletin-2020Q2", "zh", "docx"), source)
    again = Package(libreoffice(source, tmp_path / "docx", "docx:MS Word 2007 XML"))
    charts_again = sorted(n for n in again.blobs if re.fullmatch(r"word/charts/chart\d+\.xml", n))
    assert len(charts_again) == 2
    values = [v.text for n in charts_again for v in again.xml(n).iterfind(".//c:val//c:v", NS)]
    assert "93350" in values and any(v.startswith("47.7777") for v in values)
    assert len(again.xml("word/document.xml").findall(".//c:chart", NS)) == 2
    odt = libreoffice(source, tmp_path / "odt", "odt")
    with zipfile.ZipFile(odt) as z:
        objects = [z.read(n).decode() for n in z.namelist() if re.fullmatch(r"Object \d+/content\.xml", n)]
    assert len([o for o in objects if "chart:chart" in o]) == 2
    assert any('office:value="93350"' in o for o in objects)
