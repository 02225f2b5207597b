"""Editions: what `reportgen publish` copies and records, immutability, --force, and `reportgen verify`."""
from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import signal
from pathlib import Path

import pytest
from conftest import CONTENT, TEMPLATES

import reportgen
from reportgen.cli import main
from reportgen.content import load_content
from reportgen.errors import EXIT_USAGE
from reportgen.publish import (
    PublishError,
    EXIT_PUBLISH,
    EXIT_VERIFY,
    check_edition_name,
    content_fingerprint,
    edition_documents,
    publish,
)

EPOCH = "1594771200"  # 2020-07-15T00:00:00Z


@pytest.fixture
def out(built, tmp_path, monkeypatch) -> Path:
    """A private copy of the real build, to publish from and to damage."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    shutil.copytree(built, tmp_path / "output")
    return tmp_path / "output"


def run(out: Path, *argv: str) -> int:
    command, *rest = argv
    extra = ["--content", str(CONTENT), "--templates", str(TEMPLATES)] if command == "publish" else []
    extra += ["--templates", str(TEMPLATES)] if command == "site" else []
    return main([command, "--out", str(out), *extra, *rest])


def edition_json(out: Path, name: str) -> dict:
    return json.loads((out / "editions" / name / "edition.json").read_text(encoding="utf-8"))


def rebuild(out: Path, path: str, data: bytes) -> None:
    """Stand-in for a rebuild that changed one file: new bytes, and the manifest says so."""
    (out / path).write_bytes(data)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        if entry["path"] == path:
            entry["sha256"] = hashlib.sha256(data).hexdigest()
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")


def test_publish_copies_the_quarter_bulletins_with_their_record(out, capsys):
    assert run(out, "publish", "--edition", "2020Q2") == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[-1].startswith("published edition 2020Q2 (revision 1, 12 files) in ")
    folder = out / "editions" / "2020Q2"
    edition = edition_json(out, "2020Q2")
    assert edition["edition"] == "2020Q2" and edition["revision"] == 1 and edition["superseded"] == []
    assert edition["published"] == "2020-07-15T00:00:00Z"  # from SOURCE_DATE_EPOCH
    assert edition["reportgen"] == reportgen.__version__
    manifest = {e["path"]: e for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]}
    fingerprint = content_fingerprint(CONTENT)
    ids = ("bulletin-2020Q2", "bulletin-2020Q2-taiyuan", "bulletin-2020Q2-xinzhou")  # the overall bulletin, then each city's
    assert [f["path"] for f in edition["files"]] == [f"{doc_id}.{lang}.{fmt}" for doc_id in ids for lang in ("zh", "en") for fmt in ("pdf", "docx")]
    for f in edition["files"]:
        copy = folder / f["path"]
        assert copy.read_bytes() == (out / f["path"]).read_bytes()
        assert f["sha256"] == manifest[f["path"]]["sha256"] == hashlib.sha256(copy.read_bytes()).hexdigest()
        assert f["size"] == copy.stat().st_size
        assert (f["id"] in ids, f["kind"], f["content_sha256"]) == (True, "bulletin", fingerprint)
        assert f["lang"] in ("zh", "en") and f["format"] in ("pdf", "docx")
        assert (f.get("pages") == manifest[f["path"]]["pages"] and f["pages"] > 0) if f["format"] == "pdf" else "pages" not in f
    titles = {(f["id"], f["lang"]): f["title"] for f in edition["files"]}
    assert titles["bulletin-2020Q2", "zh"] == "山西省半导体产业重点项目2020年第二季度进展情况通报"
    assert titles["bulletin-2020Q2", "en"] == "Circular on the Progress of the Key Projects of the Shanxi Semiconductor Industry in the Second Quarter of 2020"
    assert titles["bulletin-2020Q2-taiyuan", "zh"] == "山西省半导体产业太原市重点项目2020年第二季度进展情况通报"
    assert titles["bulletin-2020Q2-taiyuan", "en"] == "Circular on the Progress of the Key Projects of the Shanxi Semiconductor Industry in Taiyuan in the Second Quarter of 2020"
    assert sorted(p.name for p in folder.iterdir()) == sorted([*(f["path"] for f in edition["files"]), "edition.json"])
    assert (out / "site" / "index.html").is_file(), "publish also writes the site"
    assert not [p for p in (out / "editions").iterdir() if p.name.startswith(".")], "no staging folder left behind"


def test_year_edition_holds_the_plan_documents_only(out):
    assert run(out, "publish", "--edition", "2020") == 0
    files = edition_json(out, "2020")["files"]
    assert {(f["id"], f["kind"]) for f in files} == {("notice", "notice"), ("action-plan", "action-plan"), ("key-projects", "attachment")}
    assert len(files) == 12  # the notice issuing the plan, the plan, its attachment × zh, en × pdf, docx
    assert next(f["title"] for f in files if f["id"] == "action-plan" and f["lang"] == "zh") == "山西省半导体产业集群创新生态建设2020年行动计划"


def test_a_plan_is_of_the_year_of_its_date(content_copy):
    plan = content_copy / "plan.yaml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("meta:\n", "meta:\n  date: 2021-03-01\n", 1), encoding="utf-8")
    content = load_content(content_copy)
    assert {doc_id for doc_id, _ in edition_documents(content, "2021")} == {"notice", "action-plan", "key-projects"}  # the notice goes with its plan
    assert edition_documents(content, "2020") == {}
    assert {doc_id for doc_id, _ in edition_documents(content, "2020Q3")} == {"bulletin-2020Q3", "bulletin-2020Q3-taiyuan", "bulletin-2020Q3-xinzhou"}


def test_publishing_the_same_files_again_changes_nothing(out, capsys, monkeypatch):
    assert run(out, "publish", "--edition", "2020Q2") == 0
    before = (out / "editions" / "2020Q2" / "edition.json").read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 86400))
    capsys.readouterr()
    assert run(out, "publish", "--edition", "2020Q2") == 0
    printed = capsys.readouterr().out
    assert "already published with these 12 files; nothing changed" in printed
    assert printed.splitlines()[-1].startswith("unchanged: edition 2020Q2")
    assert (out / "editions" / "2020Q2" / "edition.json").read_bytes() == before


def test_a_published_edition_refuses_to_change_without_force(out, capsys):
    assert run(out, "publish", "--edition", "2020Q2") == 0
    published = (out / "editions" / "2020Q2" / "bulletin-2020Q2.en.pdf").read_bytes()
    rebuild(out, "bulletin-2020Q2.en.pdf", published + b"\n% rebuilt\n")
    capsys.readouterr()
    assert run(out, "publish", "--edition", "2020Q2") == EXIT_PUBLISH
    err = capsys.readouterr().err
    assert "bulletin-2020Q2.en.pdf: error: differs from the published file" in err
    assert "--force" in err
    assert "bulletin-2020Q2.zh.pdf" not in err, "only the files that differ are named"
    assert (out / "editions" / "2020Q2" / "bulletin-2020Q2.en.pdf").read_bytes() == published
    assert edition_json(out, "2020Q2")["revision"] == 1


def test_force_keeps_the_superseded_revision(out, capsys, monkeypatch):
    assert run(out, "publish", "--edition", "2020Q2") == 0
    first = edition_json(out, "2020Q2")
    old_pdf = (out / "editions" / "2020Q2" / "bulletin-2020Q2.en.pdf").read_bytes()
    rebuild(out, "bulletin-2020Q2.en.pdf", old_pdf + b"\n% rebuilt\n")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(EPOCH) + 3600))
    assert run(out, "publish", "--edition", "2020Q2", "--force") == 0
    folder = out / "editions" / "2020Q2"
    second = edition_json(out, "2020Q2")
    assert second["revision"] == 2 and second["published"] == "2020-07-15T01:00:00Z"
    assert second["superseded"] == [{"revision": 1, "path": "superseded/1/", "published": first["published"], "files": 12}]
    assert json.loads((folder / "superseded" / "1" / "edition.json").read_text(encoding="utf-8")) == first
    assert (folder / "superseded" / "1" / "bulletin-2020Q2.en.pdf").read_bytes() == old_pdf
    assert (folder / "bulletin-2020Q2.en.pdf").read_bytes() == old_pdf + b"\n% rebuilt\n"
    assert "superseded revision 1 kept in" in capsys.readouterr().out

    rebuild(out, "bulletin-2020Q2.zh.pdf", (out / "bulletin-2020Q2.zh.pdf").read_bytes() + b"\n% again\n")
    assert run(out, "publish", "--edition", "2020Q2", "--force") == 0
    third = edition_json(out, "2020Q2")
    assert [s["revision"] for s in third["superseded"]] == [1, 2]
    assert sorted(p.name for p in (folder / "superseded").iterdir()) == ["1", "2"]
    capsys.readouterr()
    assert run(out, "verify", "2020Q2") == 0
    assert capsys.readouterr().out.strip() == "edition 2020Q2: 12 files verified (and 2 superseded revisions)"


def test_verify_catches_a_flipped_byte(out, capsys):
    assert run(out, "publish", "--edition", "2020Q2") == 0
    capsys.readouterr()
    assert run(out, "verify", "2020Q2") == 0
    assert capsys.readouterr().out.strip() == "edition 2020Q2: 12 files verified"
    pdf = out / "editions" / "2020Q2" / "bulletin-2020Q2.zh.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    assert run(out, "verify", "2020Q2") == EXIT_VERIFY
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert "editions/2020Q2/bulletin-2020Q2.zh.pdf: error: sha256 " in err[0]
    assert err[1] == "edition 2020Q2: 1 problem in 12 files"


def test_verify_catches_added_and_removed_files(out, capsys):
    assert run(out, "publish", "--edition", "2020Q2") == 0
    folder = out / "editions" / "2020Q2"
    (folder / "bulletin-2020Q2.en.docx").unlink()
    (folder / "notes.txt").write_text("added later", encoding="utf-8")
    (folder / "bulletin-2020Q2.en.pdf").write_bytes((folder / "bulletin-2020Q2.en.pdf").read_bytes()[:-1])
    capsys.readouterr()
    assert run(out, "verify") == EXIT_VERIFY  # no name: every published edition
    err = capsys.readouterr().err
    assert "bulletin-2020Q2.en.docx: error: missing (listed in edition.json)" in err
    assert "notes.txt: error: added: not listed in edition.json" in err
    assert "bulletin-2020Q2.en.pdf: error: size " in err
    # publishing over a damaged edition is refused too, unless forced
    assert run(out, "publish", "--edition", "2020Q2") == EXIT_PUBLISH
    assert "(the published edition is damaged)" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["../x", "2020Q5", "2020q2", "20201", "202", "2020Q2/..", "2020 ", "2020\n", "", "/tmp", "2020Q"])
def test_invalid_edition_names_are_refused(out, name, capsys):
    with pytest.raises(ValueError):
        check_edition_name(name)
    with pytest.raises(ValueError):
        publish(out, CONTENT, name)
    assert run(out, "publish", "--edition", name) == EXIT_USAGE
    assert run(out, "verify", name) == EXIT_USAGE
    assert "expected an edition such as 2020" in capsys.readouterr().err
    assert not (out / "editions").exists()


def test_unknown_or_unbuilt_editions_are_clear_errors(out, tmp_path, capsys):
    assert run(out, "publish", "--edition", "2019") == EXIT_PUBLISH
    assert "edition 2019: no documents in the content for it (editions: 2020, 2020Q1, 2020Q2, 2020Q3, 2020Q4)" in capsys.readouterr().err
    assert run(tmp_path / "empty", "publish", "--edition", "2020Q2") == EXIT_PUBLISH
    assert "no built files (no readable manifest.json); run `python build.py` first" in capsys.readouterr().err
    (out / "bulletin-2020Q2.en.docx").unlink()
    assert run(out, "publish", "--edition", "2020Q2") == EXIT_PUBLISH
    assert "bulletin-2020Q2.en.docx: error: edition 2020Q2: listed in manifest.json but missing; run `python build.py` first" in capsys.readouterr().err
    (out / "bulletin-2020Q2.zh.pdf").write_bytes(b"not what was built")
    assert run(out, "publish", "--edition", "2020Q2") == EXIT_PUBLISH
    assert "bulletin-2020Q2.zh.pdf: error: edition 2020Q2: changed since it was built" in capsys.readouterr().err
    assert run(out, "verify", "2020Q2") == EXIT_PUBLISH
    assert "edition 2020Q2 is not published" in capsys.readouterr().err
    assert not (out / "editions" / "2020Q2").exists()


def test_a_failed_publish_leaves_no_edition(out, monkeypatch):
    calls, copyfile = [], shutil.copyfile

    def failing_copy(src, dst, **kwargs):
        calls.append(src)
        if len(calls) == 3:
            raise OSError("disk full")
        return copyfile(src, dst, **kwargs)

    monkeypatch.setattr("reportgen.publish.shutil.copyfile", failing_copy)
    with pytest.raises(OSError):
        publish(out, CONTENT, "2020Q2")
    assert list((out / "editions").iterdir()) == []


def test_a_stale_build_is_not_published(out, content_copy, capsys):
    """Content edited after the build: publish says to rebuild rather than pair new titles and
    fingerprints with old files."""
    publish_copy = ["publish", "--out", str(out), "--content", str(content_copy), "--templates", str(TEMPLATES), "--edition", "2020Q2"]
    notes = content_copy / "progress" / "2020-Q2.csv"
    notes.write_bytes(notes.read_bytes().replace(b"2020Q2,kp-01,9200,", b"2020Q2,kp-01,9300,"))
    assert main(publish_copy) == EXIT_PUBLISH
    err = capsys.readouterr().err
    assert "bulletin-2020Q2.zh.pdf: error: edition 2020Q2: built from other content than there is now; rebuild first" in err
    assert not (out / "editions").exists()
    notes.write_bytes(notes.read_bytes().replace(b"2020Q2,kp-01,9300,", b"2020Q2,kp-01,9200,"))
    assert main(publish_copy) == 0  # the copy, as built, publishes


def test_verify_refuses_a_published_file_replaced_by_a_link(out, capsys):
    """A link to the live output has the same bytes today, and different ones after the next build:
    a published file must be a regular file of its own."""
    assert run(out, "publish", "--edition", "2020Q2") == 0
    published = out / "editions" / "2020Q2" / "bulletin-2020Q2.zh.pdf"
    published.unlink()
    published.symlink_to(out / "bulletin-2020Q2.zh.pdf")
    assert published.read_bytes() == (out / "bulletin-2020Q2.zh.pdf").read_bytes()
    capsys.readouterr()
    assert run(out, "verify", "2020Q2") == EXIT_VERIFY
    err = capsys.readouterr().err
    assert "editions/2020Q2/bulletin-2020Q2.zh.pdf: error: not a regular file (a symbolic link, a folder or a device)" in err


def test_content_fingerprint_reads_no_link_and_refuses_one_out(content_copy, tmp_path):
    """An in-folder link counts as its target's name (never read); one out of the folder is refused."""
    big = tmp_path / "big.bin"
    big.write_bytes(b"x")
    original = content_fingerprint(content_copy)
    (content_copy / "alias.txt").symlink_to("plan.yaml")
    with_link = content_fingerprint(content_copy)
    assert with_link != original
    (content_copy / "big").symlink_to(big)
    with pytest.raises(PublishError, match="a symbolic link out of the content folder"):
        content_fingerprint(content_copy)


def test_content_fingerprint_covers_paths_and_bytes(content_copy, tmp_path):
    original = content_fingerprint(content_copy)
    assert original == content_fingerprint(CONTENT), "the same files anywhere give the same fingerprint"
    csv = content_copy / "tables" / "key-projects.csv"
    csv.write_bytes(csv.read_bytes() + b"\n")
    changed = content_fingerprint(content_copy)
    assert changed != original
    csv.rename(content_copy / "tables" / "key-projects2.csv")
    assert content_fingerprint(content_copy) not in (original, changed)


@pytest.fixture
def revised(built, tmp_path, monkeypatch) -> Path:
    """An output folder with only what publishing 2020Q2 reads (the manifest and the quarter's
    files, the cities' included, quick to copy), where revision 2 of edition 2020Q2 has superseded revision 1."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = tmp_path / "revised"
    out.mkdir()
    for path in [built / "manifest.json", *built.glob("bulletin-2020Q2*")]:
        shutil.copyfile(path, out / path.name)
    assert run(out, "publish", "--edition", "2020Q2") == 0
    rebuild(out, "bulletin-2020Q2.en.pdf", (out / "bulletin-2020Q2.en.pdf").read_bytes() + b"\n% revision 2\n")
    assert run(out, "publish", "--edition", "2020Q2", "--force") == 0
    return out


def kill_at(step: int) -> None:
    """From now on in this (forked) process, SIGKILL just before its `step`-th file operation that
    changes anything: a rename, link, copy, write, folder made or entry removed (one by one within
    shutil.rmtree)."""
    count = itertools.count(1)

    def hooked(operation):
        def at_step(*args, **kwargs):
            if next(count) == step:
                os.kill(os.getpid(), signal.SIGKILL)
            return operation(*args, **kwargs)
        return at_step

    for owner, name in [(os, "rename"), (os, "replace"), (os, "link"), (os, "mkdir"), (os, "unlink"), (os, "rmdir"),
                        (shutil, "copyfile"), (shutil, "copy2"), (shutil, "rmtree"), (Path, "write_text"), (Path, "write_bytes")]:
        setattr(owner, name, hooked(getattr(owner, name)))


def killed_at(step: int, *argv: str) -> bool:
    """Run `reportgen argv` in a child process killed before its `step`-th file operation: whether
    it was killed (else it completed, and successfully)."""
    pid = os.fork()
    if pid == 0:
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
            os.dup2(1, 2)
            kill_at(step)
            os._exit(run(*argv))
        finally:
            os._exit(99)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) or os.WEXITSTATUS(status) == 0, f"step {step}: exit status {os.WEXITSTATUS(status)}"
    return os.WIFSIGNALED(status)


def tree(folder: Path) -> tuple:
    """Every path below `folder`, with the sha256 of each file."""
    return tuple((p.relative_to(folder).as_posix(), p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest()) for p in sorted(folder.rglob("*")))


def assert_verifies(out: Path, revisions: set[int], capsys) -> int:
    """Edition 2020Q2 is found and verifies clean, at one of `revisions`, with every earlier
    revision superseded, and nothing hidden is left in editions/: its revision."""
    capsys.readouterr()
    assert run(out, "verify") == 0, capsys.readouterr().err
    revision = edition_json(out, "2020Q2")["revision"]
    assert revision in revisions
    assert [s["revision"] for s in edition_json(out, "2020Q2")["superseded"]] == list(range(1, revision))
    assert capsys.readouterr().out.startswith(f"edition 2020Q2: 12 files verified (and {revision - 1} superseded revision")
    assert not [p.name for p in (out / "editions").iterdir() if p.name.startswith(".")], "left behind"
    return revision


def test_publish_force_killed_at_any_step_loses_no_revision(revised, tmp_path, capsys):
    """`publish --force` killed (SIGKILL: no cleanup runs) before each of its file operations in
    turn: every time, `verify` then finds the edition, clean, with every earlier revision, and the
    next forced publish takes the next revision number (run once for each different state the
    kills leave, which is all it depends on). Files being written are always inside a staging
    folder, so a kill within a write is a kill before the next operation."""
    rebuild(revised, "bulletin-2020Q2.zh.pdf", (revised / "bulletin-2020Q2.zh.pdf").read_bytes() + b"\n% revision 3\n")
    step, states = 0, set()
    while True:
        step += 1
        out = tmp_path / "run"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(revised, out)
        killed = killed_at(step, out, "publish", "--edition", "2020Q2", "--force")
        revision = assert_verifies(out, {2, 3} if killed else {3}, capsys)
        if tree(out / "editions") not in states:
            states.add(tree(out / "editions"))
            rebuild(out, "bulletin-2020Q2.zh.docx", (out / "bulletin-2020Q2.zh.docx").read_bytes() + b"\0")
            assert run(out, "publish", "--edition", "2020Q2", "--force") == 0
            assert edition_json(out, "2020Q2")["revision"] == revision + 1, f"step {step}"
        if not killed:
            break
    assert step > 20, f"publish --force made only {step - 1} file operations: are the hooks still on the ones it uses?"
    assert len(states) == 2, "a kill leaves either revision, never anything else"


def leave_aside(out: Path) -> None:
    """What `publish --force` leaves when killed between its two renames (and what reportgen left
    for good before it recovered: issue 15): the edition renamed aside, the new revision staged."""
    editions = out / "editions"
    shutil.copytree(editions / "2020Q2", editions / ".publish-2020Q2-k1ll3d", copy_function=os.link)
    (editions / ".replaced-2020Q2-k1ll3d").mkdir()
    os.rename(editions / "2020Q2", editions / ".replaced-2020Q2-k1ll3d" / "2020Q2")


@pytest.mark.parametrize("command", [["verify"], ["verify", "2020Q2"], ["site"], ["publish", "--edition", "2020Q2"]])
def test_an_edition_left_aside_is_put_back(revised, command, capsys):
    leave_aside(revised)
    assert run(revised, *command) == 0
    assert assert_verifies(revised, {2}, capsys) == 2


def test_recovery_killed_at_any_step_is_resumed(revised, tmp_path, capsys):
    """Putting an edition back is itself killed at each step in turn: the next command finishes it."""
    leave_aside(revised)
    step = 0
    while True:
        step += 1
        out = tmp_path / "run"
        shutil.rmtree(out, ignore_errors=True)
        shutil.copytree(revised, out)
        killed = killed_at(step, out, "verify", "2020Q2")
        assert_verifies(out, {2}, capsys)
        if not killed:
            break
    assert step > 5


def test_revision_numbers_never_repeat(revised, capsys):
    """The next revision is above every revision recorded or kept, even one that edition.json no
    longer records; a published revision that is also a superseded one is refused, not overwritten."""
    folder = revised / "editions" / "2020Q2"
    shutil.copytree(folder / "superseded" / "1", folder / "superseded" / "7")  # kept, not recorded
    rebuild(revised, "bulletin-2020Q2.zh.pdf", (revised / "bulletin-2020Q2.zh.pdf").read_bytes() + b"\n% again\n")
    assert run(revised, "publish", "--edition", "2020Q2", "--force") == 0
    edition = edition_json(revised, "2020Q2")
    assert edition["revision"] == 8 and [s["revision"] for s in edition["superseded"]] == [1, 2]
    assert sorted(p.name for p in (folder / "superseded").iterdir()) == ["1", "2", "7"]

    edition["revision"] = 2  # edited by hand: the published revision collides with superseded/2
    (folder / "edition.json").write_text(json.dumps(edition), encoding="utf-8")
    before = tree(folder)
    rebuild(revised, "bulletin-2020Q2.zh.pdf", (revised / "bulletin-2020Q2.zh.pdf").read_bytes() + b"\n% and again\n")
    capsys.readouterr()
    assert run(revised, "publish", "--edition", "2020Q2", "--force") == EXIT_PUBLISH
    assert "editions/2020Q2/superseded/2: error: revision 2, the published one, is already a superseded revision" in capsys.readouterr().err
    assert tree(folder) == before


@pytest.mark.parametrize("damage", ["fifo", "folder", "list", "cut short"])
def test_a_damaged_edition_json_is_a_located_problem(revised, damage, capsys):
    """verify reports it (exit status 6, every edition listed, none skipped); publish, even forced,
    and site refuse (5) without reading a FIFO or overwriting what they cannot read."""
    record = revised / "editions" / "2020Q2" / "edition.json"
    text = record.read_bytes()
    if damage in ("fifo", "folder"):
        record.unlink()
        os.mkfifo(record) if damage == "fifo" else record.mkdir()
    else:
        record.write_bytes(b"[]" if damage == "list" else text[:50])
    message = {"list": "edition.json: error: not an edition record: (document): expected a mapping (key: value)",
               "cut short": "edition.json:4:3: error: invalid JSON: "}.get(damage, "edition.json: error: not a regular file")
    capsys.readouterr()
    assert run(revised, "verify") == EXIT_VERIFY
    err = capsys.readouterr().err
    assert "editions/2020Q2/" + message in err and "edition 2020Q2: 1 problem in 0 files" in err
    assert run(revised, "verify", "2020Q2") == EXIT_VERIFY
    assert run(revised, "publish", "--edition", "2020Q2", "--force") == EXIT_PUBLISH
    assert run(revised, "site") == EXIT_PUBLISH
    err = capsys.readouterr().err
    assert "internal error" not in err and err.count("editions/2020Q2/" + message) == 3
