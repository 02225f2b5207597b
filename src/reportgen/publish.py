"""Editions: a named, immutable copy of built files, with their checksums, in output/editions/<name>/.

An edition is chosen by its name alone (docs/publishing.md):

- ``YYYYQn`` (2020Q2): the progress bulletins of that quarter;
- ``YYYY`` (2020): the plan documents of that year, every document of kind action-plan or
  attachment whose plan's year is YYYY, and the notices that issue those plans. A plan's year is
  the year of its ``meta.date``; a plan without a date takes the year of the bulletins that
  report on its tables.

Every document of an edition is published in every language and format. Publishing copies the
files listed in output/manifest.json (it never builds) into a temporary folder, writes
edition.json, and renames the folder into place. Publishing different files again is refused
unless forced; the earlier revision then moves, whole, into ``superseded/<n>/``. Whoever changes or
reads output/editions/ holds its lock (editions_lock), which first finishes or undoes what a
publish killed mid-way left there (recover), so an edition is never lost.

Publishing is refused while a free face stands in for an official font (仿宋, 小标宋, 黑体, 楷体:
fonts.OFFICIAL_ROLES) on this machine, unless the content's settings allow substitutes
(``fonts: {allow_substitutes: true}`` in its settings document).
"""
from __future__ import annotations

import datetime
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from pydantic import ConfigDict, Field, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from . import __version__
from .build import FORMATS, documents, planned
from .content import Content, load_content
from .errors import EXIT_PUBLISH, EXIT_VERIFY, ContentError, Location, Problem, ReportgenError
from .messages import _
from .model import LANGS
from .inputs import MAX_INPUT_BYTES, decode, outside_links
from .output import Inputs, read_manifest, sha256
from .render import one_line
from .templates import PACKAGE_TEMPLATES
from .yamlsource import describe

EDITION_NAME = re.compile(r"^\d{4}(Q[1-4])?$")
EDITIONS = "editions"
EDITION_JSON = "edition.json"
SUPERSEDED = "superseded"
KIND_ORDER = ("notice", "action-plan", "attachment", "bulletin")


class PublishError(ReportgenError):
    exit_code = EXIT_PUBLISH


class FileRecord(TypedDict):
    path: str
    sha256: str
    size: int


class SupersededRecord(TypedDict):
    revision: Annotated[int, Field(ge=1)]
    published: str


class EditionRecord(TypedDict):
    """What reportgen reads of an edition.json (an input like any other: checked before use; other
    keys pass through)."""

    __pydantic_config__ = ConfigDict(strict=True)
    revision: Annotated[int, Field(ge=1)]
    published: str
    files: list[FileRecord]
    superseded: list[SupersededRecord]


EDITION_RECORD = TypeAdapter(EditionRecord)


def check_edition_name(name: str) -> str:
    """An edition name is a year or a quarter, so that it can never reach outside output/editions/."""
    if not EDITION_NAME.fullmatch(name):
        raise ValueError(_("expected an edition such as 2020 (the year's plan documents) or 2020Q2 (the quarter's bulletins), got {name!r}").format(name=name))
    return name


def content_fingerprint(content_dir: Path, out_dir: Path | None = None) -> str:
    """sha256 over every file of the content folder (none of an output folder inside it): its
    relative path and the sha256 of its bytes, read in blocks, sorted by path. A symbolic link
    counts as its target's name and is never followed; one out of the folder is refused."""
    links = outside_links(content_dir, out_dir)
    if links:
        raise PublishError(links)
    digest = hashlib.sha256()
    files = sorted((p.relative_to(content_dir).as_posix(), p) for p in content_dir.rglob("*")
                   if (p.is_symlink() or p.is_file()) and not (out_dir and p.is_relative_to(out_dir)))
    for rel, path in files:
        content = f"symlink to {os.readlink(path)}".encode() if path.is_symlink() else bytes.fromhex(sha256(path))
        for part in (rel.encode("utf-8"), content):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
    return digest.hexdigest()


def publication_time() -> datetime.datetime:
    """SOURCE_DATE_EPOCH when set (reproducible publishing), else now; UTC, whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
        except (ValueError, OverflowError):
            raise PublishError(_("SOURCE_DATE_EPOCH must be a number of seconds, got {value!r}").format(value=epoch)) from None
    return datetime.datetime.now(datetime.UTC).replace(microsecond=0)


def rfc3339(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def plan_years(content: Content) -> dict[str, int]:
    """The year of each plan: its meta.date, else the year of the bulletins on its tables."""
    years = {}
    for plan in content.plans:
        if plan.meta.date:
            years[plan.id] = plan.meta.date.year
            continue
        tables = {t.id for t in plan.attachments}
        found = {b.year for b in content.bulletins if b.table.id in tables}
        if len(found) == 1:
            years[plan.id] = found.pop()
    return years


def edition_documents(content: Content, name: str) -> dict[tuple[str, str], str]:
    """(document id, lang) → title, for the documents of edition `name` (none: an unknown edition)."""
    check_edition_name(name)
    if "Q" in name:
        docs = documents(content, LANGS, quarter=name)
    else:
        years = plan_years(content)
        wanted = {plan.id for plan in content.plans if years.get(plan.id) == int(name)}
        wanted |= {t.id for plan in content.plans if plan.id in wanted for t in plan.attachments}
        wanted |= {n.id for n in content.notices if n.plan.id in wanted}
        docs = [d for d in documents(content, LANGS) if d.kind != "bulletin" and d.id in wanted]
    return {(d.id, d.lang): one_line(d.context["title"][d.lang], d.lang) for d in docs}


def known_editions(content: Content) -> list[str]:
    years = sorted({str(y) for y in plan_years(content).values()})
    quarters = sorted({f"{b.year}Q{b.quarter}" for b in content.bulletins})
    return years + quarters


@dataclass(frozen=True)
class Published:
    """What publish() did: `changed` is False when the same files were already published."""

    name: str
    folder: Path
    edition: dict
    changed: bool


def publish(out_dir: Path, content_dir: Path, name: str, force: bool = False, templates_dir: Path = PACKAGE_TEMPLATES) -> Published:
    """Copy the built files of edition `name` into out_dir/editions/<name>/ with edition.json.
    The templates (fonts.yaml) give the font roles."""
    check_edition_name(name)
    content = load_content(content_dir)
    check_fonts(content, content_dir, templates_dir)
    titles = edition_documents(content, name)
    if not titles:
        known = ", ".join(known_editions(content)) or _("none")
        raise PublishError([Problem(Location(content_dir), _("edition {edition}: no documents in the content for it (editions: {known})").format(edition=name, known=known))])
    fingerprint = content_fingerprint(content_dir, out_dir)
    inputs = Inputs(content_dir, templates_dir, out_dir)
    current = {(d.id, d.lang): inputs.of_content(d.sources) for d in planned(content_dir, templates_dir, content, LANGS, name if "Q" in name else None)}
    files = edition_files(out_dir, name, titles, fingerprint, current)
    folder = out_dir / EDITIONS / name
    with editions_lock(out_dir, create=True):
        if folder.exists() and not os.path.lexists(folder / EDITION_JSON):
            raise PublishError([Problem(Location(folder), _("exists but holds no {file}: not an edition; move it away, then publish").format(file=EDITION_JSON))])
        earlier = read_edition(folder) if folder.exists() else None
        if earlier is not None:
            differences = compare(folder, earlier["files"], out_dir, files)
            damage = verify_folder(folder, earlier)
            if not differences and not damage:
                return Published(name, folder, earlier, changed=False)
            if not force:
                problems = differences + [Problem(p.location, _("{problem} (the published edition is damaged)").format(problem=p.message)) for p in damage]
                problems.append(Problem(Location(folder), _("edition {edition} is published and immutable; publish with --force to supersede it (the earlier files move to {folder}/)").format(
                    edition=name, folder=SUPERSEDED)))
                raise PublishError(problems)
            kept = folder / SUPERSEDED / str(earlier["revision"])
            if os.path.lexists(kept) or any(s["revision"] == earlier["revision"] for s in earlier["superseded"]):
                raise PublishError([Problem(Location(kept), _("revision {revision}, the published one, is already a superseded revision: the edition is damaged (its edition.json was changed?); "
                                                             "restore its edition.json, then publish").format(revision=earlier["revision"]))])
        superseded = [*earlier["superseded"], {"revision": earlier["revision"], "path": f"{SUPERSEDED}/{earlier['revision']}/",
                                               "published": earlier["published"], "files": len(earlier["files"])}] if earlier else []
        edition = {
            "edition": name,
            "kind": "bulletins" if "Q" in name else "plan",
            "revision": next_revision(folder, earlier) if earlier else 1,
            "published": rfc3339(publication_time()),
            "reportgen": __version__,
            "files": files,
            "superseded": superseded,
        }
        write_edition(out_dir, folder, edition, earlier)
    return Published(name, folder, edition, changed=True)


def next_revision(folder: Path, earlier: dict) -> int:
    """One more than every revision ever recorded or kept (edition.json's own, its superseded
    entries', the superseded/<n> folders there, recorded or not): a number is never given twice."""
    kept = [int(p.name) for p in (folder / SUPERSEDED).iterdir() if re.fullmatch(r"[0-9]+", p.name)] if (folder / SUPERSEDED).is_dir() else []
    return 1 + max([earlier["revision"], *(s["revision"] for s in earlier["superseded"]), *kept])


def check_fonts(content: Content, content_dir: Path, templates_dir: Path) -> None:
    """Refuse, one problem per role, while a free face serves an official font role, unless the
    content's settings allow substitutes."""
    if content.settings.fonts.allow_substitutes:
        return
    from .fonts import substitute_refusals

    problems = substitute_refusals(templates_dir, content_dir, Location(content_dir))
    if problems:
        raise PublishError(problems)


def edition_files(out_dir: Path, name: str, titles: dict[tuple[str, str], str], fingerprint: str, current: dict[tuple, str]) -> list[dict]:
    """The manifest's entries for the edition, each checked against the file on disk and against
    the content it would be built from now (`current`: by document and language, Inputs.of_content)."""
    manifest = read_manifest(out_dir)
    if not manifest:
        raise PublishError([Problem(Location(out_dir / "manifest.json"), _("no built files (no readable manifest.json); run `python build.py` first"))])
    entries = {(e.id, e.lang, e.format): e for e in manifest}
    problems, files = [], []
    for (doc_id, lang), title in titles.items():
        for fmt in FORMATS:
            entry = entries.get((doc_id, lang, fmt))
            if entry is None:
                problems.append(Problem(Location(out_dir / f"{doc_id}.{lang}.{fmt}"), _("edition {edition}: not built; run `python build.py` first").format(edition=name)))
                continue
            path = out_dir / entry.path
            if "/" in entry.path or "\\" in entry.path or not path.is_file():
                problems.append(Problem(Location(path), _("edition {edition}: listed in manifest.json but missing; run `python build.py` first").format(edition=name)))
                continue
            if sha256(path) != entry.sha256:
                problems.append(Problem(Location(path), _("edition {edition}: changed since it was built (its sha256 differs from manifest.json); run `python build.py` first").format(edition=name)))
                continue
            if entry.content != current.get((doc_id, lang)):
                problems.append(Problem(Location(path), _("edition {edition}: built from other content than there is now; rebuild first (`reportgen build`), then publish").format(edition=name)))
                continue
            record = {"path": entry.path, "id": entry.id, "kind": entry.kind, "lang": entry.lang, "format": entry.format,
                      "title": title, "size": path.stat().st_size, "sha256": entry.sha256}
            if entry.pages is not None:
                record["pages"] = entry.pages
            record["content_sha256"] = fingerprint
            if getattr(entry, "inputs", None):  # the build's fingerprint of what this file was built from
                record["inputs"] = entry.inputs
            files.append(record)
    if problems:
        raise PublishError(problems)
    return sorted(files, key=file_order)


def file_order(record: dict) -> tuple:
    kind = KIND_ORDER.index(record["kind"]) if record["kind"] in KIND_ORDER else len(KIND_ORDER)
    return (kind, record["id"], LANGS.index(record["lang"]) if record["lang"] in LANGS else 9, record["format"] != "pdf", record["path"])


def compare(folder: Path, published: list[dict], out_dir: Path, files: list[dict]) -> list[Problem]:
    """One problem per file that the new edition would add, remove or change."""
    before = {f["path"]: f["sha256"] for f in published}
    after = {f["path"]: f["sha256"] for f in files}
    problems = []
    for path in sorted(before.keys() | after.keys()):
        if path not in after:
            problems.append(Problem(Location(folder / path), _("published, but no longer part of the edition")))
        elif path not in before:
            problems.append(Problem(Location(out_dir / path), _("not in the published edition")))
        elif before[path] != after[path]:
            problems.append(Problem(Location(out_dir / path), _("differs from the published file (published sha256 {published}…, built {built}…)").format(
                published=before[path][:12], built=after[path][:12])))
    return problems


def write_edition(out_dir: Path, folder: Path, edition: dict, earlier: dict | None) -> None:
    """Stage the whole edition folder, earlier revisions included, then rename it into place."""
    editions = out_dir / EDITIONS
    editions.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".publish-{edition['edition']}-", dir=editions))
    try:
        for record in edition["files"]:
            shutil.copyfile(out_dir / record["path"], stage / record["path"])
            if sha256(stage / record["path"]) != record["sha256"]:
                raise PublishError([Problem(Location(out_dir / record["path"]), _("changed while it was being published; publish again"))])
        if earlier is not None:
            (stage / SUPERSEDED).mkdir()
            if (folder / SUPERSEDED).is_dir():
                for old in sorted((folder / SUPERSEDED).iterdir()):
                    shutil.copytree(old, stage / SUPERSEDED / old.name, copy_function=link_or_copy)
            revision = stage / SUPERSEDED / str(earlier["revision"])
            revision.mkdir()
            for record in earlier["files"]:
                if (folder / record["path"]).is_file():
                    link_or_copy(folder / record["path"], revision / record["path"])
            link_or_copy(folder / EDITION_JSON, revision / EDITION_JSON)
        text = json.dumps(edition, ensure_ascii=False, indent=2) + "\n"
        (stage / EDITION_JSON).write_text(text, encoding="utf-8")
        replace_folder(stage, folder, replace=earlier is not None)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def replace_folder(stage: Path, target: Path, replace: bool = True) -> None:
    """Rename a fully written `stage` folder to `target`. A new target appears in one rename; an
    existing one is first renamed aside, into a hidden `.replaced-*` folder (a moment without it,
    never a half-written one; for an edition, recover() puts it back if the process is killed
    then), then removed."""
    if not replace or not target.exists():
        os.rename(stage, target)  # refuses, leaving nothing behind, if another process got there first
        return
    aside = Path(tempfile.mkdtemp(prefix=f".replaced-{target.name}-", dir=target.parent))
    os.rename(target, aside / target.name)
    try:
        os.rename(stage, target)
    except OSError:
        os.rename(aside / target.name, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def link_or_copy(src: Path | str, dst: Path | str) -> None:
    """A hard link where the file system allows it (published files never change), else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


@contextmanager
def editions_lock(out_dir: Path, create: bool = False) -> Iterator[None]:
    """Hold output/editions/ for this process alone (flock on the folder itself: no lock file to
    leave behind, and the kernel releases it however the process ends, SIGKILL included), after
    recover() has finished what a killed publish left. No editions folder: nothing to hold,
    unless `create`."""
    editions = out_dir / EDITIONS
    if create:
        editions.mkdir(parents=True, exist_ok=True)
    elif not editions.is_dir():
        yield
        return
    folder = os.open(editions, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(folder, fcntl.LOCK_EX)  # waits while another process publishes or verifies
        recover(editions)
        yield
    finally:
        os.close(folder)  # releases the lock


def recover(editions: Path) -> None:
    """Finish or undo what a publish killed mid-way left in `editions`, with the lock held (so no
    publish is running). Every step is a rename or a removal that a later run repeats or skips if
    this one is killed too:

    - ``.replaced-*/<edition>``: a published edition renamed aside by replace_folder. Without
      ``<edition>`` beside it, the publish was killed between its two renames: the edition goes
      back (that publish did not happen). With it, the new revision is in place, holding this one
      in superseded/: the aside is removed;
    - ``.publish-*``: a staging folder, never renamed into place: removed.
    """
    try:
        for aside in sorted(editions.glob(".replaced-*")):
            for edition in aside.iterdir():
                if EDITION_NAME.fullmatch(edition.name) and not os.path.lexists(editions / edition.name):
                    os.rename(edition, editions / edition.name)
            shutil.rmtree(aside)
        for stage in sorted(editions.glob(".publish-*")):
            shutil.rmtree(stage)
    except OSError as exc:
        raise PublishError([Problem(Location(Path(exc.filename or editions)), _("cannot finish a publication that was interrupted here: {reason}").format(reason=exc.strerror))]) from None


def read_edition(folder: Path) -> dict:
    """The folder's edition.json, refused with a located message unless it is a regular file
    within the size limit of inputs, UTF-8 JSON, and an EditionRecord."""
    path = folder / EDITION_JSON
    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise PublishError([Problem(Location(path), _("not a regular file (a symbolic link, a folder or a device): a published file is a file of its own"))])
        if info.st_size > MAX_INPUT_BYTES:
            raise PublishError([Problem(Location(path), _("file is larger than the limit of {limit} bytes").format(limit=MAX_INPUT_BYTES))])
        raw = path.read_bytes()
    except OSError as exc:
        raise PublishError([Problem(Location(path), _("cannot read file: {reason}").format(reason=exc.strerror))]) from None
    try:
        edition = json.loads(decode(raw, path, "utf-8"))
    except ContentError as exc:  # not UTF-8, or NUL bytes
        raise PublishError(exc.problems) from None
    except json.JSONDecodeError as exc:
        raise PublishError([Problem(Location(path, exc.lineno, exc.colno), _("invalid JSON: {reason}").format(reason=exc.msg))]) from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits, arrays nested thousands deep
        raise PublishError([Problem(Location(path), _("invalid JSON: {reason}").format(reason=exc))]) from None
    try:
        EDITION_RECORD.validate_python(edition)
    except ValidationError as exc:
        raise PublishError([Problem(Location(path), _("not an edition record: {reason}").format(reason=describe(err))) for err in exc.errors()]) from None
    return edition


def published_editions(out_dir: Path) -> list[str]:
    """The names of the published editions (any with an edition.json, readable or not)."""
    with editions_lock(out_dir):
        folder = out_dir / EDITIONS
        return sorted(p.name for p in folder.iterdir() if EDITION_NAME.fullmatch(p.name) and os.path.lexists(p / EDITION_JSON)) if folder.is_dir() else []


def verify(out_dir: Path, name: str) -> tuple[int, int, list[Problem]]:
    """Re-check a published edition and its superseded revisions against their edition.json:
    (files checked, superseded revisions checked, problems)."""
    check_edition_name(name)
    folder = out_dir / EDITIONS / name
    with editions_lock(out_dir):
        if os.path.lexists(folder / EDITION_JSON):
            return verify_edition(folder)
    published = ", ".join(published_editions(out_dir)) or _("none")
    raise PublishError([Problem(Location(folder), _("edition {edition} is not published (published: {published})").format(edition=name, published=published))])


def verify_edition(folder: Path) -> tuple[int, int, list[Problem]]:
    try:
        edition = read_edition(folder)
    except PublishError as exc:  # a damaged edition.json: the edition does not verify
        return 0, 0, exc.problems
    problems = verify_folder(folder, edition)
    count = len(edition["files"])
    recorded = {str(s["revision"]) for s in edition["superseded"]}
    present = {p.name for p in (folder / SUPERSEDED).iterdir()} if (folder / SUPERSEDED).is_dir() else set()
    for missing in sorted(recorded - present):
        problems.append(Problem(Location(folder / SUPERSEDED / missing), _("superseded revision recorded in edition.json is missing")))
    for extra in sorted(present - recorded):
        problems.append(Problem(Location(folder / SUPERSEDED / extra), _("not a superseded revision recorded in edition.json")))
    for revision in sorted(recorded & present, key=int):
        try:
            problems += verify_folder(folder / SUPERSEDED / revision, read_edition(folder / SUPERSEDED / revision))
        except PublishError as exc:
            problems += exc.problems
    return count, len(recorded & present), problems


def verify_folder(folder: Path, edition: dict) -> list[Problem]:
    """Every listed file present with its size and sha256; nothing else beside edition.json (and superseded/)."""
    problems = []
    listed = set()
    for record in edition["files"]:
        name = record["path"]
        if not isinstance(name, str) or "/" in name or "\\" in name or name in ("", ".", "..", EDITION_JSON, SUPERSEDED):
            problems.append(Problem(Location(folder / EDITION_JSON), _("invalid file name {name!r}").format(name=name)))
            continue
        listed.add(name)
        path = folder / name
        if path.is_symlink() or path.exists() and not path.is_file():
            problems.append(Problem(Location(path), _("not a regular file (a symbolic link, a folder or a device): a published file is a file of its own")))
            continue
        if not path.is_file():
            problems.append(Problem(Location(path), _("missing (listed in edition.json)")))
            continue
        size = path.stat().st_size
        if size != record["size"]:
            problems.append(Problem(Location(path), _("size {size} bytes, edition.json says {recorded}").format(size=size, recorded=record["size"])))
        digest = sha256(path)
        if digest != record["sha256"]:
            problems.append(Problem(Location(path), _("sha256 {digest}, edition.json says {recorded}").format(digest=digest, recorded=record["sha256"])))
    allowed = listed | {EDITION_JSON, SUPERSEDED}
    for path in sorted(folder.iterdir()):
        if path.name not in allowed:
            problems.append(Problem(Location(path), _("added: not listed in edition.json")))
    return problems
