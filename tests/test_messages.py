"""The messages office staff read follow the locale (src/reportgen/messages.py): Chinese under
zh_CN, else English. The catalogue is complete, compiled and current with the code."""
from __future__ import annotations

import os
import shutil
import string
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from conftest import ROOT
from reportgen.messages import _

OFFICE = ROOT / "tests" / "roots" / "office-plan"
CATALOGUE = ROOT / "src" / "reportgen" / "locale" / "zh_CN" / "LC_MESSAGES"


def run(*args: str, lang: str, cwd: Path) -> subprocess.CompletedProcess:
    """This checkout's reportgen in its own process, on a desktop whose LANG is `lang`."""
    env = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    return subprocess.run([sys.executable, "-m", "reportgen", *args], cwd=cwd, env={**env, "LANG": lang, "PYTHONPATH": str(ROOT / "src")},
                          capture_output=True, encoding="utf-8", timeout=600)


@pytest.fixture
def office(tmp_path) -> Path:
    folder = tmp_path / "office"
    shutil.copytree(OFFICE, folder)
    return folder


@pytest.mark.parametrize("lang, expected", [
    ("zh_CN.UTF-8", ["office/tables/重点工程项目表.xlsx:6:6: 错误: 第2行，“总投资”列：应为以亿元计的金额，例如1234.5（只写数字，小数点前最多15位、后最多6位），实际为'abc'",
                     "reportgen：共1个问题；未写入任何文件"]),
    ("C", ["office/tables/重点工程项目表.xlsx:6:6: error: row 2: column '总投资': expected an amount in 亿元 such as 1234.5 (digits, at most 15 before and 6 after the point), got 'abc'",
           "reportgen: 1 problem; nothing was written"]),
])
def test_check_speaks_the_language_of_the_locale(office, tmp_path, lang, expected):
    book = openpyxl.load_workbook(office / "tables" / "重点工程项目表.xlsx")
    book.active["F6"] = "abc"
    book.save(office / "tables" / "重点工程项目表.xlsx")
    result = run("check", "--content", str(office), lang=lang, cwd=tmp_path)
    assert result.returncode == 2 and result.stderr.splitlines() == expected, result.stderr


@pytest.mark.parametrize("old, new, expected", [
    ("date: 2021-03-10", "date: 2021年3月10日", "meta.date：应为“年-月-日”形式的日期，如 2021-03-15，实际为'2021年3月10日'"),
    ("unit: 亿元", "unit: 千元", "attachments[0].table.unit：应为以下之一：元 | 万元 | 亿元，实际为'千元'"),
])
def test_a_wrongly_typed_value_is_told_in_chinese(office, tmp_path, old, new, expected):
    """What pydantic says in English of the common mistakes (a date, a choice) is said in the user's language."""
    plan = office / "plan.yaml"
    assert old in plan.read_text(encoding="utf-8")
    plan.write_text(plan.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = run("check", "--content", str(office), lang="zh_CN.UTF-8", cwd=tmp_path)
    assert result.returncode == 2 and expected in result.stderr, result.stderr


def test_build_reports_in_chinese(office, tmp_path):
    args = ("build", "--content", str(office), "--out", str(tmp_path / "out"), "--lang", "zh", "--format", "docx")
    result = run(*args, lang="zh_CN.UTF-8", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "已写入 out/air-plan.zh.docx" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1].startswith("已生成3个文件，0个已是最新，用时"), result.stdout
    again = run(*args, lang="zh_CN.UTF-8", cwd=tmp_path)  # the fast path speaks Chinese too
    assert again.stdout.startswith("无需生成：out 中的3个文件均为最新（"), again.stdout


def test_the_suite_reads_english():
    """tests/conftest.py sets LANGUAGE: a developer's Chinese desktop does not change the messages."""
    assert _("error") == "error"


def catalogue():
    with (CATALOGUE / "reportgen.po").open("rb") as f:
        return read_po(f)


def fields(text: str) -> set[tuple]:
    return {(name, spec, conversion) for _text, name, spec, conversion in string.Formatter().parse(text) if name is not None}


def test_every_message_is_translated_with_its_fields():
    for message in catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        texts = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(texts) and not message.fuzzy, f"untranslated or fuzzy: {ids[0]!r}; translate it, then run scripts/messages.sh"
        for text in texts:
            assert fields(text) == fields(ids[-1]), f"{text!r} does not fill the fields of {ids[-1]!r}"


def test_the_compiled_catalogue_is_the_po():
    def messages(catalogue) -> dict:
        plain = lambda text: text if isinstance(text, str) else tuple(text)  # noqa: E731 (plural forms: a list or a tuple)
        return {plain(m.id): plain(m.string) for m in catalogue if m.id}

    with (CATALOGUE / "reportgen.mo").open("rb") as f:
        compiled = read_mo(f)
    po = catalogue()
    assert messages(compiled) == messages(po), "run scripts/messages.sh"
    assert compiled.plural_forms == po.plural_forms


def test_the_catalogue_holds_every_message_of_the_code():
    """Extraction is current: every _() and ngettext() string of the code is in the .po, and the
    .po holds no other (scripts/messages.sh extracts and updates)."""
    extracted = {message for _file, _line, message, _comments, _context in extract_from_dir(ROOT / "src" / "reportgen")}
    assert extracted == {m.id for m in catalogue() if m.id}, "run scripts/messages.sh"
