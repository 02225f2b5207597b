"""Located errors: every problem names the file, line and column it comes from."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .messages import _

EXIT_CONTENT = 2  # the content (YAML, tables) is invalid
EXIT_TEMPLATE = 3  # a template failed or reached outside the sandbox
EXIT_WRITER = 4  # a writer could not produce a file
EXIT_USAGE = 64  # wrong command-line use
EXIT_INTERNAL = 70  # a bug in reportgen (never bad input): reported without a traceback


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
