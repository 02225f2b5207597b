"""Column widths of data tables, shared by both writers: a table has the same columns in the PDF
and the DOCX, and WeasyPrint lays it out with `table-layout: fixed` (about 3× faster than its
automatic layout on long tables). The same measure turns a wide attachment to landscape
(too_wide_for_portrait, used by tables.py on the Chinese, so that both languages agree)."""
from __future__ import annotations

import re
import unicodedata

HALF_CHAR_PT = {"zh": 6, "en": 5.25}  # a half-width character of table text (12 pt; 10.5 pt in English)
CELL_PADDING_PT = 12  # the cell margins and borders, and a little air
UNITS = (4, 80)  # the least and most half-width units a column asks for
NOWRAP = {"num"}  # cells that never wrap: numbers
HYPHENATED = (8, 6)  # English documents hyphenate: a longer word asks for no more (in a heading)
LONGEST = 16  # a longer unbreakable piece (an id, a URL) wraps anywhere rather than widen its column
PORTRAIT_PT, LANDSCAPE_PT = 156 * 72 / 25.4, 225 * 72 / 25.4  # the type area's width
_CJK = re.compile(r"[^\u2e80-\u9fff\uff00-\uffef]+|.")


COMFORT = 12  # half-width units (six CJK characters) a wrapping column needs to read well


def column_widths(table, total: float) -> list[float]:
    """Widths (in the unit of `total`, which they fill) of the columns of an lxml <table>: those
    its <col data-width="…"> declare (per cent), the others in proportion to each column's
    longest text, but never narrower than its longest unbreakable piece (a number, a short CJK
    heading, a word)."""
    narrowest, widest, english = measure(table)
    unit = HALF_CHAR_PT["en" if english else "zh"] * 1000 / points_of(table)
    padding = CELL_PADDING_PT * 1000 / points_of(table)
    declared = [float(c.get("data-width")) if c.get("data-width") else None for g in table.findall("colgroup") for c in g.findall("col")]
    declared = (declared + [None] * len(narrowest))[:len(narrowest)]
    free = [i for i, d in enumerate(declared) if d is None]
    rest = 1000 - sum(d * 10 for d in declared if d is not None)
    shares = share([narrowest[i] * unit + padding for i in free], [widest[i] * unit + padding for i in free], rest) if free else []
    widths = [d * 10 if d is not None else 0.0 for d in declared]
    for i, w in zip(free, shares):
        widths[i] = w
    return [w * total / 1000 for w in widths]


def too_wide_for_portrait(columns: list[tuple[str, list[str], bool]]) -> bool:
    """Whether a Chinese table's columns — (heading, cells, whether its cells never wrap) — are wider
    than a portrait page's type area when each is given its numbers and short headings whole and
    six characters a line to longer texts (model.Table.orientation "auto")."""
    need = 0.0
    for heading, cells, nowrap in columns:
        longest = max((width(c) for c in cells), default=0)
        units = max(min(width(heading), 6), longest if nowrap else min(longest, COMFORT), UNITS[0])
        need += units * HALF_CHAR_PT["zh"] + CELL_PADDING_PT
    return need > PORTRAIT_PT


def measure(table) -> tuple[list[int], list[int], bool]:
    """Each column's narrowest and widest text in half-width units (a cell spanning columns counts
    for none of them), and whether the table is English."""
    english = (table.getroottree().getroot().get("lang") or "").startswith("en")
    grid: list[tuple[int, object]] = []  # (column, cell) of every cell spanning one column
    below: dict[int, int] = {}  # column → rows still covered by a cell spanning rows from above
    count = 0
    for tr in table.iter("tr"):
        column = 0
        for cell in (c for c in tr if c.tag in ("th", "td")):
            while below.get(column, 0) > 0:
                column += 1
            span, rows = int(cell.get("colspan", "1") or 1), int(cell.get("rowspan", "1") or 1)
            if span == 1:
                grid.append((column, cell))
            for c in range(column, column + span):
                below[c] = rows
            column += span
        count = max(count, column)
        below = {c: n - 1 for c, n in below.items() if n > 1}
    narrowest, widest = [UNITS[0]] * count, [UNITS[0]] * count
    for column, cell in grid:
        low, high = text_units(cell, english)
        narrowest[column] = max(narrowest[column], low)
        widest[column] = max(widest[column], min(high, UNITS[1]))
    return narrowest, widest, english


def share(low: list[float], want: list[float], total: float) -> list[float]:
    """Split `total` in proportion to what each column wants, never below its least width: columns
    whose share would fall short get their least, the others share the rest (water-filling)."""
    if sum(low) >= total:
        return [total * n / sum(low) for n in low]
    fixed: set[int] = set()
    while True:
        free = total - sum(low[i] for i in fixed)
        wanted = sum(w for i, w in enumerate(want) if i not in fixed)
        widths = [low[i] if i in fixed else free * w / wanted for i, w in enumerate(want)]
        short = {i for i, w in enumerate(widths) if i not in fixed and w < low[i]}
        if not short:
            return widths
        fixed |= short


def points_of(table) -> float:
    """The text width a table spans: the type area, turned on landscape attachment pages."""
    landscape = any(a.get("data-orientation") == "landscape" for a in table.iterancestors("section"))
    return LANDSCAPE_PT if landscape else PORTRAIT_PT


def text_units(cell, english: bool = False) -> tuple[int, int]:
    """A cell's narrowest and widest text in half-width units (CJK characters and ambiguous ones
    such as — count two). Text breaks between words and between CJK characters, except in nowrap
    cells and in short CJK headings such as 序号 or 所在市 (up to three characters); a heading
    asks for no more than its longest word; English words hyphenate."""
    text = " ".join(cell.text_content().split())
    if set(cell.get("class", "").split()) & NOWRAP:
        return width(text), width(text)
    cap = HYPHENATED[cell.tag == "th"]
    pieces = [piece for word in text.split() for piece in _CJK.findall(word)]
    narrowest = max((min(width(p), cap if english and p.isascii() else LONGEST) for p in pieces), default=0)
    if cell.tag == "th":  # headings wrap to leave the room to the data; short CJK ones stay whole
        narrowest = max(narrowest, 0 if text.isascii() else min(width(text), 6))
        return narrowest, narrowest
    return narrowest, width(text)


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WFA" else 1 for c in text)
