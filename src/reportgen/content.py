"""Reading a content folder: YAML documents and their tables, validated into the model.

Every problem is collected with its location; loading stops once, at the end, with all of them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .authoring import check_texts
from .errors import ContentError, Location, Problem, Problems
from .model import (
    LANGS,
    MAX_LEVEL,
    PLACEHOLDER,
    Bulletin,
    Meta,
    Notice,
    NoticeSource,
    Plan,
    PlanSource,
    Section,
    SettingsSource,
    Text,
    build_nodes,
    figures,
    format_number,
)
from .inputs import is_file, outside_links
from .i18n.cells import CELLS_FILE
from .messages import _
from .progress import load_series
from .tables import load_table
from .yamlsource import dotted, locate, read_yaml, validate

KINDS = ("action-plan", "notice", "bulletin-series", "settings")


@dataclass(frozen=True)
class Content:
    """Everything a content folder holds, validated."""

    plans: tuple[Plan, ...]
    notices: tuple[Notice, ...]
    bulletins: tuple[Bulletin, ...]
    settings: SettingsSource = SettingsSource(kind="settings")  # the settings document's, else the defaults
    warnings: tuple[Problem, ...] = ()  # what loads but may be a mistake (an ignored column)


def load_content(content_dir: Path) -> Content:
    """Every document of the content folder, validated; raises ContentError listing all problems."""
    files = sorted(content_dir.glob("*.yaml"))
    if not content_dir.is_dir() or not files:
        raise ContentError([Problem(Location(content_dir), _("no content: expected *.yaml documents here"))])
    problems = Problems()
    sources = []
    for path in files:
        try:
            raw = read_yaml(path, content_dir)
        except ContentError as exc:
            problems.items.extend(exc.problems)
            continue
        kind = raw.get("kind") if isinstance(raw, dict) else None
        if raw is not None and not isinstance(raw, dict):
            got = _("a list") if isinstance(raw, list) else repr(raw)
            problems.add(Location(path, 1, 1), _("expected a mapping with kind: {kinds}, got {got}").format(kinds=_(" or ").join(KINDS), got=got))
            continue
        if kind not in KINDS:
            where = locate(path, raw, ("kind",)) if isinstance(raw, dict) else Location(path, 1, 1)
            problems.add(where, _("kind: expected one of {kinds}, got {kind!r}").format(kinds=", ".join(KINDS), kind=kind))
            continue
        check_texts(path, raw, problems)
        sources.append((path, raw, kind))
    plans = [plan for path, raw, kind in sources if kind == "action-plan" for plan in [load_plan(path, raw, problems)] if plan]
    plans_ok = not problems.errors
    notices = [n for path, raw, kind in sources if kind == "notice" for n in [load_notice(path, raw, plans if plans_ok else None, problems)] if n]
    bulletins = []
    for path, raw, kind in sources:
        if kind == "bulletin-series" and plans_ok:  # a series refers to a plan: only once plans are sound
            bulletins += load_series(path, raw, plans, problems)
    raws = {path: raw for path, raw, _kind in sources}
    ids = [  # each document's id, where it is written (a bulletin's is its series' id with the quarter)
        *((doc_id, locate(p.sources[0], raws[p.sources[0]], keys)) for p in plans
          for doc_id, keys in [(p.id, ("id",)), *((t.id, ("attachments", t.number - 1, "id")) for t in p.attachments)]),
        *((d.id, locate(d.sources[0], raws[d.sources[0]], ("id",))) for d in (*notices, *bulletins)),
    ]
    seen: dict[str, Location] = {}
    for doc_id, where in ids:
        if doc_id in seen:
            problems.add(where, _("document id '{id}' is used twice: here and at {first}").format(id=doc_id, first=seen[doc_id]))
        seen.setdefault(doc_id, where)
    settings = load_settings(content_dir, [(path, raw) for path, raw, kind in sources if kind == "settings"], problems)
    problems.items.extend(outside_links(content_dir))  # the fonts folder and its files included
    problems.raise_if_any()
    return Content(tuple(plans), tuple(notices), tuple(bulletins), settings, problems.warnings)


def load_settings(content_dir: Path, documents: list[tuple[Path, Any]], problems: Problems) -> SettingsSource:
    """The settings document (kind settings): at most one; none means the defaults."""
    for path, _raw in documents[1:]:
        problems.add(Location(path), _("a second settings document (the first is {first}): a content folder has at most one").format(first=documents[0][0].name))
    if not documents:
        return SettingsSource(kind="settings")
    path, raw = documents[0]
    return validate(SettingsSource, path, raw, problems) or SettingsSource(kind="settings")


def load_plan(path: Path, raw: Any, problems: Problems) -> Plan | None:
    source = validate(PlanSource, path, raw, problems)
    if source is None:
        return None
    before = len(problems.errors)
    check_meta(path, raw, source.meta, problems)
    check_tree(path, raw, source, problems)
    tables = tuple(
        load_table(path.parent, number, att, locate(path, raw, ("attachments", number - 1, "table", "file")), problems)
        for number, att in enumerate(source.attachments, 1)
    )
    if len(problems.errors) > before:
        return None
    known = figures(tables)

    def substitute(text: Text, keys: tuple = ()) -> Text:
        values = {}
        for lang in LANGS:
            def repl(m: re.Match) -> str:
                name = m.group(1)
                if name not in known:
                    problems.add(locate(path, raw, keys), _("unknown figure '{{{{ {name} }}}}'; known: {known}").format(name=name, known=", ".join(sorted(known))))
                    return m.group(0)
                return format_number(known[name], lang)
            values[lang] = PLACEHOLDER.sub(repl, text[lang])
        return Text(**values)

    plan = Plan(
        id=source.id,
        meta=source.meta,
        preamble=substitute(source.preamble, ("preamble",)) if source.preamble else None,
        sections=build_nodes(source.sections, substitute),
        attachments=tables,
        sources=(path, *(path.parent / att.table.file for att in source.attachments), *english_store(path.parent, source)),
    )
    return None if len(problems.errors) > before else plan


def english_store(content_dir: Path, source: PlanSource) -> tuple[Path, ...]:
    """The catalogue's English of table texts, when a table keeps its English there (i18n/cells.py)."""
    store = content_dir / CELLS_FILE
    keeps = any(c.type == "text" and len(c.file_headers()) == 1 for att in source.attachments for c in att.table.leaves)
    return (store,) if keeps and is_file(store) else ()


def load_notice(path: Path, raw: Any, plans: list[Plan] | None, problems: Problems) -> Notice | None:
    """A notice and the plan it issues (`plans`: None when they have problems of their own)."""
    source = validate(NoticeSource, path, raw, problems)
    if source is None:
        return None
    before = len(problems.errors)
    check_meta(path, raw, source.meta, problems)
    if plans is None:
        return None
    plan = next((p for p in plans if p.id == source.plan), None)
    if plan is None:
        known = ", ".join(p.id for p in plans) or _("none")
        problems.add(locate(path, raw, ("plan",)), _("plan: no plan with id '{id}' in this content folder (plans: {known})").format(id=source.plan, known=known))
    if len(problems.errors) > before:
        return None
    return Notice(source.id, source.meta, source.text, plan, (path, *plan.sources))


def check_meta(path: Path, raw: Any, meta: Meta, problems: Problems) -> None:
    """What the schema alone cannot say about a document's official elements (GB/T 9704)."""
    def at(*keys: str | int) -> Location:
        return locate(path, raw, ("meta", *keys))

    head = meta.letterhead
    if head is not None:
        if not meta.letterhead_issuers:
            problems.add(at("letterhead"), _("meta.letterhead: name the issuer (letterhead.issuers or meta.issuer)"))
        if head.signers and not head.upward:
            problems.add(at("letterhead", "signers"), _("meta.letterhead.signers: 签发人 are printed only on a document sent upward (上行文); set letterhead.upward: true or remove them"))
        if head.upward and not head.signers:
            problems.add(at("letterhead", "upward"), _("meta.letterhead.upward: a document sent upward names its 签发人 (letterhead.signers)"))
        if head.upward and meta.number is None:
            problems.add(at("letterhead", "upward"), _("meta.letterhead.upward: a document sent upward carries its number (meta.number) beside the 签发人"))
    if meta.signature is not None and meta.date is None:
        problems.add(at("signature"), _("meta.signature: the signature stands over the date (成文日期): give meta.date"))
    if meta.seal and not meta.signatures:
        problems.add(at("seal"), _("meta.seal: the seal goes over the signature and date: give meta.date and meta.issuer or meta.signature"))


def check_tree(path: Path, raw: Any, source: PlanSource, problems: Problems) -> None:
    """Ids unique across the document; headings at most four levels deep."""
    seen: dict[str, tuple] = {}

    def visit(sections: list[Section], keys: tuple, level: int) -> None:
        for i, s in enumerate(sections):
            here = (*keys, i)
            remember(s.id, here)
            if level > MAX_LEVEL:
                problems.add(locate(path, raw, here), _("{field}: headings go {levels} levels deep at most").format(field=dotted(here), levels=MAX_LEVEL))
            visit(s.sections, (*here, "sections"), level + 1)

    def remember(item_id: str, keys: tuple) -> None:
        if item_id in seen:
            problems.add(locate(path, raw, (*keys, "id")), _("duplicate id '{id}' (first used at {field})").format(id=item_id, field=dotted(seen[item_id])))
        else:
            seen[item_id] = keys

    remember(source.id, ())
    visit(source.sections, ("sections",), 1)
    for i, att in enumerate(source.attachments):
        remember(att.id, ("attachments", i))


