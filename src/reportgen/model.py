"""The typed content model: validated source schema, then the frozen plan the templates read.

No I/O here: `content.py` reads files and hands parsed data to these types.
"""
from __future__ import annotations

import codecs
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, localcontext
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

LANGS = ("zh", "en")
MAX_LEVEL = 4
MAX_SIBLINGS = 99  # sections under one parent: levels 1 and 2 count 一 … 九十九 (I … XCIX)


def check_siblings(sections: list) -> list:
    if len(sections) > MAX_SIBLINGS:
        raise ValueError(f"{len(sections)} sections under one parent; headings are numbered up to {MAX_SIBLINGS} (九十九, XCIX)")
    return sections


def check_encoding(name: str) -> str:
    """A declared encoding name that Python's codecs know."""
    try:
        codecs.lookup(name)
    except LookupError:
        raise ValueError(f"unknown encoding {name!r} (for example utf-8, gb18030, gbk)") from None
    return name


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Encoding = Annotated[str, AfterValidator(check_encoding)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A human text in both languages; long texts are Markdown."""

    zh: NonEmpty
    en: NonEmpty

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


class Section(Strict):
    """A node of the plan's section tree; `type` marks goals, tasks and measures."""

    id: Id
    type: Literal["section", "goal", "task", "measure"] = "section"
    title: Text
    text: Text | None = None
    sections: Annotated[list[Section], AfterValidator(check_siblings)] = []


class Column(Strict):
    """A table column. Its file columns: `key` (number, amount), `key_zh`/`key_en` (text),
    `key_start`/`key_end` (period)."""

    key: Key
    type: Literal["number", "text", "period", "amount"]
    label: Text
    total: bool = Field(False, description="sum this amount column in the total row")


class TableSpec(Strict):
    file: NonEmpty = Field(description="CSV or XLSX file, relative to the content folder (and inside it)")
    encoding: Encoding | None = Field(None, description="the CSV's encoding; default: UTF-8, else GB18030 if it reads as Chinese")
    unit: Literal["元", "万元", "亿元"] = Field(description="unit of every amount column")
    columns: list[Column] = Field(min_length=1)
    total_label: Text | None = None


class Attachment(Strict):
    id: Id
    title: Text
    table: TableSpec


class Letterhead(Strict):
    """版头's 发文机关标志 (GB/T 9704 §7.2.3), red, centred 35 mm below the top of the type area."""

    issuers: list[Text] = Field([], description="the issuing organs, host first (joint documents name several); default: meta.issuer")
    suffix: bool = Field(False, description="\"文件\" after the name(s)")
    upward: bool = Field(False, description="a document sent upward (上行文): the number moves left and 签发人 go right (§7.2.4)")
    signers: list[Text] = Field([], description="签发人 of a document sent upward, in the issuers' order")


class Imprint(Strict):
    """版记 (§7.4): at the foot of the last even page, between rules."""

    cc: list[Text] = Field([], description="抄送机关, in order")
    printer: Text = Field(description="印发机关")
    printed: datetime.date = Field(description="印发日期, YYYY-MM-DD")


CopyNumber = Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class Meta(Strict):
    title: Text = Field(description="line breaks (\\n) shape the title block")
    issuer: Text | None = Field(None, description="发文机关: the files' author; the letterhead and signature by default")
    date: datetime.date | None = Field(None, description="成文日期, YYYY-MM-DD: printed under the signature")
    number: Text | None = Field(None, description="document number, e.g. 晋政办发〔2020〕3号")
    addressee: Text | None = Field(None, description="主送机关; the colon is added")
    subject: Text | None = Field(None, description="what the document is about, for the files' properties")
    keywords: Text | None = Field(None, description="comma-separated keywords, for the files' properties")
    copy_number: CopyNumber | None = Field(None, description="份号: six digits, e.g. 000001")
    secrecy: Text | None = Field(None, description="密级和保密期限, e.g. 秘密★1年")
    urgency: Text | None = Field(None, description="紧急程度: 特急 or 加急")
    letterhead: Letterhead | None = Field(None, description="版头: the red issuer mark and rule; omitted, the document has none")
    signature: list[Text] | None = Field(None, description="发文机关署名 above the date (several: joint issuers); default: meta.issuer")
    seal: bool = Field(False, description="leave the seal's space: the date 4 characters from the right, the signature centred over it")
    note: Text | None = Field(None, description="附注, e.g. 此件公开发布; the parentheses are added")
    imprint: Imprint | None = Field(None, description="版记: 抄送, 印发机关 and 印发日期")

    @property
    def letterhead_issuers(self) -> list[Text]:
        return (self.letterhead.issuers or ([self.issuer] if self.issuer else [])) if self.letterhead else []

    @property
    def signatures(self) -> list[Text]:
        """The 发文机关署名 over the date: declared, else the issuer; none without a date."""
        if self.date is None:
            return []
        return self.signature if self.signature is not None else ([self.issuer] if self.issuer else [])


class PlanSource(Strict):
    """The schema of an action-plan YAML file."""

    kind: Literal["action-plan"]
    id: Id
    meta: Meta
    preamble: Text | None = None
    sections: Annotated[list[Section], AfterValidator(check_siblings)] = Field(min_length=1)
    attachments: list[Attachment] = []


class NoticeSource(Strict):
    """The schema of a notice YAML file: the notice (关于印发《…》的通知) that issues a plan of the
    same content folder; the plan follows it in one document."""

    kind: Literal["notice"]
    id: Id
    plan: Id = Field(description="the id of the plan it issues")
    meta: Meta
    text: Text = Field(description="the notice's body, Markdown")


class SeriesColumns(Strict):
    """What the attachment table's columns mean for progress: keys of its columns."""

    name: Key = Field(description="a text column: the project's name")
    group: Key = Field(description="a text column: subtotals by its values (e.g. the city)")
    planned: Key = Field(description="an amount column: the investment planned for the year")
    total: Key = Field(description="an amount column: the project's total investment")


class BulletinSeriesSource(Strict):
    """The schema of a bulletin-series YAML file (docs/progress-format.md)."""

    kind: Literal["bulletin-series"]
    id: Id
    plan: Id
    table: Id
    year: int = Field(ge=1900, le=2200)
    progress: NonEmpty = Field("progress", description="folder of the quarter files, relative to the content folder (and inside it)")
    encoding: Encoding | None = Field(None, description="the quarter CSVs' encoding; default: UTF-8, else GB18030 if it reads as Chinese")
    columns: SeriesColumns
    lagging_threshold: float = Field(10, ge=0, le=100, description="percentage points behind the time benchmark")
    group_name: Text | None = Field(None, description="what a group is, for headings (市 / City); default: the column's label")
    title: Text = Field(description="{quarter} prints the quarter")
    notice: Text | None = None


class QuarterNotes(Strict):
    """The schema of a quarter's optional notes file, progress/YYYY-Qn.yaml."""

    quarter: Annotated[str, StringConstraints(pattern=r"^\d{4}Q[1-4]$")]
    next_steps: Text | None = None
    tasks: dict[Id, Text] = {}



class FontSettings(Strict):
    allow_substitutes: bool = Field(False, description="publish even when a free face stands in for an official font (仿宋, 小标宋, 黑体, 楷体)")


class SettingsSource(Strict):
    """The schema of the content's settings document (kind settings, e.g. settings.yaml; at most one)."""

    kind: Literal["settings"]
    fonts: FontSettings = FontSettings()

# ---- the built plan (what templates read) ----


@dataclass(frozen=True)
class Period:
    """A construction period; months are None when the source gives years only."""

    start_year: int
    start_month: int | None
    end_year: int
    end_month: int | None


@dataclass(frozen=True)
class Row:
    id: str
    cells: dict[str, Any]


@dataclass(frozen=True)
class Table:
    id: str
    number: int  # the attachment number, 1-based
    title: Text
    unit: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    total_label: Text | None
    totals: dict[str, Decimal]

    @property
    def has_total(self) -> bool:
        return bool(self.totals)


@dataclass(frozen=True)
class Node:
    id: str
    type: str
    level: int
    marker: dict[str, str]
    title: Text
    text: Text | None
    run_in: bool
    children: tuple[Node, ...] = field(default=())


@dataclass(frozen=True)
class Plan:
    id: str
    meta: Meta
    preamble: Text | None
    sections: tuple[Node, ...]
    attachments: tuple[Table, ...]
    sources: tuple[Path, ...] = ()  # the files it is made from: its YAML, then each attachment's table file


@dataclass(frozen=True)
class Notice:
    id: str
    meta: Meta
    text: Text
    plan: Plan  # the plan it issues, printed after it
    sources: tuple[Path, ...] = ()  # its YAML, then the plan's sources


@dataclass(frozen=True)
class ProjectProgress:
    """One project at the end of a quarter; rates in per cent, gaps in percentage points."""

    id: str
    number: int
    name: Text
    group: Text
    planned: Decimal
    total: Decimal
    ytd: Decimal  # completed this year up to the end of the quarter
    quarter_investment: Decimal  # completed in the quarter
    rate: Decimal | None  # ytd ÷ planned; None when nothing is planned
    gap: Decimal | None  # rate − benchmark
    status: str
    milestone: Text | None
    problem: Text | None
    lagging: bool


@dataclass(frozen=True)
class GroupProgress:
    """Figures for a group of projects (one city; or all of them, without a name)."""

    name: Text | None
    count: int
    started: int
    planned: Decimal
    ytd: Decimal
    quarter_investment: Decimal
    rate: Decimal | None
    gap: Decimal | None

    @property
    def start_rate(self) -> Decimal:
        return Decimal(100) * self.started / self.count if self.count else Decimal(0)


@dataclass(frozen=True)
class TaskNote:
    title: Text
    note: Text


@dataclass(frozen=True)
class Bulletin:
    """A quarter's progress bulletin: the figures computed, the texts chosen."""

    id: str
    series: str
    year: int
    quarter: int
    title: Text
    quarter_name: Text  # 2020年第二季度 / the second quarter of 2020
    quarter_title: Text  # … / the Second Quarter of 2020
    notice: Text | None
    table: Table  # the projects' table: unit and column labels
    columns: SeriesColumns
    group_name: Text | None
    benchmark: Decimal  # per cent of the year elapsed
    lagging_threshold: Decimal
    projects: tuple[ProjectProgress, ...]
    groups: tuple[GroupProgress, ...]
    overall: GroupProgress
    rate_change: Decimal | None  # completion rate change against the previous quarter (pp); None in Q1
    lagging: tuple[ProjectProgress, ...]
    tasks: tuple[TaskNote, ...]
    next_steps: Text | None
    sources: tuple[Path, ...] = ()  # the files it is made from: series, plan, table, quarter files up to its own, notes


STATUSES = ("not-started", "under-construction", "completed", "suspended")


@dataclass(frozen=True)
class ProgressRecord:
    """A row of a quarter file, validated."""

    id: str
    ytd: Decimal
    status: str
    milestone: Text | None
    problem: Text | None


# ---- pure transforms ----

_ZH_DIGITS = "零一二三四五六七八九"


def zh_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九."""
    if not 0 < n < 100:
        raise ValueError(f"heading number {n} out of range 1–99")
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _ZH_DIGITS[tens] + "十")
    return head + (_ZH_DIGITS[ones] if ones else "")


def roman(n: int) -> str:
    out = ""
    for value, letters in ((90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def heading_marker(level: int, n: int) -> dict[str, str]:
    """Markers of GB/T 9704 (一、（一）1.（1）) and their English practice (I. (I) 1. (1))."""
    return {
        1: {"zh": f"{zh_numeral(n)}、", "en": f"{roman(n)}. "},
        2: {"zh": f"（{zh_numeral(n)}）", "en": f"({roman(n)}) "},
        3: {"zh": f"{n}.", "en": f"{n}. "},
        4: {"zh": f"（{n}）", "en": f"({n}) "},
    }[level]


def runs_in(title: Text) -> bool:
    """A heading that ends with a full stop runs into its paragraph (practice)."""
    return title.zh.endswith("。")


def build_nodes(sections: list[Section], substitute, level: int = 1, keys: tuple = ("sections",)) -> tuple[Node, ...]:
    """The numbered tree; `substitute(text, keys)` fills in figures and reports where it failed."""
    return tuple(
        Node(
            id=s.id,
            type=s.type,
            level=level,
            marker=heading_marker(level, i),
            title=s.title,
            text=substitute(s.text, (*keys, i - 1, "text")) if s.text else None,
            run_in=runs_in(s.title) and s.text is not None,
            children=build_nodes(s.sections, substitute, level + 1, (*keys, i - 1, "sections")),
        )
        for i, s in enumerate(sections, 1)
    )


MAX_TOTAL_DIGITS = 1000  # a total needing more digits than this is rounded to them


def column_totals(columns: tuple[Column, ...], rows: tuple[Row, ...]) -> dict[str, Decimal]:
    """Each totalled column's exact sum (Decimal's default context would round it to 28 digits)."""
    return {c.key: exact_sum([r.cells[c.key] for r in rows]) for c in columns if c.total}


def exact_sum(values: list[Decimal]) -> Decimal:
    finite = [v for v in values if v.is_finite() and not v.is_zero()]
    if not finite:
        return sum(values, Decimal(0))
    lowest = min(0, *(v.as_tuple().exponent for v in finite))
    digits = max(v.adjusted() for v in finite) - lowest + len(str(len(values))) + 2
    with localcontext() as ctx:
        ctx.prec = min(max(digits, 28), MAX_TOTAL_DIGITS)
        return sum(values, Decimal(0))


PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def figures(tables: tuple[Table, ...]) -> dict[str, Any]:
    """The figures that text may cite as {{ table-id.count }} or {{ table-id.total.column }}."""
    out: dict[str, Any] = {}
    for t in tables:
        out[f"{t.id}.count"] = len(t.rows)
        for key, value in t.totals.items():
            out[f"{t.id}.total.{key}"] = value
    return out


def format_number(value: Any, lang: str) -> str:
    """Numbers as printed: no trailing zeros; thousands separators in English only (translation.md)."""
    if isinstance(value, Decimal) and value.is_zero():
        value = value.copy_abs()  # -0 (a table may write it) prints as 0
    text = format(value, "f") if isinstance(value, Decimal) else str(value)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if lang == "en":
        whole, _, frac = text.partition(".")
        text = f"{int(whole):,}" + (f".{frac}" if frac else "")
    return text


_ORDINALS = ("first", "second", "third", "fourth")


def quarter_names(year: int, quarter: int) -> tuple[Text, Text]:
    """(prose, title) names of a quarter: 2020年第二季度 / the second quarter of 2020 (… Second Quarter …)."""
    zh = f"{year}年第{zh_numeral(quarter)}季度"
    prose = Text(zh=zh, en=f"the {_ORDINALS[quarter - 1]} quarter of {year}")
    title = Text(zh=zh, en=f"the {_ORDINALS[quarter - 1].capitalize()} Quarter of {year}")
    return prose, title
