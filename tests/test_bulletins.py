"""Progress bulletins: indicators against hand-computed figures, located validation errors, and
the overview paragraph agreeing with the tables it summarises in every output."""
from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import TEMPLATES, docx_paragraphs, output_file, pdf_text, squash, style_name
from reportgen.build import build
from reportgen.cli import main
from reportgen.content import load_content
from reportgen.errors import EXIT_CONTENT
from reportgen.render import money

SMALL = Path(__file__).parent / "roots" / "bulletin-small"
LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+)(?::(?P<col>\d+))?: error: (?P<msg>.+)$")


def approx(value: Decimal | None, expected: float) -> bool:
    return value is not None and abs(float(value) - expected) < 0.05


def test_indicators_match_hand_computed_figures():
    q1, q2 = load_content(SMALL).bulletins
    assert (q1.id, q2.id) == ("small-2021Q1", "small-2021Q2")
    # Q1: planned 100+200+50+150 = 500; completed 30+20+50+0 = 100 → 20 %, benchmark 25 %, gap −5.
    o = q1.overall
    assert (o.count, o.started, o.planned, o.ytd) == (4, 3, Decimal(500), Decimal(100))
    assert approx(o.start_rate, 75) and approx(o.rate, 20) and approx(o.gap, -5)
    assert q1.benchmark == 25 and q1.rate_change is None
    a, b = q1.groups
    assert (a.name.zh, a.planned, a.ytd) == ("甲区", Decimal(300), Decimal(50)) and approx(a.rate, 16.67) and approx(a.gap, -8.33)
    assert (b.name.en, b.planned, b.ytd) == ("District B", Decimal(200), Decimal(50)) and approx(b.rate, 25) and approx(b.gap, 0)
    # p2 10 % (−15 pp) and p4 0 % (−25 pp) lag; p3 is complete; p1 is at 30 %.
    assert [p.id for p in q1.lagging] == ["p2", "p4"]
    assert [p.quarter_investment for p in q1.projects] == [30, 20, 50, 0]
    # Q2: completed 60+40+50+45 = 195 → 39 %, benchmark 50 %, gap −11; quarter 95; rate +19 pp.
    o = q2.overall
    assert o.ytd == 195 and o.quarter_investment == 95 and approx(o.rate, 39) and approx(o.gap, -11)
    assert approx(q2.rate_change, 19) and q2.benchmark == 50
    assert approx(q2.groups[0].rate, 33.33) and approx(q2.groups[1].rate, 47.5)
    assert [p.id for p in q2.lagging] == ["p2", "p4"]  # 20 % (−30) and 30 % (−20)
    assert [p.quarter_investment for p in q2.projects] == [30, 20, 0, 45]
    assert q2.lagging[0].problem.en == "Funding shortfall"
    assert q2.tasks[0].title.zh == "道路工程" and q2.next_steps.en == "Speed up construction."


def numbers(text: str) -> list[str]:
    return re.findall(r"\d[\d,]*(?:\.\d+)?", text)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_overview_figures_equal_the_tables_in_both_formats(built, manifest, lang):
    """Every number of the overview paragraph is in the total row it summarises (DOCX and PDF)."""
    docx = docx_paragraphs(output_file(built, manifest, "bulletin-2020Q2", lang, "docx"))
    start = "截至" if lang == "zh" else "By the end of"
    (overview,) = [p for p in docx if p.startswith(start)]
    cells = docx_paragraphs(output_file(built, manifest, "bulletin-2020Q2", lang, "docx"))
    total_at = [i for i, p in enumerate(cells) if p in ("合计", "Total")]
    group_total = cells[total_at[0] + 1 : total_at[0] + 8]  # count, started, planned, ytd, quarter, rate, gap
    count, started, planned, ytd, quarter, rate, gap = group_total
    found = [n.replace(",", "") for n in numbers(overview)]
    for value in (count, started, rate.rstrip("%"), gap.lstrip("−+")):
        assert value in found, (value, overview)
    # amounts: the table's exact figure in 万元, rounded in the prose (182241.2万元; 1.82 billion yuan)
    for value in (planned, ytd, quarter):
        assert money(Decimal(value.replace(",", "")), "万元", lang) in overview, (value, overview)
    assert squash(overview) in squash(pdf_text(output_file(built, manifest, "bulletin-2020Q2", lang, "pdf")))


def test_every_quarter_is_built_and_listed(manifest):
    """The overall bulletin and each city's (content/bulletins.yaml, series), every quarter, with their review copies."""
    ids = [f"bulletin-2020Q{q}{city}" for q in range(1, 5) for city in ("", "-taiyuan", "-xinzhou")]
    bulletins = {(e["id"], e["lang"], e["format"]) for e in manifest if e["kind"] == "bulletin"}
    assert bulletins == {(doc_id, lang, fmt) for doc_id in ids for lang in ("zh", "en") for fmt in ("pdf", "docx")}
    assert {(e["id"], e["format"]) for e in manifest if e["kind"] == "review" and e["id"].startswith("bulletin")} == {(i, f) for i in ids for f in ("pdf", "docx")}


def test_one_quarter_only(tmp_path, capsys):
    from conftest import CONTENT

    # Chinese only: the quarter's review copies are built in test_small_series_builds_in_both_formats
    assert main(["build", "--content", str(CONTENT), "--out", str(tmp_path), "--quarter", "2020Q3", "--lang", "zh", "--format", "pdf"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bulletin-2020Q3-taiyuan.zh.pdf", "bulletin-2020Q3-xinzhou.zh.pdf", "bulletin-2020Q3.zh.pdf", "manifest.json"]
    assert main(["build", "--content", str(CONTENT), "--out", str(tmp_path), "--quarter", "2020Q5"]) == 64
    assert "expected a quarter such as 2020Q2" in capsys.readouterr().err


def test_lagging_projects_and_problems_are_printed(built, manifest):
    text = squash(pdf_text(output_file(built, manifest, "bulletin-2020Q2", "zh", "pdf")))
    for name in ("山西森达源红外光电科技园项目", "图形化蓝宝石衬底制造加工项目"):
        assert squash(name) in text
    assert squash("存在问题：进口设备仍未到货") in text


# ---- validation ----

CASES = {
    "unknown project": ("2021-Q1.csv", "2021Q1,p4,0,", "2021Q1,p9,0,", "id", "unknown project id 'p9'"),
    "wrong quarter": ("2021-Q2.csv", "2021Q2,p3,50,", "2021Q3,p3,50,", "quarter", "names quarter '2021Q3', but the file is for 2021Q2"),
    "falling figure": ("2021-Q2.csv", "2021Q2,p1,60,", "2021Q2,p1,25,", "investment_ytd", "falls from 30 at the end of the previous quarter to 25"),
    "above total": ("2021-Q1.csv", "2021Q1,p3,50,", "2021Q1,p3,51,", "investment_ytd", "more than the project's total investment 50 亿元"),
    "negative": ("2021-Q1.csv", "2021Q1,p1,30,", "2021Q1,p1,-3,", "investment_ytd", "expected a non-negative amount in 亿元, got '-3'"),
    "unreadable": ("2021-Q1.csv", "2021Q1,p1,30,", "2021Q1,p1,thirty,", "investment_ytd", "got 'thirty'"),
    "bad status": ("2021-Q1.csv", "under-construction,开工", "building,开工", "status", "expected one of not-started"),
    "English without Chinese": ("2021-Q1.csv", "征地延误,Land acquisition delayed", ",Land acquisition delayed", "problem_zh", "is empty"),
}


@pytest.fixture
def small(tmp_path) -> Path:
    shutil.copytree(SMALL, tmp_path / "content")
    return tmp_path / "content"


def errors_of(content: Path, tmp_path: Path, capsys) -> list[str]:
    out = tmp_path / "out"
    assert main(["build", "--content", str(content), "--out", str(out)]) == EXIT_CONTENT
    err = capsys.readouterr().err
    assert "Traceback" not in err and not out.exists()
    return [line for line in err.splitlines() if ": error: " in line]


@pytest.mark.parametrize("case", CASES)
def test_progress_errors_name_file_row_and_column(case, small, tmp_path, capsys):
    name, old, new, column, message = CASES[case]
    path = small / "progress" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = next(i for i, row in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if new in row)
    errors = errors_of(small, tmp_path, capsys)
    m = LOCATED.match(errors[0])
    assert m and m["file"].endswith(name), errors
    header = text.splitlines()[0].split(",")
    assert (int(m["line"]), int(m["col"])) == (line, header.index(column) + 1)
    assert f"column '{column}'" in m["msg"] and message in m["msg"]


def test_missing_project_row(small, tmp_path, capsys):
    path = small / "progress" / "2021-Q1.csv"
    path.write_text("\n".join(line for line in path.read_text(encoding="utf-8").splitlines() if ",p2," not in line) + "\n", encoding="utf-8")
    (error,) = errors_of(small, tmp_path, capsys)
    assert error.startswith(f"{path}:1: error:") or "2021-Q1.csv:1: error: no row for project(s) p2" in error


def test_notes_and_files_are_checked(small, tmp_path, capsys):
    notes = small / "progress" / "2021-Q2.yaml"
    notes.write_text(notes.read_text(encoding="utf-8").replace("quarter: 2021Q2", "quarter: 2021Q1").replace("  roads:", "  rivers:"), encoding="utf-8")
    (small / "progress" / "2020-Q4.csv").write_text("quarter,id\n", encoding="utf-8")
    errors = errors_of(small, tmp_path, capsys)
    assert any(e.endswith("2020-Q4.csv: error: this file is for 2020, but series 'small' covers 2021") for e in errors)
    assert any("2021-Q2.yaml:1:10: error: quarter: names 2021Q1, but the file is for 2021Q2" in e for e in errors)
    assert any("2021-Q2.yaml:4:" in e and "no section 'rivers' in the plan" in e for e in errors)


def as_workbook(data: Path):
    """The quarter file `data` (CSV) replaced by a workbook of the same cells, numbers as numbers."""
    import csv

    import openpyxl

    book = openpyxl.Workbook()
    for row in csv.reader(data.read_text(encoding="utf-8").splitlines()):
        book.active.append([int(cell) if cell.isdigit() else cell or None for cell in row])
    data.unlink()
    return book


def test_a_quarter_kept_as_a_workbook_builds_as_its_csv(small, tmp_path, capsys):
    """Read-only openpyxl gives every row as many cells as it is asked for: the empty ones after
    the header's last column are no columns."""
    assert main(["build", "--content", str(small), "--out", str(tmp_path / "csv"), "--format", "pdf", "--lang", "zh"]) == 0
    data = small / "progress" / "2021-Q1.csv"
    as_workbook(data).save(data.with_suffix(".xlsx"))
    assert main(["build", "--content", str(small), "--out", str(tmp_path / "xlsx"), "--format", "pdf", "--lang", "zh"]) == 0, capsys.readouterr().err
    (name,) = [p.name for p in (tmp_path / "csv").glob("*2021Q1*.pdf")]
    assert pdf_text(tmp_path / "xlsx" / name) == pdf_text(tmp_path / "csv" / name)


def test_a_file_of_the_progress_folder_not_named_for_a_quarter_is_a_warning(small, capsys):
    """A quarter's data saved as 2021Q3.csv would silently give no bulletin."""
    progress = small / "progress"
    shutil.copy(progress / "2021-Q2.csv", progress / "2021Q3.csv")
    (progress / "~$2021-Q2.xlsx").write_bytes(b"")  # Excel's lock file while the workbook is open: no warning
    assert main(["check", "--content", str(small)]) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if "not read" in line]
    assert warnings == [f"{progress / '2021Q3.csv'}: warning: not read: a quarter's file is named YEAR-QN.csv, .xlsx or .yaml, such as 2021-Q1.csv"]


@pytest.mark.parametrize("lang, lines", [
    ("zh", ["附件：2020年第二季度重点项目进展情况表", "山西省工业和信息化厅", "2020年7月15日", "附件"]),
    ("en", ["Annex: Progress of the Key Projects in the Second Quarter of 2020", "Department of Industry and Information Technology of Shanxi Province",
            "July 15, 2020", "Annex"]),
])
def test_a_signed_bulletin_lists_its_attachment_then_its_issuer_and_date(built, manifest, lang, lines):
    """附件说明, 发文机关署名 and 成文日期 after the text, before the attachment (§7.3.4, §7.3.5): the
    series' issuer, the date of the quarter's notes file; in the same order in both formats."""
    from docx import Document

    docx = [squash(p) for p in docx_paragraphs(output_file(built, manifest, "bulletin-2020Q2", lang, "docx"))]
    at = docx.index(squash(lines[0]))
    assert docx[at:at + 4] == [squash(line) for line in lines]
    styles = {squash(p.text): style_name(p.style) for p in Document(output_file(built, manifest, "bulletin-2020Q2", lang, "docx")).paragraphs}
    assert [styles[squash(line)] for line in lines[:3]] == ["Attachment List Single", "Signature", "Signature"]
    pdf = squash(pdf_text(output_file(built, manifest, "bulletin-2020Q2", lang, "pdf")))
    found = [pdf.find(squash(line)) for line in lines[:3]]
    assert -1 not in found and found == sorted(found)


def test_a_signed_series_needs_each_quarters_date_after_its_end(small, tmp_path, capsys):
    series = small / "bulletins.yaml"
    series.write_text(series.read_text(encoding="utf-8") + "issuer: {zh: 某市交通运输局, en: Municipal Transport Bureau}\n", encoding="utf-8")
    notes = small / "progress" / "2021-Q2.yaml"
    notes.write_text(notes.read_text(encoding="utf-8").replace("quarter: 2021Q2\n", "quarter: 2021Q2\ndate: 2021-06-29\n"), encoding="utf-8")
    errors = errors_of(small, tmp_path, capsys)
    assert any(e.endswith("bulletins.yaml:9:9: error: the bulletins of 2021Q1 are signed (issuer: in bulletins.yaml) and need their date (成文日期): "
                          "write date: YYYY-MM-DD in progress/2021-Q1.yaml") for e in errors), errors
    assert any(e.endswith("2021-Q2.yaml:2:7: error: date: 2021-06-29 is before the end of 2021Q2 (2021-06-30), which the bulletin reports on") for e in errors), errors
    assert len(errors) == 2, errors


def test_a_quarter_workbook_says_which_cells_it_cannot_read(small, tmp_path, capsys):
    """A quarter file kept as a workbook: a formula saved without its value (by a program that does
    not calculate) and cells merged over rows are located by cell, as in a table."""
    data = small / "progress" / "2021-Q1.csv"
    book = as_workbook(data)
    book.active["C2"] = "=10+20"
    book.active.merge_cells("D3:D4")  # under-construction for p2 and p3
    book.save(data.with_suffix(".xlsx"))
    errors = errors_of(small, tmp_path, capsys)
    assert not any("unknown column" in e for e in errors), errors
    assert any(e.endswith("2021-Q1.xlsx:2:3: error: cell C2 of sheet 'Sheet' is a formula without a computed value (the workbook was saved by a "
                          "program that does not calculate): open and save the file in Excel or WPS, or type the value") for e in errors), errors
    assert any(e.endswith("2021-Q1.xlsx:3:4: error: cells D3:D4 of sheet 'Sheet' are merged: only the first holds the value, and each row is "
                          "read on its own; unmerge them and fill in every cell") for e in errors), errors


def test_series_must_name_existing_columns(small, tmp_path, capsys):
    series = small / "bulletins.yaml"
    series.write_text(series.read_text(encoding="utf-8").replace("group: district", "group: total"), encoding="utf-8")
    (error,) = errors_of(small, tmp_path, capsys)
    assert "bulletins.yaml:6:" in error and "columns.group: 'total' must be a text column of 'projects' (a amount column)" in error


def test_small_series_builds_in_both_formats(small, tmp_path):
    entries = build(small, tmp_path, TEMPLATES, quarter="2021Q2")
    assert sorted(e.path for e in entries) == sorted([f"small-2021Q2.{lang}.{fmt}" for lang in ("zh", "en", "zh-en") for fmt in ("pdf", "docx")]
                                                     + [f"small-2021Q2-changes.zh-en.{fmt}" for fmt in ("pdf", "docx")])
    text = squash(pdf_text(tmp_path / "small-2021Q2.en.pdf"))
    assert squash("Year-to-date investment totaled 19.5 billion yuan") in text  # 195 亿元


@pytest.mark.parametrize("lang,label", [("zh", "时间进度 50.0%"), ("en", "Time-elapsed benchmark 50.0%")])
def test_charts_are_embedded_in_both_formats(built, manifest, lang, label):
    import zipfile

    from lxml import etree
    from pypdf import PdfReader

    path = output_file(built, manifest, "bulletin-2020Q2", lang, "pdf")
    pdf = PdfReader(path)
    assert squash(label) in squash(pdf_text(path, charts=True))  # the chart's own labels, as vector text
    assert squash(label) not in squash(pdf_text(path))  # …in the chart's face (what pdf_text leaves out)
    assert not [x for p in pdf.pages for x in p.images]  # vector: no raster image anywhere
    docx = output_file(built, manifest, "bulletin-2020Q2", lang, "docx")
    with zipfile.ZipFile(docx) as z:
        media = [n for n in z.namelist() if n.startswith("word/media/") and n.endswith(".png")]
        native = [n for n in z.namelist() if n.startswith("word/charts/chart")]
        document = etree.fromstring(z.read("word/document.xml"))
    assert len(media) == len(native) == 2  # native charts, each with its PNG as the fallback (tests/test_docx_charts.py)
    alts = [d.get("descr") for d in document.iter("{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}docPr") if d.get("descr")]
    assert len(alts) == 4 and alts[0] == alts[1] and all(len(a) > 40 for a in alts)  # the chart's and its fallback's
    assert ("50.0%" in alts[0]) and ("项目10：21.5%" in alts[0] if lang == "zh" else "Project 10: 21.5%" in alts[0])
