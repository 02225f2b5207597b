"""Shared fixtures: one real build of the project's content, and helpers to read its files."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

# Messages follow the locale (src/reportgen/messages.py); the tests read the English ones, on a
# Chinese desktop too. Set before reportgen is imported; subprocesses inherit it.
os.environ["LANGUAGE"] = "en"
# A build runs in this process unless a test asks for workers (-j, jobs=): the suite already runs
# one pytest worker per CPU, and monkeypatched writers must be the ones that run.
os.environ["REPORTGEN_JOBS"] = "1"

import pytest
from docx import Document
from lxml import etree
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
TEMPLATES = ROOT / "templates"
MM = 72 / 25.4
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM = Path("/usr/bin/chromium")


def pytest_addoption(parser):
    parser.addoption("--accept", action="store_true", help="rewrite the golden files in tests/golden/ from this build")


def pytest_terminal_summary(terminalreporter):
    """How many bad-input cases of tests/corpus ran, and how many ended as specified (exit status,
    located message, project unchanged): the corpus's own count, apart from the other tests."""
    cases: dict[str, bool] = {}
    for outcome in ("passed", "failed", "error", "skipped"):
        for report in terminalreporter.stats.get(outcome, []):
            if "test_corpus.py::test_bad_input[" in report.nodeid:
                cases[report.nodeid] = cases.get(report.nodeid, True) and outcome == "passed"
    ran, passed = len(cases), sum(cases.values())
    if ran:
        terminalreporter.write_line(f"corpus: {ran} bad-input cases ran; {passed} ended as specified "
                                    f"(exit status, located message, project unchanged), {ran - passed} did not")


@pytest.fixture(scope="session")
def built(tmp_path_factory, worker_id) -> Path:
    """The output folder of a full build of content/, built once per test run and shared by the
    pytest-xdist workers (the first to ask builds it; the others wait on the lock). Never to be
    changed: tests that alter a build work on a copy."""
    import fcntl

    from reportgen.build import build

    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    out = shared / "built"
    with open(shared / "built.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (out / "manifest.json").is_file():
            build(CONTENT, out, TEMPLATES, jobs=2)  # two worker processes (test_archival compares one)
    return out


@pytest.fixture
def browser(tmp_path):
    """Debian's Chromium, headless, driven through /usr/bin/chromedriver (scripts/install.sh --with-test-tools)."""
    if not (CHROMEDRIVER.exists() and CHROMIUM.exists()):
        message = "needs Debian's chromium and chromium-driver: run scripts/install.sh --with-test-tools"
        if os.environ.get("REPORTGEN_REQUIRE_TEST_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    os.environ.setdefault("SE_OFFLINE", "true")  # Selenium Manager must not try to download a browser
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'chromium-profile'}",
                "--window-size=1280,1000"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


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


def pdf_lines(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Per page, the text lines as poppler lays them out (charts and rotated text included): their
    boxes (x0, y0, x1, y1) in points from the page's bottom-left corner, and their text."""
    xml = subprocess.run(["pdftotext", "-bbox-layout", str(path), "-"], capture_output=True, check=True).stdout
    pages = []
    for page in etree.fromstring(xml, etree.HTMLParser(encoding="utf-8")).iter("page"):
        height = float(page.get("height"))
        lines = []
        for line in page.iter("line"):
            box = (float(line.get("xmin")), height - float(line.get("ymax")), float(line.get("xmax")), height - float(line.get("ymin")))
            text = " ".join(word.text or "" for word in line.iter("word"))
            last = lines[-1] if lines else None
            # poppler starts a new line at a glyph that overlaps the one before it: the mark after a
            # mark halved by punctuation compression (writers/punctuation.py)
            if last and abs(last[1] - box[1]) < 0.5 and abs(last[3] - box[3]) < 0.5 and last[0] < box[0] < last[2]:
                lines[-1] = (last[0], last[1], max(last[2], box[2]), last[3], last[4] + text)
            else:
                lines.append((*box, text))
        pages.append(lines)
    return pages


PAGE_NUMBER = re.compile(r"^— \d+ —$")


def squash(text: str) -> str:
    """Text compared across formats: no whitespace, no hyphens (line-end hyphenation differs)."""
    return re.sub(r"[\s\-‐­]", "", text)


def pdf_text(path: Path, charts: bool = False) -> str:
    """The PDF's text in content order, without page numbers and (unless `charts`) without the
    charts' labels: charts set them in the 黑体 face below 11 pt, which nothing else uses, and
    WeasyPrint paints them after a page's text, inside paragraphs that run on to the next page."""
    parts = []
    for page in PdfReader(path).pages:

        def visit(text, cm, tm, font, size):
            name = str(font.get("/BaseFont", "")) if font else ""
            chart = "Sans-CJK" in name and size * abs(cm[3] or cm[1]) < 11
            if (charts or not chart) and not PAGE_NUMBER.match(text.strip()):
                parts.append(text)

        page.extract_text(visitor_text=visit)
    return "".join(parts)


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def style_name(style) -> str:
    """A python-docx style's English name, word-styles.yaml's `name`, in a document of either
    language: a Chinese document names the project's own styles in Chinese, the English name its
    alias (w:aliases)."""
    aliases = style.element.find(f"{W}aliases")
    return aliases.get(f"{W}val") if aliases is not None and not style.name.isascii() else style.name


def docx_style(doc, name: str):
    """The style of a python-docx Document whose English name (style_name) is `name`."""
    (style,) = [s for s in doc.styles if style_name(s) == name]
    return style


def docx_paragraphs(path: Path) -> list[str]:
    """Body and table paragraphs of a DOCX in document order, then the 版记 (a table in the last
    section's footer that is not a landscape page's number)."""
    doc = Document(path)
    out = []
    w_p = f"{W}p"
    for block in doc.element.body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            out.append("".join(t.text or "" for t in block.iter("{*}t")))
        elif tag == "tbl":
            for cell_p in block.iter(w_p):
                out.append("".join(t.text or "" for t in cell_p.iter("{*}t")))
    for table in doc.sections[-1].footer.tables:
        if not any("PAGE" in (instruction.text or "") for instruction in table._tbl.iter(f"{W}instrText")):
            out += ["".join(t.text or "" for t in p.iter("{*}t")) for p in table._tbl.iter(w_p)]
    return [p for p in out if p.strip()]
