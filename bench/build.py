"""Build timings: a cold build in a fresh process, warm builds in one process, each document.

    .venv/bin/python bench/build.py [--runs N]

Prints one line per measurement; nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as tmp:
        cold = []
        for i in range(runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, str(ROOT / "build.py"), "--out", f"{tmp}/cold{i}"], check=True, capture_output=True, cwd=ROOT)
            cold.append(time.perf_counter() - started)
        files = len(list(Path(f"{tmp}/cold0").glob("*.*"))) - 1  # without the manifest
        print(f"cold build (fresh process, {files} files): median {statistics.median(cold):.2f} s of {runs}: {', '.join(f'{t:.2f}' for t in cold)}")

        from reportgen.build import build, documents
        from reportgen.content import load_content
        from reportgen.render import render_html
        from reportgen.writers.docx import write_docx
        from reportgen.writers.pdf import write_pdf

        build(ROOT / "content", Path(tmp) / "warmup", ROOT / "templates")
        warm = []
        for i in range(runs):
            started = time.perf_counter()
            build(ROOT / "content", Path(tmp) / f"warm{i}", ROOT / "templates")
            warm.append(time.perf_counter() - started)
        print(f"warm build (same process, {files} files):  median {statistics.median(warm):.2f} s of {runs}: {', '.join(f'{t:.2f}' for t in warm)}")

        templates = ROOT / "templates"
        for doc in documents(load_content(ROOT / "content"), ("zh", "en")):
            started = time.perf_counter()
            html = render_html(templates, doc.template, lang=doc.lang, kind=doc.kind, **doc.context)
            rendered = time.perf_counter()
            pages = write_pdf(html, Path(tmp) / "x.pdf", templates)
            pdf = time.perf_counter()
            write_docx(html, Path(tmp) / "x.docx", templates)
            docx = time.perf_counter()
            print(f"  {doc.id}.{doc.lang}: html {1000 * (rendered - started):.0f} ms, pdf {1000 * (pdf - rendered):.0f} ms ({pages} pages), docx {1000 * (docx - pdf):.0f} ms")


if __name__ == "__main__":
    main()
