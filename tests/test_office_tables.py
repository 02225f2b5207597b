"""An office's plan and tables as it keeps them (tests/roots/office-plan), built from a folder
outside the repository: Chinese headers mapped in the YAML, a workbook with a title above a
two-row merged header and its own 合计 row, 亿元 with one decimal, periods written three ways, a
GBK CSV without amounts, and the English of the files' texts in the translation catalogue."""
from __future__ import annotations

import datetime
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from conftest import docx_paragraphs, pdf_text, squash

ROOT = Path(__file__).parent / "roots" / "office-plan"
WORKBOOK = "tables/重点工程项目表.xlsx"
TASKS = "tables/重点任务分工.csv"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> Path:
    """The office's folder, copied outside the repository."""
    folder = tmp_path_factory.mktemp("office") / "air-plan"
    shutil.copytree(ROOT, folder)
    return folder


@pytest.fixture(scope="module")
def out(office) -> Path:
    result = run("build", "--content", str(office), "--out", str(office.parent / "output"), cwd=office.parent)
    assert result.returncode == 0, result.stderr
    assert not [line for line in result.stderr.splitlines() if "warning" in line and "font role" not in line], result.stderr
    return office.parent / "output"


def test_the_workbook_prints_as_the_office_wrote_it(out):
    text = squash(pdf_text(out / "works.zh.pdf"))
    # title and unit line of the file are not data; the header has two rows
    assert "单位：亿元" in text
    assert squash("序号 所在区/县 项目名称 建设年限 总投资 2021年投资 责任单位 计划 已完成") in text  # row by row
    # one decimal as declared (12.0, not 12), periods in one style whatever the file wrote
    assert squash("1 城东区 江州钢铁有限公司超低排放改造 2019.8—2022.8 12.0 4.5 1.2 市工业和信息化局") in text
    assert squash("2 城西区 江州焦化厂干熄焦工程 2021.3—2022.12 6.8 3.0 0.5") in text
    assert squash("3 河北县 县城集中供热热源改造 2020—2021 2.4 1.0 1.0") in text
    assert squash("4 城东区 公交车新能源替代 2021 3.0 3.0 0.8") in text
    # the file's own 合计 row is recomputed, once
    assert text.count("合计") == 1 and squash("合计 24.2 11.5 3.5") in text


def test_english_from_the_file_and_from_the_catalogue(out):
    text = squash(pdf_text(out / "works.en.pdf"))
    assert squash("Unit: 100 million yuan") in text
    assert squash("Investment in 2021") in text and squash("Responsible Unit Planned Completed") in text
    assert squash("Coke Dry Quenching Project of Jiangzhou Coking Plant") in text  # the file's English column
    assert squash("Chengxi District") in text and squash("Municipal Ecology and Environment Bureau") in text  # catalogue
    assert squash("Aug 2019 – Aug 2022 12.0") in text and squash("Mar 2021 – Dec 2022 6.8") in text
    assert squash("Total 24.2 11.5 3.5") in text
    assert not re.search(r"[\u4e00-\u9fff]", text)


def test_a_table_without_amounts_has_no_unit_line(out):
    zh, en = pdf_text(out / "division.zh.pdf"), pdf_text(out / "division.en.pdf")
    assert "单位：" not in zh and "Unit:" not in en
    assert squash("1 完成钢铁企业超低排放改造 市工业和信息化局 2021年10月") in squash(zh)
    assert squash("3 淘汰国三及以下排放标准营运柴油货车 市交通运输局 2021年6月30日") in squash(zh)
    assert squash("2021年12月") in squash(zh) and squash("2021年9月") in squash(zh)
    assert squash("Municipal Public Security Bureau September 2021") in squash(en)
    assert squash("June 30, 2021") in squash(en)


def test_orientation_follows_the_width_of_the_columns(out):
    for lang in ("zh", "en"):
        works, division = PdfReader(out / f"works.{lang}.pdf").pages[0], PdfReader(out / f"division.{lang}.pdf").pages[0]
        assert works.mediabox.width > works.mediabox.height  # nine columns: landscape
        assert division.mediabox.width < division.mediabox.height  # four: portrait
        plan = Document(out / f"air-plan.{lang}.docx")
        turned = [s.page_width > s.page_height for s in plan.sections]
        assert True in turned and turned[-1] is False  # the works' section turned, the division's not


def test_docx_two_row_header_repeats_and_merges(out):
    doc = Document(out / "works.zh.docx")
    (table,) = doc.tables
    rows = table._tbl.tr_lst
    assert [tr.trPr.find(qn("w:tblHeader")) is not None for tr in rows[:3]] == [True, True, False]
    top = rows[0].tc_lst
    assert [tc.tcPr.find(qn("w:vMerge")).get(qn("w:val")) if tc.tcPr.find(qn("w:vMerge")) is not None else None for tc in top][:2] == ["restart", "restart"]
    spans = {"".join(t.text for t in tc.iter(qn("w:t"))): tc.tcPr.find(qn("w:gridSpan")) for tc in top}
    assert spans["2021年投资"] is not None and spans["2021年投资"].get(qn("w:val")) == "2"
    below = ["".join(t.text for t in tc.iter(qn("w:t"))) for tc in rows[1].tc_lst]
    assert [b for b in below if b] == ["计划", "已完成"] and len(below) == 8  # six continuing cells and the two
    cells = [squash(c.text) for c in table.rows[2].cells]
    assert cells[:5] == ["1", "城东区", "江州钢铁有限公司超低排放改造", "2019.8—2022.8", "12.0"]


def test_declared_widths_are_kept(out):
    for fmt_doc in ("division.zh.docx", "division.en.docx"):
        (table,) = Document(out / fmt_doc).tables
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.iter(qn("w:gridCol"))]
        assert abs(grid[0] / sum(grid) - 0.08) < 0.005 and abs(grid[1] / sum(grid) - 0.44) < 0.005, grid


def test_same_text_in_both_formats(out):
    for doc in ("works", "division"):
        for lang in ("zh", "en"):
            pdf = squash(pdf_text(out / f"{doc}.{lang}.pdf"))
            docx = squash("".join(docx_paragraphs(out / f"{doc}.{lang}.docx")))
            assert pdf == docx, (doc, lang)


def long_workbook(path: Path, rows: int) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.active
    sheet.unmerge_cells(f"A{sheet.max_row}:E{sheet.max_row}")  # the office's 合计, whose merge openpyxl would leave over a row of data
    sheet.delete_rows(sheet.max_row)
    for n in range(5, rows + 1):
        sheet.append([n, "城东区", f"第{n}个治理项目", f"Project {n}", "2021", 1.0, 1.0, 0.5, "市生态环境局"])
    book.save(path)


@pytest.mark.slow
def test_two_row_header_repeats_on_every_pdf_page(tmp_path):
    folder = tmp_path / "office"
    shutil.copytree(ROOT, folder)
    long_workbook(folder / WORKBOOK, 80)
    result = run("build", "--content", str(folder), "--out", str(tmp_path / "out"), "--lang", "zh", "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    pages = [squash(p.extract_text()) for p in PdfReader(tmp_path / "out" / "works.zh.pdf").pages]
    assert len(pages) >= 3
    for page in pages:
        assert squash("总投资2021年投资") in page and squash("计划已完成") in page


def test_an_untranslated_catalogue_text_makes_a_draft(tmp_path):
    folder = tmp_path / "office"
    shutil.copytree(ROOT, folder)
    store = folder / "i18n" / "cells.yaml"
    store.write_text(store.read_text(encoding="utf-8").replace('    "城西区": "Chengxi District"\n', ""), encoding="utf-8")
    result = run("build", "--content", str(folder), "--out", str(tmp_path / "out"), "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"重点工程项目表\.xlsx:6:2: warning: table\.works\.2\.district: no English translation", result.stderr), result.stderr
    text = pdf_text(tmp_path / "out" / "works.en.pdf")
    assert "城西区" in text  # the Chinese stands in, in a draft
    assert "DRAFT" in text.upper()


def test_a_text_written_in_chinese_only_builds(tmp_path):
    """An office may write Chinese only: a text without English is untranslated, like a table's."""
    folder = tmp_path / "office"
    shutil.copytree(ROOT, folder)
    replace_in(folder / "plan.yaml", "title: {zh: 指导思想, en: Guiding Principles}", "title: {zh: 指导思想}")
    result = run("build", "--content", str(folder), "--out", str(tmp_path / "out"), "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"plan\.yaml:24:21: warning: plan\.air-plan\.sections\.guidance\.title: no English translation", result.stderr), result.stderr
    assert squash("（一）指导思想") in squash(pdf_text(tmp_path / "out" / "air-plan.zh.pdf"))
    english = pdf_text(tmp_path / "out" / "air-plan.en.pdf")
    assert squash("(I) 指导思想") in squash(english) and "DRAFT" in english
    assert "DRAFT" not in pdf_text(tmp_path / "out" / "works.en.pdf")  # the attachment does not print it


def test_import_writes_catalogue_english(tmp_path):
    folder = tmp_path / "office"
    shutil.copytree(ROOT, folder)
    xliff = tmp_path / "en.xlf"
    assert run("i18n", "export", "--content", str(folder), "-o", str(xliff), cwd=tmp_path).returncode == 0
    text = xliff.read_text(encoding="utf-8")
    unit = text[text.index('id="table.division.4.lead"'):]
    assert unit[:unit.index("</trans-unit>")].count("市公安局") == 1
    assert text.rindex('original="', 0, text.index('id="table.division.4.lead"')) == text.index('original="tables/重点任务分工.csv"')  # inside the content folder
    xliff.write_text(text.replace(">Municipal Public Security Bureau<", ">Jiangzhou Public Security Bureau<"), encoding="utf-8")
    result = run("i18n", "import", str(xliff), "--content", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    store = (folder / "i18n" / "cells.yaml").read_text(encoding="utf-8")
    assert '"市公安局": "Jiangzhou Public Security Bureau"' in store
    assert (folder / TASKS).read_bytes() == (ROOT / TASKS).read_bytes()  # the office's file is untouched


# ---- mistakes in an office's table: located, exit 2, nothing written ----------------------


def edit_cell(path: Path, cell: str, value) -> None:
    book = openpyxl.load_workbook(path)
    book.active[cell] = value
    book.save(path)


def merge(path: Path, cells: str) -> None:
    book = openpyxl.load_workbook(path)
    book.active.merge_cells(cells)  # the value of the first cell stays; openpyxl empties the others, as Excel does
    book.save(path)


MISTAKES = {
    "more decimals than declared": (lambda f: edit_cell(f / WORKBOOK, "F6", 12.25), r"重点工程项目表\.xlsx:6:6: error: row 2: column '总投资': 12\.25 has more decimals than the column's 1"),
    "the file's total is wrong": (lambda f: edit_cell(f / WORKBOOK, "F9", 25.2), r"重点工程项目表\.xlsx:9:6: error: the file's own total for '总投资' is 25\.2, but its rows add up to 24\.2"),
    "a period no office writes": (lambda f: edit_cell(f / WORKBOOK, "E5", "2019年秋"), r"重点工程项目表\.xlsx:5:5: error: row 1: column '建设年限': expected a period such as 2018-2023"),
    "a period that ends first": (lambda f: edit_cell(f / WORKBOOK, "E5", "2022.8至2019.8"), r"xlsx:5:5: error: row 1: column '建设年限': the period ends before it starts \(2022\.8 to 2019\.8\)"),
    "a renamed header": (lambda f: edit_cell(f / WORKBOOK, "C3", "工程名称"), r"重点工程项目表\.xlsx:3: error: no column headed '项目名称' \(column 'name'\); the header rows have: 序号、所在区/县、工程名称"),
    "an unmapped column": (lambda f: edit_cell(f / WORKBOOK, "J3", "备注"), r"重点工程项目表\.xlsx:3:10: error: the column '备注' is not one of the table's columns: map it in the YAML's columns, remove it, or say extra_columns: ignore"),
    # the amounts would print in the YAML's unit: 10,000 times too small
    "a unit line that is not the table's": (lambda f: edit_cell(f / WORKBOOK, "I2", "单位：万元"),
                                            r"重点工程项目表\.xlsx:2:9: error: the file says '单位：万元', but the table's unit is 亿元 \(unit: in the YAML\)"),
    "a header in another unit": (lambda f: (edit_cell(f / WORKBOOK, "F3", "总投资（万元）"), replace_in(f / "plan.yaml", "{header: 总投资,", "{header: 总投资（万元）,")),
                                 r"重点工程项目表\.xlsx:3:6: error: the file says '总投资（万元）', but the table's unit is 亿元"),
    "a unit over no amounts": (lambda f: replace_in(f / "plan.yaml", "      file: tables/重点任务分工.csv\n", "      file: tables/重点任务分工.csv\n      unit: 万元\n"),
                               r"plan\.yaml:\d+:\d+: error: attachments\[1\]\.table: unit: the table has no amount column"),
    "a total over a text": (lambda f: replace_in(f / "plan.yaml", "key: lead, type: text,", "key: lead, type: text, total: true,"),
                            r"plan\.yaml:\d+:\d+: error: attachments\[1\]\.table\.columns\[2\]: total: only an amount column can be summed; this is a text column"),
    "a bad date": (lambda f: replace_in(f / TASKS, "2021年9月", "2021年13月", "gbk"), r"重点任务分工\.csv:5:4: error: row 4: column '完成时限': expected a date such as 2021\.3"),
    # openpyxl (as any program that does not calculate) saves a formula without its value
    "a formula without a computed value": (lambda f: edit_cell(f / WORKBOOK, "F6", "=G6+H6+3.3"),
                                           r"重点工程项目表\.xlsx:6:6: error: cell F6 of sheet '附件1' is a formula without a computed value \(the workbook was saved "
                                           r"by a program that does not calculate\): open and save the file in Excel or WPS, or type the value"),
    "cells merged across rows": (lambda f: merge(f / WORKBOOK, "B7:B8"), r"重点工程项目表\.xlsx:7:2: error: cells B7:B8 of sheet '附件1' are merged: only the first "
                                                                           r"holds the value, and each row is read on its own; unmerge them and fill in every cell"),
    # one range over the rest of the sheet (billions of cells: openpyxl would make an object for each)
    "a merge over the whole sheet": (lambda f: rewrite_sheet(f / WORKBOOK, lambda xml: xml.replace(b'<mergeCells count="10">', b'<mergeCells count="11"><mergeCell ref="B6:XFD1048576"/>')),
                                     r"重点工程项目表\.xlsx:6:2: error: cells B6:XFD1048576 of sheet '附件1' are merged"),
    "a date in an amount column": (lambda f: edit_cell(f / WORKBOOK, "G5", datetime.date(2021, 4, 5)),
                                   r"重点工程项目表\.xlsx:5:7: error: row 1: column '计划': expected an amount in 亿元 .*, got '2021-04-05': a date where a number was expected"),
}


def replace_in(path: Path, old: str, new: str, encoding: str = "utf-8") -> None:
    text = path.read_text(encoding=encoding)
    assert old in text
    path.write_text(text.replace(old, new), encoding=encoding)


@pytest.mark.parametrize("case", MISTAKES)
def test_office_table_mistakes_are_located(case, tmp_path):
    folder = tmp_path / "office"
    shutil.copytree(ROOT, folder)
    change, message = MISTAKES[case]
    change(folder)
    result = run("check", "--content", str(folder), cwd=tmp_path)
    assert result.returncode == 2 and re.search(message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    result = run("build", "--content", str(folder), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert result.returncode == 2 and not (tmp_path / "out").exists()


def test_ignored_extra_column_is_a_warning(tmp_path):
    folder = tmp_path / "office"
    shutil.copytree(ROOT, folder)
    edit_cell(folder / WORKBOOK, "J3", "备注")
    edit_cell(folder / WORKBOOK, "J5", "已开工")
    replace_in(folder / "plan.yaml", "      id: 序号\n", "      id: 序号\n      extra_columns: ignore\n")
    result = run("check", "--content", str(folder), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"重点工程项目表\.xlsx:3:10: warning: the column '备注' is not one of the table's columns; ignored \(extra_columns: ignore\)", result.stderr)


def rewrite_sheet(path: Path, edit) -> None:
    """The workbook with its sheet's XML replaced by `edit(xml)`: what openpyxl cannot write."""
    with zipfile.ZipFile(path) as book:
        parts = [(info, book.read(info)) for info in book.infolist()]
    with zipfile.ZipFile(path, "w") as book:
        for info, data in parts:
            book.writestr(info, edit(data) if info.filename == "xl/worksheets/sheet1.xml" else data)


def calculated(xml: bytes, values: dict[str, str]) -> bytes:
    """The sheet as Excel or WPS saves it: each formula cell named with the value it computed (an
    empty text typed "str", with an empty value)."""
    for cell, value in values.items():
        typed = ' t="str"' if value == "" else ""
        xml, found = re.subn(rf'<c r="{cell}"([^>]*)>(<f>[^<]*</f>)<v></v>'.encode(), rf'<c r="{cell}"\1{typed}>\2<v>{value}</v>'.encode(), xml)
        assert found == 1, cell
    return xml


def test_formulas_are_read_by_the_values_they_computed(tmp_path):
    """A formula is read by its computed value, and merged cells in the header and the total row are
    no mistake; a formula that computed an empty text is an empty cell (here an English left for
    the catalogue), not a formula without a value."""
    folder = tmp_path / "office"
    shutil.copytree(ROOT, folder)
    edit_cell(folder / WORKBOOK, "F5", "=G5+7.5")
    edit_cell(folder / WORKBOOK, "D6", '=IF(TRUE,"","-")')
    rewrite_sheet(folder / WORKBOOK, lambda xml: calculated(xml, {"F5": "12", "D6": ""}))
    # both languages: only a build of the English warns about English that is missing
    result = run("build", "--content", str(folder), "--out", str(tmp_path / "out"), "--format", "pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"重点工程项目表\.xlsx:6:3: warning: table\.works\.2\.name: no English translation", result.stderr), result.stderr
    assert "error" not in result.stderr
    assert squash("1 城东区 江州钢铁有限公司超低排放改造 2019.8—2022.8 12.0 4.5 1.2") in squash(pdf_text(tmp_path / "out" / "works.zh.pdf"))
