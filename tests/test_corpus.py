"""The corpus of bad inputs (tests/corpus/*.yaml): every case must fail with its documented exit
code and a message naming the file and place, without a traceback, leaving output/ (and content/
and templates/) byte-for-byte as they were.

A case starts from a copy of the real project (content/, templates/, and output/ as a full build
left it), changes it with its `ops`, and runs `reportgen <run> --templates templates` in that copy:

    - name: gb18030-bad-byte               # unique within its file
      about: why this input is bad          # one line
      ops:                                  # applied in order, paths relative to the copy
        - edit: {file: content/plan.yaml, old: 'unit: 万元', new: 'unit: 千元'}
        - write: {file: content/x.yaml, text: "…"}            # UTF-8, or `encoding:`
        - append: {file: …, text: "…", times: 1, encoding: utf-8}
        - recode: {file: …, encoding: gb18030}
        - copy: {file: …, from: files/…}                     # from tests/corpus/files/
        - symlink: {file: …, to: /etc/passwd}                # `to` absolute, or relative to the copy
        - remove: {file: …}
      run: [build]                          # the default; paths are the defaults (./content …)
      exit: 2
      at: content/plan.yaml:12              # the error line starts with this (file[:line[:column]])
      error: "unit: expected one of:"        # … and contains this

Hostile markup is not an error: such a case has `exit: 0` and, instead of `at` and `error`,
`literal: {output file: text}`: the build succeeds and the file prints the text as written (a
PDF also holds no link, launch or JavaScript action).
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from conftest import CONTENT, TEMPLATES, docx_paragraphs, pdf_text, squash
from reportgen.cli import main

CORPUS = Path(__file__).parent / "corpus"
CASES = {
    f"{file.stem}/{case['name']}": case
    for file in sorted(CORPUS.glob("*.yaml"))
    for case in YAML(typ="safe").load(file.read_text(encoding="utf-8"))["cases"]
}


def test_the_corpus_is_large_and_names_are_unique():
    names = [f"{f.stem}/{c['name']}" for f in CORPUS.glob("*.yaml") for c in YAML(typ="safe").load(f.read_text(encoding="utf-8"))["cases"]]
    assert len(names) == len(set(names)) >= 50


def apply(op: dict, root: Path) -> None:
    (kind, spec), = op.items()
    path = root / spec["file"]
    if kind == "edit":
        text = path.read_text(encoding="utf-8")
        assert spec["old"] in text, f"corpus case is stale: {spec['old']!r} not in {spec['file']}"
        path.write_text(text.replace(spec["old"], spec["new"], 1), encoding="utf-8")
    elif kind == "write":
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(spec["text"].encode(spec.get("encoding", "utf-8")))
    elif kind == "append":
        with path.open("ab") as f:
            f.write(spec["text"].encode(spec.get("encoding", "utf-8")) * spec.get("times", 1))
    elif kind == "recode":
        path.write_bytes(path.read_text(encoding="utf-8").encode(spec["encoding"]))
    elif kind == "copy":
        shutil.copyfile(CORPUS / spec["from"], path)
    elif kind == "symlink":
        path.unlink(missing_ok=True)
        path.symlink_to(spec["to"] if Path(spec["to"]).is_absolute() else root / spec["to"])
    elif kind == "remove":
        path.unlink()
    else:
        raise AssertionError(f"unknown corpus operation {kind!r}")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder below `folder` (hidden ones too), with the sha256 of each file's bytes
    and the target of each symlink."""
    out = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            out[name] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            out[name] = "folder"
        else:
            out[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.mark.parametrize("name", CASES)
def test_bad_input(name, built, tmp_path, monkeypatch, capsys):
    case = CASES[name]
    root = tmp_path / "project"
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(TEMPLATES, root / "templates")
    shutil.copytree(built, root / "output")
    for op in case.get("ops", []):
        apply(op, root)
    before = snapshot(root)
    monkeypatch.chdir(root)

    code = main(with_templates([str(arg) for arg in case.get("run", ["build"])]))

    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    assert code == case["exit"], err
    if code == 0:
        for name, literal in case["literal"].items():
            assert_prints_literally(root / "output" / name, literal)
        return
    lines = [line for line in err.splitlines() if case["error"] in line]
    assert lines, f"no message containing {case['error']!r}:\n{err}"
    assert lines[0].startswith(case["at"]), f"expected the message at {case['at']}:\n{err}"
    assert snapshot(root) == before, "the failed run changed the project's files"


def with_templates(run: list[str]) -> list[str]:
    """The command reading the copy's templates/ (the default is the package's), unless it says
    otherwise: `--templates templates` after the command's words (a later --templates wins)."""
    words = next((i for i, arg in enumerate(run) if arg.startswith("-")), len(run))
    return [*run[:words], "--templates", "templates", *run[words:]]


def assert_prints_literally(path: Path, literal: str) -> None:
    if path.suffix == ".docx":
        assert literal in "\n".join(docx_paragraphs(path)), f"{literal!r} not in {path.name}"
    else:
        assert squash(literal) in squash(pdf_text(path)), f"{literal!r} not in {path.name}"
        data = path.read_bytes()
        assert not any(action in data for action in (b"/URI", b"/Launch", b"/JavaScript", b"/JS")), f"{path.name} has an action"
