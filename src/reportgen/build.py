"""The pipeline in one function: load and validate everything, render every HTML, then write."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .content import Content, load_content
from .errors import ContentError, Location, Problem
from .model import LANGS
from .output import Entry, Staging, sha256
from .render import render_html

FORMATS = ("pdf", "docx")


@dataclass(frozen=True)
class Document:
    """One document in one language, ready to be rendered."""

    id: str
    kind: str
    lang: str
    template: str
    context: dict[str, Any]


def documents(content: Content, langs: tuple[str, ...], quarter: str | None = None) -> list[Document]:
    """Each plan with its attachments, each attachment table on its own, and each bulletin;
    with `quarter` (2020Q2), only the bulletins of that quarter."""
    out = []
    for bulletin in content.bulletins:
        if quarter in (None, f"{bulletin.year}Q{bulletin.quarter}"):
            for lang in langs:
                out.append(Document(bulletin.id, "bulletin", lang, "bulletin.html.j2", dict(bulletin=bulletin, meta=None, title=bulletin.title)))
    if quarter:
        return out
    for plan in content.plans:
        for lang in langs:
            out.append(Document(plan.id, "action-plan", lang, "action-plan.html.j2", dict(plan=plan, meta=plan.meta, title=plan.meta.title)))
            for table in plan.attachments:
                out.append(Document(table.id, "attachment", lang, "attachment.html.j2", dict(plan=plan, meta=plan.meta, table=table, title=table.title)))
    return out


def build(
    content_dir: Path,
    out_dir: Path,
    templates_dir: Path,
    langs: tuple[str, ...] = LANGS,
    formats: tuple[str, ...] = FORMATS,
    step: Callable[[str], None] = lambda _: None,
    quarter: str | None = None,
) -> list[Entry]:
    """Build every document (or one quarter's bulletins); nothing in `out_dir` changes unless every
    file was written."""
    content = load_content(content_dir)
    docs = documents(content, langs, quarter)
    if not docs:
        raise ContentError([Problem(Location(content_dir), f"no documents to build{f' for quarter {quarter}' if quarter else ''}")])
    rendered = [(doc, render_html(templates_dir, doc.template, lang=doc.lang, kind=doc.kind, **doc.context)) for doc in docs]

    from .writers.docx import write_docx  # the writers' imports are slow: only once the content is valid
    from .writers.pdf import write_pdf

    entries = []
    with Staging(out_dir) as staging:
        for doc, html in rendered:
            for fmt in formats:
                name = f"{doc.id}.{doc.lang}.{fmt}"
                step(name)
                target = staging.path(name)
                pages = write_pdf(html, target, templates_dir) if fmt == "pdf" else None
                if fmt == "docx":
                    write_docx(html, target, templates_dir)
                entries.append(Entry(doc.id, doc.kind, doc.lang, fmt, name, sha256(target), pages))
        staging.commit(entries)
    return entries
