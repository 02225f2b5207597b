"""reportgen outside the repository: the package's templates, the content folder as an argument or
the current folder, and an office's own templates in <content>/templates/ (src/reportgen/templates.py)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES, docx_paragraphs, pdf_text, squash
from reportgen.templates import PACKAGE_TEMPLATES

OFFICE_LINE = "本单位自定义模板"  # printed by the office's action-plan.html.j2


def reportgen(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    """The command in its own process, in `cwd` (outside the repository), importing this checkout's code."""
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    env["PYTHONPATH"] = str(ROOT / "src")
    return subprocess.run([sys.executable, "-m", "reportgen", *argv], cwd=cwd, capture_output=True, text=True, env=env, timeout=600)


def built_files(out: Path) -> list[Path]:
    """The files manifest.json lists, each checked to exist."""
    files = [out / e["path"] for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]]
    assert files and all(f.is_file() for f in files)
    return files


@pytest.fixture
def office(tmp_path) -> Path:
    """A content folder of its own (tests/roots/minimal), outside the repository."""
    shutil.copytree(ROOT / "tests" / "roots" / "minimal", tmp_path / "office")
    return tmp_path / "office"


def test_the_package_templates_are_the_repository_templates():
    assert PACKAGE_TEMPLATES == TEMPLATES and (ROOT / "src" / "reportgen" / "templates").is_symlink()


def test_build_in_the_content_folder_and_from_elsewhere(office, tmp_path):
    """`reportgen build` in the content folder writes ./output there; `reportgen build DIR` from
    another folder writes its ./output; a second build has nothing to do (the output folder inside
    the content folder is not an input)."""
    result = reportgen("build", "--lang", "zh", cwd=office)
    assert result.returncode == 0, result.stderr
    assert {f.name for f in built_files(office / "output")} == {"minimal.zh.pdf", "minimal.zh.docx"}
    again = reportgen("build", "--lang", "zh", cwd=office)
    assert again.returncode == 0 and "nothing to do" in again.stdout, again.stdout + again.stderr

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = reportgen("build", str(office), "--lang", "en", "--format", "docx", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert [f.name for f in built_files(elsewhere / "output")] == ["minimal.en.docx"]


def test_no_content_here_is_one_line(tmp_path):
    result = reportgen("build", cwd=tmp_path)
    assert result.returncode == 64 and "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "reportgen: no content here: neither . nor ./content holds a content document (a *.yaml file with `kind:`); "
        "give the content folder (reportgen build CONTENT)"
    ]
    assert list(tmp_path.iterdir()) == []


def test_an_office_overrides_the_css_and_one_template(office, tmp_path):
    """The office's official.css numbers pages "Page N"; its action-plan.html.j2 adds a line; the
    other templates (base, macros, strings.yaml …) still come from the package. Editing the
    office's CSS rebuilds the documents."""
    css = office / "templates" / "css" / "official.css"
    css.parent.mkdir(parents=True)
    css.write_text((TEMPLATES / "css" / "official.css").read_text(encoding="utf-8").replace('"— " counter(page) " —"', '"Page " counter(page)'), encoding="utf-8")
    plan = (TEMPLATES / "action-plan.html.j2").read_text(encoding="utf-8")
    (office / "templates" / "action-plan.html.j2").write_text(plan.replace("{{ plan_body(plan, lang) }}", f"<p>{OFFICE_LINE}</p>\n{{{{ plan_body(plan, lang) }}}}"), encoding="utf-8")

    result = reportgen("build", "--lang", "zh", cwd=office)
    assert result.returncode == 0, result.stderr
    pdf = office / "output" / "minimal.zh.pdf"
    text = squash(pdf_text(pdf))
    assert OFFICE_LINE in text and "Page1" in text and "—1—" not in text
    assert OFFICE_LINE in docx_paragraphs(office / "output" / "minimal.zh.docx")
    assert "主要工作" in text  # the package's macros.html.j2 still renders the sections

    css.write_text(css.read_text(encoding="utf-8").replace('"Page " counter(page)', '"Seite " counter(page)'), encoding="utf-8")
    result = reportgen("build", "--lang", "zh", "--format", "pdf", cwd=office)
    assert result.returncode == 0 and "built 1 file," in result.stdout, result.stdout + result.stderr
    assert "Seite1" in squash(pdf_text(pdf))


def test_an_override_linking_out_of_the_content_folder_is_refused(office, tmp_path):
    outside = tmp_path / "outside.html.j2"
    outside.write_text((TEMPLATES / "action-plan.html.j2").read_text(encoding="utf-8"), encoding="utf-8")
    (office / "templates").mkdir()
    (office / "templates" / "action-plan.html.j2").symlink_to(outside)

    result = reportgen("build", cwd=office)
    assert result.returncode == 2 and "Traceback" not in result.stderr  # the content folder's scan refuses it first
    assert result.stderr.startswith(f"templates/action-plan.html.j2: error: a symbolic link out of the content folder (to {outside})"), result.stderr
    assert not (office / "output" / "manifest.json").exists()
