"""The PDF writer: WeasyPrint lays out the semantic HTML with the project's CSS, into a tagged
PDF/A-3b (or PDF/UA-1) whose properties and bytes depend on the HTML only (docs/archival.md)."""
from __future__ import annotations

import base64
import binascii
import gc
import os
import re
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlparse

import lxml.etree
import lxml.html

from ..errors import Finding, TemplateError, WriterError, display_path
from ..fonts import use_project_fonts
from ..templates import Templates
from . import punctuation
from .columns import column_widths
from .overflow import misfits
from .properties import Properties, read_properties

# What a published PDF may claim: PDF/A-3b (archival, the default) or PDF/UA-1 (accessible); both
# are tagged: a structure tree in reading order, /Lang from <html lang>, /Alt from <img alt>.
VARIANTS = ("pdf/a-3b", "pdf/ua-1")
ROW_GROUP = 100  # rows per <tbody> of a long data table (split_body)
COLLECT_PAGES = 100  # a longer document's garbage is collected between layout and PDF (write_pdf)
# The user-agent stylesheet's rules for every element's ::marker, ::footnote-* and ::note-*.
PSEUDO_RULES = re.compile(r"^::(marker|footnote-call|footnote-marker|note-call|note-marker|note-callback) ", re.MULTILINE)


def write_pdf(html: str, target: Path, templates_dir: Path, variant: str = "pdf/a-3b", content_dir: Path | None = None) -> tuple[int, list[Finding]]:
    """Write the PDF and return its page count and the words that do not fit their lines
    (writers/overflow.py). Fonts are those of this machine and of the fonts folder of
    `content_dir`, if given (fonts.py).

    Only files of the templates (templates.py: the office's folder in `content_dir`, then
    `templates_dir`) and data: URLs (the charts embedded in the HTML) may be read; any other
    reference (http, a file outside those folders, ../) stops the build with an error naming it.
    """
    if variant not in VARIANTS:
        raise WriterError(f"unknown PDF variant {variant!r}: one of {', '.join(VARIANTS)}")
    try:
        props = read_properties(lxml.html.document_fromstring(html))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise WriterError(f"cannot parse the HTML for the PDF writer: {exc}") from None
    use_project_fonts(templates_dir, content_dir)
    import weasyprint  # after fontconfig is pointed at the project's font mapping
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    templates = Templates(templates_dir, content_dir)

    class ProjectFetcher(URLFetcher):
        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            if url[:5].lower() == "data:":
                media_type, body = read_data_url(url)
                return URLFetcherResponse(url, body, headers={"Content-Type": media_type})
            parsed = urlparse(url)
            name = templates.name_of(Path(os.path.normpath(unquote(parsed.path)))) if parsed.scheme == "file" else None
            try:
                path = templates.find(name) if name else None
                body = templates.read_bytes(name) if path is not None and path.is_file() else None
            except TemplateError as exc:
                raise WriterError(f"refused to fetch {url!r}: {exc.problems[0].message}") from None
            if body is None:
                raise WriterError(f"refused to fetch {url!r}: only files of {' and '.join(map(display_path, templates.folders))} may be used")
            return URLFetcherResponse(url, body)

    fetcher = ProjectFetcher(fail_on_errors=True)
    fonts = FontConfiguration()
    with fewer_collections():
        try:
            css = weasyprint.CSS(string=templates.read_text("css/official.css"), base_url=str(templates.find("css/official.css")), url_fetcher=fetcher, font_config=fonts)
            # The variant is given to render() too: it sets the sRGB output intent of PDF/A there.
            options = {"pdf_variant": variant, "pdf_tags": True, "pdf_identifier": True}
            document = html_class()(string=for_weasyprint(html), base_url=str(templates_dir) + "/", url_fetcher=fetcher).render(
                stylesheets=[css], font_config=fonts, **options
            )
            set_metadata(document.metadata, props)
            if len(document.pages) > COLLECT_PAGES:
                # The layout leaves reference cycles (a million objects at 10,000 rows) that Python
                # collects only once the heap has grown by a quarter; freed now, their memory holds the
                # PDF's objects: 10,000 rows peak 1.7 → 1.5 GiB for 4 s. A short document's 0.1 s is not worth it.
                gc.collect()
            pages, misfit = len(document.pages), misfits(document.pages)
            document.write_pdf(target, finisher=drop_layout if pages > COLLECT_PAGES else None, **options)
        except FatalURLFetchingError as exc:
            if isinstance(exc.__cause__, WriterError):
                raise exc.__cause__ from None
            raise WriterError(str(exc)) from None
    return pages, misfit


@contextmanager
def fewer_collections():
    """Python's young-generation garbage collection 14 times less often while WeasyPrint works
    (every 10,000 allocations instead of 700): it allocates millions of objects that live until
    the PDF is written, and each collection that finds nothing to free promotes them towards the
    costly full collections. 10,000 rows: 25 → 16 s of collection, 107 → 94 s CPU, same peak."""
    threshold = gc.get_threshold()
    gc.set_threshold(10_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)


def drop_layout(document, pdf) -> None:
    """WeasyPrint's finisher hook, called once the PDF's objects exist and before they are
    written: the laid-out pages are no longer needed, and their memory then holds the written
    PDF's bytes (10,000 rows: peak 1,542 → 1,466 MiB; the bytes do not change)."""
    document.pages.clear()
    gc.collect()


@cache
def html_class():
    """weasyprint.HTML without its user-agent stylesheet's ::marker, ::footnote-* and ::note-*
    rules on table rows and cells, and pydyf's page references kept (cache_page_references).

    Those six rules select every element, and WeasyPrint keeps a computed style for each
    pseudo-element a rule matches, whether or not the element can have it (a marker needs
    display: list-item, a footnote call float: footnote; rows and cells have neither): six per cell,
    80 KiB per row of the key-project table, 600 MiB and 7 s at 10,000 rows. The documents do not
    change. Should WeasyPrint's stylesheet or its hook (HTML._ua_stylesheets) differ, its own class.
    """
    import weasyprint

    cache_page_references()
    try:
        from weasyprint.html import UA, UA_COUNTER_STYLE, UA_STYLESHEET
    except ImportError:
        return weasyprint.HTML
    text, count = PSEUDO_RULES.subn(r":not(tr, td, th)::\1 ", UA)
    if count != 6 or not callable(getattr(weasyprint.HTML, "_ua_stylesheets", None)):
        return weasyprint.HTML
    sheet = weasyprint.CSS(string=text, counter_style=UA_COUNTER_STYLE)

    class HTML(weasyprint.HTML):
        def _ua_stylesheets(self, forms=False):
            return [sheet if s is UA_STYLESHEET else s for s in super()._ua_stylesheets(forms)]

    return HTML


def cache_page_references() -> None:
    """pydyf's PDF.page_references makes a tuple of every page's reference each time it is read,
    and WeasyPrint reads it for each element of the tagged structure: pages × elements (10,000
    rows: 196,000 reads of 1,168 references; 7.5 s of 57 under cProfile at 3,000 rows). Here the
    same tuple, made again only once a page was added; the PDF's bytes do not change."""
    import pydyf

    if not isinstance(getattr(pydyf.PDF, "page_references", None), property):
        return

    def page_references(pdf):
        kids = pdf.pages["Kids"]
        kept = pdf.__dict__.get("_kept_page_references")
        if kept is None or kept[0] is not kids or kept[1] != len(kids):
            kept = pdf.__dict__["_kept_page_references"] = (kids, len(kids), tuple(f"{n} 0 R".encode("ascii") for n in kids[::3]))
        return kept[2]

    pydyf.PDF.page_references = property(page_references)


def set_metadata(metadata, props: Properties) -> None:
    """WeasyPrint's metadata (Info dictionary and XMP) from the properties the DOCX also gets.

    WeasyPrint reads <title>, <meta name="author|description|keywords|dcterms.created"> and
    <html lang> itself, but knows no "subject" (its /Subject is the description), splits keywords
    on ASCII commas only and, without dcterms.created, writes no date; here both formats follow
    writers/properties.py. /ID is an MD5 of the file's objects and font subset prefixes a hash of
    the font's description: no clock, no randomness.
    """
    stamp = props.created.strftime("%Y-%m-%dT%H:%M:%SZ")
    metadata.title = props.title or None
    metadata.authors = [props.author] if props.author else []
    metadata.description = props.subject or props.description or None
    metadata.keywords = list(props.keywords)
    metadata.created = metadata.modified = stamp
    metadata.lang = props.language


def for_weasyprint(html: str) -> str:
    """The HTML as WeasyPrint lays it out: a <colgroup> of computed widths in each data table (writers/columns.py), so that the fixed table layout gives the DOCX's columns, long bodies
    split, and in Chinese text the marks that punctuation compression halves in <span
    class="half"> (writers/punctuation.py; official.css takes half an em off)."""
    tables, zh = 'class="data"' in html, re.search(r"<html[^>]*\slang=\"zh", html[:500]) is not None
    if not (tables or zh):
        return html
    tree = lxml.html.document_fromstring(html)
    for table in tree.iter("table"):
        if "data" in table.get("class", "").split():
            widths = column_widths(table, 100)
            for group in table.findall("colgroup"):
                table.remove(group)
            group = lxml.html.Element("colgroup")
            for share in widths:
                lxml.html.etree.SubElement(group, "col", style=f"width: {share:.2f}%")
            table.insert(0, group)
            for body in table.findall("tbody"):
                split_body(body)
    if zh and (body := tree.find("body")) is not None:
        halve_marks(body)
    return lxml.html.tostring(tree, doctype="<!DOCTYPE html>", encoding="unicode")


def halve_marks(el) -> None:
    """Wrap each halved mark of the Chinese text under `el` in <span class="half">; text under an
    element with another lang is left alone."""
    for child in list(el):
        if isinstance(child.tag, str) and not child.get("lang", "zh").startswith("zh"):
            _halve(el, child, "tail")
            continue
        if isinstance(child.tag, str) and child.tag not in ("style", "script"):
            halve_marks(child)
        _halve(el, child, "tail")
    _halve(el, None, "text")


def _halve(parent, child, which: str) -> None:
    """Split parent.text (child None) or child.tail at its halved marks, inserting the spans."""
    text = parent.text if child is None else child.tail
    parts = punctuation.pieces(text) if text else []
    if not any(half for _, half in parts):
        return
    at = 0 if child is None else parent.index(child) + 1
    lead, *rest = parts
    plain = "" if lead[1] else lead[0]
    if child is None:
        parent.text = plain
    else:
        child.tail = plain
    if lead[1]:
        rest.insert(0, lead)
    for mark, half in rest:
        if half:
            span = lxml.html.Element("span", {"class": "half"})
            span.text = mark
            parent.insert(at, span)
            at += 1
        else:
            parent[at - 1].tail = mark


def split_body(body, rows: int = ROW_GROUP) -> None:
    """A <tbody> of more than `rows` rows split into several of `rows` rows each. WeasyPrint lays
    out each page of a table from the start of a row group and first makes a list as long as the
    group (layout/table.py, group_layout), so one body of N rows costs N² (1.9 s of 57 under
    cProfile at 3,000 rows, growing ×9 for ×3 rows); consecutive bodies without borders of their own lay out and look the same, and the tagged PDF
    has one TBody per group."""
    trs = [tr for tr in body if tr.tag == "tr"]
    parent = body.getparent()
    at = parent.index(body)
    for start in range(rows, len(trs), rows):
        at += 1
        group = lxml.html.Element("tbody")
        group.extend(trs[start : start + rows])
        parent.insert(at, group)


def read_data_url(url: str) -> tuple[str, bytes]:
    """The media type and bytes of a data: URL (RFC 2397); nothing is fetched."""
    header, comma, payload = url[5:].partition(",")
    if not comma:
        raise WriterError(f"malformed data: URL {url[:60]!r}…: no comma before the data")
    media_type, *params = header.split(";")
    try:
        if "base64" in params:
            body = base64.b64decode("".join(unquote(payload).split()), validate=True)
        else:
            body = unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise WriterError(f"malformed data: URL {url[:60]!r}…: {exc}") from None
    return media_type.strip() or "text/plain", body
