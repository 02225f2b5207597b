"""Bad input: located one-line messages, every problem in one run, non-zero exit, output/ untouched."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from reportgen.cli import main
from reportgen.errors import EXIT_CONTENT

LOCATED = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+)(?::(?P<col>\d+))?: error: (?P<msg>.+)$")


def run(content: Path, out: Path, capsys) -> tuple[int, list[str]]:
    out.mkdir(exist_ok=True)
    (out / "keep.txt").write_text("earlier build")
    code = main(["build", "--content", str(content), "--out", str(out)])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]  # nothing written, nothing removed
    return code, [line for line in err.splitlines() if ": error: " in line]


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first `old` by `new`; return the first line that changed."""
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    edited = text.replace(old, new, 1)
    path.write_text(edited, encoding="utf-8")
    return next(i for i, (a, b) in enumerate(zip(text.splitlines(), edited.splitlines()), 1) if a != b)


PLAN_CASES = {
    "yaml syntax": ("  - id: approach-and-goals", "  - id: [approach-and-goals", "invalid YAML"),
    "unknown field": ("kind: action-plan", "kind: action-plan\ncolour: red", "unknown field 'colour'"),
    "wrong type": ("id: action-plan", "id: [1, 2]", "id: expected a text"),
    "duplicate id": ("  - id: key-tasks", "  - id: approach-and-goals", "duplicate id 'approach-and-goals'"),
    "missing source": ("    title: {zh: 发展思路, en: Approach}", "    title: {en: Approach}", "title.zh is required"),
    "empty source": ("    title: {zh: 发展思路, en: Approach}", "    title: {zh: '', en: Approach}", "title.zh is empty"),
    "bad unit": ("unit: 万元", "unit: 千元", "unit: expected one of: 元 | 万元 | 亿元, got '千元'"),
    "unknown figure": ("{{ key-projects.count }}个", "{{ key-projects.cuont }}个", "unknown figure"),
}


@pytest.mark.parametrize("case", PLAN_CASES)
def test_plan_errors_are_located(case, content_copy, tmp_path, capsys):
    old, new, message = PLAN_CASES[case]
    plan = content_copy / "plan.yaml"
    changed = edit(plan, old, new)
    code, errors = run(content_copy, tmp_path / "out", capsys)
    assert code == EXIT_CONTENT
    assert errors, "no error reported"
    m = LOCATED.match(errors[0])
    assert m, errors[0]
    assert m["file"].endswith("plan.yaml")
    assert message in m["msg"]
    assert abs(int(m["line"]) - changed) <= 1


TABLE_CASES = {
    "bad period": ("2019-08,2022-08", "2019-13,2022-08", "period_start", "expected a year (2019) or a month (2019.8, 2019年8月)"),
    "period ends first": ("2019-06,2020-02", "2019-06,2018-02", "period_end", "ends before it starts"),
    "text amount": (",33151,", ",lots,", "total_investment", "expected an amount in 万元 such as 1234.5 (digits, at most 15 before and 6 after the point), got 'lots'"),
    "negative amount": (",44698,", ",-44698,", "total_investment", "non-negative"),
    "bad number": ("kp-03,3,", "kp-03,three,", "no", "expected a whole number"),
    "duplicate row id": ("kp-04,", "kp-03,", "id", "duplicate id 'kp-03'"),
}


@pytest.mark.parametrize("case", TABLE_CASES)
def test_table_errors_name_row_and_column(case, content_copy, tmp_path, capsys):
    old, new, column, message = TABLE_CASES[case]
    table = content_copy / "tables" / "key-projects.csv"
    changed = edit(table, old, new)
    code, errors = run(content_copy, tmp_path / "out", capsys)
    assert code == EXIT_CONTENT
    m = LOCATED.match(errors[0])
    assert m and m["file"].endswith("key-projects.csv"), errors
    assert int(m["line"]) == changed
    header = table.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert int(m["col"]) == header.index(column) + 1
    assert f"column '{column}'" in m["msg"] and message in m["msg"]


def test_missing_and_unknown_table_columns(content_copy, tmp_path, capsys):
    edit(content_copy / "tables" / "key-projects.csv", "planned_2020", "planned_2021")
    code, errors = run(content_copy, tmp_path / "out", capsys)
    assert code == EXIT_CONTENT
    assert any("no column headed 'planned_2020' (column 'planned_2020')" in e and ":1: " in e for e in errors), errors
    assert any("the column 'planned_2021' is not one of the table's columns" in e and ":1:12: " in e for e in errors), errors


def test_all_problems_reported_in_one_run(content_copy, tmp_path, capsys):
    edit(content_copy / "plan.yaml", "    title: {zh: 发展思路, en: Approach}", "    title: {en: Approach}")
    edit(content_copy / "plan.yaml", "kind: action-plan", "kind: action-plan\ncolour: red")
    edit(content_copy / "tables" / "key-projects.csv", ",33151,", ",lots,")
    code, errors = run(content_copy, tmp_path / "out", capsys)
    assert code == EXIT_CONTENT
    assert len(errors) == 2  # the YAML's two problems; tables are read once the YAML is valid
    edit(content_copy / "plan.yaml", "    title: {en: Approach}", "    title: {zh: 发展思路, en: Approach}")
    edit(content_copy / "plan.yaml", "kind: action-plan\ncolour: red", "kind: action-plan")
    edit(content_copy / "tables" / "key-projects.csv", ",44698,", ",-1,")
    code, errors = run(content_copy, tmp_path / "out", capsys)
    assert len(errors) == 2 and all("key-projects.csv" in e for e in errors)


def test_missing_table_file_and_empty_folder(content_copy, tmp_path, capsys):
    (content_copy / "tables" / "key-projects.csv").unlink()
    code, errors = run(content_copy, tmp_path / "out", capsys)
    assert code == EXIT_CONTENT and "table file not found" in errors[0] and "plan.yaml" in errors[0]
    code, errors = run(tmp_path / "nothing", tmp_path / "out", capsys)
    assert code == EXIT_CONTENT and "no content" in errors[0]


def test_undecodable_yaml(content_copy, tmp_path, capsys):
    plan = content_copy / "plan.yaml"
    plan.write_bytes(plan.read_text(encoding="utf-8").encode("gb18030"))
    code, errors = run(content_copy, tmp_path / "out", capsys)
    assert code == EXIT_CONTENT and "not UTF-8" in errors[0]


def test_xlsx_errors_name_the_sheet_row_and_column(tmp_path, capsys):
    import shutil

    from test_generality import BUDGET, ROOT

    content = tmp_path / "content"
    shutil.copytree(ROOT, content)
    bad = BUDGET.astype(object)
    bad.loc[1, "local"] = "n/a"
    bad.to_excel(content / "tables" / "budget.xlsx", index=False)
    code, errors = run(content, tmp_path / "out", capsys)
    assert code == EXIT_CONTENT
    m = LOCATED.match(errors[0])
    assert m["file"].endswith("budget.xlsx")
    assert (int(m["line"]), int(m["col"])) == (3, list(BUDGET.columns).index("local") + 1)  # sheet row 3 (header is row 1)
    assert "expected an amount in 万元 such as 1234.5" in m["msg"] and "got 'n/a'" in m["msg"]
