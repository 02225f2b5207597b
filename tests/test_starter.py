"""`reportgen new DIR`: a content folder that builds at once, in any folder."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import pdf_text, squash

SRC = str(Path(__file__).parents[1] / "src")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_new_then_build_gives_every_document(tmp_path):
    made = run("new", "my-plan", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    folder = tmp_path / "my-plan"
    assert {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} == {
        "plan.yaml", "bulletins.yaml", "tables/重点项目表.csv", "i18n/cells.yaml", "progress/2027-Q1.csv"}
    built = run("build", cwd=folder)  # in the new folder, with nothing else given
    assert built.returncode == 0, built.stderr
    assert not [line for line in built.stderr.splitlines() if "warning" in line and "font role" not in line], built.stderr
    manifest = json.loads((folder / "output" / "manifest.json").read_text(encoding="utf-8"))["files"]
    got = {(e["id"], e["lang"], e["format"]) for e in manifest}
    want = {(doc, lang, fmt) for doc in ("work-plan", "projects", "bulletin-2027Q1") for lang in ("zh", "en", "zh-en") for fmt in ("pdf", "docx")}
    want |= {(f"{doc}-changes", "zh-en", fmt) for doc in ("work-plan", "bulletin-2027Q1") for fmt in ("pdf", "docx")}
    assert got == want - {("projects", "zh-en", "pdf"), ("projects", "zh-en", "docx")}
    for entry in manifest:
        assert (folder / "output" / entry["path"]).stat().st_size > 0
    plan = squash(pdf_text(folder / "output" / "work-plan.zh.pdf"))
    assert squash("全年实施重点项目3个，计划完成投资36800万元") in plan
    assert squash("一、总体要求") in plan and squash("（二）主要目标") in plan
    bulletin = squash(pdf_text(folder / "output" / "bulletin-2027Q1.zh.pdf"))
    assert squash("某市重点项目2027年第一季度进展情况通报") in bulletin


def test_new_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "notes.txt").write_text("keep", encoding="utf-8")
    result = run("new", "old", cwd=tmp_path)
    assert result.returncode == 2
    assert "reportgen: error: old already exists and is not an empty folder" in result.stderr
    assert [p.name for p in (tmp_path / "old").iterdir()] == ["notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["old"]  # no staging folder left
