"""Published files are reproducible, archival and accessible (docs/archival.md): tagged PDF/A-3b
(or PDF/UA-1) with every font embedded, the same properties in PDF and DOCX, dates from the content
or SOURCE_DATE_EPOCH, and the same bytes on every build.

Read back with pypdf and python-docx; no PDF/A or PDF/UA validator runs here (none is installed)."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import lxml.html
import pytest
from conftest import CONTENT, ROOT, TEMPLATES, output_file
from docx import Document
from lxml import etree
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject
from test_generality import BUDGET
from test_generality import ROOT as FOUR_LEVELS

from reportgen.build import documents
from reportgen.content import load_content
from reportgen.errors import WriterError
from reportgen.render import render_html
from reportgen.writers.docx import write_docx
from reportgen.writers.pdf import write_pdf
from reportgen.writers.properties import FALLBACK_DATE, document_date, keyword_list

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
PDFAID = "http://www.aiim.org/pdfa/ns/id/"
PDFUAID = "http://www.aiim.org/pdfua/ns/id/"
DC = "http://purl.org/dc/elements/1.1/"
XMP = "http://ns.adobe.com/xap/1.0/"
PDF_NS = "http://ns.adobe.com/pdf/1.3/"
DOCS = [(doc_id, lang) for doc_id in ("action-plan", "key-projects", "bulletin-2020Q1", "bulletin-2020Q2",
                                      "bulletin-2020Q3", "bulletin-2020Q4") for lang in ("zh", "en")]
LANG = {"zh": "zh-CN", "en": "en-US"}


# --- reading the files back ---------------------------------------------------------------------


def xmp(reader: PdfReader) -> dict[str, str]:
    """The XMP packet's simple properties, `{namespace}name` → value, whether written as attributes
    of rdf:Description or as its child elements (for rdf:Alt / rdf:Seq, the items joined by ", ")."""
    root = etree.fromstring(reader.trailer["/Root"]["/Metadata"].get_object().get_data())
    values = {}
    for description in root.iter(f"{RDF}Description"):
        for name, value in description.attrib.items():
            if not name.startswith(RDF):
                values[name] = value
        for child in description:
            items = [li.text or "" for li in child.iter(f"{RDF}li")]
            values[child.tag] = ", ".join(items) if items else child.text or ""
    return values


def struct_elements(reader: PdfReader):
    """The structure tree's elements in document (reading) order, depth first."""
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        node = node.get_object() if isinstance(node, IndirectObject) else node
        if not isinstance(node, DictionaryObject):
            continue  # a marked-content id
        if node.get("/Type") == "/StructElem":
            yield node
        kids = node.get("/K", [])
        kids = kids if isinstance(kids, list) else [kids]
        stack.extend(reversed([kid for kid in kids if isinstance(kid, (IndirectObject, DictionaryObject))]))


def fonts(reader: PdfReader):
    """Every font dictionary the pages use, in their resources and in those of their form XObjects
    (the charts)."""
    seen, out = set(), []

    def visit(resources):
        resources = resources.get_object() if resources is not None else None
        if not resources:
            return
        for font in (resources.get("/Font") or {}).values():
            if font.idnum not in seen:
                seen.add(font.idnum)
                out.append(font.get_object())
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.idnum not in seen:
                seen.add(xobject.idnum)
                visit(xobject.get_object().get("/Resources"))

    for page in reader.pages:
        visit(page.get("/Resources"))
    return out


def embedded(font) -> bool:
    if font["/Subtype"] == "/Type3":
        return True  # its glyphs are content streams inside the file
    descriptor = (font["/DescendantFonts"][0].get_object() if font["/Subtype"] == "/Type0" else font)["/FontDescriptor"]
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def info(reader: PdfReader) -> dict[str, str]:
    return {key: str(value) for key, value in reader.trailer["/Info"].get_object().items()}


def digests(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def real_html() -> dict[tuple[str, str], str]:
    """The rendered HTML of the real content's documents used below."""
    return {
        (doc.id, doc.lang): render_html(TEMPLATES, doc.template, lang=doc.lang, kind=doc.kind, **doc.context)
        for doc in documents(load_content(CONTENT), ("zh", "en"))
        if doc.id in ("key-projects", "bulletin-2020Q2")
    }


# --- PDF/A-3b, tagged, for every published PDF --------------------------------------------------


@pytest.mark.parametrize("doc_id,lang", DOCS)
def test_pdf_is_pdfa_3b_and_tagged(built, manifest, doc_id, lang):
    reader = PdfReader(output_file(built, manifest, doc_id, lang, "pdf"))
    catalog = reader.trailer["/Root"]
    meta = xmp(reader)
    assert (meta[f"{{{PDFAID}}}part"], meta[f"{{{PDFAID}}}conformance"]) == ("3", "B")
    assert reader.pdf_header == "%PDF-1.7" and len(reader.trailer["/ID"]) == 2

    (intent,) = catalog["/OutputIntents"]
    intent = intent.get_object()
    assert intent["/S"] == "/GTS_PDFA1"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 3 and profile.get_data()[36:40] == b"acsp"  # an RGB ICC profile (sRGB)

    used = fonts(reader)
    assert used and all(embedded(font) for font in used), [str(f["/BaseFont"]) for f in used if not embedded(f)]

    assert catalog["/MarkInfo"]["/Marked"] == True
    assert "/StructTreeRoot" in catalog and catalog["/Lang"] == LANG[lang]
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True
    kinds = [element["/S"] for element in struct_elements(reader)]
    assert kinds[0] == "/Document" and "/H1" in kinds and "/P" in kinds
    if doc_id != "action-plan":
        assert "/Table" in kinds and "/TH" in kinds


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_structure_tree_reads_in_document_order(built, manifest, lang):
    """The headings of the structure tree are those of the HTML, in the same order (WeasyPrint
    builds the tree page by page, so a paragraph across a page break is two /P; headings stay whole)."""
    reader = PdfReader(output_file(built, manifest, "action-plan", lang, "pdf"))
    levels = ("/H1", "/H2", "/H3", "/H4", "/H5")
    in_pdf = [element["/S"] for element in struct_elements(reader) if element["/S"] in levels]
    (doc,) = [d for d in documents(load_content(CONTENT), (lang,)) if d.id == "action-plan"]
    html = lxml.html.document_fromstring(render_html(TEMPLATES, doc.template, lang=lang, kind=doc.kind, **doc.context))
    in_html = [f"/{el.tag.upper()}" for el in html.find("body").iter("h1", "h2", "h3", "h4", "h5")]
    assert len(in_html) > 10 and in_pdf == in_html


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_chart_figures_carry_the_html_alt_text(built, manifest, real_html, lang):
    reader = PdfReader(output_file(built, manifest, "bulletin-2020Q2", lang, "pdf"))
    figures = [str(element.get("/Alt", "")) for element in struct_elements(reader) if element["/S"] == "/Figure"]
    alts = [img.get("alt") for img in lxml.html.document_fromstring(real_html["bulletin-2020Q2", lang]).iter("img")]
    assert len(alts) == 2 and all(alts)
    assert figures == alts


# --- PDF/UA-1 instead ---------------------------------------------------------------------------


def test_pdf_ua_variant(real_html, tmp_path):
    target = tmp_path / "ua.pdf"
    pages, _ = write_pdf(real_html["bulletin-2020Q2", "en"], target, TEMPLATES, variant="pdf/ua-1")
    reader = PdfReader(target)
    meta = xmp(reader)
    assert meta[f"{{{PDFUAID}}}part"] == "1" and f"{{{PDFAID}}}part" not in meta
    assert meta[f"{{{DC}}}title"] == info(reader)["/Title"] != ""
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == True and catalog["/Lang"] == "en-US"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"] == True
    assert all(embedded(font) for font in fonts(reader))
    assert [e["/S"] for e in struct_elements(reader)].count("/Figure") == 2
    assert all(e.get("/Alt") for e in struct_elements(reader) if e["/S"] == "/Figure")
    assert pages == len(reader.pages)


def test_long_documents_memory_savings_keep_the_bytes(real_html, tmp_path, monkeypatch):
    """Above COLLECT_PAGES pages the writer collects garbage and drops the layout before writing
    (writers/pdf.py); with the threshold at 0 a short document takes that path: same bytes, same
    page count."""
    import reportgen.writers.pdf as pdf

    html = real_html["bulletin-2020Q2", "zh"]
    pages, _ = write_pdf(html, tmp_path / "plain.pdf", TEMPLATES)
    monkeypatch.setattr(pdf, "COLLECT_PAGES", 0)
    dropped, drop_layout = [], pdf.drop_layout
    monkeypatch.setattr(pdf, "drop_layout", lambda document, written: dropped.append(drop_layout(document, written)))
    assert write_pdf(html, tmp_path / "long.pdf", TEMPLATES)[0] == pages == len(PdfReader(tmp_path / "long.pdf").pages) > 1
    assert dropped and (tmp_path / "long.pdf").read_bytes() == (tmp_path / "plain.pdf").read_bytes()


def test_unknown_pdf_variant_is_refused(real_html, tmp_path):
    with pytest.raises(WriterError, match="unknown PDF variant 'pdf/x-4'"):
        write_pdf(real_html["key-projects", "zh"], tmp_path / "x.pdf", TEMPLATES, variant="pdf/x-4")
    assert not (tmp_path / "x.pdf").exists()


# --- properties from the content, the same in both formats --------------------------------------


@pytest.fixture(scope="module")
def water_plan(tmp_path_factory) -> tuple[Path, object]:
    """tests/roots/four-levels (an issuer, a date, a subject, keywords): its plan in both languages
    and formats, and the plan's meta."""
    content = tmp_path_factory.mktemp("four-levels") / "content"
    shutil.copytree(FOUR_LEVELS, content)
    BUDGET.to_excel(content / "tables" / "budget.xlsx", index=False)
    loaded = load_content(content)
    out = content.parent / "out"
    out.mkdir()
    for doc in documents(loaded, ("zh", "en")):
        if doc.id == "water-plan":
            html = render_html(TEMPLATES, doc.template, lang=doc.lang, kind=doc.kind, **doc.context)
            write_pdf(html, out / f"water-plan.{doc.lang}.pdf", TEMPLATES)
            write_docx(html, out / f"water-plan.{doc.lang}.docx", TEMPLATES)
    return out, loaded.plans[0].meta


KEYWORDS = {"zh": "水务, 供水, 排水, 水质", "en": "water services, water supply, drainage, water quality"}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_pdf_properties_come_from_the_content(water_plan, lang):
    out, meta = water_plan
    reader = PdfReader(out / f"water-plan.{lang}.pdf")
    props = info(reader)
    assert props["/Title"] == meta.title[lang].replace("\n", "" if lang == "zh" else " ")
    assert props["/Author"] == meta.issuer[lang]
    assert props["/Subject"] == meta.subject[lang]
    assert props["/Keywords"] == KEYWORDS[lang]  # the full-width commas of the Chinese too
    assert props["/CreationDate"] == props["/ModDate"] == "D:20210301000000Z"  # meta.date
    values = xmp(reader)  # PDF/A: the XMP says the same as the Info dictionary
    assert values[f"{{{DC}}}title"] == props["/Title"]
    assert values[f"{{{DC}}}creator"] == props["/Author"]
    assert values[f"{{{DC}}}description"] == props["/Subject"]
    assert values[f"{{{PDF_NS}}}Keywords"] == props["/Keywords"]
    assert values[f"{{{XMP}}}CreateDate"] == values[f"{{{XMP}}}ModifyDate"] == "2021-03-01T00:00:00Z"
    assert reader.trailer["/Root"]["/Lang"] == LANG[lang]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_properties_are_the_same(water_plan, lang):
    out, meta = water_plan
    core = Document(out / f"water-plan.{lang}.docx").core_properties
    pdf = info(PdfReader(out / f"water-plan.{lang}.pdf"))
    assert (core.title, core.author, core.subject, core.keywords) == (
        pdf["/Title"], pdf["/Author"], pdf["/Subject"], pdf["/Keywords"])
    assert core.author == meta.issuer[lang] and core.subject == meta.subject[lang]
    assert core.language == LANG[lang]
    assert core.created.strftime("%Y-%m-%dT%H:%M:%S") == core.modified.strftime("%Y-%m-%dT%H:%M:%S") == "2021-03-01T00:00:00"


# --- dates: content, else SOURCE_DATE_EPOCH, else 2000-01-01 -----------------------------------


def test_source_date_epoch_dates_undated_documents(real_html, tmp_path, monkeypatch):
    html = real_html["key-projects", "zh"]  # the real plan has no date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")  # 2020-09-13 12:26:40 UTC
    write_pdf(html, tmp_path / "e.pdf", TEMPLATES)
    write_docx(html, tmp_path / "e.docx", TEMPLATES)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    write_pdf(html, tmp_path / "n.pdf", TEMPLATES)
    write_docx(html, tmp_path / "n.docx", TEMPLATES)

    epoch, none = PdfReader(tmp_path / "e.pdf"), PdfReader(tmp_path / "n.pdf")
    assert info(epoch)["/CreationDate"] == info(epoch)["/ModDate"] == "D:20200913122640Z"
    assert xmp(epoch)[f"{{{XMP}}}CreateDate"] == "2020-09-13T12:26:40Z"
    assert info(none)["/CreationDate"] == "D:20000101000000Z"
    assert xmp(none)[f"{{{XMP}}}CreateDate"] == "2000-01-01T00:00:00Z"
    assert Document(tmp_path / "e.docx").core_properties.created.strftime("%Y-%m-%d %H:%M:%S") == "2020-09-13 12:26:40"
    assert Document(tmp_path / "n.docx").core_properties.created.strftime("%Y-%m-%d %H:%M:%S") == "2000-01-01 00:00:00"


def test_the_content_date_wins_over_source_date_epoch():
    environ = {"SOURCE_DATE_EPOCH": "1600000000"}
    assert document_date("2021-03-01", environ) == datetime(2021, 3, 1, tzinfo=UTC)
    assert document_date(None, environ) == datetime(2020, 9, 13, 12, 26, 40, tzinfo=UTC)
    assert document_date(None, {}) == document_date(None, {"SOURCE_DATE_EPOCH": " "}) == FALLBACK_DATE
    with pytest.raises(WriterError, match="SOURCE_DATE_EPOCH='yesterday'"):
        document_date(None, {"SOURCE_DATE_EPOCH": "yesterday"})
    with pytest.raises(WriterError, match="not a YYYY-MM-DD date"):
        document_date("1 March 2021", environ)


def test_keywords_are_split_on_ascii_and_full_width_commas():
    assert keyword_list("水务，供水, 排水,,水务 ") == ("水务", "供水", "排水")
    assert keyword_list("") == ()


# --- the same bytes on every build --------------------------------------------------------------


def test_a_rebuild_in_a_fresh_process_is_byte_identical(built, manifest, tmp_path):
    """A build at another wall-clock time, in another time zone and hash seed, in a fresh process
    with one worker, gives every English file byte for byte as the session's build, made earlier in
    this process by two worker processes, and the same manifest entries: the clock, the time zone,
    hash order and the process layout leave no trace. (English: its dates are words, and the
    Chinese files would only double the time.)"""
    zone = "UTC" if os.environ.get("TZ") == "Asia/Shanghai" else "Asia/Shanghai"
    out = tmp_path / "build"
    subprocess.run([sys.executable, "build.py", "--out", str(out), "--lang", "en", "-j", "1"], cwd=ROOT,
                   env={**os.environ, "TZ": zone, "PYTHONHASHSEED": "2"}, check=True, capture_output=True)
    english = [entry for entry in manifest if entry["lang"] == "en"]
    assert {name: digest for name, digest in digests(out).items() if name != "manifest.json"} == {e["path"]: e["sha256"] for e in english}
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"] == english
    assert {"pdf", "docx"} == {entry["path"].rsplit(".", 1)[1] for entry in english}
