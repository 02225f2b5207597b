"""Input files that are good but unusual: CSV in the encodings Excel writes, links inside the
content folder, the translators' round trip into a GB18030 table, and content at the limits of
size and nesting; and inputs no corpus case can make: FIFOs, huge folders. (Bad input: test_corpus.py.)"""
from __future__ import annotations

import codecs
import os
import signal
from pathlib import Path

import pytest

from conftest import TEMPLATES, docx_paragraphs, pdf_text, squash
from reportgen.cli import main
from reportgen.content import load_content
from reportgen.errors import ContentError
from reportgen.inputs import MAX_FOLDER_ENTRIES, plausible_chinese, table_encoding
from reportgen.model import MAX_TABLE_ROWS
from reportgen.yamlsource import MAX_YAML_DEPTH, read_yaml
from test_i18n import edit_in_cat_tool, project  # noqa: F401 (a fixture)


def rows(content) -> list[tuple]:
    """Every cell of the plan's table, and its totals: what an encoding must not change."""
    (plan,) = load_content(content).plans
    (table,) = plan.attachments
    return [(row.id, sorted(row.cells.items(), key=str)) for row in table.rows] + [sorted(table.totals.items())]


def test_csv_encodings_read_the_same(content_copy):
    table = content_copy / "tables" / "key-projects.csv"
    text = table.read_text(encoding="utf-8")
    expected = rows(content_copy)
    for raw in (codecs.BOM_UTF8 + text.encode("utf-8"), text.encode("gb18030"), text.encode("gbk"), text.replace("\n", "\r\n").encode("gbk")):
        table.write_bytes(raw)
        assert rows(content_copy) == expected


def test_a_declared_encoding_is_used_as_declared(content_copy):
    plan = content_copy / "plan.yaml"
    expected = rows(content_copy)
    table = content_copy / "tables" / "key-projects.csv"
    table.write_bytes(table.read_text(encoding="utf-8").encode("gb18030"))
    plan.write_text(plan.read_text(encoding="utf-8").replace("      unit: 万元", "      encoding: gb18030\n      unit: 万元"), encoding="utf-8")
    assert rows(content_copy) == expected


def test_detection_refuses_bytes_that_only_decode_by_chance(tmp_path):
    path = tmp_path / "t.csv"
    assert table_encoding("项目,金额\n".encode("gbk"), path) == "gb18030"
    assert table_encoding("项目,金额\n".encode("utf-8"), path) == "utf-8"
    assert table_encoding(codecs.BOM_UTF8 + "项目,金额\n".encode("utf-8"), path) == "utf-8-sig"
    # Four-byte GB18030 forms (here U+0080, a control character) are not what Excel writes.
    assert not plausible_chinese(b"\x81\x30\x81\x30".decode("gb18030"))
    with pytest.raises(ContentError, match=r"as GB18030 it is not Chinese text: declare"):
        table_encoding(b"id,name\nkp-1,\x81\x30\x81\x30\n", path)
    with pytest.raises(ContentError, match="UTF-16"):
        table_encoding("id,name\n".encode("utf-16"), path)


def test_links_inside_the_content_folder_are_followed(content_copy):
    expected = rows(content_copy)
    tables = content_copy / "tables"
    (tables / "key-projects.csv").rename(content_copy / "projects-2020.csv")
    (tables / "key-projects.csv").symlink_to("../projects-2020.csv")
    assert rows(content_copy) == expected


def test_translators_round_trip_keeps_a_gb18030_table_in_gb18030(project, tmp_path):  # noqa: F811
    from reportgen.build import build
    from reportgen.i18n.xliff import import_

    content, templates = project
    table = content / "tables" / "key-projects.csv"
    original = table.read_text(encoding="utf-8")
    table.write_bytes(original.encode("gb18030"))
    path = tmp_path / "en.xlf"
    edit_in_cat_tool(content, templates, path, "table.key-projects.kp-09.company", "Shanxi Huajing Hengji New Material Co., Ltd.")
    import_(path, content, templates)
    after = table.read_bytes().decode("gb18030")  # still GB18030: UTF-8 Chinese would decode to other characters
    changed = [(a, b) for a, b in zip(original.splitlines(), after.splitlines()) if a != b]
    assert len(changed) == 1 and changed[0][0].startswith("kp-09,")
    assert changed[0][1] == changed[0][0].replace("New Materials Co.", "New Material Co.")
    build(content, tmp_path / "out", templates, langs=("zh",), formats=("docx",), ids=frozenset({"key-projects"}))
    zh = "\n".join(docx_paragraphs(tmp_path / "out" / "key-projects.zh.docx"))
    assert "山西华晶恒基新材料有限公司" in zh and "\ufffd" not in zh  # Chinese intact, no replacement characters


def test_full_width_figures_are_read_half_width_with_a_warning(content_copy):
    """Figures typed with a Chinese input method's full-width digits (３３１５１) are read as 33151,
    with a warning at each: in a table, a quarter file and a YAML field."""
    expected = rows(content_copy)
    for name, old, new in [
        ("tables/key-projects.csv", ",33151,", ",３３１５１,"),
        ("progress/2020-Q2.csv", "2020Q2,kp-05,3300,", "2020Q2,kp-05,３３００,"),
        ("bulletins.yaml", "year: 2020", "year: ２０２０"),
        ("notice.yaml", "  date: 2020-04-10\n", "  date: ２０２０-０４-１０\n  copy_number: \"０００００１\"\n"),
    ]:
        path = content_copy / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new), encoding="utf-8")
    content = load_content(content_copy)
    assert rows(content_copy) == expected
    assert [b.id for b in content.bulletins] == [f"bulletin-2020Q{q}{city}" for q in range(1, 5) for city in ("", "-taiyuan", "-xinzhou")]
    assert content.bulletins[3].projects[4].ytd == 3300  # bulletin-2020Q2
    (notice,) = content.notices
    assert (notice.meta.date.isoformat(), notice.meta.copy_number) == ("2020-04-10", "000001")
    warnings = [(p.location.file.relative_to(content_copy).as_posix(), p.location.line, p.location.column, p.message) for p in content.warnings]
    assert sorted(warnings) == [
        ("bulletins.yaml", 8, 7, "year: '２０２０' is typed with full-width characters; read as 2020"),
        ("notice.yaml", 17, 9, "meta.date: '２０２０-０４-１０' is typed with full-width characters; read as 2020-04-10"),
        ("notice.yaml", 18, 16, "meta.copy_number: '０００００１' is typed with full-width characters; read as 000001"),
        ("progress/2020-Q2.csv", 6, 3, "row 5, column 'investment_ytd': '３３００' is typed with full-width characters; read as 3300"),
        ("tables/key-projects.csv", 2, 11, "row 1: column 'total_investment': '３３１５１' is typed with full-width characters; read as 33151"),
    ], content.warnings


def check(content: Path, capsys) -> tuple[int, list[str]]:
    """`reportgen check` of `content`: its exit status and error lines."""
    code = main(["check", "--content", str(content), "--templates", str(TEMPLATES)])
    return code, [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]


def test_yaml_nests_to_its_limit_and_no_further(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("x: " + "[" * (MAX_YAML_DEPTH - 1) + "]" * (MAX_YAML_DEPTH - 1) + "\n", encoding="utf-8")  # in the top-level map
    value = read_yaml(path, tmp_path)["x"]
    for _level in range(MAX_YAML_DEPTH - 2):
        (value,) = value
    assert value == []
    path.write_text("x: " + "[" * MAX_YAML_DEPTH + "]" * MAX_YAML_DEPTH + "\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        read_yaml(path, tmp_path)
    (problem,) = caught.value.problems
    assert (problem.location.line, problem.location.column) == (1, 3 + MAX_YAML_DEPTH)  # the bracket that passes the limit
    assert f"nested more than {MAX_YAML_DEPTH} deep" in problem.message


def test_nesting_at_the_limits_builds_in_both_formats(content_copy, tmp_path):
    """A list nested ten levels deep (its items' paragraphs and lists inside each) and emphasis nested ten
    deep, the most authoring.MAX_MARKDOWN_DEPTH allows, pass `check` and print in the PDF and the DOCX."""
    from reportgen.build import documents
    from reportgen.render import render_html
    from reportgen.writers.docx import write_docx
    from reportgen.writers.pdf import write_pdf

    listed = "".join(f"{'    ' * i}- 第{i + 1}层\n\n" for i in range(10))
    marks, words = ["*", "**"] * 5, "甲乙丙丁戊己庚辛壬癸"
    emphasis = " ".join(m + w for m, w in zip(marks, words)) + " 最深处 " + " ".join(w + m for m, w in reversed(list(zip(marks, words))))
    plan = content_copy / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("          zh: >-\n            把握我国半导体产业链崛起的历史机遇，",
                        "          zh: |-\n" + "".join(f"            {line}\n" if line else "\n" for line in listed.split("\n")) + "            把握我国半导体产业链崛起的历史机遇，", 1)
    text = text.replace("          zh: >-\n            2020年，重点推动", f"          zh: >-\n            {emphasis}\n\n            2020年，重点推动", 1)
    plan.write_text(text, encoding="utf-8")
    (doc,) = [d for d in documents(load_content(content_copy), ("zh",)) if d.kind == "action-plan"]
    html = render_html(TEMPLATES, doc.template, content_dir=content_copy, lang="zh", kind=doc.kind, **doc.context)
    assert html.count("<ul>") == 10 and "<em>壬" in html
    write_pdf(html, tmp_path / "plan.pdf", TEMPLATES)
    write_docx(html, tmp_path / "plan.docx", TEMPLATES)
    for printed in (squash(pdf_text(tmp_path / "plan.pdf")), squash("".join(docx_paragraphs(tmp_path / "plan.docx")))):
        assert "第10层" in printed and "癸最深处癸" in printed


def test_a_table_may_have_as_many_rows_as_the_limit(content_copy):
    """10,000 rows (bench/tables.py builds them) load; one more is refused at its line, before its cells are read."""
    for name in ("bulletins.yaml", "notice.yaml"):  # their quarter files have rows for the sample's 12 projects only
        (content_copy / name).unlink()
    table = content_copy / "tables" / "key-projects.csv"
    header, first, *_ = table.read_text(encoding="utf-8").splitlines()
    rest = first.split(",", 2)[2]
    table.write_text("\n".join([header, *(f"kp-{n},{n},{rest}" for n in range(1, MAX_TABLE_ROWS + 1))]) + "\n", encoding="utf-8")
    (plan,) = load_content(content_copy).plans
    assert len(plan.attachments[0].rows) == MAX_TABLE_ROWS
    with table.open("a", encoding="utf-8") as f:
        f.write(f"kp-x,0,{rest}\n")
    with pytest.raises(ContentError) as caught:
        load_content(content_copy)
    (problem,) = caught.value.problems
    assert problem.location.line == MAX_TABLE_ROWS + 2 and f"more than the limit of {MAX_TABLE_ROWS}" in problem.message


@pytest.fixture
def no_waiting():
    """Fail, rather than hang, when reading blocks (a FIFO with no writer)."""
    def hung(signum, frame):
        raise TimeoutError("reading blocked")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def test_a_fifo_is_refused_without_waiting_for_it(content_copy, capsys, no_waiting):
    os.mkfifo(content_copy / "extra.yaml")
    code, errors = check(content_copy, capsys)
    assert code == 2 and errors == [f"{content_copy / 'extra.yaml'}: error: not a regular file (a folder, a FIFO or a device): only files are read"]
    (content_copy / "extra.yaml").unlink()
    (content_copy / "templates").mkdir()
    os.mkfifo(content_copy / "templates" / "strings.yaml")  # an office's own templates are read as content files are
    code, errors = check(content_copy, capsys)
    assert code == 3 and errors[0].startswith(f"{content_copy / 'templates' / 'strings.yaml'}: error: not a regular file")


def test_a_folder_without_content_is_refused_before_it_is_walked(tmp_path, monkeypatch, capsys):
    """`build --content /` names the folder at once instead of reading the whole disk."""
    def walked(*args, **kwargs):
        raise AssertionError("the folder was walked")

    monkeypatch.setattr(os, "walk", walked)
    monkeypatch.setattr(Path, "rglob", walked)
    code = main(["build", "--content", "/", "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES)])
    assert code == 2 and capsys.readouterr().err.startswith("/: error: no content: no content document (a *.yaml file with `kind:`) at the top of this folder")
    assert not (tmp_path / "out").exists()


def test_a_huge_content_folder_is_refused_before_its_files_are_read(content_copy, tmp_path, monkeypatch, capsys):
    archive = content_copy / "archive"
    archive.mkdir()
    for n in range(MAX_FOLDER_ENTRIES):
        (archive / f"{n}.txt").touch()
    message = f"{content_copy}: error: more than {MAX_FOLDER_ENTRIES} files and folders below this folder: is it the content folder?"
    code, errors = check(content_copy, capsys)
    assert code == 2 and errors[0].startswith(message)

    def read(path):
        raise AssertionError(f"{path} was read")

    monkeypatch.setattr("reportgen.output.sha256", read)  # the build's fingerprints
    assert main(["build", "--content", str(content_copy), "--out", str(tmp_path / "out"), "--templates", str(TEMPLATES)]) == 2
    assert capsys.readouterr().err.startswith(message)
