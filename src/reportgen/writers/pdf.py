"""The PDF writer: WeasyPrint lays out the semantic HTML with the project's CSS, into a tagged
PDF/A-3b (or PDF/UA-1) whose properties and bytes depend on the HTML only (docs/archival.md)."""
from __future__ import annotations

import base64
import binascii
from pathlib import Path
from urllib.parse import unquote, unquote_to_bytes, urlparse

import lxml.etree
import lxml.html

from ..errors import WriterError
from ..fonts import use_project_fonts
from .columns import column_widths
from .properties import Properties, read_properties

# What a published PDF may claim: PDF/A-3b (archival, the default) or PDF/UA-1 (accessible); both
# are tagged: a structure tree in reading order, /Lang from <html lang>, /Alt from <img alt>.
VARIANTS = ("pdf/a-3b", "pdf/ua-1")


def write_pdf(html: str, target: Path, templates_dir: Path, variant: str = "pdf/a-3b") -> int:
    """Write the PDF and return its page count.

    Only files under `templates_dir` and data: URLs (the charts embedded in the HTML) may be
    read; any other reference (http, a file outside the project, ../) stops the build with an
    error naming it.
    """
    if variant not in VARIANTS:
        raise WriterError(f"unknown PDF variant {variant!r}: one of {', '.join(VARIANTS)}")
    try:
        props = read_properties(lxml.html.document_fromstring(html))
    except (lxml.etree.ParserError, ValueError) as exc:
        raise WriterError(f"cannot parse the HTML for the PDF writer: {exc}") from None
    use_project_fonts(templates_dir)
    import weasyprint  # after fontconfig is pointed at the project's font mapping
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    root = templates_dir.resolve()

    class ProjectFetcher(URLFetcher):
        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            if url[:5].lower() == "data:":
                media_type, body = read_data_url(url)
                return URLFetcherResponse(url, body, headers={"Content-Type": media_type})
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if path is None or not path.is_file() or not path.is_relative_to(root):
                raise WriterError(f"refused to fetch {url!r}: only files under {root} may be used")
            return URLFetcherResponse(url, path.read_bytes())

    fetcher = ProjectFetcher(fail_on_errors=True)
    fonts = FontConfiguration()
    try:
        css = weasyprint.CSS(filename=str(root / "css" / "official.css"), url_fetcher=fetcher, font_config=fonts)
        # The variant is given to render() too: it sets the sRGB output intent of PDF/A there.
        options = {"pdf_variant": variant, "pdf_tags": True, "pdf_identifier": True}
        document = weasyprint.HTML(string=with_column_widths(html), base_url=str(root) + "/", url_fetcher=fetcher).render(
            stylesheets=[css], font_config=fonts, **options
        )
        set_metadata(document.metadata, props)
        document.write_pdf(target, **options)
    except FatalURLFetchingError as exc:
        raise WriterError(str(exc.__cause__ or exc)) from None
    return len(document.pages)


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


def with_column_widths(html: str) -> str:
    """The HTML with a <colgroup> of declared widths in each data table (writers/columns.py), so
    that WeasyPrint's fixed table layout gives the DOCX's columns."""
    if 'class="data"' not in html:
        return html
    tree = lxml.html.document_fromstring(html)
    for table in tree.iter("table"):
        if "data" in table.get("class", "").split():
            group = lxml.html.Element("colgroup")
            for share in column_widths(table, 100):
                lxml.html.etree.SubElement(group, "col", style=f"width: {share:.2f}%")
            table.insert(0, group)
    return lxml.html.tostring(tree, doctype="<!DOCTYPE html>", encoding="unicode")


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
