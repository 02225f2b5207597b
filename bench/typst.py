"""The plan and its key-project table (zh) typeset by Typst in a GB/T 9704-like layout, against
`reportgen build` of the same, each a fresh process, medians:

    .venv/bin/python bench/typst.py --typst-python /tmp/typst-venv/bin/python [--runs 5]

Typst comes from PyPI (the `typst` package bundles the compiler); install it into a virtual
environment of its own, not the project's: `python3 -m venv /tmp/typst-venv &&
/tmp/typst-venv/bin/pip install typst`. The Typst source is made here from the loaded content: the
title, the preamble and the section tree with its markers (一、（一）), paragraphs as plain text
(Markdown marks dropped), the table as a grid; A4, the standard's margins, 三号 body text in
the same free faces as the PDFs. It is a comparison of typesetting engines, not a second writer:
no tagging, no running heads, no widow control beyond Typst's own.
"""
from __future__ import annotations

import argparse
import json
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from reportgen.content import load_content  # noqa: E402
from reportgen.model import Period  # noqa: E402

PAGE = """#set page(paper: "a4", margin: (top: 37mm, bottom: 35mm, left: 28mm, right: 26mm),
  footer: context align(center, text(size: 14pt)[— #counter(page).display() —]))
#set text(font: ("Liberation Serif", "Noto Serif CJK SC"), size: 16pt, lang: "zh", region: "cn")
#set par(leading: 13pt, spacing: 13pt, first-line-indent: (amount: 2em, all: true), justify: true)
"""
FACES = {1: "Noto Sans CJK SC", 2: "LXGW WenKai"}  # 黑体 for 一、, 楷体 for （一）; deeper levels in the body face


def string(text: str) -> str:
    """A Typst string literal, shown as text (no markup)."""
    return "#" + json.dumps(re.sub(r"\*\*|__|\*", "", text), ensure_ascii=False)


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def node(n, out: list[str]) -> None:
    title = n.marker.get("zh", "") + n.title.zh
    face = FACES.get(n.level)
    head = f'#text(font: "{face}")[{string(title)}]' if face else f"#strong[{string(title)}]"
    texts = paragraphs(n.text.zh) if n.text else []
    if n.run_in and texts:  # the title leads the first paragraph
        out.append(f"{head}{string(texts.pop(0))}")
    else:
        out.append(head)
    out.extend(string(p) for p in texts)
    for child in n.children:
        node(child, out)


def cell(value) -> str:
    if isinstance(value, Period):
        value = "—".join(f"{y}.{m}" if m else str(y) for y, m in ((value.start_year, value.start_month), (value.end_year, value.end_month)))
    return string(getattr(value, "zh", None) or ("" if value is None else str(value)))


def source(content_dir: Path) -> str:
    plan = load_content(content_dir).plans[0]
    out = [PAGE, f'#align(center, text(font: "Noto Serif CJK SC", weight: "bold", size: 22pt)[{string(plan.meta.title.zh)}])', ""]
    if plan.preamble:
        out += [string(p) for p in paragraphs(plan.preamble.zh)]
    for n in plan.sections:
        node(n, out)
    for table in plan.attachments:
        columns = [c.key for c in table.columns]
        flipped = "true" if table.orientation == "landscape" else "false"
        out.append(f"#set page(flipped: {flipped})\n#pagebreak()\n#text(font: \"Noto Sans CJK SC\")[{string(f'附件{table.number}')}]")
        out.append(f'#align(center, text(font: "Noto Serif CJK SC", size: 18pt)[{string(table.title.zh)}])')
        header = ", ".join(f"[{string(c.label.zh)}]" for c in table.columns)
        rows = ",\n  ".join(", ".join(f"[{cell(row.cells.get(k))}]" for k in columns) for row in table.rows)
        out.append(f"#set text(size: 10.5pt)\n#set par(first-line-indent: 0em, justify: false)\n"
                   f"#table(columns: {len(columns)}, inset: 4pt, table.header({header}),\n  {rows})")
    return "\n\n".join(out) + "\n"


def timed(command: list[str]) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def pages(pdf: Path) -> int:
    import pdfplumber

    with pdfplumber.open(pdf) as doc:
        return len(doc.pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--typst-python", required=True, help="the Python of a virtual environment with the `typst` package")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        plan = Path(tmp) / "plan"  # the plan alone, as bench/aims.py builds it
        shutil.copytree(ROOT / "content", plan, ignore=shutil.ignore_patterns("notice.yaml", "bulletins.yaml", "progress"))
        typ, pdf = Path(tmp) / "plan.typ", Path(tmp) / "plan.pdf"
        typ.write_text(source(plan), encoding="utf-8")
        compile_ = [args.typst_python, "-c", "import sys, typst; typst.compile(sys.argv[1], output=sys.argv[2])", str(typ), str(pdf)]
        build = [sys.executable, str(ROOT / "build.py"), "--content", str(plan), "--out", str(Path(tmp) / "out"), "--lang", "zh", "--format", "pdf", "--force"]
        for name, command, count in (("typst", compile_, lambda: pages(pdf)),
                                     ("reportgen", build, lambda: sum(pages(p) for p in (Path(tmp) / "out").glob("*.pdf")))):
            times = [timed(command) for _ in range(args.runs)]
            wall, cpu = statistics.median(t for t, _ in times), statistics.median(c for _, c in times)
            print(f"{name:<10} wall {wall:6.2f} s  cpu {cpu:6.2f} s  {count()} pages  (median of {args.runs})")
            print(f"    {' '.join(command)}")


if __name__ == "__main__":
    main()
