"""Untrusted text stays text: escaped in HTML, literal in both formats; templates are sandboxed."""
from __future__ import annotations

import csv

import pytest

from conftest import TEMPLATES, docx_paragraphs, pdf_text, squash
from reportgen.build import build
from reportgen.errors import ContentError, TemplateError, WriterError
from reportgen.render import markdown_html, render_html
from reportgen.writers.pdf import write_pdf

HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)> </td> & **bold**'


def test_markdown_keeps_raw_html_as_text():
    html = markdown_html(HOSTILE)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" in html


def test_hostile_markup_typed_in_a_heading_is_refused_where_it_is(content_copy, tmp_path):
    """Markup typed into a content file's text is an authoring mistake (src/reportgen/authoring.py):
    refused at its place, nothing built; markup from tables and quarter files prints as text (below)."""
    plan = content_copy / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("title: {zh: 发展思路, en: Approach}", "title: {zh: '发展思路<script>x</script>', en: 'Approach </td><b>'}"), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        build(content_copy, tmp_path / "out", TEMPLATES, langs=("zh", "en"))
    assert [(p.location.file.name, p.location.line, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("plan.yaml", 28, "sections[0].sections[0].title.zh"), ("plan.yaml", 28, "sections[0].sections[0].title.en")]
    assert not (tmp_path / "out").exists()


def test_hostile_table_and_progress_text_is_literal_in_every_output(content_copy, tmp_path):
    """Markup, template syntax and TeX in a table cell and a quarter's problem text reach every file
    that prints them (the plan, the table, the bulletin with its charts, the review copy) as text."""
    zh, en = "芯片<script>alert(1)</script>{{ 7*7 }}项目$x^{2$", "Chip </td><img src=x onerror=alert(2)> {% raw %} $\\alpha$ Project"
    table = content_copy / "tables" / "key-projects.csv"
    text = table.read_text(encoding="utf-8")
    table.write_text(text.replace("中国电科（山西）电子信息科技创新产业园统筹配套项目", zh, 1)
                     .replace("Overall Ancillary Facilities Project of the CETC (Shanxi) Electronic Information Science and Technology Innovation Industrial Park", f'"{en}"', 1), encoding="utf-8")
    quarter = content_copy / "progress" / "2020-Q1.csv"
    rows = list(csv.reader(quarter.open(encoding="utf-8", newline="")))
    lagging = next(row for row in rows[1:] if row[-2])  # a row with a problem: the bulletin prints it
    lagging[-2:] = ["问题<b>加粗</b>&amp;", "Problem <b>bold</b> &amp; <!-- -->"]
    with quarter.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    for later in content_copy.glob("progress/2020-Q[234].*"):  # they do not print the hostile text
        later.unlink()
    built = build(content_copy, tmp_path, TEMPLATES, jobs=2, ids=frozenset({"notice", "action-plan", "key-projects", "bulletin-2020Q1", "bulletin-2020Q1-taiyuan"}))
    files = {e.path: e for e in built}
    checked = 0
    for name, entry in files.items():
        wanted = {"zh": [zh], "en": [en], "zh-en": [zh, en]}[entry.lang]
        if entry.id == "bulletin-2020Q1":
            wanted += {"zh": ["问题<b>加粗</b>&amp;"], "en": ["Problem <b>bold</b> &amp; <!-- -->"], "zh-en": []}[entry.lang]
        for literal in wanted:
            if entry.format == "docx":
                assert literal in "\n".join(docx_paragraphs(tmp_path / name)), (name, literal)
            else:
                assert squash(literal) in squash(pdf_text(tmp_path / name)), (name, literal)
            checked += 1
    assert {"action-plan", "key-projects", "bulletin-2020Q1", "bulletin-2020Q1-taiyuan"} <= {e.id for e in files.values()} and checked >= 36


def test_sandbox_refuses_unsafe_attribute(tmp_path):
    (tmp_path / "strings.yaml").write_text("{}", encoding="utf-8")
    (tmp_path / "bad.html.j2").write_text("line one\n{{ ''.__class__.__mro__[1].__subclasses__() }}\n", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        render_html(tmp_path, "bad.html.j2")
    assert "bad.html.j2:2" in str(caught.value) and "unsafe" in str(caught.value)


def test_undefined_names_are_errors(tmp_path):
    (tmp_path / "strings.yaml").write_text("{}", encoding="utf-8")
    (tmp_path / "bad.html.j2").write_text("{{ nothing_here }}", encoding="utf-8")
    with pytest.raises(TemplateError, match="'nothing_here' is undefined"):
        render_html(tmp_path, "bad.html.j2")


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://127.0.0.1:9/x.png", "../../../etc/hostname"])
def test_pdf_writer_fetches_nothing_outside_the_project(url, tmp_path):
    html = f'<html lang="en"><body><p>x</p><img src="{url}" alt=""></body></html>'
    with pytest.raises(WriterError, match="refused to fetch"):
        write_pdf(html, tmp_path / "x.pdf", TEMPLATES)
    assert not (tmp_path / "x.pdf").exists()
