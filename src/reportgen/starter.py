"""`reportgen new DIR`: a small, valid, commented content folder that builds at once (a plan with
two heading levels, one table from the office's own CSV, one quarter of progress), copied from the
package's starter-content/."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from .errors import UNPLACED, ContentError, Problem, display_path
from .messages import _

STARTER = Path(__file__).parent / "starter-content"


def new_project(target: Path) -> list[Path]:
    """Write the starter content into `target`, which must not exist or be an empty folder; the
    files it wrote. Nothing is left behind when it fails."""
    target = Path(target)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise ContentError([Problem(UNPLACED, _("{folder} already exists and is not an empty folder: give a new folder's name").format(folder=display_path(target)))])
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    try:
        for source in sorted(STARTER.rglob("*")):  # not copytree: it gathers OSErrors into one without an errno (a full disk)
            copy = staging / source.relative_to(STARTER)
            copy.mkdir() if source.is_dir() else shutil.copyfile(source, copy)
        if target.exists():
            target.rmdir()
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return sorted(p for p in target.rglob("*") if p.is_file())
