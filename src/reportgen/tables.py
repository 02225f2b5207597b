"""Table files (CSV, XLSX) read with pandas and validated cell by cell against declared columns."""
from __future__ import annotations

import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pandas as pd

from .errors import ContentError, Location, Problems
from .model import LANGS, Attachment, Period, Row, Table, Text, column_totals
from .yamlsource import MAX_INPUT_BYTES, read_text

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
    header = check_header(file, frame, ["id"] + [name for c in columns for name in file_columns(c)], problems)
    if header is None:
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


def check_header(file: Path, frame: pd.DataFrame, expected: list[str], problems: Problems) -> list[str] | None:
    """The file's column names, or None after reporting each missing and unknown column."""
    header = [str(c).strip() for c in frame.columns]
    for name in expected:
        if name not in header:
            problems.add(Location(file, 1), f"missing column '{name}' (expected columns: {', '.join(expected)})")
    for i, name in enumerate(header):
        if name not in expected:
            problems.add(Location(file, 1, i + 1), f"unknown column '{name}' (expected columns: {', '.join(expected)})")
    return header if set(header) == set(expected) and len(header) == len(expected) else None


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
