"""Untrusted text stays text: escaped in HTML, literal in both formats; templates are sandboxed."""
from __future__ import annotations


import pytest

from conftest import TEMPLATES, docx_paragraphs, pdf_text, squash
from reportgen.build import build
from reportgen.errors import TemplateError, WriterError
from reportgen.render import markdown_html, render_html
from reportgen.writers.pdf import write_pdf

HOSTILE = '<script>alert(1)</script> <img src=x onerror=alert(2)> </td> & **bold**'


def test_markdown_keeps_raw_html_as_text():
    html = markdown_html(HOSTILE)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" in html


def test_hostile_text_appears_literally_in_both_formats(content_copy, tmp_path):
    plan = content_copy / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("title: {zh: 发展思路, en: Approach}", "title: {zh: '发展思路<script>x</script>', en: 'Approach </td><b>'}"), encoding="utf-8")
    build(content_copy, tmp_path, TEMPLATES, langs=("zh", "en"))
    for lang, literal in (("zh", "发展思路<script>x</script>"), ("en", "Approach </td><b>")):
        assert any(literal in p for p in docx_paragraphs(tmp_path / f"action-plan.{lang}.docx"))
        assert squash(literal) in squash(pdf_text(tmp_path / f"action-plan.{lang}.pdf"))


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
