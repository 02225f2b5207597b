"""Punctuation compression of Chinese text (标点挤压), shared by the PDF and the DOCX writer.

Of two adjacent full-width marks, the first is set in half an em: its blank half goes, as
Chinese typesetting does it (W3C CLREQ, "Punctuation adjustment"). In Simplified Chinese a
closing mark (，。、：；）” …) sits in the left half of its em and an opening one (（“《 …) in
the right half, so a closing mark before another mark and an opening mark before another
opening one lose their right half; ？ and ！ sit in the middle and keep their em. A line
holding such a pair holds half a character more; justification keeps it on the grid.
"""
from __future__ import annotations

import re

OPENING = "（〔［｛《〈「『【“‘"
CLOSING = "）〕］｝》〉」』】”’，、。：；"
_HALVED = re.compile(f"[{CLOSING}](?=[{CLOSING}{OPENING}])|[{OPENING}](?=[{OPENING}])")


def pieces(text: str) -> list[tuple[str, bool]]:
    """`text` cut into pieces, each (text, whether it is one mark set in half an em); the pieces
    join back to `text`."""
    out, at = [], 0
    for match in _HALVED.finditer(text):
        if match.start() > at:
            out.append((text[at:match.start()], False))
        out.append((match.group(), True))
        at = match.end()
    if at < len(text):
        out.append((text[at:], False))
    return out
