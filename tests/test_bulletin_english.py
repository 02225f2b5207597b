"""The bulletin's generated sentences, one test per form and case, in both languages.

Small synthetic quarters of tests/roots/bulletin-small (four projects planned at 100, 200, 50 and
150 亿元, 500 in all) go through the real loader and indicators; the sentences are rendered by the
macros the bulletin template prints them with (no charts, no PDF). One test renders a whole small
bulletin for its labels, one reads the built sample's PDF and DOCX.
"""
from __future__ import annotations

import dataclasses
import html
import re
import shutil
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest

from conftest import TEMPLATES, docx_paragraphs, output_file, pdf_text, squash
from reportgen.build import documents
from reportgen.content import load_content
from reportgen.model import Bulletin, Text
from reportgen.render import environment, money, plural, render_html

SMALL = Path(__file__).parent / "roots" / "bulletin-small"
PLANNED = {"p1": 100, "p2": 200, "p3": 50, "p4": 150}
GO = "under-construction"
ON_TIME = {"p3": (12.5, GO), "p4": (37.5, GO)}  # 25 %: on the first quarter's benchmark
HEADER = "quarter,id,investment_ytd,status,milestone_zh,milestone_en,problem_zh,problem_en"


@pytest.fixture
def quarters(tmp_path):
    """make(q1, q2 …) → the last quarter's Bulletin; each quarter {project: (ytd, status[, problem zh, en])},
    a project not named is not started; `unit`, `threshold` and `only` (the projects kept) change the series."""
    made = iter(range(100))

    def make(*rows: dict, unit: str = "亿元", threshold: str = "10", only: tuple[str, ...] = tuple(PLANNED)) -> Bulletin:
        content = tmp_path / f"content{next(made)}"
        shutil.copytree(SMALL, content)
        for old in (content / "progress").iterdir():
            old.unlink()
        for q, quarter in enumerate(rows, 1):
            lines = [HEADER]
            for pid in only:
                ytd, status, *problem = quarter.get(pid, (0, "not-started"))
                lines.append(f"2021Q{q},{pid},{ytd},{status},,,{','.join(problem) or ','}")
            (content / "progress" / f"2021-Q{q}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
        table = content / "tables" / "projects.csv"
        table.write_text("".join(line for line in table.read_text(encoding="utf-8").splitlines(True)
                                 if not line.startswith("p") or line.split(",")[0] in only), encoding="utf-8")
        plan = content / "plan.yaml"
        plan.write_text(plan.read_text(encoding="utf-8").replace("unit: 亿元", f"unit: {unit}"), encoding="utf-8")
        series = content / "bulletins.yaml"
        series.write_text(series.read_text(encoding="utf-8").replace("lagging_threshold: 10", f"lagging_threshold: {threshold}"), encoding="utf-8")
        return load_content(content).bulletins[-1]

    return make


@cache
def macros():
    return environment(TEMPLATES).get_template("macros.html.j2").make_module({})


def text(markup) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", str(markup))).strip()


def overview(b: Bulletin, lang: str) -> str:
    return text(macros().bulletin_overview(b, lang))


def lagging(b: Bulletin, lang: str) -> list[str]:
    return [text(p) for p in re.findall(r"<p>.*?</p>", str(macros().lagging_projects(b, lang)))]


# ---- the overview: projects started ----

def test_no_project_started(quarters):
    b = quarters({})
    assert overview(b, "en") == (
        "By the end of the first quarter of 2021, construction had not yet started on any of the 4 key projects. "
        "No investment had been completed so far this year against the 50 billion yuan planned for the year, "
        "25.0 percentage points below the time-elapsed benchmark (25.0%).")
    assert overview(b, "zh") == "截至2021年第一季度末，4个重点项目均未开工。年度计划投资500亿元，累计尚未完成投资，落后时间进度（25.0%）25.0个百分点。"


def test_one_project_started(quarters):
    b = quarters({"p1": (30, GO)})
    assert overview(b, "en") == (
        "By the end of the first quarter of 2021, construction had started on 1 of the 4 key projects, a start rate of 25.0%. "
        "Year-to-date investment totaled 3 billion yuan, or 6.0% of the 50 billion yuan planned for the year, "
        "19.0 percentage points below the time-elapsed benchmark (25.0%).")
    assert overview(b, "zh") == ("截至2021年第一季度末，4个重点项目中已开工1个，开工率25.0%。"
                                 "累计完成投资30亿元，占年度计划投资500亿元的6.0%，落后时间进度（25.0%）19.0个百分点。")


def test_some_projects_started(quarters):
    b = quarters({"p1": (30, GO), "p2": (20, GO), "p3": (50, "completed")})
    assert overview(b, "en").startswith("By the end of the first quarter of 2021, construction had started on 3 of the 4 key projects, a start rate of 75.0%. ")
    assert overview(b, "zh").startswith("截至2021年第一季度末，4个重点项目中已开工3个，开工率75.0%。")


def test_all_projects_started(quarters):
    b = quarters({pid: (1, GO) for pid in PLANNED})
    assert overview(b, "en").startswith("By the end of the first quarter of 2021, construction had started on all 4 key projects. Year-to-date")
    assert overview(b, "zh").startswith("截至2021年第一季度末，4个重点项目已全部开工。累计")


@pytest.mark.parametrize("status,en,zh", [
    (GO, "construction had started on the key project.", "重点项目已开工。"),
    ("not-started", "construction had not yet started on the key project.", "重点项目尚未开工。"),
])
def test_a_series_of_one_project_says_so_in_the_singular(quarters, status, en, zh):
    b = quarters({"p1": (30 if status == GO else 0, status)}, only=("p1",))
    assert overview(b, "en").startswith(f"By the end of the first quarter of 2021, {en} ")
    assert overview(b, "zh").startswith(f"截至2021年第一季度末，{zh}")


# ---- the overview: against the time-elapsed benchmark ----

@pytest.mark.parametrize("p1,p2,en,zh", [
    (30, 120, "or 30.0% of the 50 billion yuan planned for the year, 5.0 percentage points above the time-elapsed benchmark (25.0%).",
     "占年度计划投资500亿元的30.0%，超过时间进度（25.0%）5.0个百分点。"),
    (25, 100, "or 25.0% of the 50 billion yuan planned for the year, in line with the time-elapsed benchmark (25.0%).",
     "占年度计划投资500亿元的25.0%，与时间进度（25.0%）持平。"),
    (24.8, 100, "or 25.0% of the 50 billion yuan planned for the year, in line with the time-elapsed benchmark (25.0%).",  # 24.96 % prints 25.0 %
     "占年度计划投资500亿元的25.0%，与时间进度（25.0%）持平。"),
    (20, 80, "or 20.0% of the 50 billion yuan planned for the year, 5.0 percentage points below the time-elapsed benchmark (25.0%).",
     "占年度计划投资500亿元的20.0%，落后时间进度（25.0%）5.0个百分点。"),
])
def test_ahead_on_and_behind_the_benchmark(quarters, p1, p2, en, zh):
    b = quarters({"p1": (p1, GO), "p2": (p2, GO)})
    assert overview(b, "en").endswith(en)
    assert overview(b, "zh").endswith(zh)


# ---- the overview: this quarter ----

def test_the_quarter_and_the_change_of_the_rate(quarters):
    b = quarters({"p1": (30, GO)}, {"p1": (60, GO), "p2": (40, GO)})
    assert overview(b, "en").endswith(
        "Year-to-date investment totaled 10 billion yuan, or 20.0% of the 50 billion yuan planned for the year, 30.0 percentage points "
        "below the time-elapsed benchmark (50.0%). Investment completed in the quarter totaled 7 billion yuan, and the completion rate "
        "rose by 14.0 percentage points from the previous quarter.")
    assert overview(b, "zh").endswith("本季度完成投资70亿元，完成率较上季度提高14.0个百分点。")


def test_a_quarter_without_investment(quarters):
    b = quarters({"p1": (30, GO)}, {"p1": (30, GO)})
    assert overview(b, "en").endswith("No investment was completed in the quarter, and the completion rate was unchanged from the previous quarter.")
    assert overview(b, "zh").endswith("本季度未完成投资，完成率与上季度持平。")


def test_the_first_quarter_has_no_quarter_sentence(quarters):
    b = quarters({"p1": (30, GO)})
    assert "quarter totaled" not in overview(b, "en") and "本季度" not in overview(b, "zh")


# ---- the projects behind the benchmark ----

def test_one_lagging_project(quarters):
    b = quarters({"p1": (25, GO), "p2": (20, GO, "征地延误", "Land acquisition was delayed"), **ON_TIME})
    assert lagging(b, "en") == [
        "The following project’s completion rate was 10 percentage points or more below the time-elapsed benchmark:",
        "1. Bridge 2 (District A): year-to-date investment totaled 2 billion yuan, or 10.0% of the year’s plan, "
        "15.0 percentage points below the time-elapsed benchmark. Problem: Land acquisition was delayed.",
    ]
    assert lagging(b, "zh") == [
        "以下项目完成率落后时间进度10个百分点以上：",
        "1.二号桥（甲区）：累计完成投资20亿元，占年度计划的10.0%，落后时间进度15.0个百分点。存在问题：征地延误。",
    ]


def test_several_lagging_projects(quarters):
    b = quarters({"p1": (25, GO), "p2": (20, GO), "p3": (12.5, GO), "p4": (0, "not-started")})
    en, zh = lagging(b, "en"), lagging(b, "zh")
    assert en[0] == "The following projects had completion rates 10 percentage points or more below the time-elapsed benchmark:"
    assert zh[0] == "以下项目完成率均落后时间进度10个百分点以上："
    assert en[2] == ("2. Port 4 (District B): no investment had been completed so far this year, leaving the project "
                     "25.0 percentage points below the time-elapsed benchmark. No specific problem was reported.")
    assert zh[2] == "2.四号港（乙区）：尚未完成投资，落后时间进度25.0个百分点。未报告具体问题。"
    assert len(en) == len(zh) == 3


def test_no_lagging_project(quarters):
    b = quarters({pid: (planned / 4, GO) for pid, planned in PLANNED.items()})
    assert lagging(b, "en") == ["No project’s completion rate was 10 percentage points or more below the time-elapsed benchmark this quarter."]
    assert lagging(b, "zh") == ["本季度无完成率落后时间进度10个百分点以上的项目。"]


@pytest.mark.parametrize("ytd,listed", [
    (40, False),     # 40 %: ahead
    (25, False),     # 25 %: on the benchmark
    (15.1, False),   # 15.1 %: 9.9 points behind, just under the threshold
    (15, True),      # 15 %: 10.0 points behind, the threshold itself (以上 includes it)
    (15.04, True),   # 15.04 %: 9.96 points behind, printed 10.0
    (14, True),      # 11.0 points behind
])
def test_behind_by_the_threshold_or_more_is_listed(quarters, ytd, listed):
    b = quarters({"p1": (ytd, GO), "p2": (50, GO), **ON_TIME})  # the others on the benchmark
    assert [p.id for p in b.lagging] == (["p1"] if listed else [])
    assert ("Road 1 (District A)" in "".join(lagging(b, "en"))) is listed
    assert ("一号路（甲区）" in "".join(lagging(b, "zh"))) is listed


def test_the_threshold_comes_from_the_series(quarters):
    b = quarters({"p1": (17, GO), "p2": (50, GO), **ON_TIME}, threshold="7.5")  # p1 8.0 points behind
    assert [p.id for p in b.lagging] == ["p1"]
    assert lagging(b, "en")[0] == "The following project’s completion rate was 7.5 percentage points or more below the time-elapsed benchmark:"
    assert lagging(b, "zh")[0] == "以下项目完成率落后时间进度7.5个百分点以上："


def test_a_completed_project_is_never_lagging(quarters):
    b = quarters({"p1": (25, GO), "p2": (50, GO), "p3": (1, "completed"), "p4": (37.5, GO)})  # p3 at 2 %
    assert not b.lagging


# ---- money in prose ----

@pytest.mark.parametrize("value,unit,en,zh", [
    ("0", "万元", "0 yuan", "0万元"),
    ("0.5", "万元", "5,000 yuan", "0.5万元"),
    ("12", "万元", "120,000 yuan", "12万元"),
    ("900", "万元", "9 million yuan", "900万元"),
    ("1234.567", "万元", "12.3 million yuan", "1234.57万元"),
    ("35640", "万元", "356.4 million yuan", "35640万元"),
    ("99999.99", "万元", "1 billion yuan", "99999.99万元"),   # 999.9999 million rounds up into billions
    ("182241.2", "万元", "1.82 billion yuan", "182241.2万元"),
    ("0", "亿元", "0 yuan", "0亿元"),
    ("0.001", "亿元", "100,000 yuan", "0亿元"),
    ("0.05", "亿元", "5 million yuan", "0.05亿元"),
    ("12.345", "亿元", "1.23 billion yuan", "12.35亿元"),
    ("195", "亿元", "19.5 billion yuan", "195亿元"),
    ("12345.6", "亿元", "1,234.56 billion yuan", "12345.6亿元"),
    ("1500000", "元", "1.5 million yuan", "1500000元"),
])
def test_money_in_prose_is_rounded_to_a_unit_a_reader_takes_in(value, unit, en, zh):
    assert money(Decimal(value), unit, "en") == en
    assert money(Decimal(value), unit, "zh") == zh


def test_money_in_prose_of_a_table_in_10000_yuan(quarters):
    b = quarters({"p1": (30, GO), "p2": (12.5, GO)}, unit="万元")  # 42.5万元 of 500万元
    assert "Year-to-date investment totaled 425,000 yuan, or 8.5% of the 5 million yuan planned for the year" in overview(b, "en")
    assert "累计完成投资42.5万元，占年度计划投资500万元的8.5%" in overview(b, "zh")


def test_plural_forms_choose_one_for_one():
    forms = {"one": {"en": "a project"}, "other": {"en": "projects"}}
    assert [plural(forms, n)["en"] for n in (0, 1, 2, 12)] == ["projects", "a project", "projects", "projects"]


# ---- the table's note, labels and captions ----

def test_a_milestone_and_a_problem_are_each_a_sentence(quarters):
    b = quarters({"p2": (20, GO, "征地延误", "Land acquisition was delayed")})
    note = dataclasses.replace(b.projects[1], milestone=Text(zh="完成场地平整", en="Site leveling was under way"))
    assert text(macros().progress_note(note, "en")) == "Site leveling was under way. Problem: Land acquisition was delayed."
    assert text(macros().progress_note(note, "zh")) == "完成场地平整。存在问题：征地延误。"


def test_labels_captions_and_exact_table_figures(quarters):
    """A whole small English bulletin: headers, chart labels, axis titles, captions and alt texts;
    its tables keep the exact figure (32.345) that the prose rounds (the Chinese: the goldens)."""
    b = quarters({"p1": (12.345, GO), "p2": (20, GO)})
    (doc,) = [d for d in documents(load_content(b.sources[0].parent), ("en",)) if d.kind == "bulletin"]
    page = html.unescape(render_html(TEMPLATES, doc.template, lang="en", kind=doc.kind, **doc.context))
    for label in ("<th>Projects</th><th>Started</th>", "Completed Year-to-Date", "Completed in the Quarter",
                  "Gap to Benchmark (pp)", "Progress in the Quarter and Problems",
                  'data-axis="Investment (100 million yuan)"', 'data-benchmark-label="Time-elapsed benchmark 25.0%"',
                  "Figure 1  Completion Rate of Each Project’s Planned Investment for the Year",
                  "Figure 2  Planned and Year-to-Date Investment by District",
                  "Bar chart: each project’s completion rate against the time-elapsed benchmark (25.0%). Project 1: 12.3%; Project 2: 10.0%;",
                  "Column chart: investment planned for the year and year-to-date investment, by District (100 million yuan). "
                  "District A: 300 planned, 32.345 completed; District B: 200 planned, 0 completed.",
                  "Year-to-date investment totaled 3.23 billion yuan", '<td class="num">32.345</td>'):
        assert label in page, label


def test_chinese_table_headers_and_exact_figures(quarters):
    b = quarters({"p1": (12.345, GO), "p2": (20, GO)})
    tables = html.unescape(str(macros().group_table(b, "zh")) + str(macros().progress_table(b, "zh")))
    for label in ("项目数", "已开工", "累计完成投资", "本季度完成投资", "与时间进度差（百分点）", "本季度进展及存在问题", '<td class="num">32.345</td>'):
        assert label in tables, label
    assert "累计完成投资32.35亿元" in overview(b, "zh")


# ---- the built sample: the PDF and the DOCX print the same sentences ----

@pytest.mark.parametrize("lang,start", [("en", "1. Shanxi Sendayuan"), ("zh", "1.山西森达源")])
def test_the_built_pdf_and_docx_print_the_same_lagging_sentence(built, manifest, lang, start):
    docx = docx_paragraphs(output_file(built, manifest, "bulletin-2020Q2", lang, "docx"))
    (item,) = [p for p in docx if p.replace("\t", " ").startswith(start)]
    assert ("18.1 percentage points below the time-elapsed benchmark" if lang == "en" else "落后时间进度18.1个百分点") in item
    assert squash(item.split(".", 1)[1]) in squash(pdf_text(output_file(built, manifest, "bulletin-2020Q2", lang, "pdf")))
