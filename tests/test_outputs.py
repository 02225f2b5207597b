"""Properties of the built files themselves: PDF and DOCX read back, never the HTML."""
from __future__ import annotations

import hashlib
import re
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pyphen
import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import CONTENT, MM, PAGE_NUMBER, ROOT, docx_paragraphs, output_file, pdf_lines, pdf_text, squash

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
DOCS = [(doc_id, lang) for doc_id in ("notice", "action-plan", "key-projects") for lang in ("zh", "en")]
ALL_DOCS = DOCS + [(f"bulletin-2020Q{q}", lang) for q in range(1, 5) for lang in ("zh", "en")]
PROJECTS = pd.read_csv(CONTENT / "tables" / "key-projects.csv", dtype=str)
# Totals computed by hand from the source table (12 rows).
TOTALS = {"zh": ["1180630", "182241.2"], "en": ["1,180,630", "182,241.2"]}


def source_paragraphs() -> list[str]:
    """The Chinese source's title and body paragraphs, up to the attachment."""
    text = (ROOT / "tests" / "data" / "shanxi-semiconductor-action-plan-2020.zh.txt").read_text(encoding="utf-8")
    body = text.split("\n 附件")[0]
    return [line.strip() for line in body.splitlines() if line.strip()]


def test_manifest_lists_every_file_with_checksums(built, manifest):
    reviews = {(e["id"], e["kind"], e["format"]) for e in manifest if e["kind"] in ("review", "review-changes") and e["lang"] == "zh-en"}
    assert reviews == {(d + suffix, kind, f) for d in ["notice", "action-plan"] + [f"bulletin-2020Q{q}{city}" for q in range(1, 5) for city in ("", "-taiyuan", "-xinzhou")]
                       for suffix, kind in (("", "review"), ("-changes", "review-changes")) for f in ("pdf", "docx")}
    keys = {(e["id"], e["kind"], e["lang"], e["format"]) for e in manifest if e["kind"] not in ("bulletin", "review", "review-changes")}
    assert keys == {
        (i, k, lang, f)
        for i, k in (("notice", "notice"), ("action-plan", "action-plan"), ("key-projects", "attachment"))
        for lang in ("zh", "en")
        for f in ("pdf", "docx")
    }
    for e in manifest:
        data = (built / e["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == e["sha256"]
        if e["format"] == "pdf":
            assert e["pages"] == len(PdfReader(built / e["path"]).pages)
        else:
            assert "pages" not in e
    assert not [p for p in built.iterdir() if p.name.startswith(".staging")]


@pytest.mark.parametrize("doc_id,lang", ALL_DOCS)
def test_pdf_pages_margins_and_page_numbers(built, manifest, doc_id, lang):
    """Every line inside the type area; "— N —" under it (its line's top 3.72 mm under, so that the
    dash is 7 mm under: tests/test_grid.py), one character in from its edge; none on the 版记 page
    (the last, whose 版记 sits at the type area's foot)."""
    path = output_file(built, manifest, doc_id, lang, "pdf")
    reader = PdfReader(path)
    edges: dict[bool, list[float]] = {}
    for index, (page, lines) in enumerate(zip(reader.pages, pdf_lines(path)), 1):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert sorted([round(width), round(height)]) == [595, 842]  # A4
        numbers = [line for line in lines if PAGE_NUMBER.match(line[4])]
        if doc_id == "notice" and index == len(reader.pages):
            assert not numbers and any(line[4].startswith(("抄送", "cc")) for line in lines)
            continue
        if doc_id == "notice" and index == len(reader.pages) - 1 and not lines:
            continue  # the blank page before the 版记 page (its text ended on an even page)
        assert [line[4] for line in numbers] == [f"— {index} —"]
        landscape = width > height
        top, right, bottom, left = (28, 37, 26, 35) if landscape else (37, 26, 35, 28)
        body = [line for line in lines if line not in numbers]
        # Glyph boxes of CJK faces reach 3 pt beyond their line box: allow 4 pt.
        assert min(x0 for x0, _, _, _, _ in body) >= left * MM - 4
        assert max(x1 for _, _, x1, _, _ in body) <= width - right * MM + 4
        assert max(y1 for _, _, _, y1, _ in body) <= height - top * MM + 4
        assert min(y0 for _, y0, _, _, _ in body) >= bottom * MM - 4
        edges.setdefault(landscape, []).extend(x0 for x0, _, _, _, _ in body)
        x0, y0, x1, y1, _ = numbers[0]
        if not landscape:
            assert abs(y1 - (bottom - 3.72) * MM) <= 4  # its top 3.72 mm under the type area
            if index % 2:  # odd pages: right, one character (14 pt) in from the type area's edge
                assert abs(x1 - (width - right * MM - 14)) < 2
            else:  # even pages: left, one character in
                assert abs(x0 - (left * MM + 14)) < 2
        else:  # a landscape page, turned anticlockwise (its table head to the sheet's left, §10.1): down the left margin
            assert y1 - y0 > x1 - x0  # set sideways
            assert abs(x1 - (left - 3.72) * MM) <= 4  # its top (facing the type area) 3.72 mm from it
            if index % 2:  # odd: it ends one character above the type area's lower end (the sheet's right)
                assert abs(y0 - (bottom * MM + 14)) < 2
            else:  # even: it starts one character below the type area's upper end (the sheet's left)
                assert abs(y1 - (height - top * MM - 14)) < 2
    for landscape, xs in edges.items():  # lines start at the margin: the type area is not narrower
        assert min(abs(x - (35 if landscape else 28) * MM) for x in xs) < 0.5


def test_chinese_body_keeps_the_22_line_grid(built, manifest):
    lines = pdf_lines(output_file(built, manifest, "action-plan", "zh", "pdf"))[1]  # page 2: body only
    height = 841.89
    tops = sorted({height - y1 for _, _, _, y1, text in lines if not PAGE_NUMBER.match(text)})
    grid = [(top - 37 * MM) / 28.95 for top in tops]  # line boxes start at the top margin, 28.95 pt apart
    assert sorted({round(g) for g in grid}) == list(range(22))
    assert all(abs(g - round(g)) < 0.2 for g in grid)


@pytest.mark.parametrize("doc_id,lang", ALL_DOCS)
def test_pdf_fonts_all_embedded(built, manifest, doc_id, lang):
    reader = PdfReader(output_file(built, manifest, doc_id, lang, "pdf"))
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)["/FontDescriptor"]
            assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor.keys()), font["/BaseFont"]
            names.add(str(font["/BaseFont"]).split("+")[-1])
    if lang == "zh":  # the free faces serving body, headings and title (templates/fonts.yaml)
        assert {"Noto-Serif-CJK-SC", "Noto-Serif-CJK-SC-Bold"} <= names
    assert not [n for n in names if "DejaVu" in n]  # no fallback to a face without CJK glyphs


@pytest.mark.parametrize("doc_id,lang", DOCS)
def test_every_project_and_the_totals_in_every_output(built, manifest, doc_id, lang):
    pdf = squash(pdf_text(output_file(built, manifest, doc_id, lang, "pdf")))
    docx = squash("".join(docx_paragraphs(output_file(built, manifest, doc_id, lang, "docx"))))
    for text in (pdf, docx):
        for name in PROJECTS[f"project_{lang}"]:
            assert squash(name) in text
        for total in TOTALS[lang]:
            assert total in text
    unit = "单位：万元" if lang == "zh" else "Unit:10,000yuan"
    assert unit in pdf and unit in docx


@pytest.mark.parametrize("doc_id,lang", ALL_DOCS)
def test_docx_and_pdf_carry_the_same_paragraphs(built, manifest, doc_id, lang):
    pdf = squash(pdf_text(output_file(built, manifest, doc_id, lang, "pdf")))
    position = 0
    for paragraph in docx_paragraphs(output_file(built, manifest, doc_id, lang, "docx")):
        found = pdf.find(squash(paragraph), position)
        assert found >= 0, f"DOCX paragraph missing from the PDF (in order): {paragraph[:60]}"
        position = found


def test_chinese_matches_the_source_paragraph_by_paragraph(built, manifest):
    source = source_paragraphs()
    docx = docx_paragraphs(output_file(built, manifest, "action-plan", "zh", "docx"))
    title = "".join(source[:2])
    assert docx[0].replace("\n", "") == title
    position = 1
    for paragraph in source[2:]:
        assert paragraph in docx[position:], paragraph[:40]
        position = docx.index(paragraph, position) + 1
    pdf = squash(pdf_text(output_file(built, manifest, "action-plan", "zh", "pdf")))
    position = 0
    for paragraph in source:
        found = pdf.find(squash(paragraph), position)
        assert found >= 0, paragraph[:40]
        position = found


def test_pdf_table_header_on_every_table_page(built, manifest):
    path = output_file(built, manifest, "key-projects", "zh", "pdf")
    pages = [squash(p.extract_text()) for p in PdfReader(path).pages]
    assert len(pages) >= 2
    for text in pages:
        assert "序号" in text and "企业名称" in text and "总投资" in text


def test_a_unit_line_is_never_the_last_line_of_a_page(built, manifest):
    """"单位：万元" stands right above its table: kept with it (break-after: avoid, as the DOCX's
    Unit Line style keeps with next), with the heading before it, onto the table's page."""
    unit = re.compile(r"^(单位：|Unit: )")
    pdfs = [e for e in manifest if e["format"] == "pdf" and e["kind"] in ("bulletin", "attachment")]
    assert len(pdfs) == 26
    for entry in pdfs:
        for number, lines in enumerate(pdf_lines(built / entry["path"]), 1):
            body = sorted((line for line in lines if not PAGE_NUMBER.match(line[4])), key=lambda line: -line[1])
            assert body and not unit.match(body[-1][4]), f"{entry['path']} page {number} ends with {body[-1][4]!r}"


def test_english_is_hyphenated_as_us_english(built, manifest):
    """English documents are tagged en-US, not en (which pyphen reads as British English, "star-ted",
    "Semiconduct-or"): every word broken at a line end in an English PDF is broken where the US
    patterns allow ("start-ed"), and the DOCX asks Word and LibreOffice for en-US."""
    us = pyphen.Pyphen(lang="en_US")
    for entry in manifest:
        if (entry["lang"], entry["format"]) != ("en", "pdf"):
            continue
        path = built / entry["path"]
        assert PdfReader(path).trailer["/Root"]["/Lang"] == "en-US"
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        words = {w for p in docx_paragraphs(output_file(built, manifest, entry["id"], "en", "docx")) for w in re.findall(r"[A-Za-z]+", p)}
        breaks = re.findall(r"([A-Za-z]+)\u2010\n", text)  # U+2010: a hyphen WeasyPrint added
        assert breaks, entry["path"]
        for start in breaks:  # the word it starts (tables interleave lines: look the word up in the DOCX)
            assert any(len(start) in us.positions(w) for w in words if w.startswith(start) and w != start), \
                f"{entry['path']}: {start}‐ is not a US English break of {sorted(w for w in words if w.startswith(start))}"
        docx = output_file(built, manifest, entry["id"], "en", "docx")
        langs = [e.get(f"{W}val") for part in ("word/styles.xml", "word/document.xml") for e in docx_xml(docx, part).iter(f"{W}lang")]
        assert langs and set(langs) == {"en-US"}, (docx, langs)


def docx_xml(path: Path, part: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(part))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_page_setup_fonts_and_repeated_header(built, manifest, lang):
    path = output_file(built, manifest, "action-plan", lang, "docx")
    document = docx_xml(path, "word/document.xml")
    sections = document.findall(f".//{W}sectPr")
    portrait = sections[0]
    size, margins = portrait.find(f"{W}pgSz"), portrait.find(f"{W}pgMar")
    assert (size.get(f"{W}w"), size.get(f"{W}h")) == ("11906", "16838")
    assert [margins.get(f"{W}{k}") for k in ("top", "bottom", "left", "right")] == ["2098", "1984", "1588", "1474"]
    landscape = [s for s in sections if s.find(f"{W}pgSz").get(f"{W}orient") == "landscape"]
    assert landscape and landscape[0].find(f"{W}pgSz").get(f"{W}w") == "16838"
    rows = document.findall(f".//{W}tbl/{W}tr")
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    assert all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])
    styles = docx_xml(path, "word/styles.xml")

    def east_asian(name):
        (style,) = [s for s in styles.findall(f"{W}style") if s.find(f"{W}name").get(f"{W}val").lower() == name.lower()]
        return style.find(f"{W}rPr/{W}rFonts").get(f"{W}eastAsia")

    assert east_asian("Title") == "方正小标宋简体"
    assert east_asian("Body Text") == "仿宋_GB2312"
    assert east_asian("Heading 1") == "黑体"
    assert east_asian("Heading 2") == "楷体_GB2312"
    footers = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/footer")]
    assert len(footers) >= 2
    for name in footers:
        xml = etree.tostring(docx_xml(path, name), encoding="unicode")
        assert "PAGE" in xml and "— " in xml and " —" in xml


def test_libreoffice_reads_the_docx_with_the_project_fonts(built, manifest, tmp_path):
    from reportgen.fonts import fontconfig_file

    from conftest import TEMPLATES

    docx = output_file(built, manifest, "action-plan", "zh", "docx")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "FONTCONFIG_FILE": str(fontconfig_file(TEMPLATES))}
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)], env=env, check=True, capture_output=True, timeout=180)
    converted = tmp_path / docx.with_suffix(".pdf").name
    reader = PdfReader(converted)
    assert len(reader.pages) >= 5
    text = squash("".join(p.extract_text() for p in reader.pages))
    assert squash(source_paragraphs()[2]) in text
    fonts = subprocess.run(["pdffonts", str(converted)], capture_output=True, text=True, check=True).stdout
    assert "NotoSerifCJK" in fonts.replace("-", "") and "DejaVu" not in fonts
