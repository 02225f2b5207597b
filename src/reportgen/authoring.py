"""Authoring mistakes in a content file's texts: what validates but would print wrongly.

A heading typed with its marker prints it twice (一、一、总体要求); a doubled colon prints doubled;
Markdown that the documents do not make (headings, quotes, links, raw HTML, a backslash line
break) prints as written; spaces typed to indent a paragraph and zero-width characters typed to
fake a layout vanish or do nothing. Each is reported where it is, with what to write instead, as
is a text beyond what can be laid out in reasonable time: too long, or Markdown nested too deep.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .errors import Problems
from .messages import _
from .model import paragraph_too_long
from .render import markdown_depth
from .yamlsource import bilingual, dotted, locate

MARKERS = {  # a heading's typed marker, as GB/T 9704 numbers headings, and as the English does
    "zh": re.compile(r"^\s*([一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十]+[）)]|\d+[.．、]|[（(]\d+[）)])"),
    "en": re.compile(r"^\s*([IVXLC]+\.|\([IVXLC]+\)|\d+\.|\(\d+\))\s"),
}
DOUBLED_COLON = re.compile(r"[：:]\s*[：:]")
LITERAL_MARKDOWN = (  # (pattern on a line, what it is, what to do)
    (re.compile(r"^\s{0,3}#{1,6}\s"), _("a Markdown heading"), _("headings come from the section tree: make it a section")),
    (re.compile(r"^\s{0,3}>"), _("a Markdown quote"), _("remove the >")),
    (re.compile(r"^\s{0,3}(```|~~~)"), _("a Markdown code block"), _("remove the fence")),
    (re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$"), _("a Markdown rule"), _("remove the line")),
    (re.compile(r"!?\[[^\]]*\]\([^)]*\)"), _("a Markdown link or image"), _("documents hold no links or images: write the text")),
    (re.compile(r"<(https?://|/?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>)"), _("raw HTML or an autolink"), _("write the text without tags")),
    (re.compile(r"\\$"), _("a backslash line break"), _("end the line with two spaces, or start a new paragraph with an empty line")),
)
MAX_TEXT_CHARS = 100_000  # one text: Markdown's time grows with the square of its emphasis (docs/performance.md, "Limits")
MAX_MARKDOWN_DEPTH = 10  # lists and emphasis within each other: the PDF writer recurses per level
PARAGRAPHS = re.compile(r"\n[ \t]*\n|\n(?=[ \t]*(?:[-*+]|\d+[.)])[ \t])")  # between paragraphs and list items
NESTING_MARKS = re.compile(r"[*_]|^[ \t]*(?:[-+]|\d+[.)])[ \t]", re.MULTILINE)  # each level of lists or emphasis needs one
LEADING_SPACE = re.compile(r"^[\u3000\u00a0\u2002-\u200a]")
INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")


def check_texts(path: Path, raw: Any, problems: Problems) -> None:
    """Every {zh, en} text of a parsed content file (a plan, a notice, a series, a quarter's notes)."""
    for keys in bilingual(raw):
        node = raw
        for key in keys:
            node = node[key]
        heading = len(keys) >= 2 and keys[-1] == "title" and keys[-3:-2] == ("sections",)
        for lang in ("zh", "en"):
            text = node.get(lang)
            if isinstance(text, str):
                for message in mistakes(text, lang, heading):
                    problems.add(locate(path, raw, (*keys, lang)), f"{dotted((*keys, lang))}: {message}")


def mistakes(text: str, lang: str, heading: bool) -> list[str]:
    """What is wrong with one text (empty when nothing is)."""
    out = []
    if heading and (m := MARKERS[lang].match(text)):
        out.append(_("starts with the heading marker '{marker}': markers are numbered from the section tree (it would print twice); remove it").format(marker=m.group(1).strip()))
    if m := DOUBLED_COLON.search(text):
        out.append(_("a doubled colon '{colon}' (a colon that the document adds, after an addressee, is not typed twice)").format(colon=m.group(0)))
    for number, line in enumerate(text.split("\n"), 1):
        at = _(" (line {line} of the text)").format(line=number) if "\n" in text.strip() else ""
        if LEADING_SPACE.match(line):
            out.append(_("starts with full-width or non-breaking spaces{at}, which are dropped: the first line's two-character indent is automatic").format(at=at))
        for pattern, what, fix in LITERAL_MARKDOWN:
            if pattern.search(line):
                out.append(_("{what}{at} would print as written: {fix}").format(what=what, at=at, fix=fix))
    if INVISIBLE.search(text):
        out.append(_("holds zero-width characters, which change nothing in print: remove them (the layout comes from the structure)"))
    if problem := beyond_limits(text):
        out.append(problem)
    return out


def beyond_limits(text: str) -> str | None:
    """Why a text is more than the documents lay out in reasonable time, or None. The cheap checks
    come first: Markdown converts only a text of bounded length and indentation (a list nests one
    level deeper every 4 spaces), so its own recursion is bounded too, and only one with more
    marks of lists and emphasis than the depth allows."""
    if len(text) > MAX_TEXT_CHARS:
        return _("{length} characters in one text, more than the limit of {limit}: shorten it or split it into sections").format(length=len(text), limit=MAX_TEXT_CHARS)
    if problem := paragraph_too_long(max(PARAGRAPHS.split(text), key=len)):
        return problem
    indent = max(len(line) - len(line.lstrip(" ")) for line in text.expandtabs(4).split("\n"))
    if indent > 4 * MAX_MARKDOWN_DEPTH or len(NESTING_MARKS.findall(text)) > MAX_MARKDOWN_DEPTH and markdown_depth(text) > MAX_MARKDOWN_DEPTH:
        return _("Markdown nested more than {limit} levels deep (lists within lists, emphasis within emphasis; a list nests one level deeper "
                 "every 4 spaces of indentation): flatten it").format(limit=MAX_MARKDOWN_DEPTH)
    return None
