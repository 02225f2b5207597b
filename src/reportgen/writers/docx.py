"""The DOCX writer: walks the semantic HTML (docs/html-vocabulary.md) into python-docx, giving
every paragraph and run a named Word style of word-styles.yaml (templates.py); raw XML lives in
docx_oxml, the package around the document (base template, font table) in docx_package."""
from __future__ import annotations

import io
import math
import re
import unicodedata
from pathlib import Path

import lxml.etree
import lxml.html
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.image.exceptions import InvalidImageStreamError, UnexpectedEndOfFileError, UnrecognizedImageError
from docx.shared import Emu, Pt, Twips

from ..errors import Location, Problem, WriterError
from ..fonts import official_names
from ..messages import _
from ..templates import PACKAGE_TEMPLATES, Templates
from . import docx_charts
from . import docx_oxml as oxml
from . import docx_package, punctuation
from .columns import column_widths
from .docx_oxml import BREAK, TAB, Box, Cell, PageGeometry
from .pdf import read_data_url
from .properties import Properties, read_properties

# GB/T 9704: A4; margins top 37 mm, bottom 35 mm, left (binding) 28 mm, right 26 mm; type area
# 156 × 225 mm.
PORTRAIT = PageGeometry(width=11906, height=16838, top=2098, bottom=1984, left=1588, right=1474)
# Landscape pages keep the 225 × 156 mm type area, turned a quarter counter-clockwise as printers
# turn them: the binding edge of the sheet (28 mm) is the top, its opposite (26 mm) the bottom, the
# sheet's bottom (35 mm) the left and its top (37 mm) the right — as the PDF's CSS does. (The brief
# suggested left 37 / right 35 mm; the difference is 2 mm and this keeps both formats alike.)
LANDSCAPE = PageGeometry(width=16838, height=11906, top=1588, bottom=1474, left=1984, right=2098,
                         landscape=True)
# The page number's dashes (一字线) sit 7 mm below the type area (§7.5), whose bottom edge is 35 mm
# above the page's: at 28 mm. Word measures the footer distance from the page edge to the bottom of
# the footer; in the single-spaced 14 pt footer line the dash's centre lies 2.22 mm above that bottom
# (measured in LibreOffice's rendering, 宋体 served by Noto Serif CJK SC): 25.78 mm = 1462 twips.
FOOTER_DISTANCE = 1462
# A landscape page's number stays where it is on the portrait sheet (§7.2), as the PDF's CSS puts it
# (@page landscape:right/left): an odd page is the sheet turned anticlockwise, its number reading
# down the left margin; an even page is turned clockwise, its number reading up the right margin. The
# tops of the glyphs face the type area, the 14 pt line beside them, its dashes 7 mm from the type
# area: the dash's centre lies 3.45 mm from the line's top edge (measured in LibreOffice), so the
# cell holding the number keeps 3.55 mm from the type area. The cell ends level with the type area's
# bottom, and the indents of Footer Odd / Footer Even keep the number one character above that, as on
# a portrait page.
EMU_PER_TWIP, EMU_PER_MM, TWIPS_PER_MM = 635, 36000, 1440 / 25.4
SIDE_NUMBER_GAP = round(3.55 * TWIPS_PER_MM)
SIDE_NUMBER_LINE = 14 * 20  # twips
SIDE_NUMBER_LENGTH = round(60 * TWIPS_PER_MM)
LINE_PITCH = 579  # 28.95 pt: 22 lines fill the 225 mm type area
# w:docGrid: 22 lines of LINE_PITCH and 28 characters of 15.79 pt, Normal's 16 pt less 849/4096 pt
# (Word's Page Setup then shows 22 × 28). Normal does not snap to it: its letter spacing sets 28
# to the line in Word and LibreOffice alike (docs/layout.md, "The DOCX grid").
GRID = (LINE_PITCH, math.floor((PORTRAIT.text_width / 20 / 28 - 16) * 4096))
ISSUER_TOP_PT = 99.2  # the issuer mark's top edge 35 mm below the type area's top (§7.2.3)
FIRST_PICTURE_ID = 1  # wp:docPr id of the first chart
RASTER_TYPES = ("image/png", "image/jpeg")  # what a chart's data-raster may hold
_MM = re.compile(r"\s*(\d+(?:\.\d+)?)\s*mm\s*")

HEADINGS = {"h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3", "h5": "Heading 4"}
PARAGRAPHS = {"draft": "Draft Banner", "copy-number": "Copy Number", "secrecy": "Secrecy", "urgency": "Urgency",
              "issuer": "Issuer", "addressee": "Main Addressee", "note": "Note", "attachment-label": "Attachment Label",
              "unit": "Unit Line", "review-note": "Review Note", "review-summary": "Review Note"}
NUMBERS = {"upward": "Document Number Upward", "ruled": "Document Number"}  # <p class="doc-number …">
ATTACHMENT_ITEMS = {"first": "Attachment List", "next": "Attachment List Next", "single": "Attachment List Single"}
NBSP = "\u00a0"
ENGLISH_CLOSING = 0.65  # the most of the line an English signature block takes (CSS: .closing max-width)
INLINE = {"strong": "Strong", "em": "Emphasis", "code": "Code", "a": None}
SPANS = {"signer": "Signer", "untranslated": "State Untranslated", "needs-review": "State Needs Review",
         "translated": "State Translated", "approved": "State Approved"}  # <span class="…"> in a character style
CELLS = {"num": "Table Number", "center": "Table Center"}
STYLE_TYPES = {"paragraph": WD_STYLE_TYPE.PARAGRAPH, "character": WD_STYLE_TYPE.CHARACTER,
               "table": WD_STYLE_TYPE.TABLE}
STYLE_KEYS = set(
    "name name_zh type based_on next gallery font latin_font east_asian_hint size_pt bold italic color"
    " char_spacing_pt align first_line_chars left_chars right_chars line_exact_pt line_multiple"
    " space_before_pt space_after_pt keep_with_next keep_together page_break_before widow_control"
    " snap_to_grid outline_level borders right_tab hyphenate numbering grid_width_pt rules en".split()
)
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
         "right": WD_ALIGN_PARAGRAPH.RIGHT, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}

_WHITE = re.compile(r"[ \t\n\r\f]+")
_CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u9fff\uf900-\ufaff\uff00-\uffef"
_CJK_LINE_BREAK = re.compile(rf"(?<=[{_CJK}])[ \t\r\f]*\n[ \t\n\r\f]*(?=[{_CJK}])")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def write_docx(html: str, target: Path, templates_dir: Path = PACKAGE_TEMPLATES, content_dir: Path | None = None) -> None:
    """Write the DOCX of one rendered HTML document to `target`; the Word styles and font names are
    the office's (in `content_dir`) or those of `templates_dir`."""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise WriterError(f"cannot parse the HTML for the DOCX writer: {exc}") from None
    body = root.find("body")
    if body is None:
        raise WriterError("the HTML has no <body>")
    styles = load_styles(Templates(templates_dir, content_dir))
    writer = DocxWriter(styles["styles"], official_names(templates_dir, content_dir), root.get("lang") or "zh-CN")
    writer.set_properties(read_properties(root))
    writer.blocks(body)
    docx_package.save(writer.doc, Path(target), styles["fonts"])


def load_styles(templates: Templates) -> dict:
    """word-styles.yaml: its `styles`, with unknown keys refused and every name, English or Chinese,
    used once; and its `fonts`, what the font table says of each font it knows."""
    path = templates.find("word-styles.yaml")
    data = templates.read_yaml("word-styles.yaml") or {}
    specs, fonts = data.get("styles") or [], data.get("fonts") or {}
    names: set[str] = set()
    for spec in specs:
        unknown = set(spec) - STYLE_KEYS
        if unknown or not {"name", "type"} <= set(spec) or spec["type"] not in STYLE_TYPES:
            raise WriterError([Problem(Location(path), _("style {name}: bad or unknown keys {keys}").format(
                name=repr(spec.get("name")), keys=sorted(unknown)))])
        for name in filter(None, (spec["name"], spec.get("name_zh"))):
            if name in names:
                raise WriterError([Problem(Location(path), _(
                    "style name {name} is given twice: each style needs names of its own, English and Chinese").format(name=repr(name)))])
            names.add(name)
    for font, known in fonts.items():
        if not isinstance(known, dict) or set(known) - docx_package.FONT_KEYS:
            raise WriterError([Problem(Location(path), _("font {name}: expected a mapping of some of {keys}").format(
                name=repr(font), keys=", ".join(sorted(docx_package.FONT_KEYS))))])
    return {"styles": specs, "fonts": fonts}


class DocxWriter:
    """One document being written: the styles, the page set-up and the walk over the HTML."""

    def __init__(self, specs: list[dict], font_names: dict[str, str], lang: str):
        self.doc = docx_package.new_document()
        self.lang = lang
        self.zh = lang.lower().startswith("zh")
        self.body = self.doc.element.body
        self.page = self.wanted = PORTRAIT
        self.has_content = self.page_break_pending = self.last_was_table = False
        self.pictures = 0
        self.mark_lines = 0  # lines of 份号, 密级 and 紧急程度 above the issuer mark
        self.define_styles(specs, font_names)
        self.set_up_pages()

    # --- styles and pages -----------------------------------------------------------------

    def define_styles(self, specs: list[dict], font_names: dict[str, str]) -> None:
        """The defaults, and the styles of word-styles.yaml (with the English document's
        overrides: bold headings …), each defined in the document when first used (style): a
        document holds the styles it uses, their bases and next styles, and the four of the base
        template (docx_package), which Word requires."""
        word_lang = "en-US" if self.zh or self.lang.lower() == "en" else self.lang
        oxml.set_doc_defaults(self.doc.styles.element, font_names["latin"], font_names["body"], word_lang,
                              self.lang if self.zh else "zh-CN")
        self.font_names = font_names
        self.specs = {spec["name"]: spec if self.zh else {**spec, **spec.get("en", {})} for spec in specs}
        self.styles = {style.name: style for style in self.doc.styles}  # the base template's
        self.define_style(self.specs["Normal"])

    def style(self, name: str):
        """The style of word-styles.yaml named `name` (its English name), defined on first use."""
        if name not in self.styles:
            if name not in self.specs:
                raise WriterError(f"the Word styles have no style {name!r} (templates/word-styles.yaml)")
            self.define_style(self.specs[name])
        return self.styles[name]

    def style_id(self, name: str) -> str:
        return self.style(name).style_id

    def define_style(self, spec: dict) -> None:
        """A style as word-styles.yaml defines it. Word's own styles (those without name_zh) keep
        their built-in names, which Word shows in the user's language; the project's have their
        Chinese name and the English one as alias (w:aliases) in a Chinese document, the reverse in
        an English one. The style ids stay those of the English names."""
        kind, name = STYLE_TYPES[spec["type"]], spec["name"]
        size_pt = _inherited(name, "size_pt", self.specs, 16)
        style = self.styles.get(name)  # Normal: the base template's
        if style is None:
            style = self.styles[name] = self.doc.styles.add_style(name, kind, builtin="name_zh" not in spec)
        if style.type != kind:
            raise WriterError(f"word-styles.yaml: {name!r} is not a {spec['type']} style in the base template")
        if "name_zh" in spec:
            style.name, aliases = (spec["name_zh"], name) if self.zh else (name, spec["name_zh"])
            oxml.set_aliases(style, aliases)
        if "based_on" in spec:
            style.base_style = self.style(spec["based_on"])
        if "next" in spec:
            style.next_paragraph_style = self.style(spec["next"])
        if spec.get("gallery"):
            style.quick_style = True
        if "font" in spec or "latin_font" in spec:
            oxml.set_fonts(style, spec.get("latin_font", self.font_names["latin"]), self.font_names[spec.get("font", "body")],
                           spec.get("east_asian_hint", False))
        if "size_pt" in spec:
            style.font.size = Pt(spec["size_pt"])
        for key, setter in (("bold", oxml.set_bold), ("italic", oxml.set_italic), ("color", oxml.set_color),
                            ("char_spacing_pt", oxml.set_char_spacing)):
            if key in spec:
                setter(style, spec[key])
        if kind == WD_STYLE_TYPE.CHARACTER:
            return
        fmt = style.paragraph_format
        if "align" in spec:
            fmt.alignment = ALIGN[spec["align"]]
        if "line_exact_pt" in spec:
            fmt.line_spacing, fmt.line_spacing_rule = Pt(spec["line_exact_pt"]), WD_LINE_SPACING.EXACTLY
        if "line_multiple" in spec:
            fmt.line_spacing = spec["line_multiple"]
        for key, attr in (("space_before_pt", "space_before"), ("space_after_pt", "space_after")):
            if key in spec:
                setattr(fmt, attr, Pt(spec[key]))
        for key in ("keep_with_next", "keep_together", "page_break_before", "widow_control"):
            if key in spec:
                setattr(fmt, key, spec[key])
        indents = {k: spec.get(f"{k}_chars") for k in ("first_line", "left", "right")}
        if any(v is not None for v in indents.values()):
            oxml.set_indents(style, size_pt, **indents)
        if "outline_level" in spec:
            oxml.set_outline_level(style, spec["outline_level"])
        if "snap_to_grid" in spec:
            oxml.set_snap_to_grid(style, spec["snap_to_grid"])
        if "borders" in spec:
            oxml.set_borders(style, **spec["borders"])
        if "right_tab" in spec:  # characters from the right edge of a portrait page's text
            oxml.set_right_tab(style, PORTRAIT.text_width - round(spec["right_tab"] * size_pt * 20))
        if spec.get("hyphenate") is False:
            oxml.set_no_hyphenation(style)
        if "grid_width_pt" in spec:
            oxml.set_table_grid(style, spec["grid_width_pt"])
        if "rules" in spec:
            oxml.set_table_rules(style, **spec["rules"])
        if "numbering" in spec:
            oxml.number_list_style(style, self.doc.part.numbering_part.element, spec["numbering"])

    def set_up_pages(self) -> None:
        """A4 portrait, the line grid, and footers "— N —" right on odd pages, left on even ones;
        each later section gets the footers of its orientation (use_footers)."""
        section = self.doc.sections[0]
        oxml.set_page(section, PORTRAIT, FOOTER_DISTANCE, GRID)
        self.doc.settings.odd_and_even_pages_header_footer = True
        if not self.zh:
            oxml.set_auto_hyphenation(self.doc.settings.element)
        self.footers: dict[bool, dict[str, str]] = {}  # landscape? → {w:type: relationship id}
        self.use_footers(section, landscape=False)

    def use_footers(self, section, landscape: bool) -> None:
        """Give a section the portrait or the landscape footers, made on first use. Footers that
        no section uses any more (the portrait ones of a document that starts landscape) go."""
        if landscape not in self.footers:
            self.footers[landscape] = self.make_footers(landscape)
        oxml.set_footer_references(section._sectPr, self.footers[landscape])
        used = {rid for s in self.doc.sections for rid in oxml.footer_references(s._sectPr).values()}
        for kind, footers in list(self.footers.items()):
            if used.isdisjoint(footers.values()):
                for rid in footers.values():
                    self.doc.part.drop_rel(rid)
                del self.footers[kind]

    def make_footers(self, landscape: bool) -> dict[str, str]:
        """New odd ("default") and even footers: "— N —" in the footer paragraph, or for landscape
        pages in a table cell floating in the side margin, its text turned, before a footer
        paragraph one point high (side_number_boxes)."""
        footers = {}
        for kind, style in (("default", "Footer Odd"), ("even", "Footer Even")):
            part, footers[kind] = self.doc.part.add_footer_part()
            p = part.element.p_lst[0]
            p.style = self.style_id("Footer Anchor" if landscape else style)
            if landscape:
                oxml.add_side_page_field(part.element, side_number_boxes(LANDSCAPE)[kind], self.style_id(style), self.style_id("Page Number"))
            else:
                oxml.add_page_field(p, self.style_id("Page Number"))
        return footers

    def set_properties(self, props: Properties) -> None:
        """Core properties from <title> and <meta> (writers/properties.py: the same as the PDF's),
        each cut to the 255 characters a core property holds (a review copy's bilingual title
        is longer)."""
        core = self.doc.core_properties
        core.title = _fit(props.title)
        core.author = core.last_modified_by = _fit(props.author)
        core.subject = _fit(props.subject)
        core.keywords = _fit(props.keywords_text)
        core.comments = _fit(props.description)
        core.language = props.language
        core.category = ""
        core.created = core.modified = props.created
        core.revision = 1

    # --- blocks ----------------------------------------------------------------------------

    def blocks(self, parent) -> None:
        """Walk the block elements under `parent`; loose text there has no place in a document."""
        _no_text(parent.text, parent)
        for child in parent:
            if isinstance(child.tag, str):  # comments and processing instructions are skipped
                self.block(child)
            _no_text(child.tail, parent)

    def block(self, el) -> None:
        tag, classes = el.tag, el.get("class", "").split()
        if tag == "header":
            self.blocks(el)
        elif tag == "div" and "doc-marks" in classes:
            self.blocks(el)
            self.mark_lines = len(list(_elements(el)))
        elif tag == "div" and "issuer-mark" in classes:
            self.issuer_mark(el)
        elif tag == "div" and "attachment-list" in classes:
            for item in _elements(el):
                style = next((ATTACHMENT_ITEMS[c] for c in item.get("class", "").split() if c in ATTACHMENT_ITEMS), None)
                if item.tag != "p" or style is None:
                    raise _unsupported(item)
                self.paragraph(style, self.runs(item))
        elif tag == "div" and "closing" in classes:
            self.closing(el, seal="seal" in classes)
        elif tag == "footer" and "imprint" in classes:
            self.imprint(el)
        elif tag == "section" and ("attachment" in classes or "issued" in classes):
            self.attachment(el)
        elif tag == "p" and "doc-number" in classes:
            self.paragraph(next((NUMBERS[c] for c in classes if c in NUMBERS), "Document Number Plain"), self.runs(el))
        elif tag == "h1" and "doc-title" in classes:
            self.paragraph("Title", self.runs(el))
        elif tag == "h1" and "attachment-title" in classes:
            self.paragraph("Attachment Title", self.runs(el))
        elif tag in HEADINGS:
            self.paragraph(("Review " if "review-heading" in classes else "") + HEADINGS[tag], self.runs(el))
        elif tag == "p":
            style = next((PARAGRAPHS[c] for c in classes if c in PARAGRAPHS), "Body Text")
            self.paragraph(style, self.runs(el))
        elif tag in ("ul", "ol"):
            self.list(el, depth=1)
        elif tag == "table" and "data" in classes:
            self.table(el)
        elif tag == "figure" and "chart" in classes:
            self.figure(el)
        else:
            raise _unsupported(el)

    def issuer_mark(self, el) -> None:
        """The red issuer mark, its top edge 35 mm below the type area's top (the lines of 份号,
        密级 and 紧急程度 above it count in), in the size its length asks for (class long,
        longer); joint issuers stacked, with "文件" in a borderless table: the names in one cell,
        the word beside them vertically centred."""
        classes = el.get("class", "").split()
        style = "Issuer Longer" if "longer" in classes else "Issuer Long" if "long" in classes else "Issuer"
        top = Pt(ISSUER_TOP_PT - self.mark_lines * LINE_PITCH / 20)
        names = [p for p in el.iter("p") if "issuer" in p.get("class", "").split()]
        suffix = next((p for p in el.iter("p") if "issuer-suffix" in p.get("class", "").split()), None)
        if suffix is None:
            for i, name in enumerate(names):
                paragraph = self.paragraph(style, self.runs(name))
                paragraph.paragraph_format.space_before = top if i == 0 else Pt(0)
            return
        spacer = self.paragraph(style, [("", None)])
        spacer.paragraph_format.line_spacing, spacer.paragraph_format.line_spacing_rule = top, WD_LINE_SPACING.EXACTLY
        size = _inherited(style, "size_pt", self.specs, 16) * 20
        name_runs = [item for i, name in enumerate(names) for item in ([BREAK] if i else []) + self.runs(name)]
        widths = [round(max(text_chars(name.text_content()) for name in names) * size) + 240,
                  round(text_chars(suffix.text_content()) * size) + 240]
        tbl = oxml.new_table(self.style_id("Issuer Mark Table"), widths)
        style_id = self.style_id(style)
        oxml.add_row(tbl, [Cell(style_id, self.with_style_ids(name_runs, style)), Cell(style_id, self.with_style_ids(self.runs(suffix), style))],
                     widths, False)
        oxml.center_table(tbl)
        self.body.get_or_add_sectPr().addprevious(tbl)
        self.last_was_table = True

    def closing(self, el, seal: bool) -> None:
        """Signature(s) and date, right-aligned; each line's right indent follows from the widths
        of the lines (in characters: full-width 1, others ½), as the PDF's CSS lays the block out."""
        children = list(_elements(el))
        if self.zh and any(child.tag == "div" for child in children):
            self.signature_rows(children)
            return
        lines = [p for child in children for p in (_elements(child) if child.tag == "div" else [child])]
        widths = [text_chars(p.text_content().strip()) for p in lines]
        *names, date = widths
        size = _inherited("Signature", "size_pt", self.specs, 16)
        if seal:  # the date four characters from the right, the signatures centred over it
            rights = [max(0.0, 4 + (date - w) / 2) for w in names] + [4.0]
        else:  # the block as wide as its widest line, two from the right; the date two in. A longer English name wraps, within
            line = self.page.text_width / (size * 20)  # an English block of at most ENGLISH_CLOSING of the line (the PDF's max-width)
            block = min(max([*names, 2 + date]), line - 2 if self.zh else line * ENGLISH_CLOSING)
            rights = [max(2.0, 2 + block - w) for w in names] + [block - date]
        for i, (p, right) in enumerate(zip(lines, rights)):
            paragraph = self.paragraph("Signature", self.runs(p))
            before = round((2 if seal else 1) * LINE_PITCH) if i == 0 else None
            oxml.set_paragraph_indents(paragraph._p, round(right * size * 20), round(right * 100), before)
            if not seal and i < len(names) and widths[i] > block:  # it wraps: its lines start at the block's left edge
                paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
                paragraph.paragraph_format.left_indent = Twips(round((line - 2 - block) * size * 20))

    def signature_rows(self, children: list) -> None:
        """Joint issuers with seals, two to a row (the PDF's div.signature-row): the last name of a
        row centred over the date (four characters from the right), the other 12 characters to its
        left, by centre tab stops; four blank lines between rows (§7.3.5.1)."""
        *rows, date = children
        size = _inherited("Signature", "size_pt", self.specs, 16) * 20
        centre = self.page.text_width - round((4 + text_chars(date.text_content().strip()) / 2) * size)
        for i, row in enumerate(rows):
            names = list(_elements(row))
            runs = [TAB] * (3 - len(names))  # a name alone goes to the second stop
            for j, name in enumerate(names):
                runs += ([TAB] if j else []) + self.runs(name)
            paragraph = self.paragraph("Signature Row", runs)
            oxml.set_paragraph_tabs(paragraph._p, [centre - round(12 * size), centre], round((2 if i == 0 else 4) * LINE_PITCH))
        paragraph = self.paragraph("Signature", self.runs(date))
        oxml.set_paragraph_indents(paragraph._p, round(4 * size), 400)

    def imprint(self, el) -> None:
        """版记: a section of its own starting on an even page, the 版记 in its footers (odd and
        even) as a one-column table whose rules (Imprint Table) span the type area and whose
        bottom is the type area's: a footer sits at the foot of the page in every reader, and the
        page gets no page number."""
        rows = []
        for p in _elements(el):
            classes = p.get("class", "").split()
            style = "Imprint Copies" if "cc" in classes else "Imprint Printer" if "printer" in classes else None
            if p.tag != "p" or style is None:
                raise _unsupported(p)
            rows.append([Cell(self.style_id(style), self.with_style_ids(self.runs(p), style))])
        if self.has_content:
            oxml.end_section(self.body)
        section = self.doc.sections[-1]
        oxml.set_page(section, PORTRAIT, PORTRAIT.bottom, GRID)
        oxml.start_on_even_page(section._sectPr)
        footers = {}
        for kind in ("default", "even"):
            part, footers[kind] = self.doc.part.add_footer_part()
            tbl = oxml.new_table(self.style_id("Imprint Table"), [PORTRAIT.text_width])
            for cells in rows:
                oxml.add_row(tbl, cells, [PORTRAIT.text_width], False)
            oxml.fill_footer(part.element, tbl, self.style_id("Footer Anchor"))
        oxml.set_footer_references(section._sectPr, footers)
        self.page = self.wanted = PORTRAIT
        self.has_content, self.page_break_pending = True, False
        self.spacer()  # a section holds a paragraph at least

    def attachment(self, el) -> None:
        """An attachment, or the plan a notice issues, starts a new page; a landscape one is a
        section of its own."""
        orientation = el.get("data-orientation", "portrait")
        if orientation not in ("portrait", "landscape"):
            raise WriterError(f'HTML line {el.sourceline}: data-orientation="{orientation}" is neither portrait nor landscape')
        self.wanted = LANDSCAPE if orientation == "landscape" else PORTRAIT
        self.page_break_pending = self.has_content
        self.blocks(el)
        self.wanted = PORTRAIT  # back to portrait only if more content follows

    def start_block(self) -> None:
        """Before any block: open a new section when the orientation changes."""
        if self.wanted != self.page:
            if self.has_content:
                oxml.end_section(self.body)
            oxml.set_page(self.doc.sections[-1], self.wanted, FOOTER_DISTANCE, GRID)
            self.use_footers(self.doc.sections[-1], self.wanted.landscape)
            self.page, self.page_break_pending = self.wanted, False
        self.has_content = True

    def paragraph(self, style: str, runs: list, num_id: int | None = None):
        """A paragraph in a named style; nothing is written for one without text."""
        if not runs:
            return None
        paragraph = self.new_paragraph(style)
        oxml.add_runs(paragraph._p, self.with_style_ids(runs, style))
        if num_id is not None:
            oxml.set_numbering(paragraph, num_id)
        return paragraph

    def new_paragraph(self, style: str):
        """An empty paragraph in a named style at the end of the body, after any pending
        section or page break."""
        self.start_block()
        paragraph = self.doc.add_paragraph(style=self.style(style))
        if self.page_break_pending:
            paragraph.paragraph_format.page_break_before = True
            self.page_break_pending = False
        self.last_was_table = False
        return paragraph

    def spacer(self) -> None:
        """An empty paragraph: carries a page break before a table, or separates two tables."""
        self.paragraph("Body Text", [("", None)])

    def list(self, el, depth: int) -> None:
        """<ul>/<ol>: List Bullet / List Number (… 2, 3 when nested); each <ol> counts from 1."""
        kind = "List Number" if el.tag == "ol" else "List Bullet"
        suffix = "" if depth == 1 else f" {min(depth, 3)}"
        style = kind + suffix
        num_id = None
        if el.tag == "ol":
            num_id = oxml.restart_numbering(self.doc, self.style(style), int(el.get("start", "1")))
        _no_text(el.text, el)
        for li in el:
            if isinstance(li.tag, str):
                if li.tag != "li":
                    raise _unsupported(li)
                self.list_item(li, style, "List Continue" + suffix, num_id, depth)
            _no_text(li.tail, el)

    def list_item(self, li, style: str, continued: str, num_id: int | None, depth: int) -> None:
        """An <li> of text, <p>s and nested lists; paragraphs after its first continue the item."""
        chunks, inline = [], [(li.text or "", None)]
        for child in li:
            if child.tag in ("p", "ul", "ol"):
                chunks += [inline, child]
                inline = []
            elif isinstance(child.tag, str):
                self.inline(child, None, inline)
            inline.append((child.tail or "", None))
        chunks.append(inline)
        first = True
        for chunk in chunks:
            if not isinstance(chunk, list) and chunk.tag != "p":
                self.list(chunk, depth + 1)
                continue
            runs = _collapse(chunk) if isinstance(chunk, list) else self.runs(chunk)
            if self.paragraph(style if first else continued, runs, num_id if first else None):
                first = False

    # --- figures ---------------------------------------------------------------------------

    def figure(self, el) -> None:
        """<figure class="chart">: its <img> as a picture in a Figure paragraph, a native chart
        with the picture as its fallback when a <table class="chart-data"> gives the chart's data
        (docx_charts); its <figcaption> as a Caption paragraph, in the order they come."""
        children = list(_elements(el))
        data = next((c for c in children if c.tag == "table" and "chart-data" in c.get("class", "").split()), None)
        for child in children:
            if child.tag == "img":
                self.picture(child, None if data is None else docx_charts.read_chart_data(data))
            elif child.tag == "figcaption":
                self.paragraph("Caption", self.runs(child))
            elif child is not data:
                raise _unsupported(child)

    def picture(self, img, chart: tuple[docx_charts.ChartData, str] | None = None) -> None:
        """The chart's raster (data-raster, a PNG data: URL) as an inline picture, centred, of
        the width given in mm (at most, and by default, the text width), its aspect ratio kept;
        the alt text becomes the picture's description; with `chart` (its data and the header over
        its categories) the fallback of a native chart. Images come only from data: URLs: the
        writer reads no files and fetches nothing."""
        line = img.sourceline
        alt = _WHITE.sub(" ", img.get("alt") or "").strip()
        if not alt:
            raise WriterError(f"HTML line {line}: <img> without alt text (a chart needs a description)")
        for attribute in ("src", "data-raster"):
            value = (img.get(attribute) or "").strip()
            if not value:
                raise WriterError(f"HTML line {line}: <img> without {attribute} (a chart needs its SVG in src "
                                  "and its PNG in data-raster)")
            if value[:5].lower() != "data:":
                raise WriterError(f"HTML line {line}: <img {attribute}=\"{value[:60]}\">: images must be data: "
                                  "URLs; the DOCX writer reads no files and fetches nothing")
        try:
            media_type, raster = read_data_url(img.get("data-raster").strip())
        except WriterError as exc:
            raise WriterError(f"HTML line {line}: data-raster: {exc.problems[0].message}") from None
        if media_type.lower() not in RASTER_TYPES:
            raise WriterError(f"HTML line {line}: data-raster holds {media_type}, not a PNG or JPEG image")
        width = self.page.text_width * EMU_PER_TWIP
        if img.get("width") is not None:
            match = _MM.fullmatch(img.get("width"))
            if not match:
                raise WriterError(f'HTML line {line}: <img width="{img.get("width")}">: give the width in mm, e.g. 156mm')
            wanted = round(float(match.group(1)) * EMU_PER_MM)
            if round(wanted / EMU_PER_TWIP) <= self.page.text_width:  # 156 mm is the text width, in whole twips
                width = wanted
        paragraph = self.new_paragraph("Figure")
        try:
            inline = paragraph.add_run().add_picture(io.BytesIO(raster), width=Emu(width))._inline
        except (InvalidImageStreamError, UnexpectedEndOfFileError, UnrecognizedImageError):
            raise WriterError(f"HTML line {line}: data-raster is not a readable {media_type} image") from None
        oxml.describe_picture(inline, FIRST_PICTURE_ID + self.pictures, alt)
        self.pictures += 1
        if chart:
            docx_charts.add_chart(self.doc.part, inline.getparent(), *chart, fonts=(self.font_names["latin"], self.font_names["hei"]),
                                  lang=self.lang, created=self.doc.core_properties.created)

    # --- tables ----------------------------------------------------------------------------

    def table(self, el) -> None:
        """A data table built as XML row by row (linear time): header rows repeat on every page,
        no row splits (but those of a review copy's table.review), column widths follow the longest
        text and fill the type area."""
        review = "review" in el.get("class", "").split()
        rows = []  # (is_header, cells)
        below: dict[int, list] = {}  # column → [rows still covered, the cell spanning them] (rowspan)
        for part in _elements(el):
            if part.tag == "colgroup":
                continue  # its widths are read by column_widths
            if part.tag in ("thead", "tbody"):
                trs, header = list(_elements(part)), part.tag == "thead"
            elif part.tag == "tr":
                trs, header = [part], False
            else:
                raise _unsupported(part)
            for tr in trs:
                if tr.tag != "tr":
                    raise _unsupported(tr)
                classes = tr.get("class", "").split()
                text = ("Review Segment" if "segment" in classes else "Review Text") if review else "Table Text"
                cells = self.row_cells(list(_elements(tr)), "total" in classes, below, text)
                if cells:  # Word wants at least one cell in a row
                    rows.append((header, cells))
        if not rows:
            return
        self.start_block()
        if self.page_break_pending or self.last_was_table:  # Word would merge adjacent tables
            self.spacer()
        widths = [round(w) for w in column_widths(el, self.page.text_width)]
        widths[-1] += self.page.text_width - sum(widths)
        tbl = oxml.new_table(self.style_id("Data Table"), widths)
        for header, cells in rows:
            oxml.add_row(tbl, cells, widths, header, split=review)
        self.body.get_or_add_sectPr().addprevious(tbl)
        self.last_was_table = True

    def row_cells(self, tds: list, total: bool, below: dict[int, list], text: str = "Table Text") -> list[Cell]:
        """A row's cells (their text in the paragraph style `text`), with a continuing cell (vMerge)
        under each cell spanning rows from above."""
        cells, column = [], 0

        def covered() -> None:
            nonlocal column
            while column in below:
                above = below[column]
                cells.append(Cell(above[1].style_id, [], above[1].span, "continue"))
                above[0] -= 1
                if not above[0]:
                    del below[column]
                column += above[1].span

        for td in tds:
            covered()
            cell = self.cell(td, total, text)
            rows = self.rowspan(td)
            if rows > 1:
                cell = cell._replace(merge="restart")
                below[column] = [rows - 1, cell]
            cells.append(cell)
            column += cell.span
        covered()
        return cells

    @staticmethod
    def rowspan(td) -> int:
        try:
            return max(1, int(td.get("rowspan", "1")))
        except ValueError:
            raise WriterError(f'HTML line {td.sourceline}: rowspan="{td.get("rowspan")}" is not a number') from None

    def cell(self, td, total: bool, text: str = "Table Text") -> Cell:
        """<th> → Table Header, <td class="num"> → Table Number, <td> → `text` (Table Text; a
        review copy's Review Text, Review Text English for a cell of lang="en" in a Chinese
        document, Review Segment); the runs of a total row in the character style Table Total."""
        if td.tag not in ("th", "td"):
            raise _unsupported(td)
        classes = td.get("class", "").split()
        if text == "Review Text" and self.zh and (td.get("lang") or "").startswith("en"):
            text = "Review Text English"
        style = "Table Header" if td.tag == "th" else next((CELLS[c] for c in classes if c in CELLS), text)
        try:
            span = max(1, int(td.get("colspan", "1")))
        except ValueError:
            raise WriterError(f'HTML line {td.sourceline}: colspan="{td.get("colspan")}" is not a number') from None
        runs = _collapse(self.inline_content(td, "Table Total" if total else None, []))
        return Cell(self.style_id(style), self.with_style_ids(runs, style), span)

    # --- inline content --------------------------------------------------------------------

    def runs(self, el) -> list:
        """The runs of a block element, white space collapsed."""
        return _collapse(self.inline_content(el, None, []))

    def inline_content(self, el, char_style: str | None, out: list) -> list:
        """Text of `el` and its inline children as (text, character style) and BREAK items."""
        out.append((el.text or "", char_style))
        for child in el:
            if isinstance(child.tag, str):
                self.inline(child, char_style, out)
            out.append((child.tail or "", char_style))
        return out

    def inline(self, el, char_style: str | None, out: list) -> None:
        """<strong>/<em>/<code> → Strong/Emphasis/Code; a run-in heading → Heading N Char; a link
        keeps its text; <br> → a line break."""
        if el.tag == "br":
            out.append(BREAK)
        elif el.tag in INLINE:
            self.inline_content(el, INLINE[el.tag] or char_style, out)
        elif el.tag == "span":
            classes = el.get("class", "").split()
            if "push-right" in classes:  # to the right tab stop, unbroken (as the PDF's cell that does not wrap): on the next line if it does not fit
                pushed: list = []
                self.inline_content(el, char_style, pushed)
                out.extend([TAB, *((run[0].replace(" ", NBSP), *run[1:]) if isinstance(run, tuple) else run for run in pushed)])
                return
            if "lead" in classes:  # after a lead, to the hanging indent
                self.inline_content(el, char_style, out)
                out.append(TAB)
                return
            char_style = next((SPANS[c] for c in classes if c in SPANS), char_style)
            if "run-in-heading" in classes:
                level = next((c[6:] for c in classes if c.startswith("level-")), "")
                if level not in ("1", "2", "3", "4"):
                    raise WriterError(f"HTML line {el.sourceline}: run-in heading without level-1 … level-4")
                char_style = f"Heading {level} Char"
            self.inline_content(el, char_style, out)
        else:
            raise _unsupported(el)

    def with_style_ids(self, runs: list, paragraph_style: str) -> list:
        """The runs with character style ids; in a Chinese document, each mark that punctuation
        compression halves (writers/punctuation.py) in a run of its own, half an em narrower."""
        out = []
        half = round((_inherited(paragraph_style, "char_spacing_pt", self.specs, 0)
                      - _inherited(paragraph_style, "size_pt", self.specs, 16) / 2) * 20)
        for run in runs:
            if run is BREAK or run is TAB:
                out.append(run)
                continue
            style_id = run[1] and self.style_id(run[1])
            for text, halved in punctuation.pieces(run[0]) if self.zh else [(run[0], False)]:
                out.append((text, style_id, half) if halved else (text, style_id))
        return out


def side_number_boxes(page: PageGeometry) -> dict[str, Box]:
    """Where a landscape page's number goes (SIDE_NUMBER_*), in twips: in the left margin of every
    landscape page (each turns anticlockwise: the table head to the sheet's left, §10.1), ending
    level with the type area's bottom on odd pages ("default"), starting level with its top on even
    ones; the Footer Odd and Footer Even styles put the number one character from those ends."""
    left = page.left - SIDE_NUMBER_GAP - SIDE_NUMBER_LINE
    return {"default": Box(left, page.height - page.bottom - SIDE_NUMBER_LENGTH, SIDE_NUMBER_LINE, SIDE_NUMBER_LENGTH),
            "even": Box(left, page.top, SIDE_NUMBER_LINE, SIDE_NUMBER_LENGTH)}


def _collapse(items: list) -> list:
    """White space as a browser collapses it: runs of spaces become one, none at the start or end
    of a line, and a line break between two Chinese characters disappears (CSS Text 3). Adjacent
    runs of one style are merged."""
    runs: list = []
    drop_space = True  # at a line start, or after a space
    for item in items:
        if item is BREAK or item is TAB:
            _strip_end(runs)
            runs.append(item)
            drop_space = True
            continue
        text, style = item
        text = _WHITE.sub(" ", _CJK_LINE_BREAK.sub("", _NOT_XML.sub("", text)))
        if drop_space:
            text = text.lstrip(" ")
        if not text:
            continue
        drop_space = text.endswith(" ")
        if runs and runs[-1] is not BREAK and runs[-1] is not TAB and runs[-1][1] == style:
            runs[-1] = (runs[-1][0] + text, style)
        else:
            runs.append((text, style))
    _strip_end(runs)
    return runs


def _fit(text: str, limit: int = 255) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def text_chars(text: str) -> float:
    """A text's width in characters of its size: full-width (CJK) 1, others ½ (digits and Latin
    letters in Times New Roman or a GB2312 face are about half as wide)."""
    return sum(1 if unicodedata.east_asian_width(c) in "WF" else 0.5 for c in text)


def _strip_end(runs: list) -> None:
    """Remove the trailing space of a line."""
    while runs and runs[-1] is not BREAK and runs[-1] is not TAB:
        text, style = runs[-1]
        if not text.endswith(" "):
            return
        if text.rstrip(" "):
            runs[-1] = (text.rstrip(" "), style)
            return
        runs.pop()


def _elements(el):
    """The child elements of a table part; text between them must be white space."""
    _no_text(el.text, el)
    for child in el:
        if isinstance(child.tag, str):
            yield child
        _no_text(child.tail, el)


def _no_text(text: str | None, parent) -> None:
    if text and text.strip():
        raise WriterError(f"HTML line {parent.sourceline}: text {text.strip()[:40]!r} directly inside "
                          f"<{parent.tag}> (the DOCX writer expects it in a paragraph)")


def _unsupported(el) -> WriterError:
    classes = el.get("class")
    shown = f'<{el.tag} class="{classes}">' if classes else f"<{el.tag}>"
    return WriterError(f"HTML line {el.sourceline}: unsupported element {shown} in the DOCX writer "
                       "(see docs/html-vocabulary.md)")


def _inherited(name: str, key: str, specs: dict[str, dict], default: float) -> float:
    """A style's `key` (size_pt, char_spacing_pt), following based_on through word-styles.yaml."""
    spec = specs.get(name, {})
    if key in spec:
        return spec[key]
    return _inherited(spec["based_on"], key, specs, default) if "based_on" in spec else default
