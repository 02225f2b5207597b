"""The page images of docs/用户手册.md, made from a real build, never by hand: a starter project
(`reportgen new`) is built into a temporary folder and the pages below are rendered with poppler's
pdftoppm. Usage: .venv/bin/python scripts/guide_images.py [FOLDER]  (default: docs/images/guide)."""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from reportgen.cli import main as reportgen
from reportgen.starter import new_project

DPI = 60
PAGES = {  # image name → (document id, language, page)
    "plan-zh-1.png": ("work-plan", "zh", 1),
    "plan-zh-2.png": ("work-plan", "zh", 2),
    "table-zh.png": ("projects", "zh", 1),
    "plan-en-1.png": ("work-plan", "en", 1),
    "bulletin-zh-1.png": ("bulletin-2027Q1", "zh", 1),
    "bulletin-zh-2.png": ("bulletin-2027Q1", "zh", 2),
    "review-1.png": ("work-plan", "zh-en", 1),
}


def make_images(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        content, out = Path(tmp) / "plan", Path(tmp) / "output"
        new_project(content)
        if reportgen(["build", str(content), "--out", str(out), "--format", "pdf"]) != 0:
            raise SystemExit("the starter project did not build")
        files = {(e["id"], e["lang"]): out / e["path"] for e in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]}
        made = []
        for name, (doc, lang, page) in PAGES.items():
            target = folder / name
            subprocess.run(["pdftoppm", "-r", str(DPI), "-png", "-singlefile", "-f", str(page), "-l", str(page),
                            str(files[(doc, lang)]), str(target.with_suffix(""))], check=True)
            made.append(target)
    return made


if __name__ == "__main__":
    for path in make_images(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[1] / "docs" / "images" / "guide"):
        print(f"wrote {path}")
