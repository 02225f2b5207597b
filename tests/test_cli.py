"""The commands: help, check, a partial build, and the console script itself."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import CONTENT, ROOT, TEMPLATES
from reportgen.cli import main


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["fonts"], ["schema"]])
def test_every_command_has_help(command, capsys):
    assert main([*command, "--help"]) == 0
    assert "usage: reportgen" in capsys.readouterr().out


def test_unknown_option_is_a_usage_error(capsys):
    assert main(["build", "--colour"]) == 64
    assert "unrecognized arguments: --colour" in capsys.readouterr().err


def test_check_validates_and_writes_nothing(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--content", str(CONTENT), "--templates", str(TEMPLATES)]) == 0
    assert "content ok" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


def test_partial_build_keeps_earlier_files_in_the_manifest(tmp_path, capsys):
    out = tmp_path / "out"
    args = ["build", "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(out)]
    assert main([*args, "--lang", "zh", "--format", "pdf"]) == 0
    printed = capsys.readouterr().out
    assert "font body: 仿宋_GB2312 served by" in printed and "built 7 files" in printed
    assert main([*args, "--lang", "en", "--format", "docx"]) == 0
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    docs = ["notice", "action-plan", "key-projects"] + [f"bulletin-2020Q{q}" for q in range(1, 5)]
    assert sorted(e["path"] for e in files) == sorted([f"{d}.zh.pdf" for d in docs] + [f"{d}.en.docx" for d in docs])
    assert sorted(p.name for p in out.iterdir()) == sorted([e["path"] for e in files] + ["manifest.json"])


def test_schema_in_docs_is_current(tmp_path):
    assert main(["schema", "-o", str(tmp_path / "schema.json")]) == 0
    assert (tmp_path / "schema.json").read_text(encoding="utf-8") == (ROOT / "docs" / "plan.schema.json").read_text(encoding="utf-8")


def test_build_py_and_console_script(tmp_path):
    """`python build.py` is the main job; it accepts the build options."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--out", str(tmp_path), "--lang", "zh", "--format", "docx"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "built 7 files" in result.stdout
    assert (tmp_path / "action-plan.zh.docx").is_file()
    script = ROOT / ".venv" / "bin" / "reportgen"
    result = subprocess.run([str(script), "check", "--content", str(CONTENT), "--templates", str(TEMPLATES)], capture_output=True, text=True)
    assert result.returncode == 0 and "content ok" in result.stdout
