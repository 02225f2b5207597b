"""Shared fixtures: one real build of the project's content, and helpers to read its files."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"
MM = 72 / 25.4


def pytest_addoption(parser):
    parser.addoption("--accept", action="store_true", help="rewrite the golden files in tests/golden/ from this build")


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """The output folder of a full build of content/ (built once per test run)."""
    from reportgen.build import build

    out = tmp_path_factory.mktemp("output")
    build(CONTENT, out, TEMPLATES)
    return out


@pytest.fixture(scope="session")
def manifest(built) -> list[dict]:
    return json.loads((built / "manifest.json").read_text(encoding="utf-8"))["files"]


def output_file(built: Path, manifest: list[dict], doc_id: str, lang: str, fmt: str) -> Path:
    (entry,) = [e for e in manifest if (e["id"], e["lang"], e["format"]) == (doc_id, lang, fmt)]
    return built / entry["path"]


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private copy of the real content to mutate."""
    shutil.copytree(CONTENT, tmp_path / "content")
    return tmp_path / "content"


def pdf_lines(path: Path) -> list[list[tuple[float, float, str, float]]]:
    """Per page, the text pieces with their (x, y) position in points from the bottom-left corner."""
    pages = []
    for page in PdfReader(path).pages:
        pieces = []

        def visit(text, cm, tm, font, size):
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                pieces.append((x, y, text, size * abs(cm[3] or cm[1])))

        page.extract_text(visitor_text=visit)
        pages.append(pieces)
    return pages


PAGE_NUMBER = re.compile(r"^— \d+ —$")


def squash(text: str) -> str:
    """Text compared across formats: no whitespace, no hyphens (line-end hyphenation differs)."""
    return re.sub(r"[\s\-‐­]", "", text)


def pdf_text(path: Path) -> str:
    """The PDF's text without page numbers."""
    lines = []
    for page in PdfReader(path).pages:
        lines += [ln for ln in page.extract_text().splitlines() if not PAGE_NUMBER.match(ln.strip())]
    return "\n".join(lines)


def docx_paragraphs(path: Path) -> list[str]:
    """Body and table paragraphs of a DOCX in document order."""
    doc = Document(path)
    out = []
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in block.iter("{*}t")))
        elif tag == "tbl":
            for cell_p in block.iter("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}p"):
                out.append("".join(t.text or "" for t in cell_p.iter("{*}t")))
    return [p for p in out if p.strip()]
