"""XLIFF exchange with CAT tools (Trados, memoQ, Phrase, OmegaT, Weblate), through translate-toolkit.

    export(content_dir, templates_dir, path, lang="en", version="1.2") -> int   # units written
    import_(path, content_dir, templates_dir, skip_stale=False, approve=False) -> ImportReport

Export writes one <file> per content file (original = its path) and one trans-unit per segment:
id = the segment id, source (zh-CN), target (en), the target's `state` (untranslated → new,
translated → translated, needs-review → needs-review-translation, approved → final, plus
approved="yes") and notes for context (documents, section, file:line, QA findings).

Import validates the whole file first, then writes: a hostile or malformed file (bad XML, a DOCTYPE,
entities, unknown or duplicate ids, another language pair) raises TranslationError and changes
nothing; so does a unit whose source no longer matches the current Chinese (stale), unless
`skip_stale` (then it is reported and not applied). Targets are merged into the content files
without re-serialising them: YAML scalars are spliced in place at the positions ruamel's composer
gives (same quoting or block style, comments and layout untouched), a table's changed row is
rewritten on its own line(s), and the file is re-parsed to prove only the intended values changed.
Every file is replaced atomically (temporary file + rename); translations.yaml records the state.
"""
from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from ruamel.yaml import YAML
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from ..errors import EXIT_CONTENT, ContentError, Location, Problem, ReportgenError, display_path
from ..inputs import DIRECTION_CONTROLS, table_encoding
from .qa import check_segment, load_glossary
from ..tables import FORMULA_MARKS, CellPlace, StorePlace, formula_like
from .cells import read_store, write_store
from .segments import Segment, YamlPlace, collect
from .state import (
    read_records,
    record_for,
    states_of,
    write_atomic,
    write_records,
)

MAX_XLIFF_BYTES = 50 * 1024 * 1024
XLIFF_STATE = {"untranslated": "new", "translated": "translated", "needs-review": "needs-review-translation", "approved": "final"}
XLIFF12_SKELETON = b"""<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="NoName" source-language="zh-CN" datatype="plaintext"><body></body></file>
</xliff>"""
XLIFF2_STATE = {"untranslated": "initial", "translated": "translated", "needs-review": "translated", "approved": "final"}


class TranslationError(ReportgenError):
    """An XLIFF file that cannot be imported; nothing was changed."""

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


def export(content_dir: Path, templates_dir: Path, path: Path, lang: str = "en", version: str = "1.2") -> int:
    """Write every segment to an XLIFF file (1.2, or 2.0); returns the number of units."""
    catalog = collect(content_dir, templates_dir)
    pairs = states_of(catalog, read_records(content_dir))
    glossary = load_glossary(content_dir)
    titles = {d: info.title["zh"] for d, info in catalog.documents.items()}
    units = []
    for seg, state in pairs:
        notes = [
            f"Documents: {', '.join(f'{d} ({titles[d]})' for d in seg.documents)}" if seg.documents else "Documents: none",
            f"Context: {seg.context}",
            f"Location: {seg.location}",
            f"State: {state}",
        ]
        notes += [f"QA {f.severity}: {f.message} [{f.check}]" for f in check_segment(seg, glossary) if f.check != "untranslated"]
        units.append((seg, state, notes))
    if version == "2.0":
        data = export_xliff2(units, lang)
    elif version == "1.2":
        data = export_xliff12(units, lang)
    else:
        raise TranslationError(f"unknown XLIFF version {version!r} (1.2 or 2.0)")
    write_atomic(Path(path), data)
    return len(units)


def original(seg: Segment) -> str:
    """The file holding the Chinese (a table's text whose English is kept in the catalogue: the table)."""
    return display_path(seg.location.file)


def export_xliff12(units: list[tuple[Segment, str, list[str]]], lang: str) -> bytes:
    from translate.storage import xliff

    store = xliff.xlifffile.parsestring(XLIFF12_SKELETON)  # translate-toolkit starts 1.1 files; we want 1.2
    store.setsourcelanguage("zh-CN")
    store.settargetlanguage(lang)
    for seg, state, notes in units:
        unit = store.addsourceunit(seg.zh, filename=original(seg), createifmissing=True)
        unit.setid(seg.id)
        unit.xmlelement.set("resname", seg.id)
        if "\n" in seg.zh or "\n" in seg.en:
            unit.xmlelement.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        unit.target = seg.en if seg.en else ""
        target = unit.getlanguageNode(lang=None, index=1)
        if target is None:  # an empty target: keep an element to carry the state
            target = etree.SubElement(unit.xmlelement, unit.namespaced("target"))
            target.set("{http://www.w3.org/XML/1998/namespace}lang", lang)
        target.set("state", XLIFF_STATE[state])
        unit.xmlelement.set("approved", "yes" if state == "approved" else "no")
        for note in notes:
            unit.addnote(note, origin="developer")
    store.removedefaultfile()
    etree.cleanup_namespaces(store.document.getroot())  # units are created with a stray 1.1 declaration
    return bytes(store)


def export_xliff2(units: list[tuple[Segment, str, list[str]]], lang: str) -> bytes:
    ns = "urn:oasis:names:tc:xliff:document:2.0"
    root = etree.Element(f"{{{ns}}}xliff", nsmap={None: ns}, version="2.0", srcLang="zh-CN", trgLang=lang)
    files: dict[str, etree._Element] = {}
    for seg, state, notes in units:
        name = original(seg)
        if name not in files:
            files[name] = etree.SubElement(root, f"{{{ns}}}file", id=f"f{len(files) + 1}", original=name)
        unit = etree.SubElement(files[name], f"{{{ns}}}unit", id=seg.id)
        notes_el = etree.SubElement(unit, f"{{{ns}}}notes")
        for note in notes:
            etree.SubElement(notes_el, f"{{{ns}}}note", category="context").text = note
        segment = etree.SubElement(unit, f"{{{ns}}}segment", state=XLIFF2_STATE[state])
        if state == "needs-review":
            segment.set("subState", "reportgen:needs-review")
        etree.SubElement(segment, f"{{{ns}}}source").text = seg.zh
        if seg.en:
            etree.SubElement(segment, f"{{{ns}}}target").text = seg.en
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# ---------------------------------------------------------------------------------------------
# import


@dataclass(frozen=True)
class IncomingUnit:
    id: str
    source: str
    target: str
    state: str | None  # what the unit claims: approved | translated | None (not confirmed)
    line: int | None


def read_units(path: Path) -> list[IncomingUnit]:
    """The units of an XLIFF 1.2 or 2.0 file, refusing DTDs, entities and malformed XML."""
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    where = Location(Path(path))
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise TranslationError([Problem(where, f"cannot read XLIFF: {exc.strerror}")]) from None
    if len(data) > MAX_XLIFF_BYTES:
        raise TranslationError([Problem(where, f"XLIFF file is larger than {MAX_XLIFF_BYTES} bytes")])
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
    if problems:
        raise TranslationError(problems)
    out = []
    for unit in store.units:
        el = unit.xmlelement
        target_el = unit.getlanguageNode(lang=None, index=1)
        xml_state = target_el.get("state") if target_el is not None else None
        claim = "approved" if el.get("approved") == "yes" or xml_state in ("final", "signed-off") else ("translated" if xml_state == "translated" else None)
        out.append(IncomingUnit(el.get("id") or "", str(unit.source or ""), str(unit.target or ""), claim, el.sourceline))
    return out


def read_xliff2(root, path: Path) -> list[IncomingUnit]:
    ns = "{urn:oasis:names:tc:xliff:document:2.0}"
    if not (root.get("srcLang") or "").lower().startswith("zh") or not (root.get("trgLang") or "en").lower().startswith("en"):
        raise TranslationError([Problem(Location(path, root.sourceline), f"language pair {root.get('srcLang')} → {root.get('trgLang')}: expected zh-CN → en")])
    out = []
    for unit in root.iter(f"{ns}unit"):
        segs = unit.findall(f"{ns}segment")
        source = "".join("".join(s.find(f"{ns}source").itertext()) for s in segs if s.find(f"{ns}source") is not None)
        target = "".join("".join(s.find(f"{ns}target").itertext()) for s in segs if s.find(f"{ns}target") is not None)
        states = {s.get("state", "initial") for s in segs}
        claim = "approved" if states <= {"final", "reviewed"} and "final" in states else ("translated" if states <= {"translated", "reviewed", "final"} and not any(s.get("subState") for s in segs) else None)
        out.append(IncomingUnit(unit.get("id") or "", source, target, claim, unit.sourceline))
    return out


def squash(text: str) -> str:
    """Whitespace-insensitive form (CAT tools collapse whitespace outside xml:space="preserve")."""
    return re.sub(r"\s+", " ", text).strip()


def import_(path: Path, content_dir: Path, templates_dir: Path, skip_stale: bool = False, approve: bool = False) -> ImportReport:
    """Merge the targets and states of an XLIFF file into the content; see the module docstring.

    A changed target is recorded as translated (approved with `approve`, for a file returning from
    review); an unchanged target takes the state the unit claims (approved="yes" or final/signed-off
    → approved, translated → translated; other states change nothing)."""
    path = Path(path)
    units = read_units(path)
    catalog = collect(content_dir, templates_dir)
    known = catalog.by_id()
    records = read_records(content_dir)
    current = dict(states_of(catalog, records))
    report = ImportReport()
    errors, seen = [], {}
    changes: dict[str, tuple[Segment, str, str]] = {}  # id → (segment, new English, new state)
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
        if squash(u.source) != squash(seg.zh):
            stale = Problem(where, f"{u.id}: the source in the XLIFF no longer matches the current Chinese at {seg.location} (stale export); not applied: export again", "error" if not skip_stale else "warning")
            (report.skipped if skip_stale else errors).append(stale)
            continue
        target = u.target.strip()
        if not target:
            continue  # nothing translated
        if control := DIRECTION_CONTROLS.search(target):
            errors.append(Problem(where, f"{u.id}: the target holds U+{ord(control.group()):04X} ({unicodedata.name(control.group())}), an invisible direction "
                                         "control that prints the text around it in another order than written; not applied"))
            continue
        if squash(target) == squash(seg.zh):
            report.skipped.append(Problem(where, f"{u.id}: the target is a copy of the source; not applied", "warning"))
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
        changes[u.id] = (seg, new_en, new_state)
    if errors:
        raise TranslationError(errors)

    texts = plan_writes(changes.values(), content_dir)  # raises TranslationError before anything is written
    glossary = load_glossary(content_dir)
    for seg_id, (seg, new_en, new_state) in changes.items():
        updated = Segment(seg.id, seg.zh, new_en, seg.location, seg.documents, seg.context, seg.place)
        records[seg_id] = record_for(updated, new_state)
        (report.applied if new_en != seg.en else report.state_only).append(seg_id)
        report.findings += [f.problem() for f in check_segment(updated, glossary)]
    for file, data in texts.items():
        write_atomic(file, data)
        report.files.append(file)
    if changes:
        report.files.append(write_records(content_dir, records))
    return report


# ---------------------------------------------------------------------------------------------
# writing the English back into the sources


def plan_writes(changes, content_dir: Path) -> dict[Path, bytes]:
    """The new bytes of every content file touched by `changes` (segment, new English, state)."""
    by_file: dict[Path, list[tuple[Segment, str]]] = {}
    for seg, new_en, _ in changes:
        if new_en != seg.en:
            by_file.setdefault(seg.place.file, []).append((seg, new_en))
    out, problems = {}, []
    for file, items in by_file.items():
        try:
            if isinstance(items[0][0].place, StorePlace):
                store, problems_here = read_store(content_dir)
                problems += problems_here
                out[file] = write_store(store, {(s.place.table, s.place.key, s.place.zh): en for s, en in items})
            elif isinstance(items[0][0].place, YamlPlace):
                out[file] = splice_yaml(file, [(s.place.keys, en) for s, en in items])
            elif file.suffix.lower() == ".csv":
                out[file] = rewrite_csv(file, [(s.place, en) for s, en in items])
            else:
                problems += [Problem(s.location, f"{s.id}: cannot write into {file.suffix} tables; copy the English into the file by hand") for s, _ in items]
        except TranslationError as exc:
            problems += exc.problems
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


def splice_yaml(file: Path, edits: list[tuple[tuple, str]]) -> bytes:
    """The YAML file with the `en` of each {zh, en} map at `keys` replaced by the new text."""
    bom, text = _split_bom(file.read_bytes())
    plain = YAML(typ="safe", pure=True)
    expected = plain.load(text)
    for keys, new_en in edits:
        holder = expected
        for key in keys:
            holder = holder[key]
        holder["en"] = new_en

    def attempt(force_quotes: bool) -> str:
        root = YAML(typ="rt", pure=True).compose(text)
        spans = []
        for keys, new_en in edits:
            pair, _ = _node_at(root, keys)
            if not isinstance(pair, MappingNode):
                raise TranslationError([Problem(Location(file), f"{'.'.join(map(str, keys))}: not a {{zh, en}} map")])
            en = next((v for k, v in pair.value if k.value == "en"), None)
            zh = next((v for k, v in pair.value if k.value == "zh"), None)
            if en is not None and isinstance(en, ScalarNode) and en.end_mark.index > en.start_mark.index:
                style = '"' if force_quotes and en.style not in (">", "|") else en.style
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
                spans.append((en.start_mark.index, en.end_mark.index, new))
            elif zh is not None and en is None:
                if pair.flow_style:  # {zh: …} → {zh: …, en: …}
                    end = pair.end_mark.index - 1
                    spans.append((end, end, ", en: " + emit_scalar(new_en, '"' if force_quotes else None, 0, True)))
                else:  # a new line `en: …` after the zh value, aligned with `zh:`
                    line_start = text.rfind("\n", 0, zh.start_mark.index) + 1
                    zh_line = text[line_start:]
                    key_col = len(zh_line) - len(zh_line.lstrip())
                    at = zh.end_mark.index if text[zh.end_mark.index - 1:zh.end_mark.index] == "\n" else text.find("\n", zh.end_mark.index) + 1
                    if at == 0:
                        at = len(text)
                    style = '"' if force_quotes else (">" if len(new_en) > 60 else None)
                    new = " " * key_col + "en: " + emit_scalar(new_en, style, key_col + 2, False)
                    spans.append((at, at, new if new.endswith("\n") else new + "\n"))
            else:
                raise TranslationError([Problem(Location(file), f"{'.'.join(map(str, keys))}: cannot place the English here")])
        out = text
        for start, end, new in sorted(spans, reverse=True):
            out = out[:start] + new + out[end:]
        return out

    for force in (False, True):
        result = attempt(force)
        try:
            if plain.load(result) == expected:
                return bom + result.encode("utf-8")
        except Exception:  # a splice that does not parse: try the safe quoting
            pass
    raise TranslationError([Problem(Location(file), "could not write the English without changing other values; nothing was written")])


def rewrite_csv(file: Path, edits: list[tuple[CellPlace, str]]) -> bytes:
    """The CSV with each changed row rewritten on its own line(s), in the file's encoding; every
    other line is untouched."""
    raw = file.read_bytes()
    try:
        encoding = table_encoding(raw, file, edits[0][0].encoding)
    except ContentError as exc:
        raise TranslationError(exc.problems) from None
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
    for row in sorted(wanted, reverse=True):
        first, end, _ = records[row]
        buf = io.StringIO()
        csv.writer(buf, lineterminator=newline).writerow(expected[row])
        new = buf.getvalue()
        if end == len(lines) and not lines[-1].endswith(("\n", "\r")):
            new = new[: -len(newline)]
        lines[first:end] = [new]
    result = "".join(lines)
    if list(csv.reader(io.StringIO(result, newline=""))) != expected:
        raise TranslationError([Problem(Location(file), "could not rewrite the table's rows safely; nothing was written")])
    try:
        return result.encode(encoding)
    except UnicodeEncodeError as exc:
        raise TranslationError([Problem(Location(file), f"the English has {exc.object[exc.start]!r}, which {encoding} cannot hold; nothing was written")]) from None
