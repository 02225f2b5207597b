"""Reading a bulletin series: its YAML, the quarter files and notes, validated with locations."""
from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import ContentError, Location, Problems
from .indicators import compute_bulletin
from .model import (
    LANGS,
    STATUSES,
    Bulletin,
    BulletinSeriesSource,
    Node,
    Plan,
    ProgressRecord,
    QuarterNotes,
    Text,
)
from .tables import check_header, parse_amount, read_rows
from .authoring import check_texts
from .yamlsource import locate, read_yaml, validate

QUARTER_FILE = re.compile(r"^(\d{4})-Q([1-4])\.(csv|xlsx|yaml)$")
PROGRESS_COLUMNS = ["quarter", "id", "investment_ytd", "status", "milestone_zh", "milestone_en", "problem_zh", "problem_en"]
ROLE_TYPES = {"name": "text", "group": "text", "planned": "amount", "total": "amount"}


def load_series(path: Path, raw: Any, plans: list[Plan], problems: Problems) -> list[Bulletin]:
    """The bulletins of every quarter that has data."""
    series = validate(BulletinSeriesSource, path, raw, problems)
    if series is None:
        return []
    plan = next((p for p in plans if p.id == series.plan), None)
    if plan is None:
        problems.add(locate(path, raw, ("plan",)), f"plan: no action plan with id '{series.plan}' (known: {', '.join(p.id for p in plans) or 'none'})")
        return []
    table = next((t for t in plan.attachments if t.id == series.table), None)
    if table is None:
        problems.add(locate(path, raw, ("table",)), f"table: plan '{plan.id}' has no attachment '{series.table}'")
        return []
    types = {c.key: c.type for c in table.columns}
    before = len(problems.errors)
    for role, wanted in ROLE_TYPES.items():
        key = getattr(series.columns, role)
        if types.get(key) != wanted:
            got = f"a {types[key]} column" if key in types else "no such column"
            problems.add(locate(path, raw, ("columns", role)), f"columns.{role}: '{key}' must be a {wanted} column of '{table.id}' ({got})")
    root = path.parent
    folder = root / series.progress
    if not folder.resolve().is_relative_to(root.resolve()):
        problems.add(locate(path, raw, ("progress",)), f"progress: folder '{series.progress}' is outside the content folder")
    elif not folder.is_dir():
        problems.add(locate(path, raw, ("progress",)), f"progress: folder '{series.progress}' not found")
    if len(problems.errors) > before:
        return []

    files: dict[int, dict[str, Path]] = {}
    for file in sorted(folder.iterdir()):
        m = QUARTER_FILE.match(file.name)
        if not m:
            continue
        if int(m.group(1)) != series.year:
            problems.add(Location(file), f"this file is for {m.group(1)}, but series '{series.id}' covers {series.year}")
            continue
        kind = "notes" if m.group(3) == "yaml" else "data"
        if kind in files.setdefault(int(m.group(2)), {}):
            problems.add(Location(file), f"a second data file for {series.year}Q{m.group(2)} (also {files[int(m.group(2))][kind].name})")
        files[int(m.group(2))][kind] = file

    sections = {node.id: node.title for node in walk(plan.sections)}
    bulletins, previous, data_files = [], {}, []
    for quarter in sorted(files):
        data = files[quarter].get("data")
        if data is None:
            problems.add(Location(files[quarter]["notes"]), f"notes for {series.year}Q{quarter} but no data file {series.year}-Q{quarter}.csv")
            continue
        if quarter > 1 and quarter - 1 not in files:
            problems.add(Location(data), f"no data for the previous quarter {series.year}Q{quarter - 1}: quarters are cumulative")
        before = len(problems.errors)
        records = read_quarter(data, root, f"{series.year}Q{quarter}", table, series, previous, problems)
        notes = read_notes(files[quarter].get("notes"), root, f"{series.year}Q{quarter}", sections, problems)
        data_files.append(data)  # figures are cumulative: a bulletin reads every earlier quarter's data too
        if len(problems.errors) == before and records is not None:
            bulletin = compute_bulletin(series, table, quarter, records, previous, notes, sections)
            notes_file = (files[quarter]["notes"],) if "notes" in files[quarter] else ()
            bulletins.append(replace(bulletin, sources=(path, plan.sources[0], plan.sources[table.number], *data_files, *notes_file)))
        previous = {key: r.ytd for key, r in (records or {}).items()}
    return bulletins


def walk(nodes: tuple[Node, ...]):
    for node in nodes:
        yield node
        yield from walk(node.children)


def read_quarter(
    file: Path, root: Path, quarter: str, table, series: BulletinSeriesSource, previous: dict[str, Decimal], problems: Problems
) -> dict[str, ProgressRecord] | None:
    """A quarter's rows, checked against the projects' table and the previous quarter."""
    try:
        header, rows = read_rows(file, root, Location(file), series.encoding)
    except ContentError as exc:
        problems.items.extend(exc.problems)
        return None
    if not check_header(file, header, PROGRESS_COLUMNS, problems):
        return None
    projects = {row.id: row for row in table.rows}
    records: dict[str, ProgressRecord] = {}
    for index, (line, record) in enumerate(rows):

        def error(name: str, message: str) -> None:
            problems.add(Location(file, line, header.index(name) + 1), f"row {index + 1}, column '{name}': {message}")

        cells = {k: str(v).strip() for k, v in record.items()}
        if cells["quarter"] != quarter:
            error("quarter", f"names quarter {cells['quarter']!r}, but the file is for {quarter}")
        project_id = cells["id"]
        if project_id not in projects:
            error("id", f"unknown project id {project_id!r}: not a row of table '{table.id}'")
            continue
        if project_id in records:
            error("id", f"project {project_id!r} appears twice")
            continue
        ytd, problem = parse_amount(cells["investment_ytd"], table.unit)
        if problem:
            error("investment_ytd", problem)
        if ytd is not None:
            total = projects[project_id].cells[series.columns.total]
            if ytd > total:
                error("investment_ytd", f"{ytd} is more than the project's total investment {total} {table.unit}")
            if project_id in previous and ytd < previous[project_id]:
                error("investment_ytd", f"falls from {previous[project_id]} at the end of the previous quarter to {ytd}: the figure is cumulative")
        if cells["status"] not in STATUSES:
            error("status", f"expected one of {', '.join(STATUSES)}, got {cells['status']!r}")
        texts = {}
        for field in ("milestone", "problem"):
            pair = {lang: cells[f"{field}_{lang}"] for lang in LANGS}
            if any(pair.values()) and not all(pair.values()):
                missing = next(lang for lang in LANGS if not pair[lang])
                error(f"{field}_{missing}", "is empty" + (" (translation missing)" if missing == "en" else ""))
            texts[field] = Text(**pair) if all(pair.values()) else None
        if ytd is not None:
            records[project_id] = ProgressRecord(project_id, ytd, cells["status"], texts["milestone"], texts["problem"])
    missing = [key for key in projects if key not in records and key not in {r.get("id", "").strip() for _, r in rows}]
    if missing:
        problems.add(Location(file, 1), f"no row for project(s) {', '.join(missing)} of table '{table.id}'")
    return records if len(records) == len(projects) else None


def read_notes(file: Path | None, root: Path, quarter: str, sections: dict[str, Text], problems: Problems) -> QuarterNotes | None:
    if file is None:
        return None
    try:
        raw = read_yaml(file, root)
    except ContentError as exc:
        problems.items.extend(exc.problems)
        return None
    if not isinstance(raw, dict):  # empty or a bare value: name the file's first line
        problems.add(Location(file, 1, 1), "expected a map of the quarter's notes (quarter, next_steps, tasks), got "
                     + ("an empty file" if raw is None else "a list" if isinstance(raw, list) else "a single value"))
        return None
    notes = validate(QuarterNotes, file, raw, problems)
    if notes is None:
        return None
    check_texts(file, raw, problems)
    if notes.quarter != quarter:
        problems.add(locate(file, raw, ("quarter",)), f"quarter: names {notes.quarter}, but the file is for {quarter}")
    for task_id in notes.tasks:
        if task_id not in sections:
            problems.add(locate(file, raw, ("tasks", task_id)), f"tasks: no section '{task_id}' in the plan")
    return notes
