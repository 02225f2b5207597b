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


def test_schemas_in_docs_are_current(tmp_path):
    """docs/schemas/ holds the schema of every file kind, as `reportgen schema` makes them."""
    assert main(["schema", "--output-dir", str(tmp_path)]) == 0
    made = sorted(p.name for p in tmp_path.iterdir())
    assert made == sorted(p.name for p in (ROOT / "docs" / "schemas").iterdir())
    assert made == ["action-plan.schema.json", "bulletin-series.schema.json", "content.schema.json", "notice.schema.json", "quarter-notes.schema.json", "settings.schema.json"]
    for name in made:
        assert (tmp_path / name).read_text(encoding="utf-8") == (ROOT / "docs" / "schemas" / name).read_text(encoding="utf-8"), name


def test_content_schema_validates_every_content_document():
    """The combined schema accepts each YAML document of the real content and the test roots, and
    names the field of a wrong one (what an editor shows)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match
    from ruamel.yaml import YAML

    validator = Draft202012Validator(json.loads((ROOT / "docs" / "schemas" / "content.schema.json").read_text(encoding="utf-8")))
    files = [*(ROOT / "content").glob("*.yaml"), *(ROOT / "tests" / "roots").glob("*/*.yaml")]
    assert len(files) >= 8
    for path in files:
        data = json.loads(json.dumps(YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8")), default=str))
        errors = [e.message for e in validator.iter_errors(data)]
        assert not errors, (path, errors[:3])
    bad = {"kind": "action-plan", "id": "x", "meta": {"title": {"zh": "标题", "en": "Title"}}, "sections": [{"id": "a", "title": {"en": "A"}}]}
    error = best_match(validator.iter_errors(bad))
    assert error.message == "'zh' is a required property" and list(error.absolute_path) == ["sections", 0, "title"]


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


@pytest.mark.parametrize("env, argv, message", [
    ({"SOURCE_DATE_EPOCH": "abc"}, ["check"], "reportgen: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 (as `date +%s` prints), got 'abc'"),
    ({"SOURCE_DATE_EPOCH": "-5"}, ["build", "--lang", "zh"], "reportgen: SOURCE_DATE_EPOCH must be a whole number of seconds"),
    ({}, ["build", "--out", "out\0put"], "reportgen: out: a path cannot contain a NUL byte"),
    ({}, ["check", "--content", "con\0tent"], "reportgen: content: a path cannot contain a NUL byte"),
])
def test_environment_and_usage_mistakes_are_usage_errors(env, argv, message, monkeypatch, capsys):
    """Conditions of the command line or the environment are the user's: exit 64 with a message,
    never 70 (an internal error)."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert main([*argv, "--templates", str(TEMPLATES)]) == 64
    err = capsys.readouterr().err
    assert err.startswith(message) and "internal error" not in err, err
