"""Jinja2 rendering: content model → one semantic HTML document per document and language.

Templates run sandboxed with StrictUndefined; text is escaped; Markdown's raw HTML is disabled.
"""
from __future__ import annotations

from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import markdown
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape
from ruamel.yaml import YAML

from .errors import Location, Problem, TemplateError
from .model import Column, Period, format_number

MONTHS_EN = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()


def markdown_html(text: str, lead: Markup | None = None) -> Markup:
    """Markdown to HTML with raw HTML turned off (it stays visible text); `lead` runs into the first paragraph."""
    md = markdown.Markdown(extensions=["sane_lists"])
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    html = md.convert(text)
    if lead is None:
        return Markup(html)
    if html.startswith("<p>"):
        return Markup(f'<p class="run-in">{lead}{html[3:]}')
    return Markup(f'<p class="run-in">{lead}</p>\n{html}')


def lines(text: str) -> Markup:
    """A multi-line title: the content's line breaks become <br>."""
    return Markup("<br>").join(escape(part.strip()) for part in text.split("\n"))


def period(p: Period, lang: str) -> str:
    """2019.8—2022.8 / 2018—2023 in Chinese; Aug 2019 – Aug 2022 / 2018–2023 in English."""
    if lang == "zh":
        part = lambda y, m: f"{y}.{m}" if m else str(y)  # noqa: E731
        return f"{part(p.start_year, p.start_month)}—{part(p.end_year, p.end_month)}"
    part = lambda y, m: f"{MONTHS_EN[m - 1]} {y}" if m else str(y)  # noqa: E731
    sep = " – " if p.start_month or p.end_month else "–"
    return f"{part(p.start_year, p.start_month)}{sep}{part(p.end_year, p.end_month)}"


def cell(value: Any, column: Column, lang: str) -> str:
    if column.type == "text":
        return value[lang]
    if column.type == "amount":
        return format_number(value, lang)
    if column.type == "period":
        return period(value, lang)
    return str(value)


@cache
def environment(templates_dir: Path) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader(templates_dir),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md=markdown_html, lines=lines, amount=format_number, period=period, cell=cell)
    env.globals["strings"] = YAML(typ="safe").load((templates_dir / "strings.yaml").read_text(encoding="utf-8"))
    return env


def render_html(templates_dir: Path, template: str, **context: Any) -> str:
    """Render one document; template mistakes and sandbox violations become located TemplateErrors."""
    env = environment(templates_dir)
    try:
        return env.get_template(template).render(**context)
    except jinja2.TemplateSyntaxError as exc:
        where = Location(Path(exc.filename or templates_dir / template), exc.lineno)
        raise TemplateError([Problem(where, f"template syntax: {exc.message}")]) from None
    except (jinja2.UndefinedError, SecurityError, jinja2.TemplateError) as exc:
        raise TemplateError([Problem(Location(templates_dir / template, template_line(exc)), f"template: {exc}")]) from None


def template_line(exc: BaseException) -> int | None:
    """The template line Jinja2 was executing when it failed (Jinja2 rewrites tracebacks to point there)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
