"""The output folder: staged writes, atomic replacement, manifest.json, and what each file was
built from (fingerprints of its inputs), so that a build rewrites only what changed.

Standard library only: `reportgen build` answers "nothing to do" from here without importing the
content loader (pandas, pydantic) or the writers (WeasyPrint, matplotlib).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime
import decimal
import enum
import errno
import fcntl
import fnmatch
import hashlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath
from typing import Any

from .errors import Finding, Location, Problem, WriterError
from .inputs import entries
from .messages import _
from .templates import Templates

MANIFEST = "manifest.json"
STAGING = ".staging-"
FORMATS = ("pdf", "docx")
PACKAGE = Path(__file__).resolve().parent
FONTS_FOLDER = "fonts"  # the content's fonts folder (fonts.FONTS_FOLDER)


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    lang: str
    format: str
    path: str  # relative to the output folder
    sha256: str
    pages: int | None = None
    inputs: str | None = None  # fingerprint of everything the file was built from (Inputs.of_file: its document's model)
    content: str | None = None  # fingerprint of the content files alone (Inputs.of_content): publish compares it
    warnings: tuple[Finding, ...] | None = None  # what its writer found: words that do not fit a line, characters no font has

    def as_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v is not None}


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def intact(out_dir: Path, entry: Entry) -> bool:
    """The entry's file is there with the checksum the manifest gives."""
    path = out_dir / entry.path
    return path.is_file() and sha256(path) == entry.sha256


# ---- fingerprints ----


def fingerprint(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def canonical(value: Any, root: Path) -> Any:
    """`value` in a form JSON writes the same way whenever it is equal: models (pydantic) and
    dataclasses as their type's name and fields, numbers and dates tagged, paths relative to
    `root`, sets sorted. A type not known here is an error: it could not be fingerprinted."""
    if value is None or isinstance(value, (str, int, float)):
        return value
    if isinstance(value, (list, tuple)):
        return [canonical(v, root) for v in value]
    if isinstance(value, dict):
        return [[canonical(k, root), canonical(v, root)] for k, v in value.items()]
    fields = getattr(type(value), "model_fields", None)  # a pydantic model
    if fields is not None or dataclasses.is_dataclass(value):
        names = fields if fields is not None else [f.name for f in dataclasses.fields(value)]
        return [type(value).__qualname__, {name: canonical(getattr(value, name), root) for name in names}]
    if isinstance(value, decimal.Decimal):
        return ["Decimal", str(value)]
    if isinstance(value, datetime.date):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, PurePath):
        path = Path(value).resolve()
        return ["Path", path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()]
    if isinstance(value, (set, frozenset)):
        return sorted((canonical(v, root) for v in value), key=json.dumps)
    if isinstance(value, enum.Enum):
        return canonical(value.value, root)
    raise TypeError(f"no fingerprint for a {type(value).__qualname__} in a document's model")


def tree_digests(folder: Path, pattern: str = "*", skip: Path | None = None) -> dict[str, str]:
    """sha256 of every file below `folder` (matching `pattern`; none below `skip`), by its path
    relative to it: a copy of the folder elsewhere has the same digests. A symlink counts as its
    target's name, never read here: a link out of the folder is refused when it is read. A folder
    of more than MAX_FOLDER_ENTRIES entries is refused before any file is read (inputs.entries)."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): f"symlink to {os.readlink(path)}" if path.is_symlink() else sha256(path)
        for path in entries(folder, skip)
        if fnmatch.fnmatch(path.name, pattern) and (path.is_symlink() or path.is_file()) and "__pycache__" not in path.parts
    }


def environment() -> dict[str, Any]:
    """What outside the project changes the bytes: Python and the installed packages (their
    dist-info names carry the versions), and the installed fonts (fontconfig's list, read with the
    system configuration, as fonts.py does)."""
    sites = {sysconfig.get_paths()[key] for key in ("purelib", "platlib")}
    packages = sorted(name for site in sites if os.path.isdir(site) for name in os.listdir(site) if name.endswith(".dist-info"))
    env = {k: v for k, v in os.environ.items() if k != "FONTCONFIG_FILE"}
    try:
        fonts = subprocess.run(
            ["fc-list", "--format", "%{family}|%{style}|%{file}|%{fontversion}\n"], env=env, capture_output=True, text=True, check=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        fonts = ""  # the writers will say what is missing
    date = os.environ.get("SOURCE_DATE_EPOCH")  # the date of documents whose content has none
    return {"python": sys.version, "packages": packages, "fonts": fingerprint(sorted(fonts.splitlines())), "source_date_epoch": date}


class Inputs:
    """Fingerprints of what a build reads, taken once at its start, before the content is loaded (an
    edit made during a build is then seen by the next one; the documents' models, `of_model`, once
    it is loaded): every file of the content folder, and
    the toolchain (every file of the templates folder and of the office's own templates folder in
    the content, this package's code, the environment, and the font files of the content's fonts
    folder, which every document may be set in: adding a font or editing a template rebuilds).
    An output folder inside the content folder is not an input.

    Files are named relative to their folder, so that a copied project has the same fingerprints."""

    def __init__(self, content_dir: Path, templates_dir: Path, out_dir: Path | None = None):
        self.content_dir = content_dir
        self.content = tree_digests(content_dir, skip=out_dir)
        templates = [tree_digests(folder) for folder in Templates(templates_dir, content_dir).folders]
        toolchain = {"templates": templates, "code": tree_digests(PACKAGE, "*.py"), "environment": environment()}
        fonts = tree_digests(content_dir / FONTS_FOLDER)  # fonts.FONTS_FOLDER (this module imports no other)
        if fonts:
            toolchain["fonts"] = fonts
        self.toolchain = fingerprint(toolchain)

    def name(self, source: Path) -> str:
        """A source file's name relative to the content folder (every source is inside it)."""
        return Path(os.path.normpath(os.path.relpath(source, self.content_dir))).as_posix()

    def digest(self, name: str) -> str:
        return self.content.get(name, "missing")

    def of_model(self, model: Any) -> str:
        """A document's model (the context its template is rendered with: everything of the
        content that the document prints), paths named relative to the content folder."""
        return fingerprint(canonical(model, self.content_dir.resolve()))

    def of_file(self, model: str, **options: str) -> str:
        """One output file: its document's model (`of_model`), the toolchain, and the options that
        change its bytes (document, kind, template, lang, format). Templates see the content only
        through the model, so an edit that leaves a document's model as it was (another city's
        row, a text of another document) leaves its files as they are."""
        return fingerprint({"toolchain": self.toolchain, "model": model, **options})

    def of_content(self, sources: Iterable[Path]) -> str:
        """The content files a document reads (all of them when it names none), without the toolchain."""
        names = [self.name(s) for s in sources] or sorted(self.content)
        return fingerprint([[n, self.digest(n)] for n in names])

    def of_build(self, options: dict[str, Any]) -> str:
        """A whole build: every content file, the toolchain, and the build's options."""
        return fingerprint({"toolchain": self.toolchain, "content": self.content, "options": options})


def build_options(langs: Iterable[str], formats: Iterable[str], quarter: str | None, ids: Iterable[str] | None = None) -> dict[str, Any]:
    """What a build was asked for; `ids` (some documents only) only when given, so that the
    fingerprint of a whole build stays as it was."""
    options = {"lang": sorted(langs), "format": sorted(formats), "quarter": quarter}
    return options if ids is None else {**options, "documents": sorted(ids)}


def up_to_date(content_dir: Path, templates_dir: Path, out_dir: Path, options: dict[str, Any]) -> int | None:
    """The fast path of a build: how many files the last build into `out_dir` wrote or kept, when it
    was asked the same, read exactly the inputs there are now, and its files are all intact;
    otherwise None (the build must load the content and decide file by file).

    Also removes the staging folders of killed builds, unless another build is running."""
    record = read_manifest_data(out_dir).get("build")
    if not isinstance(record, dict) or not isinstance(record.get("files"), list):
        return None
    inputs = Inputs(content_dir, templates_dir, out_dir)
    if inputs.of_build(options) != record.get("inputs"):
        return None
    entries = {e.path: e for e in read_manifest(out_dir)}
    if not all(path in entries and intact(out_dir, entries[path]) for path in record["files"]):
        return None
    try:
        with locked(out_dir, wait=False):
            remove_stale_staging(out_dir)
    except BlockingIOError:
        return None  # another build is writing here: let the full path wait for it
    return len(record["files"])


# ---- the output folder ----


@contextlib.contextmanager
def locked(out_dir: Path, wait: bool = True) -> Iterator[None]:
    """One build at a time per output folder: an exclusive lock on the folder itself (no lock file
    in output/; the kernel releases it when the process dies, even by SIGKILL)."""
    fd = os.open(out_dir, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        yield
    finally:
        os.close(fd)


def remove_stale_staging(out_dir: Path) -> None:
    """Staging folders left by killed builds (call with the lock held: no other build is running)."""
    for stale in out_dir.glob(STAGING + "*"):
        if stale.is_dir():
            shutil.rmtree(stale, ignore_errors=True)


def durable(path: Path) -> None:
    """Flush a file (or a folder's entries) to the disk: a rename is atomic against a killed
    process by itself; fsync makes it so against a power cut too."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Staging:
    """Files are written into a hidden folder inside `out_dir`, then renamed into place.

    While it is open, the output folder is locked against other builds and the staging folders of
    killed builds are removed. If the build fails, the folder is removed and `out_dir` is exactly
    as it was. The manifest never lies: at every moment (a build may be killed at any), each file
    it lists exists with the listed sha256.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir

    def __enter__(self) -> Staging:
        self.out_dir.mkdir(parents=True, exist_ok=True)  # a refusal is the environment's (errors.refused)
        with contextlib.ExitStack() as stack:  # undone in reverse order: staging folder removed, then unlocked
            stack.enter_context(locked(self.out_dir))
            remove_stale_staging(self.out_dir)
            self.dir = Path(tempfile.mkdtemp(prefix=STAGING, dir=self.out_dir))
            stack.callback(shutil.rmtree, self.dir, ignore_errors=True)
            self._cleanup = stack.pop_all()
        return self

    def __exit__(self, *exc) -> None:
        self._cleanup.close()

    def path(self, name: str) -> Path:
        return self.dir / name

    def current(self, entry: Entry | None, inputs: str) -> bool:
        """The file of the manifest's `entry` was built from `inputs` and is intact: no need to build it."""
        return entry is not None and entry.inputs == inputs and entry.content is not None and intact(self.out_dir, entry)

    def commit(self, entries: list[Entry], written: list[Entry] | None = None, build: dict | None = None) -> None:
        """Put the `written` files (default: all `entries`) in place and list `entries` in the
        manifest, merged with earlier entries of other documents whose files are intact; `build`
        records the build for the fast path (`up_to_date`).

        A file whose bytes change is first dropped from the manifest, then renamed into place,
        then listed with its new checksum; renaming identical bytes over a file needs no care. A
        folder where a file goes is refused, as its rename would be, before anything is renamed."""
        written = entries if written is None else written
        for target in (*(self.out_dir / e.path for e in written), self.out_dir / MANIFEST):
            if target.is_dir() and not target.is_symlink():
                raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
        before = read_manifest(self.out_dir)
        listed = {e.path: e.sha256 for e in before}
        changing = {e.path for e in written if listed.get(e.path, e.sha256) != e.sha256}
        if changing:
            self.write_manifest([e for e in before if e.path not in changing], None)
        for entry in written:
            durable(self.dir / entry.path)
            os.replace(self.dir / entry.path, self.out_dir / entry.path)
        if written:
            durable(self.out_dir)
        fresh = {(e.id, e.lang, e.format) for e in entries}
        kept = [e for e in before if (e.id, e.lang, e.format) not in fresh and intact(self.out_dir, e)]
        self.write_manifest(kept + entries, build)

    def write_manifest(self, entries: list[Entry], build: dict | None) -> None:
        """Replace manifest.json atomically; not at all when its text would stay the same."""
        data: dict[str, Any] = {"files": [e.as_json() for e in sorted(entries, key=lambda e: (e.kind, e.id, e.lang, e.format))]}
        if build is not None:
            data["build"] = build
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        target = self.out_dir / MANIFEST
        if target.is_file() and target.read_text(encoding="utf-8") == text:
            return
        tmp = self.dir / MANIFEST
        tmp.write_text(text, encoding="utf-8")
        durable(tmp)
        os.replace(tmp, target)
        durable(self.out_dir)


def read_manifest_data(out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def read_manifest(out_dir: Path) -> list[Entry]:
    try:
        return [Entry(**{**item, "warnings": tuple(Finding(**w) for w in item["warnings"])} if "warnings" in item else item)
                for item in read_manifest_data(out_dir)["files"]]
    except (KeyError, TypeError):
        return []
