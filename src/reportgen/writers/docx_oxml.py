"""Raw WordprocessingML for what python-docx has no API for; the only module of the writer that
builds the document's XML by hand (East Asian fonts, w:lang, style aliases, fields, table rows,
sections, footers, numbering, alt text of pictures). The package's other parts are docx_package's."""
from __future__ import annotations

from copy import deepcopy
from functools import cache
from typing import NamedTuple, Sequence

from docx.enum.section import WD_HEADER_FOOTER, WD_ORIENT
from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.shared import Twips
from lxml import etree

# Schema order of the children of w:pPr and w:rPr (ECMA-376 CT_PPrBase, CT_RPr): Word rejects
# files whose properties are out of order.
PPR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr"
    " shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE"
    " autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents"
    " suppressOverlap jc textDirection textAlignment textboxTightWrap outlineLvl divId cnfStyle"
    " rPr sectPr pPrChange"
).split()
RPR_ORDER = (
    "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof"
    " snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd"
    " fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
).split()
SECTPR_ORDER = (
    "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType"
    " pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid"
    " printerSettings sectPrChange"
).split()
HEADER_DISTANCE = 851  # 1.5 cm, Word's default on A4: the documents have no headers, w:pgMar wants it
BREAK = None  # a line break in a run list (see add_runs)
TAB = "\t"  # a tab in a run list: to the paragraph's next tab stop (see add_runs)

_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


class PageGeometry(NamedTuple):
    """A page in twips: size, margins and whether it lies on its side."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    right: int
    landscape: bool = False

    @property
    def text_width(self) -> int:
        return self.width - self.left - self.right


class Cell(NamedTuple):
    """One table cell: paragraph style id, runs (see add_runs), the columns it spans, and whether
    it starts ("restart") or continues ("continue") a cell spanning rows."""

    style_id: str
    runs: list
    span: int = 1
    merge: str | None = None


def _set(parent, tag: str, order: Sequence[str], **attrs) -> object:
    """Replace `parent`'s child w:`tag` by a new one with w: attributes, in schema order."""
    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    element = OxmlElement(f"w:{tag}", {qn(f"w:{k}"): str(v) for k, v in attrs.items()})
    later = order[order.index(tag) + 1:]
    parent.insert_element_before(element, *(f"w:{name}" for name in later))
    return element


def _ppr(style):
    return style.element.get_or_add_pPr()


def _rpr(style):
    return style.element.get_or_add_rPr()


# --- styles -------------------------------------------------------------------------------

def set_doc_defaults(styles_element, latin: str, east_asian: str, lang: str, east_asian_lang: str) -> None:
    """Fonts and languages of docDefaults; paragraph defaults single-spaced, no space before or after."""
    defaults = styles_element.find(qn("w:docDefaults"))
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _set_fonts(rpr, latin, east_asian)
    _set(rpr, "lang", RPR_ORDER, val=lang, eastAsia=east_asian_lang, bidi="ar-SA")
    ppr = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}")
    _set(ppr, "spacing", PPR_ORDER, before=0, after=0, line=240, lineRule="auto")


def set_auto_hyphenation(settings_element) -> None:
    """Hyphenate English text as the PDF does (CSS hyphens: auto); settings.xml wants it right
    after w:defaultTabStop."""
    if settings_element.find(qn("w:autoHyphenation")) is None:
        tab = settings_element.find(qn("w:defaultTabStop"))
        element = OxmlElement("w:autoHyphenation")
        if tab is not None:
            tab.addnext(element)
        else:
            settings_element.insert(0, element)


def set_fonts(style, latin: str, east_asian: str, east_asian_hint: bool = False) -> None:
    """w:rFonts with the Latin font in ascii/hAnsi/cs and the Chinese font in eastAsia."""
    _set_fonts(_rpr(style), latin, east_asian, east_asian_hint)


def _set_fonts(rpr, latin: str, east_asian: str, east_asian_hint: bool = False) -> None:
    hint = {"hint": "eastAsia"} if east_asian_hint else {}
    _set(rpr, "rFonts", RPR_ORDER, ascii=latin, hAnsi=latin, eastAsia=east_asian, cs=latin, **hint)


def set_color(style, color: str) -> None:
    """Text colour, "auto" or RRGGBB."""
    _set(_rpr(style), "color", RPR_ORDER, val=color)


def set_bold(style, bold: bool) -> None:
    """Bold on or off, for Latin/CJK and complex scripts alike."""
    rpr = _rpr(style)
    for tag in ("b", "bCs"):
        element = _set(rpr, tag, RPR_ORDER)
        if not bold:
            element.set(qn("w:val"), "0")


def set_italic(style, italic: bool) -> None:
    rpr = _rpr(style)
    for tag in ("i", "iCs"):
        element = _set(rpr, tag, RPR_ORDER)
        if not italic:
            element.set(qn("w:val"), "0")


def set_char_spacing(style, points: float) -> None:
    """Letter spacing in points (w:spacing in twentieths of a point)."""
    _set(_rpr(style), "spacing", RPR_ORDER, val=round(points * 20))


def set_indents(style, size_pt: float, first_line: float | None = None, left: float | None = None,
                right: float | None = None) -> None:
    """Indents in characters: w:*Chars (hundredths of a character) for Word, and twips of the
    style's size for readers that ignore them; a negative first line is a hanging indent."""
    attrs = {}
    if first_line is not None and first_line < 0:
        first, first_line = "hanging", -first_line
    else:
        first = "firstLine"
    for name, chars in ((first, first_line), ("left", left), ("right", right)):
        if chars is not None:
            attrs[name] = round(chars * size_pt * 20)
            attrs[f"{name}Chars"] = round(chars * 100)
    _set(_ppr(style), "ind", PPR_ORDER, **attrs)


def set_aliases(style, aliases: str) -> None:
    """The style's other name (w:aliases), which Word shows after its name: "附件标题,Attachment Title"."""
    style.element.name.addnext(OxmlElement("w:aliases", {qn("w:val"): aliases}))


def number_list_style(style, numbering, kind: str) -> None:
    """Number the paragraphs of a list style: a numbering of one level in `numbering`
    (word/numbering.xml), "bullet" (•) or "decimal" (1.), its marker at the paragraph's first line
    and its text at the paragraph's indent: the level has the style's hanging indent, which
    LibreOffice takes from the level, not the style, for a list the writer restarts."""
    abstract_id = len(numbering.findall(qn("w:abstractNum")))
    abstract = OxmlElement("w:abstractNum", {qn("w:abstractNumId"): str(abstract_id)})
    _sub(abstract, "multiLevelType", val="singleLevel")
    lvl = _sub(abstract, "lvl", ilvl=0)
    _sub(lvl, "start", val=1)
    _sub(lvl, "numFmt", val=kind)
    _sub(lvl, "pStyle", val=style.style_id)
    _sub(lvl, "lvlText", val="•" if kind == "bullet" else "%1.")
    _sub(lvl, "lvlJc", val="left")
    _sub(lvl, "pPr").append(deepcopy(_ppr(style).find(qn("w:ind"))))
    first_num = numbering.find(qn("w:num"))
    if first_num is None:
        numbering.append(abstract)
    else:
        first_num.addprevious(abstract)  # every w:abstractNum before the first w:num
    numpr = _ppr(style).get_or_add_numPr()
    numpr.get_or_add_numId().val = numbering.add_num(abstract_id).numId


def set_outline_level(style, level: int) -> None:
    _set(_ppr(style), "outlineLvl", PPR_ORDER, val=level)


def set_snap_to_grid(style, snap: bool) -> None:
    """Whether lines snap to the document grid (off for table cells and footers)."""
    _set(_ppr(style), "snapToGrid", PPR_ORDER, val=int(snap))


def set_borders(style, **rules: dict) -> None:
    """Rules above (top) and below (bottom) the paragraph: each {color, width_pt, space_pt}."""
    pbdr = _set(_ppr(style), "pBdr", PPR_ORDER)
    for side in ("top", "bottom"):  # schema order
        if side in rules:
            rule = rules[side]
            pbdr.append(OxmlElement(f"w:{side}", {qn("w:val"): "single", qn("w:sz"): str(round(rule["width_pt"] * 8)),
                                                 qn("w:space"): str(round(rule.get("space_pt", 0))),
                                                 qn("w:color"): rule.get("color", "auto")}))


def set_right_tab(style, position: int) -> None:
    """A right-aligned tab stop at `position` twips from the left indent's origin (the margin)."""
    tabs = _set(_ppr(style), "tabs", PPR_ORDER)
    tabs.append(OxmlElement("w:tab", {qn("w:val"): "right", qn("w:pos"): str(position)}))


def set_paragraph_indents(p, right: int, right_chars: int, space_before: int | None = None) -> None:
    """A paragraph's own right indent (twips and hundredths of a character) and space before
    (twips): the signature block, whose indents follow from its lines' widths."""
    ppr = p.get_or_add_pPr()
    if space_before is not None:
        _set(ppr, "spacing", PPR_ORDER, before=space_before)
    _set(ppr, "ind", PPR_ORDER, right=right, rightChars=right_chars)


def set_paragraph_tabs(p, centres: Sequence[int], space_before: int) -> None:
    """A paragraph's own centre tab stops (twips from the left indent's origin) and space before:
    a row of signatures, whose stops follow from the date's width."""
    ppr = p.get_or_add_pPr()
    tabs = _set(ppr, "tabs", PPR_ORDER)
    for position in centres:
        tabs.append(OxmlElement("w:tab", {qn("w:val"): "center", qn("w:pos"): str(position)}))
    _set(ppr, "spacing", PPR_ORDER, before=space_before)


def start_on_even_page(sectpr) -> None:
    """The section starts on an even page (Word and LibreOffice insert a blank page if needed)."""
    _set(sectpr, "type", SECTPR_ORDER, val="evenPage")


def fill_footer(ftr, tbl, anchor_style_id: str) -> None:
    """A footer holding a table and the paragraph a footer must end with (in `anchor_style_id`:
    one point high, so that the table's bottom stays at the footer's)."""
    for old in list(ftr):
        ftr.remove(old)
    ftr.append(tbl)
    _sub(_sub(_sub(ftr, "p"), "pPr"), "pStyle", val=anchor_style_id)


def set_no_hyphenation(style) -> None:
    _set(_ppr(style), "suppressAutoHyphens", PPR_ORDER)


def set_table_rules(style, top: float, bottom: float, inside: float) -> None:
    """A table style of horizontal rules only: above, below and between rows (widths in points),
    no cell margins at the sides (the paragraphs' indents place the text)."""
    tblpr = OxmlElement("w:tblPr")
    borders = OxmlElement("w:tblBorders")
    for side, width in (("top", top), ("bottom", bottom), ("insideH", inside)):
        borders.append(OxmlElement(f"w:{side}", {qn("w:val"): "single", qn("w:sz"): str(round(width * 8)),
                                                 qn("w:space"): "0", qn("w:color"): "auto"}))
    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(OxmlElement(f"w:{side}", {qn("w:w"): "0", qn("w:type"): "dxa"}))
    tblpr.append(borders)
    tblpr.append(margins)
    style.element.append(tblpr)  # after w:pPr/w:rPr, as the schema wants


def set_table_grid(style, width_pt: float) -> None:
    """A table style with a full single-line grid and vertically centred cells."""
    element = style.element
    tblpr = OxmlElement("w:tblPr")
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(OxmlElement(f"w:{side}", {qn("w:val"): "single", qn("w:sz"): str(round(width_pt * 8)),
                                                 qn("w:space"): "0", qn("w:color"): "auto"}))
    tblpr.append(borders)
    tcpr = OxmlElement("w:tcPr")
    tcpr.append(OxmlElement("w:vAlign", {qn("w:val"): "center"}))
    element.append(tblpr)  # after w:pPr/w:rPr, as the schema wants
    element.append(tcpr)


# --- sections and footers -----------------------------------------------------------------

def set_page(section, page: PageGeometry, footer_distance: int, grid: tuple[int, int]) -> None:
    """Page size, orientation, margins, footer distance and the document grid of a section
    (line pitch in twips, character space in 1/4096 pt beyond Normal's size)."""
    section.orientation = WD_ORIENT.LANDSCAPE if page.landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Twips(page.width), Twips(page.height)
    section.top_margin, section.bottom_margin = Twips(page.top), Twips(page.bottom)
    section.left_margin, section.right_margin = Twips(page.left), Twips(page.right)
    section.header_distance, section.footer_distance, section.gutter = Twips(HEADER_DISTANCE), Twips(footer_distance), Twips(0)
    sectpr = section._sectPr
    for old in sectpr.findall(qn("w:docGrid")):
        sectpr.remove(old)
    # w:docGrid is the last child of w:sectPr except w:printerSettings / w:sectPrChange.
    sectpr.insert_element_before(OxmlElement("w:docGrid", {qn("w:type"): "linesAndChars", qn("w:linePitch"): str(grid[0]),
                                                             qn("w:charSpace"): str(grid[1])}),
                                 "w:printerSettings", "w:sectPrChange")


def end_section(body) -> None:
    """Close the current section at the last paragraph: it gets a copy of the document's final
    w:sectPr (same footers), which then describes the new section that follows."""
    sectpr = body.get_or_add_sectPr()
    last = sectpr.getprevious()
    if last is None or last.tag != qn("w:p"):  # a table cannot carry a section break
        last = body.add_p()
    last.set_sectPr(sectpr.clone())


def footer_references(sectpr) -> dict[str, str]:
    """A section's footers: w:type ("default" = odd pages, "even") → relationship id."""
    return {ref.get(qn("w:type")): ref.get(qn("r:id")) for ref in sectpr.findall(qn("w:footerReference"))}


def set_footer_references(sectpr, footers: dict[str, str]) -> None:
    """Make a section use the footers `footers` (w:type → relationship id) and no others."""
    for old in sectpr.findall(qn("w:footerReference")):
        sectpr.remove(old)
    for kind, rid in footers.items():
        sectpr.add_footerReference(WD_HEADER_FOOTER.EVEN_PAGE if kind == "even" else WD_HEADER_FOOTER.PRIMARY, rid)


class Box(NamedTuple):
    """A rectangle on the page in twips, from the page's top left corner."""

    x: int
    y: int
    width: int
    height: int


def add_side_page_field(ftr, box: Box, paragraph_style: str, char_style: str) -> None:
    """Put "— N —" (see add_page_field), in a paragraph of style `paragraph_style`, into a table of
    one cell floating at `box` on the page, before the footer's paragraph: the cell's text runs down
    the page (tbRl, glyph tops to the right, as the sheet turned anticlockwise reads it); no borders,
    no cell margins, the row exactly the box's height. A cell's text direction survives LibreOffice
    saving the file through ODF; a text box's vertical text (wps:bodyPr vert) comes back horizontal,
    the number stacked in the narrow box (docs/layout.md, "Landscape page numbers")."""
    tbl = etree.Element(_w("tbl"))
    ftr.insert(0, tbl)
    tblpr = _sub(tbl, "tblPr")
    _sub(tblpr, "tblpPr", leftFromText=0, rightFromText=0, topFromText=0, bottomFromText=0, vertAnchor="page",
         horzAnchor="page", tblpX=box.x, tblpY=box.y)
    _sub(tblpr, "tblW", w=box.width, type="dxa")
    _sub(tblpr, "tblLayout", type="fixed")
    margins = _sub(tblpr, "tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        _sub(margins, side, w=0, type="dxa")
    _sub(_sub(tbl, "tblGrid"), "gridCol", w=box.width)
    tr = _sub(tbl, "tr")
    _sub(_sub(tr, "trPr"), "trHeight", val=box.height, hRule="exact")
    tc = _sub(tr, "tc")
    tcpr = _sub(tc, "tcPr")
    _sub(tcpr, "tcW", w=box.width, type="dxa")
    _sub(tcpr, "textDirection", val="tbRl")
    p = _sub(tc, "p")
    _sub(_sub(p, "pPr"), "pStyle", val=paragraph_style)
    add_page_field(p, char_style)


def add_page_field(p, style_id: str) -> None:
    """"— N —" into the w:p `p`: a PAGE field between em dashes, every run in the character
    style `style_id`."""
    for kind, value in (("t", "— "), ("fldChar", "begin"), ("instrText", " PAGE "),
                        ("fldChar", "separate"), ("t", "1"), ("fldChar", "end"), ("t", " —")):
        r = _sub(p, "r")
        _sub(_sub(r, "rPr"), "rStyle", val=style_id)
        if kind == "fldChar":
            _sub(r, "fldChar", fldCharType=value)
        else:
            _sub(r, kind, preserve=True).text = value


# --- pictures -------------------------------------------------------------------------------

def describe_picture(inline, shape_id: int, text: str) -> None:
    """Give an inline picture (wp:inline) its alt text, in wp:docPr's descr (what Word shows as
    Alt Text and screen readers read) and title, and a drawing id unique in the document."""
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("id", str(shape_id))
    doc_pr.set("name", f"Chart {shape_id}")
    doc_pr.set("descr", text)
    doc_pr.set("title", text)


# --- paragraphs, lists and tables ---------------------------------------------------------

def add_runs(p, runs: Sequence) -> None:
    """Append runs to a w:p: each item is (text, character style id or None[, letter spacing in
    twentieths of a point]), BREAK or TAB."""
    for item in runs:
        r = _sub(p, "r")
        if item is BREAK or item is TAB:
            _sub(r, "br" if item is BREAK else "tab")
            continue
        text, char_style, *spacing = item
        if char_style or spacing:
            rpr = _sub(r, "rPr")
            if char_style:
                _sub(rpr, "rStyle", val=char_style)
            if spacing:
                _sub(rpr, "spacing", val=spacing[0])
        t = _sub(r, "t", preserve=True)
        t.text = text


def _sub(parent, tag: str, preserve: bool = False, **attrs):
    """Append a child element w:`tag` with w: attributes (plain lxml: fast)."""
    attrib = {_w(k): str(v) for k, v in attrs.items()}
    if preserve:
        attrib[_SPACE] = "preserve"
    return etree.SubElement(parent, _w(tag), attrib)


@cache
def _w(name: str) -> str:
    return qn(f"w:{name}")


def restart_numbering(document, style, start: int = 1) -> int | None:
    """A new w:num for the list style's numbering, counting from `start`; its id, or None when
    the style is not numbered."""
    ppr = style.element.pPr
    numpr = ppr.numPr if ppr is not None else None
    if numpr is None or numpr.numId is None:
        return None
    numbering = document.part.numbering_part.element
    abstract_id = numbering.num_having_numId(numpr.numId.val).abstractNumId.val
    num = numbering.add_num(abstract_id)
    num.add_lvlOverride(ilvl=0).add_startOverride(start)
    return num.numId


def set_numbering(paragraph, num_id: int) -> None:
    """Attach a paragraph to the list `num_id` (level 0)."""
    numpr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
    numpr.get_or_add_ilvl().val = 0
    numpr.get_or_add_numId().val = num_id


def new_table(style_id: str, widths: Sequence[int]):
    """An empty w:tbl of fixed column widths (twips) in the table style `style_id`; a plain lxml
    element, without python-docx's element classes, so that 10,000 rows take about a second."""
    tbl = etree.Element(_w("tbl"), nsmap={"w": nsmap["w"]})
    tblpr = _sub(tbl, "tblPr")
    _sub(tblpr, "tblStyle", val=style_id)
    _sub(tblpr, "tblW", w=sum(widths), type="dxa")
    _sub(tblpr, "tblLayout", type="fixed")
    _sub(tblpr, "tblLook", val="04A0", firstRow=1, lastRow=0, firstColumn=0, lastColumn=0,
         noHBand=1, noVBand=1)
    grid = _sub(tbl, "tblGrid")
    for width in widths:
        _sub(grid, "gridCol", w=width)
    return tbl


def add_row(tbl, cells: Sequence[Cell], widths: Sequence[int], header: bool, split: bool = False) -> None:
    """Append a row that never splits across pages (unless `split`); header rows repeat on every page."""
    tr = _sub(tbl, "tr")
    trpr = _sub(tr, "trPr")
    if not split:
        _sub(trpr, "cantSplit")
    if header:
        _sub(trpr, "tblHeader")
    column = 0
    for cell in cells:
        tc = _sub(tr, "tc")
        tcpr = _sub(tc, "tcPr")
        _sub(tcpr, "tcW", w=sum(widths[column:column + cell.span]), type="dxa")
        if cell.span > 1:
            _sub(tcpr, "gridSpan", val=cell.span)
        if cell.merge:
            _sub(tcpr, "vMerge", **({"val": "restart"} if cell.merge == "restart" else {}))
        column += cell.span
        p = _sub(tc, "p")
        _sub(_sub(p, "pPr"), "pStyle", val=cell.style_id)
        add_runs(p, cell.runs)


def center_table(tbl) -> None:
    """Centre a table between the margins and its cells' text vertically."""
    tblpr = tbl.find(_w("tblPr"))
    tblpr.find(_w("tblW")).addnext(etree.Element(_w("jc"), {_w("val"): "center"}))
    for tcpr in tbl.iter(_w("tcPr")):
        _sub(tcpr, "vAlign", val="center")
