"""Charts for the documents: pure functions from data to a vector SVG (PDF) and a 300 dpi PNG (the
DOCX's fallback picture), carrying the data they were drawn from (the DOCX's native chart:
writers/docx_charts.py, which takes its sizes and styles from here too).

Official documents print in black and white, so series differ by shade and hatch; one restrained
accent marks the benchmark. Text stays text in the SVG (svg.fonttype "none"), naming the caller's
font family, so that WeasyPrint sets it with the same face and the PDF's text stays extractable.
The same input gives the same bytes: no dates or software versions in the files, a fixed hash
salt for the SVG's ids.
"""
from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache

from .errors import WriterError
from .model import format_number

WIDTH_MM = 156  # the type area's width
LINE_PT = 28.95  # the documents' line pitch (22 lines a page)
SHORT, TALL = 8, 9  # a chart's height in lines: 81.7 or 91.9 mm, so text after it stays on the grid
DPI = 300
FONT_PT = 10.5  # 五号: ticks, labels, legend
VALUE_PT = 9  # 小五: the numbers at the bars
MIN_PT = 6.5  # value and row labels shrink this far when many rows share the height

INK = "#000000"
GRID = "#d0d0d0"
DARK = "#595959"  # ahead of the benchmark; a completed series
LIGHT = "#d9d9d9"  # behind the benchmark (hatched); a planned series
HATCH_EDGE = "#404040"
ACCENT = "#a3262a"  # the benchmark: a muted official red, still a dashed dark line in grey print
BEHIND = {"facecolor": LIGHT, "edgecolor": HATCH_EDGE, "hatch": "////"}  # a completion bar behind the benchmark
AHEAD = {"facecolor": DARK, "edgecolor": DARK}  # level with it or ahead
BENCHMARK_DASH = (4, 2.5)  # the benchmark line's dash and gap, in line widths
BAR_HEIGHT = 0.62  # a completion bar's share of its row
GROUP_WIDTH, BAR_FILL = 0.8, 0.92  # a group's share of its slot; a bar's share of its place in the group
SERIES = (  # grouped bars, in the order the series are given
    {"facecolor": LIGHT, "hatch": "////", "edgecolor": HATCH_EDGE},
    {"facecolor": DARK, "edgecolor": DARK},
    {"facecolor": "#ffffff", "hatch": "xxx", "edgecolor": HATCH_EDGE},
    {"facecolor": ACCENT, "edgecolor": ACCENT},
)

_RC = {
    "svg.fonttype": "none",  # text as <text>, set by WeasyPrint with the same family
    "svg.hashsalt": "reportgen",  # fixed ids: byte-identical SVG
    "font.size": FONT_PT,
    "axes.linewidth": 0.6,
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "hatch.linewidth": 0.5,
    "hatch.color": HATCH_EDGE,
    "legend.frameon": False,
    "axes.unicode_minus": False,  # the font's hyphen-minus, as the text around the chart
    "text.parse_math": False,  # labels are content text: "$…$" in a project's name is not mathematics
}
_CLEAR = {"facecolor": "white", "edgecolor": "none", "pad": 0.5}  # a value label over the benchmark line
_SVG_METADATA = {"Date": None, "Creator": None, "Format": None, "Type": None}
_PNG_METADATA = {"Software": None}


@dataclass(frozen=True)
class ChartData:
    """What a chart shows, as the template writes it into the figure (<table class="chart-data">,
    docs/html-vocabulary.md) for the DOCX writer's native chart."""

    kind: str  # "completion" (completion_chart) or "grouped-bar" (grouped_bar_chart)
    categories: tuple[str, ...]  # the projects' labels; the groups
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (name, one value per category)
    axis: str  # the value axis's title
    benchmark: float | None = None  # completion: the time benchmark (%) and its label
    benchmark_label: str = ""


@dataclass(frozen=True)
class Chart:
    svg: bytes  # vector, for the PDF
    png: bytes  # 300 dpi raster, the DOCX's fallback picture
    data: ChartData

    def svg_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")

    def png_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass(frozen=True)
class CompletionLayout:
    lines: int  # the chart's height in lines (SHORT, TALL)
    upper: float  # the value axis's end (%), with room for the value labels
    step: float  # between its ticks
    label_pt: float  # the projects' labels
    value_pt: float  # the numbers at the bars


def completion_layout(rates: list[float | None]) -> CompletionLayout:
    """Sizes of a completion chart of these rates: the rows share the height, and the labels
    shrink (to MIN_PT) when many projects do."""
    label_room = 14  # % of the axis for the value label beyond the longest bar
    upper = max(110.0, math.ceil((max((r for r in rates if r is not None), default=0) + label_room) / 10) * 10)
    lines = SHORT if len(rates) <= 10 else TALL
    row_pt = lines * LINE_PT * 0.75 / len(rates)  # the plot area's height per project, roughly
    return CompletionLayout(lines, upper, 10 if upper <= 150 else 20 if upper <= 300 else 50,
                            max(MIN_PT, min(FONT_PT, row_pt * 0.75)), max(MIN_PT, min(VALUE_PT, row_pt * 0.7)))


def completion_chart(labels: list[str], rates: list[float | None], benchmark: float, *, axis: str,
                     benchmark_label: str, lang: str, font: str) -> Chart:
    """Horizontal bars of completion rates (%), one per project from the top down, against the
    time benchmark as a dashed vertical line. Bars behind the benchmark are light and hatched,
    bars level with it or ahead dark; each bar ends in its value ("45.2%"); a rate of None has
    no bar and reads "—". `benchmark_label` is shown as given above the line."""
    if len(labels) != len(rates) or not labels:
        raise ValueError(f"completion_chart: {len(labels)} labels for {len(rates)} rates")
    layout = completion_layout(rates)
    upper, count = layout.upper, len(labels)

    def draw(fig):
        ax = fig.add_subplot()
        positions = range(count)
        for y, rate in zip(positions, rates):
            if rate is None:
                ax.text(upper * 0.01, y, "—", va="center", ha="left", fontsize=layout.value_pt)
                continue
            ax.barh(y, rate, height=BAR_HEIGHT, linewidth=0.5, zorder=2, **(AHEAD if rate >= benchmark else BEHIND))
            ax.text(rate + upper * 0.01, y, percent(rate), va="center", ha="left",
                    fontsize=layout.value_pt, zorder=4, bbox=_CLEAR)
        ax.axvline(benchmark, color=ACCENT, linewidth=1.0, linestyle=(0, BENCHMARK_DASH), zorder=3)
        ax.text(benchmark, 1.01, benchmark_label, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                color=ACCENT)
        ax.set_yticks(list(positions), labels, fontsize=layout.label_pt)
        ax.set_ylim(count - 0.5, -0.5)  # the first project on top
        ax.set_xlim(0, upper)
        ax.xaxis.set_major_locator(_locator(layout.step))
        ax.xaxis.set_major_formatter(_formatter(lang))
        ax.set_xlabel(axis)
        _frame(ax, grid_axis="x")

    data = ChartData("completion", tuple(labels), ((axis, tuple(rates)),), axis, benchmark, benchmark_label)
    return _render(draw, layout.lines, font, data)


def value_decimals(values: list[float]) -> int:
    """The decimals of a grouped chart's numbers: 1 when any value has decimals, else 0."""
    return 1 if any(v != int(v) for v in values) else 0


@dataclass(frozen=True)
class GroupedLayout:
    lines: int  # the chart's height in lines (SHORT, TALL)
    decimals: int  # of the numbers at the bars (value_decimals)
    value_pt: float  # the numbers at the bars, about as wide as a bar
    upright: bool  # the numbers turned a quarter, still far wider than a bar
    turn: bool  # the groups' labels turned 35°, wider than their slots
    bottom: float  # the value axis's ends, with room for the numbers above the highest bar
    top: float


def grouped_layout(groups: list[str], series: dict[str, list[float]], lang: str) -> GroupedLayout:
    """Sizes of a grouped bar chart: its height, and numbers and labels that fit their bars."""
    values = [v for vs in series.values() for v in vs]
    lines = SHORT if len(groups) <= 8 else TALL
    decimals = value_decimals(values)
    axes_pt = WIDTH_MM * 0.85 * 72 / 25.4  # the plot area, roughly
    slot_pt = axes_pt / len(groups)
    bar_pt = slot_pt * (GROUP_WIDTH / len(series))
    widest = max(text_em(number(v, decimals, lang)) for v in values)
    value_pt = max(MIN_PT, min(VALUE_PT, bar_pt * 1.25 / widest))  # a number about as wide as its bar
    upright = widest * value_pt > bar_pt * 1.4
    plot_pt = lines * LINE_PT * 0.62  # the plot area's height, roughly
    need_pt = (widest * value_pt if upright else value_pt * 1.3) + 3  # room above the highest bar
    top = (max(values) or 1) * plot_pt / max(plot_pt - need_pt, plot_pt / 2)
    turn = max(text_em(g) for g in groups) * FONT_PT > slot_pt * 0.95
    return GroupedLayout(lines, decimals, value_pt, upright, turn, min(0, min(values)), top)


def grouped_bar_chart(groups: list[str], series: dict[str, list[float]], *, axis: str, lang: str,
                      font: str) -> Chart:
    """Vertical bars grouped by `groups` (cities), one bar per series (年度计划投资, 累计完成投资 …)
    in the order given, told apart by shade and hatch; values above the bars; a legend on top."""
    if not groups or not series or any(len(values) != len(groups) for values in series.values()):
        raise ValueError(f"grouped_bar_chart: every series needs one value for each of {len(groups)} groups")
    if len(series) > len(SERIES):
        raise ValueError(f"grouped_bar_chart: at most {len(SERIES)} series can be told apart in black and white")
    layout = grouped_layout(groups, series, lang)
    peak = max(v for values in series.values() for v in values) or 1

    def draw(fig):
        ax = fig.add_subplot()
        count, per_group = len(groups), len(series)
        width = GROUP_WIDTH / per_group
        ax.set_ylim(layout.bottom, layout.top)
        for index, (name, values) in enumerate(series.items()):
            xs = [g + (index - (per_group - 1) / 2) * width for g in range(count)]
            ax.bar(xs, values, width=width * BAR_FILL, linewidth=0.5, label=name, zorder=2, **SERIES[index])
            for x, value in zip(xs, values):
                ax.text(x, value + peak * 0.01, number(value, layout.decimals, lang), ha="center", va="bottom",
                        rotation=90 if layout.upright else 0, fontsize=layout.value_pt, zorder=4)
        turn = layout.turn
        ax.set_xticks(list(range(count)), groups, rotation=35 if turn else 0, ha="right" if turn else "center",
                      rotation_mode="anchor" if turn else "default")
        ax.set_xlim(-0.5, count - 0.5)
        ax.yaxis.set_major_formatter(_formatter(lang))
        ax.set_ylabel(axis)
        ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=per_group, handlelength=1.6,
                  columnspacing=2.0, borderaxespad=0.3)
        _frame(ax, grid_axis="y")

    data = ChartData("grouped-bar", tuple(groups), tuple((name, tuple(values)) for name, values in series.items()), axis)
    return _render(draw, layout.lines, font, data)


# --- drawing --------------------------------------------------------------------------------

def _render(draw, lines: int, font: str, data: ChartData) -> Chart:
    """Draw a figure of the type area's width, `lines` lines high, lay it out once and save it
    twice. The object API with the Agg canvas, no pyplot; the settings apply inside an rc_context
    only (matplotlib's rcParams are process-wide: draw charts from one thread at a time)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    family = font_family(font)
    with matplotlib.rc_context({**_RC, "font.family": [family]}):
        fig = Figure(figsize=(WIDTH_MM / 25.4, lines * LINE_PT / 72), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        fig.get_layout_engine().set(w_pad=1 / 72, h_pad=1 / 72)
        draw(fig)
        fig.draw_without_rendering()  # the constrained layout, once for both files
        fig.set_layout_engine("none")
        svg, png = io.BytesIO(), io.BytesIO()
        fig.savefig(svg, format="svg", metadata=_SVG_METADATA)
        fig.savefig(png, format="png", dpi=DPI, metadata=_PNG_METADATA, pil_kwargs={"compress_level": 3})  # smaller and faster than 6
    return Chart(svg.getvalue(), png.getvalue(), data)


def _frame(ax, grid_axis: str) -> None:
    """Left and bottom axis lines only, a light grid behind the bars."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis=grid_axis, color=GRID, linewidth=0.5, zorder=0)
    ax.set_axisbelow(True)
    ax.tick_params(length=3)


def _locator(step: float):
    from matplotlib.ticker import MultipleLocator
    return MultipleLocator(step)


def _formatter(lang: str):
    from matplotlib.ticker import FuncFormatter
    return FuncFormatter(lambda value, _: number(value, 2, lang))


def number(value: float, decimals: int, lang: str) -> str:
    """As the documents print numbers (model.format_number): rounded half up (四舍五入) as
    written in decimal, no trailing zeros, thousands separators in English only."""
    exact = Decimal(repr(float(value)))
    return format_number(exact.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), lang)


def percent(value: float) -> str:
    """A rate as the tables print it (render.pct): one decimal, 46.0%."""
    return f"{Decimal(repr(float(value))).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}%"


def text_em(text: str) -> float:
    """A text's width in ems, roughly: CJK characters one em, others about half."""
    return sum(1.0 if ord(c) > 0x2e80 else 0.55 for c in text)


@cache
def font_family(font: str) -> str:
    """The family matplotlib draws with for `font`, checked to be that very face.

    matplotlib ≥ 3.11 indexes every face of a TrueType/OpenType collection (Noto CJK's .ttc
    files hold JP, KR, SC, TC and HK faces) and finds the face named by the family; older
    versions took a collection's first face (Japanese glyph variants). The face found is opened
    and its family name compared, so that a wrong face can never draw silently."""
    from matplotlib import font_manager

    try:
        path = font_manager.findfont(font_manager.FontProperties(family=font), fallback_to_default=False)
    except ValueError:
        raise WriterError(f"matplotlib finds no font family {font!r} for the charts "
                          "(fonts installed after matplotlib built its font cache need the cache rebuilt)") from None
    face = font_manager.get_font(path)
    if face.family_name != font:
        raise WriterError(f"matplotlib draws the chart font {font!r} with the face {face.family_name!r} "
                          f"of {face.fname} (matplotlib ≥ 3.11 is needed for font collections)")
    return font


def font_file(font: str) -> tuple[str, int]:
    """The font file and face index that draw `font` in the charts' PNG."""
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family=font_family(font)), fallback_to_default=False)
    return str(path), getattr(path, "face_index", 0)
