"""Incremental and parallel build timings, each `python build.py` in a fresh process, into
temporary folders, on a copy of content/:

    .venv/bin/python bench/incremental.py [--runs N] [--jobs 2]

full build (the default: a worker process per CPU), no-op build (nothing changed), a rebuild after
the latest quarter file's data changed (the files whose bytes change), and full builds with -j 1 and -j N (alternating, fresh output folders). Prints one line per
measurement; nothing here asserts a time.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(content: Path, out: Path, *options: str) -> tuple[float, str]:
    """Seconds for one `python build.py` in a fresh process, and its summary line."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "--content", str(content), "--out", str(out), *options],
        check=True, capture_output=True, text=True, cwd=ROOT,
    )
    return time.perf_counter() - started, result.stdout.strip().splitlines()[-1]


def figures(times: list[float]) -> str:
    return f"median {statistics.median(times):.2f} s of {len(times)}: {', '.join(f'{t:.2f}' for t in times)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measurement (default: 3)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes for the parallel build (default: 2)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(ROOT / "content", content)
        out = Path(tmp) / "out"

        seconds, summary = timed(content, out)
        print(f"full build (default -j):    {seconds:.2f} s  [{summary}]")

        noop = [timed(content, out) for _ in range(max(args.runs, 5))]
        print(f"no-op build:                {figures([t for t, _ in noop])}  [{noop[-1][1]}]")

        quarter = content / "progress" / "2020-Q4.csv"
        original = quarter.read_text(encoding="utf-8")
        single = []
        for run in range(1, args.runs + 1):  # a different figure each run: kp-01's year-to-date investment
            quarter.write_text(re.sub(r"^(2020Q4,kp-01,)(\d+)", lambda m, run=run: f"{m.group(1)}{int(m.group(2)) - run}", original, count=1, flags=re.MULTILINE), encoding="utf-8")
            single.append(timed(content, out))
        print(f"one quarter file changed:   {figures([t for t, _ in single])}  [{single[-1][1]}]")
        quarter.write_text(original, encoding="utf-8")

        serial, parallel = [], []
        for run in range(args.runs):  # alternating, so that a busy moment of the machine falls on both
            serial.append(timed(content, Path(tmp) / f"j1-{run}", "-j", "1")[0])
            parallel.append(timed(content, Path(tmp) / f"j{args.jobs}-{run}", "-j", str(args.jobs))[0])
        print(f"full build, -j 1:           {figures(serial)}")
        print(f"full build, -j {args.jobs}:           {figures(parallel)}")


if __name__ == "__main__":
    main()
