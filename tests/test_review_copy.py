"""The bilingual review copies: the plan's is short and readable (header on every page, rows that
split, English in the Latin face, sections by heading, a summary of states), and the changes-only
copy lists exactly the segments not approved, beside the English last approved."""
from __future__ import annotations

import re
import shutil

import pdfplumber
import pytest
from docx import Document

from conftest import CONTENT, TEMPLATES, W, docx_style, output_file, squash, style_name
from reportgen.build import make, planned
from reportgen.cli import main
from reportgen.content import load_content
from reportgen.i18n.state import read_records
from reportgen.i18n.status import translation_status
from reportgen.model import LANGS
from reportgen.starter import new_project

SEGMENT_ID = re.compile(r"\b(?:plan|notice|table|series|progress|strings)(?:\.[\w-]+){2,}")
MM = 72 / 25.4


def face(fontname: str) -> str:
    return fontname.split("+")[-1]


@pytest.fixture(scope="module")
def plan_pdf(built, manifest):
    with pdfplumber.open(output_file(built, manifest, "action-plan", "zh-en", "pdf")) as pdf:
        yield pdf


def test_the_plans_review_copy_is_short_with_the_header_on_every_page(manifest, plan_pdf):
    (entry,) = [e for e in manifest if (e["id"], e["kind"], e["format"]) == ("action-plan", "review", "pdf")]
    assert entry["pages"] <= 14 and entry["pages"] == len(plan_pdf.pages)
    for page in plan_pdf.pages:
        words = page.extract_words()
        heads = [w for w in words if w["text"] == "中文"]
        assert any(w["text"] == "English" and abs(w["top"] - h["top"]) < 3 for h in heads for w in words), page.page_number
        assert page.width < page.height  # portrait


def test_english_is_set_in_the_latin_face(built, manifest, plan_pdf):
    english = pdfplumber.open(output_file(built, manifest, "action-plan", "en", "pdf"))
    latin = {face(c["fontname"]) for c in english.pages[1].chars if c["text"].isascii() and c["text"].isalpha()}
    english.close()
    chars = [c for p in plan_pdf.pages[:3] for c in p.chars]
    at = "".join(c["text"] for c in chars).index("semiconductor industrial chain")  # of "China’s semiconductor …"
    assert {face(c["fontname"]) for c in chars[at:at + 30]} <= latin, "the English in the Latin face"
    at = "".join(c["text"] for c in chars).index("na’s")
    assert {face(c["fontname"]) for c in chars[at:at + 4]} <= latin, "its apostrophe too"


def test_sections_are_titled_by_their_heading_and_the_summary_counts_the_states(plan_pdf):
    first = squash(plan_pdf.pages[0].extract_text())
    counts = translation_status(CONTENT, TEMPLATES).per_document["action-plan"]
    for state, zh in (("approved", "已审定"), ("translated", "已翻译"), ("needs-review", "待复核"), ("untranslated", "未翻译")):
        assert squash(f"{zh} {state} {counts[state]}") in first
    text = "\n".join(p.extract_text() for p in plan_pdf.pages)
    for heading in ("发展思路和目标 Approach and Goals", "重点任务 Key Tasks", "优势集群布局工程 Competitive Cluster Layout Program"):
        assert heading in text
    lines = [line for line in text.splitlines() if SEGMENT_ID.match(line)]
    assert lines and all(" · " in line for line in lines), "ids are printed only in the line above a row, with the state"


def test_the_docx_repeats_its_header_lets_rows_split_and_sets_english_in_the_latin_face(built, manifest):
    doc = Document(output_file(built, manifest, "action-plan", "zh-en", "docx"))
    assert len(doc.tables) > 10
    for table in doc.tables:
        rows = table._tbl.findall(f"{W}tr")
        assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
        assert not table._tbl.findall(f".//{W}cantSplit")
    english = docx_style(doc, "Review Text English").element.find(f"{W}rPr/{W}rFonts")
    assert english.get(f"{W}eastAsia") == english.get(f"{W}ascii") == "Times New Roman"
    cells = [p for t in doc.tables for row in t.rows for c in row.cells for p in c.paragraphs]
    assert any(style_name(p.style) == "Review Text English" and p.text.startswith("Seize the historic opportunity") for p in cells)
    assert any(style_name(p.style) == "Review Segment" and p.text.startswith("plan.action-plan.sections.approach.text · 已审定 approved") for p in cells)


def test_the_note_and_the_headings_have_the_same_size_in_the_docx_as_in_the_pdf(built, manifest, plan_pdf):
    """Outside its tables a review copy is set smaller than an official document, in both formats:
    the note and the counts in 小四 (12 pt) without indent, a level-1 heading in 四号 (14 pt)."""
    doc = Document(output_file(built, manifest, "action-plan", "zh-en", "docx"))

    def docx_size(start: str) -> tuple[str, float]:
        (paragraph,) = [p for p in doc.paragraphs if p.text.startswith(start)]
        style = paragraph.style
        while style.font.size is None:
            style = style.base_style
        return style_name(paragraph.style), style.font.size.pt

    def pdf_size(start: str) -> float:
        chars = [c for c in plan_pdf.pages[0].chars + plan_pdf.pages[1].chars if not c["text"].isspace()]
        text = "".join(c["text"] for c in chars)
        return round(chars[text.index(start.replace(" ", ""))]["size"], 1)

    assert pdf_size("中英对照审校稿") == 12 and docx_size("中英对照审校稿") == ("Review Note", 12)
    assert pdf_size("已审定 approved") == 12 and docx_size("已审定 approved") == ("Review Note", 12)
    assert pdf_size("发展思路和目标") == 14 and docx_size("发展思路和目标 Approach and Goals") == ("Review Heading 1", 14)
    assert docx_style(doc, "Review Note").paragraph_format.first_line_indent is None  # Normal's: none
    assert docx_style(doc, "Review Heading 1").paragraph_format.first_line_indent == 0  # not Heading 1's two characters


def test_without_changes_the_changes_only_copy_says_so(built, manifest):
    doc = Document(output_file(built, manifest, "action-plan-changes", "zh-en", "docx"))
    assert not doc.tables and any("No changes: every segment is approved." in p.text for p in doc.paragraphs)
    with pdfplumber.open(output_file(built, manifest, "action-plan-changes", "zh-en", "pdf")) as pdf:
        assert len(pdf.pages) == 1 and "无变更" in pdf.pages[0].extract_text()


def test_the_changes_only_copy_lists_exactly_the_changed_segments(tmp_path):
    """Approve everything, edit two Chinese texts and one English: the copy lists those three, the
    English last approved beside the current one, in the PDF and the DOCX."""
    content = tmp_path / "plan"
    new_project(content)
    assert main(["i18n", "approve", "--all", "--content", str(content)]) == 0
    old, new = "We will speed up the preliminary procedures of projects", "We will accelerate the preliminary procedures for projects"
    assert read_records(content)["plan.work-plan.sections.start-early.text"].en.startswith(old)
    plan = content / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    for a, b in (("坚持项目为王，", "坚持项目为先，"), ("负总责。", "负主体责任。"), (old, new)):
        assert text.count(a) == 1
        text = text.replace(a, b)
    plan.write_text(text, encoding="utf-8")

    (doc,) = [d for d in planned(content, TEMPLATES, load_content(content), LANGS) if d.id == "work-plan-changes"]
    pdf_path, docx_path = tmp_path / "changes.pdf", tmp_path / "changes.docx"
    make(doc, [("pdf", pdf_path), ("docx", docx_path)], TEMPLATES, content)
    wanted = ["plan.work-plan.sections.guidance.text", "plan.work-plan.sections.start-early.text", "plan.work-plan.sections.safeguards.text"]

    with pdfplumber.open(pdf_path) as pdf:
        text = "\n".join(p.extract_text() for p in pdf.pages)
        assert SEGMENT_ID.findall(text) == wanted
        assert squash("待复核 needs review 2；") in squash(text) and squash("已翻译 translated 1；") in squash(text)
        page = pdf.pages[0]
        left = 28 * MM + 0.30 * 156 * MM  # the columns: 30 | 35 | 35 per cent of the type area
        middle = page.crop((left, 0, left + 0.35 * 156 * MM, page.height)).extract_text().replace("\n", " ")
        right = page.crop((left + 0.35 * 156 * MM, 0, page.width, page.height)).extract_text().replace("\n", " ")
        assert "We will speed up the preliminary" in middle and "We will accelerate the preliminary" in right
        assert "We will accelerate" not in middle and "We will speed up" not in right

    doc = Document(docx_path)
    segments = [row.cells[0].text for t in doc.tables for row in t.rows if style_name(row.cells[0].paragraphs[0].style) == "Review Segment"]
    assert [s.split(" · ")[0] for s in segments] == wanted
    (row,) = [t.rows[2] for t in doc.tables if t.rows[1].cells[0].text.startswith("plan.work-plan.sections.start-early.text")]
    assert [c.text[:32] for c in row.cells] == ["加快办理项目前期手续，推动新建项目尽早开工。", old[:32], new[:32]]
    (row,) = [t.rows[2] for t in doc.tables if t.rows[1].cells[0].text.startswith("plan.work-plan.sections.guidance.text")]
    assert row.cells[1].text == "同现英文 same as the current English" and row.cells[2].text.startswith("We will treat projects as paramount")


def test_the_approved_english_is_kept_in_the_states_file_and_read_back(tmp_path):
    """`en` keeps the English last approved, quotes, backslashes and line breaks included; a
    translated record keeps the English approved before it; a file without `en` still reads."""
    from reportgen.i18n.segments import Segment, YamlPlace
    from reportgen.i18n.state import Record, record_for, write_records
    from reportgen.errors import Location

    english = 'The "Four Fors": a\\b, c: d\n# not a comment'
    seg = Segment("plan.p.title", "标题", english, Location(tmp_path / "p.yaml"), ("p",), "", YamlPlace(tmp_path / "p.yaml", ()))
    approved = record_for(seg, "approved")
    later = record_for(Segment(**{**seg.__dict__, "en": "Newer"}), "translated", approved)
    write_records(tmp_path, {"a": approved, "b": later, "c": Record("0123456789ab", "approved", "ba9876543210")})
    records = read_records(tmp_path)
    assert records["a"].en == english and records["b"].en == english and records["b"].state == "translated"
    assert records["c"] == Record("0123456789ab", "approved", "ba9876543210", None)
    shutil.rmtree(tmp_path / "i18n")
