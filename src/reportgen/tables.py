"""Table files (CSV, XLSX) as offices keep them: the YAML maps the file's own header texts to
columns, values are read in the forms offices write, and every cell is validated with its line.

One reading of a table gives the model's rows and its text cells' translation segments
(`TableReading`), so that the catalogue (i18n/segments.py) never maps a file a second way.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import product
from pathlib import Path
from typing import Any

from .errors import ContentError, Location, Problem, Problems
from .inputs import DIRECTION_CONTROLS, FULL_WIDTH, check_xlsx, confined, direction_control, half_width, odd_characters, read_table_text, stamp
from .messages import _
from .writers.columns import too_wide_for_portrait
from .model import MAX_TABLE_ROWS, Attachment, Column, ColumnGroup, Date, Period, Row, Table, TableSpec, Text, column_totals, header_rows, paragraph_too_long

Records = list[tuple[int, list[str]]]  # each non-blank row with the line (CSV) or sheet row (XLSX) it starts on
Unread = dict[tuple[int, int], Problem]  # XLSX cells that read as empty though the sheet holds something, by (sheet row, column index): why
Rows = list[tuple[int, dict[str, str]]]  # each data row under its header, with its line
HEADER_SEARCH = 10  # rows above the header (a title, a unit line) that are skipped
MAX_SHEET_ROWS = 2 * MAX_TABLE_ROWS  # a sheet's rows, blank, title and total rows included: read no further
MAX_SHEET_COLUMNS = 200  # a sheet's columns (Excel has 16,384: one cell far right would make every row that wide)
UNIT_LINE = re.compile(r"单\s*位\s*[:：][^,，;；、/)）\n]*?([千百十万亿]*元)")  # "单位：万元", "单位：人民币亿元" above the header
UNIT_IN_HEADER = re.compile(r"[（(]\s*([千百十万亿]*元)\s*[)）]")  # "总投资（亿元）"
TOTAL_ROWS = ("合计", "总计", "小计")  # a file's own total rows, recomputed rather than read
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
SHEET_CELL, SHEET_FORMULA, SHEET_VALUE, SHEET_ROW, SHEET_MERGE = (f"{{http://schemas.openxmlformats.org/spreadsheetml/2006/main}}{tag}" for tag in ("c", "f", "v", "row", "mergeCell"))


def read_records(file: Path, root: Path, where: Location, encoding: str | None = None, sheet: str | None = None) -> tuple[Records, Unread]:
    """A table file's non-blank rows as text, and the cells that could not be read (an XLSX's formulas
    without a computed value and cells under a merged one: the callers know which rows are data).
    Raises a located ContentError (inputs.py: confinement to `root`, size limits, encodings, XLSX
    bombs; a direction control in any cell)."""
    confined(file, root, where)
    if not file.is_file():
        raise ContentError([Problem(where, _("table file not found: {name}").format(name=file.name))])
    suffix = file.suffix.lower()
    if suffix == ".csv":
        records, unread = csv_records(file, read_table_text(file, root, encoding)), {}
    elif suffix == ".xlsx":
        records, unread = xlsx_records(file, check_xlsx(file, root), sheet)
    else:
        raise ContentError([Problem(where, _("table file must be .csv or .xlsx, got '{name}'").format(name=file.name))])
    controls = [Problem(Location(file, line, index + 1), direction_control(m.group()))
                for line, cells in records for index, cell in enumerate(cells) if (m := DIRECTION_CONTROLS.search(cell))]
    if controls:
        raise ContentError(controls)
    records = [(line, cells) for line, cells in records if any(cell.strip() for cell in cells)]
    if not records:
        raise ContentError([Problem(Location(file, 1), _("the table is empty: expected a header row and data rows"))])
    return records, unread


def read_rows(file: Path, root: Path, where: Location, encoding: str | None = None) -> tuple[list[str], Rows]:
    """A file whose first row is its header (a quarter's progress file): the header and the data
    rows by header name; a row with more or fewer cells than the header, or with a cell that could
    not be read, is an error."""
    records, unread = read_records(file, root, where, encoding)
    (_line, header), *data = records
    header = [name.strip() for name in header]
    while header and not header[-1]:  # empty cells after the last column, as spreadsheets write them (and read-only openpyxl pads every row)
        header.pop()
    ragged = [  # empty cells after the last column are no harm
        Problem(Location(file, line), _("row has {cells} cells, the header has {header}").format(cells=len(cells), header=len(header)))
        for line, cells in data if len(cells) < len(header) or any(cell.strip() for cell in cells[len(header):])
    ]
    hidden = dict.fromkeys(unread[(line, i)] for line, _cells in data for i in range(len(header)) if (line, i) in unread)
    if ragged or hidden:
        raise ContentError([*ragged, *hidden])
    return header, [(line, dict(zip(header, cells))) for line, cells in data]


def check_header(file: Path, header: list[str], expected: list[str], problems: Problems) -> bool:
    """Whether a file's columns are the expected ones; each missing and unknown column reported."""
    for name in expected:
        if name not in header:
            problems.add(Location(file, 1), _("missing column '{name}' (expected columns: {expected})").format(name=name, expected=", ".join(expected)))
    for i, name in enumerate(header):
        if name not in expected:
            problems.add(Location(file, 1, i + 1), _("unknown column '{name}' (expected columns: {expected})").format(name=name, expected=", ".join(expected)))
    return set(header) == set(expected) and len(header) == len(expected)


def csv_records(file: Path, text: str) -> Records:
    """Each CSV record with the file line it starts on (a quoted cell may span lines)."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    out, start = [], 1
    try:
        for cells in reader:
            out.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ContentError([Problem(Location(file, start), _("cannot read the CSV from this row: {reason}").format(reason=exc))]) from None
    return out


def xlsx_records(file: Path, workbook: bytes, sheet: str | None = None) -> tuple[Records, Unread]:
    """A sheet's rows (the first sheet's by default) of the workbook `file` (its bytes) as text, each
    with its sheet row number: numbers as Excel shows them (15 significant digits), dates as
    2021-03-15. A merged cell's value is in its first cell and the others are empty; so is a formula
    that the program which saved the file did not calculate (openpyxl writes such workbooks):
    `Unread` says why, by cell."""
    import openpyxl
    from openpyxl.utils.cell import coordinate_to_tuple

    try:
        book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True, data_only=True)
        try:
            if sheet is not None and sheet not in book.sheetnames:
                raise ContentError([Problem(Location(file), _("the workbook has no sheet '{sheet}' (sheets: {sheets})").format(sheet=sheet, sheets=", ".join(book.sheetnames)))])
            values = book[sheet] if sheet else book.worksheets[0]
            rows = sheet_rows(file, values)
            merged, uncomputed = unread_cells(workbook, values)
        finally:
            book.close()
    except ContentError:
        raise
    except Exception as exc:  # openpyxl and its XML parser raise many kinds for a damaged workbook
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ContentError([Problem(Location(file), _("cannot read the workbook: {reason}").format(reason=reason))]) from None
    records = [(number, [sheet_text(value) for value in row]) for number, row in enumerate(rows, 1)]
    unread: Unread = {}
    for cell in uncomputed:
        row, column = coordinate_to_tuple(cell)
        unread[(row, column - 1)] = Problem(Location(file, row, column), _(
            "cell {cell} of sheet '{sheet}' is a formula without a computed value (the workbook was saved by a program that does not "
            "calculate): open and save the file in Excel or WPS, or type the value").format(cell=cell, sheet=values.title))
    width = max((len(cells) for _, cells in records), default=0)
    covered: set[tuple[int, int]] = set()
    for cells in merged:
        problem = Problem(Location(file, cells.min_row, cells.min_col), _(
            "cells {cells} of sheet '{sheet}' are merged: only the first holds the value, and each row is read on its own; unmerge them and "
            "fill in every cell").format(cells=cells.coord, sheet=values.title))
        for row, column in product(range(cells.min_row, min(cells.max_row, len(records)) + 1), range(cells.min_col, min(cells.max_col, width) + 1)):
            if (row, column) in covered:
                break  # ranges that overlap (a damaged workbook): each cell is looked at once
            covered.add((row, column))
            if (row, column) != (cells.min_row, cells.min_col):
                unread[(row, column - 1)] = problem
    return records, unread


def sheet_rows(file: Path, sheet) -> list[tuple]:
    """A read-only sheet's rows, bounded: a cell far right or far down (XFD1048576) would make the
    sheet a million rows of sixteen thousand cells, so both are refused where the bound is passed."""
    from openpyxl.utils.cell import get_column_letter

    if (sheet.max_column or 0) > MAX_SHEET_COLUMNS:  # the sheet's own dimension, as Excel saves it
        raise ContentError([Problem(Location(file, 1, sheet.max_column), _(
            "sheet '{sheet}' has cells as far right as column {column}; a table has at most {limit} columns: delete the cells to the right "
            "of the table").format(sheet=sheet.title, column=get_column_letter(sheet.max_column), limit=MAX_SHEET_COLUMNS))])
    rows = []
    for row in sheet.iter_rows(values_only=True, max_col=MAX_SHEET_COLUMNS):
        rows.append(row)
        if len(rows) > MAX_SHEET_ROWS:
            raise ContentError([Problem(Location(file, len(rows)), _(
                "sheet '{sheet}' goes on past row {limit} (blank rows included); a table has at most {rows} rows: delete the rows below "
                "the table").format(sheet=sheet.title, limit=MAX_SHEET_ROWS, rows=MAX_TABLE_ROWS))])
    return rows


def unread_cells(workbook: bytes, sheet) -> tuple[list, list[str]]:
    """A read-only sheet's merged ranges, and the cells (F6) of its formulas without a computed value.
    openpyxl tells neither: it reads merged ranges only when it loads a whole workbook (and then makes
    an object for every cell they cover: billions, for one hostile range), and such a formula as an
    empty cell (a formula that computed an empty text is typed "str"). Both are read here from the
    sheet's XML, named by openpyxl's private `_worksheet_path` (tested with 3.1; without it, none)."""
    from lxml import etree
    from openpyxl.worksheet.cell_range import CellRange

    part = getattr(sheet, "_worksheet_path", None)
    merged, uncomputed = [], []
    if part is None:
        return merged, uncomputed
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive, archive.open(part.lstrip("/")) as xml:
        for _event, element in etree.iterparse(xml, resolve_entities=False, no_network=True):
            if element.tag == SHEET_CELL:
                formula, value = element.find(SHEET_FORMULA), element.findtext(SHEET_VALUE)
                if formula is not None and not value and element.get("t") != "str" and element.get("r"):
                    uncomputed.append(element.get("r"))
                element.clear()  # the values are openpyxl's to read: keep none
            elif element.tag == SHEET_MERGE and element.get("ref"):
                merged.append(CellRange(element.get("ref")))
            elif element.tag == SHEET_ROW:
                element.clear()
    return merged, uncomputed


def sheet_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return format(value, ".15g")  # 0.30000000000000004 is 0.3, as Excel shows it
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return str(value)


# ---- the header ----------------------------------------------------------------------------


def normal(text: str) -> str:
    """A header text compared without any white space (Excel headers wrap lines: 总投资\\n（万元）)."""
    return "".join(half_width(text).split())


@dataclass(frozen=True)
class Layout:
    """Where a table's columns are in its file."""

    header_at: int  # index in the records of the (first) header row
    depth: int  # header rows: 1, or 2 with column groups
    indexes: dict[str, list[int]]  # column key → the file columns it reads (see Column.file_headers)
    id_index: int | None  # the column of the rows' ids; None: rows are numbered
    width: int  # file columns under a header


def column_paths(rows: list[list[str]], clean=normal) -> list[tuple[str, ...]]:
    """Each file column's header texts, top down, as `clean` gives them. In a two-row header an empty
    top cell over a named one belongs to the group on its left (a merged cell's value is in its
    first cell)."""
    width = max(len(r) for r in rows)
    top = [clean(c) for c in rows[0]] + [""] * (width - len(rows[0]))
    if len(rows) == 1:
        return [(t,) if t else () for t in top]
    bottom = [clean(c) for c in rows[1]] + [""] * (width - len(rows[1]))
    paths, group = [], ""
    for t, b in zip(top, bottom):
        if t:
            group = t
        elif b:
            t = group
        paths.append(tuple(p for p in (t, b) if p))
    return paths


def wanted(spec: TableSpec) -> list[tuple[str, tuple[str, ...], bool, str]]:
    """(column key, header path, grouped, the header as declared) of every file column the spec reads."""
    out = []
    for c in spec.columns:
        for leaf in c.columns if isinstance(c, ColumnGroup) else [c]:
            for header in leaf.file_headers():
                grouped = isinstance(c, ColumnGroup)
                path = (c.header, header) if grouped else (header,)
                out.append((leaf.key, tuple(map(normal, path)), grouped, " / ".join(path)))
    return out


def spaced(text: str) -> str:
    """A header as the file shows it, on one line."""
    return " ".join(text.split())


def match(paths: list[tuple[str, ...]], path: tuple[str, ...], grouped: bool) -> list[int]:
    """The file columns with this header path (an ungrouped column is found by its top cell)."""
    return [i for i, p in enumerate(paths) if (p == path if grouped else p[:1] == path)]


def find_layout(file: Path, records: Records, spec: TableSpec, problems: Problems) -> Layout | None:
    """The header among the first rows: the first row (two rows, with groups) holding every
    declared header; rows above it are skipped. Missing, doubled and unmapped columns are problems."""
    depth = 2 if any(isinstance(c, ColumnGroup) for c in spec.columns) else 1
    want = wanted(spec)
    id_header = normal(spec.id) if spec.id else None
    best: tuple[int, int, list] | None = None  # (missing, index, paths)
    for at in range(min(HEADER_SEARCH, len(records) - depth + 1)):
        paths = column_paths([cells for _, cells in records[at:at + depth]])
        missing = sum(not match(paths, path, grouped) for _, path, grouped, _ in want) + (id_header is not None and not match(paths, (id_header,), False))
        if best is None or missing < best[0]:
            best = (missing, at, paths)
        if not missing:
            break
    if best is None:
        problems.add(Location(file, records[0][0]), _("the table has {rows} row(s): expected {depth} header row(s) and data rows").format(rows=len(records), depth=depth))
        return None
    at, paths = best[1:]
    line = records[at][0]
    ok = True
    display = column_paths([cells for _, cells in records[at:at + depth]], spaced)
    shown = "、".join(" / ".join(p) for p in display if p) or _("nothing")
    has = _("the header rows have: {headers}") if depth > 1 else _("the header row has: {headers}")
    indexes: dict[str, list[int]] = {}
    used: set[int] = set()
    for key, path, grouped, name in want:
        found = match(paths, path, grouped)
        if not found:
            problems.add(Location(file, line), _("no column headed '{name}' (column '{key}'); {has}").format(name=name, key=key, has=has.format(headers=shown)))
            ok = False
        elif len(found) > 1:
            problems.add(Location(file, line, found[1] + 1), _("two columns are headed '{name}' (columns {first} and {second}): which one is '{key}'?").format(
                name=name, first=found[0] + 1, second=found[1] + 1, key=key))
            ok = False
        else:
            indexes.setdefault(key, []).append(found[0])
            used.add(found[0])
    id_index = None
    if id_header is not None:
        found = match(paths, (id_header,), False)
        if not found:
            problems.add(Location(file, line), _("no column headed '{name}' (the rows' ids, table.id); {has}").format(name=spec.id, has=has.format(headers=shown)))
            ok = False
        else:
            id_index = found[0]
    elif match(paths, ("id",), False):
        id_index = match(paths, ("id",), False)[0]
    if id_index is not None:
        used.add(id_index)
    if not used:
        return None  # no header found: its other cells would be noise
    for i, path in enumerate(paths):
        if path and i not in used:
            name = " / ".join(display[i])
            if spec.extra_columns == "ignore":
                problems.add(Location(file, line, i + 1), _("the column '{name}' is not one of the table's columns; ignored (extra_columns: ignore)").format(name=name), "warning")
            else:
                problems.add(Location(file, line, i + 1), _("the column '{name}' is not one of the table's columns: map it in the YAML's columns, remove it, "
                                                            "or say extra_columns: ignore").format(name=name))
                ok = False
    return Layout(at, depth, indexes, id_index, len(paths)) if ok else None


def check_stated_unit(file: Path, records: Records, layout: Layout, spec: TableSpec, problems: Problems) -> None:
    """The unit a file states, on a line above its header (单位：亿元) or in an amount column's
    header (总投资（亿元）), must be the table's: the amounts are printed in `unit`, and a file in
    亿元 printed as 万元 would misstate every figure ten thousand times."""
    if spec.unit is None:
        return
    amounts = {i for col in spec.leaves if col.type == "amount" for i in layout.indexes[col.key]}
    stated = [(line, i, m.group(1), cell) for line, cells in records[:layout.header_at] for i, cell in enumerate(cells) if (m := UNIT_LINE.search(cell))]
    stated += [(line, i, m.group(1), cell) for line, cells in records[layout.header_at:layout.header_at + layout.depth]
               for i, cell in enumerate(cells) if i in amounts and (m := UNIT_IN_HEADER.search(cell))]
    for line, index, unit, cell in stated:
        if unit != spec.unit:
            problems.add(Location(file, line, index + 1), _(
                "the file says '{text}', but the table's unit is {unit} (unit: in the YAML), in which its amounts are printed: "
                "make the two agree").format(text=spaced(cell), unit=spec.unit))


# ---- the rows ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextCell:
    """A text cell with its place: where its English is read from and written to by i18n import."""

    row: str  # the row's id
    key: str  # the column's key
    zh: str
    en: str  # "" when not translated
    location: Location  # of the Chinese
    label: str  # the row's name, for translators (row_names)
    place: CellPlace | StorePlace


@dataclass(frozen=True)
class CellPlace:
    """The English cell of a table row: the file column `index` (0-based, headed `column`) of the record starting on `line`."""

    file: Path
    line: int
    column: str
    index: int
    encoding: str | None = None  # the CSV's declared encoding (inputs.table_encoding otherwise)


@dataclass(frozen=True)
class StorePlace:
    """The English of a table's text kept in the translation catalogue (i18n/cells.py): by table,
    column and Chinese text."""

    file: Path
    table: str
    key: str
    zh: str


@dataclass(frozen=True)
class TableReading:
    """What one reading of a table file gives: the table, its text cells and its problems."""

    table: Table
    cells: tuple[TextCell, ...]
    problems: tuple[Problem, ...] = field(default=())


def load_table(base: Path, number: int, att: Attachment, where: Location, problems: Problems) -> Table:
    """The attachment's table; its problems are added to `problems`."""
    reading = read_table(base, number, att, where)
    problems.items.extend(reading.problems)
    return reading.table


_READINGS: dict[tuple, TableReading] = {}  # the last readings, while their files are unchanged


def read_table(base: Path, number: int, att: Attachment, where: Location) -> TableReading:
    """The attachment's table, read once while its file and the catalogue's English are unchanged."""
    from .i18n.cells import read_store  # the catalogue's English, for tables without an English column

    english, store_problems = read_store(base)
    file = base / att.table.file
    key = (base, number, repr(att), where, stamp(file), stamp(english.file))
    if key not in _READINGS:
        if len(_READINGS) >= 32:
            _READINGS.clear()
        _READINGS[key] = _read_table(base, number, att, where, english)
    reading = _READINGS[key]
    return TableReading(reading.table, reading.cells, (*store_problems, *reading.problems)) if store_problems else reading


def _read_table(base: Path, number: int, att: Attachment, where: Location, english) -> TableReading:
    spec = att.table
    file = base / spec.file
    problems = Problems()
    empty = Table(att.id, number, att.title, spec.unit, tuple(spec.leaves), header_rows(spec), orientation(spec, []), (), spec.total_label, {})
    try:
        records, unread = read_records(file, base, where, spec.encoding, spec.sheet)
    except ContentError as exc:
        return TableReading(empty, (), tuple(exc.problems))
    layout = find_layout(file, records, spec, problems)
    if layout is None:
        return TableReading(empty, (), tuple(problems.items))
    check_stated_unit(file, records, layout, spec, problems)
    data = records[layout.header_at + layout.depth:]
    counted = [line for line, record in data if first_text(record) not in TOTAL_ROWS]
    if len(counted) > MAX_TABLE_ROWS:  # refused before its cells are read
        return TableReading(empty, (), (Problem(Location(file, counted[MAX_TABLE_ROWS]), _(
            "the table has {rows} rows, more than the limit of {limit}: split it into several attachments").format(rows=len(counted), limit=MAX_TABLE_ROWS)),))
    read_at = sorted({i for at in layout.indexes.values() for i in at} | ({layout.id_index} if layout.id_index is not None else set()))
    rows, cells, seen, file_totals = [], [], {}, []
    id_name = spec.id or "id"
    for line, record in data:
        first = first_text(record)
        if first in TOTAL_ROWS:
            if first != "小计":
                file_totals.append((line, record + [""] * (layout.width - len(record))))
            continue
        if len(record) < layout.width or any(c.strip() for c in record[layout.width:]):  # trailing empty cells are no harm
            problems.add(Location(file, line), _("row has {cells} cells, the header has {header}").format(cells=len(record), header=layout.width))
            continue
        hidden = [unread[(line, i)] for i in read_at if (line, i) in unread]
        for problem in hidden:  # a merged range is reported once, at its first cell
            problems.add(problem.location, problem.message)
        if hidden:
            continue
        number_in_file = len(rows) + 1

        def error(index: int, message: str, severity: str = "error", line: int = line, n: int = number_in_file) -> None:
            problems.add(Location(file, line, index + 1), _("row {row}: {message}").format(row=n, message=message), severity)

        row_id = str(number_in_file) if layout.id_index is None else record[layout.id_index].strip()
        if not ID.fullmatch(row_id):
            error(layout.id_index, column_message(id_name, _("expected a row id (letters, digits, - or _), got {text!r}").format(text=row_id)))
        elif row_id in seen:
            error(layout.id_index, column_message(id_name, _("duplicate id '{id}' (first in row {row})").format(id=row_id, row=seen[row_id])))
        seen[row_id] = number_in_file
        values = {}
        for col in spec.leaves:
            at = layout.indexes[col.key]
            texts = [record[i].strip() for i in at]
            values[col.key] = read_cell(col, texts, spec.unit, lambda k, m, severity="error", at=at, col=col: error(at[k], column_message(col.file_headers()[k], m), severity))
            for k, text in enumerate(texts if col.type == "text" else []):
                if formula_like(text):
                    error(at[k], column_message(col.file_headers()[k], _("starts with {mark!r}, which a spreadsheet runs as a formula: write the text without it").format(mark=text[0])))
                if problem := paragraph_too_long(text):
                    error(at[k], column_message(col.file_headers()[k], problem))
            if col.type == "text" and texts[0]:
                en = texts[1] if len(at) > 1 else english.get(att.id, col.key, texts[0])
                place = CellPlace(file, line, col.file_headers()[1], at[1], spec.encoding) if len(at) > 1 else StorePlace(english.file, att.id, col.key, texts[0])
                cells.append(TextCell(row_id, col.key, texts[0], en, Location(file, line, at[0] + 1), "", place))
                values[col.key] = Text.model_construct(zh=texts[0], en=en or texts[0])  # untranslated: the Chinese stands in (a draft)
        rows.append(Row(row_id, values))
    names = row_names(spec, rows)
    cells = tuple(TextCell(c.row, c.key, c.zh, c.en, c.location, names.get(c.row, ""), c.place) for c in cells)
    if not rows and not problems.items:
        problems.add(Location(file, records[layout.header_at][0]), _("the table has no rows under its header"))
    if any(p.severity == "error" for p in problems.items):
        return TableReading(replace(empty, rows=tuple(rows)), cells, tuple(problems.items))
    totals = column_totals(tuple(spec.leaves), tuple(rows))
    for line, record in file_totals:
        for col in spec.leaves:
            written = record[layout.indexes[col.key][0]].strip()
            if col.total and written:
                if parse_amount(half_width(written), spec.unit, col.decimals)[0] != totals[col.key]:
                    problems.add(Location(file, line, layout.indexes[col.key][0] + 1), _(
                        "the file's own total for '{name}' is {written}, but its rows add up to {sum}: correct the total (or remove the row; the table's total is computed)"
                    ).format(name=col.file_headers()[0], written=written, sum=totals[col.key]))
    table = Table(att.id, number, att.title, spec.unit, tuple(spec.leaves), header_rows(spec), orientation(spec, rows), tuple(rows), spec.total_label, totals)
    return TableReading(table, cells, tuple(problems.items))


def first_text(record: list[str]) -> str:
    """A row's first non-empty cell, as headers are compared (a total row starts with 合计)."""
    return next((normal(c) for c in record if c.strip()), "")


FORMULA_MARKS = "=+@\t\r"  # a cell starting with one of these is a formula to Excel (CSV injection)


def formula_like(text: str, marks: str = FORMULA_MARKS) -> bool:
    return text[:1] in tuple(marks)


def column_message(name: str, message: str) -> str:
    """A cell's problem, after its column's name."""
    return _("column '{name}': {message}").format(name=name, message=message)


def orientation(spec: TableSpec, rows: list[Row]) -> str:
    """The declared orientation; "auto": landscape when the Chinese table is too wide for a portrait
    page (writers/columns.py), so that both languages are laid out alike."""
    if spec.orientation != "auto":
        return spec.orientation
    from .render import cell  # each cell's Chinese as the table prints it

    columns = [(c.label.zh, [cell(r.cells[c.key], c, "zh") for r in rows if r.cells.get(c.key) is not None], c.type != "text") for c in spec.leaves]
    return "landscape" if too_wide_for_portrait(columns) else "portrait"


def row_names(spec: TableSpec, rows: list[Row]) -> dict[str, str]:
    """Each row's name for translators: its text in the text column that tells rows apart best (most
    distinct values, then the longest texts), e.g. the project's name rather than its city."""
    def texts(key: str) -> list[str]:
        return [row.cells[key].zh for row in rows if isinstance(row.cells.get(key), Text)]

    keys = [c.key for c in spec.leaves if c.type == "text"]
    if not keys:
        return {}
    best = max(keys, key=lambda k: (len(set(texts(k))), sum(map(len, texts(k)))))
    return {row.id: row.cells[best].zh for row in rows if isinstance(row.cells.get(best), Text)}


def read_cell(col: Column, texts: list[str], unit: str | None, report) -> Any:
    """A cell's value by its column's type; `report(k, message, severity="error")` names the k-th file
    column read."""
    if any(not t for t in texts[:1 if col.type == "text" else None]):
        report(texts.index(""), _("is empty"))
        return None
    if col.type == "text":
        return None  # the Text is made by the caller, with its English
    if col.type == "period":
        if len(texts) == 1:
            period, problem = parse_period(texts[0])
            if problem:
                report(0, problem)
            return period
        points = [parse_date(t) for t in texts]
        for k, (t, p) in enumerate(zip(texts, points)):
            if p is None or p.day is not None:
                report(k, _("expected a year (2019) or a month (2019.8, 2019年8月), got {text!r}").format(text=t) + odd_characters(t))
        if None in points or any(p.day for p in points):
            return None
        return checked_period(points[0], points[1], lambda m: report(1, m))
    if col.type == "date":
        date = parse_date(texts[0])
        if date is None:
            report(0, _("expected a date such as 2021.3, 2021年3月, 2021-03-15 or 2021年3月15日, got {text!r}").format(text=texts[0]) + odd_characters(texts[0]))
        return date
    parse = parse_whole if col.type == "number" else lambda t: parse_amount(t, unit, col.decimals)
    return read_figure(texts[0], parse, lambda m, severity="error": report(0, m, severity))


def read_figure(text: str, parse, report) -> Any:
    """A whole number or an amount, as `parse` reads it from ASCII text: (value, problem). Full-width
    digits (１２３．５, as Chinese input methods type them) are read with a warning; a figure that does
    not read is told why it may look right (a date, digits of another script, an invisible character)."""
    read = half_width(text) if FULL_WIDTH.search(text) else text
    value, problem = parse(read)
    if problem:
        report(problem + (date_instead(read) or odd_characters(read)))
    elif read != text:
        report(_("{text!r} is typed with full-width characters; read as {read}").format(text=text, read=read), "warning")
    return value


def date_instead(text: str) -> str:
    """The clause for a date where a figure was expected ("" when it is none): a spreadsheet makes a
    date of 3.15 or 1-2 typed into a cell of the General format."""
    if re.fullmatch(r"[0-9.]+", text) or parse_date(text) is None:
        return ""
    return _(": a date where a number was expected (a spreadsheet makes a date of 3.15 or 1-2 typed into a cell): format the cell as a number "
             "or as text, and type the value again")


def parse_whole(text: str) -> tuple[int | None, str | None]:
    """A whole number in the digits 0-9, or the message saying why not."""
    if not re.fullmatch(r"[0-9]+", text):
        return None, _("expected a whole number, got {text!r}").format(text=text)
    return int(text), None


AMOUNT = re.compile(r"-?[0-9]{1,15}(?:\.[0-9]{1,6})?")  # 15 digits and 6 decimals: any budget in any unit, and exact sums


def parse_amount(text: str, unit: str | None, decimals: int | None = None) -> tuple[Decimal | None, str | None]:
    """An amount written as digits with an optional decimal point (at most `decimals` of them,
    when declared), or the message saying why not (separators, exponents, NaN and infinity are
    not amounts)."""
    if not AMOUNT.fullmatch(text):
        return None, _("expected an amount in {unit} such as 1234.5 (digits, at most 15 before and 6 after the point), got {text!r}").format(unit=unit, text=text)
    value = Decimal(text)
    if value < 0:
        return None, _("expected a non-negative amount in {unit}, got {text!r}").format(unit=unit, text=text)
    if decimals is not None and -value.as_tuple().exponent > decimals:
        return None, _("{text} has more decimals than the column's {decimals} (decimals: {decimals}): round it in the file").format(text=text, decimals=decimals)
    if decimals is not None:
        value = value.quantize(Decimal(1).scaleb(-decimals))
    return abs(value), None  # -0 is 0


# ---- periods and dates ---------------------------------------------------------------------

_POINT = r"(\d{4})\s*(?:年\s*(?:(\d{1,2})\s*月)?|[./-](\d{1,2})(?!\d))?"
_SEPARATOR = r"\s*(?:—{1,2}|–|-|~|至|到)\s*"
PERIOD = re.compile(rf"^{_POINT}(?:{_SEPARATOR}{_POINT})?$", re.ASCII)  # \d: 0-9 only (after half_width)
DATE = re.compile(r"^(\d{4})\s*(?:年\s*(?:(\d{1,2})\s*月\s*(?:(\d{1,2})\s*日)?)?|[./-](\d{1,2})(?:[./-](\d{1,2}))?)?$", re.ASCII)


def parse_period(text: str) -> tuple[Period | None, str | None]:
    """A period in a form offices write: 2018-2023, 2019.8-2022.8, 2019.06-2020.02,
    2021年3月-2022年12月, with - – — ～ 至 or 到 between; a single year or month is a period of
    its own. Else None and why not."""
    m = PERIOD.match(half_width(text.strip()))
    start = m and point(m.group(1), m.group(2) or m.group(3))
    end = m and (point(m.group(4), m.group(5) or m.group(6)) if m.group(4) else start)
    if not start or not end:
        return None, _("expected a period such as 2018-2023, 2019.8-2022.8 or 2021年3月至2022年12月, got {text!r}").format(text=text) + odd_characters(text)
    problem = []
    return checked_period(start, end, problem.append), (problem or [None])[0]


def checked_period(start: Date, end: Date, error) -> Period | None:
    if (end.year, end.month or 12) < (start.year, start.month or 1):
        shown = lambda d: f"{d.year}.{d.month}" if d.month else str(d.year)  # noqa: E731
        error(_("the period ends before it starts ({start} to {end})").format(start=shown(start), end=shown(end)))
        return None
    return Period(start.year, start.month, end.year, end.month)


def parse_date(text: str) -> Date | None:
    """A year, month or day in a form offices write: 2021, 2021.3, 2021年3月, 2021-03-15,
    2021年3月15日, 2021/3/15. None when it is none of these or does not exist."""
    m = DATE.match(half_width(text.strip()))
    if not m:
        return None
    year, month, day = m.group(1), m.group(2) or m.group(4), m.group(3) or m.group(5)
    date = point(year, month)
    if date is None or day is None:
        return date
    try:
        datetime.date(date.year, date.month, int(day))
    except ValueError:
        return None
    return Date(date.year, date.month, int(day))


def point(year: str, month: str | None) -> Date | None:
    if not 1900 <= int(year) <= 2200 or month is not None and not 1 <= int(month) <= 12:
        return None
    return Date(int(year), int(month) if month else None)
