"""Progress indicators of a quarter, computed with pandas from validated data (no I/O).

Definitions: docs/progress-format.md#indicators. Rates are per cent, gaps percentage points.
"""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from .model import (
    Bulletin,
    BulletinSeriesSource,
    GroupProgress,
    ProgressRecord,
    ProjectGroup,
    ProjectProgress,
    QuarterNotes,
    Table,
    TaskNote,
    Text,
    fill_in,
    quarter_names,
    round1,
)

if TYPE_CHECKING:
    import pandas as pd

HUNDRED = Decimal(100)


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    return HUNDRED * part / whole if whole else None


def compute_bulletin(
    series: BulletinSeriesSource,
    table: Table,
    quarter: int,
    records: dict[str, ProgressRecord],
    previous: dict[str, Decimal],
    notes: QuarterNotes | None,
    task_titles: dict[str, Text],
    group: ProjectGroup | None = None,
) -> Bulletin:
    """The bulletin of one quarter, of every project or of a `group`'s only; `previous` holds each
    project's year-to-date investment at the end of the previous quarter (empty for Q1)."""
    import pandas as pd  # 0.3-0.4 s to import: only when a bulletin is computed

    cols = series.columns
    benchmark = Decimal(25 * quarter)
    threshold = Decimal(str(series.lagging_threshold))
    frame = pd.DataFrame(
        [
            {
                "id": row.id,
                "number": number,
                "name": row.cells[cols.name],
                "group": row.cells[cols.group],
                "planned": row.cells[cols.planned],
                "total": row.cells[cols.total],
                "ytd": records[row.id].ytd,
                "before": previous.get(row.id, Decimal(0)),
                "status": records[row.id].status,
            }
            for number, row in enumerate(group.rows if group else table.rows, 1)
        ]
    )
    frame["quarter_investment"] = frame["ytd"] - frame["before"]
    frame["started"] = frame["status"] != "not-started"
    frame["rate"] = [percent(y, p) for y, p in zip(frame["ytd"], frame["planned"])]
    frame["gap"] = [None if r is None else r - benchmark for r in frame["rate"]]
    # lagging: behind by the threshold or more (以上 includes its bound), as the gap is printed, to one decimal
    frame["lagging"] = [s != "completed" and g is not None and round1(g) <= -threshold for s, g in zip(frame["status"], frame["gap"])]

    projects = tuple(
        ProjectProgress(
            id=r.id, number=r.number, name=r.name, group=r.group, planned=r.planned, total=r.total, ytd=r.ytd,
            quarter_investment=r.quarter_investment, rate=r.rate, gap=r.gap, status=r.status,
            milestone=records[r.id].milestone, problem=records[r.id].problem, lagging=bool(r.lagging),
        )
        for r in frame.itertuples()
    )

    def summarise(name: Text | None, part: pd.DataFrame) -> GroupProgress:
        planned, ytd = sum(part["planned"], Decimal(0)), sum(part["ytd"], Decimal(0))
        rate = percent(ytd, planned)
        return GroupProgress(
            name=name, count=len(part), started=int(part["started"].sum()), planned=planned, ytd=ytd,
            quarter_investment=sum(part["quarter_investment"], Decimal(0)), rate=rate,
            gap=None if rate is None else rate - benchmark,
        )

    frame["group_key"] = [g.zh for g in frame["group"]]
    groups = tuple(summarise(part["group"].iloc[0], part) for _, part in frame.groupby("group_key", sort=False))
    overall = summarise(None, frame)
    before_rate = percent(sum(frame["before"], Decimal(0)), overall.planned)
    prose, title = quarter_names(series.year, quarter)
    notes = notes or QuarterNotes(quarter=f"{series.year}Q{quarter}")
    names = {"quarter": title, "group": group.name} if group else {"quarter": title}
    return Bulletin(
        id=f"{series.id}-{series.year}Q{quarter}" + (f"-{group.id}" if group else ""),
        series=series.id,
        year=series.year,
        quarter=quarter,
        title=fill_in(group.title if group else series.title, names),
        quarter_name=prose,
        quarter_title=title,
        notice=series.notice,
        table=table,
        columns=cols,
        group_name=series.group_name,
        benchmark=benchmark,
        lagging_threshold=threshold,
        projects=projects,
        groups=groups,
        overall=overall,
        rate_change=None if quarter == 1 or overall.rate is None or before_rate is None else overall.rate - before_rate,
        lagging=tuple(p for p in projects if p.lagging),
        tasks=tuple(TaskNote(task_titles[task_id], note) for task_id, note in notes.tasks.items()),
        next_steps=notes.next_steps,
        issuer=series.issuer,
        date=notes.date,
    )
