"""Translation states, derived from fingerprints of the Chinese source.

A segment is
    untranslated   it has no English;
    translated     it has English that nobody approved (or the English was edited after approval);
    needs-review   the Chinese changed after the English was written or approved (its fingerprint
                   no longer matches the one recorded): the English may say something old;
    approved       a reviewer approved this English for this Chinese.

The record is `content/i18n/translations.yaml`, one line per segment, sorted by id:

    plan.action-plan.title: {source: '3f2a…', target: '9c1e…', state: approved, en: "Action Plan …"}

`source` is the short sha256 of the Chinese, `target` of the English at the time of recording;
`en` the English last approved, kept while a later English waits for approval (the changes-only
review copy prints it beside the new one; files written before it was kept have none).
Editing the Chinese alone flips the segment to needs-review: nobody has to remember to.

For the build (all take the content and templates folders; each reads the files once):

    segment_states(content_dir, templates_dir) -> list[tuple[Segment, str]]
    problems_for_build(content_dir, templates_dir) -> list[Problem]    # one located warning per
                                                  # untranslated or needs-review segment
    draft_documents(content_dir, templates_dir) -> set[str]           # document ids to mark DRAFT
    is_draft(content_dir, templates_dir, doc_id) -> bool
    approve(content_dir, templates_dir, ids=None) -> list[str]        # None: every segment with English
    init_states(content_dir, templates_dir) -> Path                   # record everything as approved
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import ContentError, Location, Problem
from ..inputs import confined
from ..messages import _
from ..yamlsource import locate, read_yaml
from .segments import Catalog, Segment, collect

STATES = ("untranslated", "needs-review", "translated", "approved")
DONE = ("translated", "approved")  # states that print without a draft mark
STATES_FILE = Path("i18n") / "translations.yaml"


@dataclass(frozen=True)
class Record:
    source: str  # fingerprint of the Chinese when the English was recorded
    state: str  # translated | approved
    target: str | None = None  # fingerprint of the English when recorded
    en: str | None = None  # the English last approved


def fingerprint(text: str) -> str:
    """The short sha256 (12 hex digits) of a text, leading and trailing whitespace ignored."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:12]


def states_path(content_dir: Path) -> Path:
    return Path(content_dir) / STATES_FILE


def read_records(content_dir: Path) -> dict[str, Record]:
    path = states_path(content_dir)
    if not path.is_file():
        return {}
    raw = read_yaml(path, content_dir) or {}
    if not isinstance(raw, dict):
        raise ContentError([Problem(Location(path, 1), "invalid translation states file: expected a mapping of segment ids")])
    out = {}
    for key, value in raw.items():
        if not isinstance(value, dict) or value.get("state") not in DONE or not isinstance(value.get("source"), str):
            raise ContentError([Problem(locate(path, raw, (key,)), f"{key}: expected {{source: <fingerprint>, state: translated|approved}}")])
        target, en = value.get("target"), value.get("en")
        if en is not None and not isinstance(en, str):
            raise ContentError([Problem(locate(path, raw, (key, "en")), f"{key}: en: expected the approved English as a string")])
        out[str(key)] = Record(value["source"], value["state"], str(target) if target is not None else None, en)
    return out


_PLAIN_KEY = re.compile(r"^[\w][\w.\-]*$")


def write_records(content_dir: Path, records: dict[str, Record]) -> Path:
    """Write the states file (sorted, one line per segment), atomically; returns where it went."""
    lines = [
        "# Translation states (reportgen i18n): one line per segment, sorted by id. Written by the tools;",
        "# source/target are short sha256 fingerprints of the Chinese/English when recorded. A segment whose",
        "# Chinese no longer matches its `source` needs review; `en` is the English last approved.",
        "# See docs/translation-workflow.md.",
    ]
    for key in sorted(records):
        r = records[key]
        name = key if _PLAIN_KEY.match(key) else '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
        target = f", target: '{r.target}'" if r.target else ""  # quoted: a fingerprint may look like a number
        en = f", en: {json.dumps(r.en, ensure_ascii=False)}" if r.en else ""  # a JSON string is a YAML double-quoted one
        lines.append(f"{name}: {{source: '{r.source}'{target}, state: {r.state}{en}}}")
    path = confined(states_path(content_dir), content_dir)  # a link inside the content folder: where it points
    write_atomic(path, "\n".join(lines) + "\n")
    return path


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write a file through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8") if isinstance(text, str) else text
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def umask() -> int:
    """The process's file creation mask (new files get the permissions any other tool would give)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def state_of(segment: Segment, record: Record | None) -> str:
    if not segment.en:
        return "untranslated"
    if record is None:
        return "translated"
    if record.source != fingerprint(segment.zh):
        return "needs-review"
    if record.state == "approved" and record.target and record.target != fingerprint(segment.en):
        return "translated"  # the English was edited after it was approved
    return record.state


def states_of(catalog: Catalog, records: dict[str, Record]) -> list[tuple[Segment, str]]:
    return [(s, state_of(s, records.get(s.id))) for s in catalog.segments]


def segment_states(content_dir: Path, templates_dir: Path) -> list[tuple[Segment, str]]:
    """Every segment with its state, in reading order."""
    return states_of(collect(content_dir, templates_dir), read_records(content_dir))


def describe_state(segment: Segment, state: str) -> str:
    if state == "untranslated":
        return _("{id}: no English translation (untranslated)").format(id=segment.id)
    return _("{id}: the Chinese changed after the English was written; review the English (needs-review), "
             "then `reportgen i18n approve {id}`").format(id=segment.id)


def problems_for_build(content_dir: Path, templates_dir: Path) -> list[Problem]:
    """One warning, located at the Chinese source, per segment that is untranslated or needs review."""
    return [Problem(s.location, describe_state(s, st), "warning")
            for s, st in segment_states(content_dir, templates_dir) if st not in DONE]


def draft_documents(content_dir: Path, templates_dir: Path) -> set[str]:
    """The ids of the documents printing at least one segment that is untranslated or needs review."""
    return {d for s, st in segment_states(content_dir, templates_dir) if st not in DONE for d in s.documents}


def is_draft(content_dir: Path, templates_dir: Path, doc_id: str) -> bool:
    """Whether the English of `doc_id` must be marked as a draft."""
    return doc_id in draft_documents(content_dir, templates_dir)


def record_for(segment: Segment, state: str, previous: Record | None = None) -> Record:
    """The record of `segment`'s current texts in `state`: approved, with its English; otherwise
    keeping the English last approved of the `previous` record."""
    en = segment.en if state == "approved" else previous and previous.en
    return Record(fingerprint(segment.zh), state, fingerprint(segment.en) if segment.en else None, en or None)


def approve(content_dir: Path, templates_dir: Path, ids: list[str] | None = None) -> list[str]:
    """Record the current Chinese and English of `ids` (None: every segment with English) as approved.
    Unknown ids and segments without English are refused, naming them, before anything is written."""
    catalog = collect(content_dir, templates_dir)
    known = catalog.by_id()
    records = read_records(content_dir)
    wanted = [s.id for s in catalog.segments if s.en] if ids is None else list(dict.fromkeys(ids))
    problems = []
    for seg_id in wanted:
        if seg_id not in known:
            problems.append(Problem(Location(states_path(content_dir)), f"unknown segment id '{seg_id}'"))
        elif not known[seg_id].en:
            problems.append(Problem(known[seg_id].location, f"{seg_id}: has no English to approve (untranslated)"))
    if problems:
        raise ContentError(problems)
    for seg_id in wanted:
        records[seg_id] = record_for(known[seg_id], "approved")
    write_records(content_dir, records)
    return wanted


def init_states(content_dir: Path, templates_dir: Path) -> Path:
    """Bootstrap: record every segment that has English as approved (the team reviewed the current English)."""
    catalog = collect(content_dir, templates_dir)
    return write_records(content_dir, {s.id: record_for(s, "approved") for s in catalog.segments if s.en})
