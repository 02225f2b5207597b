"""Reading content files safely: only inside the content folder, only regular files, within size
limits, decoded with an error that names the row and byte, and without characters that print
otherwise than they read (docs/content-format.md, "Files and encodings"). An import reads here the
files it is about to write (`pending`) to check them first."""
from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import os
import re
import stat
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path

from .errors import ContentError, Location, Problem, display_path
from .messages import _

MAX_INPUT_BYTES = 5 * 1024 * 1024  # any content file
MAX_UNPACKED_BYTES = 50 * 1024 * 1024  # the parts of an XLSX, unpacked
MAX_FOLDER_ENTRIES = 20_000  # files, folders and links below a content folder (an output folder inside it not counted)
_PENDING: dict[Path, bytes] = {}  # resolved path → the bytes an import is about to write there (pending)
DIRECTION_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")  # bidi marks, embeddings, overrides, isolates
FULL_WIDTH = re.compile("[\uff01-\uff5e]+")  # the full-width forms of ASCII (１２３．５), as Chinese input methods type them


def half_width(text: str) -> str:
    """Full-width forms as ASCII (１２３．５ → 123.5, （万元） → (万元)): NFKC, the one normalisation of
    table headers, periods, dates and figures."""
    return unicodedata.normalize("NFKC", text)


def direction_control(char: str) -> str:
    """Why content may not hold a bidirectional control character (refused, never removed: an official
    document prints what its source says, and the source reads as it prints)."""
    return _("the invisible direction control U+{code:04X} ({name}): it prints the characters around it in another order than they "
             "are written (2023年 can print as 年3202); remove it").format(code=ord(char), name=unicodedata.name(char))


def direction_controls(path: Path, text: str) -> list[Problem]:
    """Every direction control in a text file, at its line and column."""
    return [Problem(Location(path, text.count("\n", 0, m.start()) + 1, m.start() - text.rfind("\n", 0, m.start())), direction_control(m.group()))
            for m in DIRECTION_CONTROLS.finditer(text)]


def odd_characters(text: str) -> str:
    """Why a figure or date that does not read may look right: a digit of another script (٣, ३) or an
    invisible character (a zero-width space, a byte order mark), as a clause to add to the message; ""
    when there is none. Full-width digits are no other script: they read as 0-9."""
    text = half_width(text)
    digit = next((ch for ch in text if ch.isdecimal() and not ch.isascii()), None)
    if digit:
        return _("; {digit!r} is {name}, not one of the digits 0-9").format(digit=digit, name=unicodedata.name(digit, "?"))
    hidden = next((ch for ch in text if unicodedata.category(ch) == "Cf"), None)
    if hidden:
        return _("; it holds the invisible character U+{code:04X} ({name}): remove it").format(code=ord(hidden), name=unicodedata.name(hidden, "?"))
    return ""


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
    resolved = resolve(path)
    if resolved is None:
        raise ContentError([Problem(where or Location(path), link_loop())])
    if not resolved.is_relative_to(Path(root).resolve()):
        raise ContentError([Problem(where or Location(path), _("refused to read {path}: it is outside {folder} (resolves to {resolved})").format(
            path=display_path(path), folder=folder, resolved=resolved))])
    return resolved


def resolve(path: Path) -> Path | None:
    """`path` with its symbolic links resolved; None for a link that leads back to itself."""
    try:
        return Path(path).resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop, later ones OSError (ELOOP)
        return None


def link_loop() -> str:
    return _("a symbolic link that leads back to itself (a loop): remove it, or point it at a file")


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
    """Every symbolic link below `folder` (none below `skip`) that resolves outside it, or loops: a content
    folder may link only within itself, whether or not a document reads the link (a fingerprint
    reads every file). Links are not followed into folders."""
    root = Path(folder).resolve()
    problems = []
    for path in entries(folder, skip):
        if not path.is_symlink():
            continue
        target = resolve(path)
        if target is None:
            problems.append(Problem(Location(path), link_loop()))
        elif not target.is_relative_to(root):
            problems.append(Problem(Location(path), _("a symbolic link out of the content folder (to {target}): content may link only within its folder; "
                                                      "copy the file in instead").format(target=os.readlink(path))))
    return problems


def read_bytes(path: Path, root: Path) -> bytes:
    """The bytes of a content file under `root` (its pending bytes while an import checks them),
    refusing missing, outside, oversized and non-regular files (read_file)."""
    resolved = confined(path, root)
    data = _PENDING[resolved] if resolved in _PENDING else read_file(resolved, MAX_INPUT_BYTES, Location(path))
    if len(data) > MAX_INPUT_BYTES:
        raise ContentError([Problem(Location(path), _("file is larger than the limit of {limit} bytes").format(limit=MAX_INPUT_BYTES))])
    return data


def read_file(path: Path, limit: int, where: Location) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A FIFO, a device, a folder, and a file
    over the limit, are refused by stat before they are opened (opening a FIFO waits for a writer,
    /dev/zero never ends), and no more than limit + 1 bytes are read (a file growing meanwhile)."""
    data = b""
    try:
        info = os.stat(path)
        if stat.S_ISREG(info.st_mode) and info.st_size <= limit:  # else refused below, unopened
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)  # replaced by a FIFO since: no waiting
            with open(fd, "rb") as f:
                info = os.fstat(fd)
                data = f.read(limit + 1) if stat.S_ISREG(info.st_mode) else b""
    except OSError as exc:
        raise ContentError([Problem(where, _("cannot read file: {reason}").format(reason=exc.strerror))]) from None
    if not stat.S_ISREG(info.st_mode):
        raise ContentError([Problem(where, _("not a regular file (a folder, a FIFO or a device): only files are read"))])
    if max(info.st_size, len(data)) > limit:
        raise ContentError([Problem(where, _("file is larger than the limit of {limit} bytes").format(limit=limit))])
    return data


@contextlib.contextmanager
def pending(files: dict[Path, bytes]) -> Iterator[None]:
    """While the block runs, every reader of content files sees `files` (resolved path → bytes) in
    place of what is on disk: an import checks the files it is about to write, as `check` will read
    them, before it writes any."""
    _PENDING.update(files)
    try:
        yield
    finally:
        _PENDING.clear()


def stamp(path: Path) -> tuple | None:
    """What a cached reading of a file is keyed on: its pending bytes, else its time, size and inode
    (None when it cannot be read)."""
    resolved = resolve(path)
    if resolved is None:
        return None
    if resolved in _PENDING:
        return ("pending", hashlib.sha256(_PENDING[resolved]).hexdigest())
    try:
        info = resolved.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size, info.st_ino


def is_file(path: Path) -> bool:
    """Whether `path` is a file (or one that an import is about to write)."""
    return resolve(path) in _PENDING or Path(path).is_file()


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
