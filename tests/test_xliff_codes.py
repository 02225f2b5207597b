"""Inline codes in XLIFF (src/reportgen/i18n/inline.py): placeholders and Markdown formatting travel
as protected codes, come back as the text they stand for, and a target that damages them is refused;
checked with translate-toolkit and with a real CAT tool, OmegaT, run headless."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree
from ruamel.yaml import YAML
from translate.storage import factory

from reportgen.cli import main
from reportgen.i18n.inline import Code, differences, to_inline
from reportgen.i18n.segments import Segment, collect
from reportgen.i18n.xliff import TranslationError, export, import_
from test_i18n import project, snapshot  # noqa: F401 (a fixture)

COUNT = "{{ key-projects.count }}"
GOALS = "plan.action-plan.sections.goals-2020.text"  # … 等{{ key-projects.count }}个行业重大项目 …
NEXT_STEPS = "progress.2020Q2.next_steps"  # … 实行**挂牌督办** … (**on a list for priority supervision**)
TITLE = "series.bulletin.title"  # 山西省半导体产业重点项目{quarter}进展情况通报
GOALS_TITLE = "plan.action-plan.sections.goals-2020.title"  # {zh: 2020年工作目标, en: Goals for 2020}
XLIFF12 = "{urn:oasis:names:tc:xliff:document:1.2}"
XLIFF2 = "{urn:oasis:names:tc:xliff:document:2.0}"


def test_placeholders_and_markdown_formatting_are_codes():
    parts = to_inline(f"共{COUNT}个**重点*新*项目**，见`{{n}}`\\*号", markdown=True)
    assert parts == ("共", Code("1", False, start=COUNT), "个",
                     Code("2", True, ("重点", Code("3", True, ("新",), "*", "*", "italic"), "项目"), "**", "**", "bold"),
                     "，见", Code("4", True, (Code("5", False, start="{n}"),), "`", "`", "code"), "\\*号")
    assert to_inline("**不是Markdown**{quarter}", markdown=False) == ("**不是Markdown**", Code("1", False, start="{quarter}"))
    assert to_inline("* 一项\n* 二项", markdown=True) == ("* 一项\n* 二项",)  # list bullets are not emphasis
    # the English takes the source's ids: a placeholder by its text, a pair by its kind, in order
    source = to_inline("{a}的**甲**和{b}", markdown=True)
    assert to_inline("**A** of {b} and {a}", markdown=True, like=source) == (
        Code("2", True, ("A",), "**", "**", "bold"), " of ", Code("3", False, start="{b}"), " and ", Code("1", False, start="{a}"))
    assert to_inline("*A* {a}", markdown=True, like=source)[0] == "*A* "  # a code the source does not have stays text


def test_differences_name_each_damaged_code():
    source = to_inline(f"{COUNT}个**重大**项目", markdown=True)
    assert differences(source, to_inline(f"{COUNT} **major** projects", True, like=source)) == []
    assert differences(source, to_inline("**major** projects", True, like=source)) == [f"code 1 ({COUNT}) is missing from the target"]
    assert differences(source, (Code("1", False), " ", Code("2", True, ("major",)), Code("1", False))) == [f"code 1 ({COUNT}) appears 2 times in the target"]
    assert differences(source, (Code("1", False), " ", Code("2", True, ("x",)), Code("7", False))) == ["code 7 is not in the source"]
    assert differences(source, (Code("2", True, (Code("1", False),)),)) == [f"code 1 ({COUNT}) is outside the other codes in the source but inside code 2 in the target"]
    assert differences(source, (Code("1", True), Code("2", True))) == [f"code 1 ({COUNT}) is a single code in the source, a pair in the target"]


@pytest.mark.parametrize("version", ["1.2", "2.0"])
def test_the_export_carries_the_codes_in_source_and_target(project, tmp_path, version):
    content, templates = project
    path = tmp_path / "en.xlf"
    export(content, templates, path, version=version)
    root = etree.parse(str(path)).getroot()
    ns = XLIFF12 if version == "1.2" else XLIFF2
    unit = {u.get("id"): u for u in root.iter(f"{ns}trans-unit", f"{ns}unit")}
    source, target = (unit[GOALS].find(f".//{ns}{part}") for part in ("source", "target"))
    bold_source, bold_target = (unit[NEXT_STEPS].find(f".//{ns}{part}") for part in ("source", "target"))
    if version == "1.2":
        assert [(ph.get("id"), ph.text) for ph in (source.find(f"{ns}ph"), target.find(f"{ns}ph"))] == [("1", COUNT)] * 2
        assert [(g.get("id"), g.get("ctype"), g.text) for g in (bold_source.find(f"{ns}g"), bold_target.find(f"{ns}g"))] == [
            ("1", "bold", "挂牌督办"), ("1", "bold", "on a list for priority supervision")]
    else:
        assert [(ph.get("id"), ph.get("equiv"), ph.get("canDelete")) for ph in (source.find(f"{ns}ph"), target.find(f"{ns}ph"))] == [("1", COUNT, "no")] * 2
        assert [(pc.get("id"), pc.get("subType"), pc.get("dispStart"), pc.text) for pc in (bold_source.find(f"{ns}pc"), bold_target.find(f"{ns}pc"))] == [
            ("1", "xlf:b", "**", "挂牌督办"), ("1", "xlf:b", "**", "on a list for priority supervision")]
    assert COUNT not in "".join(source.itertext()).replace(source.find(f".//{ns}ph").text or "", "")
    assert {f.get("original") for f in root.iter(f"{ns}file")} == {
        "bulletins.yaml", "notice.yaml", "plan.yaml", "tables/key-projects.csv", "templates/strings.yaml",
        *(f"progress/2020-Q{q}.{ext}" for q in range(1, 5) for ext in ("csv", "yaml"))}


def test_original_does_not_depend_on_the_current_folder(project, tmp_path, monkeypatch):
    content, templates = project
    originals = []
    for cwd in (tmp_path, content / "progress"):
        monkeypatch.chdir(cwd)
        export(Path(os.path.relpath(content)), Path(os.path.relpath(templates)), tmp_path / "en.xlf")
        originals.append([f.get("original") for f in etree.parse(str(tmp_path / "en.xlf")).getroot().iter(f"{XLIFF12}file")])
    assert originals[0] == originals[1] and "progress/2020-Q2.yaml" in originals[0]


def edit_rich_target(path: Path, seg_id: str, old: str, new: str) -> None:
    """Change a target's words the way a CAT tool built on translate-toolkit does: through its
    rich (placeable) form, which keeps the codes."""
    store = factory.getobject(str(path))
    (unit,) = [u for u in store.units if u.xmlelement.get("id") == seg_id]

    def replaced(elem):
        elem.sub = [s.replace(old, new) if isinstance(s, str) else replaced(s) for s in elem.sub]
        return elem

    unit.rich_target = [replaced(e) for e in unit.rich_target]
    store.savefile(str(path))


def test_round_trip_through_translate_toolkit(project, tmp_path):
    content, templates = project
    path = tmp_path / "en.xlf"
    export(content, templates, path)
    edit_rich_target(path, NEXT_STEPS, "on a list for priority supervision", "under priority supervision")
    edit_rich_target(path, GOALS, "major projects in the industry", "major industrial projects")
    edit_rich_target(path, TITLE, "Key Projects", "Major Projects")
    text = path.read_text(encoding="utf-8")
    assert '<g id="1" ctype="bold">under priority supervision</g>' in text and f'<ph id="1">{COUNT}</ph> major industrial projects' in text

    report = import_(path, content, templates)

    assert sorted(report.applied) == sorted([NEXT_STEPS, GOALS, TITLE])
    en = {s: collect(content, templates).by_id()[s].en for s in (NEXT_STEPS, GOALS, TITLE)}
    assert "behind schedule **under priority supervision**." in en[NEXT_STEPS]
    assert f"implementation of {COUNT} major industrial projects, including" in en[GOALS]
    assert en[TITLE] == "Circular on the Progress of the Major Projects of the Shanxi Semiconductor Industry in {quarter}"


DAMAGES = {  # version, unit, what is done to its exported <target>, the message
    "dropped": ("1.2", TITLE, lambda t: t.replace('<ph id="1">{quarter}</ph>', ""), "code 1 ({quarter}) is missing from the target"),
    "duplicated": ("1.2", TITLE, lambda t: t.replace('<ph id="1">{quarter}</ph>', '<ph id="1">{quarter}</ph> <ph id="1">{quarter}</ph>'),
                   "code 1 ({quarter}) appears 2 times in the target"),
    "invented": ("1.2", NEXT_STEPS, lambda t: t.replace("the pace of investment", 'the pace of <g id="2" ctype="italic">investment</g>'),
                 "code 2 is not in the source"),
    "renamed": ("1.2", NEXT_STEPS, lambda t: t.replace('<g id="1"', '<g id="9"'), "code 1 (**挂牌督办**) is missing from the target; code 9 is not in the source"),
    "no codes left": ("1.2", NEXT_STEPS, lambda t: re.sub(r"<g [^>]*>(.*?)</g>", r"\1", t), "code 1 (**挂牌督办**) is missing from the target"),
    "2.0 dropped": ("2.0", NEXT_STEPS, lambda t: re.sub(r"<pc [^>]*>(.*?)</pc>", r"\1", t), "code 1 (**挂牌督办**) is missing from the target"),
    "2.0 renamed": ("2.0", TITLE, lambda t: t.replace('<ph id="1"', '<ph id="2"'), "code 1 ({quarter}) is missing from the target; code 2 is not in the source"),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_code_is_refused_at_its_unit_and_nothing_changes(project, tmp_path, damage):
    content, templates = project
    version, seg_id, edit, message = DAMAGES[damage]
    path = tmp_path / "en.xlf"
    export(content, templates, path, version=version)
    text = path.read_text(encoding="utf-8")
    at = text.index(f'id="{seg_id}"')
    start, end = text.index("<target", at), text.index("</target>", at)
    assert edit(text[start:end]) != text[start:end]
    text = text[:start] + edit(text[start:end]) + text[end:]
    path.write_text(text, encoding="utf-8")
    before = snapshot(content, templates)

    with pytest.raises(TranslationError) as raised:
        import_(path, content, templates)

    (problem,) = raised.value.problems
    assert (problem.location.file, problem.location.line) == (path, text.count("\n", 0, at) + 1)
    assert problem.message == f"{seg_id}: the target's inline codes differ from the source's: {message}; not applied"
    assert snapshot(content, templates) == before


def test_a_code_moved_into_a_pair_is_refused(project, tmp_path):
    content, templates = project
    plan = content / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace(f"等{COUNT}个行业重大项目", f"等{COUNT}个**行业重大项目**")
                    .replace(" major projects in the industry, including", " **major projects in the industry**, including"), encoding="utf-8")
    path = tmp_path / "en.xlf"
    export(content, templates, path)
    text = path.read_text(encoding="utf-8")
    moved = f'of <g id="2" ctype="bold"><ph id="1">{COUNT}</ph> major projects in the industry</g>,'
    path.write_text(text.replace(f'of <ph id="1">{COUNT}</ph> <g id="2" ctype="bold">major projects in the industry</g>,', moved), encoding="utf-8")
    assert moved in path.read_text(encoding="utf-8")
    with pytest.raises(TranslationError, match=re.escape(
            f"{GOALS}: the target's inline codes differ from the source's: code 1 ({COUNT}) is outside the other codes in the source but inside code 2 in the target")):
        import_(path, content, templates)


def test_an_export_without_codes_is_still_accepted_and_a_changed_chinese_is_stale(project, tmp_path):
    """A file exported before inline codes has placeholders as text in source and target: it is read
    as before (the QA placeholder check guards them). A source whose codes are not the current
    Chinese's is a stale export."""
    content, templates = project
    path = tmp_path / "en.xlf"

    def edit_unit(edit) -> None:
        text = path.read_text(encoding="utf-8")
        start = text.index(f'id="{TITLE}"')
        end = text.index("</trans-unit>", start)
        path.write_text(text[:start] + edit(text[start:end]) + text[end:], encoding="utf-8")

    export(content, templates, path)
    edit_unit(lambda unit: unit.replace('<ph id="1">{quarter}</ph>', "{quarter}").replace("Key Projects", "Major Projects"))
    assert import_(path, content, templates).applied == [TITLE]

    export(content, templates, path)
    edit_unit(lambda unit: unit.replace('<ph id="1">', '<ph id="2">'))
    with pytest.raises(TranslationError, match=f"{TITLE}: the source in the XLIFF no longer matches the current Chinese"):
        import_(path, content, templates)


def test_xliff_2_round_trip_keeps_the_codes(project, tmp_path):
    content, templates = project
    path = tmp_path / "en.xlf"
    export(content, templates, path, version="2.0")
    text = path.read_text(encoding="utf-8")
    old = 'subType="xlf:b" dispStart="**" dispEnd="**" canCopy="no" canDelete="no" canOverlap="no">on a list for priority supervision</pc>'
    assert old in text
    path.write_text(text.replace(old, old.replace("on a list for priority supervision", "under priority supervision")), encoding="utf-8")
    assert import_(path, content, templates).applied == [NEXT_STEPS]
    assert "behind schedule **under priority supervision**." in collect(content, templates).by_id()[NEXT_STEPS].en


# --- a real CAT tool: OmegaT, headless --------------------------------------------------------------

OMEGAT = Path("/usr/share/omegat/OmegaT.jar")
OMEGAT_PROJECT = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<omegat><project version="1.0">
  <source_dir>__DEFAULT__</source_dir><source_dir_excludes/><target_dir>__DEFAULT__</target_dir>
  <tm_dir>__DEFAULT__</tm_dir><glossary_dir>__DEFAULT__</glossary_dir><glossary_file>__DEFAULT__</glossary_file>
  <dictionary_dir>__DEFAULT__</dictionary_dir>
  <source_lang>zh-CN</source_lang><target_lang>en</target_lang>
  <source_tok>org.omegat.tokenizer.LuceneSmartChineseTokenizer</source_tok><target_tok>org.omegat.tokenizer.LuceneEnglishTokenizer</target_tok>
  <sentence_seg>false</sentence_seg><support_default_translations>true</support_default_translations><remove_tags>false</remove_tags>
</project></omegat>
"""


def omegat(project_dir: Path, home: Path, mode: str, *options: str) -> None:
    """OmegaT's console mode (Debian's omegat; `--mode` misspelt would start the GUI and fail)."""
    subprocess.run(["java", "-Djava.awt.headless=true", "-jar", str(OMEGAT), str(project_dir), f"--mode={mode}", *options,
                    f"--config-dir={home / 'config'}", "--disable-project-locking", "--no-team", "--quiet"],
                   env={**os.environ, "HOME": str(home)}, check=True, capture_output=True, timeout=300)


def tmx(pairs: list[tuple[str, str]]) -> str:
    """A TMX 1.4 whose segments are written in OmegaT's tag shortcuts (<g0>…</g0>, <k1/>), as it matches them."""
    tus = "".join(f'<tu><tuv xml:lang="zh-CN"><seg>{escape(zh)}</seg></tuv><tuv xml:lang="en"><seg>{escape(en)}</seg></tuv></tu>\n' for zh, en in pairs)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header creationtool="reportgen-tests" creationtoolversion="1" '
            f'segtype="paragraph" o-tmf="none" adminlang="en" srclang="zh-CN" datatype="plaintext"/><body>\n{tus}</body></tmx>\n')


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.fixture
def omegat_home(tmp_path) -> Path:
    if not OMEGAT.exists() or not shutil.which("java"):
        message = "needs Debian's omegat: run scripts/install.sh --with-test-tools"
        if os.environ.get("REPORTGEN_REQUIRE_TEST_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def untranslate(*segments: Segment) -> None:
    """Delete the English of segments, as if it had never been written: they become untranslated."""
    yaml = YAML()
    yaml.width = 4096
    for place in (s.place for s in segments):
        data = yaml.load(place.file)
        holder = data
        for key in place.keys:
            holder = holder[key]
        del holder["en"]
        yaml.dump(data, place.file)


def test_round_trip_through_omegat(project, tmp_path, omegat_home):
    """OmegaT 3.6's XLIFF filter translates what is in <target> (the Okapi convention: a target
    starting as a copy of the source): `i18n export --source-in-target` gives the untranslated
    units the Chinese with its codes, which OmegaT shows as its tags and writes back into the
    translated target. Its translations come from tm/auto/: the TMX of `i18n tm export` (written
    while the goals' title was still approved) fills a plain title; OmegaT reads another tool's
    TMX without its inline codes, so the segments with codes are filled from a TMX keyed by the
    source as OmegaT segments it (learnt from its pseudo-translation TMX). A unit it leaves alone
    comes back still Chinese, and import skips it."""
    content, templates = project
    args = ["--content", str(content), "--templates", str(templates)]
    project_dir = tmp_path / "omegat"
    for folder in ("source", "target", "tm/auto", "glossary", "dictionary", "omegat"):
        (project_dir / folder).mkdir(parents=True)
    (project_dir / "omegat.project").write_text(OMEGAT_PROJECT, encoding="utf-8")
    assert main(["i18n", "tm", "export", "-o", str(project_dir / "tm" / "auto" / "reportgen.tmx"), *args]) == 0
    english = collect(content, templates).by_id()
    untranslate(*(english[s] for s in (GOALS, NEXT_STEPS, GOALS_TITLE, TITLE)))
    source_file = project_dir / "source" / "en.xlf"
    assert main(["i18n", "export", "-o", str(source_file), "--source-in-target", *args]) == 0
    assert '<target xml:lang="en" state="new">山西省半导体产业重点项目<ph id="1">{quarter}</ph>进展情况通报</target>' in source_file.read_text(encoding="utf-8")

    omegat(project_dir, omegat_home, "console-createpseudotranslatetmx", f"--pseudotranslatetmx={tmp_path / 'pseudo.tmx'}", "--pseudotranslatetype=equal")
    segments = [seg.xpath("string()") for seg in etree.parse(str(tmp_path / "pseudo.tmx")).iter("seg")][::2]
    goals = next(s for s in segments if "行业重大项目" in s)
    steps = next(s for s in segments if "挂牌督办" in s)
    (placeholder,) = re.findall(r"<[a-z]\d+/>", goals)
    assert re.search(r"<(g\d+)>挂牌督办</\1>", steps), steps  # OmegaT shows our <g> as its paired tag
    bold = re.search(r"<(g\d+)>", steps)[1]
    (project_dir / "tm" / "auto" / "en.tmx").write_text(tmx([
        (goals, english[GOALS].en.replace(COUNT, placeholder).replace("major projects in the industry", "major industrial projects")),
        (steps, english[NEXT_STEPS].en.replace("**on a list for priority supervision**", f"<{bold}>under priority supervision</{bold}>")),
    ]), encoding="utf-8")

    omegat(project_dir, omegat_home, "console-translate")

    translated = project_dir / "target" / "en.xlf"
    text = translated.read_text(encoding="utf-8")
    assert '<g id="1" ctype="bold">under priority supervision</g>' in text and f'<ph id="1">{COUNT}</ph> major industrial projects' in text
    damaged = tmp_path / "damaged.xlf"
    damaged.write_text(text.replace(f'<ph id="1">{COUNT}</ph> major industrial projects', "12 major industrial projects"), encoding="utf-8")
    before = snapshot(content, templates)
    with pytest.raises(TranslationError, match=re.escape(f"{GOALS}: the target's inline codes differ from the source's: code 1 ({COUNT}) is missing from the target")):
        import_(damaged, content, templates)
    assert snapshot(content, templates) == before

    report = import_(translated, content, templates)

    assert sorted(report.applied) == sorted([GOALS, NEXT_STEPS, GOALS_TITLE])
    assert [str(p) for p in report.skipped] == [f"{translated}:{unit_line(translated, TITLE)}: warning: {TITLE}: the target is still the Chinese "
                                                "(a copy of the source): untranslated, not applied"]
    en = collect(content, templates).by_id()
    assert en[GOALS_TITLE].en == english[GOALS_TITLE].en and not en[TITLE].en
    assert f"implementation of {COUNT} major industrial projects, including" in en[GOALS].en
    assert "behind schedule **under priority supervision**." in en[NEXT_STEPS].en


def unit_line(path: Path, seg_id: str) -> int:
    return next(u.sourceline for u in etree.parse(str(path)).iter(f"{XLIFF12}trans-unit") if u.get("id") == seg_id)
