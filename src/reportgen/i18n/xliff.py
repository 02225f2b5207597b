"""XLIFF exchange with CAT tools (Trados, memoQ, Phrase, OmegaT, Weblate), through translate-toolkit.

    export(content_dir, templates_dir, path, lang="en", version="1.2", source_in_target=False) -> int   # units written
    import_(path, content_dir, templates_dir, skip_stale=False, approve=False) -> ImportReport

Export writes one <file> per content file (original = its path inside the content folder) and one
trans-unit per segment: id = the segment id, source (zh-CN), target (en), placeholders and Markdown
formatting in both as inline codes with the same ids (inline.py), the target's `state` (untranslated → new,
translated → translated, needs-review → needs-review-translation, approved → final, plus
approved="yes") and notes for context (documents, section, file:line, QA findings). A segment
that needs work gets what the translation memory (memory.py) has: an exact match pre-filled as its
target (needs-review-translation, state-qualifier="exact-match"; 2.0: subState
reportgen:exact-match), else its fuzzy matches as <alt-trans match-quality> (2.0: <mtc:match
similarity>), their texts with codes as the unit's. With `source_in_target`, an untranslated
unit's target is a copy of its source (state new), for tools that translate the target (OmegaT).

Import validates the whole file first, then writes: a hostile or malformed file (not a regular
file or over MAX_XLIFF_BYTES, bad XML, a DOCTYPE, entities, unknown or duplicate ids, another
language pair, an element that is not inline markup) raises TranslationError and changes
nothing; so does a unit whose source no longer matches the current Chinese (stale), unless
`skip_stale` (then it is reported and not applied), and a target whose inline codes are not its
source's (dropped, duplicated, invented, re-nested: each code is known by its id and written as
what the current Chinese's code stands for). A target that is empty or still the Chinese is
untranslated: not applied (the latter reported at its unit). Every applied target passes the QA
checks of qa.py (an error refuses it, as `reportgen i18n check` fails on it) and then `reportgen
check`, run on the files as they would be written (inputs.pending), before any is written; a
refused target is reported at its unit. Targets are merged into the content files without
re-serialising them: YAML scalars are spliced in place at the positions ruamel's composer gives
(same quoting or block style, comments and layout untouched), a table's changed row is rewritten
on its own line(s), and the file is re-parsed to prove only the intended values changed. Every
file is replaced atomically (temporary file + rename), where a link inside the content folder
points; translations.yaml records the state.
"""
from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from ..errors import EXIT_CONTENT, ContentError, Location, Problem, ReportgenError
from ..inputs import DIRECTION_CONTROLS, MAX_INPUT_BYTES, confined, pending, read_bytes, read_file, table_encoding
from .qa import check_consistency, check_segment, load_glossary
from ..tables import FORMULA_MARKS, CellPlace, StorePlace, formula_like
from .cells import read_store, write_store
from .inline import differences, flatten, from_inline, has_codes, joined, restore, to_inline, write_inline
from .segments import Segment, YamlPlace, collect
from .state import (
    read_records,
    record_for,
    states_of,
    write_atomic,
    write_records,
)

if TYPE_CHECKING:  # memory.py builds on this module
    from .memory import Leverage

MAX_XLIFF_BYTES = 50 * 1024 * 1024
XLIFF_STATE = {"untranslated": "new", "translated": "translated", "needs-review": "needs-review-translation", "approved": "final"}
XLIFF12_SKELETON = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="NoName" source-language="zh-CN" datatype="plaintext"><body></body></file>
</xliff>"""
TM_ORIGIN = "reportgen translation memory"  # alt-trans / mtc:match origin of fuzzy matches
XLIFF2_STATE = {"untranslated": "initial", "translated": "translated", "needs-review": "translated", "approved": "final"}


class TranslationError(ReportgenError):
    """An XLIFF (or TMX) file that cannot be imported; nothing was changed."""

    exit_code = EXIT_CONTENT


@dataclass
class ImportReport:
    applied: list[str] = field(default_factory=list)  # ids whose English changed
    state_only: list[str] = field(default_factory=list)  # ids whose state changed (English unchanged)
    unchanged: int = 0
    skipped: list[Problem] = field(default_factory=list)  # stale or empty units not applied
    findings: list[Problem] = field(default_factory=list)  # QA findings on the applied targets
    files: list[Path] = field(default_factory=list)  # files written


# ---------------------------------------------------------------------------------------------
# export


def export(content_dir: Path, templates_dir: Path, path: Path, lang: str = "en", version: str = "1.2", source_in_target: bool = False) -> int:
    """Write every segment to an XLIFF file (1.2, or 2.0); returns the number of units. With
    `source_in_target`, an untranslated unit's target is a copy of its source, codes and all (state
    new: what OmegaT translates; import takes a target still equal to the Chinese as untranslated)."""
    from .memory import load_memory  # memory.py builds on this module

    catalog = collect(content_dir, templates_dir)
    records = read_records(content_dir)
    pairs = states_of(catalog, records)
    glossary = load_glossary(content_dir)
    memory = load_memory(content_dir, catalog, records)
    titles = {d: info.title["zh"] for d, info in catalog.documents.items()}
    units = []
    for seg, state in pairs:
        leverage = memory.leverage(seg, state)
        notes = [
            f"Documents: {', '.join(f'{d} ({titles[d]})' for d in seg.documents)}" if seg.documents else "Documents: none",
            f"Context: {seg.context}",
            f"Location: {seg.location}",
            f"State: {state}",
        ]
        notes += [f"QA {f.severity}: {f.message} [{f.check}]" for f in check_segment(seg, glossary) if f.check != "untranslated"]
        if leverage.exact:  # pre-filled from memory, to be reviewed
            notes.append(f"Translation memory: exact match of {leverage.exact.id or 'the memory file'}; the English is pre-filled: review it")
            seg, state = replace(seg, en=leverage.exact.en), "needs-review"
        elif state == "untranslated" and source_in_target:
            seg = replace(seg, en=seg.zh)
        units.append((seg, state, notes, leverage))
    if version == "2.0":
        data = export_xliff2(units, lang, content_dir, templates_dir)
    elif version == "1.2":
        data = export_xliff12(units, lang, content_dir, templates_dir)
    else:
        raise TranslationError(f"unknown XLIFF version {version!r} (1.2 or 2.0)")
    write_atomic(Path(path), data)
    return len(units)


def original(seg: Segment, content_dir: Path, templates_dir: Path) -> str:
    """The file holding the Chinese (a table's text whose English is kept in the catalogue: the
    table), as a path inside the content folder (the installed templates' strings.yaml:
    templates/strings.yaml), whatever the current folder."""
    file = Path(os.path.abspath(seg.location.file))
    for folder, prefix in ((content_dir, ""), (templates_dir, "templates/")):
        if file.is_relative_to(os.path.abspath(folder)):
            return prefix + file.relative_to(os.path.abspath(folder)).as_posix()
    return file.name


def inline_parts(zh: str, en: str, markdown: bool) -> tuple[tuple, tuple]:
    """The parts (inline.py) of a Chinese text and of its English, whose codes take the Chinese's ids."""
    source = to_inline(zh, markdown)
    return source, to_inline(en, markdown, like=source)


def export_xliff12(units: list[tuple[Segment, str, list[str], Leverage]], lang: str, content_dir: Path, templates_dir: Path) -> bytes:
    from translate.storage import xliff

    store = xliff.xlifffile.parsestring(XLIFF12_SKELETON)  # translate-toolkit starts 1.1 files; we want 1.2
    store.setsourcelanguage("zh-CN")
    store.settargetlanguage(lang)
    for seg, state, notes, leverage in units:
        unit = store.addsourceunit(seg.zh, filename=original(seg, content_dir, templates_dir), createifmissing=True)
        unit.setid(seg.id)
        unit.xmlelement.set("resname", seg.id)
        if "\n" in seg.zh or "\n" in seg.en:
            unit.xmlelement.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        source_parts, target_parts = inline_parts(seg.zh, seg.en, seg.markdown)
        source = unit.getlanguageNode(lang=None, index=0)
        source.text = None
        write_inline(source, source_parts, "1.2")
        target = etree.SubElement(unit.xmlelement, unit.namespaced("target"))  # even empty: it carries the state
        target.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
        write_inline(target, target_parts, "1.2")
        target.set("state", XLIFF_STATE[state])
        if leverage.exact:
            target.set("state-qualifier", "exact-match")
        unit.xmlelement.set("approved", "yes" if state == "approved" else "no")
        for note in notes:
            unit.addnote(note, origin="developer")
        for match in leverage.fuzzy:
            alt = etree.SubElement(unit.xmlelement, unit.namespaced("alt-trans"), {"match-quality": str(match.score), "origin": TM_ORIGIN})
            alt.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            alt.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
            for part, parts in zip(("source", "target"), inline_parts(match.entry.zh, match.entry.en, seg.markdown)):
                write_inline(etree.SubElement(alt, unit.namespaced(part)), parts, "1.2")
    store.removedefaultfile()
    etree.cleanup_namespaces(store.document.getroot())  # units are created with a stray 1.1 declaration
    return bytes(store)


def export_xliff2(units: list[tuple[Segment, str, list[str], Leverage]], lang: str, content_dir: Path, templates_dir: Path) -> bytes:
    ns, mtc = "urn:oasis:names:tc:xliff:document:2.0", "urn:oasis:names:tc:xliff:matches:2.0"
    root = etree.Element(f"{{{ns}}}xliff", nsmap={None: ns}, version="2.0", srcLang="zh-CN", trgLang=lang)
    files: dict[str, etree._Element] = {}
    for seg, state, notes, leverage in units:
        name = original(seg, content_dir, templates_dir)
        if name not in files:
            files[name] = etree.SubElement(root, f"{{{ns}}}file", id=f"f{len(files) + 1}", original=name)
        unit = etree.SubElement(files[name], f"{{{ns}}}unit", id=seg.id)
        if leverage.fuzzy:  # the Translation Candidates module: before the unit's notes
            matches = etree.SubElement(unit, f"{{{mtc}}}matches", nsmap={"mtc": mtc})
            for match in leverage.fuzzy:
                candidate = etree.SubElement(matches, f"{{{mtc}}}match", ref="#s1", type="tm", origin=TM_ORIGIN, similarity=str(match.score))
                for part, parts in zip(("source", "target"), inline_parts(match.entry.zh, match.entry.en, seg.markdown)):
                    write_inline(etree.SubElement(candidate, f"{{{ns}}}{part}"), parts, "2.0")
        notes_el = etree.SubElement(unit, f"{{{ns}}}notes")
        for note in notes:
            etree.SubElement(notes_el, f"{{{ns}}}note", category="context").text = note
        segment = etree.SubElement(unit, f"{{{ns}}}segment", state=XLIFF2_STATE[state])
        if leverage.fuzzy:
            segment.set("id", "s1")
        if state == "needs-review":
            segment.set("subState", "reportgen:exact-match" if leverage.exact else "reportgen:needs-review")
        source_parts, target_parts = inline_parts(seg.zh, seg.en, seg.markdown)
        write_inline(etree.SubElement(segment, f"{{{ns}}}source"), source_parts, "2.0")
        if seg.en:
            write_inline(etree.SubElement(segment, f"{{{ns}}}target"), target_parts, "2.0")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---------------------------------------------------------------------------------------------
# import


@dataclass(frozen=True)
class IncomingUnit:
    id: str
    source: tuple  # parts (inline.py): text and codes by id
    target: tuple
    state: str | None  # what the unit claims: approved | translated | None (not confirmed)
    line: int | None
    preserve: bool  # whitespace as written (else collapsed, as translate-toolkit reads XLIFF 1.2)


def read_units(path: Path) -> list[IncomingUnit]:
    """The units of an XLIFF 1.2 or 2.0 file, refusing DTDs, entities, malformed XML, and files that
    are not regular or over MAX_XLIFF_BYTES (by stat, before reading)."""
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    where = Location(Path(path))
    try:
        data = read_file(Path(path), MAX_XLIFF_BYTES, where)
    except ContentError as exc:
        raise TranslationError(exc.problems) from None
    try:
        safe_et.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        at = min((i for i in (data.find(b"<!DOCTYPE"), data.find(b"<!ENTITY")) if i >= 0), default=None)
        where = Location(Path(path), data.count(b"\n", 0, at) + 1) if at is not None else where
        raise TranslationError([Problem(where, f"refused XLIFF: it declares a DOCTYPE or entities ({type(exc).__name__}); XLIFF needs neither")]) from None
    except safe_et.ParseError as exc:
        line = getattr(exc, "position", (None,))[0]
        raise TranslationError([Problem(Location(Path(path), line), f"malformed XML: {exc}")]) from None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise TranslationError([Problem(Location(Path(path), exc.lineno), f"malformed XML: {exc.msg}")]) from None
    version = root.get("version")
    if etree.QName(root).localname != "xliff":
        raise TranslationError([Problem(Location(Path(path), root.sourceline), "not an XLIFF file (the root element is not <xliff>)")])
    if version == "2.0":
        return read_xliff2(root, Path(path))
    if version != "1.2":
        raise TranslationError([Problem(Location(Path(path), root.sourceline), f"unsupported XLIFF version {version!r} (1.2 or 2.0)")])
    from translate.storage import xliff

    store = xliff.xlifffile()
    store.parse(data)  # translate-toolkit's own (safe) parser
    problems = []
    for file_el in root.iter("{urn:oasis:names:tc:xliff:document:1.2}file"):
        src, tgt = file_el.get("source-language", ""), file_el.get("target-language", "")
        if not src.lower().startswith("zh") or (tgt and not tgt.lower().startswith("en")):
            problems.append(Problem(Location(Path(path), file_el.sourceline), f"language pair {src or '?'} → {tgt or '?'}: expected zh-CN → en"))
    out = []
    for unit in store.units:
        el = unit.xmlelement
        source_el, target_el = unit.getlanguageNode(lang=None, index=0), unit.getlanguageNode(lang=None, index=1)
        xml_state = target_el.get("state") if target_el is not None else None
        claim = "approved" if el.get("approved") == "yes" or xml_state in ("final", "signed-off") else ("translated" if xml_state == "translated" else None)
        try:
            source, target = (from_inline(node, "1.2") if node is not None else () for node in (source_el, target_el))
        except ValueError as exc:
            problems.append(Problem(Location(Path(path), el.sourceline), f"{el.get('id') or 'a unit'}: {exc}; not applied"))
            continue
        space = el.xpath("ancestor-or-self::*/@xml:space")
        out.append(IncomingUnit(el.get("id") or "", source, target, claim, el.sourceline, bool(space) and space[-1] == "preserve"))
    if problems:
        raise TranslationError(problems)
    return out


def read_xliff2(root, path: Path) -> list[IncomingUnit]:
    ns = "{urn:oasis:names:tc:xliff:document:2.0}"
    if not (root.get("srcLang") or "").lower().startswith("zh") or not (root.get("trgLang") or "en").lower().startswith("en"):
        raise TranslationError([Problem(Location(path, root.sourceline), f"language pair {root.get('srcLang')} → {root.get('trgLang')}: expected zh-CN → en")])
    out, problems = [], []
    for unit in root.iter(f"{ns}unit"):
        segs = unit.findall(f"{ns}segment")
        try:
            source, target = (joined(p for s in segs for node in s.iterfind(f"{ns}{part}") for p in from_inline(node, "2.0")) for part in ("source", "target"))
        except ValueError as exc:
            problems.append(Problem(Location(path, unit.sourceline), f"{unit.get('id') or 'a unit'}: {exc}; not applied"))
            continue
        states = {s.get("state", "initial") for s in segs}
        claim = "approved" if states <= {"final", "reviewed"} and "final" in states else ("translated" if states <= {"translated", "reviewed", "final"} and not any(s.get("subState") for s in segs) else None)
        out.append(IncomingUnit(unit.get("id") or "", source, target, claim, unit.sourceline, True))
    if problems:
        raise TranslationError(problems)
    return out


def texts(u: IncomingUnit, seg: Segment) -> tuple[str | None, str, list[str]]:
    """The source and target of a unit as text, each code written as the current Chinese's code of
    its id (the source: None when its codes are not the Chinese's), and how the target's codes
    differ from the source's. A source without codes (an export older than inline codes) takes a
    target without any."""
    expected = to_inline(seg.zh, seg.markdown) if has_codes(u.source) else ()
    codes = {c.id: c for c, _ in flatten(expected)}
    source = None if differences(expected, u.source) else restore(u.source, codes)
    try:
        target = restore(u.target, codes)
    except KeyError:  # a code the source does not have: reported as invented
        target = ""
    return source, target, differences(expected, u.target)


def spaced(text: str, preserve: bool) -> str:
    """XLIFF 1.2 text as translate-toolkit reads it: whitespace collapsed unless xml:space says preserve."""
    return text if preserve else re.sub(r"[ \t\r\n]+", " ", text).strip(" \t\r\n")


def squash(text: str) -> str:
    """Whitespace-insensitive form (CAT tools collapse whitespace outside xml:space="preserve")."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Change:
    """What a unit changes: a segment's English (`en`, the same when only the state changes) and state."""

    segment: Segment
    en: str
    state: str
    unit: Location  # the unit in the XLIFF file


@dataclass(frozen=True)
class Rewrite:
    """A file's new bytes, and the lines (first, last) that each changed segment's English takes in them."""

    data: bytes
    lines: dict[str, tuple[int, int]]


def import_(path: Path, content_dir: Path, templates_dir: Path, skip_stale: bool = False, approve: bool = False) -> ImportReport:
    """Merge the targets and states of an XLIFF file into the content; see the module docstring.

    A changed target is recorded as translated (approved with `approve`, for a file returning from
    review); an unchanged target takes the state the unit claims (approved="yes" or final/signed-off
    → approved, translated → translated; other states change nothing). Every applied target passes
    the QA checks (errors refuse it; warnings are reported) and `reportgen check` on the files as they
    would be written, before anything is written."""
    path = Path(path)
    units = read_units(path)
    catalog = collect(content_dir, templates_dir)
    known = catalog.by_id()
    records = read_records(content_dir)
    current = dict(states_of(catalog, records))
    report = ImportReport()
    errors, seen = [], {}
    changes: dict[str, Change] = {}
    for u in units:
        where = Location(path, u.line)
        if not u.id:
            errors.append(Problem(where, "trans-unit without an id"))
            continue
        if u.id in seen:
            errors.append(Problem(where, f"unit '{u.id}' appears twice (first on line {seen[u.id]})"))
            continue
        seen[u.id] = u.line
        seg = known.get(u.id)
        if seg is None:
            errors.append(Problem(where, f"unknown unit id '{u.id}': no such segment in the content (renamed or removed?)"))
            continue
        source, target, damaged = texts(u, seg)
        if source is None or squash(spaced(source, u.preserve)) != squash(seg.zh):
            stale = Problem(where, f"{u.id}: the source in the XLIFF no longer matches the current Chinese at {seg.location} (stale export); not applied: export again", "error" if not skip_stale else "warning")
            (report.skipped if skip_stale else errors).append(stale)
            continue
        target = spaced(target, u.preserve).strip()
        if not target and not has_codes(u.target):
            continue  # nothing translated
        if damaged and not (target and squash(target) == squash(seg.en)):  # the English as it is may lack a code: not the translator's
            errors.append(Problem(where, f"{u.id}: the target's inline codes differ from the source's: {'; '.join(damaged)}; not applied"))
            continue
        if control := DIRECTION_CONTROLS.search(target):
            errors.append(Problem(where, f"{u.id}: the target holds U+{ord(control.group()):04X} ({unicodedata.name(control.group())}), an invisible direction "
                                         "control that prints the text around it in another order than written; not applied"))
            continue
        if squash(target) == squash(seg.zh):
            report.skipped.append(Problem(where, f"{u.id}: the target is still the Chinese (a copy of the source): untranslated, not applied", "warning"))
            continue
        if len(target.encode("utf-8")) > MAX_INPUT_BYTES:  # no file could hold it: refused before minutes of YAML work
            errors.append(Problem(where, f"{u.id}: the target has {len(target.encode('utf-8'))} bytes, more than a content file may hold ({MAX_INPUT_BYTES}); not applied"))
            continue
        if isinstance(seg.place, CellPlace) and formula_like(target, FORMULA_MARKS + "-"):
            errors.append(Problem(where, f"{u.id}: the target starts with {target[0]!r}: a spreadsheet opening {seg.place.file.name} would run it as a formula; not applied"))
            continue
        new_en = seg.en if squash(target) == squash(seg.en) else target
        if new_en != seg.en:
            # A changed English is a translation, not yet an approval: CAT tools often keep the exported
            # state (OmegaT never updates it), so "final" on a changed target proves nothing. A file
            # returning from review is imported with approve=True.
            new_state = "approved" if approve else "translated"
        else:
            new_state = "approved" if approve else u.state
        if new_state is None:
            report.unchanged += 1
            continue
        rec = records.get(u.id)
        if new_en == seg.en and current[seg] == new_state and rec is not None:
            report.unchanged += 1
            continue
        changes[u.id] = Change(seg, new_en, new_state, where)
    if errors:
        raise TranslationError(errors)

    updated = {seg_id: replace(c.segment, en=c.en) for seg_id, c in changes.items()}
    findings = [f for s in updated.values() for f in check_segment(s, load_glossary(content_dir))]
    findings += [f for f in check_consistency([updated.get(s.id, s) for s in catalog.segments]) if f.segment_id in changes]
    refused = [Problem(changes[f.segment_id].unit, f"{f.segment_id}: {f.message} [{f.check}]; not applied") for f in findings if f.severity == "error"]
    if refused:  # as `reportgen i18n check` fails on them
        raise TranslationError(refused)
    writes = plan_writes(changes, content_dir, templates_dir)
    refused = check_writes(writes, changes, content_dir, templates_dir)
    if refused:
        raise TranslationError(refused)
    report.findings = [f.problem() for f in findings]
    for seg_id, c in changes.items():
        records[seg_id] = record_for(updated[seg_id], c.state, records.get(seg_id))
        (report.applied if c.en != c.segment.en else report.state_only).append(seg_id)
    for file, rewrite in writes.items():
        write_atomic(file, rewrite.data)
        report.files.append(file)
    if changes:
        report.files.append(write_records(content_dir, records))
    return report


def check_writes(writes: dict[Path, Rewrite], changes: dict[str, Change], content_dir: Path, templates_dir: Path) -> list[Problem]:
    """The errors that `reportgen check` finds in the content as `writes` would make it and not in the
    content as it is (those are not the translator's), rendering the English of the documents that
    print a changed text; each at the unit(s) it concerns."""
    from ..build import check  # the pipeline's own check (its imports are slow: only when something is written)

    if not writes:
        return []
    documents = {d for c in changes.values() if c.en != c.segment.en for d in c.segment.documents}

    def errors() -> list[Problem]:
        try:
            check(content_dir, templates_dir, ("en",), documents)
        except ReportgenError as exc:
            return [p for p in exc.problems if p.severity == "error"]
        return []

    with pending({file: rewrite.data for file, rewrite in writes.items()}):
        after = errors()
    before = {(p.location.file, p.message) for p in errors()} if after else set()
    spans = {seg_id: [(file, *lines)] for file, rewrite in writes.items() for seg_id, lines in rewrite.lines.items()}
    for seg_id, c in changes.items():  # a text whose English is kept elsewhere (cells.yaml): its Chinese
        if c.segment.location.file.resolve() not in writes:
            spans.setdefault(seg_id, []).append((c.segment.location.file.resolve(), c.segment.location.line, c.segment.location.line))
    return [Problem(changes[seg_id].unit, f"{seg_id}: once written, the English fails `reportgen check` at {p.location}: {p.message}; not applied")
            for p in after if (p.location.file, p.message) not in before for seg_id in concerned(p, spans)]


def concerned(problem: Problem, spans: dict[str, list[tuple[Path, int | None, int | None]]]) -> list[str]:
    """The segments a problem of a content file is about: those whose English (or Chinese) takes its
    line, else those in its file, else all of them. `spans`: segment id → [(file, first, last line)]."""
    file, line = problem.location.file.resolve(), problem.location.line

    def there(seg_id: str, anywhere: bool) -> bool:
        return any(f == file and (anywhere or line is not None and first is not None and first <= line <= last) for f, first, last in spans[seg_id])

    return [s for s in spans if there(s, False)] or [s for s in spans if there(s, True)] or list(spans)


# ---------------------------------------------------------------------------------------------
# writing the English back into the sources


def plan_writes(changes: dict[str, Change], content_dir: Path, templates_dir: Path) -> dict[Path, Rewrite]:
    """The new bytes of every file whose English changes, by the path they go to: a symbolic link
    inside the content (or templates) folder is written where it points."""
    by_file: dict[Path, list[Change]] = {}
    for c in changes.values():
        if c.en != c.segment.en:
            by_file.setdefault(c.segment.place.file, []).append(c)
    out, problems = {}, []
    for file, items in by_file.items():
        root = content_dir if file.is_relative_to(content_dir) else templates_dir  # strings.yaml: the office's, or the templates'
        place = items[0].segment.place
        try:
            target = confined(file, root)
            if isinstance(place, StorePlace):
                store, problems_here = read_store(content_dir)
                if problems_here:
                    raise TranslationError(problems_here)
                data, lines = write_store(store, {(c.segment.place.table, c.segment.place.key, c.segment.place.zh): c.en for c in items})
                out[target] = Rewrite(data, {c.segment.id: (lines[c.segment.place.table, c.segment.place.key, c.segment.place.zh],) * 2 for c in items})
            elif isinstance(place, YamlPlace):
                data, spans = splice_yaml(target, root, [(c.segment.place.keys, c.en) for c in items])
                out[target] = Rewrite(data, {c.segment.id: span for c, span in zip(items, spans)})
            elif file.suffix.lower() == ".csv":
                data, spans = rewrite_csv(target, root, [(c.segment.place, c.en) for c in items])
                out[target] = Rewrite(data, {c.segment.id: span for c, span in zip(items, spans)})
            else:
                problems += [Problem(c.unit, f"{c.segment.id}: cannot write into {file.suffix} tables; copy the English into {c.segment.location} by hand") for c in items]
        except (TranslationError, ContentError) as exc:
            spans = {c.segment.id: [(c.segment.location.file.resolve(), c.segment.location.line, c.segment.location.line)] for c in items}
            problems += [Problem(changes[seg_id].unit, f"{seg_id}: {p.location}: {p.message}; not applied") for p in exc.problems for seg_id in concerned(p, spans)]
    if problems:
        raise TranslationError(problems)
    return out


def _split_bom(data: bytes) -> tuple[bytes, str]:
    bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
    return bom, data[len(bom):].decode("utf-8")


def _node_at(node, keys: tuple):
    parent = None
    for key in keys:
        parent = node
        if isinstance(node, MappingNode):
            node = next((v for k, v in node.value if isinstance(k, ScalarNode) and k.value == str(key)), None)
        elif isinstance(node, SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return None, None
        if node is None:
            return None, parent
    return node, parent


def emit_scalar(text: str, style: str | None, indent: int, flow: bool) -> str:
    """`text` as a YAML scalar in `style` for a value whose block content is indented by `indent`."""
    y = YAML(typ="rt", pure=True)
    y.width = 10**6
    value = text
    if style == ">":
        value, y.width = FoldedScalarString(text), max(40, 96 - indent + 2)
    elif style == "|":
        value = LiteralScalarString(text)
    elif style == '"':
        value = DoubleQuotedScalarString(text)
    elif style == "'":
        value = SingleQuotedScalarString(text)
    if flow and style not in (">", "|"):
        y.default_flow_style = True
    buf = io.StringIO()
    y.dump({"en": value}, buf)
    dumped = buf.getvalue()
    if flow and style not in (">", "|"):
        return dumped.strip()[len("{en: "):-1]
    body = dumped[len("en: "):]
    if style in (">", "|"):
        head, *rest = body.split("\n")
        return "\n".join([head] + [(" " * indent + line[2:]) if line else line for line in rest])
    return body.rstrip("\n")


def splice_yaml(file: Path, root: Path, edits: list[tuple[tuple, str]]) -> tuple[bytes, list[tuple[int, int]]]:
    """The YAML file with the `en` of each {zh, en} map at `keys` replaced by the new text, and the
    lines (first, last) each map takes in it. A text that the scalar's style cannot hold (a folded
    block cannot end a line with spaces) is written double-quoted."""
    bom, text = _split_bom(read_bytes(file, root))
    plain = YAML(typ="safe", pure=True)
    expected = plain.load(text)
    for keys, new_en in edits:
        holder = expected
        for key in keys:
            holder = holder[key]
        holder["en"] = new_en

    def attempt(force_quotes: bool) -> tuple[str, list[tuple[int, int]]]:
        tree = YAML(typ="rt", pure=True).compose(text)
        spans = []  # (start, end, new text, start of the {zh, en} map, edit)
        for i, (keys, new_en) in enumerate(edits):
            pair, _ = _node_at(tree, keys)
            if not isinstance(pair, MappingNode):
                raise TranslationError([Problem(Location(file), f"{'.'.join(map(str, keys))}: not a {{zh, en}} map")])
            en = next((v for k, v in pair.value if k.value == "en"), None)
            zh = next((v for k, v in pair.value if k.value == "zh"), None)
            if en is not None and isinstance(en, ScalarNode) and en.end_mark.index > en.start_mark.index:
                style = '"' if force_quotes else en.style
                line_start = text.rfind("\n", 0, en.start_mark.index) + 1
                key_col = len(text[line_start:en.start_mark.index]) - len(text[line_start:en.start_mark.index].lstrip())
                indent = key_col + 2
                if en.style in (">", "|"):
                    first = text[en.start_mark.index:].split("\n", 2)
                    if len(first) > 1 and first[1].strip():
                        indent = len(first[1]) - len(first[1].lstrip())
                new = emit_scalar(new_en, style, indent, bool(pair.flow_style))
                if en.style in (">", "|") and not text[en.start_mark.index:en.end_mark.index].endswith("\n"):
                    new = new.rstrip("\n")
                elif en.style in (">", "|") and not new.endswith("\n"):
                    new += "\n"
                spans.append((en.start_mark.index, en.end_mark.index, new, pair.start_mark.index, i))
            elif zh is not None and en is None:
                if pair.flow_style:  # {zh: …} → {zh: …, en: …}
                    end = pair.end_mark.index - 1
                    spans.append((end, end, ", en: " + emit_scalar(new_en, '"' if force_quotes else None, 0, True), pair.start_mark.index, i))
                else:  # a new line `en: …` after the zh value, aligned with `zh:`
                    line_start = text.rfind("\n", 0, zh.start_mark.index) + 1
                    zh_line = text[line_start:]
                    key_col = len(zh_line) - len(zh_line.lstrip())
                    at = zh.end_mark.index if text[zh.end_mark.index - 1:zh.end_mark.index] == "\n" else text.find("\n", zh.end_mark.index) + 1
                    if at == 0:
                        at = len(text)
                    style = '"' if force_quotes else (">" if len(new_en) > 60 else None)
                    new = " " * key_col + "en: " + emit_scalar(new_en, style, key_col + 2, False)
                    spans.append((at, at, new if new.endswith("\n") else new + "\n", pair.start_mark.index, i))
            else:
                raise TranslationError([Problem(Location(file), f"{'.'.join(map(str, keys))}: cannot place the English here")])
        out, shift, lines = text, 0, {}
        for start, end, new, pair_start, i in sorted(spans):
            at = start + shift
            out = out[:at] + new + out[at + end - start:]
            lines[i] = (out.count("\n", 0, pair_start + shift) + 1, out.count("\n", 0, at + len(new.rstrip("\n"))) + 1)
            shift += len(new) - (end - start)
        return out, [lines[i] for i in range(len(edits))]

    for force in (False, True):
        result, lines = attempt(force)
        try:
            if plain.load(result) == expected:
                return bom + result.encode("utf-8"), lines
        except Exception:  # a splice that does not parse: try the safe quoting
            pass
    raise TranslationError([Problem(Location(file), "could not write the English without changing other values")])


def rewrite_csv(file: Path, root: Path, edits: list[tuple[CellPlace, str]]) -> tuple[bytes, list[tuple[int, int]]]:
    """The CSV with each changed row rewritten on its own line(s), in the file's encoding (every
    other line is untouched), and the lines (first, last) of each edit's row in it."""
    raw = read_bytes(file, root)
    encoding = table_encoding(raw, file, edits[0][0].encoding)
    unfit = []
    for place, new_en in edits:
        try:
            new_en.encode(encoding)
        except UnicodeEncodeError as exc:
            unfit.append(Problem(Location(file, place.line), f"the English has {exc.object[exc.start]!r}, which {encoding} cannot hold"))
    if unfit:
        raise TranslationError(unfit)
    text = raw.decode(encoding)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    reader = csv.reader(io.StringIO(text, newline=""))
    records, start = [], 0
    for cells in reader:
        records.append((start, reader.line_num, cells))  # 0-based first line, end line (exclusive)
        start = reader.line_num
    at = {first + 1: i for i, (first, _, _) in enumerate(records)}  # a record's 1-based first line → its index
    wanted = {}
    for place, new_en in edits:
        wanted.setdefault(at[place.line], []).append((place, new_en))
    expected = [list(c) for _, _, c in records]
    for row, items in wanted.items():
        for place, new_en in items:
            col = place.index
            while len(expected[row]) <= col:
                expected[row].append("")
            expected[row][col] = new_en
    rows = {}
    for row in wanted:
        first, end, _ = records[row]
        buf = io.StringIO()
        csv.writer(buf, lineterminator=newline).writerow(expected[row])
        rows[row] = buf.getvalue() if end < len(lines) or lines[-1].endswith(("\n", "\r")) else buf.getvalue()[: -len(newline)]
    spans, shift = {}, 0
    for row in sorted(rows):
        first, end, _ = records[row]
        count = len(rows[row].splitlines())
        spans[row] = (first + shift + 1, first + shift + count)
        shift += count - (end - first)
    for row in sorted(rows, reverse=True):
        first, end, _ = records[row]
        lines[first:end] = [rows[row]]
    result = "".join(lines)
    reader = csv.reader(io.StringIO(result, newline=""))
    try:
        same = list(reader) == expected
    except csv.Error as exc:  # a cell over the csv module's limit: the content check would refuse it too
        raise TranslationError([Problem(Location(file, reader.line_num), f"the table would not read back: {exc}")]) from None
    if not same:
        raise TranslationError([Problem(Location(file), "could not rewrite the table's rows safely")])
    return result.encode(encoding), [spans[at[place.line]] for place, _ in edits]

