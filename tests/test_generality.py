"""Another office's plan: four heading levels, two attachments, 亿元, other columns, an XLSX table."""
from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from conftest import TEMPLATES, docx_paragraphs, pdf_text, squash
from reportgen.build import build, documents
from reportgen.content import load_content
from reportgen.render import render_html

ROOT = Path(__file__).parent / "roots" / "four-levels"
BUDGET = pd.DataFrame(
    {
        "id": ["b1", "b2"],
        "seq": [1, 2],
        "item_zh": ["管网", "水厂"],
        "item_en": ["Network", "Waterworks"],
        "central": [1200, 35.5],
        "local": [800.25, 0],
        "owner_zh": ["市水务局", "区政府"],
        "owner_en": ["Municipal Water Bureau", "District Government"],
    }
)


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    content = tmp_path_factory.mktemp("four-levels") / "content"
    shutil.copytree(ROOT, content)
    BUDGET.to_excel(content / "tables" / "budget.xlsx", index=False)
    return content


@pytest.fixture(scope="module")
def html(root) -> dict[str, str]:
    return {
        (doc.id, doc.lang): render_html(TEMPLATES, doc.template, lang=doc.lang, kind=doc.kind, **doc.context)
        for doc in documents(load_content(root), ("zh", "en"))
    }


def test_four_heading_levels_are_numbered(html):
    zh, en = html["water-plan", "zh"], html["water-plan", "en"]
    for marker, title in [("一、", "总体要求"), ("（一）", "基本原则"), ("1.", "安全第一"), ("（1）", "保障供水"), ("二、", "主要任务"), ("（二）", "污水处理")]:
        assert f'<span class="marker">{marker}</span>{title}' in zh
    for marker, title in [("I. ", "General Requirements"), ("(I) ", "Principles"), ("1. ", "Safety First"), ("(1) ", "Securing Supply"), ("II. ", "Main Tasks")]:
        assert f'<span class="marker">{marker}</span>{title}' in en
    assert '<h5 id="supply"' in zh  # level 4
    assert '<p class="run-in"><span class="run-in-heading level-4"><span class="marker">（2）</span>水质达标。</span>出厂水质全部达标。</p>' in zh


def test_figures_in_text_come_from_the_tables(html):
    assert "共有3项工程，总投资1250.5亿元。" in html["water-plan", "zh"]
    assert "There are 3 works with a total investment of 1,250.5 (100 million yuan)." in html["water-plan", "en"]


def test_several_attachments_units_and_totals(html):
    zh, en = html["water-plan", "zh"], html["water-plan", "en"]
    assert ">附件1<" in zh and ">附件2<" in zh and ">Annex 2<" in en
    assert "单位：亿元" in zh and "单位：万元" in zh and "Unit: 100 million yuan" in en
    assert '<td colspan="2" class="center">合计</td>' in zh  # spans the columns before the first total
    assert "<td class=\"num\">1250.5</td>" in zh and "<td class=\"num\">1,250.5</td>" in en
    assert "<td class=\"num\">1235.5</td>" in zh and "<td class=\"num\">800.25</td>" in zh
    assert "2021.1—2023.6" in zh and "Jan 2021 – Jun 2023" in en and "2021–2022" in en


def test_title_block_parts(html):
    zh = html["water-plan", "zh"]
    assert '<p class="issuer">某市人民政府办公室文件</p>' in zh
    assert '<p class="doc-number ruled">某政办发〔2021〕7号</p>' in zh
    assert '<p class="addressee">各区人民政府：</p>' in zh
    assert '<p class="signature">某市人民政府办公室</p>\n<p class="date">2021年3月1日</p>' in zh
    assert "附件：1." in zh and ">2.</span>资金安排表</p>" in zh
    assert '<meta name="dcterms.created" content="2021-03-01">' in zh


def test_builds_in_both_formats(root, tmp_path):
    entries = build(root, tmp_path, TEMPLATES)
    assert len(entries) == 3 * 2 * 2 + 2 * 2  # three documents × zh/en × pdf/docx, and the plan's review copy and changes-only copy (pdf/docx)
    for lang, heading in (("zh", "（1）保障供水"), ("en", "(1) Securing Supply")):
        pdf = squash(pdf_text(tmp_path / f"water-plan.{lang}.pdf"))
        docx = docx_paragraphs(tmp_path / f"water-plan.{lang}.docx")
        assert heading in docx
        assert squash(heading) in pdf
        assert squash("1,250.5" if lang == "en" else "1250.5") in pdf
