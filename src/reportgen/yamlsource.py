"""YAML loading that remembers where every value came from."""
from __future__ import annotations

import datetime
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.parser import RoundTripParser
from ruamel.yaml.resolver import VersionedResolver

from pydantic import BaseModel, ValidationError

from .errors import ContentError, Location, Problem, Problems, TemplateError
from .inputs import FULL_WIDTH, direction_controls, half_width, odd_characters, read_text, stamp
from .messages import _

LANGS = ("zh", "en")
MAX_YAML_NODES = 100_000  # values in a file once its aliases are expanded ("billion laughs" guard)
MAX_YAML_DEPTH = 50  # maps and lists within each other: content nests about ten; ruamel and our readers recurse per level
TIMESTAMP = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt]|[ \t]+)(\d{1,2}):(\d{2}):(\d{2}))?")
UNION_TAGS = ("column", "group")  # model.TableSpec.columns: a column or a group of columns
MAX_DIGITS = 100  # of a plain integer (Python refuses to convert beyond 4,300)
TYPED = {f"tag:yaml.org,2002:{t}": {f"tag:yaml.org,2002:{k}" for k in kinds}  # an explicit tag → what its value must read as
         for t, kinds in (("int", ("int",)), ("float", ("float", "int")), ("bool", ("bool",)))}
RESOLVER = VersionedResolver()
PLAIN_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")}


_PARSED: dict[tuple, Any] = {}  # the last files parsed, while unchanged: the content is read once per run


def read_yaml(path: Path, root: Path) -> Any:
    """Parse a YAML file under `root` into ruamel's position-aware maps and lists (never to be
    changed: a file is parsed once while it is unchanged, and every reader shares the result);
    syntax errors, explicit tags, nesting beyond MAX_YAML_DEPTH and aliases expanding beyond
    MAX_YAML_NODES values are located errors."""
    at = stamp(path)  # None: read_text says what is wrong
    key = None if at is None else (str(Path(path).resolve()), str(Path(root).resolve()), at)
    if key in _PARSED:
        return _PARSED[key]
    value = parse_yaml(path, root)
    if key is not None:
        if len(_PARSED) >= 256:
            _PARSED.clear()
        _PARSED[key] = value
    return value


def parse_yaml(path: Path, root: Path) -> Any:
    data = read_text(path, root)
    if controls := direction_controls(path, data):  # anywhere: a comment or a key may hide the text's order from a reviewer too
        raise ContentError(controls)
    yaml = YAML(typ="rt", pure=True)
    yaml.allow_duplicate_keys = False
    yaml.Parser = CheckedParser
    yaml.parser.check = EventCheck(path)
    try:
        return yaml.load(data)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise ContentError([Problem(where, _("invalid YAML: {reason}").format(reason=what).strip())]) from None
    except ReaderError as exc:  # a character YAML does not allow; it knows the offset only
        line = data.count("\n", 0, exc.position) + 1
        column = exc.position - (data.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        raise ContentError([Problem(Location(path, line, column), _("invalid YAML: the control character U+{code:04X} is not allowed").format(code=code))]) from None
    except YAMLError as exc:
        raise ContentError([Problem(Location(path), _("invalid YAML: {reason}").format(reason=str(exc).splitlines()[0]))]) from None


def read_template_yaml(path: Path, templates_dir: Path) -> Any:
    """A YAML file of the templates folder (strings, fonts, Word styles) as plain data; its problems
    are template errors."""
    try:
        return read_yaml(path, templates_dir)
    except ContentError as exc:
        raise TemplateError(exc.problems) from None


def check_plain_scalar(text: str, fail) -> None:
    """A plain scalar that YAML reads as a date, time or integer must be one that Python can hold
    (ruamel would fail without a position)."""
    m = TIMESTAMP.match(text)
    if m:
        try:
            datetime.datetime(*(int(part or 0) for part in m.groups()))
        except ValueError as exc:
            fail(_("{text!r} is not a valid date or time ({reason}); dates are written 2020-05-31").format(text=text, reason=exc))
    elif len(text) > MAX_DIGITS and text.lstrip("+-").replace("_", "").isdigit():
        fail(_("a number of {digits} digits; numbers have at most {limit}").format(digits=len(text), limit=MAX_DIGITS))


class EventCheck:
    """Refuse tags other than the plain ones (no objects are ever constructed from YAML), aliases to
    a node that contains them, more than MAX_YAML_NODES values once aliases are expanded, and maps
    and lists nested more than MAX_YAML_DEPTH deep, as the parser reaches them (before the composer,
    which recurses per level, takes the event; the file is composed before anything is constructed)."""

    def __init__(self, path: Path):
        self.path = path
        self.sizes: dict[str, int] = {}  # anchor → values in its node
        self.open_nodes: list[list] = []  # [anchor, values so far] of each collection being read
        self.total = 0

    def fail(self, event, message: str) -> None:
        mark = event.start_mark
        raise ContentError([Problem(Location(self.path, mark.line + 1, mark.column + 1), message)])

    def count(self, n: int) -> None:
        self.total += n
        for node in self.open_nodes:
            node[1] += n

    def __call__(self, event) -> None:
        tag = getattr(event, "tag", None)
        if tag is not None and str(tag) not in PLAIN_TAGS and isinstance(event, (ScalarEvent, CollectionStartEvent)):
            self.fail(event, _("YAML tag {tag} is not allowed: content holds plain values only").format(tag=tag))
        if isinstance(event, AliasEvent):
            if event.anchor not in self.sizes:
                self.fail(event, _("alias *{anchor} names no earlier anchor (or the node that contains it)").format(anchor=event.anchor))
            self.count(self.sizes[event.anchor])
        elif isinstance(event, ScalarEvent):
            self.count(1)
            if event.style is None and not event.tag:
                check_plain_scalar(event.value, lambda message: self.fail(event, message))
            elif event.tag and str(event.tag) in TYPED:  # !!int 1.5: ruamel would fail without a position
                kind = str(RESOLVER.resolve(ScalarNode, event.value, (True, False)))
                if kind not in TYPED[str(event.tag)]:
                    self.fail(event, _("{text!r} is not a valid {tag}").format(text=event.value, tag="!!" + str(event.tag).rsplit(":", 1)[1]))
                check_plain_scalar(event.value, lambda message: self.fail(event, message))
            if event.anchor:
                self.sizes[event.anchor] = 1
        elif isinstance(event, CollectionStartEvent):
            self.count(1)
            self.open_nodes.append([event.anchor, 0])
            if len(self.open_nodes) > MAX_YAML_DEPTH:
                self.fail(event, _("maps and lists nested more than {limit} deep: content nests far fewer").format(limit=MAX_YAML_DEPTH))
        elif isinstance(event, CollectionEndEvent):
            anchor, values = self.open_nodes.pop()
            if anchor:
                self.sizes[anchor] = values + 1
        if self.total > MAX_YAML_NODES:
            self.fail(event, _("more than {limit} values once aliases are expanded (an alias bomb?)").format(limit=MAX_YAML_NODES))


class CheckedParser(RoundTripParser):
    """ruamel's round-trip parser, each event checked (`check`, an EventCheck) as the composer takes
    it: the file is parsed once."""

    check: EventCheck

    def get_event(self):
        event = super().get_event()
        if event is not None:
            self.check(event)
        return event


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


def bilingual(node: Any, keys: tuple = ()) -> list[tuple]:
    """The keys of every {zh, en} map under `node` (reached by `keys`), through maps and lists."""
    if isinstance(node, dict) and "zh" in node:
        return [keys]
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    return [found for key, child in children for found in bilingual(child, (*keys, key))]


def dotted(keys: tuple) -> str:
    """('sections', 1, 'title', 'en') → 'sections[1].title.en'."""
    out = ""
    for key in keys:
        out += f"[{key}]" if isinstance(key, int) else (f".{key}" if out else str(key))
    return out or _("(document)")


def validate(schema: type[BaseModel], path: Path, raw: Any, problems: Problems) -> Any:
    """The parsed YAML as `schema`, or None after adding every located problem. A value typed with
    full-width digits (２０２０, as a Chinese input method types them) that the schema refuses is read
    half-width, with a warning."""
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
    value = raw
    for err in errors:
        typed = err.get("input")
        if isinstance(typed, str) and FULL_WIDTH.search(typed) and err["type"] != "extra_forbidden":
            keys = untagged(raw, err["loc"])
            read = half_width(typed)
            value = replaced(value, keys, read)
            problems.add(locate(path, raw, keys), f"{dotted(keys)}: " + _("{text!r} is typed with full-width characters; read as {read}").format(text=typed, read=read), "warning")
    if value is not raw:
        try:
            return schema.model_validate(value)
        except ValidationError as exc:
            errors = exc.errors()
    for err in errors:
        err["loc"] = untagged(raw, err["loc"])
        problems.add(locate(path, raw, err["loc"]), describe(err))
    return None


def replaced(node: Any, keys: tuple, value: Any) -> Any:
    """`node` with the value at `keys` replaced, in copies of the maps and lists on the way (the parsed
    YAML is shared, never changed)."""
    if not keys:
        return value
    copy = dict(node) if isinstance(node, dict) else list(node)
    copy[keys[0]] = replaced(node[keys[0]], keys[1:], value)
    return copy


def untagged(raw: Any, loc: tuple) -> tuple:
    """An error's path without the tags of discriminated unions (columns[2].column.total →
    columns[2].total): a key that names a union's member, not a key of the YAML."""
    out, node = [], raw
    for key in loc:
        if isinstance(node, dict) and isinstance(key, str) and key not in node and key in UNION_TAGS:
            continue
        out.append(key)
        node = node.get(key) if isinstance(node, dict) else node[key] if isinstance(node, list) and isinstance(key, int) and key < len(node) else None
    return tuple(out)


def expected(kind: str, ctx: dict) -> str | None:
    """What a value of the common kinds of pydantic error should have been, in the user's language."""
    if kind.startswith(("date_", "datetime_")):
        return _("expected a date written as YYYY-MM-DD, such as 2021-03-15")
    if kind == "literal_error":
        return _("expected one of: {values}").format(values=" | ".join(re.findall(r"'([^']*)'", ctx.get("expected", ""))))
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("expected a whole number in digits, such as 12")
    if kind in ("float_parsing", "float_type", "decimal_parsing", "decimal_type"):
        return _("expected a number written in digits, such as 12.5 (no unit or % sign)")
    if kind in ("bool_parsing", "bool_type"):
        return _("expected true or false")
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = {"greater_than_equal": ("≥", "ge"), "greater_than": (">", "gt"), "less_than_equal": ("≤", "le"), "less_than": ("<", "lt")}[kind]
        return _("expected a number {relation} {bound}").format(relation=bound[0], bound=ctx.get(bound[1], ""))
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("expected a mapping (key: value)")
    if kind == "list_type":
        return _("expected a list")
    if kind == "string_type":
        return _("expected a text")
    return None


def describe(err: dict) -> str:
    """A pydantic error as one readable sentence naming the field."""
    loc = err["loc"]
    where = dotted(loc)
    kind = err["type"]
    if kind == "missing":
        return _("{field} is required").format(field=where)
    if kind == "extra_forbidden":
        return _("unknown field '{name}' in {field}").format(name=loc[-1], field=dotted(loc[:-1]))
    if kind == "string_too_short" and loc and loc[-1] in LANGS:
        return _("{field} is empty").format(field=where)
    if kind == "value_error":  # our own validators' messages are complete sentences
        return f"{where}: {err['ctx']['error']}"
    got = err.get("input")
    message = expected(kind, err.get("ctx") or {}) or err["msg"].lower()  # else pydantic's own words: English
    if isinstance(got, (str, int, float)):
        return _("{field}: {message}, got {got!r}").format(field=where, message=message, got=got) + (odd_characters(got) if isinstance(got, str) else "")
    return f"{where}: {message}"
