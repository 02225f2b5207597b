"""Translation status: counts per state and per document, the list of what needs work, and what
the translation memory has for it (leverage: exact / fuzzy / new segments and their words, as
memory.words counts a Chinese source).

    translation_status(content_dir, templates_dir) -> Status
    status_lines(status) -> list[str]          # what `reportgen i18n status` prints
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .memory import Leverage, load_memory, words
from .segments import Segment, collect
from .state import DONE, STATES, read_records, states_of


@dataclass(frozen=True)
class Status:
    counts: dict[str, int]  # state → segments
    per_document: dict[str, dict[str, int]]  # document id → state → segments
    needs_work: list[tuple[Segment, str]]  # untranslated and needs-review segments, in reading order
    total: int
    leverage: dict[str, Leverage]  # segment id → what the memory has, for those that need work

    def leverage_counts(self) -> dict[str, tuple[int, int]]:
        """exact / fuzzy / new → (segments, words of their Chinese)."""
        counts = {kind: (0, 0) for kind in ("exact", "fuzzy", "new")}
        for seg, _ in self.needs_work:
            n, w = counts[self.leverage[seg.id].kind]
            counts[self.leverage[seg.id].kind] = (n + 1, w + words(seg.zh))
        return counts


def translation_status(content_dir: Path, templates_dir: Path) -> Status:
    catalog = collect(content_dir, templates_dir)
    records = read_records(content_dir)
    pairs = states_of(catalog, records)
    counts = Counter(st for _, st in pairs)
    per_doc = {d: Counter() for d in catalog.documents}
    for seg, st in pairs:
        for d in seg.documents:
            per_doc.setdefault(d, Counter())[st] += 1
    needs_work = [(s, st) for s, st in pairs if st not in DONE]
    memory = load_memory(content_dir, catalog, records)
    return Status(
        {st: counts.get(st, 0) for st in STATES},
        {d: {st: c.get(st, 0) for st in STATES} for d, c in per_doc.items()},
        needs_work,
        len(pairs),
        {s.id: memory.leverage(s, st) for s, st in needs_work},
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
        lines += [f"  {s.location}: {st}: {s.id}{match_note(status.leverage[s.id])}" for s, st in status.needs_work]
        lines.append("leverage: " + ", ".join(f"{n} {kind} ({w} words)" for kind, (n, w) in status.leverage_counts().items()))
    drafts = sorted({d for s, _ in status.needs_work for d in s.documents})
    lines.append("")
    lines.append(f"{status.counts['approved']} of {status.total} segments approved; "
                 + (f"{len(status.needs_work)} need work; draft documents: {', '.join(drafts)}" if drafts else "nothing needs work"))
    return lines


def match_note(leverage: Leverage) -> str:
    if leverage.exact:
        return f" (memory: exact match of {leverage.exact.id or 'the memory file'})"
    if leverage.fuzzy:
        return f" (memory: fuzzy match, {leverage.fuzzy[0].score}%)"
    return ""
