"""The parts of an official document (GB/T 9704-2012 §7), measured in the built files: the 版头
(份号, 密级, 紧急程度, the issuer mark, the number, 签发人, the red rule), 主送, 附件说明, the
signature and date with and without a seal, 附注, the 版记 on an even page of its own, the notice
that issues a plan, their English counterparts, and the errors of bad declarations.

Test roots (tests/roots/): official-notice (a joint notice with every element, issuing a plan
with two attachments), upward-report (a document sent upward, with 签发人), minimal (none of the
optional elements). Vertical positions are read from the ink (pages rendered by pdftoppm), since
a text box's top depends on the font's metrics; horizontal ones from pdfplumber's glyph boxes."""
from __future__ import annotations

import hashlib
import re
import shutil
import subprocess
from pathlib import Path

import pdfplumber
import pytest
from docx import Document
from PIL import Image

from conftest import MM, ROOT, TEMPLATES, docx_paragraphs, output_file, pdf_text, squash, style_name

ROOTS = ROOT / "tests" / "roots"
LEFT, RIGHT, TOP, BOTTOM = 28, 184, 37, 262  # the type area, mm from the page's left and top edges
CHAR = (RIGHT - LEFT) / 28  # one character of the 28-character line, in mm (≈ 5.57)
LINE = 28.95 / MM  # one line of the 22-line grid, in mm
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def official(tmp_path_factory) -> dict[str, Path]:
    """The three test roots, built (both languages, both formats): document id → output folder."""
    from reportgen.build import build

    out = {}
    for root in ("official-notice", "upward-report", "minimal"):
        folder = tmp_path_factory.mktemp(root)
        for entry in build(ROOTS / root, folder, TEMPLATES):
            out[entry.id] = folder
    return out


def pdf(official, doc_id: str, lang: str = "zh") -> Path:
    return official[doc_id] / f"{doc_id}.{lang}.pdf"


def words(path: Path, page: int) -> list[dict]:
    """The words of a page (0-based) with their boxes in mm."""
    with pdfplumber.open(path) as doc:
        return [{**w, "x0": w["x0"] / MM, "x1": w["x1"] / MM, "top": w["top"] / MM}
                for w in doc.pages[page].extract_words(keep_blank_chars=False)]


def word(path: Path, page: int, start: str, last: bool = False) -> dict:
    """The first (or `last`) word of a page that starts with `start`."""
    found = [w for w in words(path, page) if w["text"].startswith(start)]
    assert found, f"no word starting {start!r} on page {page + 1} of {path.name}: {[w['text'] for w in words(path, page)]}"
    return found[-1 if last else 0]


def rules(path: Path, page: int) -> list[dict]:
    """Filled rectangles (the drawn rules) of a page: x0, x1, top, bottom in mm and their colour."""
    with pdfplumber.open(path) as doc:
        return [{"x0": r["x0"] / MM, "x1": r["x1"] / MM, "top": r["top"] / MM, "bottom": r["bottom"] / MM,
                 "colour": tuple(round(c, 2) for c in (r["non_stroking_color"] or ()))}
                for r in doc.pages[page].rects]


def ink(path: Path, page: int, top_mm: float, bottom_mm: float, colour: str = "dark", tmp: Path | None = None) -> tuple[float, float]:
    """The first and last rows (mm from the page's top) between top_mm and bottom_mm that hold ink
    of `colour` (dark or red), read from the page rendered at 144 dpi."""
    stem = (tmp or path.parent) / f"ink-{hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]}-{page}"
    png = Path(f"{stem}.png")
    if not png.exists():
        subprocess.run(["pdftoppm", "-r", "144", "-f", str(page + 1), "-l", str(page + 1), "-png", "-singlefile", str(path), str(stem)], check=True)
    image = Image.open(png).convert("RGB")
    pixels, per_mm = image.load(), 144 / 25.4
    wanted = (lambda p: p[0] > 150 and p[1] < 90 and p[2] < 90) if colour == "red" else (lambda p: max(p) < 110)
    rows = [y for y in range(int(top_mm * per_mm), min(image.height, int(bottom_mm * per_mm)))
            if any(wanted(pixels[x, y]) for x in range(0, image.width, 2))]
    assert rows, f"no {colour} ink between {top_mm} and {bottom_mm} mm on page {page + 1} of {path.name}"
    return rows[0] / per_mm, (rows[-1] + 1) / per_mm


# --- 版头 -------------------------------------------------------------------------------------

def test_marks_issuer_number_and_red_rule(official):
    path = pdf(official, "joint-notice")
    marks = [word(path, 0, t) for t in ("000123", "秘密★1年", "特急")]
    for i, w in enumerate(marks):  # lines 1–3, flush left; 密级 and 紧急程度 in 黑体
        assert w["x0"] == pytest.approx(LEFT, abs=0.3)
        assert w["top"] - marks[0]["top"] == pytest.approx(i * LINE, abs=0.3)
    assert marks[0]["top"] < TOP + LINE
    top, bottom = ink(path, 0, TOP, TOP + 80, "red")
    assert top == pytest.approx(TOP + 35, abs=1), "issuer mark's top edge 35 mm below the type area (§7.2.3)"
    names = [word(path, 0, n) for n in ("某市发展和改革委员会", "某市住房和城乡建设局")]
    suffix = word(path, 0, "文件")
    assert names[0]["x0"] == pytest.approx(names[1]["x0"], abs=0.2) and names[0]["x1"] == pytest.approx(names[1]["x1"], abs=0.2)
    assert names[0]["top"] < suffix["top"] < names[1]["top"] and suffix["x0"] > names[0]["x1"]
    (red,) = [r for r in rules(path, 0) if r["colour"][0] > 0.8 and r["colour"][1] < 0.2]
    assert (red["x0"], red["x1"]) == (pytest.approx(LEFT, abs=0.2), pytest.approx(RIGHT, abs=0.2)), "as wide as the type area"
    assert red["bottom"] - red["top"] == pytest.approx(1 / MM, abs=0.05)
    number = word(path, 0, "某发改能源〔2021〕15号")
    assert (number["x0"] + number["x1"]) / 2 == pytest.approx((LEFT + RIGHT) / 2, abs=0.5), "the number centred"
    _, number_bottom = ink(path, 0, number["top"] - 1, red["top"] - 0.5)
    assert red["top"] - number_bottom == pytest.approx(4, abs=0.5), "the red rule 4 mm under the number (§7.2.5)"
    assert number["top"] - bottom > 2 * LINE - 3, "the number two lines below the issuer mark"
    title_top, _ = ink(path, 0, red["bottom"] + 1, red["bottom"] + 40)
    assert title_top - red["bottom"] == pytest.approx(2 * LINE, abs=3), "the title two lines below the red rule"


def test_document_sent_upward_puts_number_left_and_signers_right(official):
    path = pdf(official, "upward-report")
    number, label = word(path, 0, "某政报〔2021〕8号"), word(path, 0, "签发人")
    last = max((w for w in words(path, 0) if w["top"] == pytest.approx(label["top"], abs=0.5)), key=lambda w: w["x1"])
    assert number["x0"] == pytest.approx(LEFT + CHAR, abs=0.5), "the number one character in (§7.2.4)"
    assert last["text"].endswith("李某") and last["x1"] == pytest.approx(RIGHT - CHAR, abs=0.5), "签发人 one character from the right"
    assert number["top"] == pytest.approx(label["top"], abs=0.5), "on one line"
    with pdfplumber.open(path) as doc:
        fonts = {c["text"]: c["fontname"] for c in doc.pages[0].chars}
    assert fonts["王"] != fonts["签"], "the names in 楷体, the label in 仿宋"


def test_addressee_typed_with_its_colon_is_not_doubled(official):
    text = pdf_text(pdf(official, "joint-notice"))
    assert "各区县人民政府，市政府各部门：《" in squash(text) and "：：" not in text
    en = " ".join(pdf_text(pdf(official, "joint-notice", "en")).split())
    assert "To: District and county people’s governments, and all departments of the municipal government The Clean" in en


# --- 附件说明, signature, date, 附注 -------------------------------------------------------------

def page_with(path: Path, text: str) -> int:
    with pdfplumber.open(path) as doc:
        return next(i for i, p in enumerate(doc.pages) if text in (p.extract_text() or ""))


def test_attachment_list_hangs_and_numbers_match_the_attachment_pages(official):
    path = pdf(official, "joint-notice")
    page = page_with(path, "附件：1.")
    with pdfplumber.open(path) as doc:
        chars = doc.pages[page].chars
        lines: dict[float, list] = {}
        for c in chars:
            lines.setdefault(round(c["top"]), []).append(c)
        first = next(sorted(cs, key=lambda c: c["x0"]) for cs in lines.values() if "".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"])).startswith("附件："))
        second = next(sorted(cs, key=lambda c: c["x0"]) for cs in lines.values() if "".join(c["text"] for c in sorted(cs, key=lambda c: c["x0"])).startswith("2."))
        labels = [p.extract_text().split("\n")[0] for p in doc.pages[page + 1:]]
    assert first[0]["x0"] / MM == pytest.approx(LEFT + 2 * CHAR, abs=0.3), "附件说明 two characters in (§7.3.4)"
    assert second[0]["x0"] / MM == pytest.approx(first[3]["x0"] / MM, abs=0.3), "2. under 1."
    assert second[2]["x0"] / MM == pytest.approx(first[5]["x0"] / MM, abs=0.3), "the names aligned"
    text = "".join(c["text"] for c in first) + "|" + "".join(c["text"] for c in second)
    assert text == "附件：1.2021年清洁取暖重点工程表|2.清洁取暖工作责任分工表", "no punctuation after the names"
    assert [label for label in labels if label.startswith("附件")] == ["附件1", "附件2"]


def test_a_single_attachment_is_listed_without_a_number(built, manifest):
    path = output_file(built, manifest, "action-plan", "zh", "pdf")
    page = page_with(path, "附件：")
    line = word(path, page, "附件：")
    assert line["text"] == "附件：山西省半导体产业2020年重点项目表", "one line: 附件：name (§7.3.4)"
    assert line["x0"] == pytest.approx(LEFT + 2 * CHAR, abs=0.3)


def test_signature_and_date_with_a_seal(official):
    """Joint issuers with seals: two names to a row, the last centred over the date (four
    characters from the right), the other centred 12 characters to its left (§7.3.5.1)."""
    path = pdf(official, "joint-notice")
    page = page_with(path, "2021年3月15日")
    date = word(path, page, "2021年3月15日")
    left, right = (word(path, page, n) for n in ("某市发展和改革委员会", "某市住房和城乡建设局"))
    centre = (date["x0"] + date["x1"]) / 2
    assert date["x1"] == pytest.approx(RIGHT - 4 * CHAR, abs=0.5), "the date four characters from the right (§7.3.5.1)"
    assert (right["x0"] + right["x1"]) / 2 == pytest.approx(centre, abs=0.5), "the last signature centred over the date"
    assert (left["x0"] + left["x1"]) / 2 == pytest.approx(centre - 12 * CHAR, abs=0.5)
    assert left["top"] == pytest.approx(right["top"], abs=0.1) and date["top"] - right["top"] == pytest.approx(LINE, abs=0.3)
    note = word(path, page, "（此件不公开）")
    assert note["x0"] == pytest.approx(LEFT + 2 * CHAR, abs=0.5) and note["top"] - date["top"] == pytest.approx(LINE, abs=0.3), \
        "附注 two characters in, on the line under the date (§7.3.6)"


def test_three_sealed_signatures_take_two_rows(tmp_path):
    """A third issuer starts a second row, alone over the date, five lines under the first row (its
    seal clear of theirs); the DOCX sets each row as one paragraph with two centre tab stops."""
    from reportgen.build import build

    root = tmp_path / "root"
    shutil.copytree(ROOTS / "official-notice", root)
    notice = root / "notice.yaml"
    third = "    - {zh: 某市生态环境局, en: Municipal Ecology and Environment Bureau}\n"
    notice.write_text(notice.read_text(encoding="utf-8").replace("  date: 2021-03-15\n", third + "  date: 2021-03-15\n"), encoding="utf-8")
    build(root, tmp_path / "out", TEMPLATES, langs=("zh",))
    path = tmp_path / "out" / "joint-notice.zh.pdf"
    page = page_with(path, "2021年3月15日")
    first, second, third, date = (word(path, page, n) for n in ("某市住房和城乡建设局", "某市发展和改革委员会", "某市生态环境局", "2021年3月15日"))
    assert first["top"] == pytest.approx(second["top"], abs=0.1)
    assert third["top"] - first["top"] == pytest.approx(5 * LINE, abs=0.3) and date["top"] - third["top"] == pytest.approx(LINE, abs=0.3)
    assert (third["x0"] + third["x1"]) / 2 == pytest.approx((first["x0"] + first["x1"]) / 2, abs=0.5)
    doc = Document(tmp_path / "out" / "joint-notice.zh.docx")
    rows = [p for p in doc.paragraphs if style_name(p.style) == "Signature Row"]
    assert [p.text for p in rows] == ["\t某市发展和改革委员会\t某市住房和城乡建设局", "\t\t某市生态环境局"]
    for p, lines in zip(rows, (2, 4)):
        stops = [(t.get(f"{W}val"), int(t.get(f"{W}pos"))) for t in p._p.pPr.find(f"{W}tabs")]
        date_chars = 6.5  # 2021年3月15日: a digit counts half a character
        centre = round((RIGHT - LEFT) / 25.4 * 1440) - round((4 + date_chars / 2) * 320)
        assert stops == [("center", centre - 12 * 320), ("center", centre)]
        assert p.paragraph_format.space_before.pt == pytest.approx(lines * 28.95)


@pytest.mark.parametrize("doc", ["upward-report", "notice"])
def test_signature_and_date_without_a_seal(doc, official, built, manifest):
    """The signature two characters from the right, the date's first character two to the right of
    the signature's; a date that would then come closer than two characters to the right edge
    stays two in, and the signature moves left with it (§7.3.5.2)."""
    path = pdf(official, doc) if doc in official else output_file(built, manifest, doc, "zh", "pdf")
    signature_text, date_text = {"upward-report": ("某县人民政府", "2021年6月1日"), "notice": ("山西省人民政府办公厅", "2020年4月10日")}[doc]
    page = page_with(path, date_text)
    signature, date = word(path, page, signature_text, last=True), word(path, page, date_text)  # the first may be the issuer mark
    longer = max(0, (date["x1"] - date["x0"]) + 2 * CHAR - (signature["x1"] - signature["x0"]))
    assert signature["x1"] == pytest.approx(RIGHT - 2 * CHAR - longer, abs=0.5)
    assert date["x0"] - signature["x0"] == pytest.approx(2 * CHAR, abs=0.5)
    assert date["x1"] <= RIGHT - 2 * CHAR + 0.5
    assert date["top"] - signature["top"] == pytest.approx(LINE, abs=0.3)
    if doc == "notice":
        assert longer == 0 and signature["x1"] == pytest.approx(RIGHT - 2 * CHAR, abs=0.5)


def test_a_long_english_signature_wraps_within_the_right_part_of_the_line(built, manifest):
    """The bulletin's English issuer is longer than a signature block may be (65 % of the line): it
    wraps, its lines starting at the block's left edge, the date two characters in, in both formats."""
    path = output_file(built, manifest, "bulletin-2020Q2", "en", "pdf")
    with pdfplumber.open(path) as doc:
        page = next(i for i, p in enumerate(doc.pages) if "July 15, 2020" in (p.extract_text() or ""))
    department, technology, july = word(path, page, "Department"), word(path, page, "Technology"), word(path, page, "July")
    assert technology["top"] > department["top"] and technology["x0"] == pytest.approx(department["x0"], abs=0.2)
    assert department["x0"] >= RIGHT - 2 * 16 / MM - 0.65 * (RIGHT - LEFT) - 0.5  # two 16 pt characters from the right, at most 65 % wide
    assert july["x0"] == pytest.approx(department["x0"] + 2 * 16 / MM, abs=0.3)
    doc = Document(output_file(built, manifest, "bulletin-2020Q2", "en", "docx"))
    signature, date = [p for p in doc.paragraphs if style_name(p.style) == "Signature"]
    assert signature.alignment == 0 and signature.paragraph_format.left_indent > 0  # left-aligned within the block
    block = 156 / 25.4 * 72 - signature.paragraph_format.left_indent.pt - 2 * 16
    assert block <= 0.65 * 156 / 25.4 * 72 + 1


# --- 版记 -------------------------------------------------------------------------------------

def test_imprint_at_the_foot_of_an_even_page_without_a_page_number(official):
    path = pdf(official, "joint-notice")
    with pdfplumber.open(path) as doc:
        last = len(doc.pages) - 1
        text = doc.pages[last].extract_text()
    assert (last + 1) % 2 == 0, "the 版记 on an even page (§7.4)"
    assert not re.search(r"—\s*\d+\s*—", text), "neither the 版记 page nor a blank page before it is numbered"
    lines = sorted((r for r in rules(path, last) if r["x1"] - r["x0"] > 100), key=lambda r: r["top"])
    assert len(lines) == 3
    assert all(r["x0"] == pytest.approx(LEFT, abs=0.2) and r["x1"] == pytest.approx(RIGHT, abs=0.2) for r in lines)
    assert [round(r["bottom"] - r["top"], 2) for r in lines] == [pytest.approx(0.35, abs=0.03), pytest.approx(0.25, abs=0.03), pytest.approx(0.35, abs=0.03)]
    assert lines[-1]["bottom"] == pytest.approx(BOTTOM, abs=0.5), "the last rule on the type area's bottom edge"
    cc, printer, printed = (word(path, last, t) for t in ("抄送：", "某市发展和改革委员会办公室", "2021年3月16日印发"))
    assert cc["x0"] == pytest.approx(LEFT + 14 / 16 * CHAR, abs=0.3) and printer["x0"] == pytest.approx(cc["x0"], abs=0.1), "one character in (4号)"
    assert printed["x1"] == pytest.approx(RIGHT - 14 / 16 * CHAR, abs=0.3), "印发日期 one character from the right"
    assert lines[0]["top"] < cc["top"] < lines[1]["top"] < printer["top"] < lines[2]["top"]


def test_a_long_english_issuer_leaves_the_date_whole_at_the_right(built, manifest):
    """An English 印发机关 longer than the line: in the PDF the date stays at the right edge, level
    with the issuer's last line; in the DOCX it is one unbroken run after the tab, so that Word moves
    it whole to the next line rather than breaking it after "Issued on"."""
    path = output_file(built, manifest, "notice", "en", "pdf")
    with pdfplumber.open(path) as doc:
        last = len(doc.pages) - 1
    government, issued, year = word(path, last, "Government", last=True), word(path, last, "Issued"), word(path, last, "2020", last=True)
    assert issued["top"] == pytest.approx(government["top"], abs=0.2) and issued["x0"] > government["x1"] + 30
    assert year["x1"] == pytest.approx(RIGHT - 14 / 16 * CHAR, abs=0.3), "one character from the right"
    printer = [p for p in Document(output_file(built, manifest, "notice", "en", "docx")).sections[-1].footer.tables[0].rows[-1].cells[0].paragraphs]
    assert [p.text for p in printer] == ["General Office of the Shanxi Provincial People’s Government\tIssued\u00a0on\u00a0April\u00a011,\u00a02020"]


# --- the notice that issues a plan ------------------------------------------------------------

def test_notice_then_plan_then_its_attachments(official, built, manifest):
    entries = [e for e in manifest if e["kind"] == "notice"]
    assert {(e["id"], e["lang"], e["format"]) for e in entries} == {("notice", lang, fmt) for lang in ("zh", "en") for fmt in ("pdf", "docx")}
    text = squash(pdf_text(output_file(built, manifest, "notice", "zh", "pdf")))
    order = ["晋政办发〔2020〕26号", "各市人民政府", "现印发给你们", "山西省人民政府办公厅2020年4月10日", "（此件公开发布）",
             "山西省半导体产业集群创新生态建设2020年行动计划为贯彻落实", "附件：山西省半导体产业2020年重点项目表", "附件山西省半导体产业2020年重点项目表", "抄送："]
    positions = [text.find(squash(t)) for t in order]
    assert -1 not in positions and positions == sorted(positions), (list(zip(order, positions)), text[:300])
    docx = squash("".join(docx_paragraphs(output_file(built, manifest, "notice", "zh", "docx"))))
    assert [docx.find(squash(t)) for t in order] == sorted(docx.find(squash(t)) for t in order) and docx.find("抄送") > 0


def test_english_counterparts(official, built, manifest):
    en = squash(pdf_text(pdf(official, "joint-notice", "en")))
    for text in ("Mou Fa Gai Neng Yuan [2021] No. 15", "To: District and county", "March 15, 2021", "(Not for public release.)",
                 "Annexes: 1. Key Clean Heating Works in 2021", "2. Division of Responsibilities for Clean Heating",
                 "Annex 1", "Annex 2", "cc: the General Office of the Municipal Party Committee, the General Office of the Standing",
                 "Issued on March 16, 2021"):
        assert squash(text) in en, text
    assert "Signed by: Wang Moumou, Li Mou" in " ".join(pdf_text(pdf(official, "upward-report", "en")).split())
    plan = " ".join(pdf_text(output_file(built, manifest, "action-plan", "en", "pdf")).split())
    assert "Annex: List of Key Projects" in plan and "Annex 1" not in plan, "a single annex is not numbered"


def test_minimal_document_has_none_of_the_optional_parts(official):
    html = (official["minimal"] / "minimal.zh.pdf").parent
    path = pdf(official, "minimal")
    assert squash(pdf_text(path)) == "某单位工作要点一、主要工作做好本年度各项工作。"
    assert not [r for r in rules(path, 0)], "no rule"
    assert not [p for p in Document(html / "minimal.zh.docx").paragraphs
                if style_name(p.style) in ("Issuer", "Document Number", "Signature", "Note", "Attachment List Single")]


# --- DOCX ---------------------------------------------------------------------------------------

def test_docx_styles_sections_and_imprint_footer(official):
    doc = Document(official["joint-notice"] / "joint-notice.zh.docx")
    styles = [style_name(p.style) for p in doc.paragraphs if p.text.strip()]
    assert styles[:4] == ["Copy Number", "Secrecy", "Urgency", "Document Number"]
    assert styles[4:7] == ["Title", "Main Addressee", "Body Text"]
    assert styles[7:10] == ["Signature Row", "Signature", "Note"]
    assert "Attachment List" in styles and "Attachment List Next" in styles
    (mark,) = [t for t in doc.tables if "文件" in t.rows[0].cells[-1].text]  # joint issuers beside 文件
    assert mark.rows[0].cells[0].text == "某市发展和改革委员会\n某市住房和城乡建设局"
    last = doc.sections[-1]._sectPr
    assert last.find(f"{W}type").get(f"{W}val") == "evenPage"
    footer = doc.sections[-1].even_page_footer
    assert [c.text for row in footer.tables[0].rows for c in row.cells] == ["抄送：市委办公室，市人大常委会办公室。", "某市发展和改革委员会办公室\t2021年3月16日印发"]
    assert "PAGE" not in footer._element.xml, "no page number on the 版记 page"


def libreoffice(docx: Path, out: Path) -> Path:
    from reportgen.fonts import fontconfig_file

    env = {"PATH": "/usr/bin:/bin", "HOME": str(out), "FONTCONFIG_FILE": str(fontconfig_file(TEMPLATES))}
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(out), str(docx)], env=env, check=True, capture_output=True, timeout=180)
    return out / docx.with_suffix(".pdf").name


@pytest.mark.slow
def test_libreoffice_lays_the_docx_out_as_the_pdf(official, built, manifest, tmp_path):
    """The DOCX read by LibreOffice: the same page count as the PDF for the Chinese notice, plan
    and joint notice; the issuer mark, the red rule and the 版记 where the PDF has them."""
    for path in (output_file(built, manifest, "notice", "zh", "docx"), output_file(built, manifest, "action-plan", "zh", "docx"),
                 official["joint-notice"] / "joint-notice.zh.docx"):
        converted = libreoffice(path, tmp_path)
        with pdfplumber.open(converted) as lo, pdfplumber.open(path.with_suffix(".pdf")) as ours:
            assert len(lo.pages) == len(ours.pages), path.name
    converted = tmp_path / "joint-notice.zh.pdf"
    top, _ = ink(converted, 0, TOP, TOP + 80, "red", tmp_path)
    assert top == pytest.approx(TOP + 35, abs=1.5)
    with pdfplumber.open(converted) as lo:
        last = lo.pages[-1]
        rule_edges = sorted(e["top"] / MM for e in last.edges if e["orientation"] == "h" and (e["x1"] - e["x0"]) / MM > 100)
    assert rule_edges and max(rule_edges) == pytest.approx(BOTTOM, abs=1.5)


# --- bad declarations -----------------------------------------------------------------------------

BAD = {
    "date": ("notice.yaml", "  date: 2021-03-15", "  date: 2021-02-30", r"notice\.yaml:\d+:\d+: error: .*date"),
    "printer": ("notice.yaml", "    printer: {zh: 某市发展和改革委员会办公室, en: General Office of the Municipal Development and Reform Commission}\n", "",
                r"notice\.yaml:\d+:\d+: error: meta\.imprint\.printer"),
    "signers": ("notice.yaml", "    suffix: true", "    suffix: true\n    signers: [{zh: 张某, en: Zhang Mou}]",
                r"notice\.yaml:\d+:\d+: error: meta\.letterhead\.signers: 签发人 are printed only on a document sent upward"),
    "plan": ("notice.yaml", "plan: heating-plan", "plan: heating-plans", r"notice\.yaml:6:7: error: plan: no plan with id 'heating-plans'"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_declarations_are_located_and_nothing_is_written(case, tmp_path, capsys):
    from reportgen.cli import main

    file, old, new, message = BAD[case]
    content = tmp_path / "content"
    shutil.copytree(ROOTS / "official-notice", content)
    text = (content / file).read_text(encoding="utf-8")
    assert old in text
    (content / file).write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "out"
    code = main(["build", "--content", str(content), "--out", str(out), "--templates", str(TEMPLATES)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert re.search(message, err), err
    assert "Traceback" not in err and not out.exists()
