"""Group bulletins (a bulletin series' `series:`): one bulletin per group and quarter besides the
overall one, on small content written here and grouped by a column other than the sample's city:
their ids, figures that are the sums of the group's projects, the overall bulletin unchanged,
review copies of their own, located errors for bad declarations."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import TEMPLATES, pdf_text, squash
from reportgen.build import build, documents, planned
from reportgen.cli import main
from reportgen.content import load_content
from reportgen.errors import EXIT_CONTENT
from reportgen.model import LANGS
from reportgen.render import render_html

PLAN = """\
kind: action-plan
id: works-plan
meta:
  title: {zh: 市政工程计划, en: Municipal Works Plan}
sections:
  - {id: roads, type: task, title: {zh: 道路工程, en: Roads Program}, text: {zh: 修路。, en: Build roads.}}
attachments:
  - id: projects
    title: {zh: 项目表, en: Projects}
    table:
      file: tables/projects.csv
      unit: 亿元
      columns:
        - {key: name, type: text, label: {zh: 项目, en: Project}}
        - {key: district, type: text, label: {zh: 区, en: District}}
        - {key: department, type: text, label: {zh: 主管部门, en: Department}}
        - {key: total, type: amount, total: true, label: {zh: 总投资, en: Total}}
        - {key: plan2021, type: amount, total: true, label: {zh: 2021年计划, en: Plan 2021}}
"""
SERIES = """\
kind: bulletin-series
id: works
plan: works-plan
table: projects
year: 2021
columns: {name: name, group: district, planned: plan2021, total: total}
title: {zh: "{quarter}项目进展通报", en: "Project Progress in {quarter}"}
series:
  - by: department
    ids: {水务局: water, 交通局: transport}
    title: {zh: "{group}{quarter}项目进展通报", en: "Projects of the {group} in {quarter}"}
"""
# id, name, district, department (zh, en), total, planned
PROJECTS = [
    ("p1", "一号路", "Road 1", "甲区", "District A", "交通局", "Transport Bureau", 500, 100),
    ("p2", "二号桥", "Bridge 2", "甲区", "District A", "交通局", "Transport Bureau", 300, 200),
    ("p3", "三号站", "Station 3", "乙区", "District B", "水务局", "Water Authority", 50, 40),
    ("p4", "四号港", "Port 4", "乙区", "District B", "交通局", "Transport Bureau", 1000, 150),
]
Q1 = {"p1": (30, "under-construction"), "p2": (20, "under-construction"), "p3": (10, "under-construction"), "p4": (0, "not-started")}
Q2 = {"p1": (60, "under-construction"), "p2": (40, "under-construction"), "p3": (40, "completed"), "p4": (45, "under-construction")}
PROBLEMS = {"p2": ("资金不足", "Funding shortfall")}  # in 2021Q2
DEPARTMENTS = {"transport": "交通局", "water": "水务局"}


def write_content(root: Path, series: str = SERIES) -> Path:
    (root / "tables").mkdir(parents=True)
    (root / "progress").mkdir()
    (root / "plan.yaml").write_text(PLAN, encoding="utf-8")
    (root / "bulletins.yaml").write_text(series, encoding="utf-8")
    rows = ["id,name_zh,name_en,district_zh,district_en,department_zh,department_en,total,plan2021"]
    rows += [",".join(map(str, p)) for p in PROJECTS]
    (root / "tables" / "projects.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    for quarter, data in (("2021Q1", Q1), ("2021Q2", Q2)):
        lines = ["quarter,id,investment_ytd,status,milestone_zh,milestone_en,problem_zh,problem_en"]
        for pid, (ytd, status) in data.items():
            milestone = ("竣工", "Completed") if status == "completed" else ("", "")
            problem = PROBLEMS.get(pid, ("", "")) if quarter == "2021Q2" else ("", "")
            lines.append(",".join([quarter, pid, str(ytd), status, *milestone, *problem]))
        (root / "progress" / f"{quarter[:4]}-Q{quarter[-1]}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    return write_content(tmp_path_factory.mktemp("series") / "content")


@pytest.fixture(scope="module")
def built_zh(content, tmp_path_factory) -> Path:
    """The Chinese PDFs of 2021Q2: the overall bulletin and one per department."""
    out = tmp_path_factory.mktemp("series-out")
    build(content, out, TEMPLATES, langs=("zh",), formats=("pdf",), quarter="2021Q2")
    return out


def test_one_bulletin_per_group_and_quarter_in_the_declared_order(content, built_zh):
    import json

    ids = [b.id for b in load_content(content).bulletins]
    assert ids == ["works-2021Q1", "works-2021Q1-water", "works-2021Q1-transport", "works-2021Q2", "works-2021Q2-water", "works-2021Q2-transport"]
    manifest = json.loads((built_zh / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert sorted((e["id"], e["kind"], e["path"]) for e in manifest) == [
        (doc_id, "bulletin", f"{doc_id}.zh.pdf") for doc_id in ("works-2021Q2", "works-2021Q2-transport", "works-2021Q2-water")]


@pytest.mark.parametrize("group", ["transport", "water"])
def test_a_group_bulletin_sums_its_own_projects(built_zh, group):
    """The overview and the total row of the Chinese PDF: the sums over the group's projects only."""
    mine = [p for p in PROJECTS if p[5] == DEPARTMENTS[group]]
    planned_total = sum(Decimal(p[8]) for p in mine)
    ytd = sum(Decimal(Q2[p[0]][0]) for p in mine)
    quarter = ytd - sum(Decimal(Q1[p[0]][0]) for p in mine)
    started = sum(Q2[p[0]][1] != "not-started" for p in mine)
    rate = f"{100 * ytd / planned_total:.1f}%"
    text = squash(pdf_text(built_zh / f"works-2021Q2-{group}.zh.pdf"))
    assert squash(f"{DEPARTMENTS[group]}2021年第二季度项目进展通报") in text  # the group's title
    if started < len(mine):
        assert squash(f"{len(mine)}个重点项目中已开工{started}个") in text
    else:  # every project started: said so, in the singular for one
        assert squash(f"{len(mine)}个重点项目已全部开工" if len(mine) > 1 else "重点项目已开工") in text
    assert squash(f"累计完成投资{ytd}亿元，占年度计划投资{planned_total}亿元的{rate}") in text
    assert squash(f"本季度完成投资{quarter}亿元") in text
    assert squash(f"合计{planned_total}{ytd}{quarter}{rate}") in text  # the progress table's total row
    for p in PROJECTS:  # its projects only, in the table and the lagging ones
        assert (squash(p[1]) in text) == (p in mine), p[1]
    assert (squash("分区进展情况") in text) == (group == "transport")  # subtotals by district: Transport's projects are in two
    if group == "water":  # one project, completed: no lagging project
        assert squash("本季度无完成率落后时间进度") in text


def test_the_overall_bulletin_is_unchanged(content, tmp_path):
    """Declaring group series changes nothing in the overall bulletin (its HTML, both languages)."""
    plain = write_content(tmp_path / "plain", SERIES.split("series:\n")[0])

    def html(root: Path, lang: str) -> str:
        (doc,) = [d for d in documents(load_content(root), (lang,), quarter="2021Q2") if d.id == "works-2021Q2"]
        return render_html(TEMPLATES, doc.template, content_dir=root, lang=lang, kind=doc.kind, **doc.context)

    for lang in LANGS:
        assert html(content, lang) == html(plain, lang)


def test_english_bulletins_print_the_english_group_name(content):
    (doc,) = [d for d in documents(load_content(content), ("en",), quarter="2021Q2") if d.id == "works-2021Q2-water"]
    html = render_html(TEMPLATES, doc.template, content_dir=content, lang="en", kind=doc.kind, **doc.context)
    assert "Projects of the Water Authority in the Second Quarter of 2021" in html
    assert not re.search(r"[\u4e00-\u9fff]", re.sub(r'"data:[^"]*"', "", html))  # no Chinese left, group name included


def test_each_group_bulletin_has_its_review_copy(content):
    """The review copy of a group bulletin holds the texts it prints: its projects', not the others'."""
    reviews = {d.id: d for d in planned(content, TEMPLATES, load_content(content), LANGS, "2021Q2") if d.kind == "review"}
    assert sorted(reviews) == ["works-2021Q2", "works-2021Q2-transport", "works-2021Q2-water"]
    rows = {doc_id: {r["zh"] for g in d.context["groups"] for r in g["rows"]} for doc_id, d in reviews.items()}
    assert "{group}{quarter}项目进展通报" in rows["works-2021Q2-water"] and "{quarter}项目进展通报" not in rows["works-2021Q2-water"]
    assert "三号站" in rows["works-2021Q2-water"] and "二号桥" not in rows["works-2021Q2-water"]
    assert "资金不足" in rows["works-2021Q2-transport"] and "资金不足" not in rows["works-2021Q2-water"]
    assert {"资金不足", "三号站", "二号桥"} <= rows["works-2021Q2"]


@pytest.mark.parametrize("old,new,at,message", [
    ("by: department", "by: bureau", "bulletins.yaml:9:9",
     "series[0].by: 'bureau' must be a text column of 'projects' (no such column)"),
    ("{水务局: water, 交通局: transport}", "{交通局: transport}", "bulletins.yaml:10:10",
     "series[0].ids: no id for '水务局' (column 'department', row p3 of table 'projects')"),
])
def test_bad_group_series_are_located(content, tmp_path, capsys, old, new, at, message):
    bad = write_content(tmp_path / "bad", SERIES.replace(old, new))
    assert main(["check", "--content", str(bad)]) == EXIT_CONTENT
    (error,) = [line for line in capsys.readouterr().err.splitlines() if ": error: " in line]
    assert error.startswith(f"{bad / at}: error: ") and message in error, error


def test_a_lagging_project_names_its_group_only_where_the_bulletin_has_several(built, built_zh):
    """The sample's city bulletins (grouped by the column that is their group: one city each) say
    a lagging project's name alone; the province's names its city. Grouped by another column, a
    department's bulletin covers two districts: its lagging projects name theirs."""
    overall, city = (squash(pdf_text(built / f"bulletin-2020Q4{part}.zh.pdf")) for part in ("", "-xinzhou"))
    assert "图形化蓝宝石衬底制造加工项目（忻州）：" in overall
    assert "图形化蓝宝石衬底制造加工项目：" in city and "（忻州）" not in city
    english = squash(pdf_text(built / "bulletin-2020Q4-xinzhou.en.pdf"))
    assert squash("Patterned Sapphire Substrate Manufacturing and Processing Project: year-to-date") in english and "(Xinzhou)" not in english
    assert squash("二号桥（甲区）：累计完成投资40亿元") in squash(pdf_text(built_zh / "works-2021Q2-transport.zh.pdf"))
