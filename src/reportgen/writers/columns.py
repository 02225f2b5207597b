"""Column widths of data tables, shared by both writers: a table has the same columns in the PDF
and the DOCX, and WeasyPrint lays it out with `table-layout: fixed` (about 3× faster than its
automatic layout on long tables)."""
from __future__ import annotations

import re
import unicodedata

HALF_CHAR_PT = 6  # a half-width character of table text (12 pt)
CELL_PADDING_PT = 15  # the cell margins and borders, and a little air
UNITS = (4, 80)  # the least and most half-width units a column asks for
NOWRAP = {"num"}  # cells that never wrap: numbers
_CJK = re.compile(r"[^\u2e80-\u9fff\uff00-\uffef]+|.")


def column_widths(table, total: float) -> list[float]:
    """Widths (in the unit of `total`, which they fill) of the columns of an lxml <table>, as a
    browser's automatic layout would choose: every column gets its narrowest width (its longest
    unbreakable piece of text), and the room left is shared in proportion to how much wider each
    column's longest text would like to be."""
    rows = [tr for tr in table.iter("tr")]
    count = max((sum(int(c.get("colspan", "1") or 1) for c in tr if c.tag in ("th", "td")) for tr in rows), default=1)
    narrowest, widest = [UNITS[0]] * count, [UNITS[0]] * count
    for tr in rows:
        column = 0
        for cell in (c for c in tr if c.tag in ("th", "td")):
            span = int(cell.get("colspan", "1") or 1)
            if span == 1 and column < count:
                low, high = text_units(cell)
                narrowest[column] = max(narrowest[column], low)
                widest[column] = max(widest[column], min(high, UNITS[1]))
            column += span
    scale = total / 1000  # computed in thousandths of the width, so that any unit works
    unit, padding = HALF_CHAR_PT * 1000 / points_of(table), CELL_PADDING_PT * 1000 / points_of(table)
    low = [n * unit + padding for n in narrowest]
    if sum(low) >= 1000:
        widths = [1000 * n / sum(low) for n in low]
    else:
        wish = [max(w - n, 0) for w, n in zip(widest, narrowest)]
        room = 1000 - sum(low)
        widths = [n + (room * w / sum(wish) if sum(wish) else room / count) for n, w in zip(low, wish)]
    return [w * scale for w in widths]


def points_of(table) -> float:
    """The text width a table spans: the type area, turned on landscape attachment pages."""
    landscape = any(a.get("data-orientation") == "landscape" for a in table.iterancestors("section"))
    return (225 if landscape else 156) * 72 / 25.4


def text_units(cell) -> tuple[int, int]:
    """A cell's narrowest and widest text in half-width units (CJK characters and ambiguous ones
    such as — count two). Text breaks between words and between CJK characters, except in nowrap
    cells and in short CJK headings such as 序号 or 所在市 (up to three characters)."""
    text = " ".join(cell.text_content().split())
    if set(cell.get("class", "").split()) & NOWRAP:
        return width(text), width(text)
    narrowest = max((width(piece) for word in text.split() for piece in _CJK.findall(word)), default=0)
    if cell.tag == "th" and not text.isascii():
        narrowest = max(narrowest, min(width(text), 6))
    return narrowest, width(text)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)
