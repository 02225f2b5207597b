"""Translation memory: a new quarter's bulletin reuses the approved English of the last one (exact
matches pre-filled, fuzzy ones offered), the leverage in `i18n status`, TMX export and import."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import etree
from translate.storage import tmx, xliff

from conftest import TEMPLATES
from reportgen.cli import main
from reportgen.i18n.memory import import_tmx, memory_path, words
from reportgen.i18n.state import init_states
from reportgen.i18n.status import translation_status
from reportgen.i18n.xliff import TranslationError, export, import_

SMALL = Path(__file__).parent / "roots" / "bulletin-small"
TASKS = {  # task id → its progress in Q1 (zh, en); stations and parks report nothing in Q1
    "roads": ("道路工程按计划推进，完成路基施工。", "The roads program progressed as planned, and the roadbed was completed."),
    "bridges": ("二号桥完成桩基施工，进入主体施工阶段。", "Bridge 2 completed its pile foundations and entered the main construction phase."),
    "ports": ("四号港完成征地拆迁工作，正在开展场地平整。", "Port 4 completed land acquisition and demolition, and site leveling is under way."),
}
NEXT = ("下一步，将督促已开工项目加快施工进度，推动新建项目尽早开工。",
        "Next, we will urge the projects under way to speed up construction and push new projects to start as early as possible.")
PORTS_Q2 = "四号港完成征地拆迁工作，正在开展场地平整和围墙建设。"  # Q1's sentence and five more characters: 1 - 5/26 = 80%
STATIONS = "三号站竣工验收，投入试运行。"
PARKS = "公园项目完成方案设计。"
STATIONS_EN = "Station 3 passed its completion acceptance and began trial operation."


def flow(zh: str, en: str | None = None) -> str:
    return f'{{zh: "{zh}"' + (f', en: "{en}"}}' if en else "}")


@pytest.fixture
def quarters(tmp_path) -> Path:
    """bulletin-small with five tasks: Q1's notes translated and approved, then Q2's notes in Chinese
    only, repeating three of Q1's texts, changing one a little and adding two."""
    content = tmp_path / "content"
    shutil.copytree(SMALL, content)
    plan = content / "plan.yaml"
    sections = "".join(f"      - {{id: {t}, type: task, title: {flow(t + '工程', t.title())}, text: {flow(t + '。', t + '.')}}}\n"
                       for t in ("roads", "bridges", "ports", "stations", "parks"))
    text = plan.read_text(encoding="utf-8")
    old = "      - {id: roads, type: task, title: {zh: 道路工程, en: Roads Program}, text: {zh: 修路。, en: Build roads.}}\n"
    plan.write_text(text.replace(old, sections), encoding="utf-8")
    tasks = "".join(f"  {t}: {flow(zh, en)}\n" for t, (zh, en) in TASKS.items())
    (content / "progress" / "2021-Q1.yaml").write_text(f"quarter: 2021Q1\nnext_steps: {flow(*NEXT)}\ntasks:\n{tasks}", encoding="utf-8")
    (content / "progress" / "2021-Q2.yaml").unlink()
    init_states(content, TEMPLATES)
    q2 = {"roads": TASKS["roads"][0], "bridges": TASKS["bridges"][0], "ports": PORTS_Q2, "stations": STATIONS, "parks": PARKS}
    tasks = "".join(f"  {t}: {flow(zh)}\n" for t, zh in q2.items())
    (content / "progress" / "2021-Q2.yaml").write_text(f"quarter: 2021Q2\nnext_steps: {flow(NEXT[0])}\ntasks:\n{tasks}", encoding="utf-8")
    return content


def unit_of(path: Path, seg_id: str) -> xliff.xliffunit:
    (unit,) = [u for u in xliff.xlifffile.parsefile(str(path)).units if u.xmlelement.get("id") == seg_id]
    return unit


def test_words_count_chinese_characters_and_latin_runs():
    assert words("2020年完成投资12.5亿元，SiC项目") == 12
    assert words("推进“六新”突破。") == 6


def test_a_new_quarter_reuses_the_approved_english(quarters, tmp_path, capsys):
    path = tmp_path / "en.xlf"
    export(quarters, TEMPLATES, path)

    for seg_id, en in (("progress.2021Q2.next_steps", NEXT[1]), ("progress.2021Q2.tasks.roads", TASKS["roads"][1])):
        unit = unit_of(path, seg_id)
        target = unit.getlanguageNode(lang=None, index=1)
        assert str(unit.target) == en and not unit.isapproved()
        assert (target.get("state"), target.get("state-qualifier")) == ("needs-review-translation", "exact-match")
        assert f"exact match of {seg_id.replace('2021Q2', '2021Q1')}" in unit.getnotes()
    ports = unit_of(path, "progress.2021Q2.tasks.ports")
    assert not str(ports.target or "") and ports.getlanguageNode(lang=None, index=1).get("state") == "new"
    (alt,) = ports.getalttrans()
    assert (alt.xmlelement.get("match-quality"), str(alt.source), str(alt.target)) == ("80", TASKS["ports"][0], TASKS["ports"][1])
    for seg_id in ("progress.2021Q2.tasks.stations", "progress.2021Q2.tasks.parks"):
        assert not unit_of(path, seg_id).getalttrans() and not str(unit_of(path, seg_id).target or "")
    assert not unit_of(path, "progress.2021Q1.tasks.ports").getalttrans()  # approved: nothing to offer

    assert main(["i18n", "status", "--content", str(quarters), "--templates", str(TEMPLATES)]) == 0
    out = capsys.readouterr().out
    exact = words(NEXT[0]) + words(TASKS["roads"][0]) + words(TASKS["bridges"][0])
    assert f"leverage: 3 exact ({exact} words), 1 fuzzy ({words(PORTS_Q2)} words), 2 new ({words(STATIONS) + words(PARKS)} words)" in out
    assert "progress.2021Q2.tasks.ports (memory: fuzzy match, 80%)" in out

    report = import_(path, quarters, TEMPLATES)  # the file as exported: the pre-filled English arrives as translated
    assert sorted(report.applied) == ["progress.2021Q2.next_steps", "progress.2021Q2.tasks.bridges", "progress.2021Q2.tasks.roads"]
    status = translation_status(quarters, TEMPLATES)
    assert status.counts["translated"] == 3 and {s.id for s, _ in status.needs_work} == {f"progress.2021Q2.tasks.{t}" for t in ("ports", "stations", "parks")}


def test_xliff_2_marks_exact_matches_and_offers_fuzzy_ones(quarters, tmp_path):
    path = tmp_path / "en.xlf"
    export(quarters, TEMPLATES, path, version="2.0")
    root = etree.parse(str(path)).getroot()
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0", "mtc": "urn:oasis:names:tc:xliff:matches:2.0"}
    (roads,) = root.xpath("//x:unit[@id='progress.2021Q2.tasks.roads']/x:segment", namespaces=ns)
    assert (roads.get("state"), roads.get("subState"), roads.findtext("x:target", namespaces=ns)) == ("translated", "reportgen:exact-match", TASKS["roads"][1])
    (match,) = root.xpath("//x:unit[@id='progress.2021Q2.tasks.ports']/mtc:matches/mtc:match", namespaces=ns)
    assert (match.get("similarity"), match.get("ref"), match.findtext("x:target", namespaces=ns)) == ("80", "#s1", TASKS["ports"][1])
    assert root.xpath("//x:unit[@id='progress.2021Q2.tasks.ports']/x:segment/@id", namespaces=ns) == ["s1"]


def test_tmx_export_is_read_back_by_translate_toolkit_and_reproducible(quarters, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")
    args = ["--content", str(quarters), "--templates", str(TEMPLATES)]
    assert main(["i18n", "tm", "export", "-o", str(tmp_path / "a.tmx"), *args]) == 0
    assert "approved segments (TMX 1.4, zh-CN → en)" in capsys.readouterr().out
    assert main(["i18n", "tm", "export", "-o", str(tmp_path / "b.tmx"), *args]) == 0
    assert (tmp_path / "a.tmx").read_bytes() == (tmp_path / "b.tmx").read_bytes()
    store = tmx.tmxfile.parsefile(str(tmp_path / "a.tmx"))
    pairs = {u.getid(): (str(u.source), str(u.target)) for u in store.units}
    assert pairs["progress.2021Q1.tasks.ports"] == TASKS["ports"] and pairs["progress.2021Q1.next_steps"] == NEXT
    assert not [seg_id for seg_id in pairs if seg_id.startswith(("progress.2021Q2.next_steps", "progress.2021Q2.tasks."))]  # not approved
    assert {u.xmlelement.get("changedate") for u in store.units} == {"20200913T122640Z"}
    assert store.document.getroot().find("header").get("srclang") == "zh-CN"


OTHER_OFFICE = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" creationtoolversion="5" segtype="sentence" o-tmf="OmegaT TMX" adminlang="EN-US" srclang="zh-CN" datatype="plaintext"/>
  <body>
    <tu tuid="other.1" creationdate="20190301T080000Z"><tuv xml:lang="zh-CN"><seg>{STATIONS}</seg></tuv><tuv xml:lang="en-US"><seg>{STATIONS_EN}</seg></tuv></tu>
    <tu><tuv xml:lang="zh-CN"><seg>推进<bpt i="1">**</bpt>挂牌督办<ept i="1">**</ept>。</seg></tuv><tuv xml:lang="en-US"><seg>Place under <bpt i="1">**</bpt>supervision<ept i="1">**</ept>.</seg></tuv></tu>
  </body>
</tmx>
"""


def test_tm_import_merges_another_offices_memory_and_export_uses_it(quarters, tmp_path, capsys):
    incoming = tmp_path / "other.tmx"
    incoming.write_text(OTHER_OFFICE, encoding="utf-8")
    args = ["--content", str(quarters), "--templates", str(TEMPLATES)]
    assert main(["i18n", "tm", "import", str(incoming), *args]) == 0
    assert "2 added, 0 replaced, 0 unchanged" in capsys.readouterr().out
    entries = {str(u.source): (str(u.target), u.getid(), u.xmlelement.get("creationdate")) for u in tmx.tmxfile.parsefile(str(memory_path(quarters))).units}
    assert entries[STATIONS] == (STATIONS_EN, "other.1", "20190301T080000Z")
    assert entries["推进**挂牌督办**。"][0] == "Place under **supervision**."  # inline codes as their text
    before = memory_path(quarters).read_bytes()
    assert import_tmx(incoming, quarters).unchanged == 2 and memory_path(quarters).read_bytes() == before

    export(quarters, TEMPLATES, tmp_path / "en.xlf")
    stations = unit_of(tmp_path / "en.xlf", "progress.2021Q2.tasks.stations")
    assert str(stations.target) == STATIONS_EN and "exact match of other.1" in stations.getnotes()

    incoming.write_text(OTHER_OFFICE.replace('<!DOCTYPE tmx SYSTEM "tmx14.dtd">', '<!DOCTYPE tmx [<!ENTITY e "x">]>'), encoding="utf-8")
    with pytest.raises(TranslationError) as refused:
        import_tmx(incoming, quarters)
    assert str(refused.value.problems[0]).startswith(f"{incoming}:2: error: refused TMX")
    assert memory_path(quarters).read_bytes() == before


SUPERVISION = "推进**挂牌督办**。"  # OTHER_OFFICE's unit with formatting


def test_memory_matches_carry_the_inline_codes(quarters, tmp_path):
    """An exact match with formatting is pre-filled with the source's codes and imports back; a
    fuzzy one is offered with codes in its source and target (alt-trans, mtc:match) too."""
    (tmp_path / "other.tmx").write_text(OTHER_OFFICE, encoding="utf-8")
    import_tmx(tmp_path / "other.tmx", quarters)
    q2 = quarters / "progress" / "2021-Q2.yaml"
    q2.write_text(q2.read_text(encoding="utf-8").replace(flow(NEXT[0]), flow(SUPERVISION)).replace(flow(PARKS), flow("推进**挂牌督办**工作。")), encoding="utf-8")
    path = tmp_path / "en.xlf"
    export(quarters, TEMPLATES, path)

    bold = '<g id="1" ctype="bold">{}</g>'
    text = path.read_text(encoding="utf-8")
    assert f'<source>推进{bold.format("挂牌督办")}。</source>' in text
    assert f'<target xml:lang="en" state="needs-review-translation" state-qualifier="exact-match">Place under {bold.format("supervision")}.</target>' in text
    offered = dict(re.findall(r"<alt-trans [^>]*>\s*<source>(.*?)</source>\s*<target>(.*?)</target>", text))
    assert offered[f'推进{bold.format("挂牌督办")}。'] == f'Place under {bold.format("supervision")}.'
    export(quarters, TEMPLATES, tmp_path / "en2.xlf", version="2.0")
    ns = {"x": "urn:oasis:names:tc:xliff:document:2.0", "mtc": "urn:oasis:names:tc:xliff:matches:2.0"}
    (target,) = etree.parse(str(tmp_path / "en2.xlf")).xpath("//x:unit[@id='progress.2021Q2.tasks.parks']/mtc:matches/mtc:match/x:target", namespaces=ns)
    assert (target.text, target[0].get("id"), target[0].get("dispStart"), target[0].text) == ("Place under ", "1", "**", "supervision")

    report = import_(path, quarters, TEMPLATES)

    assert "progress.2021Q2.next_steps" in report.applied and not report.skipped
    assert 'next_steps: {zh: "推进**挂牌督办**。", en: Place under **supervision**.}' in q2.read_text(encoding="utf-8")


def test_source_in_target_gives_untranslated_units_the_chinese_and_import_skips_them(quarters, tmp_path, capsys):
    """For tools that translate the target (OmegaT): an untranslated unit's target is its source,
    codes and all, state new; a target still equal to the Chinese comes back untranslated."""
    untranslated = {"ports": PORTS_Q2, "stations": STATIONS, "parks": "公园项目完成**方案设计**。"}
    q2 = quarters / "progress" / "2021-Q2.yaml"
    q2.write_text(q2.read_text(encoding="utf-8").replace(flow(PARKS), flow(untranslated["parks"])), encoding="utf-8")
    path = tmp_path / "en.xlf"
    args = ["--content", str(quarters), "--templates", str(TEMPLATES)]
    assert main(["i18n", "export", "-o", str(path), "--source-in-target", *args]) == 0

    text = path.read_text(encoding="utf-8")
    assert '<target xml:lang="en" state="new">公园项目完成<g id="1" ctype="bold">方案设计</g>。</target>' in text
    assert f'<target xml:lang="en" state="new">{PORTS_Q2}</target>' in text and unit_of(path, "progress.2021Q2.tasks.ports").getalttrans()
    assert str(unit_of(path, "progress.2021Q2.tasks.roads").target) == TASKS["roads"][1]  # an exact match: pre-filled as before
    capsys.readouterr()

    assert main(["i18n", "import", str(path), *args]) == 0

    out, err = capsys.readouterr()
    assert "3 translation(s) changed" in out and ", 3 not applied" in out
    for task, zh in untranslated.items():
        seg_id = f"progress.2021Q2.tasks.{task}"
        line = unit_of(path, seg_id).xmlelement.sourceline
        assert f"{path}:{line}: warning: {seg_id}: the target is still the Chinese (a copy of the source): untranslated, not applied" in err
        assert f"  {task}: {flow(zh)}\n" in q2.read_text(encoding="utf-8")
    assert {s.id for s, _ in translation_status(quarters, TEMPLATES).needs_work} == {f"progress.2021Q2.tasks.{t}" for t in untranslated}
