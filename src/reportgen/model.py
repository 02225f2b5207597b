"""The typed content model: validated source schema, then the frozen plan the templates read.

No I/O here: `content.py` reads files and hands parsed data to these types.
"""
from __future__ import annotations

import codecs
import datetime
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag, model_validator

from .messages import _

LANGS = ("zh", "en")
MAX_LEVEL = 4
MAX_SIBLINGS = 99  # sections under one parent: levels 1 and 2 count 一 … 九十九 (I … XCIX)
MAX_PARAGRAPH_CHARS = 20_000  # a paragraph or table cell: the PDF's line breaking grows faster than its length (docs/performance.md, "Limits")
MAX_TABLE_ROWS = 10_000  # a table's rows: each PDF of 10,000 takes about 90 s and 1.5 GiB (docs/performance.md, "Limits")


def paragraph_too_long(text: str) -> str | None:
    """Why a paragraph or table cell is too long to print, or None."""
    if len(text) <= MAX_PARAGRAPH_CHARS:
        return None
    return _("{length} characters in one paragraph or cell, more than the limit of {limit}: split it").format(length=len(text), limit=MAX_PARAGRAPH_CHARS)


def check_siblings(sections: list) -> list:
    if len(sections) > MAX_SIBLINGS:
        raise ValueError(_("{count} sections under one parent; headings are numbered up to {limit} (九十九, XCIX)").format(count=len(sections), limit=MAX_SIBLINGS))
    return sections


def check_encoding(name: str) -> str:
    """A declared encoding name that Python's codecs know."""
    try:
        codecs.lookup(name)
    except LookupError:
        raise ValueError(_("unknown encoding {name!r} (for example utf-8, gb18030, gbk)").format(name=name)) from None
    return name


Id = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
Encoding = Annotated[str, AfterValidator(check_encoding)]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A human text: the Chinese source and its English translation; long texts are Markdown. A
    text without English is an untranslated segment (i18n/state.py): the Chinese stands in for it,
    and the English document is a draft."""

    zh: NonEmpty
    en: NonEmpty = Field(None, description="the English translation; without it the Chinese stands in, in a draft")

    @model_validator(mode="before")
    @classmethod
    def untranslated(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("zh"), str) and not str(data.get("en") or "").strip():
            return {**data, "en": data["zh"]}
        return data

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
    """A printed column and the file column(s) it is read from (docs/content-format.md, "Attachment tables")."""

    key: Key
    type: Literal["number", "text", "period", "date", "amount"]
    label: Text
    header: NonEmpty | list[NonEmpty] | None = Field(None, description="the file's own header text of this column (a period may take two: start and end); default: key (text: key_zh; period: key_start and key_end)")
    english: NonEmpty | None = Field(None, description="text: the header of the file column holding the English; default: key_en when `header` is not given, else none (the English lives in the translation catalogue)")
    total: bool = Field(False, description="sum this amount column in the total row")
    decimals: int | None = Field(None, ge=0, le=6, description="amount: the decimals every value is printed with (120.0 with 1)")
    width: float | None = Field(None, gt=0, lt=100, description="the column's width in per cent of the table's; default: from its longest text")

    @model_validator(mode="after")
    def check_kind(self) -> Column:
        if isinstance(self.header, list) and (self.type != "period" or len(self.header) != 2):
            raise ValueError(_("header: a list of two headers (start, end) is for a period column only"))
        if self.english is not None and self.type != "text":
            raise ValueError(_("english: only a text column has English; this is a {type} column").format(type=self.type))
        if self.decimals is not None and self.type != "amount":
            raise ValueError(_("decimals: only an amount column has decimals; this is a {type} column").format(type=self.type))
        if self.total and self.type != "amount":
            raise ValueError(_("total: only an amount column can be summed; this is a {type} column").format(type=self.type))
        return self

    def file_headers(self) -> list[str]:
        """The header texts of the file columns it reads: the Chinese (or the value), then the English or the period's end."""
        if isinstance(self.header, list):
            return list(self.header)
        if self.header is not None:
            return [self.header] + ([self.english] if self.english else [])
        return {"text": [f"{self.key}_zh", self.english or f"{self.key}_en"], "period": [f"{self.key}_start", f"{self.key}_end"]}.get(self.type, [self.key])


class ColumnGroup(Strict):
    """Columns under a common heading: a header cell spanning them over their own (a two-row header)."""

    header: NonEmpty = Field(description="the file's own text of the spanning header cell (e.g. 2021年投资)")
    label: Text
    columns: list[Column] = Field(min_length=1)


def column_kind(value: Any) -> str:
    return "group" if isinstance(value, dict) and "columns" in value else "column"


class TableSpec(Strict):
    file: NonEmpty = Field(description="CSV or XLSX file, relative to the content folder (and inside it)")
    encoding: Encoding | None = Field(None, description="the CSV's encoding; default: UTF-8, else GB18030 if it reads as Chinese")
    sheet: NonEmpty | None = Field(None, description="XLSX: the sheet's name; default: the first sheet")
    unit: Literal["元", "万元", "亿元"] | None = Field(None, description="unit of every amount column, printed once above the table; required with amount columns")
    id: NonEmpty | None = Field(None, description="the header of the column whose values are the rows' ids (e.g. 序号); default: a column headed id, else the row's number")
    columns: list[Annotated[Annotated[Column, Tag("column")] | Annotated[ColumnGroup, Tag("group")], Discriminator(column_kind)]] = Field(min_length=1)
    extra_columns: Literal["error", "ignore"] = Field("error", description="a file column that no column maps: an error, or (ignore) a warning")
    orientation: Literal["auto", "portrait", "landscape"] = Field("auto", description="the attachment's pages; auto: landscape when the columns do not fit across a portrait page")
    total_label: Text | None = None

    @property
    def leaves(self) -> list[Column]:
        """The printed columns, left to right."""
        return [leaf for c in self.columns for leaf in (c.columns if isinstance(c, ColumnGroup) else [c])]

    @model_validator(mode="after")
    def check_columns(self) -> TableSpec:
        keys = [c.key for c in self.leaves]
        doubled = sorted({k for k in keys if keys.count(k) > 1})
        if doubled:
            raise ValueError(_("columns: the key {key!r} is used twice; each column has its own key").format(key=doubled[0]))
        amounts = any(c.type == "amount" for c in self.leaves)
        if amounts and self.unit is None:
            raise ValueError(_("unit: the table has amount columns: give their unit (元, 万元 or 亿元)"))
        if not amounts and self.unit is not None:
            raise ValueError(_("unit: the table has no amount column, so no unit is printed: remove unit"))
        widths = [c.width for c in self.leaves if c.width is not None]
        if len(widths) == len(self.leaves) and abs(sum(widths) - 100) > 0.5:
            raise ValueError(_("columns: every column declares its width, and the widths add up to {total:g} per cent, not 100").format(total=sum(widths)))
        if len(widths) < len(self.leaves) and sum(widths) >= 100:
            raise ValueError(_("columns: the declared widths add up to {total:g} per cent, leaving nothing for the other columns").format(total=sum(widths)))
        return self


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


CopyNumber = Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


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


class GroupSeries(Strict):
    """A bulletin for each group of projects too: one per value of a column (docs/progress-format.md, "Group bulletins")."""

    by: Key = Field(description="a text column of the table: one bulletin for each of its values (each city, sector …)")
    ids: dict[NonEmpty, Id] = Field({}, description="each value's id, which ends its bulletins' ids (太原: taiyuan → bulletin-2020Q1-taiyuan); every value of the column needs one; the bulletins follow this order")
    title: Text | None = Field(None, description="{quarter} and {group} print the quarter and the group's name; default: the series' title, then the group's name in brackets")


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
    lagging_threshold: float = Field(10, ge=0, le=100, description="percentage points behind the time benchmark that make a project lag (this much or more)")
    group_name: Text | None = Field(None, description="what a group is, for headings (市 / City); default: the column's label")
    title: Text = Field(description="{quarter} prints the quarter")
    notice: Text | None = None
    issuer: Text | None = Field(None, description="发文机关署名 of the bulletins, above the date each quarter's notes file gives them; none: unsigned")
    series: list[GroupSeries] = Field([], description="bulletins for each group of projects as well, besides the overall one")


class QuarterNotes(Strict):
    """The schema of a quarter's optional notes file, progress/YYYY-Qn.yaml."""

    quarter: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}Q[1-4]$")]
    date: datetime.date | None = Field(None, description="成文日期 of the quarter's bulletins, after the quarter's end; required when the series names an issuer")
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
class Date:
    """A date of a table cell: a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None


@dataclass(frozen=True)
class Row:
    id: str
    cells: dict[str, Any]


@dataclass(frozen=True)
class HeaderCell:
    """A cell of a table's header: a column's label, or a group's over its columns."""

    label: Text
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Table:
    id: str
    number: int  # the attachment number, 1-based
    title: Text
    unit: str | None  # of the amount columns; None without any
    columns: tuple[Column, ...]  # the printed columns, left to right
    header: tuple[tuple[HeaderCell, ...], ...]  # the header's rows (two when columns are grouped)
    orientation: str  # portrait | landscape (tables.orientation resolves auto)
    rows: tuple[Row, ...]
    total_label: Text | None
    totals: dict[str, Decimal]

    @property
    def has_total(self) -> bool:
        return bool(self.totals)


def header_rows(spec: TableSpec) -> tuple[tuple[HeaderCell, ...], ...]:
    """One header row, or two when columns are grouped: each group's label spans its columns'
    labels, and every other label spans both rows."""
    if not any(isinstance(c, ColumnGroup) for c in spec.columns):
        return (tuple(HeaderCell(c.label) for c in spec.columns),)
    top = tuple(HeaderCell(c.label, colspan=len(c.columns)) if isinstance(c, ColumnGroup) else HeaderCell(c.label, rowspan=2) for c in spec.columns)
    return top, tuple(HeaderCell(leaf.label) for c in spec.columns if isinstance(c, ColumnGroup) for leaf in c.columns)


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
class ProjectGroup:
    """The projects of a group bulletin: the rows whose `by` column holds one value."""

    id: str  # ends the bulletin's id
    name: Text  # the value, printed for {group}
    title: Text  # the title's pattern: {quarter}, {group}
    rows: tuple[Row, ...]


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
    issuer: Text | None = None  # 发文机关署名, with `date` (成文日期): the series' issuer, the quarter's date
    date: datetime.date | None = None
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


def round1(value: Decimal) -> Decimal:
    """A rate or a gap to one decimal, as every bulletin prints it (half up: 9.95 → 10.0)."""
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


GROUP_TITLE = Text(zh="{title}（{group}）", en="{title} ({group})")  # a group bulletin's title unless its series gives one


def fill_in(pattern: Text, names: dict[str, Text]) -> Text:
    """`pattern` with each {name} replaced by that name's text in the same language."""
    out = {}
    for lang in LANGS:
        out[lang] = pattern[lang]
        for key, name in names.items():
            out[lang] = out[lang].replace(f"{{{key}}}", name[lang])
    return Text(**out)


_ORDINALS = ("first", "second", "third", "fourth")


def quarter_names(year: int, quarter: int) -> tuple[Text, Text]:
    """(prose, title) names of a quarter: 2020年第二季度 / the second quarter of 2020 (… Second Quarter …)."""
    zh = f"{year}年第{zh_numeral(quarter)}季度"
    prose = Text(zh=zh, en=f"the {_ORDINALS[quarter - 1]} quarter of {year}")
    title = Text(zh=zh, en=f"the {_ORDINALS[quarter - 1].capitalize()} Quarter of {year}")
    return prose, title
