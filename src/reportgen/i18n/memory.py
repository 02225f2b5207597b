"""Translation memory: approved English offered again for the same or a similar Chinese.

    load_memory(content_dir, catalog, records) -> Memory    # approved segments + content/i18n/memory.tmx
    Memory.leverage(segment, state) -> Leverage              # what export pre-fills or offers
    export_tmx(content_dir, templates_dir, path) -> int      # the approved segments as TMX 1.4
    import_tmx(path, content_dir) -> MemoryReport            # merge a TMX into content/i18n/memory.tmx
    words(text) -> int                                        # the unit of the leverage counts

The memory is the project's approved segments, in reading order, then the units of the memory file
(TMX from another office or a CAT tool, merged by `tm import`). A segment that needs work
(untranslated, needs-review) has an exact match when an entry has the same Chinese once whitespace
is collapsed (the first such entry wins; its id does not matter: a new quarter's texts have new
ids), else fuzzy matches: translate-toolkit's Levenshtein matcher on characters, at least FUZZY_MIN
percent, the best MAX_CANDIDATES. TMX files carry the segment id as `tuid` and dates from
SOURCE_DATE_EPOCH (else writers.properties.FALLBACK_DATE), never the clock: the same project gives
the same bytes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from .. import __version__
from ..errors import ContentError, Location, Problem
from ..inputs import DIRECTION_CONTROLS, MAX_INPUT_BYTES, confined, read_bytes, read_file
from ..writers.properties import document_date
from .segments import Catalog, Segment, collect
from .state import Record, read_records, states_of, write_atomic
from .xliff import MAX_XLIFF_BYTES, TranslationError, squash

MEMORY_FILE = Path("i18n") / "memory.tmx"
FUZZY_MIN = 75  # percent: translate-toolkit's default, and the usual threshold of CAT tools
MAX_CANDIDATES = 3  # fuzzy matches offered per segment
MAX_COMPARED = 1000  # characters of each text the Levenshtein distance reads (a long paragraph: all of it)
NEEDS_WORK = ("untranslated", "needs-review")
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
TMX_DATE = re.compile(r"\d{8}T\d{6}Z")
WORD = re.compile(r"[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*|\w")
INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^>\[]*\[")


def words(text: str) -> int:
    """Words as CAT tools count a Chinese source: each Chinese character one, each run of Latin
    letters or digits one (2020, 12.5, SiC), punctuation and spaces none."""
    return len(WORD.findall(text))


@dataclass(frozen=True)
class Entry:
    zh: str
    en: str
    id: str = ""  # the segment id (TMX tuid), when known
    created: str | None = None  # TMX dates (YYYYMMDDThhmmssZ) of an imported unit
    changed: str | None = None


@dataclass(frozen=True)
class Match:
    score: int  # percent, below 100
    entry: Entry


@dataclass(frozen=True)
class Leverage:
    """What the memory offers a segment: an exact match (its English is pre-filled) or fuzzy ones."""

    exact: Entry | None = None
    fuzzy: tuple[Match, ...] = ()

    @property
    def kind(self) -> str:
        return "exact" if self.exact else "fuzzy" if self.fuzzy else "new"


class Memory:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries
        self.exact: dict[str, Entry] = {}
        for entry in entries:
            self.exact.setdefault(squash(entry.zh), entry)
        self._matcher = None

    def leverage(self, segment: Segment, state: str) -> Leverage:
        """The match of a segment that needs work (nothing for one that is translated or approved)."""
        if state not in NEEDS_WORK:
            return Leverage()
        key = squash(segment.zh)
        if key in self.exact:
            return Leverage(exact=self.exact[key])
        return Leverage(fuzzy=tuple(self.matcher().matches(key)))

    def matcher(self):
        if self._matcher is None:
            self._matcher = _matcher(self.entries)
        return self._matcher


def _matcher(entries: list[Entry]):
    """translate-toolkit's TM matcher over the entries, returning Match objects, best first."""
    from translate.search import lshtein, match  # its distance is RapidFuzz's native one (a dependency)
    from translate.storage import base

    by_pair: dict[tuple[str, str], Entry] = {}
    store = base.TranslationStore()
    for entry in entries:
        unit = base.TranslationUnit(squash(entry.zh))
        unit.target = entry.en
        by_pair.setdefault((unit.source, unit.target), entry)
        store.addunit(unit)

    class Matcher(match.matcher):
        def buildunits(self, candidates):
            return [Match(int(score), by_pair[c.source, c.target]) for score, c in candidates]

    return Matcher(store, max_candidates=MAX_CANDIDATES, min_similarity=FUZZY_MIN, max_length=MAX_COMPARED,
                   comparer=lshtein.LevenshteinComparer(MAX_COMPARED))


def memory_path(content_dir: Path) -> Path:
    return Path(content_dir) / MEMORY_FILE


def approved_entries(catalog: Catalog, records: dict[str, Record]) -> list[Entry]:
    return [Entry(s.zh, s.en, s.id) for s, state in states_of(catalog, records) if state == "approved"]


def load_memory(content_dir: Path, catalog: Catalog, records: dict[str, Record]) -> Memory:
    """The approved segments, then the memory file's entries."""
    return Memory(approved_entries(catalog, records) + read_memory(content_dir))


def read_memory(content_dir: Path) -> list[Entry]:
    path = memory_path(content_dir)
    if not path.exists() and not path.is_symlink():
        return []
    return parse_tmx(read_bytes(path, content_dir), path)


# ---------------------------------------------------------------------------------------------
# TMX


def parse_tmx(data: bytes, path: Path) -> list[Entry]:
    """The zh → en entries of a TMX file. Refused (TranslationError, located): malformed XML,
    entities or a DOCTYPE with declarations (a DOCTYPE naming the TMX DTD is allowed, never
    read), a root other than <tmx version="1.x">, a source language other than Chinese, a unit
    without both a Chinese and an English text, a text with an invisible direction control."""
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    def at(offset: int | None) -> Location:
        return Location(path, data.count(b"\n", 0, offset) + 1 if offset is not None and offset >= 0 else None)

    try:
        safe_et.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise TranslationError([Problem(at(data.find(b"<!ENTITY")), f"refused TMX: it declares entities ({type(exc).__name__}); TMX needs none")]) from None
    except safe_et.ParseError as exc:
        raise TranslationError([Problem(Location(path, getattr(exc, "position", (None,))[0]), f"malformed XML: {exc}")]) from None
    if subset := INTERNAL_SUBSET.search(data):
        raise TranslationError([Problem(at(subset.start()), "refused TMX: its DOCTYPE declares things ([…]); TMX needs at most <!DOCTYPE tmx SYSTEM \"tmx14.dtd\">")])
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise TranslationError([Problem(Location(path, exc.lineno), f"malformed XML: {exc.msg}")]) from None
    if root.tag != "tmx" or not (root.get("version") or "").startswith("1."):
        raise TranslationError([Problem(Location(path, root.sourceline), f"not a TMX 1.4 file (the root element is <{root.tag}> version {root.get('version')!r})")])
    header = root.find("header")
    srclang = (header.get("srclang") or "") if header is not None else ""
    if not srclang.lower().startswith("zh") and srclang != "*all*":
        raise TranslationError([Problem(Location(path, (header if header is not None else root).sourceline),
                                        f"source language {srclang or '?'}: expected Chinese (zh-CN) → English")])
    out, problems = [], []
    for tu in root.iter("tu"):
        texts = {}
        for tuv in tu.iter("tuv"):
            lang = (tuv.get(XML_LANG) or tuv.get("lang") or "").lower()[:2]  # TMX 1.1-1.3: lang
            seg = tuv.find("seg")
            if lang in ("zh", "en") and lang not in texts and seg is not None:
                texts[lang] = "".join(seg.itertext()).strip()  # inline codes (<bpt>, <ph> …) hold their native text
        where = Location(path, tu.sourceline)
        missing = [name for lang, name in (("zh", "Chinese"), ("en", "English")) if not texts.get(lang)]
        if missing:
            problems.append(Problem(where, f"{tu.get('tuid') or 'a unit'}: no {' or '.join(missing)} text; a memory unit needs both (zh → en)"))
        elif control := DIRECTION_CONTROLS.search(texts["zh"] + texts["en"]):
            problems.append(Problem(where, f"{tu.get('tuid') or 'a unit'}: the text holds U+{ord(control.group()):04X}, an invisible direction control"))
        else:
            dates = [d if d and TMX_DATE.fullmatch(d) else None for d in (tu.get("creationdate"), tu.get("changedate"))]
            out.append(Entry(texts["zh"], texts["en"], tu.get("tuid") or "", *dates))
    if problems:
        raise TranslationError(problems)
    return out


def tmx_bytes(entries: list[Entry]) -> bytes:
    """A TMX 1.4 file of the entries, written by translate-toolkit (tuid: the id; dates: each
    entry's own, else SOURCE_DATE_EPOCH's)."""
    from translate.misc.xml_helpers import setXMLspace
    from translate.storage import tmx

    stamp = document_date(None).strftime("%Y%m%dT%H%M%SZ")
    store = tmx.tmxfile(sourcelanguage="zh-CN", targetlanguage="en")
    header = store.document.getroot().find("header")
    header.attrib.update({"creationtool": "reportgen", "creationtoolversion": __version__, "segtype": "paragraph", "creationdate": stamp})
    for entry in entries:
        unit = store.addsourceunit(entry.zh, "zh-CN")
        unit.settarget(entry.en, "en", append=True)
        tu = unit.xmlelement
        if entry.id:
            tu.set("tuid", entry.id)
        tu.set("creationdate", entry.created or stamp)
        tu.set("changedate", entry.changed or entry.created or stamp)
        if "\n" in entry.zh + entry.en:
            setXMLspace(tu, "preserve")
    return bytes(store)


def export_tmx(content_dir: Path, templates_dir: Path, path: Path) -> int:
    """Write every approved segment (zh-CN → en) to a TMX file; returns the number of units."""
    entries = approved_entries(collect(content_dir, templates_dir), read_records(content_dir))
    write_atomic(Path(path), tmx_bytes(entries))
    return len(entries)


@dataclass
class MemoryReport:
    added: int
    replaced: int  # same Chinese, other English: the imported English wins
    unchanged: int
    written: Path | None  # the memory file, when it changed


def import_tmx(path: Path, content_dir: Path) -> MemoryReport:
    """Merge the units of a TMX file into the memory file: a unit whose Chinese (whitespace
    collapsed) is new is added, one whose Chinese is there with another English replaces it. The
    whole file is validated first; a refused file changes nothing. Written atomically."""
    path = Path(path)
    try:
        incoming = parse_tmx(read_file(path, MAX_XLIFF_BYTES, Location(path)), path)
    except ContentError as exc:
        raise TranslationError(exc.problems) from None
    merged = {squash(e.zh): e for e in read_memory(content_dir)}
    added = replaced = unchanged = 0
    for entry in incoming:
        old = merged.get(squash(entry.zh))
        if old is None:
            added += 1
        elif old.en == entry.en:
            unchanged += 1
            continue
        else:
            replaced += 1
        merged[squash(entry.zh)] = entry
    if not added + replaced:
        return MemoryReport(0, 0, unchanged, None)
    data = tmx_bytes(list(merged.values()))
    if len(data) > MAX_INPUT_BYTES:
        raise TranslationError([Problem(Location(path), f"the merged memory would have {len(data)} bytes, more than a content file may hold ({MAX_INPUT_BYTES}); not imported")])
    target = confined(memory_path(content_dir), content_dir)  # a link inside the content folder: where it points
    write_atomic(target, data)
    return MemoryReport(added, replaced, unchanged, target)
