"""The DOCX package as Word and WPS read it (issue 13): compatibility mode 15 and the document grid
in the settings, honest application properties, a font table of the fonts used, only the styles a
document uses, named in its language with the other language as alias, outline levels for the
navigation pane; and LibreOffice re-saving each kind of DOCX, directly and through ODF, without
losing text, styles, sections or page numbers."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from lxml import etree
from pypdf import PdfReader
from ruamel.yaml import YAML

from conftest import PAGE_NUMBER, TEMPLATES, docx_paragraphs, output_file, pdf_lines, style_name
from reportgen.writers.docx_package import app_version
from test_grid import dash_distances

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
KINDS = ("action-plan", "key-projects", "bulletin-2020Q2", "notice")  # plan, landscape attachment, bulletin, notice
DOCS = [(kind, lang) for kind in KINDS for lang in ("zh", "en")]
REQUIRED = {"Normal", "DefaultParagraphFont", "TableNormal", "NoList"}  # the styles Word requires, by id
WORD_STYLES = YAML(typ="safe").load((TEMPLATES / "word-styles.yaml").read_text(encoding="utf-8"))
# Word's own styles among word-styles.yaml's (no name_zh), and the names Chinese Word shows for some
# of its own, which the project's Chinese names must not take.
WORDS_OWN = {"Normal", "Body Text", "Title", "Strong", "Emphasis", "Caption", "Footer", "Page Number",
             *(f"Heading {n}" for n in range(1, 5)),
             *(f"List {kind}{level}" for kind in ("Bullet", "Number", "Continue") for level in ("", " 2", " 3"))}
WORDS_OWN_IN_CHINESE = {"正文", "正文文本", "标题", *(f"标题 {n}" for n in range(1, 10)), "要点", "强调", "题注", "页脚",
                        "页眉", "页码", "列表项目符号", "列表编号", "列表接续"}


def package(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def part(path: Path, name: str) -> etree._Element:
    return etree.fromstring(package(path)[name])


def w(element, name: str) -> str | None:
    return element.get(f"{W}{name}")


@pytest.fixture(params=DOCS, ids=[f"{kind}.{lang}" for kind, lang in DOCS])
def docx(request, built, manifest) -> Path:
    kind, lang = request.param
    return output_file(built, manifest, kind, lang, "docx")


# --- the package --------------------------------------------------------------------------------

def test_the_package_holds_its_own_parts_only(docx):
    """No leftovers of python-docx's default template: custom XML, a thumbnail of another
    document, Word 2010's styles with effects, web settings, a theme with Japanese fonts. Beside
    the ten parts of every document: footers, pictures, and the bulletins' native charts with
    their workbooks (docx_charts)."""
    names = set(package(docx))
    assert {"[Content_Types].xml", "_rels/.rels", "docProps/core.xml", "docProps/app.xml", "word/document.xml",
            "word/_rels/document.xml.rels", "word/styles.xml", "word/settings.xml", "word/numbering.xml",
            "word/fontTable.xml"} <= names
    others = {name for name in names if not re.fullmatch(r"word/(footer\d+\.xml|_rels/footer\d+\.xml\.rels|media/image\d+\.png|charts/chart\d+\.xml|charts/_rels/chart\d+\.xml\.rels|embeddings/chart\d+\.xlsx)", name)}
    assert len(others) == 10, sorted(others)


def test_settings_compatibility_mode_15_and_the_grid(docx):
    """Word 2013 and later open the file as their own, not in 兼容模式; every section declares the
    22 × 28 grid (w:docGrid); Word's own punctuation compression stays off."""
    settings = part(docx, "word/settings.xml")
    compat = {w(s, "name"): w(s, "val") for s in settings.iter(f"{W}compatSetting")}
    assert compat["compatibilityMode"] == "15"
    assert w(settings.find(f"{W}characterSpacingControl"), "val") == "doNotCompress"
    assert settings.find(f"{W}themeFontLang") is None and settings.find(f"{W}rsids") is None
    for sectpr in part(docx, "word/document.xml").iter(f"{W}sectPr"):
        grid = sectpr.find(f"{W}docGrid")
        assert (w(grid, "type"), w(grid, "linePitch"), w(grid, "charSpace")) == ("linesAndChars", "579", "-849")


def test_application_properties_name_reportgen_and_its_version(docx):
    """app.xml names reportgen and its version in the XX.YYYY form Word requires, and claims no
    page or word count (only a layout knows them)."""
    app = part(docx, "docProps/app.xml")
    assert [(etree.QName(e).localname, e.text) for e in app] == [("Application", "reportgen"), ("AppVersion", app_version())]
    assert re.fullmatch(r"\d{2}\.\d{4}", app_version())
    assert (app_version("0.1.0"), app_version("12.3.4")) == ("00.0001", "12.0003")


def test_font_table_lists_the_fonts_used_with_their_charsets(docx):
    """Every font the parts name, and no other: the official Chinese faces in GB2312 (charset 86),
    Times New Roman in ANSI, PANOSE, family and pitch where word-styles.yaml knows them."""
    parts = package(docx)
    named, east_asian = set(), set()
    for name, data in parts.items():
        if re.fullmatch(r"word/(document|styles|numbering|footer\d+)\.xml", name):
            for rfonts in etree.fromstring(data).iter(f"{W}rFonts"):
                named |= {v for k, v in rfonts.items() if etree.QName(k).localname in ("ascii", "hAnsi", "eastAsia", "cs")}
                east_asian.add(w(rfonts, "eastAsia"))
    table = {w(f, "name"): f for f in etree.fromstring(parts["word/fontTable.xml"]).findall(f"{W}font")}
    assert set(table) == named >= {"Times New Roman", "仿宋_GB2312", "黑体", "宋体"}
    assert not any("ＭＳ" in name for name in table)
    for name, font in table.items():
        assert w(font.find(f"{W}charset"), "val") == ("86" if name in east_asian else "00"), name
        known = WORD_STYLES["fonts"].get(name, {})
        assert [w(font.find(f"{W}{tag}"), "val") if font.find(f"{W}{tag}") is not None else None
                for tag in ("panose1", "family", "pitch")] == [known.get(key) for key in ("panose", "family", "pitch")], name
    assert w(table["仿宋_GB2312"].find(f"{W}panose1"), "val") == "02010609030101010101"


# --- styles -------------------------------------------------------------------------------------

def test_only_the_styles_the_document_uses(docx):
    """styles.xml: the styles the document's paragraphs, runs and tables use, with their bases and
    next styles, and the four Word requires; none of a default template's."""
    parts = package(docx)
    styles = {w(s, "styleId"): s for s in etree.fromstring(parts["word/styles.xml"]).findall(f"{W}style")}
    used = set()
    for name, data in parts.items():
        if re.fullmatch(r"word/(document|footer\d+|numbering)\.xml", name):
            used |= {w(e, "val") for tag in ("pStyle", "rStyle", "tblStyle") for e in etree.fromstring(data).iter(f"{W}{tag}")}
    wanted = set(REQUIRED)
    while used - wanted:
        style = styles[(used - wanted).pop()]
        wanted.add(w(style, "styleId"))
        used |= {w(e, "val") for tag in ("basedOn", "next") for e in style.findall(f"{W}{tag}")}
    assert set(styles) == wanted


def test_style_names_in_the_documents_language_with_the_other_as_alias(docx):
    """A Chinese document names the project's styles in Chinese, the English name as alias; an
    English one the reverse. Word's own keep their names (Word shows them in the user's language)
    and their ids; every name is used once."""
    zh = docx.name.split(".")[1] == "zh"
    chinese = {spec["name"]: spec["name_zh"] for spec in WORD_STYLES["styles"] if "name_zh" in spec}
    names = []
    for style in part(docx, "word/styles.xml").findall(f"{W}style"):
        name, aliases = w(style.find(f"{W}name"), "val"), style.find(f"{W}aliases")
        assert w(style, "styleId").isascii()
        if w(style, "customStyle") == "1":
            english = w(aliases, "val") if zh else name
            assert (name, w(aliases, "val")) == ((chinese[english], english) if zh else (english, chinese[english]))
        else:
            assert aliases is None and name.isascii(), name
        names.append(name)
    assert len(names) == len(set(names))


def test_word_styles_yaml_names_its_own_styles_in_chinese():
    """Each style of the project has a Chinese name, unlike no one of Word's own, none taken twice."""
    specs = WORD_STYLES["styles"]
    assert {spec["name"] for spec in specs if "name_zh" not in spec} <= WORDS_OWN
    chinese = [spec["name_zh"] for spec in specs if "name_zh" in spec]
    assert len(chinese) == len(set(chinese)) and not set(chinese) & WORDS_OWN_IN_CHINESE


def test_body_text_and_headings_in_the_style_gallery(built, manifest):
    styles = part(output_file(built, manifest, "action-plan", "zh", "docx"), "word/styles.xml")
    gallery = {w(s, "styleId") for s in styles.findall(f"{W}style") if s.find(f"{W}qFormat") is not None}
    assert {"Normal", "BodyText", "Title", "Heading1", "Heading2", "AttachmentTitle"} <= gallery
    assert not gallery & {"TableText", "FooterOdd", "PageNumber"}


@pytest.mark.parametrize("kind", ["action-plan", "notice", "bulletin-2020Q2"])
def test_attachment_title_at_outline_level_1_as_in_the_pdf_bookmarks(built, manifest, kind):
    """The attachment's title is a level-1 entry of Word's navigation pane and 目录, beside 一、二、…
    (Heading 1): the PDF's bookmarks list it at the top level too."""
    docx = output_file(built, manifest, kind, "zh", "docx")
    styles = {w(s, "styleId"): s for s in part(docx, "word/styles.xml").findall(f"{W}style")}
    outline = {style_id: w(s.find(f"{W}pPr/{W}outlineLvl"), "val") for style_id, s in styles.items()
               if s.find(f"{W}pPr/{W}outlineLvl") is not None}
    assert outline["AttachmentTitle"] == outline["Heading1"] == "0"
    titles = [p.text for p in Document(docx).paragraphs if p.style.style_id == "AttachmentTitle"]
    bookmarks = [item.title for item in PdfReader(output_file(built, manifest, kind, "zh", "pdf")).outline if not isinstance(item, list)]
    assert titles and set(titles) <= set(bookmarks)


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
    """The plan, landscape attachment, bulletin and notice (DOCS) as built ("built"), as
    LibreOffice re-saves them as DOCX ("docx") and through ODF (docx → odt → docx: "odt"), each
    with the PDF LibreOffice lays it out as; the folder of each."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice is not installed")
    root = tmp_path_factory.mktemp("resaved")
    folders = {route: root / route for route in ("built", "docx", "odt")}
    folders["built"].mkdir()
    originals = [Path(shutil.copy(output_file(built, manifest, kind, lang, "docx"), folders["built"])) for kind, lang in DOCS]
    libreoffice("docx", folders["docx"], originals)
    libreoffice("docx", folders["odt"], libreoffice("odt", root / "odf", originals))
    for path in folders["odt"].glob("*.docx"):
        assert all(re.fullmatch(r"word/embeddings/chart\d+\.xlsx", name) for name in drop_dangling(path)), path.name
    for folder in folders.values():
        libreoffice("pdf", folder, sorted(folder.glob("*.docx")))
    return folders


def drop_dangling(path: Path) -> list[str]:
    """Remove the relationships to parts the package does not hold, and name those parts.
    LibreOffice 7.4, saving through ODF, keeps each chart's relationship to its workbook but not
    the workbook (the chart keeps its cached values); python-docx refuses such a package."""
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    missing = []
    for name in [n for n in parts if n.endswith(".rels")]:
        rels = etree.fromstring(parts[name])
        base = Path(name).parent.parent
        for rel in list(rels):
            target = rel.get("Target")
            if rel.get("TargetMode") == "External" or target is None:
                continue
            resolved = Path(os.path.normpath(base / target)).as_posix().lstrip("/")
            if resolved not in parts:
                missing.append(resolved)
                rels.remove(rel)
        parts[name] = etree.tostring(rels, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return missing


def chart_values(path: Path) -> list[list[str]]:
    """Each chart part's cached values (c:v), in part order; numbers to 12 significant digits
    (LibreOffice writes 15, 47.7777777777778 for 47.77777777777778)."""
    charts = sorted(name for name in package(path) if re.fullmatch(r"word/charts/chart\d+\.xml", name))
    def value(text: str) -> str:
        return f"{float(text):.12g}" if re.fullmatch(r"-?\d+(\.\d+)?(E-?\d+)?", text) else text

    return [[value(v.text) for v in part(path, name).iter("{http://schemas.openxmlformats.org/drawingml/2006/chart}v")] for name in charts]


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
@pytest.mark.parametrize("kind,lang", DOCS)
def test_libreoffice_resaves_without_loss(resaved, kind, lang, route):
    """Re-saved by LibreOffice, directly or through ODF: the same text (the 版记 included), the same
    style name on every paragraph, the same character styles, the same sections with numbered footers."""
    name = f"{kind}.{lang}.docx"
    before, after = resaved["built"] / name, resaved[route] / name
    assert docx_paragraphs(after) == docx_paragraphs(before)
    assert chart_values(after) == chart_values(before)  # the bulletin's native charts, their numbers kept
    styled = [[(p.style.name, p.text) for p in Document(path).paragraphs if p.text.strip()] for path in (before, after)]
    assert styled[1] == styled[0]  # by name: LibreOffice keeps the names, not the aliases
    runs = [{r.style.name for p in Document(path).paragraphs for r in p.runs if r.text.strip() and r.style is not None}
            - {"Default Paragraph Font"} for path in (before, after)]  # LibreOffice declares no default character style
    assert runs[1] == runs[0]
    assert sections(after) == sections(before)


# LibreOffice lays the re-saved English plan (and the notice that prints it) out one page shorter
# than our DOCX: the plan's last page before the annex is gone. Seen on 2026-12-02, once the plan's
# English changed (the calque fixes, US hyphenation); not yet explained.
REFLOWS = {("action-plan", "en"), ("notice", "en")}


@pytest.mark.slow
@pytest.mark.parametrize("route", ["docx", "odt"])
@pytest.mark.parametrize("kind,lang", [pytest.param(kind, lang, marks=pytest.mark.xfail(
    (kind, lang) in REFLOWS, reason="LibreOffice re-saves the English plan one page shorter", strict=True)) for kind, lang in DOCS])
def test_libreoffice_resaves_the_page_numbers(resaved, kind, lang, route):
    """The page numbers of the same pages in the same places: the landscape pages' still turned in
    the side margins, 7 mm from the type area, neither stacked nor doubled."""
    name = f"{kind}.{lang}.docx"
    before, after = resaved["built"] / name, resaved[route] / name
    numbers = page_numbers(before.with_suffix(".pdf"))
    assert page_numbers(after.with_suffix(".pdf")) == numbers
    assert [number[0] for number in numbers if number] == [f"— {n} —" for n, number in enumerate(numbers, 1) if number]
    assert sum(number is None for number in numbers) == (1 if kind == "notice" else 0)  # the 版记's page
    if kind == "key-projects":  # landscape pages only
        distances = dash_distances(after.with_suffix(".pdf"))
        assert set(distances) == {1, 2} and all(abs(d - 7) <= 0.5 for mm in distances.values() for d in mm), distances
