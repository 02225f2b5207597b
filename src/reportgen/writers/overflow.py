"""Text that does not fit its line, read from WeasyPrint's laid-out pages before the PDF is written
(writers/pdf.py): a word wider than the line, which official.css lets break inside (overflow-wrap),
and a line that still runs past its box or the type area (white-space: nowrap, an office's CSS).
Words broken in table cells are not reported: cells break long ids and URLs by design.

The pages' boxes are WeasyPrint's (Page._page_box, no public API) and the break opportunities
Pango's, as WeasyPrint asks for them (text.line_break.get_log_attrs): should either change, no
warning is found rather than the build failing (tested with WeasyPrint 70)."""
from __future__ import annotations

import re

from ..errors import Finding

TOLERANCE = 1  # CSS px: what letter spacing and justification may leave over (official.css: 0.007 px)
QUOTED = 40  # characters of a word a warning quotes
HYPHEN = "\u2010"  # what WeasyPrint adds at a hyphenated line's end (hyphenate-character: auto)
SPACES = re.compile(r"[ \t\n\r\f]+")  # the white space CSS collapses (not U+3000 or no-break spaces)


def misfits(pages) -> list[Finding]:
    """The words broken inside ("broken") and the lines running past the type area or their block
    ("overflow") of WeasyPrint's rendered `pages`, each once, in reading order."""
    try:
        from weasyprint.formatting_structure import boxes
        from weasyprint.text.line_break import get_log_attrs
    except ImportError:
        return []
    found: dict[Finding, None] = {}
    lines: dict[object, tuple[str | None, list[str]]] = {}  # a block's DOM element → its language and its lines' text, across pages

    def visit(box, parent, area: tuple[float, float], in_cell: bool) -> None:
        if generated(box):
            return
        if isinstance(box, boxes.LineBox):
            right = min(parent.padding_box_x() + parent.padding_width(), area[1])  # (a hanging indent may start left of its block)
            kids = [k for k in box.children if not generated(k)]
            word = max(line_text(box).split(" "), key=len)  # the likeliest cause: its longest word
            if word and (min(k.position_x for k in kids) < area[0] - TOLERANCE or max(k.position_x + k.margin_width() for k in kids) > right + TOLERANCE):
                found[Finding("overflow", quoted(word))] = None
            if not in_cell:
                lines.setdefault(parent.element, (box.style["lang"], []))[1].append(line_text(box))
        in_cell = in_cell or box.element_tag in ("td", "th")
        for child in getattr(box, "children", ()):
            visit(child, box, area, in_cell)

    for page in pages:
        page_box = getattr(page, "_page_box", None)
        if page_box is None:
            return []
        area = (page_box.content_box_x(), page_box.content_box_x() + page_box.width)
        for child in page_box.children:
            if not isinstance(child, boxes.MarginBox):  # page numbers sit in the margins by design
                visit(child, page_box, area, False)
    for element, (lang, texts) in lines.items():
        if len(texts) > 1:
            for word in broken_words(dom_text(element), texts, lang, get_log_attrs):
                found[Finding("broken", quoted(word))] = None
    return list(found)


def generated(box) -> bool:
    """A list marker or generated content (::before, ::after): not the element's own text."""
    return "::" in (box.element_tag or "")


def line_text(box) -> str:
    """The text of a line box (or an inline box in it) as its element's text has it."""
    if hasattr(box, "text"):
        return box.text
    return "".join(line_text(child) for child in getattr(box, "children", ()) if not generated(child))


def dom_text(element) -> str:
    """The text of a block's element as its lines show it: white space collapsed, <br> a space."""
    parts = []

    def visit(el) -> None:
        parts.append(el.text or "")
        for child in el:
            if child.tag == "br":
                parts.append(" ")
            else:
                visit(child)
            parts.append(child.tail or "")

    visit(element)
    return SPACES.sub(" ", "".join(parts)).strip(" ")


def broken_words(text: str, lines: list[str], lang: str | None, log_attrs) -> list[str]:
    """The words of `text` that its laid-out `lines` break where there is neither a space, nor a
    hyphen the layout added, nor a break opportunity (Pango's `log_attrs`). Lines that do not
    spell `text` (markup the text does not show) give no verdict."""
    at, ends = 0, []
    for line in lines:
        at += text.startswith(" ", at)  # the space a line break took
        if text.startswith(line, at):
            at += len(line)
            ends.append(at)
        elif line.endswith(HYPHEN) and text.startswith(line[:-1], at):  # hyphenated (hyphens: auto): a break of its own
            at += len(line) - 1
        else:
            return []
    inside = [end for end in ends[:-1] if text[end:end + 1] not in ("", " ")]
    if not inside:
        return []
    attrs = log_attrs(text, lang)
    words = []
    for end in inside:
        if attrs[end].is_line_break:
            continue
        start, stop = end, end
        while start > 0 and not attrs[start].is_line_break and text[start - 1] != " ":
            start -= 1
        while stop < len(text) and not attrs[stop].is_line_break and text[stop] != " ":
            stop += 1
        words.append(text[start:stop])
    return words


def quoted(word: str) -> str:
    """A word as a warning quotes it: its first QUOTED characters, "…" when cut."""
    return word if len(word) <= QUOTED else word[:QUOTED] + "…"
