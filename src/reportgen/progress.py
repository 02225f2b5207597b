"""Reading a bulletin series: its YAML, the quarter files and notes, validated with locations."""
from __future__ import annotations

import datetime
import re
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import ContentError, Location, Problems
from .indicators import compute_bulletin
from .messages import _
from .model import (
    GROUP_TITLE,
    LANGS,
    STATUSES,
    Bulletin,
    BulletinSeriesSource,
    Node,
    Plan,
    ProgressRecord,
    ProjectGroup,
    QuarterNotes,
    Row,
    Table,
    Text,
    fill_in,
    paragraph_too_long,
)
from .tables import check_header, parse_amount, read_figure, read_rows
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
        known = ", ".join(p.id for p in plans) or _("none")
        problems.add(locate(path, raw, ("plan",)), _("plan: no action plan with id '{id}' (known: {known})").format(id=series.plan, known=known))
        return []
    table = next((t for t in plan.attachments if t.id == series.table), None)
    if table is None:
        problems.add(locate(path, raw, ("table",)), _("table: plan '{plan}' has no attachment '{table}'").format(plan=plan.id, table=series.table))
        return []
    types = {c.key: c.type for c in table.columns}
    before = len(problems.errors)
    for role, wanted in ROLE_TYPES.items():
        key = getattr(series.columns, role)
        if types.get(key) != wanted:
            got = _("a {type} column").format(type=types[key]) if key in types else _("no such column")
            problems.add(locate(path, raw, ("columns", role)), _("columns.{role}: '{key}' must be a {type} column of '{table}' ({got})").format(
                role=role, key=key, type=wanted, table=table.id, got=got))
    root = path.parent
    folder = root / series.progress
    if not folder.resolve().is_relative_to(root.resolve()):
        problems.add(locate(path, raw, ("progress",)), _("progress: folder '{folder}' is outside the content folder").format(folder=series.progress))
    elif not folder.is_dir():
        problems.add(locate(path, raw, ("progress",)), _("progress: folder '{folder}' not found").format(folder=series.progress))
    groups = project_groups(path, raw, series, table, problems)
    if len(problems.errors) > before:
        return []

    files: dict[int, dict[str, Path]] = {}
    for file in sorted(folder.iterdir()):
        m = QUARTER_FILE.match(file.name)
        if not m:
            if file.suffix.lower() in (".csv", ".xlsx", ".yaml", ".yml") and not file.name.startswith(("~$", ".")):  # not Excel's lock file
                problems.add(Location(file), _("not read: a quarter's file is named YEAR-QN.csv, .xlsx or .yaml, such as {example}").format(
                    example=f"{series.year}-Q1.csv"), "warning")
            continue
        if int(m.group(1)) != series.year:
            problems.add(Location(file), _("this file is for {year}, but series '{series}' covers {covered}").format(year=m.group(1), series=series.id, covered=series.year))
            continue
        kind = "notes" if m.group(3) == "yaml" else "data"
        if kind in files.setdefault(int(m.group(2)), {}):
            problems.add(Location(file), _("a second data file for {quarter} (also {other})").format(quarter=f"{series.year}Q{m.group(2)}", other=files[int(m.group(2))][kind].name))
        files[int(m.group(2))][kind] = file

    sections = {node.id: node.title for node in walk(plan.sections)}
    bulletins, previous, data_files = [], {}, []
    for quarter in sorted(files):
        data = files[quarter].get("data")
        if data is None:
            problems.add(Location(files[quarter]["notes"]), _("notes for {quarter} but no data file {file}").format(quarter=f"{series.year}Q{quarter}", file=f"{series.year}-Q{quarter}.csv"))
            continue
        if quarter > 1 and quarter - 1 not in files:
            problems.add(Location(data), _("no data for the previous quarter {quarter}: quarters are cumulative").format(quarter=f"{series.year}Q{quarter - 1}"))
        before = len(problems.errors)
        records = read_quarter(data, root, f"{series.year}Q{quarter}", table, series, previous, problems)
        notes = read_notes(files[quarter].get("notes"), root, f"{series.year}Q{quarter}", sections, problems)
        check_date(path, raw, series, quarter, files[quarter].get("notes"), notes, problems)
        data_files.append(data)  # figures are cumulative: a bulletin reads every earlier quarter's data too
        if len(problems.errors) == before and records is not None:
            notes_file = (files[quarter]["notes"],) if "notes" in files[quarter] else ()
            for group in (None, *groups):
                bulletin = compute_bulletin(series, table, quarter, records, previous, notes, sections, group)
                bulletins.append(replace(bulletin, sources=(path, plan.sources[0], plan.sources[table.number], *data_files, *notes_file)))
        previous = {key: r.ytd for key, r in (records or {}).items()}
    return bulletins


def check_date(path: Path, raw: Any, series: BulletinSeriesSource, quarter: int, file: Path | None, notes: QuarterNotes | None, problems: Problems) -> None:
    """A signed series' bulletin is dated (成文日期) by its quarter's notes file, on or after the quarter's last day."""
    name = f"{series.year}Q{quarter}"
    last_day = datetime.date(series.year, 3 * quarter, 30 if quarter in (2, 3) else 31)
    if notes is not None and notes.date is not None and notes.date < last_day:
        problems.add(locate(file, read_yaml(file, path.parent), ("date",)), _("date: {date} is before the end of {quarter} ({last_day}), which the bulletin reports on").format(
            date=notes.date.isoformat(), quarter=name, last_day=last_day.isoformat()))
    elif series.issuer is not None and (notes is None or notes.date is None) and (file is None or notes is not None):
        problems.add(locate(file, read_yaml(file, path.parent), ("quarter",)) if file else locate(path, raw, ("issuer",)), _(
            "the bulletins of {quarter} are signed (issuer: in {series}) and need their date (成文日期): write date: YYYY-MM-DD in {file}").format(
            quarter=name, series=path.name, file=f"{series.progress}/{series.year}-Q{quarter}.yaml"))


def project_groups(path: Path, raw: Any, series: BulletinSeriesSource, table: Table, problems: Problems) -> list[ProjectGroup]:
    """The groups of the series' group series (`series:`), each in the order of its ids."""
    out: list[ProjectGroup] = []
    seen: set[str] = set()
    for index, spec in enumerate(series.series):
        def at(*keys: str) -> Location:
            return locate(path, raw, ("series", index, *keys))

        column = next((c for c in table.columns if c.key == spec.by), None)
        if column is None or column.type != "text":
            got = _("a {type} column").format(type=column.type) if column else _("no such column")
            problems.add(at("by"), _("series[{index}].by: '{key}' must be a text column of '{table}' ({got})").format(index=index, key=spec.by, table=table.id, got=got))
            continue
        if spec.by in seen:
            problems.add(at("by"), _("series[{index}].by: a second series by '{key}'; one is enough").format(index=index, key=spec.by))
        seen.add(spec.by)
        rows: dict[str, list[Row]] = {}
        for row in table.rows:
            rows.setdefault(row.cells[spec.by].zh, []).append(row)
        for value, members in rows.items():
            if value not in spec.ids:
                problems.add(at("ids"), _("series[{index}].ids: no id for '{value}' (column '{key}', row {row} of table '{table}'): give each group an id of "
                                          "lowercase letters, digits and hyphens, e.g. {value}: group-1").format(index=index, value=value, key=spec.by, row=members[0].id, table=table.id))
        given: dict[str, str] = {}
        for value, group_id in spec.ids.items():
            if group_id in given:
                problems.add(at("ids", value), _("series[{index}].ids: '{id}' is the id of '{first}' already; each group has its own").format(index=index, id=group_id, first=given[group_id]))
            given.setdefault(group_id, value)
            if value not in rows:
                problems.add(at("ids", value), _("series[{index}].ids: no project of table '{table}' has '{value}' in column '{key}': no bulletin for it").format(
                    index=index, table=table.id, value=value, key=spec.by), "warning")
        title = spec.title or fill_in(GROUP_TITLE, {"title": series.title})
        out += [ProjectGroup(group_id, rows[value][0].cells[spec.by], title, tuple(rows[value])) for value, group_id in spec.ids.items() if value in rows]
    return out


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

        def error(name: str, message: str, severity: str = "error") -> None:
            problems.add(Location(file, line, header.index(name) + 1), _("row {row}, column '{name}': {message}").format(row=index + 1, name=name, message=message), severity)

        cells = {k: str(v).strip() for k, v in record.items()}
        if cells["quarter"] != quarter:
            error("quarter", _("names quarter {named!r}, but the file is for {quarter}").format(named=cells["quarter"], quarter=quarter))
        project_id = cells["id"]
        if project_id not in projects:
            error("id", _("unknown project id {id!r}: not a row of table '{table}'").format(id=project_id, table=table.id))
            continue
        if project_id in records:
            error("id", _("project {id!r} appears twice").format(id=project_id))
            continue
        ytd = read_figure(cells["investment_ytd"], lambda text: parse_amount(text, table.unit), lambda m, severity="error": error("investment_ytd", m, severity))
        if ytd is not None:
            total = projects[project_id].cells[series.columns.total]
            if ytd > total:
                error("investment_ytd", _("{ytd} is more than the project's total investment {total} {unit}").format(ytd=ytd, total=total, unit=table.unit))
            if project_id in previous and ytd < previous[project_id]:
                error("investment_ytd", _("falls from {before} at the end of the previous quarter to {ytd}: the figure is cumulative").format(before=previous[project_id], ytd=ytd))
        if cells["status"] not in STATUSES:
            error("status", _("expected one of {statuses}, got {status!r}").format(statuses=", ".join(STATUSES), status=cells["status"]))
        texts = {}
        for field in ("milestone", "problem"):
            pair = {lang: cells[f"{field}_{lang}"] for lang in LANGS}
            if pair["en"] and not pair["zh"]:
                error(f"{field}_zh", _("is empty"))
            for lang in LANGS:
                if problem := paragraph_too_long(pair[lang]):
                    error(f"{field}_{lang}", problem)
            texts[field] = Text(**pair) if pair["zh"] else None  # without English: untranslated (a draft)
        if ytd is not None:
            records[project_id] = ProgressRecord(project_id, ytd, cells["status"], texts["milestone"], texts["problem"])
    missing = [key for key in projects if key not in records and key not in {r.get("id", "").strip() for _, r in rows}]
    if missing:
        problems.add(Location(file, 1), _("no row for project(s) {ids} of table '{table}'").format(ids=", ".join(missing), table=table.id))
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
        got = _("an empty file") if raw is None else _("a list") if isinstance(raw, list) else _("a single value")
        problems.add(Location(file, 1, 1), _("expected a map of the quarter's notes (quarter, next_steps, tasks), got {got}").format(got=got))
        return None
    notes = validate(QuarterNotes, file, raw, problems)
    if notes is None:
        return None
    check_texts(file, raw, problems)
    if notes.quarter != quarter:
        problems.add(locate(file, raw, ("quarter",)), _("quarter: names {named}, but the file is for {quarter}").format(named=notes.quarter, quarter=quarter))
    for task_id in notes.tasks:
        if task_id not in sections:
            problems.add(locate(file, raw, ("tasks", task_id)), _("tasks: no section '{id}' in the plan").format(id=task_id))
    return notes
