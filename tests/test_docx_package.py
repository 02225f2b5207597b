"""The DOCX package as Word, WPS and LibreOffice read it: LibreOffice re-saving each kind of DOCX,
directly and through ODF, without losing text, sections or page numbers."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from conftest import PAGE_NUMBER, TEMPLATES, docx_paragraphs, output_file, pdf_lines
from test_grid import dash_distances

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
KINDS = ("action-plan", "key-projects", "bulletin-2020Q2", "notice")  # plan, landscape attachment, bulletin, notice


def w(element, name: str) -> str | None:
    return element.get(f"{W}{name}")


# --- LibreOffice re-saving each kind ------------------------------------------------------------

def libreoffice(target: str, out: Path, files: list[Path]) -> list[Path]:
    """Convert `files` with LibreOffice (`target`: odt, docx or pdf) into `out`, with the
    project's fonts; the converted files."""
    from reportgen.fonts import fontconfig_file

    out.mkdir(exist_ok=True)
    filters = {"docx": "docx:MS Word 2007 XML", "odt": "odt", "pdf": "pdf"}
    env = {"PATH": "/usr/bin:/bin", "HOME": str(out), "FONTCONFIG_FILE": str(fontconfig_file(TEMPLATES))}
    subprocess.run(["soffice", f"-env:UserInstallation=file://{out}/profile", "--headless", "--convert-to", filters[target],
                    "--outdir", str(out), *map(str, files)], env=env, check=True, capture_output=True, timeout=600)
    return [out / f.with_suffix(f".{target}").name for f in files]


@pytest.fixture(scope="module")
def resaved(built, manifest, tmp_path_factory) -> dict[str, Path]:
    """The Chinese plan, landscape attachment, bulletin and notice as built ("built"), as
    LibreOffice re-saves them as DOCX ("docx") and through ODF (docx → odt → docx: "odt"), each
    with the PDF LibreOffice lays it out as; the folder of each."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    root = tmp_path_factory.mktemp("resaved")
    folders = {route: root / route for route in ("built", "docx", "odt")}
    folders["built"].mkdir()
    originals = [Path(shutil.copy(output_file(built, manifest, kind, "zh", "docx"), folders["built"])) for kind in KINDS]
    libreoffice("docx", folders["docx"], originals)
    libreoffice("docx", folders["odt"], libreoffice("odt", root / "odf", originals))
    for folder in folders.values():
        libreoffice("pdf", folder, sorted(folder.glob("*.docx")))
    return folders


def sections(path: Path) -> list[tuple[bool, bool, bool]]:
    """Each section: landscape?, starts on an even page?, a PAGE field in its odd and in its even
    footer?"""
    out = []
    for section in Document(path).sections:
        sectpr = section._sectPr
        numbered = [any("PAGE" in (i.text or "") for i in footer._element.iter(f"{W}instrText"))
                    for footer in (section.footer, section.even_page_footer)]
        out.append((w(sectpr.find(f"{W}pgSz"), "orient") == "landscape",
                    sectpr.find(f"{W}type[@{W}val='evenPage']") is not None, all(numbered)))
    return out


def page_numbers(pdf: Path) -> list[tuple[str, tuple[int, ...]] | None]:
    """Per page, the page number as laid out ("— 3 —") and its box in points, rounded."""
    return [next(((text, tuple(round(v) for v in box)) for *box, text in lines if PAGE_NUMBER.match(text)), None)
            for lines in pdf_lines(pdf)]


@pytest.mark.slow
@pytest.mark.parametrize("route", ["docx", "odt"])
@pytest.mark.parametrize("kind", KINDS)
def test_libreoffice_resaves_without_loss(resaved, kind, route):
    """Re-saved by LibreOffice, directly or through ODF: the same text (the 版记 included), the same
    sections with numbered footers, and the page numbers of the same pages in the same places: the
    landscape pages' still turned in the side margins, 7 mm from the type area, not stacked."""
    name = f"{kind}.zh.docx"
    before, after = resaved["built"] / name, resaved[route] / name
    assert docx_paragraphs(after) == docx_paragraphs(before)
    assert sections(after) == sections(before)
    numbers = page_numbers(before.with_suffix(".pdf"))
    assert page_numbers(after.with_suffix(".pdf")) == numbers
    assert [number[0] for number in numbers if number] == [f"— {n} —" for n, number in enumerate(numbers, 1) if number]
    assert sum(number is None for number in numbers) == (1 if kind == "notice" else 0)  # the 版记's page
    if kind == "key-projects":  # landscape pages only
        distances = dash_distances(after.with_suffix(".pdf"))
        assert set(distances) == {1, 2} and all(abs(d - 7) <= 0.5 for mm in distances.values() for d in mm), distances
