"""Large tables: the key-project table grown to N rows, written as PDF and DOCX.

    .venv/bin/python bench/tables.py [--rows 100 1000 10000] [--formats pdf docx]

Each case runs in a fresh process and prints its time (HTML rendering excluded; wall clock and
the process's CPU time, which other work on the machine disturbs less), pages and peak memory,
and each format's time against the previous row count (×: 10,000 rows against 1,000).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def case(rows: int, fmt: str) -> dict:
    """Render the attachment document with `rows` rows and write it once."""
    from dataclasses import replace

    from reportgen.content import load_content
    from reportgen.model import Row, column_totals
    from reportgen.render import render_html
    from reportgen.writers.docx import write_docx
    from reportgen.writers.pdf import write_pdf

    templates = ROOT / "templates"
    (plan,) = load_content(ROOT / "content").plans
    table = plan.attachments[0]
    grown = tuple(
        Row(f"r{i}", {**src.cells, "no": i + 1}) for i, src in ((i, table.rows[i % len(table.rows)]) for i in range(rows))
    )
    table = replace(table, rows=grown, totals=column_totals(table.columns, grown))
    html = render_html(templates, "attachment.html.j2", plan=plan, meta=plan.meta, table=table, title=table.title, lang="zh", kind="attachment")
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / f"table.{fmt}"
        started, cpu = time.perf_counter(), time.process_time()
        pages = write_pdf(html, target, templates)[0] if fmt == "pdf" else write_docx(html, target, templates)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"rows": rows, "format": fmt, "seconds": seconds, "cpu": cpu, "pages": pages, "peak_mib": peak_mib()}


def peak_mib() -> float:
    """This process's peak resident memory: VmHWM, which starts again at exec (ru_maxrss keeps the
    parent's from before the exec: 500 MiB under bench/build.py)."""
    status = Path("/proc/self/status")
    for line in status.read_text().splitlines() if status.exists() else ():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(rows: int, fmt: str) -> dict:
    """case() in a fresh process (bench/build.py uses this too)."""
    out = subprocess.run([sys.executable, __file__, "--case", str(rows), fmt], capture_output=True, text=True, check=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--formats", nargs="+", default=["pdf", "docx"], choices=["pdf", "docx"])
    parser.add_argument("--case", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.case:
        print(json.dumps(case(int(args.case[0]), args.case[1])))
        return
    print(f"{'rows':>6} {'format':>6} {'seconds':>8} {'cpu s':>7} {'×':>5} {'pages':>6} {'peak MiB':>9}")
    previous: dict[str, float] = {}
    for rows in args.rows:
        for fmt in args.formats:
            r = run_case(rows, fmt)
            ratio = f"{r['seconds'] / previous[fmt]:.1f}" if fmt in previous else ""
            previous[fmt] = r["seconds"]
            print(f"{rows:>6} {fmt:>6} {r['seconds']:>8.2f} {r['cpu']:>7.2f} {ratio:>5} {r['pages'] or '':>6} {r['peak_mib']:>9.0f}", flush=True)


if __name__ == "__main__":
    main()
