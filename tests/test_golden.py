"""Golden files: the built documents must not drift unnoticed.

Compared after normalising: the HTML intermediate as text; each DOCX part (footers and charts
included) as canonical XML; each PDF as its page count, fonts and text per page. `pytest --accept`
rewrites them after a wanted change; review the diff of tests/golden/ like code.
"""
from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import CONTENT, TEMPLATES, output_file
from reportgen.build import documents
from reportgen.content import load_content
from reportgen.render import render_html

GOLDEN = Path(__file__).parent / "golden"
DOCS = [(doc_id, lang) for doc_id in ("action-plan", "key-projects", "bulletin-2020Q2") for lang in ("zh", "en")]
DOCX_PARTS = ("word/document.xml", "word/styles.xml", "word/settings.xml", "word/numbering.xml", "word/fontTable.xml",
              "docProps/core.xml")


def compare(request, name: str, actual: str) -> None:
    path = GOLDEN / name
    if request.config.getoption("--accept"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.is_file(), f"no golden file {path.name}: run pytest --accept once and commit it"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} drifted from tests/golden/; if intended, run pytest --accept and review the diff"


def digest_data_urls(html: str) -> str:
    """Embedded images (charts) as the digest of their bytes: the golden stays readable."""
    return re.sub(r'"data:([^;,"]+)[^"]*"', lambda m: f'"data:{m.group(1)} sha256={hashlib.sha256(m.group(0).encode()).hexdigest()[:16]}"', html)


@pytest.mark.parametrize("doc_id,lang", DOCS)
def test_html_intermediate(request, doc_id, lang):
    (doc,) = [d for d in documents(load_content(CONTENT), (lang,)) if d.id == doc_id]
    html = render_html(TEMPLATES, doc.template, lang=lang, kind=doc.kind, **doc.context)
    compare(request, f"{doc_id}.{lang}.html", digest_data_urls(html))


@pytest.mark.parametrize("doc_id,lang", DOCS)
def test_docx_parts(request, built, manifest, doc_id, lang):
    path = output_file(built, manifest, doc_id, lang, "docx")
    with zipfile.ZipFile(path) as z:
        names = sorted(z.namelist())
        parts = {name: z.read(name) for name in names if name in DOCX_PARTS or name.startswith(("word/footer", "word/charts/chart"))}
    text = "\n".join(names) + "\n"
    for name, data in sorted(parts.items()):
        root = etree.fromstring(data)
        canonical = etree.tostring(root, method="c14n").decode()
        text += f"\n== {name}\n" + canonical.replace("><", ">\n<") + "\n"
    compare(request, f"{doc_id}.{lang}.docx.xml", text)


@pytest.mark.parametrize("doc_id,lang", DOCS)
def test_pdf_summary(request, built, manifest, doc_id, lang):
    reader = PdfReader(output_file(built, manifest, doc_id, lang, "pdf"))
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    summary = {
        "pages": len(reader.pages),
        "sizes": [[round(float(p.mediabox.width)), round(float(p.mediabox.height))] for p in reader.pages],
        "fonts": sorted(fonts),
        "text": [p.extract_text().splitlines() for p in reader.pages],
    }
    compare(request, f"{doc_id}.{lang}.pdf.json", json.dumps(summary, ensure_ascii=False, indent=1) + "\n")
