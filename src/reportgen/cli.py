"""Command line: parse arguments, run a command, turn known errors into messages and exit codes."""
from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

from . import __version__
from .errors import EXIT_USAGE, ReportgenError, display_path
from .model import LANGS

PROJECT = Path.cwd()


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="reportgen", description="Build policy documents (GB/T 9704) from structured content.")
    top.add_argument("--version", action="version", version=f"reportgen {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--content", type=Path, default=PROJECT / "content", help="content folder (default: ./content)")
        p.add_argument("--templates", type=Path, default=PROJECT / "templates", help="templates folder (default: ./templates)")

    b = sub.add_parser("build", help="build every document into the output folder", description="Validate the content, then write DOCX and PDF for every document and language, and output/manifest.json.")
    common(b)
    b.add_argument("--out", type=Path, default=PROJECT / "output", help="output folder (default: ./output)")
    b.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable; default: all)")
    b.add_argument("--format", choices=("pdf", "docx"), action="append", help="only this format (repeatable; default: all)")
    b.add_argument("--quarter", type=quarter_arg, help="only the progress bulletins of this quarter, e.g. 2020Q2")
    c = sub.add_parser("check", help="validate the content and templates; write nothing", description="Load and validate the content and render every document's HTML in memory; report every problem; write nothing.")
    common(c)
    f = sub.add_parser("fonts", help="show which installed font serves each official font role")
    f.add_argument("--templates", type=Path, default=PROJECT / "templates", help="templates folder (default: ./templates)")
    s = sub.add_parser("schema", help="write the JSON Schema of the content format (for editors)")
    s.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    return top


def quarter_arg(text: str) -> str:
    if not re.fullmatch(r"\d{4}Q[1-4]", text):
        raise argparse.ArgumentTypeError(f"expected a quarter such as 2020Q2, got {text!r}")
    return text


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else 0
    try:
        return {"build": run_build, "check": run_check, "fonts": run_fonts, "schema": run_schema}[args.command](args)
    except ReportgenError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"reportgen: {len(exc.problems)} problem(s); nothing was written", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("reportgen: interrupted; output/ is unchanged", file=sys.stderr)
        return 130


def run_build(args: argparse.Namespace) -> int:
    from rich.progress import Progress

    from .build import FORMATS, build
    from .fonts import role_report

    started = time.perf_counter()
    with Progress(transient=True) as progress:
        task = progress.add_task("building", total=None)
        entries = build(
            args.content,
            args.out,
            args.templates,
            tuple(args.lang or LANGS),
            tuple(args.format or FORMATS),
            step=lambda name: progress.update(task, description=f"writing {name}"),
            quarter=args.quarter,
        )
    for line in role_report(args.templates):
        print(f"font {line}")
    for e in entries:
        pages = f", {e.pages} pages" if e.pages else ""
        print(f"wrote {display_path(args.out / e.path)}{pages}")
    print(f"built {len(entries)} files in {time.perf_counter() - started:.1f} s; manifest: {display_path(args.out / 'manifest.json')}")
    return 0


def run_check(args: argparse.Namespace) -> int:
    from .build import documents
    from .content import load_content
    from .render import render_html

    content = load_content(args.content)
    docs = documents(content, LANGS)
    for doc in docs:
        render_html(args.templates, doc.template, lang=doc.lang, kind=doc.kind, **doc.context)
    print(f"content ok: {len(content.plans)} plan(s), {len(content.bulletins)} bulletin(s); {len(docs)} documents render")
    return 0


def run_fonts(args: argparse.Namespace) -> int:
    from .fonts import role_report

    for line in role_report(args.templates):
        print(line)
    return 0


def run_schema(args: argparse.Namespace) -> int:
    import json

    from .model import PlanSource

    text = json.dumps(PlanSource.model_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"wrote {args.output}")
    else:
        sys.stdout.write(text)
    return 0
