"""Build timings in one table: the full build of content/ in a fresh process, a warm build in this
one, each document (time per format, warm), and the key-project table grown to N rows (bench/tables.py,
a fresh process per row count and format).

    .venv/bin/python bench/build.py [--runs N] [--rows 100 1000 10000]

Peak MiB is the process's peak resident memory (for the grown tables: PDF / DOCX). Nothing here
asserts a time.
"""
from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tables import run_case  # bench/tables.py


def line(what: str, total="", html="", pdf="", pages="", docx="", peak="") -> None:
    cells = [f"{v:.2f}" if isinstance(v, float) else str(v) for v in (total, html, pdf, pages, docx, peak)]
    print(f"{what:<46}" + "".join(f"{c:>9}" for c in cells), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1, help="full builds of each kind (the median is shown)")
    parser.add_argument("--rows", type=int, nargs="*", default=[100, 1000, 10000])
    args = parser.parse_args()
    templates = ROOT / "templates"
    line("measurement", "total s", "html s", "pdf s", "pages", "docx s", "peak MiB")
    with tempfile.TemporaryDirectory() as tmp:
        cold = []
        for i in range(args.runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "build.py"), "--force", "--out", f"{tmp}/cold{i}"], check=True, capture_output=True, cwd=ROOT)
            cold.append(time.perf_counter() - started)
        files = len(list(Path(f"{tmp}/cold0").glob("*.*"))) - 1  # without the manifest
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
        line(f"python build.py --force (default -j), {files} files", statistics.median(cold), peak=peak)

        from reportgen.build import build, documents, review_copies
        from reportgen.content import load_content
        from reportgen.render import render_html
        from reportgen.writers.docx import write_docx
        from reportgen.writers.pdf import write_pdf

        build(ROOT / "content", Path(tmp) / "warmup", templates)
        warm = []
        for i in range(args.runs):
            started = time.perf_counter()
            build(ROOT / "content", Path(tmp) / f"warm{i}", templates, force=True)
            warm.append(time.perf_counter() - started)
        line(f"build(): again in the same process, {files} files", statistics.median(warm))

        docs = documents(load_content(ROOT / "content"), ("zh", "en"))
        for doc in docs + review_copies(ROOT / "content", templates, docs):
            started = time.perf_counter()
            html = render_html(templates, doc.template, lang=doc.lang, kind=doc.kind, **doc.context)
            rendered = time.perf_counter()
            pages, _ = write_pdf(html, Path(tmp) / "x.pdf", templates)
            pdf = time.perf_counter()
            write_docx(html, Path(tmp) / "x.docx", templates)
            docx = time.perf_counter()
            line(f"  {doc.kind}: {doc.id}.{doc.lang}", docx - started, rendered - started, pdf - rendered, pages, docx - pdf)

    seconds = {}
    for rows in args.rows:
        p, d = run_case(rows, "pdf"), run_case(rows, "docx")
        seconds[rows] = p["seconds"]
        line(f"key-project table, {rows:,} rows (fresh processes)", "", "", p["seconds"], p["pages"], d["seconds"], f"{p['peak_mib']:.0f}/{d['peak_mib']:.0f}")
    if 1000 in seconds and 10000 in seconds:
        line("  PDF time, 10,000 rows ÷ 1,000 rows", f"×{seconds[10000] / seconds[1000]:.1f}")


if __name__ == "__main__":
    main()
