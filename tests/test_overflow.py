"""Text the PDF cannot print as written: a word wider than the line breaks inside instead of running
off the page, and is warned about at its place in the content (writers/overflow.py); a character
no font of the font roles has is warned about for both formats (fonts.missing_characters);
--strict refuses both. One small plan, built once."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from conftest import MM, PAGE_NUMBER, TEMPLATES, pdf_lines, squash
from reportgen.build import build
from reportgen.cli import main
from reportgen.writers.overflow import broken_words

WORD = "Interdepartmentalcoordinationmechanismestablishment"  # 51 letters: wider than a 22 pt title line
SEGMENT = "ThisPathSegmentIsLongerThanAnyLineOfTheTypeAreaAndHasNoBreakOpportunityAtAll_0123456789"
PLAN = f"""\
kind: action-plan
id: long-words
meta:
  title:
    zh: 某单位工作要点
    en: Work Priorities {WORD}
sections:
  - id: only
    title: {{zh: 主要工作, en: Main Work}}
    text:
      zh: 详见https://www.example.gov.cn/zwgk/{SEGMENT}.html。
      en: See the notice on the portal.
  - id: rare
    title: {{zh: 生僻字, en: Rare Characters}}
    text:
      zh: 地名𠀀与表情😀均应提示。
      en: A place name and an emoji.
"""
TITLE_EN, TEXT_ZH, RARE_ZH = "plan.yaml:6:9:", "plan.yaml:11:11:", "plan.yaml:16:11:"


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A content folder of one plan with a long word, a long URL and rare characters, built once."""
    root = tmp_path_factory.mktemp("overflow")
    (root / "content").mkdir()
    (root / "content" / "plan.yaml").write_text(PLAN, encoding="utf-8")
    build(root / "content", root / "out", TEMPLATES)
    return root


def warnings(built) -> list[str]:
    return [str(w) for w in built.output_warnings]


def test_long_words_break_inside_the_type_area(project):
    """Nothing is printed outside the type area (28 mm from the left edge, 156 mm wide), and every
    letter of the long word and URL is printed."""
    for lang in ("zh", "en"):
        lines = [line for page in pdf_lines(project / "out" / f"long-words.{lang}.pdf") for line in page if not PAGE_NUMBER.match(line[4])]
        for x0, _, x1, _, text in lines:
            assert 28 * MM - 1 <= x0 and x1 <= (28 + 156) * MM + 1, (lang, text, x0 / MM, x1 / MM)
        assert squash(WORD if lang == "en" else SEGMENT) in squash("".join(line[4] for line in lines))


def test_a_broken_word_is_warned_about_where_it_is_written(project, monkeypatch):
    monkeypatch.chdir(project / "content")
    found = warnings(build(project / "content", project / "out", TEMPLATES))  # up to date: the manifest keeps them
    broken = [w for w in found if "is wider than the line: the PDF breaks it inside the word" in w]
    assert len(broken) == 2, found
    assert any(w.startswith(f"{TITLE_EN} warning: '{WORD[:40]}…'") for w in broken), broken
    assert any(w.startswith(f"{TEXT_ZH} warning: '{SEGMENT[:40]}…'") for w in broken), broken
    assert not any("does not fit its line" in w for w in found), found


def test_a_word_that_still_runs_off_the_line_is_warned_about(project, tmp_path, monkeypatch):
    """An office's CSS that does not let words break: the long word runs past the type area."""
    content = tmp_path / "content"
    shutil.copytree(project / "content", content)
    (content / "templates" / "css").mkdir(parents=True)
    css = (TEMPLATES / "css" / "official.css").read_text(encoding="utf-8")
    assert "overflow-wrap: break-word" in css
    (content / "templates" / "css" / "official.css").write_text(css.replace("overflow-wrap: break-word", "overflow-wrap: normal"), encoding="utf-8")
    monkeypatch.chdir(content)
    found = warnings(build(content, tmp_path / "out", TEMPLATES, langs=("en",), formats=("pdf",)))
    assert found == [f"{TITLE_EN} warning: '{WORD[:40]}…' does not fit its line: the PDF prints it past the end of the line"]


def test_characters_no_font_has_are_warned_about_for_both_formats(project, tmp_path, monkeypatch):
    monkeypatch.chdir(project / "content")
    found = warnings(build(project / "content", tmp_path / "docx", TEMPLATES, langs=("zh",), formats=("docx",)))
    assert found == [
        f"{RARE_ZH} warning: U+1F600 😀 is in none of the fonts serving the font roles (see `reportgen fonts`): it prints as an empty box or in another face",
        f"{RARE_ZH} warning: U+20000 𠀀 is in none of the fonts serving the font roles (see `reportgen fonts`): it prints as an empty box or in another face",
    ]
    files = json.loads((project / "out" / "manifest.json").read_text(encoding="utf-8"))["files"]
    by_file = {e["path"]: [w["kind"] for w in e.get("warnings", [])] for e in files}
    assert by_file["long-words.zh.docx"] == by_file["long-words.zh.pdf"][:2] == ["glyph", "glyph"]
    assert by_file["long-words.en.docx"] == [] and by_file["long-words.en.pdf"] == ["broken"]


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_strict_refuses_and_leaves_the_output_as_it_was(project, tmp_path, capsys):
    """--strict refuses the warnings of files it keeps (in the manifest) and of files it writes."""
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(project / "content", content)
    shutil.copytree(project / "out", out)
    args = ["build", "--content", str(content), "--templates", str(TEMPLATES), "--out", str(out), "--format", "pdf"]
    before = snapshot(out)
    assert main([*args, "--strict"]) == 2
    assert "is wider than the line: the PDF breaks it inside the word (--strict)" in capsys.readouterr().err
    assert snapshot(out) == before

    plan = content / "plan.yaml"
    plan.write_text(PLAN.replace(f"Priorities {WORD}", "Priorities").replace(f"zwgk/{SEGMENT}", "zwgk/notice").replace("𠀀", "").replace("😀", ""), encoding="utf-8")
    assert main(args) == 0
    assert ": warning: " not in capsys.readouterr().err.replace("fonts.yaml: warning: font role", "")
    before = snapshot(out)
    plan.write_text(PLAN, encoding="utf-8")
    assert main([*args, "--strict"]) == 2
    err = capsys.readouterr().err
    assert f"{content}/{RARE_ZH[:-1]}: error: U+20000 𠀀 is in none" in err and "(--strict)" in err, err
    assert snapshot(out) == before


def test_the_sample_content_fits(manifest):
    """The real content has no word wider than its line and no character without a font."""
    assert [e["path"] for e in manifest if "warnings" in e] == []


class Attrs:
    """Pango's log attributes as broken_words reads them: a line may break before character i
    after a space, a slash or an ideograph."""

    def __init__(self, text: str):
        self.is_line_break = text

    @staticmethod
    def of(text: str, lang) -> list[Attrs]:
        return [Attrs(i > 0 and (text[i - 1] in " /" or text[i - 1] >= "\u4e00")) for i in range(len(text) + 1)]


@pytest.mark.parametrize("text, lines, words", [
    ("see the notice on the portal", ["see the notice", "on the portal"], []),  # a space taken by the break
    ("see the notice on the portal", ["see the no‐", "tice on the portal"], []),  # hyphenated
    ("详见网站通知", ["详见网", "站通知"], []),  # between ideographs
    ("see example.gov.cn/abc/defghijk now", ["see example.gov.cn/abc/", "defghijk now"], []),  # after a slash
    ("see example.gov.cn/abcdefghijk now", ["see example.gov.cn/abcd", "efghijk now"], ["abcdefghijk"]),
    ("a Interdepartmental b", ["a", "Interdepart", "mental b"], ["Interdepartmental"]),
    ("text with generated parts", ["1. text with", "generated parts"], []),  # lines that do not spell the text: no verdict
])
def test_broken_words_are_found_only_inside_a_word(text, lines, words):
    assert broken_words(text, lines, "en", Attrs.of) == words
