"""Where template files come from: an office's own version in `<content>/templates/`, else the
templates folder (the package's, or `--templates`). Every template, the CSS and each YAML of the
templates (strings, fonts, Word styles) is found here, and only files inside those two folders
are read, as content files are (within the size limit). Standard library only: the build's fast path (output.py) uses it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import ContentError, TemplateError
from .inputs import confined, read_bytes, read_text
from .messages import _

# The templates that ship in the package: in a checkout, src/reportgen/templates is a symbolic link
# to the repository's templates/ (the editable source); a wheel holds a copy (pyproject.toml).
PACKAGE_TEMPLATES = (Path(__file__).parent / "templates").resolve()
OFFICE_FOLDER = "templates"  # <content>/templates/: an office's own versions of some of the files


@dataclass(frozen=True)
class Templates:
    """The template files of a build: `base` (a templates folder), overridden file by file by the
    office's folder in `content_dir`, if it has one."""

    base: Path
    content_dir: Path | None = None

    @property
    def office(self) -> Path | None:
        """`<content>/templates/`, when there is one (refused when it links out of the content folder)."""
        if self.content_dir is None or not os.path.lexists(self.content_dir / OFFICE_FOLDER):
            return None
        return inside(self.content_dir / OFFICE_FOLDER, self.content_dir, _("the content folder"))

    @property
    def folders(self) -> tuple[Path, ...]:
        """The folders searched, in order."""
        office = self.office
        return (office, self.base) if office else (self.base,)

    def find(self, name: str) -> Path:
        """The file `name` (a path relative to a templates folder): the office's if it has one,
        else the base folder's. Refused, at the file, when it resolves outside the content folder
        (an office's file) or the templates folder (a base file)."""
        return self.locate(name)[0]

    def locate(self, name: str) -> tuple[Path, Path]:
        """`name`'s path and the folder it must lie in (find)."""
        office = self.office
        if office is not None and os.path.lexists(office / name):
            return inside(office / name, self.content_dir, _("the content folder")), self.content_dir
        return inside(self.base / name, self.base, _("the templates folder")), self.base

    def name_of(self, path: Path) -> str | None:
        """The name `path` (absolute, without `..`) has in the first folder it lies in, if any."""
        folder = next((f for f in self.folders if path.is_relative_to(f)), None)
        return None if folder is None else path.relative_to(folder).as_posix()

    def read_bytes(self, name: str) -> bytes:
        """A file of the templates, read as content files are (inputs.read_bytes: a regular file
        within the size limit); its problems are template errors."""
        return as_template(read_bytes, *self.locate(name))

    def read_text(self, name: str) -> str:
        """A UTF-8 file of the templates (a template, the CSS), read as read_bytes reads."""
        return as_template(read_text, *self.locate(name))

    def read_yaml(self, name: str) -> Any:
        """A YAML file of the templates; its problems are template errors."""
        from .yamlsource import read_template_yaml  # ruamel: not on the fast path

        return read_template_yaml(*self.locate(name))


def as_template(read, path: Path, root: Path) -> Any:
    """`read(path, root)`, its problems raised as template errors."""
    try:
        return read(path, root)
    except ContentError as exc:
        raise TemplateError(exc.problems) from None


def inside(path: Path, root: Path, folder: str) -> Path:
    """`path` as given, refused (a template error at it) when it resolves outside `root`."""
    try:
        confined(path, root, folder=folder)
    except ContentError as exc:
        raise TemplateError(exc.problems) from None
    return path
