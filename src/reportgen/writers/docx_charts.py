"""Native Word charts for the DOCX writer: a <figure class="chart"> whose <table class="chart-data">
gives the chart's data (docs/html-vocabulary.md) becomes a DrawingML chart part
(word/charts/chartN.xml) with its values cached and an embedded workbook
(word/embeddings/chartN.xlsx) holding them, so that Word, WPS and LibreOffice open a chart whose
numbers the reader can edit. The chart's PNG stays in the drawing's alternate content: the picture
a reader without charts shows. Sizes, shades and number formats are those reportgen.charts draws
the PDF's chart with.

python-pptx writes the chart XML (ChartXmlWriter, from its CategoryChartData) and styles it
through its chart objects; lxml adds what these have no API for (the benchmark line, the East
Asian face, the language, one bar's number format); XlsxWriter writes the workbook, dated with
the document, in the layout python-pptx's references name.
"""
from __future__ import annotations

import copy
import io
import math
import re
from datetime import datetime

import xlsxwriter
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part, XmlPart
from lxml import etree
from pptx.chart.chart import Chart
from pptx.chart.data import CategoryChartData
from pptx.chart.xmlwriter import ChartXmlWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION, XL_TICK_MARK
from pptx.enum.dml import MSO_PATTERN
from pptx.oxml import parse_xml
from pptx.util import Pt

from .. import charts
from ..charts import ChartData
from ..errors import WriterError

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
KINDS = {"completion": XL_CHART_TYPE.BAR_CLUSTERED, "grouped-bar": XL_CHART_TYPE.COLUMN_CLUSTERED}
HATCHES = {"////": MSO_PATTERN.LIGHT_UPWARD_DIAGONAL, "xxx": MSO_PATTERN.DIAGONAL_CROSS}  # matplotlib's → DrawingML's
AXIS_PT, BAR_LINE_PT, GRID_PT, BENCHMARK_PT = 0.6, 0.5, 0.5, 1.0  # line widths, as charts.py draws them
SHEET = "Sheet1"  # the sheet python-pptx's references name
# what XML 1.0 forbids, which a table's text may hold: dropped from the chart's texts, as docx.py drops it from runs
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def read_chart_data(table) -> tuple[ChartData, str]:
    """The data of a <table class="chart-data"> (macros.html.j2, chart_data) and the header over its
    categories: data-chart (the kind), data-axis, for a completion chart data-benchmark and
    data-benchmark-label; a header row naming the series, then a row per category, its label
    first, a number (or nothing) per series."""

    def refuse(problem: str) -> WriterError:
        return WriterError(f'HTML line {table.sourceline}: <table class="chart-data">: {problem}')

    def number(text: str, what: str) -> float | None:
        try:
            value = float(text) if text else None
        except ValueError:
            value = math.nan
        if value is not None and not math.isfinite(value):
            raise refuse(f"{what} {text!r} is not a number")
        return value

    def text(value: str) -> str:
        return " ".join(NOT_XML.sub("", value).split())

    kind = table.get("data-chart")
    if kind not in KINDS:
        raise refuse(f"data-chart={kind!r} is not one of {', '.join(KINDS)}")
    rows = [[text("".join(cell.itertext())) for cell in tr if cell.tag in ("th", "td")] for tr in table.iter("tr")]
    if len(rows) < 2 or len(rows[0]) < 2 or any(len(row) != len(rows[0]) for row in rows):
        raise refuse("expected a header row and a row per category, each with a cell per series after the label")
    names = rows[0][1:]
    if (kind == "completion" and len(names) != 1) or len(names) > len(charts.SERIES):
        raise refuse(f"{len(names)} series for a {kind} chart")
    values = tuple(tuple(number(row[i], "value") for row in rows[1:]) for i in range(1, len(rows[0])))
    benchmark = number(table.get("data-benchmark", ""), "data-benchmark")
    if (benchmark is None) == (kind == "completion"):
        raise refuse("data-benchmark is required for a completion chart, and only there")
    if kind == "grouped-bar" and any(v is None for vs in values for v in vs):
        raise refuse("a grouped bar chart needs every value")
    data = ChartData(kind, tuple(row[0] for row in rows[1:]), tuple(zip(names, values)), text(table.get("data-axis", "")),
                     benchmark, text(table.get("data-benchmark-label", "")))
    return data, rows[0][0]


def add_chart(part, drawing, data: ChartData, corner: str, *, fonts: tuple[str, str], lang: str,
              created: datetime) -> None:
    """Make the picture `drawing` (a w:drawing in a run of the document `part`) the fallback of a
    native chart of `data`, of the picture's size, id and alt text. `corner`: the workbook's header
    over the categories; `fonts`: the Latin and the East Asian face; `created`: the workbook's date."""
    package = part.package
    english = not lang.lower().startswith("zh")
    chart_space = chart_xml(data, fonts, english)
    chart_part = XmlPart(package.next_partname("/word/charts/chart%d.xml"), CT.DML_CHART, chart_space, package)
    book = Part(package.next_partname("/word/embeddings/chart%d.xlsx"), CT.SML_SHEET,
                workbook(data, english, corner, created), package)
    external = _sub(chart_space, "c:externalData", {f"{{{R}}}id": chart_part.relate_to(book, RT.PACKAGE)})
    _sub(external, "c:autoUpdate", val="0")
    chart_drawing = copy.deepcopy(drawing)
    graphic_data = chart_drawing.find(f".//{{{A}}}graphicData")
    graphic_data.set("uri", C)
    graphic_data[:] = [etree.Element(f"{{{C}}}chart", {f"{{{R}}}id": part.relate_to(chart_part, RT.CHART)},
                                     nsmap={"c": C, "r": R})]
    # The chart for a reader of Word 2010's markup (w14) or later, as Word, WPS and LibreOffice
    # are (LibreOffice takes a Choice requiring w14, wps or wpg, no other); the picture otherwise.
    alternate = etree.Element(f"{{{MC}}}AlternateContent", nsmap={"mc": MC, "w14": W14})
    drawing.addprevious(alternate)
    etree.SubElement(alternate, f"{{{MC}}}Choice", Requires="w14").append(chart_drawing)
    etree.SubElement(alternate, f"{{{MC}}}Fallback").append(drawing)


def columns(data: ChartData, english: bool) -> list[tuple[str, tuple[float | None, ...], str, dict[int, str]]]:
    """The chart's series as the workbook's columns after the categories (a completion chart's
    benchmark last, once per project): name, values, the format of the numbers (in the workbook,
    the cache and at the bars), and the bars whose numbers print otherwise, with theirs. As the
    PDF prints them: a rate with one decimal (its label adds %: charts.percent); an amount rounded
    to the chart's decimals without trailing zeros (charts.number: 93350 and 88891.2 in one
    chart), with thousands separators in English."""
    if data.kind == "completion":
        return [(name, values, "0.0", {}) for name, values in data.series] + [
            (data.benchmark_label, (data.benchmark,) * len(data.categories), "0.0", {})]
    decimals = charts.value_decimals([v for _, values in data.series for v in values])
    whole = "#,##0" if english else "0"
    if not decimals:
        return [(name, values, whole, {}) for name, values in data.series]
    return [(name, values, f"{whole}.0", {i: whole for i, v in enumerate(values) if "." not in charts.number(v, 1, "zh")})
            for name, values in data.series]


# --- the chart part -----------------------------------------------------------------------

def chart_xml(data: ChartData, fonts: tuple[str, str], english: bool):
    """The c:chartSpace of a chart of `data`, drawn as charts.py draws it for the PDF."""
    series_columns = columns(data, english)
    source = CategoryChartData()
    source.categories = data.categories
    for name, values, code, _ in series_columns:
        source.add_series(name, values, code)
    chart_space = parse_xml(ChartXmlWriter(KINDS[data.kind], source).xml.encode("utf-8"))
    for number, old in enumerate(dict.fromkeys(e.get("val") for e in chart_space.iter(f"{{{C}}}axId")), 1):
        for element in chart_space.iter(f"{{{C}}}axId", f"{{{C}}}crossAx"):  # python-pptx's are negative
            if element.get("val") == old:
                element.set("val", str(number))
    chart = Chart(chart_space, None)
    chart.has_title = False  # the figure's caption is its title
    plot, category_axis, value_axis = chart.plots[0], chart.category_axis, chart.value_axis
    plot.vary_by_categories = False
    if data.kind == "completion":
        layout = charts.completion_layout(list(data.series[0][1]))
        plot.gap_width = round((1 - charts.BAR_HEIGHT) / charts.BAR_HEIGHT * 100)
        rates = plot.series[0]
        _style(rates.format, charts.BEHIND)
        for index, rate in enumerate(data.series[0][1]):
            if rate is not None and rate >= data.benchmark:
                _style(rates.points[index].format, charts.AHEAD)
        category_axis.reverse_order = True  # the first project on top,
        value_axis._element.find(f"{{{C}}}crosses").set("val", "max")  # the value axis still below
        category_axis.tick_labels.font.size = Pt(layout.label_pt)
        value_axis.minimum_scale, value_axis.maximum_scale, value_axis.major_unit = 0, layout.upper, layout.step
        value_pt, upright, tick_format = layout.value_pt, False, "General"
    else:
        layout = charts.grouped_layout(list(data.categories), {name: list(v) for name, v in data.series},
                                       "en" if english else "zh")
        place = charts.GROUP_WIDTH / len(data.series)  # a bar's place in its group, which it fills BAR_FILL of
        plot.gap_width = round((1 - charts.GROUP_WIDTH + place * (1 - charts.BAR_FILL)) / (place * charts.BAR_FILL) * 100)
        plot.overlap = -round((1 - charts.BAR_FILL) / charts.BAR_FILL * 100)
        for series, style in zip(plot.series, charts.SERIES):
            _style(series.format, style)
        category_axis.tick_labels.font.size = Pt(charts.FONT_PT)
        if layout.turn:
            _turn(category_axis._element.find(f"{{{C}}}txPr"), -35)
        value_axis.minimum_scale, value_axis.maximum_scale = layout.bottom, layout.top
        chart.has_legend = True
        chart.legend.position, chart.legend.include_in_layout = XL_LEGEND_POSITION.TOP, False
        chart.legend.font.size = Pt(charts.FONT_PT)
        value_pt, upright = layout.value_pt, layout.upright
        tick_format = "[>=1000]#,##0;General" if english else "General"  # as the PDF's ticks: 20,000 and 0.5
    for series, (_, _, code, point_codes) in zip(plot.series, series_columns[:len(data.series)]):
        bar_labels(series, '0.0"%"' if data.kind == "completion" else code, point_codes, value_pt, upright,
                   clear=data.kind == "completion")
    skip = etree.Element(_qn("c:tickLblSkip"), val="1")  # every category's label, as the PDF prints them
    category_axis._element.find(f"{{{C}}}noMultiLvlLbl").addprevious(skip)
    for axis in (category_axis, value_axis):
        axis.format.line.width = Pt(AXIS_PT)
        axis.format.line.color.rgb = _rgb(charts.INK)
        axis.major_tick_mark, axis.minor_tick_mark = XL_TICK_MARK.OUTSIDE, XL_TICK_MARK.NONE
    value_axis.has_major_gridlines = True
    value_axis.major_gridlines.format.line.width = Pt(GRID_PT)
    value_axis.major_gridlines.format.line.color.rgb = _rgb(charts.GRID)
    value_axis.tick_labels.number_format, value_axis.tick_labels.number_format_is_linked = tick_format, False
    value_axis.has_title = True
    value_axis.axis_title.text_frame.text = data.axis
    value_axis.axis_title.text_frame.paragraphs[0].runs[0].font.bold = False  # Word's default title is bold
    if data.kind == "completion":
        benchmark_line(chart, data, layout)
    else:  # the title reads upwards beside the axis
        _turn(value_axis.axis_title._element.find(f".//{{{C}}}rich"), -90)
    chart.font.size = Pt(charts.FONT_PT)
    chart.font.color.rgb = _rgb(charts.INK)
    finish(chart_space, fonts, english)
    return chart_space


def bar_labels(series, code: str, point_codes: dict[int, str], size_pt: float, upright: bool, clear: bool) -> None:
    """The numbers at a series' bars, beyond their ends, in the format `code`, turned a quarter
    when `upright`, on white when `clear` (over the benchmark line); a bar listed in `point_codes`
    gets a label of its own, alike but for its format."""
    labels = series.data_labels
    labels.number_format, labels.number_format_is_linked = code, False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.show_value = True
    labels.font.size = Pt(size_pt)
    d_lbls = labels._element
    if clear:
        shape = etree.Element(_qn("c:spPr"))
        shape.append(_solid("#ffffff"))
        d_lbls.find(f"{{{C}}}txPr").addprevious(shape)
    if upright:
        _turn(d_lbls.find(f"{{{C}}}txPr"), -90)
    shared = [child for child in d_lbls if etree.QName(child).localname not in ("showLeaderLines", "leaderLines")]
    for index, point_code in sorted(point_codes.items()):
        d_lbl = etree.Element(_qn("c:dLbl"))
        _sub(d_lbl, "c:idx", val=str(index))
        d_lbl.extend(copy.deepcopy(child) for child in shared)
        d_lbl.find(f"{{{C}}}numFmt").set("formatCode", point_code)
        shared[0].addprevious(d_lbl)


def benchmark_line(chart, data: ChartData, layout: charts.CompletionLayout) -> None:
    """The time benchmark as a dashed vertical line over the bars, labelled above them, as the
    PDF draws it: the benchmark's series (the workbook's last column) has invisible bars as long
    as the benchmark, laid over the projects' (overlap 100%); their linear trend line, stretched
    half a row beyond the first and the last, is the line, and the label of the first bar, moved
    above the plot area (placed for it), names it. (An XY series over the bars would do in Word,
    but LibreOffice lays its x values along the categories.)"""
    chart.plots[0].overlap = 100
    benchmark = chart.plots[0].series[-1]
    benchmark.format.fill.background()
    benchmark.format.line.fill.background()
    trend = etree.Element(_qn("c:trendline"))
    benchmark._element.find(f"{{{C}}}cat").addprevious(trend)
    _sub(trend, "c:name").text = data.benchmark_label
    line = _sub(_sub(trend, "c:spPr"), "a:ln", w=str(round(BENCHMARK_PT * 12700)))
    line.append(_solid(charts.ACCENT))
    dash, gap = charts.BENCHMARK_DASH  # in line widths; DrawingML counts thousandths of a per cent of it
    _sub(_sub(line, "a:custDash"), "a:ds", d=str(round(dash * 100000)), sp=str(round(gap * 100000)))
    _sub(trend, "c:trendlineType", val="linear")
    _sub(trend, "c:forward", val="0.5")
    _sub(trend, "c:backward", val="0.5")
    _sub(trend, "c:dispRSqr", val="0")
    _sub(trend, "c:dispEq", val="0")
    # the plot area inside the axes' labels and titles, room above it for the label (fractions of the chart)
    width_pt, height_pt = charts.WIDTH_MM * 72 / 25.4, layout.lines * charts.LINE_PT
    left = (max(charts.text_em(label) for label in data.categories) * layout.label_pt + 8) / width_pt
    top, bottom, right = charts.FONT_PT * 1.6 / height_pt, (charts.FONT_PT * 2.6 + 8) / height_pt, charts.FONT_PT * 1.2 / width_pt
    width, height = 1 - left - right, 1 - top - bottom
    plot_layout = etree.Element(_qn("c:layout"))
    chart.plots[0]._element.getparent().insert(0, plot_layout)  # the plot area's first
    _manual_layout(plot_layout, layoutTarget="inner", xMode="edge", yMode="edge", x=left, y=top, w=width, h=height)
    # the label: from the first bar's middle (half the benchmark) to the line, from the first row's middle to above the plot area
    d_lbls = benchmark._element.get_or_add_dLbls()  # python-pptx's: every flag off…
    d_lbls.find(f"{{{C}}}showLeaderLines").set("val", "0")  # …and no line to a moved label
    d_lbl = etree.Element(_qn("c:dLbl"))
    d_lbls.insert(0, d_lbl)
    _sub(d_lbl, "c:idx", val="0")
    _manual_layout(_sub(d_lbl, "c:layout"), x=width * data.benchmark / layout.upper / 2,
                   y=-(height / len(data.categories) + charts.FONT_PT * 1.2 / height_pt) / 2 - 2 / height_pt)
    tx_pr = _sub(d_lbl, "c:txPr")
    _sub(tx_pr, "a:bodyPr", wrap="none")  # one line, however long
    _sub(tx_pr, "a:lstStyle")
    _sub(_sub(_sub(tx_pr, "a:p"), "a:pPr"), "a:defRPr").append(_solid(charts.ACCENT))
    _sub(d_lbl, "c:dLblPos", val="ctr")
    _flags(d_lbl, "showSerName")


def finish(chart_space, fonts: tuple[str, str], english: bool) -> None:
    """What every chart gets: the document's language (c:lang and every run's), its Latin and East
    Asian faces for all text, square corners, no frame and no fill."""
    language, other = ("en-US", "zh-CN") if english else ("zh-CN", "en-US")
    lang = etree.Element(_qn("c:lang"), val=language)
    chart_space.find(f"{{{C}}}date1904").addnext(lang)
    lang.addnext(etree.Element(_qn("c:roundedCorners"), val="0"))
    frame = etree.Element(_qn("c:spPr"))
    _sub(frame, "a:noFill")
    _sub(_sub(frame, "a:ln"), "a:noFill")
    chart_space.find(f"{{{C}}}txPr").addprevious(frame)
    for properties in chart_space.iter(f"{{{A}}}defRPr", f"{{{A}}}rPr", f"{{{A}}}endParaRPr"):
        properties.set("lang", language)
        properties.set("altLang", other)
    default = chart_space.find(f"{{{C}}}txPr/{{{A}}}p/{{{A}}}pPr/{{{A}}}defRPr")
    for tag, face in zip(("a:latin", "a:ea"), fonts):
        for old in default.findall(_qn(tag)):
            default.remove(old)
        _sub(default, tag, typeface=face)


# --- the workbook -------------------------------------------------------------------------

def workbook(data: ChartData, english: bool, corner: str, created: datetime) -> bytes:
    """The embedded workbook: the sheet in python-pptx's layout (categories down column A from row
    2, a column per series headed by its name); the benchmark's column repeats its first value by
    formulas, so that one cell moves the line. Dated `created`, so that the same document gives
    the same bytes (XlsxWriter fixes the zip entries' times)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": created.replace(tzinfo=None)})
    sheet = book.add_worksheet(SHEET)
    for row, label in enumerate((corner, *data.categories)):  # as text, never a formula
        sheet.write_string(row, 0, label)
    series_columns = columns(data, english)
    for column, (name, values, code, _) in enumerate(series_columns, 1):
        number_format = book.add_format({"num_format": code})
        sheet.write_string(0, column, name)
        repeated = data.benchmark is not None and column == len(series_columns)
        for row, value in enumerate(values, 1):
            if repeated and row > 1:
                sheet.write_formula(row, column, f"=${_column(column + 1)}$2", number_format, value)
            elif value is not None:
                sheet.write_number(row, column, value, number_format)
    for column, texts in enumerate([(corner, *data.categories), *((name,) for name, *_ in series_columns)]):
        sheet.set_column(column, column, max(10, *(sum(2 if ord(c) > 0x2e80 else 1 for c in text) + 1 for text in texts)))
    book.close()
    return buffer.getvalue()


# --- XML helpers --------------------------------------------------------------------------

def _qn(tag: str) -> str:
    prefix, name = tag.split(":")
    return f"{{{C if prefix == 'c' else A}}}{name}"


def _sub(parent, tag: str, attrib: dict | None = None, **attrs):
    return etree.SubElement(parent, _qn(tag), {**(attrib or {}), **attrs})


def _rgb(color: str) -> RGBColor:
    return RGBColor.from_string(color[1:].upper())


def _solid(color: str):
    fill = etree.Element(_qn("a:solidFill"))
    _sub(fill, "a:srgbClr", val=color[1:].upper())
    return fill


def _style(fmt, style: dict) -> None:
    """A bar's fill and outline from its matplotlib style in charts.py: solid, or hatched in the
    nearest pattern, its lines in the edge colour over the face colour."""
    if "hatch" in style:
        fmt.fill.patterned()
        fmt.fill.pattern = HATCHES[style["hatch"]]
        fmt.fill.fore_color.rgb = _rgb(style["edgecolor"])
        fmt.fill.back_color.rgb = _rgb(style["facecolor"])
    else:
        fmt.fill.solid()
        fmt.fill.fore_color.rgb = _rgb(style["facecolor"])
    fmt.line.width = Pt(BAR_LINE_PT)
    fmt.line.color.rgb = _rgb(style["edgecolor"])


def _turn(text, degrees: int) -> None:
    """Turn a text body (c:txPr, c:rich) by `degrees`, clockwise positive."""
    body = text.find(f"{{{A}}}bodyPr")
    body.set("rot", str(degrees * 60000))
    body.set("vert", "horz")


def _flags(parent, *shown: str) -> None:
    """The show… flags a data label needs, all off but `shown`."""
    for name in ("showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize"):
        _sub(parent, f"c:{name}", val="1" if name in shown else "0")


def _column(number: int) -> str:
    """A worksheet column's letter (1 → A); a chart's sheet has a few columns."""
    return chr(ord("A") + number - 1)


def _manual_layout(layout, **values) -> None:
    """A c:manualLayout in `layout`: its modes and target as given, x y w h as fractions of the chart."""
    manual = _sub(layout, "c:manualLayout")
    for name in ("layoutTarget", "xMode", "yMode", "x", "y", "w", "h"):
        if name in values:
            value = values[name]
            _sub(manual, f"c:{name}", val=value if isinstance(value, str) else f"{value:.4f}")
