"""Jinja2 rendering: content model → one semantic HTML document per document and language.

Templates run sandboxed with StrictUndefined; text is escaped; Markdown's raw HTML is disabled.
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import markdown
from jinja2.loaders import split_template_path
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from .errors import Location, Problem, TemplateError
from .inputs import stamp
from .model import Column, Date, Period, format_number, heading_marker, round1
from .templates import Templates

MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
MONTH_NAMES_EN = "January February March April May June July August September October November December".split()


# Markdown that makes elements outside the documents' vocabulary (docs/html-vocabulary.md) stays
# as written: raw HTML, links and images (a file:// image or a javascript: link from content would
# reach the PDF), headings (the plan's structure numbers them), rules, quotes and code blocks.
PLAIN_INLINE = ("html", "reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref", "autolink", "automail")
PLAIN_BLOCKS = ("hashheader", "setextheader", "hr", "quote", "reference", "code")


def markdown_html(text: str, lead: Markup | None = None) -> Markup:
    """Markdown to HTML: paragraphs, lists, strong, emphasis, code and line breaks; anything else
    stays visible text (PLAIN_INLINE, PLAIN_BLOCKS). `lead` runs into the first paragraph."""
    md = markdown.Markdown(extensions=["sane_lists"])
    md.preprocessors.deregister("html_block")
    for name in PLAIN_INLINE:
        md.inlinePatterns.deregister(name)
    for name in PLAIN_BLOCKS:
        md.parser.blockprocessors.deregister(name)
    html = md.convert(text)
    if lead is None:
        return Markup(html)
    if html.startswith("<p>"):
        return Markup(f'<p class="run-in">{lead}{html[3:]}')
    return Markup(f'<p class="run-in">{lead}</p>\n{html}')


NESTING = re.compile(r"<(/?)(?:ul|ol|em|strong)\b")  # what nests in markdown_html's output (escaped text holds no "<")


def markdown_depth(text: str) -> int:
    """How deep lists and emphasis nest in a text's Markdown: a list in a list is 2, bold in its
    items 3 (paragraphs and list items do not count: each goes with its list)."""
    depth = deepest = 0
    for m in NESTING.finditer(markdown_html(text)):
        depth += -1 if m[1] else 1
        deepest = max(deepest, depth)
    return deepest


def lines(text: str) -> Markup:
    """A multi-line title: the content's line breaks become <br>."""
    return Markup("<br>").join(escape(part.strip()) for part in text.split("\n"))


def period(p: Period, lang: str) -> str:
    """2019.8—2022.8 / 2018—2023 in Chinese; Aug 2019 – Aug 2022 / 2018–2023 in English; a
    period of one year or month prints it once."""
    if lang == "zh":
        part = lambda y, m: f"{y}.{m}" if m else str(y)  # noqa: E731
        sep = "—"
    else:
        part = lambda y, m: f"{MONTHS_EN[m - 1]} {y}" if m else str(y)  # noqa: E731
        sep = " – " if p.start_month or p.end_month else "–"
    start, end = part(p.start_year, p.start_month), part(p.end_year, p.end_month)
    return start if start == end else f"{start}{sep}{end}"


def date(d: Date, lang: str) -> str:
    """A table's date: 2021年3月 / March 2021, 2021年3月15日 / March 15, 2021, or the year."""
    if d.month is None:
        return str(d.year)
    if lang == "zh":
        return f"{d.year}年{d.month}月" + (f"{d.day}日" if d.day else "")
    return f"{MONTH_NAMES_EN[d.month - 1]} {d.day}, {d.year}" if d.day else f"{MONTH_NAMES_EN[d.month - 1]} {d.year}"


def one_line(title: str, lang: str) -> str:
    """A title whose line breaks only shape the title block: Chinese lines join without a space."""
    return ("" if lang == "zh" else " ").join(line.strip() for line in title.split("\n"))


def long_date(d: datetime.date, lang: str) -> str:
    """2021年3月15日 (Arabic numerals, no zero padding: GB/T 9704 §7.3.5.4) / March 15, 2021."""
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else f"{MONTH_NAMES_EN[d.month - 1]} {d.day}, {d.year}"


def fill(template: str, **values: Any) -> str:
    """A template string of strings.yaml with its {fields} filled."""
    return template.format_map(values)


def sentence(text: str, lang: str) -> str:
    """A text ending as a sentence does: 。 in Chinese, a full stop in English."""
    return text if text[-1:] in "。！？.!?" else text + ("。" if lang == "zh" else ".")


def pct(value: Decimal | None, lang: str) -> str:
    """A rate in per cent to one decimal: 45.2%; — when there is none."""
    return "—" if value is None else f"{round1(value):f}%"


def points(value: Decimal) -> str:
    """The size of a gap in percentage points, to one decimal as rates are (the sentence says ahead
    or behind)."""
    return format(round1(abs(value)), "f")


def signed_points(value: Decimal | None) -> str:
    """A gap in a table: +4.8 / −6.2 / 0.0."""
    if value is None:
        return "—"
    sign = "+" if round1(value) > 0 else ("−" if round1(value) < 0 else "")
    return sign + format(round1(abs(value)), "f")


UNIT_YUAN = {"元": 1, "万元": 10_000, "亿元": 100_000_000}
EN_SCALES = ((10**9, "billion", 2), (10**6, "million", 1))  # the unit words of English prose, and their decimals


def money(value: Decimal, unit: str, lang: str) -> str:
    """Money in running text, rounded for reading (the tables keep the exact figure in `unit`, the
    table's 元, 万元 or 亿元): in Chinese in the table's unit, to at most two decimals (182241.2万元);
    in English in billion yuan to two decimals, million yuan to one, or whole yuan below a million
    (1.82 billion yuan, 356.4 million yuan, 120,000 yuan: docs/progress-format.md)."""
    if lang == "zh":
        return format_number(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), lang) + unit
    yuan = value * UNIT_YUAN[unit]
    for scale, word, decimals in EN_SCALES:
        scaled = (yuan / scale).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if scaled >= 1:
            return f"{format_number(scaled, lang)} {word} yuan"
    return f"{format_number(yuan.quantize(Decimal(1), rounding=ROUND_HALF_UP), lang)} yuan"


def plural(forms: dict[str, Any], n: int) -> Any:
    """The form of a strings.yaml text for n things: of {one: …, other: …}, `one` for 1 and `other`
    for any other number, as ngettext chooses in English (each form is a {zh, en} pair)."""
    return forms["one"] if n == 1 else forms["other"]


def marker(level: int, n: int, lang: str) -> str:
    """The heading marker of the n-th heading at `level` (model.heading_marker)."""
    return heading_marker(level, n)[lang].rstrip() + (" " if lang == "en" else "")


def cell(value: Any, column: Column, lang: str) -> str:
    if column.type == "text":
        return value[lang]
    if column.type == "amount":
        return amount(value, lang, column.decimals)
    if column.type == "period":
        return period(value, lang)
    if column.type == "date":
        return date(value, lang)
    return str(value)


def amount(value: Decimal, lang: str, decimals: int | None = None) -> str:
    """An amount as a table prints it: with the column's declared decimals (120.0), else as
    written without trailing zeros; thousands separators in English."""
    if decimals is None:
        return format_number(value, lang)
    text = format(value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP), "f")
    if lang == "en":
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return text


def chart_functions(templates_dir: Path, content_dir: Path | None = None) -> dict[str, Any]:
    """Template globals drawing the charts (src/reportgen/charts.py) with the 黑体 role's face
    (which may lie in the content's fonts folder)."""
    from . import charts
    from .fonts import chart_font

    def number(value: Any) -> float | None:
        return None if value is None else float(value)

    def completion_chart(labels, rates, benchmark, **texts) -> charts.Chart:
        return charts.completion_chart([str(x) for x in labels], [number(r) for r in rates], float(benchmark), font=chart_font(templates_dir, content_dir), **texts)

    def grouped_bar_chart(groups, series, **texts) -> charts.Chart:
        return charts.grouped_bar_chart(list(groups), {k: [float(v) for v in vs] for k, vs in series.items()}, font=chart_font(templates_dir, content_dir), **texts)

    return {"completion_chart": completion_chart, "grouped_bar_chart": grouped_bar_chart}


class TemplateLoader(jinja2.BaseLoader):
    """Jinja2's templates through the lookup of templates.py: an office's own version first, and
    nothing outside its folder."""

    def __init__(self, templates: Templates):
        self.templates = templates

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        name = "/".join(split_template_path(template))  # refuses `..`
        path = self.templates.find(name)
        if not path.is_file():
            raise jinja2.TemplateNotFound(template)
        mtime = path.stat().st_mtime_ns
        return self.templates.read_text(name), str(path), lambda: path.is_file() and path.stat().st_mtime_ns == mtime


def environment(templates_dir: Path, content_dir: Path | None = None) -> ImmutableSandboxedEnvironment:
    """The templates' Jinja2 environment, made once while their strings.yaml is unchanged."""
    return _environment(templates_dir, content_dir, stamp(Templates(templates_dir, content_dir).find("strings.yaml")))


@cache
def _environment(templates_dir: Path, content_dir: Path | None, strings: tuple | None) -> ImmutableSandboxedEnvironment:
    templates = Templates(templates_dir, content_dir)
    env = ImmutableSandboxedEnvironment(
        loader=TemplateLoader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md=markdown_html, lines=lines, one_line=one_line, long_date=long_date, amount=amount, period=period, cell=cell, fill=fill, pct=pct,
        points=points, sentence=sentence, signed_points=signed_points, money=money, plural=plural, round1=round1, number=format_number, marker=marker,
    )
    env.globals.update(chart_functions(templates_dir, content_dir))
    env.globals["strings"] = templates.read_yaml("strings.yaml")
    return env


def render_html(templates_dir: Path, template: str, *, content_dir: Path | None = None, **context: Any) -> str:
    """Render one document; template mistakes and sandbox violations become located TemplateErrors.
    `content_dir`: the content folder whose fonts folder may hold the face charts are drawn with."""
    env = environment(templates_dir, content_dir)
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = Location(Path(exc.filename) if exc.filename else env.loader.templates.find(template), exc.lineno)
        raise TemplateError([Problem(where, f"template syntax: {exc.message}")]) from None
    except (jinja2.UndefinedError, SecurityError, jinja2.TemplateError, OverflowError) as exc:  # OverflowError: the sandbox's range limit
        raise TemplateError([Problem(Location(env.loader.templates.find(template), template_line(exc)), f"template: {exc}")]) from None


def template_line(exc: BaseException) -> int | None:
    """The template line Jinja2 was executing when it failed (Jinja2 rewrites tracebacks to point there)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
