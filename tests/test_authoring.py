"""Authoring mistakes that validate but would print wrongly (src/reportgen/authoring.py): each is
a located error of `check` and the build, exit status 2, nothing written; correct texts pass."""
from __future__ import annotations

import re
import shutil

import pytest

from conftest import ROOT, TEMPLATES
from reportgen.authoring import mistakes
from reportgen.cli import main

MINIMAL = ROOT / "tests" / "roots" / "minimal"


@pytest.mark.parametrize("text,lang,heading,expected", [
    ("一、主要工作", "zh", True, "starts with the heading marker '一、'"),
    ("（二）保障措施", "zh", True, "starts with the heading marker '（二）'"),
    ("3.资金保障", "zh", True, "starts with the heading marker '3.'"),
    ("（4）验收", "zh", True, "starts with the heading marker '（4）'"),
    ("II. Key Tasks", "en", True, "starts with the heading marker 'II.'"),
    ("(1) Acceptance", "en", True, "starts with the heading marker '(1)'"),
    ("各区人民政府：：", "zh", False, "a doubled colon '：：'"),
    ("# 标题", "zh", False, "a Markdown heading would print as written"),
    ("> 引用", "zh", False, "a Markdown quote would print as written"),
    ("---", "zh", False, "a Markdown rule would print as written"),
    ("```\ncode\n```", "zh", False, "a Markdown code block (line 1 of the text) would print as written"),
    ("见[文件](http://example.org)", "zh", False, "a Markdown link or image would print as written"),
    ("<b>加粗</b>", "zh", False, "raw HTML or an autolink would print as written"),
    ("第一行\\\n第二行", "zh", False, "a backslash line break (line 1 of the text) would print as written"),
    ("　　做好本年度各项工作。", "zh", False, "starts with full-width or non-breaking spaces"),
    ("做好\u200b工作。", "zh", False, "holds zero-width characters"),
])
def test_each_mistake_is_named(text, lang, heading, expected):
    assert any(expected in m for m in mistakes(text, lang, heading)), mistakes(text, lang, heading)


@pytest.mark.parametrize("text,lang,heading", [
    ("2020年工作目标", "zh", True),
    ("5G网络建设", "zh", True),
    ("Goals for 2020", "en", True),
    ("完成投资1.5亿元，同比增长12.3%，占比<5%。", "zh", False),
    ("单位：万元", "zh", False),
    ("**挂牌督办**，*重点*，`代码`", "zh", False),
    ("- 第一项\n- 第二项\n\n1. 甲\n2. 乙", "zh", False),
    ("一、二、三等奖项", "zh", False),  # not a heading: the marker check is for headings only
    ("Time: 10:30", "en", False),
])
def test_correct_texts_pass(text, lang, heading):
    assert mistakes(text, lang, heading) == []


CASES = {  # what is typed into tests/roots/minimal/plan.yaml → the message expected at its place
    "marker": ("title: {zh: 主要工作, en: Main Work}", "title: {zh: 一、主要工作, en: I. Main Work}",
               [r"plan\.yaml:8:17: error: sections\[0\]\.title\.zh: starts with the heading marker '一、'",
                r"plan\.yaml:8:29: error: sections\[0\]\.title\.en: starts with the heading marker 'I\.'"]),
    "colon": ("text: {zh: 做好本年度各项工作。", "text: {zh: 工作要求如下：：做好本年度各项工作。",
              [r"plan\.yaml:9:16: error: sections\[0\]\.text\.zh: a doubled colon '：：'"]),
    "markdown": ("text: {zh: 做好本年度各项工作。", "text: {zh: '[通知](http://example.org)做好本年度各项工作。'",
                 [r"plan\.yaml:9:16: error: sections\[0\]\.text\.zh: a Markdown link or image would print as written"]),
    "spaces": ("text: {zh: 做好本年度各项工作。", "text: {zh: \"\\u3000\\u3000做好本年度各项工作。\"",
               [r"plan\.yaml:9:16: error: sections\[0\]\.text\.zh: starts with full-width or non-breaking spaces"]),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_build_refuses_with_the_place(case, tmp_path, capsys):
    old, new, messages = CASES[case]
    content = tmp_path / "content"
    shutil.copytree(MINIMAL, content)
    text = (content / "plan.yaml").read_text(encoding="utf-8")
    assert old in text
    (content / "plan.yaml").write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "out"
    assert main(["check", "--content", str(content), "--templates", str(TEMPLATES)]) == 2
    checked = capsys.readouterr().err
    assert main(["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out)]) == 2
    built = capsys.readouterr().err
    for err in (checked, built):
        assert "Traceback" not in err
        for message in messages:
            assert re.search(message, err), err
    assert not out.exists()
