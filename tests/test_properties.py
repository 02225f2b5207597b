"""Property tests (hypothesis): mutated content fails with located problems, never a traceback;
heading markers and table totals hold for generated plans and tables.

Every example drives the real loader (`load_content`) on files written to a temporary folder.
Profiles: "ci" (default) is derandomized and quick; REPORTGEN_HYPOTHESIS=dev runs more examples
with fresh randomness and keeps failing examples in .hypothesis/ for the next run.
"""
from __future__ import annotations

import copy
import csv
import io
import os
import re
import shutil
from contextlib import contextmanager
from decimal import Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, note, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from conftest import CONTENT
from reportgen.content import load_content
from reportgen.errors import ContentError
from reportgen.model import column_totals, format_number
from reportgen.progress import PROGRESS_COLUMNS

FOUR_LEVELS = Path(__file__).parent / "roots" / "four-levels"

settings.register_profile(
    "ci", max_examples=60, deadline=None, derandomize=True, database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("dev", settings.get_profile("ci"), max_examples=500, derandomize=False, database=settings.default.database)
PROFILE = settings.get_profile(os.environ.get("REPORTGEN_HYPOTHESIS", "ci"))


# ---- the content copy and what a located failure is ----

TARGETS = sorted(
    str(p.relative_to(CONTENT))
    for p in [CONTENT / "plan.yaml", CONTENT / "bulletins.yaml", CONTENT / "tables" / "key-projects.csv",
              *(CONTENT / "progress").glob("*.csv"), *(CONTENT / "progress").glob("*.yaml")]
)
YAML_TARGETS = [t for t in TARGETS if t.endswith(".yaml")]
CSV_TARGETS = [t for t in TARGETS if t.endswith(".csv")]
LINE_ORIENTED = (".yaml", ".csv")


@pytest.fixture(scope="module")
def content(tmp_path_factory) -> Path:
    """One copy of the real content per module; each example edits one file and puts it back."""
    root = tmp_path_factory.mktemp("props") / "content"
    shutil.copytree(CONTENT, root)
    return root


@contextmanager
def replaced(file: Path, data: bytes):
    original = file.read_bytes()
    file.write_bytes(data)
    try:
        yield
    finally:
        file.write_bytes(original)


def line_count(data: bytes) -> int:
    """Lines a reader may count: LF, CR, CRLF and the Unicode line breaks YAML 1.1 knows; the
    position just after a final line break (end of stream) counts as a line too."""
    text = data.decode("utf-8", errors="replace")
    return len(re.findall(r"\r\n|[\n\r\x85\u2028\u2029]", text)) + 1


def assert_loads_or_located(root: Path, mutated: Path, data: bytes) -> None:
    """`load_content` returns, or raises ContentError whose every problem names a file of the copy
    (with a line within that file when it is a YAML or CSV file); nothing else escapes."""
    with replaced(mutated, data):
        try:
            load_content(root)
        except ContentError as exc:
            assert exc.problems, "ContentError without problems"
            for problem in exc.problems:
                where = problem.location
                file = Path(where.file).resolve()
                assert file.is_relative_to(root.resolve()), f"{problem}: not inside the content folder"
                assert file.is_file(), f"{problem}: names {file}, which is not a file"
                if file.suffix in LINE_ORIENTED:
                    assert where.line is not None, f"{problem}: no line number"
                    lines = line_count(file.read_bytes())
                    assert 1 <= where.line <= lines, f"{problem}: line {where.line} outside 1..{lines}"
                if where.column is not None:
                    assert where.column >= 1, f"{problem}: column {where.column}"


def test_the_unmutated_copy_loads(content):
    loaded = load_content(content)
    assert len(loaded.plans) == 1 and loaded.bulletins


# ---- byte and character mutations ----

NASTY = [b"'", b'"', b":", b": ", b"[", b"]", b"{", b"}", b"{{", b"}}", b"\t", b"\x00", b"\xff", b"\xc3", b"\xe4\xb8",
         b"\xef\xbb\xbf", b"\n", b"\r", b"\r\n", b"#", b"-", b"- ", b"&a ", b"*a", b"!", b"!!", b"|", b">", b"%", b"@",
         b"`", b",", b";", b"\\", b"  ", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe3\x80\x80"]
insertions = st.one_of(
    st.sampled_from(NASTY),
    st.binary(min_size=1, max_size=4),
    st.text(min_size=1, max_size=6).map(lambda s: s.encode("utf-8", "surrogatepass")),
)


@st.composite
def byte_edit(draw, data: bytes) -> bytes:
    op = draw(st.sampled_from(["delete", "duplicate", "insert", "replace", "truncate", "bom"]))
    at = draw(st.integers(0, len(data)))
    size = draw(st.integers(1, 40))
    if op == "delete":
        return data[:at] + data[at + size:]
    if op == "duplicate":
        return data[:at + size] + data[at:at + size] + data[at + size:]
    if op == "insert":
        return data[:at] + draw(insertions) + data[at:]
    if op == "replace":
        return data[:at] + draw(insertions) + data[at + size:]
    if op == "truncate":
        return data[:at]
    return b"\xef\xbb\xbf" + data


@st.composite
def byte_mutations(draw) -> tuple[str, bytes]:
    target = draw(st.sampled_from(TARGETS))
    data = (CONTENT / target).read_bytes()
    for _ in range(draw(st.integers(1, 3))):
        data = draw(byte_edit(data))
    return target, data


@PROFILE
@given(byte_mutations())
def test_byte_mutations_load_or_fail_located(content, mutation):
    target, data = mutation
    note(f"{target}: {data!r}"[:4000])
    assert_loads_or_located(content, content / target, data)


# ---- YAML structure mutations ----

def rt_yaml() -> YAML:
    yaml = YAML(typ="rt", pure=True)
    yaml.width = 4096
    return yaml


def node_paths(node, keys=()):
    """Every (keys) path to a value below the document root."""
    if isinstance(node, dict):
        items = list(node.items())
    elif isinstance(node, list):
        items = list(enumerate(node))
    else:
        return []
    out = []
    for key, value in items:
        out.append((*keys, key))
        out += node_paths(value, (*keys, key))
    return out


YAML_DOCS = {t: (CONTENT / t).read_text(encoding="utf-8") for t in YAML_TARGETS}
YAML_PATHS = {t: node_paths(rt_yaml().load(text)) for t, text in YAML_DOCS.items()}
MARKER = "reportgenpropertymarker"

# Raw YAML tokens written in place of a value (so that they reach the loader exactly as typed).
TOKENS = [
    "~", "null", "''", '""', "' '", "[]", "{}", "[1, 2]", "{a: 1}", "[[]]", "-1", "0", "-0", "1.5", "true", "no",
    ".inf", "-.inf", ".nan", ".NaN", "'.inf'", "'nan'", "1e309", "-1e309", "1e-400", "0x1F", "0o17", "1_000",
    "9" * 400, "1" + "0" * 5000, "-" + "9" * 5000,
    "2020-01-01", "2020-02-30", "2021-13-01", "2020-01-01T25:00:00", "1999-12-31 23:59:60",
    "!!binary AAAA", "!!float abc", "!!int 1.5", "!!timestamp x", "!!bool maybe", "!!str 1", "!!null ''",
    "!custom x", "!!python/object:os.system {}", "!!set {a, b}", "!!omap [a: 1]", "*undefined",
    "&anchor x", '"\\0"', '"\\ud800"', '"\\x85"', '"{{ key-projects.count }}"', '"{{ nope }}"', '"{{"',
    "'a: b'", "'- x'", "'#'", "中文", '"\\u3000"', "'\t'",
]


def yaml_value(draw):
    return draw(st.one_of(
        st.sampled_from(TOKENS).map(lambda t: ("raw", t)),
        st.text(max_size=20).map(lambda s: ("value", s)),
        st.integers(-(10**20), 10**20).map(lambda i: ("value", i)),
        st.floats().map(lambda f: ("value", f)),
        st.none().map(lambda n: ("value", n)),
        st.just(("value", CommentedSeq())),
        st.just(("value", CommentedMap())),
    ))


@st.composite
def yaml_mutations(draw) -> tuple[str, bytes]:
    target = draw(st.sampled_from(YAML_TARGETS))
    yaml = rt_yaml()
    data = yaml.load(YAML_DOCS[target])
    raws = []
    for _ in range(draw(st.integers(1, 3))):
        paths = node_paths(data)
        if not paths:
            break
        *parent_keys, key = draw(st.sampled_from(paths))
        parent = data
        for k in parent_keys:
            parent = parent[k]
        op = draw(st.sampled_from(["drop", "replace", "replace", "duplicate", "rename", "add"]))
        if op == "drop":
            del parent[key]
        elif op == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif op == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["id", "zh", "en", "type", "file", "total", "sections", "x", "Id", "zh ", "text"]))] = parent.pop(key)
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "id", "zh", "en", "kind", "sections"]))] = parent[key]
        else:
            kind, value = yaml_value(draw)
            if kind == "raw":
                raws.append(value)
                value = f"{MARKER}{len(raws) - 1}x"
            parent[key] = value
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    for i, raw in enumerate(raws):
        text = text.replace(f"{MARKER}{i}x", raw)
    return target, text.encode("utf-8", "surrogatepass")


@PROFILE
@given(yaml_mutations())
def test_yaml_mutations_load_or_fail_located(content, mutation):
    target, data = mutation
    note(f"{target}:\n{data.decode('utf-8', 'replace')}"[:6000])
    assert_loads_or_located(content, content / target, data)


# ---- CSV mutations ----

CELLS = ["", " ", "1e309", "-1e309", "1e999999", "1e-400", "nan", "NaN", "sNaN", "-nan", "inf", "-Infinity", "-0", "-0.0",
         "０", "１２", "１２.５", "٣", "²", "½", "0x10", "1_000", "1,000", " 12 ", "+5", "1E+2", "1e999999999", "9" * 400,
         "2019", "2019-1", "2019-13", "2019-00", "0000-01", "2019-08-01", "kp-01", "kp 01", "completed", "2020Q1",
         "2020Q5", '"', "'", "\t", "\x00", "=1+1", "中文", "\u3000"]


@st.composite
def csv_mutations(draw) -> tuple[str, bytes]:
    target = draw(st.sampled_from(CSV_TARGETS))
    rows = list(csv.reader(io.StringIO((CONTENT / target).read_text(encoding="utf-8"))))
    cell = st.one_of(st.sampled_from(CELLS), st.text(max_size=12))
    for _ in range(draw(st.integers(1, 3))):
        r = draw(st.integers(0, len(rows) - 1))
        width = len(rows[r])
        c = draw(st.integers(0, max(width - 1, 0)))
        op = draw(st.sampled_from(["drop", "add", "swap", "swap-data", "blank", "set", "set", "drop-row", "dup-row"]))
        if op == "drop" and rows[r]:
            del rows[r][c]
        elif op == "add":
            rows[r].insert(draw(st.integers(0, width)), draw(cell))
        elif op in ("swap", "swap-data"):
            d = draw(st.integers(0, max(width - 1, 0)))
            for row in rows[1 if op == "swap-data" else 0:]:
                if max(c, d) < len(row):
                    row[c], row[d] = row[d], row[c]
        elif op == "blank" and rows[r]:
            rows[r][c] = ""
        elif op == "set" and rows[r]:
            rows[r][c] = draw(cell)
        elif op == "drop-row" and len(rows) > 1:
            del rows[r]
        elif op == "dup-row":
            rows.insert(r, list(rows[r]))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return target, out.getvalue().encode("utf-8", "surrogatepass")


@PROFILE
@given(csv_mutations())
def test_csv_mutations_load_or_fail_located(content, mutation):
    target, data = mutation
    note(f"{target}:\n{data.decode('utf-8', 'replace')}")
    assert_loads_or_located(content, content / target, data)


# Minimal failing examples the properties found, pinned so that every run checks them.
PINNED = {
    "5000-digit integer": ("bulletins.yaml", "lagging_threshold: 10", "lagging_threshold: 1" + "0" * 5000),
    "impossible time of day": ("bulletins.yaml", "lagging_threshold: 10", "lagging_threshold: 2020-01-01T25:00:00"),
    "control character": ("bulletins.yaml", "lagging_threshold: 10", "lagging_threshold: a\x0bb"),
    "amount beyond Decimal's range": ("tables/key-projects.csv", ",33151,", ",1e999999999,"),
    "unclosed quote in a CSV": ("progress/2020-Q1.csv", None, ",".join(PROGRESS_COLUMNS) + '\n2020Q1,kp-01,"'),
    "empty quarter notes": ("progress/2020-Q1.yaml", None, ""),
    "empty table": ("tables/key-projects.csv", None, ""),
    "invalid date": ("bulletins.yaml", "lagging_threshold: 10", "lagging_threshold: 2021-13-01"),
}


@pytest.mark.parametrize("case", PINNED)
def test_pinned_mutations_load_or_fail_located(content, case):
    target, old, new = PINNED[case]
    text = (CONTENT / target).read_text(encoding="utf-8")
    assert old is None or old in text
    assert_loads_or_located(content, content / target, (new if old is None else text.replace(old, new, 1)).encode("utf-8"))


# ---- CSV errors name the line the row is on ----

@st.composite
def csv_layouts(draw) -> tuple[str, str, str, int, int]:
    """A table or quarter file with blank lines and multi-line quoted cells inserted, and one row's
    amount made invalid: (target, text, column, first and last line of the bad row)."""
    target, column = draw(st.sampled_from([("tables/key-projects.csv", "total_investment"), ("progress/2020-Q2.csv", "investment_ytd")]))
    header, *rows = list(csv.reader(io.StringIO((CONTENT / target).read_text(encoding="utf-8"))))
    bad = draw(st.integers(0, len(rows) - 1))
    rows[bad][header.index(column)] = "lots"
    for row in rows:  # some text cells span lines (a quoted cell may hold line breaks)
        for i, name in enumerate(header):
            if name.endswith("_zh") and row[i] and draw(st.booleans()):
                row[i] = row[i][:1] + "\n" + row[i][1:]
    blank_before = draw(st.lists(st.integers(0, len(rows) - 1), max_size=3))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    first = last = 0
    for index, row in enumerate(rows):
        out.write("\n" * blank_before.count(index))
        start = out.getvalue().count("\n") + 1
        writer.writerow(row)
        if index == bad:
            first, last = start, out.getvalue().count("\n")
    return target, out.getvalue(), column, first, last


@PROFILE
@given(csv_layouts())
@example(("tables/key-projects.csv", "id,no,city_zh,city_en,company_zh,company_en,project_zh,project_en,period_start,"
          "period_end,total_investment,planned_2020\n\nkp-01,1,太原,Taiyuan,甲,A,乙,B,2018,2023,lots,20000\n",
          "total_investment", 3, 3))
def test_csv_errors_name_the_rows_line(content, layout):
    """Blank lines (which the reader skips) and cells spanning lines must not shift the line named."""
    target, text, column, first, last = layout
    note(text)
    with replaced(content / target, text.encode("utf-8")):
        with pytest.raises(ContentError) as raised:
            load_content(content)
    lines = [p.location.line for p in raised.value.problems if f"column '{column}'" in p.message]
    assert lines and all(first <= line <= last for line in lines), (lines, first, last)


# ---- generated plans: heading markers ----

ZH_DIGIT = {c: i for i, c in enumerate("零一二三四五六七八九")}
ROMAN = re.compile(r"^(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$")  # canonical Roman numerals 1–99


def zh_value(text: str) -> int:
    """A Chinese numeral 1–99 in its canonical form (十一, 二十, 九十九; never 一十 or 零), read back."""
    m = re.fullmatch(r"(?:([二三四五六七八九])?(十))?([一二三四五六七八九])?", text)
    assert text and m, f"not a canonical Chinese numeral: {text!r}"
    tens = ZH_DIGIT[m[1]] if m[1] else (1 if m[2] else 0)
    return tens * 10 + (ZH_DIGIT[m[3]] if m[3] else 0)


def roman_value(text: str) -> int:
    assert text and ROMAN.match(text), f"not a canonical Roman numeral: {text!r}"
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
    total = 0
    for a, b in zip(text, text[1:] + " "):
        total += -values[a] if b != " " and values[b] > values[a] else values[a]
    return total


def read_marker(level: int, marker: dict[str, str]) -> tuple[int, int]:
    """The number a marker shows, read from its zh and en forms."""
    zh, en = marker["zh"], marker["en"]
    if level == 1:
        assert zh.endswith("、") and en.endswith(". "), marker
        return zh_value(zh[:-1]), roman_value(en[:-2])
    if level == 2:
        assert zh[0] == "（" and zh[-1] == "）" and en[0] == "(" and en.endswith(") "), marker
        return zh_value(zh[1:-1]), roman_value(en[1:-2])
    if level == 3:
        assert re.fullmatch(r"[1-9]\d*\.", zh) and re.fullmatch(r"[1-9]\d*\. ", en), marker
        return int(zh[:-1]), int(en[:-2])
    assert re.fullmatch(r"（[1-9]\d*）", zh) and re.fullmatch(r"\([1-9]\d*\) ", en), marker
    return int(zh[1:-1]), int(en[1:-2])


def section_trees(level: int = 1):
    """A level's sections as a list of subtrees (each a list again); four levels at most."""
    widths = {1: 14, 2: 12, 3: 3, 4: 3}  # wider levels: the explicit example and the next test
    child = st.just([]) if level == 4 else st.deferred(lambda: section_trees(level + 1))
    return st.lists(child, min_size=1 if level == 1 else 0, max_size=widths[level])


def plan_yaml(tree: list, ids: list[str] | None = None) -> str:
    """A minimal action plan with the given section tree (flow style, one section per line)."""
    lines = ["kind: action-plan", "id: generated", "meta:", "  title: {zh: 方案, en: Plan}", "sections:"]
    counter = iter(range(10**9))

    def emit(subtree: list, indent: int) -> None:
        for children in subtree:
            n = next(counter)
            lines.append(f"{' ' * indent}- id: s{n}")
            lines.append(f"{' ' * indent}  title: {{zh: 标题{n}, en: Title {n}}}")
            if children:
                lines.append(f"{' ' * indent}  sections:")
                emit(children, indent + 4)

    emit(tree, 2)
    return "\n".join(lines) + "\n"


def shape(tree: list) -> list:
    return [shape(c) for c in tree]


def check_markers(nodes, tree: list, level: int = 1) -> None:
    assert len(nodes) == len(tree)
    for n, (node, subtree) in enumerate(zip(nodes, tree), 1):
        assert node.level == level
        assert read_marker(level, node.marker) == (n, n), (level, n, node.marker)  # counts 1..n under each parent
        check_markers(node.children, subtree, level + 1)


@pytest.fixture
def plan_dir(tmp_path) -> Path:
    (tmp_path / "content").mkdir()
    return tmp_path / "content"


@settings(PROFILE, max_examples=40)
@given(section_trees())
@example([[[[[]]]]] * 11 + [[[]] * 21])  # 十一、 and （二十一） under it; four levels deep
def test_heading_markers_count_under_each_parent(plan_dir, tree):
    (plan_dir / "plan.yaml").write_text(plan_yaml(tree), encoding="utf-8")
    (plan,) = load_content(plan_dir).plans
    check_markers(plan.sections, tree)


@settings(PROFILE, max_examples=25)
@given(st.integers(1, 130), st.integers(0, 130))
@example(99, 99)
@example(100, 0)
@example(1, 100)
def test_wide_levels_are_numbered_or_refused_with_a_location(plan_dir, top, second):
    """Levels 1 and 2 count in 一…九十九 / I…XCIX; wider levels must be refused, located, not crash."""
    tree = [[]] * (top - 1) + [[[]] * second]
    (plan_dir / "plan.yaml").write_text(plan_yaml(tree), encoding="utf-8")
    try:
        (plan,) = load_content(plan_dir).plans
    except ContentError as exc:
        assert top > 99 or second > 99, str(exc)
        assert all(p.location.file.name == "plan.yaml" and p.location.line for p in exc.problems), str(exc)
        return
    check_markers(plan.sections, tree)


def test_chinese_numerals_beyond_ten():
    expected = {1: "一", 10: "十", 11: "十一", 19: "十九", 20: "二十", 21: "二十一", 30: "三十", 99: "九十九"}
    for n, numeral in expected.items():
        assert read_marker(1, {"zh": f"{numeral}、", "en": "I. "})[0] == n
    from reportgen.model import heading_marker
    assert heading_marker(1, 11) == {"zh": "十一、", "en": "XI. "}
    assert heading_marker(2, 20) == {"zh": "（二十）", "en": "(XX) "}
    assert heading_marker(2, 49) == {"zh": "（四十九）", "en": "(XLIX) "}


# ---- generated tables: totals ----

amounts = st.one_of(  # what a table may hold (docs/content-format.md): 15 digits, 6 decimals
    st.decimals(min_value=0, max_value=10**12, places=2),
    st.decimals(min_value=0, max_value=10**6, places=6),
    st.builds(lambda m, e: Decimal(m).scaleb(-e), st.integers(0, 10**15 - 1), st.integers(0, 6)),
)
FULL_WIDTH = str.maketrans("0123456789.", "０１２３４５６７８９.")


def spellings(value: Decimal):
    """Ways a table may write the amount: plain, padded with spaces or trailing zeros, in full-width digits."""
    plain = format(value, "f")
    decimals = len(plain.partition(".")[2])
    zeros = plain + ("0" if 0 < decimals < 6 else ".00" if not decimals else "")
    return st.sampled_from([plain, f" {plain} ", zeros, plain.translate(FULL_WIDTH)])


@st.composite
def amount_tables(draw):
    """Rows of the four-levels root's works table with 1–3 amount columns (the first always totalled)."""
    extra = draw(st.lists(st.booleans(), max_size=2))
    keys = ["cost"] + [f"amount{i}" for i in range(len(extra))]
    totalled = [True, *extra]
    rows = []
    for i in range(draw(st.integers(1, 30))):
        cells = [draw(spellings(draw(amounts))) for _ in keys]
        rows.append([f"w{i}", f"工程{i}", f"Works {i}", "2021-01", "2023", *cells])
    return keys, totalled, rows


PLAN_TEXTS: dict[tuple, str] = {}


def four_levels_with(tmp: Path, keys: list[str], totalled: list[bool], rows: list[list[str]]) -> Path:
    """The four-levels root with only its works table, whose amount columns and rows are given."""
    root = tmp / "content"
    (root / "tables").mkdir(parents=True, exist_ok=True)
    spec = (tuple(keys), tuple(totalled))
    if spec not in PLAN_TEXTS:
        yaml = rt_yaml()
        plan = yaml.load((FOUR_LEVELS / "plan.yaml").read_text(encoding="utf-8"))
        del plan["attachments"][1]  # the XLSX budget table (tests/test_generality.py writes it)
        columns = plan["attachments"][0]["table"]["columns"]
        del columns[2:]
        for key, total in zip(keys, totalled):
            columns.append(CommentedMap(key=key, type="amount", total=total, label=CommentedMap(zh=f"投资{key}", en=key)))
        out = io.StringIO()
        yaml.dump(plan, out)
        PLAN_TEXTS[spec] = out.getvalue()
    (root / "plan.yaml").write_text(PLAN_TEXTS[spec], encoding="utf-8")
    with open(root / "tables" / "works.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "name_zh", "name_en", "years_start", "years_end", *keys])
        writer.writerows(rows)
    return root


def exact_sum(values) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 10_000
        return sum(values, Decimal(0))


def assert_prints_as(value: Decimal, text: str, lang: str) -> None:
    """A printed amount reads back as the amount: plain digits, no sign, no exponent, no trailing
    zeros; English groups thousands with commas, Chinese does not."""
    pattern = r"(0|[1-9]\d{0,2}(,\d{3})*)(\.\d*[1-9])?" if lang == "en" else r"(0|[1-9]\d*)(\.\d*[1-9])?"
    assert re.fullmatch(pattern, text), f"{value!r} printed as {text!r} ({lang})"
    assert Decimal(text.replace(",", "")) == value


@PROFILE
@given(amount_tables())
@example((["cost"], [True], [["w0", "甲", "A", "2021", "2022", "-0"], ["w1", "乙", "B", "2021", "2022", "0.000"]]))
@example((["cost"], [True], [["w0", "甲", "A", "2021", "2022", "１２.５"], ["w1", "乙", "B", "2021", "2022", "1000.000000"]]))
def test_totals_are_exact_and_print_back(tmp_path, table):
    keys, totalled, rows = table
    root = four_levels_with(tmp_path, keys, totalled, rows)
    (plan,) = load_content(root).plans
    (works,) = plan.attachments
    expected = {k: exact_sum(Decimal(r[5 + i]) for r in rows) for i, k in enumerate(keys) if totalled[i]}
    assert works.totals == expected
    assert column_totals(works.columns, works.rows) == expected
    for value in [*expected.values(), *(r.cells[k] for r in works.rows for k in keys)]:
        for lang in ("zh", "en"):
            assert_prints_as(value, format_number(value, lang), lang)
    # the figure cited in the text is the total as printed
    supply = plan.sections[0].children[0].children[0].children[0]
    assert f"总投资{format_number(expected['cost'], 'zh')}亿元" in supply.text.zh
    assert f"of {format_number(expected['cost'], 'en')} (100 million" in supply.text.en
    assert f"共有{len(rows)}项工程" in supply.text.zh


@PROFILE
@given(st.lists(amounts, min_size=1, max_size=40))
def test_written_table_round_trips_totals(tmp_path, values):
    """Totals of a table written as CSV and read back equal the totals of the values written."""
    rows = [[f"w{i}", "甲", "A", "2021", "2022", format_number(v, "zh")] for i, v in enumerate(values)]
    root = four_levels_with(tmp_path, ["cost"], [True], rows)
    (plan,) = load_content(root).plans
    assert plan.attachments[0].totals == {"cost": exact_sum(values)}
    assert [r.cells["cost"] for r in plan.attachments[0].rows] == values
