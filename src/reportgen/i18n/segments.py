"""Every translatable text of a project as a segment: a stable id, its zh source and en target, where it lives.

Segments are read from the raw files (ruamel round-trip YAML for line numbers, the csv module for
tables), never from the built model, so that a text has a segment even when the content fails other
checks. Ids follow where a text lives:

    plan.<plan-id>.<meta path> | .preamble                  (meta: .title, .issuer, .letterhead.issuers.0 …)
    notice.<notice-id>.<meta path> | .text
    plan.<plan-id>.sections.<section-id>.title | .text
    plan.<plan-id>.attachments.<attachment-id>.title | .total_label | .columns.<key>.label
    table.<attachment-id>.<row-id>.<column-key>            (text cells of an attachment table)
    series.<series-id>.title | .notice | .group_name | .issuer
    series.<series-id>.by.<column-key>.title               (a group series' own title)
    progress.<YYYYQn>.<project-id>.milestone | .problem    (a quarter's CSV/XLSX)
    progress.<YYYYQn>.next_steps | .tasks.<task-id>        (a quarter's notes YAML)
    strings.<dotted.path>                                   (templates/strings.yaml)

Each segment also names the documents it is printed in (`documents`), which is what makes a
document a draft when one of its segments is not translated (see state.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap

from ..errors import ContentError, Location, Problem, Problems, TemplateError
from ..model import GROUP_TITLE, Attachment, quarter_names
from ..progress import QUARTER_FILE
from ..tables import CellPlace, StorePlace, TableReading, read_rows, read_table
from ..templates import Templates
from ..yamlsource import bilingual, locate, read_yaml, validate



@dataclass(frozen=True)
class YamlPlace:
    """A {zh, en} pair in a YAML file, reached by `keys` from the document root."""

    file: Path
    keys: tuple


@dataclass(frozen=True)
class Segment:
    id: str
    zh: str
    en: str  # "" when there is no English yet
    location: Location  # of the Chinese source
    documents: tuple[str, ...]  # the document ids that print this text
    context: str  # a human hint for translators: where in which document
    place: YamlPlace | CellPlace | StorePlace
    markdown: bool = False  # the text is Markdown (a preamble, a section's or notice's text, a quarter's notes); else printed as written


@dataclass(frozen=True)
class BulletinDoc:
    """A bulletin a series makes: the overall one of a quarter, or a group's."""

    id: str
    quarter: str  # 2020Q1
    data: Path
    notes: Path | None
    rows: frozenset[str] | None = None  # the ids of its projects' rows; None: every project
    by: str | None = None  # a group bulletin's column


@dataclass(frozen=True)
class Group:
    """A group of a group series (series: in a bulletin series), as far as the files can be read."""

    id: str
    name: dict[str, str]  # {"zh": …, "en": …}
    rows: frozenset[str]
    by: str
    title: dict[str, str]  # the pattern of its bulletins' titles: {quarter}, {group}


@dataclass
class DocumentInfo:
    id: str
    kind: str  # notice | action-plan | attachment | bulletin
    title: dict[str, str]  # {"zh": …, "en": …}


@dataclass
class Catalog:
    """All segments of a content folder and its templates, and the files that could not be read."""

    segments: list[Segment]
    documents: dict[str, DocumentInfo]
    problems: list[Problem] = field(default_factory=list)

    def by_id(self) -> dict[str, Segment]:
        return {s.id: s for s in self.segments}


class _Collector:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.problems: list[Problem] = []

    def add(self, seg_id: str, zh: str, en: str, location: Location, docs: set[str], context: str, place, markdown: bool = False) -> None:
        if not zh:
            return
        if seg_id in self.items:
            self.problems.append(Problem(location, f"segment id '{seg_id}' is used twice (first at {self.items[seg_id]['location']}); the second is ignored", "warning"))
            return
        self.items[seg_id] = dict(id=seg_id, zh=zh, en=en, location=location, documents=set(docs), context=context, place=place, markdown=markdown)

    def also_in(self, seg_id: str, docs: set[str]) -> None:
        if seg_id in self.items:
            self.items[seg_id]["documents"] |= docs

    def segments(self, order: list[str]) -> list[Segment]:
        rank = {d: i for i, d in enumerate(order)}
        return [
            Segment(**{**item, "documents": tuple(sorted(item["documents"], key=lambda d: (rank.get(d, len(rank)), d)))})
            for item in self.items.values()
        ]


def text_of(value: Any) -> str:
    return "" if value is None else str(value).strip()


def pair(path: Path, raw: Any, keys: tuple) -> tuple[str, str, Location] | None:
    """The (zh, en, location of zh) of the {zh, en} map at `keys`, or None when there is none."""
    node = raw
    for key in keys:
        if isinstance(node, dict) and key in node or isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
            node = node[key]
        else:
            return None
    if not isinstance(node, CommentedMap) or "zh" not in node:
        return None
    return text_of(node.get("zh")), text_of(node.get("en")), locate(path, raw, (*keys, "zh"))


def collect(content_dir: Path, templates_dir: Path) -> Catalog:
    """Every segment of the content folder and templates/strings.yaml, in reading order."""
    content_dir, templates_dir = Path(content_dir), Path(templates_dir)
    out = _Collector()
    documents: dict[str, DocumentInfo] = {}
    yamls = []
    for path in sorted(content_dir.glob("*.yaml")):
        try:
            raw = read_yaml(path, content_dir)
        except ContentError as exc:
            out.problems.extend(exc.problems)
            continue
        if isinstance(raw, CommentedMap):
            yamls.append((path, raw))
    plans = [(p, r) for p, r in yamls if r.get("kind") == "action-plan"]
    notices = [(p, r) for p, r in yamls if r.get("kind") == "notice"]
    issued_by: dict[str, set[str]] = {}  # plan id → the notices that issue it (and print its texts)
    for path, raw in notices:
        nid = text_of(raw.get("id")) or path.stem
        meta = raw.get("meta") if isinstance(raw.get("meta"), dict) else {}
        mt = meta.get("title") if isinstance(meta.get("title"), dict) else {}
        documents[nid] = DocumentInfo(nid, "notice", {lang: text_of(mt.get(lang)).replace("\n", "") or nid for lang in ("zh", "en")})
        issued_by.setdefault(text_of(raw.get("plan")), set()).add(nid)
        for keys in bilingual(meta, ("meta",)):
            name = ".".join(map(str, keys[1:]))
            got = pair(path, raw, keys)
            if got:
                out.add(f"notice.{nid}.{name}", *got, {nid}, f"{nid}: {name}", YamlPlace(path, keys))
        got = pair(path, raw, ("text",))
        if got:
            out.add(f"notice.{nid}.text", *got, {nid}, f"{nid}: text", YamlPlace(path, ("text",)), markdown=True)
    series_list = [(p, r) for p, r in yamls if r.get("kind") == "bulletin-series"]
    plans_by_id = {text_of(r.get("id")) or p.stem: (p, r) for p, r in plans}
    readings: dict[tuple[Path, int], TableReading | None] = {}

    def reading_of(path: Path, raw: Any, a: int) -> TableReading | None:
        """Attachment `a` of the plan in `path`, read once (as the content check reads it, which reports
        its problems); None while its declaration is invalid."""
        if (path, a) not in readings:
            spec = validate(Attachment, path, raw["attachments"][a], Problems())
            readings[path, a] = spec and read_table(content_dir, a + 1, spec, locate(path, raw, ("attachments", a, "table", "file")))
        return readings[path, a]

    # The bulletins each series makes: one per quarter that has a data file, and one per group and quarter.
    series_docs: dict[str, list[BulletinDoc]] = {}
    for path, raw in series_list:
        sid, year = text_of(raw.get("id")) or path.stem, text_of(raw.get("year"))
        folder = content_dir / text_of(raw.get("progress") or "progress")
        quarters: dict[str, dict[str, Path]] = {}
        if folder.is_dir():
            for file in sorted(folder.iterdir()):
                m = QUARTER_FILE.match(file.name)
                if m and m.group(1) == year:
                    quarters.setdefault(f"{m.group(1)}Q{m.group(2)}", {})["notes" if m.group(3) == "yaml" else "data"] = file
        title = {lang: text_of(raw["title"].get(lang)) if isinstance(raw.get("title"), dict) else "" for lang in ("zh", "en")}
        groups = groups_of(raw, title, plans_by_id.get(text_of(raw.get("plan"))), reading_of)
        series_docs[sid] = []
        for q, f in sorted(quarters.items()):
            if "data" not in f:
                continue
            _, names = quarter_names(int(q[:4]), int(q[-1]))
            documents[f"{sid}-{q}"] = DocumentInfo(f"{sid}-{q}", "bulletin", {lang: title[lang].replace("{quarter}", names[lang]).replace("\n", "") or f"{sid}-{q}" for lang in ("zh", "en")})
            docs = [BulletinDoc(f"{sid}-{q}", q, f["data"], f.get("notes"))]
            for g in groups:
                doc_id = f"{sid}-{q}-{g.id}"
                documents[doc_id] = DocumentInfo(doc_id, "bulletin", {lang: g.title[lang].replace("{quarter}", names[lang]).replace("{group}", g.name[lang]).replace("\n", "")
                                                                   for lang in ("zh", "en")})
                docs.append(BulletinDoc(doc_id, q, f["data"], f.get("notes"), g.rows, g.by))
            series_docs[sid] += docs
    all_bulletins = {d.id for docs in series_docs.values() for d in docs}

    for path, raw in plans:
        plan_id = text_of(raw.get("id")) or path.stem
        meta = raw.get("meta") if isinstance(raw.get("meta"), dict) else {}
        mt = meta.get("title") if isinstance(meta.get("title"), dict) else {}
        documents[plan_id] = DocumentInfo(plan_id, "action-plan", {lang: text_of(mt.get(lang)).replace("\n", "") or plan_id for lang in ("zh", "en")})
        # which series read this plan's tables, and through which columns
        readers = [(r, series_docs.get(text_of(r.get("id")) or p.stem, [])) for p, r in series_list if text_of(r.get("plan")) == plan_id]

        def add(seg_id: str, keys: tuple, docs: set[str], context: str, markdown: bool = False) -> None:
            got = pair(path, raw, keys)
            if got:
                out.add(seg_id, got[0], got[1], got[2], docs, context, YamlPlace(path, keys), markdown)

        here = {plan_id, *issued_by.get(plan_id, ())}
        for keys in bilingual(meta, ("meta",)):
            name = ".".join(map(str, keys[1:]))
            add(f"plan.{plan_id}.{name}", keys, here, f"{plan_id}: {name}")
        add(f"plan.{plan_id}.preamble", ("preamble",), here, f"{plan_id}: preamble", markdown=True)

        def visit(sections: Any, keys: tuple, trail: tuple[str, ...]) -> None:
            if not isinstance(sections, list):
                return
            for i, s in enumerate(sections):
                if not isinstance(s, dict) or not text_of(s.get("id")):
                    continue
                sid = text_of(s["id"])
                t = s.get("title") if isinstance(s.get("title"), dict) else {}
                path_text = " › ".join((*trail, text_of(t.get("zh")) or sid))
                add(f"plan.{plan_id}.sections.{sid}.title", (*keys, i, "title"), here, f"{plan_id}: {path_text} (heading)")
                add(f"plan.{plan_id}.sections.{sid}.text", (*keys, i, "text"), here, f"{plan_id}: {path_text} (text)", markdown=True)
                visit(s.get("sections"), (*keys, i, "sections"), (*trail, text_of(t.get("zh")) or sid))

        visit(raw.get("sections"), ("sections",), ())
        for a, att in enumerate(raw.get("attachments") or []):
            if not isinstance(att, dict) or not text_of(att.get("id")):
                continue
            aid = text_of(att["id"])
            at = att.get("title") if isinstance(att.get("title"), dict) else {}
            documents[aid] = DocumentInfo(aid, "attachment", {lang: text_of(at.get(lang)) or aid for lang in ("zh", "en")})
            table = att.get("table") if isinstance(att.get("table"), dict) else {}
            users = [(r, docs) for r, docs in readers if text_of(r.get("table")) == aid]
            bulletins_of = {d.id for _, docs in users for d in docs}
            roles = {}  # column key → the roles it plays in the series (name, group, planned, total)
            for r, _ in users:
                for role, key in (r.get("columns") or {}).items():
                    roles.setdefault(text_of(key), set()).add(role)
            docs = {aid} | here
            add(f"plan.{plan_id}.attachments.{aid}.title", ("attachments", a, "title"), docs, f"{aid}: title")
            add(f"plan.{plan_id}.attachments.{aid}.total_label", ("attachments", a, "table", "total_label"), docs | bulletins_of, f"{aid}: total row label")
            columns = table.get("columns") if isinstance(table.get("columns"), list) else []
            for c, col in enumerate(columns):
                if not isinstance(col, dict):
                    continue
                key = text_of(col.get("key"))
                shown = bulletins_of if roles.get(key, set()) & {"name", "group", "planned"} else set()
                add(f"plan.{plan_id}.attachments.{aid}.columns.{key}.label", ("attachments", a, "table", "columns", c, "label"), docs | shown, f"{aid}: column heading")
            reading = reading_of(path, raw, a)
            if reading is None:
                continue  # its cells have no segments until its declaration is valid
            if not reading.cells:  # the file could not be read or mapped
                out.problems.extend(p for p in reading.problems if p.severity == "error")
            for c in reading.cells:
                # a bulletin prints the name and group of each of its projects, a group's bulletin its group's name
                printed = bool(roles.get(c.key, set()) & {"name", "group"})
                shown = {d.id for _, bulletins in users for d in bulletins if (printed or c.key == d.by) and (d.rows is None or c.row in d.rows)}
                out.add(f"table.{aid}.{c.row}.{c.key}", c.zh, c.en, c.location, docs | shown,
                        f"{aid}: row {c.row} ({c.label}), column {c.key}", c.place)

    for path, raw in series_list:
        sid = text_of(raw.get("id")) or path.stem
        bulletins = series_docs.get(sid, [])
        specs = [(i, spec) for i, spec in enumerate(raw.get("series") or []) if isinstance(spec, dict)] if isinstance(raw.get("series"), list) else []
        titled = {text_of(spec.get("by")) for _, spec in specs if isinstance(spec.get("title"), dict)}  # group series with a title of their own
        for name in ("title", "notice", "group_name", "issuer"):
            got = pair(path, raw, (name,))
            if got:
                docs = {d.id for d in bulletins if name != "title" or d.by not in titled}
                out.add(f"series.{sid}.{name}", got[0], got[1], got[2], docs, f"bulletin series {sid}: {name}", YamlPlace(path, (name,)))
        for i, spec in specs:
            by = text_of(spec.get("by"))
            got = pair(path, raw, ("series", i, "title"))
            if got:
                out.add(f"series.{sid}.by.{by}.title", got[0], got[1], got[2], {d.id for d in bulletins if d.by == by},
                        f"bulletin series {sid}: title of the bulletins by {by}", YamlPlace(path, ("series", i, "title")))
        plan_id = text_of(raw.get("plan"))
        quarters: dict[str, list[BulletinDoc]] = {}
        for d in bulletins:
            quarters.setdefault(d.quarter, []).append(d)
        for q, docs in quarters.items():
            doc_id, data, notes = docs[0].id, docs[0].data, docs[0].notes  # the overall bulletin's
            every = {d.id for d in docs}
            try:
                encoding = text_of(raw.get("encoding")) or None
                header, rows = read_rows(data, content_dir, Location(data), encoding)
            except ContentError as exc:
                out.problems.extend(exc.problems)
                rows, header = [], []
            for line, row in rows:
                pid = text_of(row.get("id"))
                for name in ("milestone", "problem"):
                    if pid and f"{name}_zh" in header and f"{name}_en" in header:
                        where = Location(data, line, header.index(f"{name}_zh") + 1)
                        out.add(f"progress.{q}.{pid}.{name}", text_of(row.get(f"{name}_zh")), text_of(row.get(f"{name}_en")), where,
                                {d.id for d in docs if d.rows is None or pid in d.rows}, f"{doc_id}: project {pid}, {name}",
                                CellPlace(data, line, f"{name}_en", header.index(f"{name}_en"), encoding))
            if notes is not None:
                try:
                    raw_notes = read_yaml(notes, content_dir)
                except ContentError as exc:
                    out.problems.extend(exc.problems)
                    continue
                if not isinstance(raw_notes, CommentedMap):
                    continue
                got = pair(notes, raw_notes, ("next_steps",))
                if got:
                    out.add(f"progress.{q}.next_steps", *got, every, f"{doc_id}: next steps", YamlPlace(notes, ("next_steps",)), markdown=True)
                for task_id in (raw_notes.get("tasks") or {}):
                    got = pair(notes, raw_notes, ("tasks", task_id))
                    if got:
                        out.add(f"progress.{q}.tasks.{task_id}", *got, every, f"{doc_id}: progress of task {task_id}", YamlPlace(notes, ("tasks", task_id)), markdown=True)
                    out.also_in(f"plan.{plan_id}.sections.{task_id}.title", every)  # the bulletin prints the task's heading

    templates = Templates(templates_dir, content_dir)
    strings = templates.find("strings.yaml")  # the office's, else the templates folder's
    if strings.is_file():
        try:
            raw_strings = templates.read_yaml("strings.yaml")
        except TemplateError as exc:
            out.problems.extend(exc.problems)
            raw_strings = None
        every = set(documents)

        def walk(node: Any, keys: tuple) -> None:
            if not isinstance(node, CommentedMap):
                return
            if "zh" in node and not isinstance(node.get("zh"), dict):
                got = pair(strings, raw_strings, keys)
                if got:
                    dotted_id = ".".join(map(str, keys))
                    docs = all_bulletins if keys[0] == "bulletin" else every
                    out.add(f"strings.{dotted_id}", *got, docs, f"template string {dotted_id}", YamlPlace(strings, keys))
                return
            for key in node:
                walk(node[key], (*keys, key))

        walk(raw_strings, ())
    rank = {"notice": 0, "action-plan": 1, "attachment": 2, "bulletin": 3}
    order = sorted(documents, key=lambda d: rank[documents[d].kind])
    documents = {d: documents[d] for d in order}
    return Catalog(out.segments(order), documents, out.problems)


def groups_of(raw: Any, title: dict[str, str], plan: tuple[Path, Any] | None, reading_of) -> list[Group]:
    """The groups of the group series that a series' YAML declares (`series:`), each in the order of
    its ids, as far as the YAML and the table can be read; `title`: the series' own title."""
    attachments = plan[1].get("attachments") if plan else None
    index = next((a for a, att in enumerate(attachments) if isinstance(att, dict) and text_of(att.get("id")) == text_of(raw.get("table")))
                 if isinstance(attachments, list) else None, None)
    reading = None if index is None else reading_of(*plan, index)
    specs = raw.get("series") if isinstance(raw.get("series"), list) else []
    out = []
    for spec in specs if reading else []:
        if not isinstance(spec, dict) or not isinstance(spec.get("ids"), dict):
            continue
        by, own = text_of(spec.get("by")), spec.get("title") if isinstance(spec.get("title"), dict) else None
        pattern = {lang: text_of(own.get(lang)) for lang in ("zh", "en")} if own else {lang: GROUP_TITLE[lang].replace("{title}", title[lang]) for lang in ("zh", "en")}
        cells = [c for c in reading.cells if c.key == by]
        for value, group_id in spec["ids"].items():
            rows = frozenset(c.row for c in cells if c.zh == text_of(value))
            if rows and text_of(group_id):
                first = next(c for c in cells if c.zh == text_of(value))
                out.append(Group(text_of(group_id), {"zh": first.zh, "en": first.en or first.zh}, rows, by, pattern))
    return out


def location_of(segment: Segment, lang: str, content_dir: Path) -> Location:
    """Where the text of `segment` in `lang` is written: the Chinese at its location, the English
    beside it (in the same YAML map, or the table file's English column; English kept in the
    translation catalogue, and template strings, at their Chinese)."""
    place = segment.place
    if lang == "en" and isinstance(place, CellPlace):
        return Location(place.file, place.line, place.index + 1)
    if lang == "en" and isinstance(place, YamlPlace) and place.file.is_relative_to(content_dir):
        return locate(place.file, read_yaml(place.file, content_dir), (*place.keys, "en"))
    return segment.location


def segments(content_dir: Path, templates_dir: Path) -> list[Segment]:
    """Every segment, in reading order (see the module docstring for the ids)."""
    return collect(content_dir, templates_dir).segments
