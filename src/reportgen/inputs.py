"""Reading content files safely: only inside the content folder, within size limits, decoded
with an error that names the row and byte (docs/content-format.md, "Files and encodings")."""
from __future__ import annotations

import codecs
import io
import os
import stat
import zipfile
from pathlib import Path

from .errors import ContentError, Location, Problem, display_path
from .messages import _

MAX_INPUT_BYTES = 5 * 1024 * 1024  # any content file
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # the parts of an XLSX, unpacked
MAX_FOLDER_ENTRIES = 20_000  # files, folders and links below a content folder (an output folder inside it not counted)


def plausible_chinese(text: str) -> bool:
    """Whether text decoded as GB18030 looks meant that way: every character is one that GBK (the
    two-byte core, which is what Chinese Windows writes) has, and none is private-use. Random bytes
    and other encodings that happen to decode need GB18030's four-byte forms or the private areas."""
    try:
        text.encode("gbk")
    except UnicodeEncodeError:
        return False
    return not any("\ue000" <= ch <= "\uf8ff" for ch in text)


def confined(path: Path, root: Path, where: Location | None = None, folder: str = _("the content folder")) -> Path:
    """`path` with its symlinks resolved, refused unless it lies under `root` (`folder`: the content
    folder, or a templates folder); the error is reported at `where` (the field naming the file) or
    at the file."""
    resolved = Path(path).resolve()
    if not resolved.is_relative_to(Path(root).resolve()):
        raise ContentError([Problem(where or Location(path), _("refused to read {path}: it is outside {folder} (resolves to {resolved})").format(
            path=display_path(path), folder=folder, resolved=resolved))])
    return resolved


def entries(folder: Path, skip: Path | None = None) -> list[Path]:
    """Every file, folder and link below `folder` (none below `skip`), sorted; links are not
    followed into folders. Refused beyond MAX_FOLDER_ENTRIES, before any is read: a content folder
    given by mistake (a home folder, /) is named at once instead of being read whole."""
    skipped = Path(skip).resolve() if skip is not None else None
    found: list[Path] = []
    for here, folders, files in os.walk(folder):
        if skipped is not None:
            folders[:] = [name for name in folders if (Path(here) / name).resolve() != skipped]
        found += [Path(here) / name for name in folders + files]
        if len(found) > MAX_FOLDER_ENTRIES:
            raise ContentError([Problem(Location(folder), _(
                "more than {limit} files and folders below this folder: is it the content folder? A content folder holds the documents, "
                "their tables, fonts and templates").format(limit=MAX_FOLDER_ENTRIES))])
    return sorted(found)


def outside_links(folder: Path, skip: Path | None = None) -> list[Problem]:
    """Every symbolic link below `folder` (none below `skip`) that resolves outside it: a content
    folder may link only within itself, whether or not a document reads the link (a fingerprint
    reads every file). Links are not followed into folders."""
    root = Path(folder).resolve()
    return [
        Problem(Location(path), _("a symbolic link out of the content folder (to {target}): content may link only within its folder; "
                                  "copy the file in instead").format(target=os.readlink(path)))
        for path in entries(folder, skip)
        if path.is_symlink() and not path.resolve().is_relative_to(root)
    ]


def read_bytes(path: Path, root: Path) -> bytes:
    """The bytes of a content file under `root`, refusing missing, outside and oversized files, and
    anything but a regular file (a FIFO or a device would block or never end): the file is opened
    without waiting, checked by its descriptor, and never read beyond the limit."""
    resolved = confined(path, root)
    try:
        with open(os.open(resolved, os.O_RDONLY | os.O_NONBLOCK), "rb") as file:
            info = os.fstat(file.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise ContentError([Problem(Location(path), _("not a regular file (a folder, FIFO or device): content files are plain files"))])
            data = file.read(MAX_INPUT_BYTES + 1) if info.st_size <= MAX_INPUT_BYTES else None  # bounded: it may grow meanwhile
    except OSError as exc:
        raise ContentError([Problem(Location(path), _("cannot read file: {reason}").format(reason=exc.strerror))]) from None
    if data is None or len(data) > MAX_INPUT_BYTES:
        raise ContentError([Problem(Location(path), _("file is larger than the limit of {limit} bytes").format(limit=MAX_INPUT_BYTES))])
    return data


def read_text(path: Path, root: Path) -> str:
    """A UTF-8 text file (a BOM is allowed), undecodable bytes located."""
    return decode(read_bytes(path, root), path, "utf-8")


def read_table_text(path: Path, root: Path, encoding: str | None = None) -> str:
    """A CSV table's text, decoded as `table_encoding` says."""
    raw = read_bytes(path, root)
    return raw.decode(table_encoding(raw, path, encoding))


def table_encoding(raw: bytes, path: Path, declared: str | None = None) -> str:
    """The codec that reads a CSV table: the declared encoding, else UTF-8 (utf-8-sig: with or
    without BOM), else GB18030 (which includes GBK, as Excel saves "CSV" on Chinese Windows) when
    what it decodes to is plausible Chinese text. Anything else is refused, naming the row and byte."""
    utf8 = "utf-8-sig" if raw.startswith(codecs.BOM_UTF8) else "utf-8"  # written back as it was
    if declared:
        decode(raw, path, declared)
        return utf8 if codecs.lookup(declared).name == "utf-8" else declared
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ContentError([Problem(Location(path, 1), _("UTF-16 text (Excel's \"Unicode Text\"): save the table as \"CSV UTF-8\" or declare its encoding"))])
    if b"\x00" in raw:
        decode(raw, path, "utf-8")  # names the row and byte of the first NUL
    try:
        decode(raw, path, "utf-8")
        return utf8
    except ContentError as not_utf8:
        utf8_row = first_utf8_row(raw)
        if utf8_row is not None:  # GB18030 would read the UTF-8 rows as other Chinese characters (mojibake)
            (problem,) = not_utf8.problems
            raise ContentError([Problem(problem.location, _(
                "{problem}, but row {utf8} is UTF-8: the file mixes encodings (rows pasted from another file?); save it again as \"CSV UTF-8\""
            ).format(problem=problem.message, utf8=utf8_row))]) from None
        try:
            decode(raw, path, "gb18030")
        except ContentError as not_gb:
            # Name the position of the encoding that read further: the one the file is meant in.
            utf8_at, gb_at = (e.problems[0].location for e in (not_utf8, not_gb))
            (problem,) = (not_gb if (gb_at.line, gb_at.column) > (utf8_at.line, utf8_at.column) else not_utf8).problems
            raise ContentError([Problem(problem.location, _("{problem}; neither UTF-8 nor GB18030: declare the table's encoding").format(problem=problem.message))]) from None
        if not plausible_chinese(raw.decode("gb18030")):
            (problem,) = not_utf8.problems
            raise ContentError([Problem(problem.location, _("{problem}, and as GB18030 it is not Chinese text: declare the table's encoding").format(problem=problem.message))]) from None
        return "gb18030"


def first_utf8_row(raw: bytes) -> int | None:
    """The first row with non-ASCII text that is valid UTF-8 (in a file that as a whole is not)."""
    for row, line in enumerate(raw.removeprefix(codecs.BOM_UTF8).split(b"\n"), 1):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return row
    return None


def decode(raw: bytes, path: Path, encoding: str) -> str:
    """`raw` decoded (a UTF-8 BOM dropped), or an error naming the row, the byte within it and the
    byte's offset in the file."""
    codec = codecs.lookup(encoding).name
    if not codec.startswith(("utf-16", "utf-32")) and b"\x00" in raw:
        at = raw.index(b"\x00")
        raise ContentError([Problem(position(raw, path, at), _("binary file: it contains NUL bytes, which no text file has"))])
    try:
        return raw.decode("utf-8-sig" if codec == "utf-8" else codec)
    except UnicodeDecodeError as exc:
        where = position(raw, path, exc.start)
        raise ContentError([Problem(
            where,
            _("not {encoding} text: undecodable byte 0x{byte:02X} at byte {column} of row {row} (file offset {offset})").format(
                encoding=encoding.upper(), byte=raw[exc.start], column=where.column, row=where.line, offset=exc.start),
        )]) from None


def position(raw: bytes, path: Path, offset: int) -> Location:
    """The row (line) and the 1-based byte within it of a byte offset."""
    return Location(path, raw.count(b"\n", 0, offset) + 1, offset - (raw.rfind(b"\n", 0, offset) + 1) + 1)


def check_xlsx(path: Path, root: Path) -> bytes:
    """The bytes of an XLSX under `root` whose parts unpack to at most MAX_UNPACKED_BYTES and
    declare no DOCTYPE (so no entities): a zip or entity bomb is refused, naming the part, before
    openpyxl parses anything (which it does through defusedxml too)."""
    raw = read_bytes(path, root)  # confinement and the size limit of the file itself
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            parts = archive.infolist()
            unpacked = sum(info.file_size for info in parts)
            if unpacked > MAX_UNPACKED_BYTES:
                raise ContentError([Problem(Location(path), _("the workbook unpacks to {size} bytes, above the limit of {limit}").format(size=unpacked, limit=MAX_UNPACKED_BYTES))])
            for info in parts:
                with archive.open(info) as part:
                    head = part.read(4096)
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    raise ContentError([Problem(Location(path), _("refused: part {part} declares a DOCTYPE or entities, which a workbook never needs").format(part=info.filename))])
    except (zipfile.BadZipFile, OSError) as exc:
        raise ContentError([Problem(Location(path), _("not an XLSX workbook: {reason}").format(reason=exc))]) from None
    return raw
