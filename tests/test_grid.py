"""The GB/T 9704 grid, measured in the built files: 22 lines × 28 characters on a full page of
Chinese body text, and the page number's dashes (一字线) 7 mm from the type area (§7.5), in the PDF
and in the DOCX as LibreOffice lays it out."""
from __future__ import annotations

import re
import subprocess
import zipfile

import pytest
from lxml import etree
from pypdf import PdfReader

from conftest import MM, PAGE_NUMBER, TEMPLATES, output_file, pdf_lines
from reportgen.writers.punctuation import pieces

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PAGE_W, PAGE_H = 595.28, 841.89
LEFT, RIGHT = 28 * MM, PAGE_W - 26 * MM  # the portrait type area's edges, 156 mm apart
PITCH = (RIGHT - LEFT) / 28  # 15.793 pt
FULL_WIDTH = re.compile("^[\u3000-\u303f\u4e00-\u9fff\uff01-\uff60]+$")  # ideographs, CJK and full-width punctuation
NO_LINE_START = set("，。、；：？！）》〕」』”’…·")  # a line may not start with these (line-breaking rules)
NO_LINE_END = set("（《〔「『“‘")


def body_lines(lines):
    return [line for line in lines if not PAGE_NUMBER.match(line[4])]


def full_lines(pages, numbers):
    """Lines of full-width characters (no Latin, no digits) that are not the last line of their
    paragraph: the line after them starts flush left at the type area's edge (a new paragraph or a
    heading starts two characters in). Returns (indent in characters, text, right edge, next line)."""
    out = []
    for n in numbers:
        lines = body_lines(pages[n - 1])
        following = lines[1:] + body_lines(pages[n])[:1]  # the last line's successor opens the next page
        for (x0, _, x1, _, text), (nx0, _, _, _, ntext) in zip(lines, following):
            text = text.replace(" ", "")
            # (a line before a Latin word or a number may stop short: the word could not be broken)
            if FULL_WIDTH.match(text) and abs(nx0 - LEFT) < 1 and FULL_WIDTH.match(ntext.replace(" ", "")[:1]):
                out.append((round((x0 - LEFT) / PITCH), text, x1, ntext.replace(" ", "")))
    return out


def body_pages(path) -> list[int]:
    """Numbers of the portrait pages of running text that the text fills: not the title page, not
    the last page of the body, not the tables' landscape pages."""
    widths = [float(page.mediabox.width) for page in PdfReader(path).pages]
    portrait = [n for n, width in enumerate(widths, 1) if width < PAGE_W + 1]
    return [n for n in portrait if n > 1 and n + 1 in portrait]


@pytest.fixture(scope="module")
def zh_plan(built, manifest):
    return output_file(built, manifest, "action-plan", "zh", "pdf")


def test_full_chinese_pages_hold_22_lines_of_28_characters(zh_plan):
    pages = pdf_lines(zh_plan)
    numbers = body_pages(zh_plan)
    assert len(numbers) >= 3, numbers
    for n in numbers:
        lines = body_lines(pages[n - 1])
        assert len(lines) == 22, f"page {n}: {len(lines)} lines"
        # Glyph tops on the 28.95 pt grid from the top margin: each face sits a little below the top
        # of its line box (Song 0.10 of a line, 楷体 and 黑体 up to 0.23); the continuation lines,
        # all in the body face, sit exactly alike: no line box grows and the grid does not drift.
        grid = [(PAGE_H - y1 - 37 * MM) / 28.95 for _, _, _, y1, _ in lines]
        assert sorted(round(g) for g in grid) == list(range(22)), f"page {n}"
        assert all(abs(g - round(g)) < 0.3 for g in grid), f"page {n}"
        body = [g - round(g) for g, line in zip(grid, lines) if abs(line[0] - LEFT) < 1]
        assert len(body) >= 10 and max(body) - min(body) < 0.01, f"page {n}: {body}"
        assert max(x1 for _, _, x1, _, _ in lines) <= RIGHT + 1  # nothing beyond the type area
    full = full_lines(pages, numbers)
    at_edge = [(indent, text) for indent, text, x1, _ in full if abs(x1 - RIGHT) < 1]
    assert len(at_edge) >= 10 * len(numbers)
    assert {indent + ems(text) for indent, text in at_edge} == {28}, at_edge
    for indent, text, x1, following in full:
        short = 28 - indent - ems(text)
        assert abs(x1 - (RIGHT - short * PITCH)) < 1, text
        if short == 1:  # short by a character only where the line-breaking rules pushed one down:
            # the 28th would have left a 。 or ， to start the next line (or end on a （)
            assert NO_LINE_START & set(following[:2]) or text[-1] in NO_LINE_END, (text, following)
        else:  # or by the half of a halved mark, when the next character needs a whole one
            assert short in (0, 0.5), text


def ems(text: str) -> float:
    """The width of a line of full-width characters in characters: a mark halved by punctuation
    compression (the first of two adjacent marks, writers/punctuation.py) counts ½."""
    return len(text) - sum(half for _, half in pieces(text)) / 2


def test_punctuation_compression_halves_the_first_of_two_marks(zh_plan):
    """Measured from the glyphs: in "“六新”，推动" the ” before ， advances half a character."""
    import pdfplumber

    with pdfplumber.open(zh_plan) as pdf:
        for page in pdf.pages:
            chars = sorted((c for c in page.chars if c["size"] > 15), key=lambda c: (round(c["top"]), c["x0"]))
            text = "".join(c["text"] for c in chars)
            if (at := text.find("“六新”，推动")) >= 0:
                advances = [b["x0"] - a["x0"] for a, b in zip(chars[at:at + 7], chars[at + 1:at + 8])]
                assert [round(a / PITCH, 1) for a in advances] == [1, 1, 1, 0.5, 1, 1, 1]
                return
    pytest.fail("“六新”，推动 not found")


def dashes(path, page_index: int, box) -> list[tuple[str, float, float]]:
    """The page number's dashes inside the line box `box` (points from the bottom-left), found in a
    600 dpi rendering of that spot: thin dark bars 8–16 pt long. Each as (h | v, x, y) of its centre."""
    height = float(PdfReader(path).pages[page_index].mediabox.height)
    scale, pad = 600 / 72, 6
    x, y = int((box[0] - pad) * scale), int((height - box[3] - pad) * scale)
    w, h = int((box[2] - box[0] + 2 * pad) * scale), int((box[3] - box[1] + 2 * pad) * scale)
    pgm = subprocess.run(["pdftoppm", "-r", "600", "-f", str(page_index + 1), "-l", str(page_index + 1), "-x", str(x),
                          "-y", str(y), "-W", str(w), "-H", str(h), "-gray", str(path)], capture_output=True, check=True).stdout
    _, size, _, pixels = pgm.split(b"\n", 3)
    width = int(size.split()[0])
    dark = {(i % width, i // width) for i, v in enumerate(pixels) if v < 128}
    found = []
    while dark:
        blob, todo = [], [dark.pop()]
        while todo:
            p = todo.pop()
            blob.append(p)
            for q in ((p[0] + 1, p[1]), (p[0] - 1, p[1]), (p[0], p[1] + 1), (p[0], p[1] - 1)):
                if q in dark:
                    dark.remove(q)
                    todo.append(q)
        xs, ys = [p[0] for p in blob], [p[1] for p in blob]
        long_, thin = sorted([max(xs) - min(xs) + 1, max(ys) - min(ys) + 1], reverse=True)
        if 8 <= long_ / scale <= 16 and thin / scale < 1.5:
            found.append(("h" if max(xs) - min(xs) > max(ys) - min(ys) else "v",
                          (x + sum(xs) / len(xs) + 0.5) / scale, height - (y + sum(ys) / len(ys) + 0.5) / scale))
    return found


def dash_distances(path) -> dict[int, list[float]]:
    """Per page, the distance in mm from each dash's centre line to the type area's nearest edge:
    under it on portrait pages, beside it on landscape pages (the 35 mm margin on their left)."""
    reader = PdfReader(path)
    out = {}
    for index, lines in enumerate(pdf_lines(path)):
        width = float(reader.pages[index].mediabox.width)
        (number,) = [line for line in lines if PAGE_NUMBER.match(line[4])]
        found = dashes(path, index, number[:4])
        assert len(found) == 2, (index + 1, found)
        if width < PAGE_W + 1:
            assert {kind for kind, _, _ in found} == {"h"}
            out[index + 1] = [35 - y / MM for _, _, y in found]
        else:
            assert {kind for kind, _, _ in found} == {"v"}
            out[index + 1] = [35 - x / MM for _, x, _ in found]
    return out


def test_pdf_page_number_dashes_7_mm_from_the_type_area(built, manifest, zh_plan):
    distances = dash_distances(zh_plan)
    landscape = dash_distances(output_file(built, manifest, "key-projects", "zh", "pdf"))
    assert {1, 2} <= set(distances) and {1, 2} <= set(landscape)  # odd and even pages of both kinds
    for page, mm in [*distances.items(), *landscape.items()]:
        assert all(abs(d - 7) <= 0.5 for d in mm), (page, mm)


def sections(path):
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml")).findall(f".//{W}sectPr")


@pytest.mark.parametrize("doc_id", ["action-plan", "key-projects"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_docx_declares_the_grid_in_every_section(built, manifest, doc_id, lang):
    """Every section declares 22 lines × 28 characters as Word computes them from w:docGrid (the
    type area over the line pitch, over Normal's size plus w:charSpace/4096 pt). Normal does not
    snap to it: LibreOffice 7.4 sets a 16 pt character in two grid cells narrower than 16 pt (14 to
    the line); its letter spacing gives 28 in Word and LibreOffice alike
    (test_libreoffice_keeps_the_grid)."""
    path = output_file(built, manifest, doc_id, lang, "docx")
    found = sections(path)
    assert len(found) >= (2 if doc_id == "action-plan" else 1)
    for sectpr in found:
        (grid,) = sectpr.findall(f"{W}docGrid")
        assert (grid.get(f"{W}type"), grid.get(f"{W}linePitch")) == ("linesAndChars", "579")
        size, margins = sectpr.find(f"{W}pgSz"), sectpr.find(f"{W}pgMar")
        if size.get(f"{W}orient") is None:
            height, width = (int(size.get(f"{W}{k}")) - int(margins.get(f"{W}{a}")) - int(margins.get(f"{W}{b}"))
                             for k, a, b in (("h", "top", "bottom"), ("w", "left", "right")))
            pitch = 320 + int(grid.get(f"{W}charSpace")) / 4096 * 20  # twips
            assert (height // 579, width // pitch) == (22, 28)
        assert sectpr.find(f"{W}pgMar").get(f"{W}footer") == "1462"
    with zipfile.ZipFile(path) as z:
        styles = etree.fromstring(z.read("word/styles.xml"))
        settings = etree.fromstring(z.read("word/settings.xml"))
    (normal,) = [s for s in styles.findall(f"{W}style") if s.get(f"{W}styleId") == "Normal"]
    assert normal.find(f"{W}pPr/{W}snapToGrid").get(f"{W}val") == "0"
    spacing = normal.find(f"{W}rPr/{W}spacing")
    twentieths = int(spacing.get(f"{W}val")) if spacing is not None else 0
    if lang == "zh":  # 28 characters fit 156 mm (8844 twips), 29 do not
        assert 28 * (320 + twentieths) <= 8844 < 29 * (320 + twentieths)
    else:
        assert twentieths == 0
    # Word's own compression (of every mark) stays off: the writer halves marks as the PDF does.
    assert settings.find(f"{W}characterSpacingControl").get(f"{W}val") == "doNotCompress"


@pytest.fixture(scope="module")
def libreoffice_pdf(built, manifest, tmp_path_factory):
    """action-plan.zh.docx as LibreOffice lays it out (portrait and landscape pages, odd and even)."""
    from reportgen.fonts import fontconfig_file

    docx = output_file(built, manifest, "action-plan", "zh", "docx")
    out = tmp_path_factory.mktemp("libreoffice")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(out), "FONTCONFIG_FILE": str(fontconfig_file(TEMPLATES))}
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(docx)], env=env,
                   check=True, capture_output=True, timeout=180)
    return out / docx.with_suffix(".pdf").name


def test_libreoffice_puts_the_dashes_7_mm_from_the_type_area(libreoffice_pdf):
    distances = dash_distances(libreoffice_pdf)
    reader = PdfReader(libreoffice_pdf)
    kinds = {(n % 2, float(reader.pages[n - 1].mediabox.width) > PAGE_W + 1) for n in distances}
    assert kinds == {(0, False), (1, False), (0, True), (1, True)}  # odd and even, portrait and landscape
    for page, mm in distances.items():
        assert all(abs(d - 7) <= 0.5 for d in mm), (page, mm)


def test_libreoffice_keeps_the_grid(libreoffice_pdf):
    pages = pdf_lines(libreoffice_pdf)
    numbers = body_pages(libreoffice_pdf)
    assert len(numbers) >= 3
    for n in numbers:
        assert len(body_lines(pages[n - 1])) == 22, n
    # LibreOffice ends a justified line up to 2 pt short of the edge; a full stop it hangs beyond
    # the edge (a 29th character) is not counted.
    full = [(indent, text) for indent, text, x1, _ in full_lines(pages, numbers) if abs(x1 - RIGHT) < 3]
    assert len(full) >= 10 * len(numbers)
    assert {indent + len(text) for indent, text in full} == {28}, full
