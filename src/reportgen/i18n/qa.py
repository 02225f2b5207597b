"""QA checks on translations, as Xbench or pofilter run them before publishing.

Each finding names the segment, its location (the Chinese source, file:line) and the check:

    check          severity  what it finds
    untranslated   error     en empty, en identical to a zh containing Chinese, or en containing Chinese characters
    numbers        error     a number of the source missing or different in the target (33151万元 may be
                             331.51 million yuan, 12亿元 1.2 billion yuan but not 12 billion; thousands
                             separators allowed; one to ten may be words, 第N and N季度 ordinals, N月 a
                             month or an ordinal: 3家 three, 第2 second, 2季度 the second quarter, 12月
                             December or Dec., 1-9月 January to September or the first nine months)
    placeholders   error     {{ figure }} and {field} placeholders missing, altered or added, and
                             other braces added ({0}, {field.attribute}, {% … %})
    brackets       error     brackets or quotes unbalanced in the target (when the source is balanced)
                   warning   fewer brackets or quotes in the target than in the source, full-width ones in English
    markup         warning   Markdown ** / * emphasis not matching the source
    glossary       error     a rendering the glossary says to avoid (a calque) in the target of a source with the term
                   warning   a glossary term in the source without its approved English in the target
    consistency    warning   the same source translated two different ways

Errors fail `reportgen i18n check`; warnings are printed. Glossary: content/i18n/glossary.yaml.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..errors import ContentError, Location, Problem
from ..yamlsource import locate, read_yaml
from .segments import Segment, collect

GLOSSARY_FILE = Path("i18n") / "glossary.yaml"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
PLACEHOLDER = re.compile(r"\{\{\s*[^{}]*?\s*\}\}|\{[A-Za-z_][A-Za-z0-9_]*\}")
# a number with its Chinese unit (万/亿, optionally followed by 元) in the source, and 第 before it
ZH_NUMBER = re.compile(r"(?<![\d.])(第?)(\d+(?:\.\d+)?)\s*(万亿|亿|万)?")
# a month or quarter after a number, or after a range of numbers (3月, 1-9月, 2季度, 1至3季度)
ZH_MONTH_OR_QUARTER = re.compile(r"(?:\s*[-–—~～至到]\s*\d+)?\s*(月|季度)")
# the numbers official English writes in words: one to ten, the ordinals (第N, N季度: "the second
# quarter"), the months (N月; the ordinals too: 1-9月 "the first nine months") and their short forms
NUMBER_WORDS = {
    "number": "one two three four five six seven eight nine ten",
    "ordinal": "first second third fourth fifth sixth seventh eighth ninth tenth",
    "month": "January February March April May June July August September October November December",
}
WORDS = {w.lower(): (kind, Decimal(n)) for kind, words in NUMBER_WORDS.items() for n, w in enumerate(words.split(), 1)}
WORDS.update({w[:3]: WORDS[w] for w in list(WORDS) if WORDS[w][0] == "month"} | {"sept": ("month", Decimal(9))})
# a number in English (digits with thousands separators, or a word), with a scale word
EN_NUMBER = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\b(?:%s)\b)(?:\s*(thousand|million|billion|trillion)\b)?"
                       % "|".join(sorted(WORDS, key=len, reverse=True)), re.IGNORECASE)
ZH_SCALE = {None: 1, "万": 10**4, "亿": 10**8, "万亿": 10**12}
EN_SCALE = {None: 1, "thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# (name, openings in zh, closings in zh, opening in en, closing in en)
BRACKETS = (
    ("round brackets", "（(", "）)", "(", ")"),
    ("square brackets", "[［【〔", "]］】〕", "[", "]"),
    ("double quotes", "“《", "”》", "“", "”"),
)
FULL_WIDTH = "（）［］【】〔〕《》，。；：！？、"


@dataclass(frozen=True)
class Term:
    """A glossary term's English: the approved renderings (the first preferred, the others accepted,
    e.g. an abbreviation after its first use) and the renderings to avoid (calques)."""

    en: tuple[str, ...]
    avoid: tuple[str, ...] = ()


@dataclass(frozen=True)
class Finding:
    segment_id: str
    location: Location
    check: str
    severity: str  # error | warning
    message: str

    def problem(self) -> Problem:
        return Problem(self.location, f"{self.segment_id}: {self.message} [{self.check}]", self.severity)

    def __str__(self) -> str:
        return str(self.problem())


def load_glossary(content_dir: Path) -> dict[str, Term]:
    """zh term → its English. A term maps to an English term, a list of them, or a mapping
    `{en: <term or list>, avoid: <term or list>}`."""
    path = Path(content_dir) / GLOSSARY_FILE
    if not path.is_file():
        return {}
    raw = read_yaml(path, content_dir) or {}
    terms = raw.get("terms", raw) if isinstance(raw, dict) else None
    prefix = ("terms",) if isinstance(raw, dict) and "terms" in raw else ()
    if not isinstance(terms, dict):
        raise ContentError([Problem(Location(path, 1), "invalid glossary: expected `terms:` mapping Chinese terms to English")])
    out = {}
    for zh, entry in terms.items():
        fields = entry if isinstance(entry, dict) else {"en": entry}
        en, avoid = english_terms(fields.get("en")), english_terms(fields.get("avoid", []))
        if not en or avoid is None or set(fields) - {"en", "avoid"}:
            raise ContentError([Problem(locate(path, raw, (*prefix, zh)),
                                        f"glossary: '{zh}' must map to an English term, a list of them, or {{en: …, avoid: […]}}")])
        out[str(zh)] = Term(en, avoid)
    return out


def english_terms(value: object) -> tuple[str, ...] | None:
    """A glossary value (a term or a list of terms) as a tuple, or None when it is neither."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        return None
    return tuple(v.strip() for v in values)


def zh_numbers(text: str) -> list[tuple[str, Decimal, Decimal, set[str]]]:
    """(as written, value as written, value with its 万/亿 scale, the kinds of English word that may
    render it) for each number of the source."""
    text = PLACEHOLDER.sub(" ", text)
    out = []
    for m in ZH_NUMBER.finditer(text):
        value = Decimal(m.group(2))
        after = ZH_MONTH_OR_QUARTER.match(text, m.end())
        kinds = {"number"}
        if m.group(1) or after:  # 第3批 the third batch, 2季度 the second quarter, 1-9月 the first nine months
            kinds.add("ordinal")
        if after and after.group(1) == "月":  # 12月底 the end of December
            kinds.add("month")
        out.append((m.group(0).strip(), value, value * ZH_SCALE[m.group(3)], kinds))
    return out


def en_numbers(text: str) -> set[tuple[str, Decimal]]:
    """Every (kind, value) the target states: digits and one to ten are a "number" (scaled by a
    following thousand/million/billion/trillion: "12 billion" is 12×10⁹ only, never 12), first to
    tenth an "ordinal", January to December (capitalised) a "month"."""
    text = PLACEHOLDER.sub(" ", text)
    values = set()
    for m in EN_NUMBER.finditer(text):
        written = m.group(1)
        kind, value = WORDS.get(written.lower(), ("number", None))
        if kind == "month" and not written[0].isupper():
            continue  # "may", "march" are not months
        if value is None:
            try:
                value = Decimal(written.replace(",", ""))
            except InvalidOperation:
                continue
        if m.group(2) and kind == "number":
            value *= EN_SCALE[m.group(2).lower()]
        values.add((kind, value))
    return values


def check_segment(s: Segment, glossary: dict[str, Term]) -> list[Finding]:
    found: list[Finding] = []

    def add(check: str, severity: str, message: str) -> None:
        found.append(Finding(s.id, s.location, check, severity, message))

    zh, en = s.zh, s.en
    if not en:
        add("untranslated", "error", "no English translation")
        return found
    if CJK.search(zh) and en.strip() == zh.strip():
        add("untranslated", "error", "the English is a copy of the Chinese")
        return found
    if CJK.search(en):
        add("untranslated", "error", f"the English contains Chinese characters: {''.join(dict.fromkeys(CJK.findall(en)))}")

    targets = en_numbers(en)
    for written, value, scaled, kinds in zh_numbers(zh):
        if not any((kind, v) in targets for kind in kinds for v in (value, scaled)):
            others = sorted(str(v) for v in {v for _, v in targets} - {value, scaled})
            hint = f" (the English has {', '.join(others)})" if others else ""
            add("numbers", "error", f"the number {written} of the Chinese is missing in the English{hint}")

    src_ph, tgt_ph = Counter(normal_placeholder(p) for p in PLACEHOLDER.findall(zh)), Counter(normal_placeholder(p) for p in PLACEHOLDER.findall(en))
    if src_ph != tgt_ph:
        missing, extra = sorted((src_ph - tgt_ph).elements()), sorted((tgt_ph - src_ph).elements())
        parts = ([f"missing {', '.join(missing)}"] if missing else []) + ([f"unknown {', '.join(extra)}"] if extra else [])
        add("placeholders", "error", f"placeholders differ from the Chinese: {'; '.join(parts)}")
    plain_zh, plain_en = PLACEHOLDER.sub(" ", zh), PLACEHOLDER.sub(" ", en)
    if sum(map(plain_en.count, "{}")) > sum(map(plain_zh.count, "{}")):  # {quarter.__class__}, {0}, {% … %}
        add("placeholders", "error", "braces in the English that are not placeholders of the Chinese: only its {…} and {{ … }} may be written")

    for name, zo, zc, eo, ec in BRACKETS:
        z_open, z_close = sum(plain_zh.count(c) for c in zo), sum(plain_zh.count(c) for c in zc)
        e_open, e_close = plain_en.count(eo), plain_en.count(ec)
        if e_open - e_close != z_open - z_close:
            add("brackets", "error", f"unbalanced {name} in the English ({e_open} opening, {e_close} closing)")
        elif e_open < z_open and name != "double quotes":
            add("brackets", "warning", f"fewer {name} in the English ({e_open}) than in the Chinese ({z_open})")
    if plain_en.count("‘") > plain_en.count("’"):
        add("brackets", "error", "unbalanced single quotes in the English (‘ without ’)")
    wide = "".join(dict.fromkeys(c for c in plain_en if c in FULL_WIDTH))
    if wide:
        add("brackets", "warning", f"full-width punctuation in the English: {wide}")

    if zh.count("**") != en.count("**"):
        add("markup", "warning", f"Markdown bold markers (**) differ: {zh.count('**')} in the Chinese, {en.count('**')} in the English")

    lower = en.lower()
    for term, t in glossary.items():
        if term not in zh:
            continue
        avoided = [bad for bad in t.avoid if bad.lower() in lower]
        for bad in avoided:
            add("glossary", "error", f"glossary term {term} is rendered “{bad}”, which the glossary says to avoid: write “{t.en[0]}”")
        if not avoided and not any(r.lower() in lower for r in t.en):
            add("glossary", "warning", f"glossary term {term} is not rendered as “{t.en[0]}”" + (f" (or {', '.join(t.en[1:])})" if t.en[1:] else ""))
    return found


def normal_placeholder(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("{{", "{{ ").replace("}}", " }}")).replace("{{  ", "{{ ").strip() if text.startswith("{{") else text


def check_consistency(segments: list[Segment]) -> list[Finding]:
    """The same Chinese translated two different ways (each later variant is reported once)."""
    by_source: dict[str, list[Segment]] = defaultdict(list)
    for s in segments:
        if s.en:
            by_source[s.zh].append(s)
    found = []
    for zh, group in by_source.items():
        first = group[0]
        for s in group[1:]:
            if s.en != first.en:
                found.append(Finding(s.id, s.location, "consistency", "warning",
                                     f"“{zh}” is translated “{s.en}” here but “{first.en}” in {first.id} ({first.location})"))
    return found


def check(segments: list[Segment], glossary: dict[str, Term]) -> list[Finding]:
    """Every finding on `segments`, errors first within each segment."""
    out = [f for s in segments for f in check_segment(s, glossary)]
    return out + check_consistency(segments)


def run_qa(content_dir: Path, templates_dir: Path) -> list[Finding]:
    """QA findings on the whole project."""
    return check(collect(content_dir, templates_dir).segments, load_glossary(content_dir))


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]
