"""The output folder: staged writes, atomic replacement, and manifest.json."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Entry:
    id: str
    kind: str
    lang: str
    format: str
    path: str  # relative to the output folder
    sha256: str
    pages: int | None = None

    def as_json(self) -> dict:
        data = asdict(self)
        if self.pages is None:
            del data["pages"]
        return data


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Staging:
    """Files are written into a hidden folder inside `out_dir`, then renamed into place together.

    If the build fails, the folder is removed and `out_dir` is exactly as it was.
    """

    def __init__(self, out_dir: Path):
        self.out_dir = out_dir

    def __enter__(self) -> Staging:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix=".staging-", dir=self.out_dir))
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, name: str) -> Path:
        return self.dir / name

    def commit(self, entries: list[Entry]) -> None:
        """Move the staged files into place, then replace the manifest (merged with earlier entries)."""
        for entry in entries:
            os.replace(self.dir / entry.path, self.out_dir / entry.path)
        fresh = {(e.id, e.lang, e.format) for e in entries}
        kept = [e for e in read_manifest(self.out_dir) if (e.id, e.lang, e.format) not in fresh and (self.out_dir / e.path).is_file()]
        merged = sorted(kept + entries, key=lambda e: (e.kind, e.id, e.lang, e.format))
        text = json.dumps({"files": [e.as_json() for e in merged]}, ensure_ascii=False, indent=2) + "\n"
        tmp = self.dir / MANIFEST
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.out_dir / MANIFEST)


def read_manifest(out_dir: Path) -> list[Entry]:
    path = out_dir / MANIFEST
    if not path.is_file():
        return []
    try:
        return [Entry(**item) for item in json.loads(path.read_text(encoding="utf-8"))["files"]]
    except (ValueError, KeyError, TypeError):
        return []
