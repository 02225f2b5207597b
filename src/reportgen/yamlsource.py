"""YAML loading that remembers where every value came from."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from pydantic import BaseModel, ValidationError

from .errors import ContentError, Location, Problem, Problems

MAX_INPUT_BYTES = 5 * 1024 * 1024
LANGS = ("zh", "en")


def read_yaml(path: Path) -> Any:
    """Parse a YAML file into ruamel's position-aware maps and lists; syntax errors are located."""
    data = read_text(path)
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(data)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ContentError([Problem(where, f"invalid YAML: {what}".strip())]) from None
    except YAMLError as exc:
        raise ContentError([Problem(Location(path), f"invalid YAML: {exc}")]) from None


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, refusing missing, oversized and undecodable files with a location."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Problem(Location(path), f"cannot read file: {exc.strerror}")]) from None
    if len(raw) > MAX_INPUT_BYTES:
        raise ContentError([Problem(Location(path), f"file is larger than {MAX_INPUT_BYTES} bytes")])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ContentError(
            [Problem(Location(path, line), f"not UTF-8 text (undecodable byte at offset {exc.start})")]
        ) from None


def locate(path: Path, root: Any, keys: tuple) -> Location:
    """The position of the deepest value along `keys` that exists in the parsed YAML."""
    node, line, col = root, None, None
    if isinstance(root, (CommentedMap, CommentedSeq)):
        line, col = root.lc.line, root.lc.col
    for key in keys:
        if isinstance(node, CommentedMap) and key in node:
            line, col = node.lc.value(key)
            node = node[key]
        elif isinstance(node, CommentedSeq) and isinstance(key, int) and 0 <= key < len(node):
            line, col = node.lc.item(key)
            node = node[key]
        else:
            break
    if line is None:
        return Location(path)
    return Location(path, line + 1, col + 1)


def dotted(keys: tuple) -> str:
    """('sections', 1, 'title', 'en') → 'sections[1].title.en'."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or "(document)"


def validate(schema: type[BaseModel], path: Path, raw: Any, problems: Problems) -> Any:
    """The parsed YAML as `schema`, or None after adding every located problem."""
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            problems.add(locate(path, raw, err["loc"]), describe(err))
        return None


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
