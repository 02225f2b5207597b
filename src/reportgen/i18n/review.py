"""The bilingual review copies of a document: its segments, Chinese and English side by side.

    review_documents(content_dir, templates_dir) -> list[tuple[str, str, dict]]

For each notice, plan and bulletin, (id, kind, template context) of two copies, rendered from
`review.html.j2` and written as lang `zh-en`: the review copy (kind `review`, the document's id)
of every segment, and the changes-only copy (kind `review-changes`, id `<document>-changes`) of the
segments not approved, each with the English last approved beside the current one.

Rows are grouped under the heading of the section they belong to, as the document prints it: a
plan section's title and text (and a bulletin's progress of that task) under the section's
heading, the plan's title and preamble under the plan's title, an attachment's labels and cells
under its title; the rest under a heading that says what they are.
"""
from __future__ import annotations

import re
from pathlib import Path

from .segments import Catalog, Segment, collect
from .state import read_records, state_of

STATE_ZH = {"approved": "已审定", "translated": "已翻译", "needs-review": "待复核", "untranslated": "未翻译"}
CHANGES_KIND, CHANGES_SUFFIX = "review-changes", "-changes"
_SECTION = re.compile(r"plan\.[^.]+\.sections\.(?P<section>[^.]+)\.(?P<part>title|text)$|progress\.[^.]+\.tasks\.(?P<task>[^.]+)$")
OTHER = {  # the heading of rows that belong to no section or document, by the id's first part
    "progress": ("重点项目进展", "Progress of Key Projects"),
    "strings": ("模板用语（各文件共用）", "Template Strings (Shared by the Documents)"),
}
NEXT_STEPS = ("下一步工作", "Next Steps")


def review_documents(content_dir: Path, templates_dir: Path) -> list[tuple[str, str, dict]]:
    """The review copy and the changes-only copy of each notice, plan and bulletin (an attachment's
    segments are in its plan's copies; a notice's copies hold the plan it issues, as the notice
    prints it)."""
    catalog = collect(content_dir, templates_dir)
    records = read_records(content_dir)
    headings = {m["section"]: s for s in catalog.segments if (m := _SECTION.match(s.id)) and m["part"] == "title"}
    out = []
    for doc_id, info in catalog.documents.items():
        if info.kind == "attachment":
            continue
        rows = []
        for s in catalog.segments:
            if doc_id in s.documents:
                record = records.get(s.id)
                state = state_of(s, record)
                rows.append({"id": s.id, "state": state, "state_zh": STATE_ZH[state], "zh": s.zh, "en": s.en,
                             "previous": record.en if record else None, "location": where(s, content_dir, templates_dir),
                             "group": group_of(s, catalog, headings, doc_id)})
        counts = {st: sum(1 for r in rows if r["state"] == st) for st in STATE_ZH}
        common = {"document": doc_id, "doc_title": info.title, "counts": counts, "total": len(rows), "state_names": STATE_ZH, "meta": None}
        title = {"zh": f"{info.title['zh']}（中英对照审校稿）", "en": f"{info.title['en']} (Bilingual Review Copy)"}
        out.append((doc_id, "review", {**common, "title": title, "changes": False, "groups": grouped(rows)}))
        changed = [r for r in rows if r["state"] != "approved"]
        title = {"zh": f"{info.title['zh']}（中英对照审校稿·仅变更）", "en": f"{info.title['en']} (Bilingual Review Copy: Changes Only)"}
        out.append((doc_id + CHANGES_SUFFIX, CHANGES_KIND, {**common, "title": title, "changes": True, "groups": grouped(changed)}))
    return out


def group_of(segment: Segment, catalog: Catalog, headings: dict[str, Segment], doc_id: str) -> tuple[str, str, int]:
    """The heading (zh, en, level: 2, or 3 for a subsection) the segment's row is grouped under;
    `headings`: the title segment of each plan section, by section id."""
    part = segment.id.split(".")
    section = _SECTION.match(segment.id)
    heading = section and headings.get(section["section"] or section["task"])
    if heading:
        return heading.zh, heading.en or heading.zh, 3 if " › " in heading.context else 2  # (the context names its parents)
    if part[0] in ("notice", "plan", "table", "series"):  # under the title of its document (a plan's attachment, a series' bulletin)
        info = catalog.documents.get(part[3] if part[2] == "attachments" else part[1]) or catalog.documents[doc_id]
        return info.title["zh"], info.title["en"], 2
    zh, en = NEXT_STEPS if part[-1] == "next_steps" else OTHER[part[0]]
    return zh, en, 2


def grouped(rows: list[dict]) -> list[dict]:
    """The rows under their headings, each heading once, in the order its first row comes."""
    groups: dict[tuple, dict] = {}
    for row in rows:
        zh, en, level = row["group"]
        groups.setdefault(row["group"], {"zh": zh, "en": en, "level": level, "rows": []})["rows"].append(row)
    return list(groups.values())


def where(segment: Segment, content_dir: Path, templates_dir: Path) -> str:
    """The file (inside the content or templates folder) and line of the segment's Chinese."""
    file = segment.location.file
    for folder in (content_dir, templates_dir):
        if file.is_relative_to(folder):
            file = file.relative_to(folder)
            break
    return f"{file.as_posix()}:{segment.location.line}" if segment.location.line else file.as_posix()
