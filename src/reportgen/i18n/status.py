"""Translation status: counts per state and per document, and the list of what needs work.

    translation_status(content_dir, templates_dir) -> Status
    status_lines(status) -> list[str]          # what `reportgen i18n status` prints
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .segments import Segment, collect
from .state import DONE, STATES, read_records, states_of


@dataclass(frozen=True)
class Status:
    counts: dict[str, int]  # state → segments
    per_document: dict[str, dict[str, int]]  # document id → state → segments
    needs_work: list[tuple[Segment, str]]  # untranslated and needs-review segments, in reading order
    total: int


def translation_status(content_dir: Path, templates_dir: Path) -> Status:
    catalog = collect(content_dir, templates_dir)
    pairs = states_of(catalog, read_records(content_dir))
    counts = Counter(st for _, st in pairs)
    per_doc = {d: Counter() for d in catalog.documents}
    for seg, st in pairs:
        for d in seg.documents:
            per_doc.setdefault(d, Counter())[st] += 1
    return Status(
        {st: counts.get(st, 0) for st in STATES},
        {d: {st: c.get(st, 0) for st in STATES} for d, c in per_doc.items()},
        [(s, st) for s, st in pairs if st not in DONE],
        len(pairs),
    )


def status_lines(status: Status) -> list[str]:
    width = max([len(d) for d in status.per_document] + [len("document")])
    head = f"{'document':<{width}}  " + "  ".join(f"{st:>12}" for st in STATES) + f"  {'total':>6}"
    lines = [head]
    for d, c in status.per_document.items():
        lines.append(f"{d:<{width}}  " + "  ".join(f"{c[st]:>12}" for st in STATES) + f"  {sum(c.values()):>6}")
    lines.append(f"{'all segments':<{width}}  " + "  ".join(f"{status.counts[st]:>12}" for st in STATES) + f"  {status.total:>6}")
    if status.needs_work:
        lines.append("")
        lines.append("needs work:")
        lines += [f"  {s.location}: {st}: {s.id}" for s, st in status.needs_work]
    drafts = sorted({d for s, _ in status.needs_work for d in s.documents})
    lines.append("")
    lines.append(f"{status.counts['approved']} of {status.total} segments approved; "
                 + (f"{len(status.needs_work)} need work; draft documents: {', '.join(drafts)}" if drafts else "nothing needs work"))
    return lines
