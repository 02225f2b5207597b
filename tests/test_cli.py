"""The commands: help, check, a partial build, the console script itself, and their exit statuses
when the environment refuses (a full or read-only disk, a file in the way, a killed worker)."""
from __future__ import annotations

import errno
import gettext
import json
import multiprocessing
import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT, TEMPLATES
from reportgen.cli import main
from reportgen.errors import EXIT_STATUSES
from reportgen.messages import DOMAIN, LOCALE_DIR
from reportgen.output import MANIFEST, sha256
from test_corpus import snapshot


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
    assert main([*args, "--lang", "zh", "--format", "pdf", "--quarter", "2020Q1"]) == 0
    printed = capsys.readouterr().out
    assert "font body: 仿宋_GB2312 served by" in printed and "built 3 files," in printed
    assert main([*args, "--lang", "en", "--format", "docx", "--quarter", "2020Q2"]) == 0
    files = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    assert sorted(e["path"] for e in files) == sorted([f"bulletin-2020Q1{city}.zh.pdf" for city in ("", "-taiyuan", "-xinzhou")] + [f"bulletin-2020Q2{city}.en.docx" for city in ("", "-taiyuan", "-xinzhou")])
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
        [sys.executable, str(ROOT / "build.py"), "--out", str(tmp_path), "--lang", "zh", "--format", "docx", "--quarter", "2020Q1"],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "built 3 files," in result.stdout
    assert (tmp_path / "bulletin-2020Q1.zh.docx").is_file()
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


def table(path: Path) -> list[tuple[str, str]]:
    """The rows of the Markdown table of exit statuses in `path`: (status, meaning)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [tuple(cell.strip() for cell in line.strip("|").split("|")) for line in lines if re.match(r"\| \d+ \|", line)]


def test_exit_statuses_are_one_table_in_the_readme_the_guide_and_help(capsys):
    """README.md, the Chinese guide (through the catalogue) and `reportgen --help` list errors.EXIT_STATUSES."""
    assert table(ROOT / "README.md") == [(str(status), meaning) for status, meaning in EXIT_STATUSES.items()]
    chinese = gettext.translation(DOMAIN, LOCALE_DIR, languages=["zh_CN"]).gettext
    assert table(ROOT / "docs" / "用户手册.md") == [(str(status), chinese(meaning)) for status, meaning in EXIT_STATUSES.items()]
    assert main(["--help"]) == 0
    printed = capsys.readouterr().out
    assert all(f"  {status:<5}{meaning}\n" in printed for status, meaning in EXIT_STATUSES.items())


def test_every_exit_status_of_the_code_is_in_the_table():
    from reportgen import errors, publish

    used = {value for module in (errors, publish) for name, value in vars(module).items() if name.startswith("EXIT_") and isinstance(value, int)}
    assert used == set(EXIT_STATUSES) - {0}


# --- what the environment refuses: its own exit status (73: a path, 74: the disk, 75: a killed
# worker), located, never an internal error (70), and the output as it was -------------------


@pytest.fixture
def project(built, tmp_path, monkeypatch) -> Path:
    """A copy of the content and of its full build (content/, output/), as the working folder."""
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(built, tmp_path / "output")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def refused(argv: list[str], status: int, first: str, project: Path, capsys) -> None:
    """`argv` exits with `status`, its first line is `first`, and no file or folder of the project changed."""
    before = snapshot(project)
    assert main(argv) == status
    err = capsys.readouterr().err.splitlines()
    assert err == [first, "reportgen: 1 problem; nothing was written"], err
    assert snapshot(project) == before


@pytest.mark.parametrize("argv, first", [
    (["schema", "-o", "content"], "content: error: it is a folder, where a file is needed"),
    (["schema", "-o", "content/plan.yaml/plan.schema.json"], "content/plan.yaml: error: it exists and is not a folder"),
    (["schema", "--output-dir", "content/plan.yaml"], "content/plan.yaml: error: it exists and is not a folder"),
    (["new", "content/plan.yaml/office"], "content/plan.yaml: error: it exists and is not a folder"),
])
def test_a_file_or_folder_in_the_way(argv, first, project, capsys):
    """The commands without --templates (the corpus, tests/corpus/environment.yaml, runs the others)."""
    refused(argv, 73, first, project, capsys)


@pytest.mark.parametrize("argv", [["schema", "-o", "new/schema.json"], ["i18n", "export", "-o", "new/en.xlf"]])
def test_a_file_into_a_missing_folder_makes_the_folder(argv, project, capsys):
    """As `build --out` and `schema --output-dir` do."""
    assert main(argv) == 0
    assert (project / argv[-1]).is_file() and [p.name for p in (project / "new").iterdir()] == [Path(argv[-1]).name]


def read_only_disk(monkeypatch, folder: Path, code: int = errno.EROFS) -> None:
    """Creating a file or folder anywhere below `folder` fails as on a read-only disk (EROFS) or in
    a folder without write permission (EACCES), for root too (whom the kernel lets write anywhere)."""
    def refusing(real):
        def call(path, *args, **kwargs):
            creates = real is os.mkdir or bool(args[0] & os.O_CREAT)
            if creates and isinstance(path, (str, os.PathLike)) and folder in Path(path).absolute().parents:
                raise OSError(code, os.strerror(code), path)
            return real(path, *args, **kwargs)
        return call

    monkeypatch.setattr(os, "mkdir", refusing(os.mkdir))
    monkeypatch.setattr(os, "open", refusing(os.open))


@pytest.mark.parametrize("argv, folder, at", [
    (["build", "--out", "ro"], "ro", "ro"),
    (["site", "--out", "ro"], "ro", "ro"),
    (["publish", "--edition", "2020Q2"], "output", "output"),
    (["i18n", "export", "-o", "ro/en.xlf"], "ro", "ro"),
    (["i18n", "approve", "--all"], "content", "content/i18n"),
    (["schema", "--output-dir", "ro"], "ro", "ro"),
    (["new", "ro/office"], "ro", "ro"),
])
def test_a_read_only_disk(argv, folder, at, project, monkeypatch, capsys):
    """Exit 73 at the folder that cannot take a new file; no temporary file or folder is left."""
    (project / "ro").mkdir()
    read_only_disk(monkeypatch, project / folder)
    templates = ["--templates", str(TEMPLATES)] if argv[0] not in ("schema", "new") else []
    refused([*argv, *templates], 73, f"{at}: error: the disk is read-only", project, capsys)


@pytest.mark.parametrize("argv", [["build", "--out", "locked"], ["i18n", "export", "-o", "locked/en.xlf"]])
def test_a_folder_without_write_permission(argv, project, monkeypatch, capsys):
    (project / "locked").mkdir()
    read_only_disk(monkeypatch, project / "locked", errno.EACCES)
    refused([*argv, "--templates", str(TEMPLATES)], 73, "locked: error: permission denied", project, capsys)


def test_a_full_disk_while_writing_a_document(project, monkeypatch, capsys):
    """The kernel's own ENOSPC (the third DOCX is written to /dev/full): exit 74 at the output
    folder, which is as it was, without the staging folder."""
    from reportgen.writers import docx_package

    real, targets = docx_package.save, []

    def full_disk(document, target: Path, known_fonts) -> None:
        targets.append(target)
        real(document, target if len(targets) < 3 else Path("/dev/full"), known_fonts)

    monkeypatch.setattr(docx_package, "save", full_disk)
    argv = ["build", "--force", "--lang", "zh", "--format", "docx", "--templates", str(TEMPLATES)]
    refused(argv, 74, "output: error: no space left on the disk", project, capsys)
    assert len(targets) == 3


@pytest.mark.parametrize("argv", [["schema", "-o", "earlier.txt"], ["i18n", "export", "-o", "earlier.txt", "--templates", str(TEMPLATES)]])
def test_a_full_disk_while_writing_a_file(argv, project, monkeypatch, capsys):
    """The file written through a temporary file gets the kernel's ENOSPC: the earlier file is kept
    and the temporary file removed."""
    (project / "earlier.txt").write_text("the earlier file")
    real = os.fdopen

    def full_disk(fd: int, mode: str):
        """The temporary file's descriptor, pointed at /dev/full."""
        full = os.open("/dev/full", os.O_WRONLY)
        os.dup2(full, fd)
        os.close(full)
        return real(fd, mode)

    monkeypatch.setattr(os, "fdopen", full_disk)
    refused(argv, 74, "earlier.txt: error: no space left on the disk", project, capsys)


def test_a_full_disk_while_writing_a_new_project(project, monkeypatch, capsys):
    """`reportgen new` whose third file meets ENOSPC: exit 74, no half-written project left."""
    from reportgen import starter

    real, copied = starter.shutil.copyfile, []

    def full_disk(source, target):
        copied.append(target)
        return real(source, target if len(copied) < 3 else "/dev/full")

    monkeypatch.setattr(starter.shutil, "copyfile", full_disk)
    refused(["new", "office"], 74, "office: error: no space left on the disk", project, capsys)
    assert len(copied) == 3 and not (project / "office").exists()


def test_a_killed_worker(project, monkeypatch, capsys):
    """SIGKILL a worker process of `build -j 2` (as the out-of-memory killer would) once the first
    document is done: exit 75 at the output folder, which is as it was, its manifest matching its files."""
    from reportgen import build

    real = build.make_all

    def killing_a_worker(*args, **kwargs):
        for done, files in enumerate(real(*args, **kwargs)):
            if done == 0:
                os.kill(multiprocessing.active_children()[0].pid, signal.SIGKILL)
            yield files

    monkeypatch.setattr(build, "make_all", killing_a_worker)
    argv = ["build", "--force", "-j", "2", "--lang", "zh", "--format", "docx", "--templates", str(TEMPLATES)]
    refused(argv, 75, "output: error: a worker process was killed before it finished (for lack of memory?): run the build again, "
                      "with fewer jobs (-j)", project, capsys)
    listed = json.loads((project / "output" / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert len(listed) == 116 and all(sha256(project / "output" / e["path"]) == e["sha256"] for e in listed)


@pytest.mark.parametrize("argv, variable, jobs", [
    ([], None, 0),  # one worker process per CPU
    ([], " 1 ", 1),  # a CI runner or a small machine: in this process
    (["-j", "3"], "1", 3),  # the option over the variable
])
def test_a_build_runs_one_worker_per_cpu_unless_told(argv, variable, jobs, tmp_path, monkeypatch, capsys):
    from reportgen import build

    real, asked = build.make_all, []

    def in_this_process(todo, staging, templates_dir, jobs, *args, **kwargs):
        asked.append(jobs)
        return real(todo, staging, templates_dir, 1, *args, **kwargs)

    monkeypatch.setattr(build, "make_all", in_this_process)
    if variable is None:
        monkeypatch.delenv("REPORTGEN_JOBS", raising=False)
    else:
        monkeypatch.setenv("REPORTGEN_JOBS", variable)
    assert main(["build", *argv, "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(tmp_path),
                 "--quarter", "2020Q1", "--lang", "zh", "--format", "pdf"]) == 0
    assert asked == [jobs], capsys.readouterr().err


@pytest.mark.parametrize("argv, variable", [(["-j", "-1"], None), ([], "two"), ([], "-2")])
def test_a_number_of_jobs_below_zero_or_not_a_number_is_a_usage_error(argv, variable, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("REPORTGEN_JOBS", variable) if variable else monkeypatch.delenv("REPORTGEN_JOBS", raising=False)
    assert main(["build", *argv, "--content", str(CONTENT), "--templates", str(TEMPLATES), "--out", str(tmp_path / "out")]) == 64
    assert capsys.readouterr().err.splitlines() == ["reportgen build: -j/--jobs and $REPORTGEN_JOBS must be 0 (one per CPU) or more"]
    assert not (tmp_path / "out").exists()
