"""Reading a content folder: YAML documents and their tables, validated into the model.

Every problem is collected with its location; loading stops once, at the end, with all of them.
"""
from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from .errors import ContentError, Location, Problem, Problems
from .model import (
    LANGS,
    MAX_LEVEL,
    PLACEHOLDER,
    Attachment,
    Period,
    Plan,
    PlanSource,
    Row,
    Section,
    Table,
    Text,
    build_nodes,
    column_totals,
    figures,
    format_number,
)
from .yamlsource import MAX_INPUT_BYTES, dotted, locate, read_text, read_yaml

KINDS = {"action-plan": PlanSource}


def load_content(content_dir: Path) -> list[Plan]:
    """Every document of the content folder, validated; raises ContentError listing all problems."""
    files = sorted(content_dir.glob("*.yaml"))
    if not content_dir.is_dir() or not files:
        raise ContentError([Problem(Location(content_dir), "no content: expected *.yaml documents here")])
    problems = Problems()
    plans, seen = [], {}
    for path in files:
        try:
            plan = load_plan(path, problems)
        except ContentError as exc:
            problems.items.extend(exc.problems)
            continue
        if plan is None:
            continue
        for doc_id in [plan.id, *(t.id for t in plan.attachments)]:
            if doc_id in seen:
                problems.add(Location(path), f"document id '{doc_id}' is already used in {seen[doc_id].name}")
            seen[doc_id] = path
        plans.append(plan)
    problems.raise_if_any()
    return plans


def load_plan(path: Path, problems: Problems) -> Plan | None:
    raw = read_yaml(path)
    if not isinstance(raw, dict):
        raise ContentError([Problem(Location(path, 1, 1), "expected a mapping with 'kind', 'id', 'meta', 'sections'")])
    kind = raw.get("kind")
    if kind not in KINDS:
        where = locate(path, raw, ("kind",))
        raise ContentError([Problem(where, f"kind: expected one of {', '.join(KINDS)}, got {kind!r}")])
    try:
        source = PlanSource.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.add(locate(path, raw, err["loc"]), describe(err))
        return None
    before = len(problems.items)
    check_tree(path, raw, source, problems)
    tables = tuple(
        load_table(path.parent, number, att, locate(path, raw, ("attachments", number - 1, "table", "file")), problems)
        for number, att in enumerate(source.attachments, 1)
    )
    if len(problems.items) > before:
        return None
    known = figures(tables)

    def substitute(text: Text, keys: tuple = ()) -> Text:
        values = {}
        for lang in LANGS:
            def repl(m: re.Match) -> str:
                name = m.group(1)
                if name not in known:
                    problems.add(locate(path, raw, keys), f"unknown figure '{{{{ {name} }}}}'; known: {', '.join(sorted(known))}")
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
    )
    return None if len(problems.items) > before else plan


def describe(err: dict) -> str:
    """A pydantic error as one readable sentence naming the field."""
    loc = err["loc"]
    where = dotted(loc)
    kind = err["type"]
    if kind == "missing":
        hint = " (translation missing)" if loc and loc[-1] in LANGS else ""
        return f"{where} is required{hint}"
    if kind == "extra_forbidden":
        return f"unknown field '{loc[-1]}' in {dotted(loc[:-1])}"
    if kind == "string_too_short" and loc and loc[-1] in LANGS:
        return f"{where} is empty (translation missing)"
    got = err.get("input")
    shown = f", got {got!r}" if isinstance(got, (str, int, float)) else ""
    return f"{where}: {err['msg'].lower()}{shown}"


def check_tree(path: Path, raw: Any, source: PlanSource, problems: Problems) -> None:
    """Ids unique across the document; headings at most four levels deep."""
    seen: dict[str, tuple] = {}

    def visit(sections: list[Section], keys: tuple, level: int) -> None:
        for i, s in enumerate(sections):
            here = (*keys, i)
            remember(s.id, here)
            if level > MAX_LEVEL:
                problems.add(locate(path, raw, here), f"{dotted(here)}: headings go {MAX_LEVEL} levels deep at most")
            visit(s.sections, (*here, "sections"), level + 1)

    def remember(item_id: str, keys: tuple) -> None:
        if item_id in seen:
            problems.add(locate(path, raw, (*keys, "id")), f"duplicate id '{item_id}' (first used at {dotted(seen[item_id])})")
        else:
            seen[item_id] = keys

    remember(source.id, ())
    visit(source.sections, ("sections",), 1)
    for i, att in enumerate(source.attachments):
        remember(att.id, ("attachments", i))


# ---- tables ----

_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


def read_frame(file: Path, problems: Problems, where: Location) -> tuple[pd.DataFrame, int] | None:
    """The table as strings, and the file line of its first data row."""
    if not file.is_file():
        problems.add(where, f"table file not found: {file.name}")
        return None
    if file.stat().st_size > MAX_INPUT_BYTES:
        problems.add(Location(file), f"file is larger than {MAX_INPUT_BYTES} bytes")
        return None
    try:
        if file.suffix.lower() == ".xlsx":
            frame = pd.read_excel(file, dtype=str, keep_default_na=False)
        elif file.suffix.lower() == ".csv":
            frame = pd.read_csv(io.StringIO(read_text(file)), dtype=str, keep_default_na=False)
        else:
            problems.add(where, f"table file must be .csv or .xlsx, got '{file.name}'")
            return None
    except ContentError as exc:
        problems.items.extend(exc.problems)
        return None
    except Exception as exc:  # pandas and openpyxl raise many kinds for unreadable files
        problems.add(Location(file), f"cannot read table: {exc}".splitlines()[0])
        return None
    return frame, 2


def load_table(base: Path, number: int, att: Attachment, where: Location, problems: Problems) -> Table:
    spec = att.table
    file = base / spec.file
    columns = tuple(spec.columns)
    empty = Table(att.id, number, att.title, spec.unit, columns, (), spec.total_label, {})
    before = len(problems.items)
    read = read_frame(file, problems, where)
    if read is None:
        return empty
    frame, first_line = read
    header = [str(c).strip() for c in frame.columns]
    expected = ["id"] + [name for c in columns for name in file_columns(c)]
    for name in expected:
        if name not in header:
            problems.add(Location(file, 1), f"missing column '{name}' (expected columns: {', '.join(expected)})")
    for i, name in enumerate(header):
        if name not in expected:
            problems.add(Location(file, 1, i + 1), f"unknown column '{name}' (expected columns: {', '.join(expected)})")
    if any(name not in header for name in expected):
        return empty
    if frame.empty:
        problems.add(Location(file, 1), "the table has no rows")
        return empty
    frame.columns = header
    rows, seen = [], {}
    for index, record in enumerate(frame.to_dict("records")):
        line = first_line + index

        def cell_error(name: str, message: str) -> None:
            problems.add(Location(file, line, header.index(name) + 1), f"row {index + 1}, column '{name}': {message}")

        row_id = record["id"].strip()
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", row_id):
            cell_error("id", f"expected a row id (letters, digits, - or _), got {row_id!r}")
        elif row_id in seen:
            cell_error("id", f"duplicate id '{row_id}' (first in row {seen[row_id]})")
        seen[row_id] = index + 1
        cells = {}
        for col in columns:
            cells[col.key] = read_cell(col, record, spec.unit, cell_error)
        rows.append(Row(row_id, cells))
    rows_t = tuple(rows)
    if any(c.total and c.type != "amount" for c in columns):
        problems.add(where, "only amount columns can have 'total: true'")
        return empty
    if len(problems.items) > before:
        return Table(att.id, number, att.title, spec.unit, columns, rows_t, spec.total_label, {})
    return Table(att.id, number, att.title, spec.unit, columns, rows_t, spec.total_label, column_totals(columns, rows_t))


def file_columns(col) -> list[str]:
    return {
        "text": [f"{col.key}_zh", f"{col.key}_en"],
        "period": [f"{col.key}_start", f"{col.key}_end"],
    }.get(col.type, [col.key])


def read_cell(col, record: dict, unit: str, cell_error) -> Any:
    if col.type == "text":
        values = {}
        for lang in LANGS:
            name = f"{col.key}_{lang}"
            values[lang] = str(record[name]).strip()
            if not values[lang]:
                cell_error(name, "is empty" + (" (translation missing)" if lang == "en" else ""))
        return Text.model_construct(**values)
    if col.type == "period":
        start = parse_year_month(str(record[f"{col.key}_start"]), f"{col.key}_start", cell_error)
        end = parse_year_month(str(record[f"{col.key}_end"]), f"{col.key}_end", cell_error)
        if start and end:
            if (end[0], end[1] or 12) < (start[0], start[1] or 1):
                cell_error(f"{col.key}_end", "the period ends before it starts")
            return Period(start[0], start[1], end[0], end[1])
        return None
    text = str(record[col.key]).strip()
    if col.type == "number":
        if not re.fullmatch(r"\d+", text):
            cell_error(col.key, f"expected a whole number, got {text!r}")
            return None
        return int(text)
    try:
        value = Decimal(text)
    except InvalidOperation:
        cell_error(col.key, f"expected an amount in {unit}, got {text!r}")
        return None
    if not value.is_finite() or value < 0:
        cell_error(col.key, f"expected a non-negative amount in {unit}, got {text!r}")
        return None
    return value


def parse_year_month(text: str, name: str, cell_error) -> tuple[int, int | None] | None:
    m = _YEAR_MONTH.match(text.strip())
    if not m or not (1900 <= int(m.group(1)) <= 2200) or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        cell_error(name, f"expected a year (2019) or year and month (2019-08), got {text!r}")
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None
