"""Inline codes: a segment's placeholders and Markdown formatting as protected XLIFF inline elements, and back.

    to_inline(text, markdown, like=()) -> parts      # text and Code, in reading order
    write_inline(element, parts, version)            # parts into a <source>/<target>
    from_inline(element, version) -> parts           # the codes of a <source>/<target> by id, and its text
    differences(expected, got) -> [str]              # codes dropped, duplicated, invented, re-nested
    restore(parts, codes) -> str                     # the text, each code as the native text it stands for

A placeholder (`{{ key-projects.count }}`, `{quarter}`: qa.PLACEHOLDER) is a standalone code, XLIFF
1.2 `<ph id="1">{quarter}</ph>` (the native code itself, which every tool keeps; an `<x/>` would
carry it only in the optional equiv-text), XLIFF 2.0 `<ph id="1" disp=… equiv=…/>`. In a Markdown
text, `**strong**`, `*emphasis*` (or `__`, `_`) and `` `code` `` are paired codes around their
words, 1.2 `<g id="2" ctype="bold">…</g>`, 2.0 `<pc id="2" type="fmt" subType="xlf:b" …>…</pc>`.
Figures stay text: their form changes in translation (33151万元 is 331.51 million yuan, 3 is
three), which the QA numbers check compares. Links are not codes: content refuses them.

Codes are numbered in reading order; the English of an exported target takes the ids of the
source's codes (a placeholder by its text, a pair by its kind, in order); a code of the English
that the source does not have stays text. On import a code is known by its id alone: what it
stands for comes from the current Chinese, so a tool cannot change a placeholder's text.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from .qa import PLACEHOLDER


@dataclass(frozen=True)
class Code:
    """A placeholder, or a pair of formatting delimiters around `parts` (as read from XLIFF: only
    the id, whether it is paired, and its content)."""

    id: str
    paired: bool
    parts: tuple = ()  # a pair's content: text and codes
    start: str = ""  # the native text: a placeholder's, a pair's opening delimiter
    end: str = ""  # a pair's closing delimiter
    kind: str = "placeholder"  # placeholder | bold | italic | code


# A Markdown text's inline tokens, as markdown_html reads them: an escaped character and a list
# bullet (text), a code span, a placeholder, strong and emphasis delimiters around their words.
TOKEN = re.compile(r"(?P<escape>\\.)|(?P<ticks>`+)(?P<code>.+?)(?<!`)(?P=ticks)(?!`)"
                   rf"|(?P<placeholder>{PLACEHOLDER.pattern})|(?P<bullet>^[ \t]*[*+-][ \t])"
                   r"|(?P<strong>\*\*|__)(?P<strong_text>\S.*?(?<=\S))(?P=strong)"
                   r"|(?P<em>[*_])(?P<em_text>\S.*?(?<=\S))(?P=em)", re.S | re.M)
HTML_TAG = {"bold": "strong", "italic": "em", "code": "code"}
XLIFF12_CTYPE = {"bold": "bold", "italic": "italic", "code": "x-code"}
XLIFF2_TYPE = {"bold": {"type": "fmt", "subType": "xlf:b"}, "italic": {"type": "fmt", "subType": "xlf:i"}, "code": {"type": "fmt"}}
# XLIFF inline elements, by version: the paired codes (their content is text), the standalone ones
# (1.2 <bpt>/<ept> and 2.0 <sc>/<ec> count as two), annotations (their content is text) and
# markers (no text). Anything else refuses the unit.
PAIRED = {"1.2": ("g",), "2.0": ("pc",)}
STANDALONE = {"1.2": ("ph", "x", "bx", "ex", "bpt", "ept", "it"), "2.0": ("ph", "sc", "ec")}
ANNOTATIONS = {"1.2": ("mrk",), "2.0": ("mrk",)}
MARKERS = {"1.2": (), "2.0": ("sm", "em")}


def to_inline(text: str, markdown: bool, like: tuple = ()) -> tuple:
    """`text` as parts: text and codes, numbered from 1 in reading order, or given the ids of the
    codes of `like` (the source's parts; a code without a counterpart there stays text). Formatting
    is read only from Markdown, and only when markdown_html makes the same elements of it."""
    ids = itertools.count(1)
    parts = parse(text, markdown, ids)
    if markdown:
        from ..render import markdown_html

        made = Counter(re.findall(r"<(strong|em|code)>", markdown_html(text)))
        if made != Counter(HTML_TAG[c.kind] for c, _ in flatten(parts) if c.paired):  # a * or _ that is not emphasis
            parts = parse(text, False, itertools.count(1))
    if like:
        theirs: dict[tuple, list[str]] = {}
        for c, _ in flatten(like):
            theirs.setdefault(key(c), []).append(c.id)
        parts = renumber(parts, {k: iter(v) for k, v in theirs.items()})
    return parts


def parse(text: str, markdown: bool, ids) -> tuple:
    out, at = [], 0
    for m in (TOKEN if markdown else PLACEHOLDER).finditer(text):
        if not markdown or m["placeholder"]:
            code = Code(str(next(ids)), False, start=m[0])
        elif m["ticks"]:  # a code span: placeholders only inside
            cid = str(next(ids))
            code = Code(cid, True, parse(m["code"], False, ids), m["ticks"], m["ticks"], "code")
        elif m["strong"] or m["em"]:
            delimiter, kind = (m["strong"], "bold") if m["strong"] else (m["em"], "italic")
            cid = str(next(ids))
            code = Code(cid, True, parse(m["strong_text"] or m["em_text"], True, ids), delimiter, delimiter, kind)
        else:  # an escaped character, a list bullet
            continue
        out += [text[at:m.start()], code]
        at = m.end()
    return joined(out + [text[at:]])


def joined(parts) -> tuple:
    """Adjacent texts merged, empty ones dropped."""
    out = []
    for p in parts:
        if isinstance(p, str) and out and isinstance(out[-1], str):
            out[-1] += p
        elif p != "":
            out.append(p)
    return tuple(out)


def key(code: Code) -> tuple:
    return (code.kind, re.sub(r"\s+", "", code.start)) if code.kind == "placeholder" else (code.kind,)


def renumber(parts: tuple, ids: dict) -> tuple:
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
            continue
        inner = renumber(p.parts, ids)
        new_id = next(ids.get(key(p), iter(())), None)
        out += [Code(new_id, p.paired, inner, p.start, p.end, p.kind)] if new_id else [p.start, *inner, p.end]
    return joined(out)


def flatten(parts: tuple, parent: str | None = None):
    """(code, the id of the pair it is in, or None) for every code, in reading order."""
    for p in parts:
        if isinstance(p, Code):
            yield p, parent
            yield from flatten(p.parts, p.id)


def has_codes(parts: tuple) -> bool:
    return any(isinstance(p, Code) for p in parts)


def restore(parts: tuple, codes: dict[str, Code]) -> str:
    """The text of `parts`, each code written as the native text of the code of `codes` with its id
    (KeyError: a code that `codes` does not have)."""
    out = []
    for p in parts:
        if isinstance(p, str):
            out.append(p)
        else:
            known = codes[p.id]
            out += [known.start, restore(p.parts, codes), known.end]
    return "".join(out)


def shown(code: Code) -> str:
    text = code.start + restore(code.parts, {c.id: c for c, _ in flatten(code.parts)}) + code.end
    return text if len(text) <= 40 else text[:20] + "…" + text[-19:]


def differences(expected: tuple, got: tuple) -> list[str]:
    """How the codes of `got` differ from those of `expected`: each code of `expected` once, as
    paired or not as there, inside the same pair; no other code."""
    where = {c.id: (c, parent) for c, parent in flatten(expected)}
    found = list(flatten(got))
    count = Counter(c.id for c, _ in found)
    out = []
    for cid, (c, _) in where.items():
        if count[cid] == 0:
            out.append(f"code {cid} ({shown(c)}) is missing from the target")
        elif count[cid] > 1:
            out.append(f"code {cid} ({shown(c)}) appears {count[cid]} times in the target")
    reported = set()
    for c, parent in found:
        if c.id in reported:
            continue
        reported.add(c.id)
        if c.id not in where:
            out.append(f"code {c.id} is not in the source")
            continue
        source, source_parent = where[c.id]
        if c.paired != source.paired:
            out.append(f"code {c.id} ({shown(source)}) is {'a pair' if source.paired else 'a single code'} in the source, "
                       f"{'a pair' if c.paired else 'a single code'} in the target")
        elif count[c.id] == 1 and parent != source_parent:
            out.append(f"code {c.id} ({shown(source)}) is {inside(source_parent)} in the source but {inside(parent)} in the target")
    return out


def inside(parent: str | None) -> str:
    return f"inside code {parent}" if parent else "outside the other codes"


# ---------------------------------------------------------------------------------------------
# XLIFF


def write_inline(element, parts: tuple, version: str) -> None:
    """Append `parts` to an XLIFF <source>, <target> (or a pair's element) as text and codes."""
    ns = etree.QName(element).namespace
    element.text = element.text or ""  # mixed content: a text node, even empty, keeps pretty-printing out of it
    last = None
    for p in parts:
        if isinstance(p, str):
            if last is None:
                element.text = (element.text or "") + p
            else:
                last.tail = (last.tail or "") + p
            continue
        if version == "1.2" and p.paired:
            last = etree.SubElement(element, f"{{{ns}}}g", id=p.id, ctype=XLIFF12_CTYPE[p.kind])
            write_inline(last, p.parts, version)
        elif version == "1.2":
            last = etree.SubElement(element, f"{{{ns}}}ph", id=p.id)
            last.text = p.start
        elif p.paired:
            last = etree.SubElement(element, f"{{{ns}}}pc", id=p.id, **XLIFF2_TYPE[p.kind], dispStart=p.start, dispEnd=p.end, canCopy="no", canDelete="no", canOverlap="no")
            write_inline(last, p.parts, version)
        else:
            last = etree.SubElement(element, f"{{{ns}}}ph", id=p.id, type="ui", subType="xlf:var", disp=p.start, equiv=p.start, canCopy="no", canDelete="no")


def from_inline(element, version: str) -> tuple:
    """The parts of an XLIFF <source> or <target>: its text, an annotation's text, and each code
    by its id (what a code stands for is the source's business). An element that is not inline
    markup of `version`, or a code without an id, is refused (ValueError) naming it."""
    out = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str):  # not a comment or a processing instruction
            name = etree.QName(child).localname
            cid = child.get("id") or child.get("startRef") or child.get("rid")
            if name in ANNOTATIONS[version]:
                out += from_inline(child, version)
            elif name in PAIRED[version] + STANDALONE[version] and not cid:
                raise ValueError(f"the inline code <{name}> has no id")
            elif name in PAIRED[version]:
                out.append(Code(cid, True, from_inline(child, version)))
            elif name in STANDALONE[version]:
                out.append(Code(cid, False))
            elif name not in MARKERS[version]:
                shown_name = f"<{name} id={cid!r}>" if cid else f"<{name}>"
                raise ValueError(f"{shown_name} is not an inline element that reportgen reads in XLIFF {version}: write plain text")
        out.append(child.tail or "")
    return joined(out)
