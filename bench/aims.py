"""The speed figures of issue 14 against its aims, each the median of whole processes, wall-clock
and CPU (user + sys of the process and its workers), on copies of content/:

    .venv/bin/python bench/aims.py [--runs 5] [--only plan full quarter preview]

plan      `reportgen build --lang zh --format pdf --force` of the plan alone (a copy of content/
          without the notice, the bulletins and their data: the plan and its table, 10 pages)
full      `reportgen build --force -j 2` of every seed document (52 files: 26 documents, PDF and DOCX)
quarter   `reportgen build` (-j 1 and -j 2) after the latest quarter's data changed (its bulletin
          in both languages and its two review copies, 8 files)
preview   the warm rebuild of `reportgen preview --lang zh` after a one-paragraph edit of
          plan.yaml, in one process kept warm: the Chinese plan's HTML, which the page shows
          (the preview's first step), and that with the plan's PDF

The CPU time is the figure to compare when other work runs on the machine (the wall clock
grows with the load); the load average is printed with the figures. Nothing asserts a time.
"""
from __future__ import annotations

import argparse
import os
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
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}

WARM = """
import sys, time
from pathlib import Path
from reportgen.preview import Preview
content, out, runs = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
plan = content / "plan.yaml"
text = plan.read_text(encoding="utf-8")
state = Preview(content, Path(sys.argv[4]), out, ("zh",))
state.build(("zh",))  # the first build, as the preview starts
for run in range(runs + 1):  # the first edit warms what only an edit needs
    plan.write_text(text.replace("preamble:\\n  zh: >-\\n    ", f"preamble:\\n  zh: >-\\n    {run}", 1), encoding="utf-8")
    wall, cpu = time.perf_counter(), time.process_time()
    built = state.build(("zh",), frozenset({"action-plan"}), ("html",))  # what the page shows: Preview.rebuild's first step
    assert [e.path for e in built.written] == ["action-plan.zh.html"], built.written
    html = time.perf_counter() - wall, time.process_time() - cpu
    built = state.build(("zh",), frozenset({"action-plan"}))  # its PDF (the whole build makes it next)
    assert [e.path for e in built.written] == ["action-plan.zh.pdf"], built.written
    if run:
        print(f"{html[0]:.3f} {html[1]:.3f} {time.perf_counter() - wall:.3f} {time.process_time() - cpu:.3f}", file=sys.stderr)
"""


def timed(*args: str) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one `python -m reportgen ARGS` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reportgen", *args], check=True, capture_output=True, env=ENV)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def report(name: str, aim: float, command: str, times: list[tuple[float, float]]) -> None:
    wall, cpu = statistics.median(t for t, _ in times), statistics.median(c for _, c in times)
    load = os.getloadavg()[0]
    print(f"{name:<34} wall {wall:6.2f} s  cpu {cpu:6.2f} s  aim {aim:4.1f} s  (median of {len(times)}, load {load:.1f})")
    print(f"    {command}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each measurement (default: 5)")
    parser.add_argument("--only", nargs="+", choices=("plan", "full", "quarter", "preview"), default=("plan", "full", "quarter", "preview"))
    args = parser.parse_args()
    runs = range(args.runs)
    templates = str(ROOT / "src" / "reportgen" / "templates")
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        out = str(Path(tmp) / "out")

        if "plan" in args.only:
            plan = Path(tmp) / "plan"
            shutil.copytree(content, plan, ignore=shutil.ignore_patterns("notice.yaml", "bulletins.yaml", "progress"))
            command = ["build", str(plan), "--out", out + "-plan", "--lang", "zh", "--format", "pdf", "--force"]
            report("plan alone, zh PDF, fresh process", 1.5, f"reportgen {' '.join(command)}", [timed(*command) for _ in runs])

        if "full" in args.only:
            command = ["build", str(content), "--out", out, "--force", "-j", "2"]
            report("every seed document, -j 2", 8, f"reportgen {' '.join(command)}", [timed(*command) for _ in runs])

        if "quarter" in args.only:
            quarter = content / "progress" / "2020-Q4.csv"
            original = quarter.read_text(encoding="utf-8")
            timed("build", str(content), "--out", out)  # up to date before the first edit
            for jobs in ("1", "2"):
                times = []
                for run in range(1, args.runs + 1):  # a different figure each run: kp-01's year-to-date investment
                    quarter.write_text(re.sub(r"^(2020Q4,kp-01,)(\d+)", lambda m, d=run * int(jobs): f"{m.group(1)}{int(m.group(2)) - d}", original,
                                              count=1, flags=re.MULTILINE), encoding="utf-8")
                    times.append(timed("build", str(content), "--out", out, "-j", jobs))
                report(f"one edited quarter, -j {jobs}", 2, f"edit progress/2020-Q4.csv; reportgen build {content} --out {out} -j {jobs}", times)
            quarter.write_text(original, encoding="utf-8")

        if "preview" in args.only:
            result = subprocess.run([sys.executable, "-c", WARM, str(content), out + "-preview", str(args.runs), templates],
                                    check=True, capture_output=True, text=True, env=ENV)
            times = [tuple(map(float, line.split())) for line in result.stderr.splitlines() if re.fullmatch(r"[\d.]+ [\d.]+ [\d.]+ [\d.]+", line)]
            command = "reportgen preview --lang zh; edit the preamble of plan.yaml"
            report("warm preview, plan's HTML on page", 0.5, f"{command}: build(ids={{'action-plan'}}, formats=('html',))", [t[:2] for t in times])
            report("warm preview, and the plan's PDF", 0.5, f"{command}: the same, then build(ids={{'action-plan'}}) (pdf)", [t[2:] for t in times])


if __name__ == "__main__":
    main()
