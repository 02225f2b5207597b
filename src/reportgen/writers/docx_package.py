"""The DOCX package around the document: the base template the writer starts from, generated here
(python-docx's default template brings 181 styles, Japanese fonts, a thumbnail of another document
and "Microsoft Macintosh Word" properties), and the save that completes the font table and fixes
the zip entry times."""
from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import docx
from lxml import etree

from .. import __version__

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORD_URI = "http://schemas.microsoft.com/office/word"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # zip entry times, for byte-identical output
FONT_TABLE = "word/fontTable.xml"
GB2312_CHARSET, ANSI_CHARSET = "86", "00"  # w:charset, hexadecimal: GB2312_CHARSET is 134
FONT_KEYS = {"panose", "family", "pitch"}
EAST_ASIAN_FONT = f"{{{W_NS}}}eastAsia"  # w:rFonts attributes
OTHER_FONTS = {f"{{{W_NS}}}{slot}" for slot in ("ascii", "hAnsi", "cs")}


def app_version(version: str = __version__) -> str:
    """reportgen's major.minor version as docProps/app.xml's AppVersion: Word refuses a file whose
    AppVersion is not XX.YYYY (0.1.0 → 00.0001; the patch level has no place)."""
    major, minor = (int(part) for part in version.split(".")[:2])
    return f"{major:02d}.{minor:04d}"


def _wordprocessing(root: str, body: str) -> str:
    """A WordprocessingML part: its root element w:`root` around `body`."""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<w:{root} xmlns:w="{W_NS}" xmlns:r="{R_NS}">{body}</w:{root}>')


def _relationships(*targets: tuple[str, str, str]) -> str:
    rels = "".join(f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>' for rid, kind, target in targets)
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>')


_OFFICE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_TYPES = "application/vnd.openxmlformats-officedocument."
_COMPAT = "".join(
    f'<w:compatSetting w:name="{name}" w:uri="{WORD_URI}" w:val="{value}"/>'
    for name, value in (("compatibilityMode", 15), ("overrideTableStyleFontSizeAndJustification", 1),
                        ("enableOpenTypeFeatures", 1), ("doNotFlipMirrorIndents", 1),
                        ("differentiateMultirowTableHeaders", 1))
)

# The parts of the base template. Styles: the four Word requires, its defaults (Normal, Default
# Paragraph Font, Normal Table, No List); the writer adds those of word-styles.yaml the document
# uses. Settings: Word 2013 and later open the file as their own (compatibility mode 15, not
# 兼容模式), Word's compression of punctuation stays off (the writer compresses as the PDF does,
# writers/punctuation.py). Application properties: the application and its version only; the page
# and word counts, which only a layout knows, are left to the reader. The numbering gets the lists'
# definitions, the font table is filled in at save (save).
BASE_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        + "".join(f'<Override PartName="/{part}" ContentType="{kind}"/>' for part, kind in (
            ("word/document.xml", _TYPES + "wordprocessingml.document.main+xml"),
            ("word/styles.xml", _TYPES + "wordprocessingml.styles+xml"),
            ("word/settings.xml", _TYPES + "wordprocessingml.settings+xml"),
            ("word/numbering.xml", _TYPES + "wordprocessingml.numbering+xml"),
            (FONT_TABLE, _TYPES + "wordprocessingml.fontTable+xml"),
            ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            ("docProps/app.xml", _TYPES + "extended-properties+xml")))
        + "</Types>"),
    "_rels/.rels": _relationships(
        ("rId1", _OFFICE + "officeDocument", "word/document.xml"),
        ("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml"),
        ("rId3", _OFFICE + "extended-properties", "docProps/app.xml")),
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
        f"<Application>reportgen</Application><AppVersion>{app_version()}</AppVersion></Properties>"),
    "word/_rels/document.xml.rels": _relationships(
        ("rId1", _OFFICE + "styles", "styles.xml"),
        ("rId2", _OFFICE + "settings", "settings.xml"),
        ("rId3", _OFFICE + "numbering", "numbering.xml"),
        ("rId4", _OFFICE + "fontTable", "fontTable.xml")),
    "word/document.xml": _wordprocessing("document", "<w:body><w:sectPr/></w:body>"),
    "word/styles.xml": _wordprocessing(
        "styles",
        "<w:docDefaults><w:rPrDefault><w:rPr/></w:rPrDefault><w:pPrDefault><w:pPr/></w:pPrDefault></w:docDefaults>"
        '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/><w:qFormat/></w:style>'
        '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont"><w:name w:val="Default Paragraph Font"/>'
        '<w:uiPriority w:val="1"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'
        '<w:style w:type="table" w:default="1" w:styleId="TableNormal"><w:name w:val="Normal Table"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
        '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        '<w:right w:w="108" w:type="dxa"/></w:tblCellMar></w:tblPr></w:style>'
        '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
        '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/></w:style>'),
    "word/settings.xml": _wordprocessing(
        "settings",
        '<w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/><w:characterSpacingControl w:val="doNotCompress"/>'
        f'<w:compat>{_COMPAT}</w:compat><w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>'),
    "word/numbering.xml": _wordprocessing("numbering", ""),
    FONT_TABLE: _wordprocessing("fonts", ""),
}


@cache
def base_template() -> bytes:
    """The base template as the bytes of a .docx."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, text in BASE_PARTS.items():
            z.writestr(zipfile.ZipInfo(name, ZIP_DATE), text.encode("utf-8"), compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def new_document():
    """An empty python-docx Document on the base template."""
    return docx.Document(io.BytesIO(base_template()))


def save(document, target: Path, known_fonts: Mapping[str, Mapping[str, str]]) -> None:
    """Save with the font table of the fonts the parts name and fixed zip entry times, so that
    the same HTML gives the same bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        parts = {info.filename: source.read(info.filename) for info in source.infolist()}
    parts[FONT_TABLE] = font_table(parts, known_fonts)
    with zipfile.ZipFile(target, "w") as out:
        for name, data in parts.items():
            out.writestr(zipfile.ZipInfo(name, ZIP_DATE), data, compress_type=zipfile.ZIP_DEFLATED)


def font_table(parts: Mapping[str, bytes], known_fonts: Mapping[str, Mapping[str, str]]) -> bytes:
    """word/fontTable.xml: every font the WordprocessingML parts name (w:rFonts), sorted, with its
    character set (GB2312 for a font that sets East Asian text, else ANSI) and, for the fonts of
    `known_fonts` (word-styles.yaml), the PANOSE number, family and pitch by which Word and WPS
    choose a substitute on a machine without the font."""
    charsets: dict[str, str] = {}
    for name, data in parts.items():
        if name.startswith("word/") and name.endswith(".xml") and name != FONT_TABLE:
            for rfonts in etree.fromstring(data).iter(f"{{{W_NS}}}rFonts"):
                for attribute, font in rfonts.items():
                    if attribute == EAST_ASIAN_FONT:
                        charsets[font] = GB2312_CHARSET
                    elif attribute in OTHER_FONTS:
                        charsets.setdefault(font, ANSI_CHARSET)
    root = etree.Element(f"{{{W_NS}}}fonts", nsmap={"w": W_NS})
    for font, charset in sorted(charsets.items()):
        element = etree.SubElement(root, f"{{{W_NS}}}font", {f"{{{W_NS}}}name": font})
        known = known_fonts.get(font, {})
        for tag, value in (("panose1", known.get("panose")), ("charset", charset), ("family", known.get("family")),
                           ("pitch", known.get("pitch"))):  # schema order
            if value is not None:
                etree.SubElement(element, f"{{{W_NS}}}{tag}", {f"{{{W_NS}}}val": str(value)})
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
