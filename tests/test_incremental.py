"""Incremental, parallel and atomic builds: only files whose inputs changed are rebuilt, -j N gives
the same bytes, and a build killed at any moment leaves the output folder consistent with its
manifest."""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CONTENT, ROOT, TEMPLATES
from reportgen.cli import main
from reportgen.content import load_content
from reportgen.output import MANIFEST, Entry, Staging, sha256

QUARTER_FILES = {f"bulletin-2020Q4{city}{doc}.{lang}.{fmt}" for city in ("", "-taiyuan", "-xinzhou")
                 for doc, lang in (("", "zh"), ("", "en"), ("", "zh-en"), ("-changes", "zh-en")) for fmt in ("pdf", "docx")}  # the overall and the cities', with review copies
CHANGED_BYTES = {name for name in QUARTER_FILES if "xinzhou" not in name}  # kp-02 is in Taiyuan


@pytest.fixture
def project(built, tmp_path) -> Path:
    """A copy of the content beside a copy of its full build (tmp_path/content, tmp_path/out):
    up to date, since fingerprints name files relative to their folders."""
    shutil.copytree(CONTENT, tmp_path / "content")
    shutil.copytree(built, tmp_path / "out")
    return tmp_path


def run_build(capsys, project: Path, *options: str) -> str:
    args = ["build", "--content", str(project / "content"), "--templates", str(TEMPLATES), "--out", str(project / "out")]
    assert main([*args, *options]) == 0
    return capsys.readouterr().out


def mtimes(out: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.is_file()}


def changed(before: dict[str, int], out: Path) -> set[str]:
    return {name for name, mtime in mtimes(out).items() if before.get(name) != mtime}


def edit_quarter(project: Path, *changes: tuple[str, str]) -> None:
    data = project / "content" / "progress" / "2020-Q4.csv"
    text = data.read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    data.write_text(text, encoding="utf-8")


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def assert_consistent(out: Path) -> list[dict]:
    """Every file the manifest lists is there with the listed sha256; no staging folder is left."""
    files = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    for e in files:
        assert (out / e["path"]).is_file() and sha256(out / e["path"]) == e["sha256"], e["path"]
    return files


def test_a_copied_build_is_up_to_date_and_a_no_op_touches_nothing(project, capsys):
    assert "nothing to do: 116 files up to date" in run_build(capsys, project)
    before, manifest = mtimes(project / "out"), (project / "out" / MANIFEST).read_bytes()
    assert "nothing to do: 116 files up to date" in run_build(capsys, project)
    assert mtimes(project / "out") == before and (project / "out" / MANIFEST).read_bytes() == manifest
    data = json.loads(manifest)
    assert len(data["build"]["files"]) == 116 and all(len(e["inputs"]) == 64 for e in data["files"])


def test_the_fast_path_imports_neither_pandas_nor_the_writers(project):
    """No change: the answer comes from the manifest, before the content is loaded."""
    code = (
        "import sys; from reportgen.cli import main; "
        f"main(['build', '--content', {str(project / 'content')!r}, '--templates', {str(TEMPLATES)!r}, '--out', {str(project / 'out')!r}]); "
        "print('loaded:', sorted(m for m in ('pandas', 'weasyprint', 'matplotlib', 'docx', 'jinja2', 'rich') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60)
    assert "nothing to do: 116 files up to date" in result.stdout and "loaded: []" in result.stdout, result.stdout + result.stderr


def test_a_pdf_build_without_bulletins_imports_neither_pandas_nor_the_docx_writer(tmp_path):
    """Only what the documents being built need: pandas computes bulletins, python-docx writes DOCX."""
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content, ignore=shutil.ignore_patterns("notice.yaml", "bulletins.yaml", "progress"))
    code = (
        "import sys; from pathlib import Path; from reportgen.build import build; "
        f"build(Path({str(content)!r}), Path({str(tmp_path / 'out')!r}), Path({str(TEMPLATES)!r}), ('zh',), ('pdf',), ids=frozenset({{'key-projects'}})); "
        "print('loaded:', sorted(m for m in ('pandas', 'weasyprint', 'docx', 'pptx') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert "loaded: ['weasyprint']" in result.stdout, result.stdout + result.stderr
    assert (tmp_path / "out" / "key-projects.zh.pdf").is_file()


def test_a_changed_quarter_file_rebuilds_only_its_bulletin(project, capsys):
    edit_quarter(project, ("厂房进入装饰装修阶段", "厂房进入装修阶段"), ("The plant building entered", "The plant entered"))
    before = mtimes(project / "out")
    entries = {e["path"]: e for e in json.loads((project / "out" / MANIFEST).read_text(encoding="utf-8"))["files"]}
    printed = run_build(capsys, project)
    assert "built 16 files, 100 up to date" in printed
    assert changed(before, project / "out") == CHANGED_BYTES | {MANIFEST}
    for e in assert_consistent(project / "out"):  # Xinzhou's bulletins read the file too, but print nothing of the edited row: kept
        assert (e["inputs"] == entries[e["path"]]["inputs"]) == (e["path"] not in CHANGED_BYTES), e["path"]
        assert (e["sha256"] == entries[e["path"]]["sha256"]) == (e["path"] not in CHANGED_BYTES), e["path"]
        assert (e["content"] == entries[e["path"]]["content"]) == (e["path"] not in QUARTER_FILES), e["path"]


def test_an_edit_that_changes_no_document_rebuilds_nothing_and_publishes(project, capsys, monkeypatch):
    """A comment added to plan.yaml: every document reads the file, none prints the comment. Nothing
    is rebuilt, and the files count as built from the content as it is now: they publish."""
    with (project / "content" / "plan.yaml").open("a", encoding="utf-8") as plan:
        plan.write("# checked by the office on 2020-07-01\n")
    before = mtimes(project / "out")
    assert "nothing to do: 116 files up to date" in run_build(capsys, project)
    assert changed(before, project / "out") == {MANIFEST}  # the content fingerprints of the files reading plan.yaml
    before = mtimes(project / "out")
    assert "nothing to do: 116 files up to date" in run_build(capsys, project)  # the fast path, now
    assert changed(before, project / "out") == set()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1594771200")  # the edition's date (the build's would change every file)
    publish = ["publish", "--out", str(project / "out"), "--content", str(project / "content"), "--templates", str(TEMPLATES)]
    assert main([*publish, "--edition", "2020"]) == 0, capsys.readouterr().err


def test_bulletins_depend_on_their_quarter_and_every_earlier_one():
    content = load_content(CONTENT)
    names = {b.id: [p.relative_to(CONTENT).as_posix() for p in b.sources] for b in content.bulletins}
    assert names["bulletin-2020Q3"] == [
        "bulletins.yaml", "plan.yaml", "tables/key-projects.csv",
        "progress/2020-Q1.csv", "progress/2020-Q2.csv", "progress/2020-Q3.csv", "progress/2020-Q3.yaml",
    ]
    assert [p.relative_to(CONTENT).as_posix() for p in content.plans[0].sources] == ["plan.yaml", "tables/key-projects.csv"]


def test_a_changed_template_rebuilds_everything(project, capsys):
    templates = project / "templates"
    shutil.copytree(TEMPLATES, templates)
    with (templates / "css" / "official.css").open("a", encoding="utf-8") as css:
        css.write("\n/* a change */\n")
    before = mtimes(project / "out")
    options = ["--templates", str(templates), "--lang", "zh", "--format", "docx"]
    assert "built 15 files, 0 up to date" in run_build(capsys, project, *options)
    assert len(changed(before, project / "out") - {MANIFEST}) == 15
    assert "nothing to do: 15 files up to date" in run_build(capsys, project, *options)


def test_force_rebuilds_every_file_with_the_same_bytes(project, capsys):
    before = mtimes(project / "out")
    listed = {e["path"]: e["sha256"] for e in assert_consistent(project / "out")}
    assert "built 15 files, 0 up to date" in run_build(capsys, project, "--force", "--lang", "en", "--format", "docx")
    bulletins = [f"bulletin-2020Q{q}{city}" for q in range(1, 5) for city in ("", "-taiyuan", "-xinzhou")]
    assert changed(before, project / "out") == {f"{d}.en.docx" for d in ["notice", "action-plan", "key-projects", *bulletins]} | {MANIFEST}
    assert {e["path"]: e["sha256"] for e in assert_consistent(project / "out")} == listed  # reproducible: the same bytes


def test_a_build_killed_at_any_moment_leaves_the_output_consistent(project, capsys):
    """SIGKILL a forced build (a fresh process: imports, loading, rendering, writing) at several
    moments; the output folder keeps its files and manifest; the next build completes it."""
    edit_quarter(project, ("厂房进入装饰装修阶段", "厂房进入装修阶段"))
    out, edited = project / "out", "bulletin-2020Q4.zh.pdf"
    listed = {e["path"]: e["sha256"] for e in assert_consistent(out)}
    command = [sys.executable, str(ROOT / "build.py"), "--force", "--content", str(project / "content"), "--out", str(out), "--lang", "zh", "--format", "pdf"]
    for delay, jobs in ((0.5, "1"), (1.5, "1"), (3.0, "2"), (4.5, "1")):
        build = subprocess.Popen([*command, "-j", jobs], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        workers = [int(p) for p in Path(f"/proc/{build.pid}/task/{build.pid}/children").read_text().split()] if build.poll() is None else []
        build.kill()  # SIGKILL, as kill -9 or the OOM killer would: the build only, not its workers
        build.wait()
        try:
            for _ in range(50):  # its workers notice, and stop
                if not [w for w in workers if alive(w)]:
                    break
                time.sleep(0.1)
            assert not [w for w in workers if alive(w)]
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(build.pid, signal.SIGKILL)
        now = {e["path"]: e["sha256"] for e in assert_consistent(out)}
        assert {k: v for k, v in now.items() if k != edited} == {k: v for k, v in listed.items() if k != edited}
    assert "up to date" in run_build(capsys, project, "--lang", "zh", "--format", "pdf")
    final = {e["path"]: e["sha256"] for e in assert_consistent(out)}
    assert len(final) == 116 and final[edited] != listed[edited] and not list(out.glob(".staging-*"))


KILLED_COMMIT = """
import os, sys
from pathlib import Path
from reportgen.output import Entry, Staging, sha256

out, at = Path(sys.argv[1]), int(sys.argv[2])
real, calls = os.replace, []

def replace(src, dst):
    calls.append(dst)
    if len(calls) == at:
        os._exit(137)  # killed right before this rename
    real(src, dst)

os.replace = replace
with Staging(out) as staging:
    entries = []
    for name, text in (("a.txt", "A2"), ("b.txt", "B"), ("c.txt", "C2"), ("d.txt", "D")):
        staging.path(name).write_text(text)
        entries.append(Entry(name[0], "test", "zh", "txt", name, sha256(staging.path(name))))
    staging.commit(entries)
"""


def test_a_commit_killed_between_any_two_renames_leaves_a_consistent_manifest(tmp_path):
    """The commit is where a kill could tear the output apart: stop it before each rename in turn."""
    out = tmp_path / "out"
    with Staging(out) as staging:
        for name, text in (("a.txt", "A"), ("b.txt", "B"), ("c.txt", "C")):
            staging.path(name).write_text(text)
        staging.commit([Entry(n[0], "test", "zh", "txt", n, sha256(staging.path(n))) for n in ("a.txt", "b.txt", "c.txt")])
    at = 0
    while True:
        at += 1
        killed = subprocess.run([sys.executable, "-c", KILLED_COMMIT, str(out), str(at)], check=False, capture_output=True, text=True, timeout=60)
        listed = assert_consistent(out)
        if killed.returncode == 0:
            break
        assert killed.returncode == 137, killed.stderr
        assert list(out.glob(".staging-*"))  # left behind by the killed build
        assert {e["path"] for e in listed} >= {"b.txt"}  # a file whose bytes do not change is never unlisted
    assert at > 5  # a rename per file, and the manifest written twice (without the changing files, then in full)
    assert {e["path"]: (out / e["path"]).read_text() for e in listed} == {"a.txt": "A2", "b.txt": "B", "c.txt": "C2", "d.txt": "D"}
    assert not list(out.glob(".staging-*"))


def test_stale_staging_folders_are_removed_by_the_next_build(project, capsys):
    stale = project / "out" / ".staging-killed"
    stale.mkdir()
    (stale / "action-plan.zh.pdf").write_bytes(b"half a PDF")
    assert "nothing to do: 116 files up to date" in run_build(capsys, project)
    assert not stale.exists()


def test_a_models_canonical_form_tells_types_apart_and_names_paths_in_the_folder(tmp_path):
    from datetime import date
    from decimal import Decimal

    from reportgen.output import canonical

    assert canonical({"a": Decimal("1.0"), "b": "1.0", "c": Decimal("1.00")}, tmp_path) == [
        ["a", ["Decimal", "1.0"]], ["b", "1.0"], ["c", ["Decimal", "1.00"]]]  # 1.0 and 1.00 print differently
    assert canonical([tmp_path / "tables" / "a.csv", date(2020, 5, 31)], tmp_path) == [["Path", "tables/a.csv"], ["date", "2020-05-31"]]
    assert canonical(frozenset({"b", "a"}), tmp_path) == ["a", "b"]  # not in hash order
    with pytest.raises(TypeError, match="no fingerprint for a object"):
        canonical({"x": object()}, tmp_path)
