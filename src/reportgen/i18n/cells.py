"""The English of table texts whose file has no English column, kept in the catalogue:
`content/i18n/cells.yaml`, by table id, column key and Chinese text, so that a text repeated in
many rows (a city, a department) is translated once and rows may move freely:

    key-projects:
      city:
        太原: Taiyuan

`reportgen i18n import` writes it; translators never edit it by hand (they may).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ContentError, Location, Problem
from ..inputs import is_file
from ..model import paragraph_too_long
from ..yamlsource import locate, read_yaml

CELLS_FILE = Path("i18n") / "cells.yaml"


@dataclass(frozen=True)
class CellEnglish:
    file: Path
    texts: dict[tuple[str, str, str], str] = field(default_factory=dict)  # (table, column, Chinese) → English

    def get(self, table: str, key: str, zh: str) -> str:
        return self.texts.get((table, key, zh), "")


def read_store(content_dir: Path) -> tuple[CellEnglish, list[Problem]]:
    """The catalogue's English of table texts (none when the file does not exist), and the problems
    of a malformed file."""
    path = Path(content_dir) / CELLS_FILE
    if not is_file(path):
        return CellEnglish(path), []
    try:
        raw = read_yaml(path, content_dir) or {}
    except ContentError as exc:
        return CellEnglish(path), exc.problems
    texts, problems = {}, []
    shape = "table id → column key → Chinese → English"
    if not isinstance(raw, dict):
        return CellEnglish(path), [Problem(Location(path, 1), f"expected a mapping {shape}")]
    for table, columns in raw.items():
        for key, pairs in (columns or {}).items() if isinstance(columns, dict) else [(None, None)]:
            if key is None or not isinstance(pairs, dict):
                problems.append(Problem(locate(path, raw, (table,) if key is None else (table, key)), f"expected a mapping {shape}"))
                continue
            for zh, en in pairs.items():
                if not isinstance(en, str):
                    problems.append(Problem(locate(path, raw, (table, key, zh)), f"{table}.{key}: the English of {zh!r} must be a text"))
                elif problem := paragraph_too_long(en):
                    problems.append(Problem(locate(path, raw, (table, key, zh)), f"{table}.{key}: {problem}"))
                elif en.strip():
                    texts[(str(table), str(key), str(zh))] = en.strip()
    return CellEnglish(path, texts), problems


def write_store(store: CellEnglish, changes: dict[tuple[str, str, str], str]) -> tuple[bytes, dict[tuple[str, str, str], int]]:
    """The file's new text with `changes` applied (sorted, each text quoted: JSON strings are YAML),
    and the line of each text in it."""
    texts = {**store.texts, **changes}
    lines = ["# English of table texts whose file has no English column: table id → column key → Chinese →",
             "# English. Written by `reportgen i18n import` (docs/translation-workflow.md)."]
    at, last = {}, ()
    for table, key, zh in sorted(texts):
        if last[:1] != (table,):
            lines.append(f"{json.dumps(table, ensure_ascii=False)}:")
        if last[:2] != (table, key):
            lines.append(f"  {json.dumps(key, ensure_ascii=False)}:")
        lines.append(f"    {json.dumps(zh, ensure_ascii=False)}: {json.dumps(texts[(table, key, zh)], ensure_ascii=False)}")
        at[table, key, zh] = len(lines)
        last = (table, key, zh)
    return ("\n".join(lines) + "\n").encode("utf-8"), at
