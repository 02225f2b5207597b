"""Charts: vector SVG for the PDF, 300 dpi PNG for the DOCX, reproducible, in the SC face; and the
<figure class="chart"> of both writers."""
from __future__ import annotations

import base64
import io
import os
import re
import shutil
import subprocess
import time
import zipfile

import pytest
from docx import Document
from lxml import etree
from PIL import Image
from pypdf import PdfReader

from conftest import TEMPLATES, docx_style, pdf_lines, style_name
from reportgen.charts import Chart, completion_chart, font_file, grouped_bar_chart
from reportgen.errors import WriterError
from reportgen.writers.docx import write_docx
from reportgen.writers.pdf import write_pdf

FONT = "Noto Sans CJK SC"  # the face that serves 黑体 on a machine without licensed fonts
SVG = "{http://www.w3.org/2000/svg}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
R_EMBED = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}embed"
EMU_PER_MM = 36000

LABELS = ["1", "2", "3", "4"]
RATES = [10.0, 60.0, None, 45.25]
CITIES_ZH = ["石家庄市", "唐山市", "秦皇岛市"]
CITIES_EN = ["Shijiazhuang", "Tangshan", "Qinhuangdao"]


def zh_completion() -> Chart:
    return completion_chart(LABELS, RATES, 50, axis="完成率（%）", benchmark_label="时间进度", lang="zh", font=FONT)


def zh_investment() -> Chart:
    return grouped_bar_chart(CITIES_ZH, {"年度计划投资": [320.5, 410, 120], "累计完成投资": [160.2, 230, 45]},
                             axis="投资（亿元）", lang="zh", font=FONT)


def en_investment() -> Chart:
    return grouped_bar_chart(CITIES_EN, {"Planned for the year": [3205, 4100, 1200], "Completed to date": [1602, 2300, 450]},
                             axis="Investment (CNY 100 million)", lang="en", font=FONT)


@pytest.fixture(scope="module")
def charts() -> dict[str, Chart]:
    return {"completion": zh_completion(), "zh": zh_investment(), "en": en_investment()}


def svg_texts(chart: Chart) -> list[str]:
    root = etree.fromstring(chart.svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_svg_is_vector_with_text_as_text(charts):
    for chart in charts.values():
        root = etree.fromstring(chart.svg)
        assert root.find(f".//{SVG}path") is not None
        assert root.find(f".//{SVG}text") is not None
        assert root.find(f".//{SVG}image") is None
        assert root.get("width") == "442.204724pt"  # 156 mm
        assert f"font-family: '{FONT}'" in chart.svg.decode()


def test_height_is_a_whole_number_of_lines(charts):
    for chart in charts.values():
        height = float(etree.fromstring(chart.svg).get("height").removesuffix("pt"))
        assert round(height / 28.95, 6) in (8, 9)


def test_png_is_300_dpi_and_wide_enough(charts):
    for chart in charts.values():
        image = Image.open(io.BytesIO(chart.png))
        assert image.format == "PNG"
        assert image.width >= 1800
        assert [round(d) for d in image.info["dpi"]] == [300, 300]
        assert not {"Software", "Creation Time"} & set(image.info)


def test_the_same_input_gives_the_same_bytes(charts):
    again = zh_completion()
    assert (again.svg, again.png) == (charts["completion"].svg, charts["completion"].png)
    assert zh_investment() == charts["zh"]
    assert b"<dc:date>" not in again.svg and b"Matplotlib v" not in again.svg


def test_data_uris(charts):
    chart = charts["completion"]
    assert chart.svg_uri().startswith("data:image/svg+xml;base64,PD94bWwg")  # "<?xml "
    assert chart.png_uri().startswith("data:image/png;base64,iVBORw0KGgo")


def test_labels_in_the_language_of_the_edition(charts):
    zh, en = svg_texts(charts["zh"]), svg_texts(charts["en"])
    assert {"石家庄市", "年度计划投资", "累计完成投资", "投资（亿元）", "320.5", "410"} <= set(zh)
    assert {"Shijiazhuang", "Planned for the year", "Investment (CNY 100 million)", "4,100", "1,602"} <= set(en)
    assert not any(re.search("[\u4e00-\u9fff]", text) for text in en)


def test_completion_chart_values_benchmark_and_shades(charts):
    texts = svg_texts(charts["completion"])
    assert {"10.0%", "60.0%", "45.3%", "—", "时间进度", "完成率（%）", "1", "4"} <= set(texts)
    svg = charts["completion"].svg.decode()
    assert svg.count("fill: #595959; stroke: #595959") == 1  # 60 % is ahead of 50 %
    assert len(re.findall(r"fill: url\(#\w+\); stroke: #404040", svg)) == 2  # 10 and 45.25 % behind: hatched
    assert "stroke-dasharray" in svg  # the benchmark line


def test_the_simplified_chinese_face_draws_the_text():
    """Noto CJK is a collection (JP, KR, SC, TC, HK faces); the first face has Japanese glyph forms."""
    from matplotlib.ft2font import FT2Font

    path, index = font_file(FONT)
    face = FT2Font(path, face_index=index)
    assert face.family_name == FONT
    assert face.postscript_name.lower().startswith("notosanscjksc")
    if path.endswith(".ttc"):
        assert FT2Font(path, face_index=0).family_name != FONT  # not the collection's first face


def test_unknown_font_is_a_writer_error_naming_it():
    with pytest.raises(WriterError, match="'No Such Family'"):
        completion_chart(["1"], [50.0], 50, axis="x", benchmark_label="b", lang="en", font="No Such Family")


def test_many_projects_and_long_rates_still_render_quickly():
    start = time.perf_counter()
    chart = completion_chart([str(i) for i in range(1, 31)], [i * 4.5 for i in range(30)], 75, axis="%",
                             benchmark_label="75%", lang="zh", font=FONT)
    assert time.perf_counter() - start < 5
    assert "130.5%" in svg_texts(chart)


# --- the writers ---------------------------------------------------------------------------

def figure(chart: Chart, alt: str, caption: str, width: str = ' width="156mm"') -> str:
    return (f'<figure class="chart">\n<img src="{chart.svg_uri()}" data-raster="{chart.png_uri()}" alt="{alt}"{width}>\n'
            f"<figcaption>{caption}</figcaption>\n</figure>")


def html_doc(body: str, lang: str = "zh-CN") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>图表</title>\n</head>\n'
            f"<body>\n{body}\n</body>\n</html>")


@pytest.fixture(scope="module")
def chart_html(charts) -> str:
    return html_doc("<p>重点项目完成情况如下。</p>\n"
                    + figure(charts["completion"], "4个项目的完成率与时间进度50%的比较", "图1 重点项目完成率") + "\n"
                    + figure(charts["zh"], "3个市的计划投资与完成投资", "图2 各市投资完成情况") + "\n<p>以上为图表。</p>")


def image_xobjects(resources) -> list:
    """Raster images among the XObjects of a page's resources, forms searched recursively."""
    found = []
    xobjects = (resources or {}).get("/XObject") or {}
    for ref in xobjects.values():
        xobject = ref.get_object()
        if xobject.get("/Subtype") == "/Image":
            found.append(xobject)
        elif xobject.get("/Subtype") == "/Form":
            found += image_xobjects(xobject.get("/Resources"))
    return found


def font_names(resources) -> set[str]:
    """Base font names of a page's resources and of its forms (an SVG is drawn in a form)."""
    resources = resources or {}
    names = {str(font.get_object()["/BaseFont"]) for font in (resources.get("/Font") or {}).values()}
    for ref in (resources.get("/XObject") or {}).values():
        if ref.get_object().get("/Subtype") == "/Form":
            names |= font_names(ref.get_object().get("/Resources"))
    return names


def test_pdf_embeds_the_chart_as_vectors_with_extractable_labels(chart_html, tmp_path):
    write_pdf(chart_html, tmp_path / "chart.pdf", TEMPLATES)
    reader = PdfReader(tmp_path / "chart.pdf")
    for page in reader.pages:
        assert image_xobjects(page.get("/Resources")) == []
    text = "".join(page.extract_text() for page in reader.pages)
    for label in ("时间进度", "完成率（%）", "45.3%", "石家庄市", "年度计划投资", "320.5", "图1 重点项目完成率"):
        assert label in text, label
    fonts = set().union(*(font_names(page.get("/Resources")) for page in reader.pages))
    assert any(name.endswith("+Noto-Sans-CJK-SC") for name in fonts), fonts  # the chart's face, SC


def test_pdf_text_after_a_figure_stays_on_the_line_grid(charts, tmp_path):
    write_pdf(html_doc("<p>前文。</p>\n" + figure(charts["completion"], "完成率", "图1 完成率") + "\n<p>后文。</p>"),
              tmp_path / "grid.pdf", TEMPLATES)
    (page,) = pdf_lines(tmp_path / "grid.pdf")
    before, after = [y0 for _, y0, _, _, text in page if text.strip() in ("前文。", "后文。")]
    assert round((before - after) / 28.95, 3) == round((before - after) / 28.95)


def test_docx_embeds_the_png_with_alt_text_width_and_styles(chart_html, tmp_path):
    write_docx(chart_html, tmp_path / "chart.docx")
    with zipfile.ZipFile(tmp_path / "chart.docx") as z:
        media = sorted(name for name in z.namelist() if name.startswith("word/media/"))
        assert media == ["word/media/image1.png", "word/media/image2.png"]
        assert Image.open(io.BytesIO(z.read(media[0]))).width >= 1800
    doc = Document(tmp_path / "chart.docx")
    styled = [(style_name(p.style), p.text) for p in doc.paragraphs]
    assert styled == [("Body Text", "重点项目完成情况如下。"), ("Figure", ""), ("Caption", "图1 重点项目完成率"),
                      ("Figure", ""), ("Caption", "图2 各市投资完成情况"), ("Body Text", "以上为图表。")]
    inlines = list(doc.element.body.iter(f"{WP}inline"))
    alts = ["4个项目的完成率与时间进度50%的比较", "3个市的计划投资与完成投资"]
    assert [i.find(f"{WP}docPr").get("descr") for i in inlines] == alts
    assert [i.find(f"{WP}docPr").get("title") for i in inlines] == alts
    assert len({i.find(f"{WP}docPr").get("id") for i in inlines}) == 2
    images = {r.rId: r.target_part.blob for r in doc.part.rels.values() if "image" in r.reltype}
    for inline in inlines:
        extent = inline.find(f"{WP}extent")
        assert int(extent.get("cx")) == 156 * EMU_PER_MM
        (blip,) = inline.iter(f"{A}blip")
        image = Image.open(io.BytesIO(images[blip.get(R_EMBED)]))
        assert abs(int(extent.get("cy")) / int(extent.get("cx")) - image.height / image.width) < 1e-3  # aspect kept
    assert docx_style(doc, "Figure").paragraph_format.alignment == 1  # centre
    caption = docx_style(doc, "Caption")
    assert caption.font.size.pt == 14 and caption.paragraph_format.alignment == 1
    assert caption.element.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia") == "仿宋_GB2312"


def test_docx_picture_width_defaults_to_the_text_width_and_takes_smaller_widths(charts, tmp_path):
    body = figure(charts["zh"], "甲", "图1", width="") + figure(charts["zh"], "乙", "图2", width=' width="100mm"')
    write_docx(html_doc(body), tmp_path / "w.docx")
    cx = [int(e.get("cx")) for e in Document(tmp_path / "w.docx").element.body.iter(f"{WP}extent")]
    assert cx == [8844 * 635, 100 * EMU_PER_MM]


@pytest.mark.parametrize("img,message", [
    ('<img src="{svg}" data-raster="{png}">', "without alt text"),
    ('<img src="{svg}" data-raster="{png}" alt="  ">', "without alt text"),
    ('<img src="{svg}" alt="图">', "without data-raster"),
    ('<img src="/etc/passwd" data-raster="{png}" alt="图">', "must be data: URLs"),
    ('<img src="chart.svg" data-raster="{png}" alt="图">', "must be data: URLs"),
    ('<img src="{svg}" data-raster="file:///etc/passwd" alt="图">', "must be data: URLs"),
    ('<img src="{svg}" data-raster="http://127.0.0.1:9/x.png" alt="图">', "must be data: URLs"),
    ('<img src="{svg}" data-raster="{svg}" alt="图">', "not a PNG or JPEG"),
    ('<img src="{svg}" data-raster="data:image/png;base64,AAAA" alt="图">', "not a readable image/png"),
    ('<img src="{svg}" data-raster="data:image/png;base64,@@" alt="图">', "malformed data: URL"),
    ('<img src="{svg}" data-raster="{png}" alt="图" width="600px">', "in mm"),
    ('<p>图</p>', "unsupported element <p>"),
])
def test_docx_refuses_bad_figures_with_the_html_line(charts, tmp_path, img, message):
    chart = charts["completion"]
    body = f'<p>前文</p>\n<figure class="chart">\n{img.format(svg=chart.svg_uri(), png=chart.png_uri())}\n</figure>'
    with pytest.raises(WriterError, match=message) as caught:
        write_docx(html_doc(body), tmp_path / "bad.docx")
    assert "HTML line 10" in str(caught.value)
    assert not (tmp_path / "bad.docx").exists()


def test_docx_refuses_an_image_outside_a_chart_figure(charts, tmp_path):
    chart = charts["completion"]
    for body in (f'<figure><img src="{chart.svg_uri()}" data-raster="{chart.png_uri()}" alt="图"></figure>',
                 f'<p><img src="{chart.svg_uri()}" data-raster="{chart.png_uri()}" alt="图"></p>'):
        with pytest.raises(WriterError, match="unsupported element"):
            write_docx(html_doc(body), tmp_path / "bad.docx")


def test_pdf_fetcher_takes_data_urls_and_still_refuses_files(charts, tmp_path):
    chart = charts["completion"]
    write_pdf(html_doc(figure(chart, "图", "图1")), tmp_path / "ok.pdf", TEMPLATES)
    assert len(PdfReader(tmp_path / "ok.pdf").pages) == 1
    with pytest.raises(WriterError, match="refused to fetch"):  # an img outside the project, as before
        write_pdf(html_doc(f'<figure class="chart"><img src="file://{tmp_path}/x.png" alt="图"></figure>'),
                  tmp_path / "x.pdf", TEMPLATES)
    # A file that an embedded SVG points to is refused too; WeasyPrint then drops that SVG (and
    # logs it): no raster from outside the project reaches the PDF.
    (tmp_path / "outside.png").write_bytes(chart.png)
    hostile = chart.svg.replace(b"</svg>", f'<image href="file://{tmp_path}/outside.png" width="99" height="99"/></svg>'.encode())
    uri = "data:image/svg+xml;base64," + base64.b64encode(hostile).decode()
    write_pdf(html_doc(f'<figure class="chart"><img src="{uri}" alt="图"></figure>'), tmp_path / "y.pdf", TEMPLATES)
    assert all(image_xobjects(page.get("/Resources")) == [] for page in PdfReader(tmp_path / "y.pdf").pages)


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_shows_the_chart_picture(chart_html, tmp_path):
    """An independent reader: LibreOffice lays out the picture at 156 mm with its caption below."""
    write_docx(chart_html, tmp_path / "chart.docx")
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(tmp_path / "chart.docx")], env=env, check=True, capture_output=True,
                   timeout=180)
    reader = PdfReader(tmp_path / "chart.pdf")
    images = [image for page in reader.pages for image in image_xobjects(page.get("/Resources"))]
    assert len(images) == 2 and all(image["/Width"] >= 1800 for image in images)
    text = "".join("".join(page.extract_text().split()) for page in reader.pages)  # LibreOffice spaces 图 1
    assert "图1重点项目完成率" in text and "图2各市投资完成情况" in text
    placed = []  # the pictures' widths on the page, from the drawing operators

    def visit(op, args, cm, tm):
        if op == b"Do":
            placed.append(abs(cm[0]) / 72 * 25.4)

    for page in reader.pages:
        page.extract_text(visitor_operand_before=visit)
    assert placed and all(abs(width - 156) < 0.5 for width in placed), placed
