"""Table files (CSV, XLSX) read as text rows with their lines, validated cell by cell against
declared columns."""
from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from .errors import ContentError, Location, Problem, Problems
from .inputs import check_xlsx, confined, read_table_text
from .model import LANGS, Attachment, Period, Row, Table, Text, column_totals

_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


Rows = list[tuple[int, dict[str, str]]]  # each data row with the line (CSV) or sheet row (XLSX) it starts on


def read_rows(file: Path, root: Path, where: Location, encoding: str | None = None) -> tuple[list[str], Rows]:
    """A table file's header and data rows as text; blank rows are skipped. Raises a located
    ContentError (inputs.py: confinement to `root`, size limits, encodings, XLSX bombs)."""
    confined(file, root, where)
    if not file.is_file():
        raise ContentError([Problem(where, f"table file not found: {file.name}")])
    suffix = file.suffix.lower()
    if suffix == ".csv":
        records = csv_records(file, read_table_text(file, root, encoding))
    elif suffix == ".xlsx":
        records = xlsx_records(check_xlsx(file, root))
    else:
        raise ContentError([Problem(where, f"table file must be .csv or .xlsx, got '{file.name}'")])
    records = [(line, cells) for line, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        raise ContentError([Problem(Location(file, 1), "the table is empty: expected a header row and data rows")])
    (_, header), *data = records
    header = [name.strip() for name in header]
    ragged = [  # empty cells after the last column (as spreadsheets write them) are no harm
        Problem(Location(file, line), f"row has {len(cells)} cells, the header has {len(header)}")
        for line, cells in data if len(cells) < len(header) or any(cell.strip() for cell in cells[len(header):])
    ]
    if ragged:
        raise ContentError(ragged)
    return header, [(line, dict(zip(header, cells))) for line, cells in data]


def csv_records(file: Path, text: str) -> list[tuple[int, list[str]]]:
    """Each CSV record with the file line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out, start = [], 1
    try:
        for cells in reader:
            out.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ContentError([Problem(Location(file, start), f"cannot read the CSV from this row: {exc}")]) from None
    return out


def xlsx_records(file: Path) -> list[tuple[int, list[str]]]:
    """The first sheet's rows as text, each with its sheet row number."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(file, read_only=True, data_only=True)
        try:
            rows = list(book.worksheets[0].iter_rows(values_only=True))
        finally:
            book.close()
    except Exception as exc:  # openpyxl and its XML parser raise many kinds for a damaged workbook
        raise ContentError([Problem(Location(file), f"cannot read the workbook: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")]) from None
    return [(number, ["" if value is None else str(value) for value in row]) for number, row in enumerate(rows, 1)]


def load_table(base: Path, number: int, att: Attachment, where: Location, problems: Problems) -> Table:
    spec = att.table
    file = base / spec.file
    columns = tuple(spec.columns)
    empty = Table(att.id, number, att.title, spec.unit, columns, (), spec.total_label, {})
    before = len(problems.items)
    try:
        header, records = read_rows(file, base, where, spec.encoding)
    except ContentError as exc:
        problems.items.extend(exc.problems)
        return empty
    if not check_header(file, header, ["id"] + [name for c in columns for name in file_columns(c)], problems):
        return empty
    if not records:
        problems.add(Location(file, 1), "the table has no rows")
        return empty
    rows, seen = [], {}
    for index, (line, record) in enumerate(records):

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


def check_header(file: Path, header: list[str], expected: list[str], problems: Problems) -> bool:
    """Whether the file's columns are the expected ones; each missing and unknown column reported."""
    for name in expected:
        if name not in header:
            problems.add(Location(file, 1), f"missing column '{name}' (expected columns: {', '.join(expected)})")
    for i, name in enumerate(header):
        if name not in expected:
            problems.add(Location(file, 1, i + 1), f"unknown column '{name}' (expected columns: {', '.join(expected)})")
    return set(header) == set(expected) and len(header) == len(expected)


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
    value, problem = parse_amount(text, unit)
    if problem:
        cell_error(col.key, problem)
    return value


AMOUNT = re.compile(r"-?\d{1,15}(?:\.\d{1,6})?")  # 15 digits and 6 decimals: any budget in any unit, and exact sums


def parse_amount(text: str, unit: str) -> tuple[Decimal | None, str | None]:
    """An amount written as digits with an optional decimal point, or the message saying why not
    (exponents, NaN and infinity are not amounts)."""
    if not AMOUNT.fullmatch(text):
        return None, f"expected an amount in {unit} such as 1234.5 (digits, at most 15 before and 6 after the point), got {text!r}"
    value = Decimal(text)
    if value < 0:
        return None, f"expected a non-negative amount in {unit}, got {text!r}"
    return abs(value), None  # -0 is 0


def parse_year_month(text: str, name: str, cell_error) -> tuple[int, int | None] | None:
    m = _YEAR_MONTH.match(text.strip())
    if not m or not (1900 <= int(m.group(1)) <= 2200) or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        cell_error(name, f"expected a year (2019) or year and month (2019-08), got {text!r}")
        return None
    return int(m.group(1)), int(m.group(2)) if m.group(2) else None
