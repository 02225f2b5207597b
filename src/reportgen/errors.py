"""Located errors: every problem names the file, line and column it comes from."""
from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from .messages import N_, _

EXIT_CONTENT = 2  # the content (YAML, tables) is invalid
EXIT_TEMPLATE = 3  # a template failed or reached outside the sandbox
EXIT_WRITER = 4  # a writer could not produce a file
EXIT_PUBLISH = 5  # publishing refused: nothing built, unknown edition, or a published edition would change
EXIT_VERIFY = 6  # a published edition does not match its edition.json
EXIT_USAGE = 64  # wrong command-line use (sysexits.h: EX_USAGE)
EXIT_UNAVAILABLE = 69  # the Dask cluster of --scheduler cannot build (EX_UNAVAILABLE)
EXIT_INTERNAL = 70  # a bug in reportgen (never bad input): reported without a traceback (EX_SOFTWARE)
EXIT_CANTCREAT = 73  # the system refused to create or open a file or folder (EX_CANTCREAT)
EXIT_IOERR = 74  # the disk is full or failing (EX_IOERR)
EXIT_TEMPFAIL = 75  # a worker process was killed: running again may succeed (EX_TEMPFAIL)
EXIT_INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as a shell reports it)

EXIT_STATUSES = {  # every exit status, as README.md, docs/用户手册.md (in Chinese) and `reportgen --help` list them
    0: N_("success"),
    EXIT_CONTENT: N_("the content is invalid: every problem is listed at its file, line and column"),
    EXIT_TEMPLATE: N_("a template failed, or reached outside its sandbox"),
    EXIT_WRITER: N_("a writer could not make a file of the rendered document"),
    EXIT_PUBLISH: N_("publish refused: nothing built, an unknown edition, or a published edition would change"),
    EXIT_VERIFY: N_("verify: a published edition does not match its edition.json"),
    EXIT_USAGE: N_("wrong use: an unknown option or value, a path with a NUL byte, a SOURCE_DATE_EPOCH that is not a whole number"),
    EXIT_UNAVAILABLE: N_("the Dask cluster (--scheduler) cannot build: distributed not installed, no scheduler at the address, no worker, "
                          "or a worker whose fonts or versions differ from this machine's"),
    EXIT_INTERNAL: N_("internal error, a bug in reportgen: please report it with the command (REPORTGEN_DEBUG=1 shows the traceback)"),
    EXIT_CANTCREAT: N_("a file or folder cannot be created or opened: no permission, a read-only disk, a file where a folder is needed or the reverse"),
    EXIT_IOERR: N_("the disk is full, over its quota or failing"),
    EXIT_TEMPFAIL: N_("a worker process was killed before it finished (for lack of memory?): run the build again, with fewer jobs (-j)"),
    EXIT_INTERRUPTED: N_("interrupted (Ctrl-C)"),
}

REFUSALS = {  # the file system's refusals that are the environment's doing, never reportgen's: the exit status, and the reason in words
    errno.EACCES: (EXIT_CANTCREAT, N_("permission denied")),
    errno.EPERM: (EXIT_CANTCREAT, N_("permission denied")),
    errno.EROFS: (EXIT_CANTCREAT, N_("the disk is read-only")),
    errno.ENOTDIR: (EXIT_CANTCREAT, N_("it is a file, where a folder is needed")),
    errno.EEXIST: (EXIT_CANTCREAT, N_("it exists and is not a folder")),
    errno.EISDIR: (EXIT_CANTCREAT, N_("it is a folder, where a file is needed")),
    errno.ENAMETOOLONG: (EXIT_CANTCREAT, N_("the name is too long")),
    errno.ENOSPC: (EXIT_IOERR, N_("no space left on the disk")),
    errno.EDQUOT: (EXIT_IOERR, N_("the disk quota is used up")),
    errno.EFBIG: (EXIT_IOERR, N_("the file is too large for the disk")),
    errno.EIO: (EXIT_IOERR, N_("input/output error: the disk is failing")),
}


@dataclass(frozen=True)
class Location:
    """Where a value comes from: a file and, when known, a 1-based line and column."""

    file: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        parts = [display_path(self.file)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)


@dataclass(frozen=True)
class Problem:
    location: Location
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        severity = _("error") if self.severity == "error" else _("warning")  # the location stays as tools parse it
        return f"{self.location}: {severity}: {self.message}"


@dataclass(frozen=True)
class Finding:
    """A warning about text as a written file prints it, kept with the file in manifest.json; the
    build finds where in the content the text is (build.output_warnings)."""

    kind: str  # broken: a word wider than the line; overflow: a line past its box or the type area; glyph: a character no font has
    text: str  # the word or the line's longest word (writers/overflow.py: "…" marks a cut), or the character

    def at(self, location: Location) -> Problem:
        if self.kind == "glyph":
            message = _("U+{code:04X} {char} is in none of the fonts serving the font roles (see `reportgen fonts`): "
                        "it prints as an empty box or in another face").format(code=ord(self.text), char=self.text)
        elif self.kind == "broken":
            message = _("'{word}' is wider than the line: the PDF breaks it inside the word").format(word=self.text)
        else:
            message = _("'{word}' does not fit its line: the PDF prints it past the end of the line").format(word=self.text)
        return Problem(location, message, "warning")


UNPLACED = Location(Path("reportgen"))  # a problem of no particular file (printed "reportgen: error: …")


class ReportgenError(Exception):
    """A known failure: printed without traceback, exits with `exit_code`."""

    exit_code = 1

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem(UNPLACED, problems)]
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


class ContentError(ReportgenError):
    exit_code = EXIT_CONTENT


class TemplateError(ReportgenError):
    exit_code = EXIT_TEMPLATE


class WriterError(ReportgenError):
    exit_code = EXIT_WRITER


class FileSystemError(ReportgenError):
    """The file system refused (REFUSALS): no permission, a read-only or full disk, a file in the way."""

    def __init__(self, problems: list[Problem] | str, exit_code: int = EXIT_CANTCREAT):
        super().__init__(problems)
        self.exit_code = exit_code


def refused(exc: OSError, where: Path | None) -> FileSystemError:
    """A refusal of REFUSALS as a located error: at the path the system names, or the nearest of
    its folders that exists (a temporary file is named by its folder), else at `where` (what the
    command writes). The exit status says whose move it is: 73 a path, 74 the disk."""
    exit_code, reason = REFUSALS[exc.errno]
    name = exc.filename2 if exc.filename2 is not None else exc.filename
    if isinstance(name, (str, bytes)):
        path = Path(os.fsdecode(name))
        location = Location(next(p for p in (path, *path.parents) if p.exists() or p.is_symlink()))
    else:
        location = UNPLACED if where is None else Location(where)
    return FileSystemError([Problem(location, _(reason))], exit_code)


class Problems:
    """Collects problems while loading, so that one run reports all of them."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, location: Location, message: str, severity: str = "error") -> None:
        """Record a problem once (a text's two languages may find the same one)."""
        problem = Problem(location, message, severity)
        if problem not in self.items:
            self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.items if p.severity != "error")

    def raise_if_any(self) -> None:
        """Raise with every problem, warnings included, when there is an error."""
        if self.errors:
            raise ContentError(self.items)


def display_path(path: Path) -> str:
    """A path relative to the working directory when it is below it, else as given."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd().resolve()))  # symlinks not followed
    except ValueError:
        return str(path)
