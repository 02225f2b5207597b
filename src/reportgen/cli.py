"""Command line: parse arguments, run a command, turn known errors into messages and exit codes."""
from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

from . import __version__
from .errors import EXIT_INTERNAL, EXIT_INTERRUPTED, EXIT_STATUSES, EXIT_USAGE, REFUSALS, ContentError, Location, Problem, ReportgenError, display_path, refused
from .inputs import read_bytes
from .messages import _, ngettext
from .model import LANGS
from .schemas import KINDS
from .templates import OFFICE_FOLDER, PACKAGE_TEMPLATES

JOBS_VARIABLE = "REPORTGEN_JOBS"  # the default of build -j: a CI runner or a small machine sets it once
DEFAULT_CONTENT = "the current folder if it holds content documents, else ./content"
CONTENT_KIND = re.compile(rb"^(?:\xef\xbb\xbf)?kind\s*:", re.MULTILINE)  # a content document's top-level key (a BOM allowed)


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="reportgen", description="Build policy documents (GB/T 9704) from structured content.",
                                  epilog=exit_statuses(), formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"reportgen {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(p: argparse.ArgumentParser, positional: bool = True) -> None:
        """The content and templates folders of a command."""
        if positional:
            p.add_argument("folder", nargs="?", type=Path, metavar="CONTENT", help=f"content folder (default: {DEFAULT_CONTENT})")
        p.add_argument("--content", type=Path, help="content folder" + (", as CONTENT" if positional else f" (default: {DEFAULT_CONTENT})"))
        p.add_argument("--templates", type=Path, default=PACKAGE_TEMPLATES,
                       help=f"templates folder (default: the templates installed with reportgen); files in the content's {OFFICE_FOLDER}/ folder take precedence")

    b = sub.add_parser("build", help="build every document into the output folder", description="Validate the content, then write DOCX and PDF for every document and language whose inputs changed since it was built, and output/manifest.json (docs/performance.md).")
    common(b)
    b.add_argument("--out", type=Path, default=Path("output"), help="output folder (default: ./output)")
    b.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable; default: all)")
    b.add_argument("--format", choices=("pdf", "docx"), action="append", help="only this format (repeatable; default: all)")
    b.add_argument("--quarter", type=quarter_arg, help="only the progress bulletins of this quarter, e.g. 2020Q2")
    workers = b.add_mutually_exclusive_group()
    workers.add_argument("-j", "--jobs", type=int, metavar="N", help=f"build in N worker processes (1: in this process; 0: one per CPU; default: ${JOBS_VARIABLE}, else 0)")
    workers.add_argument("--scheduler", metavar="ADDRESS", help="build on the workers of the Dask cluster whose scheduler is at ADDRESS, "
                                                                "e.g. tcp://127.0.0.1:8786 (docs/performance.md, \"Scale-out\")")
    b.add_argument("--force", action="store_true", help="rebuild every file, even those whose inputs have not changed")
    b.add_argument("--strict", action="store_true", help="fail when a segment's translation is not translated or approved (instead of marking the English as DRAFT), "
                                                         "a word does not fit a line of the PDF, or no font has a character (instead of warning)")
    c = sub.add_parser("check", help="validate the content and templates; write nothing", description="Load and validate the content and render every document's HTML in memory; report every problem; write nothing.")
    common(c)
    f = sub.add_parser("fonts", help="show which installed font serves each official font role",
                       description="Show which font serves each font role (templates/fonts.yaml): an official font installed on this machine "
                                   "or in the content's fonts folder (<content>/fonts/), else a free substitute.")
    common(f)
    v = sub.add_parser("preview", help="show the documents in the browser as they are edited",
                       description="Serve a page on 127.0.0.1 (this machine only) that lists the documents and shows the one chosen, "
                                   "rebuilt and reloaded after every change of the content or templates; an invalid edit shows its problems there. "
                                   "Builds into a temporary folder, never output/. Ctrl-C stops it (exit status 0).")
    common(v)
    v.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765; 0: any free port)")
    v.add_argument("--lang", choices=LANGS, action="append", help="only this language (repeatable; default: all)")
    n = sub.add_parser("new", help="start a new content folder that builds at once",
                       description="Write a small, commented content folder (a plan with two heading levels, one table "
                                   "from a CSV with Chinese headers, one quarter of progress) into FOLDER, which must be new or empty.")
    n.add_argument("folder", type=Path, metavar="FOLDER", help="the new content folder")
    s = sub.add_parser("schema", help="write the JSON Schema of the content format (for editors)",
                       description="Write the JSON Schema of a content document (any kind, chosen by its `kind:`), or of one file kind; "
                                   "with --output-dir, every schema as <kind>.schema.json (docs/schemas/).")
    s.add_argument("kind", nargs="?", choices=sorted(KINDS), help="one file kind (default: any content document)")
    s.add_argument("-o", "--output", type=Path, help="write to this file instead of standard output")
    s.add_argument("--output-dir", type=Path, help="write every schema into this folder")
    add_publishing_commands(sub, common)
    add_i18n_commands(sub, common)
    return top


def exit_statuses() -> str:
    """The table of exit statuses for --help (in English, as --help is), from errors.EXIT_STATUSES."""
    rows = [f"  {status:<5}{meaning}" for status, meaning in EXIT_STATUSES.items()]
    return "\n".join(["exit statuses (a failed command leaves output/ as it was):", *rows])


def add_publishing_commands(sub, common) -> None:
    """publish, verify, site: editions of built files and their index (docs/publishing.md)."""
    out_help = "output folder holding manifest.json, editions/ and site/ (default: ./output)"
    p = sub.add_parser("publish", help="copy built files into an immutable edition, then rewrite the site",
                       description="Copy the built files of an edition (YYYY: the year's plan documents; YYYYQn: the quarter's bulletins) "
                                   "into output/editions/<edition>/ with edition.json, then rewrite output/site/. Never builds: run `python build.py` first.")
    common(p)
    p.add_argument("--out", type=Path, default=Path("output"), help=out_help)
    p.add_argument("--edition", required=True, type=edition_arg, help="2020 (the year's plan documents) or 2020Q2 (the quarter's bulletins)")
    p.add_argument("--force", action="store_true", help="replace a published edition whose files differ; the earlier files move to superseded/<n>/")
    v = sub.add_parser("verify", help="re-check the checksums and sizes of published editions",
                       description="Check every file of an edition (and of its superseded revisions) against edition.json: present, same size, same sha256, nothing added.")
    v.add_argument("editions", nargs="*", type=edition_arg, metavar="EDITION", help="e.g. 2020Q2 (default: every published edition)")
    v.add_argument("--out", type=Path, default=Path("output"), help=out_help)
    w = sub.add_parser("site", help="write the publication index and the bulletins' Atom feed into output/site/",
                       description="Write output/site/index.html (Chinese), output/site/en/index.html (English) and output/site/bulletins.atom from the published editions.")
    common(w)
    w.add_argument("--out", type=Path, default=Path("output"), help=out_help)


def edition_arg(text: str) -> str:
    from .publish import check_edition_name

    try:
        return check_edition_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def quarter_arg(text: str) -> str:
    if not re.fullmatch(r"\d{4}Q[1-4]", text):
        raise argparse.ArgumentTypeError(_("expected a quarter such as 2020Q2, got {text!r}").format(text=text))
    return text


def usage_problem(args: argparse.Namespace) -> str | None:
    """What in the command line or the environment no command can work with: a path with a NUL
    byte (no file system has one), a SOURCE_DATE_EPOCH that is not a whole number of seconds."""
    for name, value in vars(args).items():
        if isinstance(value, (str, Path)) and "\0" in str(value):
            return _("{option}: a path cannot contain a NUL byte").format(option=name)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is not None and not epoch.isdigit():
        return _("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01 (as `date +%s` prints), got {value!r}").format(value=epoch)
    return None


def main(argv: list[str] | None = None) -> int:
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:
        return EXIT_USAGE if exc.code not in (0, None) else 0
    usage = usage_problem(args)
    if usage:
        print(f"reportgen: {usage}", file=sys.stderr)
        return EXIT_USAGE
    if "content" in vars(args):
        if getattr(args, "folder", None) and args.content:
            print(_("reportgen: give the content folder once: as CONTENT or as --content"), file=sys.stderr)
            return EXIT_USAGE
        args.content = getattr(args, "folder", None) or args.content or found_content()
        if args.content is None and args.command != "site":  # the site needs no content: it may only override templates
            print(_("reportgen: no content here: neither . nor ./content holds a content document (a *.yaml file with `kind:`); "
                    "give the content folder (reportgen {command} CONTENT)").format(command=args.command), file=sys.stderr)
            return EXIT_USAGE
    for folder in ("content", "templates", "out"):  # absolute: caches and worker processes key on them
        if getattr(args, folder, None) is not None:
            setattr(args, folder, getattr(args, folder).absolute())
    templates = getattr(args, "templates", None)
    if templates is not None and not (templates / "strings.yaml").is_file():
        print(_("reportgen: {folder} is not a templates folder (no strings.yaml); give --templates").format(folder=display_path(templates)), file=sys.stderr)
        return EXIT_USAGE
    try:
        if getattr(args, "content", None) is not None and not holds_content(args.content):  # before any walk of it: it may be /
            raise ContentError([Problem(Location(args.content), _("no content: no content document (a *.yaml file with `kind:`) at the top of this folder; "
                                                                  "give the content folder"))])
        return run(args)
    except ReportgenError as exc:
        problems = list(dict.fromkeys(exc.problems))  # once each, when two checks find the same
        for problem in problems:
            print(problem, file=sys.stderr)
        count = len(problems)
        print(ngettext("reportgen: {count} problem; nothing was written", "reportgen: {count} problems; nothing was written", count).format(count=count), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(_("reportgen: interrupted; output/ is unchanged"), file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug, not bad input: say so, without a traceback unless asked
        if os.environ.get("REPORTGEN_DEBUG"):
            raise
        print(f"reportgen: internal error: {type(exc).__name__}: {exc}; output/ is unchanged. "
              "Please report it with the command; REPORTGEN_DEBUG=1 shows the traceback.", file=sys.stderr)
        return EXIT_INTERNAL


def run(args: argparse.Namespace) -> int:
    """The command; what the file system refuses (errors.REFUSALS) is reported as the environment's,
    at the path it names or else at what the command writes."""
    commands = {"build": run_build, "check": run_check, "fonts": run_fonts, "new": run_new, "preview": run_preview, "schema": run_schema}
    commands.update(publish=run_publish, verify=run_verify, site=run_site)
    commands.update(i18n=run_i18n)
    try:
        return commands[args.command](args)
    except OSError as exc:
        if exc.errno not in REFUSALS:
            raise
        written = (getattr(args, name, None) for name in ("output", "output_dir", "out", "folder", "content"))
        raise refused(exc, next((path for path in written if path is not None), None)) from None


def found_content() -> Path | None:
    """The default content folder: the current folder when it holds a content document, else
    ./content when it does."""
    return next((folder for folder in (Path("."), Path("content")) if holds_content(folder)), None)


def holds_content(folder: Path) -> bool:
    """Whether `folder` holds a content document: a *.yaml file with a top-level `kind:`, read as
    content files are (inside the folder, within the size limit), as bytes, without YAML: the fast
    path of `build` stays fast."""
    def is_document(path: Path) -> bool:
        try:
            return bool(CONTENT_KIND.search(read_bytes(path, folder)))
        except ContentError:
            return False  # the build names what is wrong with it, if the folder holds content

    return any(is_document(path) for path in folder.glob("*.yaml"))


def jobs_of(args: argparse.Namespace) -> int:
    """The build's worker processes: -j, else $REPORTGEN_JOBS, else 0 (one per CPU); -1 when the
    variable is not a number."""
    if args.jobs is not None:
        return args.jobs
    setting = os.environ.get(JOBS_VARIABLE, "").strip() or "0"
    return int(setting) if re.fullmatch(r"\d{1,4}", setting, re.ASCII) else -1


def run_build(args: argparse.Namespace) -> int:
    from .output import FORMATS, build_options, up_to_date  # standard library only: the fast path stays fast

    def files(n: int) -> str:
        return ngettext("{count} file", "{count} files", n).format(count=n)

    started = time.perf_counter()
    langs, formats = tuple(args.lang or LANGS), tuple(args.format or FORMATS)
    jobs = jobs_of(args)
    if jobs < 0:
        print(_("reportgen build: -j/--jobs and ${variable} must be 0 (one per CPU) or more").format(variable=JOBS_VARIABLE), file=sys.stderr)
        return EXIT_USAGE
    fresh = None if args.force or args.strict else up_to_date(args.content, args.templates, args.out, build_options(langs, formats, args.quarter))
    if fresh is not None:
        print(_("nothing to do: {files} up to date in {folder} ({seconds:.2f} s)").format(files=files(fresh), folder=display_path(args.out), seconds=time.perf_counter() - started))
        return 0

    from rich.progress import Progress

    from .build import build
    from .fonts import role_report, substitute_warnings

    with Progress(transient=True) as progress:
        task = progress.add_task(_("building"), total=None)
        entries = build(
            args.content,
            args.out,
            args.templates,
            langs,
            formats,
            step=lambda name: progress.update(task, description=_("wrote {path}").format(path=name)),
            quarter=args.quarter,
            force=args.force,
            jobs=jobs,
            strict=args.strict,
            scheduler=args.scheduler,
        )
    elapsed = time.perf_counter() - started
    for warning in (*entries.content_warnings, *entries.warnings, *entries.output_warnings):
        print(warning, file=sys.stderr)
    if entries.warnings:
        count = len(entries.warnings)
        print(ngettext("reportgen: {count} segment not translated or approved: its English documents are marked DRAFT (--strict refuses)",
                       "reportgen: {count} segments not translated or approved: their English documents are marked DRAFT (--strict refuses)",
                       count).format(count=count), file=sys.stderr)
    if not entries.written:
        print(_("nothing to do: {files} up to date in {folder} ({seconds:.2f} s)").format(files=files(len(entries)), folder=display_path(args.out), seconds=elapsed))
        return 0
    for line in role_report(args.templates, args.content):
        print(_("font {role}").format(role=line))
    for warning in substitute_warnings(args.templates, args.content):  # once per build, one line per role
        print(warning, file=sys.stderr)
    for e in entries.written:
        path = display_path(args.out / e.path)
        print(ngettext("wrote {path}, {count} page", "wrote {path}, {count} pages", e.pages).format(path=path, count=e.pages) if e.pages
              else _("wrote {path}").format(path=path))
    print(_("built {files}, {up_to_date} up to date, in {seconds:.1f} s; manifest: {manifest}").format(
        files=files(len(entries.written)), up_to_date=len(entries.up_to_date), seconds=elapsed, manifest=display_path(args.out / "manifest.json")))
    return 0


def run_check(args: argparse.Namespace) -> int:
    from .build import check

    content, docs = check(args.content, args.templates)
    for warning in content.warnings:
        print(warning, file=sys.stderr)
    print(_("content ok: {plans} plan(s), {notices} notice(s), {bulletins} bulletin(s); {documents} documents render").format(
        plans=len(content.plans), notices=len(content.notices), bulletins=len(content.bulletins), documents=len(docs)))
    return 0


def run_fonts(args: argparse.Namespace) -> int:
    from .fonts import role_report

    for line in role_report(args.templates, args.content):
        print(line)
    return 0


def run_preview(args: argparse.Namespace) -> int:
    from .preview import preview

    if not 0 <= args.port <= 65535:
        print(_("reportgen preview: --port must be a port number, 0 to 65535 (0: any free port)"), file=sys.stderr)
        return EXIT_USAGE
    return preview(args.content, args.templates, tuple(args.lang or LANGS), args.port)


def run_new(args: argparse.Namespace) -> int:
    from .starter import new_project

    for path in new_project(args.folder):
        print(_("wrote {path}").format(path=display_path(path)))
    folder = display_path(args.folder)
    print(_("next: cd {folder} && reportgen build  (the documents go to {folder}/output/; the user guide: docs/用户手册.md)").format(folder=folder))
    return 0


def run_schema(args: argparse.Namespace) -> int:
    from .i18n.state import write_atomic
    from .schemas import text

    if args.output_dir:
        for kind in (None, *KINDS):
            path = args.output_dir / f"{kind or 'content'}.schema.json"
            write_atomic(path, text(kind))
            print(_("wrote {path}").format(path=display_path(path)))
    elif args.output:
        write_atomic(args.output, text(args.kind))
        print(_("wrote {path}").format(path=display_path(args.output)))
    else:
        sys.stdout.write(text(args.kind))
    return 0


def run_publish(args: argparse.Namespace) -> int:
    from .publish import publish
    from .site import write_site

    result = publish(args.out, args.content, args.edition, force=args.force, templates_dir=args.templates)
    edition, where = result.edition, display_path(result.folder)
    if result.changed:
        for f in edition["files"]:
            print(_("published {path}").format(path=display_path(result.folder / f["path"])))
        for s in edition["superseded"][-1:]:
            print(_("superseded revision {revision} kept in {folder}").format(revision=s["revision"], folder=display_path(result.folder / s["path"])))
    else:
        print(_("edition {edition} is already published with these {count} files; nothing changed").format(edition=args.edition, count=len(edition["files"])))
    index = write_site(args.out, args.templates, args.content)[0]
    summary = (_("published edition {edition} (revision {revision}, {count} files) in {folder}; site: {index}") if result.changed
               else _("unchanged: edition {edition} (revision {revision}, {count} files) in {folder}; site: {index}"))
    print(summary.format(edition=args.edition, revision=edition.get("revision", 1), count=len(edition["files"]), folder=where, index=display_path(index)))
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from .publish import EXIT_VERIFY, published_editions, verify

    names = args.editions or published_editions(args.out)
    if not names:
        print(_("no published edition in {folder}").format(folder=display_path(args.out / "editions")), file=sys.stderr)
        return EXIT_VERIFY
    failed = 0
    for name in names:
        count, revisions, problems = verify(args.out, name)
        for problem in problems:
            print(problem, file=sys.stderr)
        older = ngettext(" (and {count} superseded revision)", " (and {count} superseded revisions)", revisions).format(count=revisions) if revisions else ""
        if problems:
            failed += 1
            print(ngettext("edition {edition}: {count} problem in {files} files{older}", "edition {edition}: {count} problems in {files} files{older}",
                           len(problems)).format(edition=name, count=len(problems), files=count, older=older), file=sys.stderr)
        else:
            print(_("edition {edition}: {files} files verified{older}").format(edition=name, files=count, older=older))
    if len(names) > 1:
        print(_("{verified} of {count} editions verified").format(verified=len(names) - failed, count=len(names)))
    return EXIT_VERIFY if failed else 0


def run_site(args: argparse.Namespace) -> int:
    from .publish import published_editions
    from .site import write_site

    written = write_site(args.out, args.templates, args.content)
    for path in written:
        print(_("wrote {path}").format(path=display_path(path)))
    count = len(published_editions(args.out))
    print(ngettext("site of {count} edition in {folder}: {index}", "site of {count} editions in {folder}: {index}", count).format(
        count=count, folder=display_path(args.out / "site"), index=display_path(written[0])))
    return 0


# --- i18n: the translators' loop (src/reportgen/i18n/, docs/translation-workflow.md) -------------


def add_i18n_commands(sub, common) -> None:
    """i18n export|import|check|status|approve|tm."""
    t = sub.add_parser("i18n", help="translations: export/import XLIFF, QA checks, status, approval",
                       description="The translators' loop: every text is a segment with a state (untranslated, translated, needs-review, "
                                   "approved) recorded in content/i18n/translations.yaml. See docs/translation-workflow.md.")
    actions = t.add_subparsers(dest="i18n_command", required=True, metavar="ACTION")
    e = actions.add_parser("export", help="write every segment to an XLIFF file for a CAT tool")
    common(e)
    e.add_argument("--lang", default="en", choices=("en",), help="target language (default: en)")
    e.add_argument("-o", "--output", type=Path, required=True, help="the XLIFF file to write (e.g. en.xlf)")
    e.add_argument("--xliff-version", choices=("1.2", "2.0"), default="1.2", help="XLIFF version (default: 1.2, which every CAT tool imports)")
    e.add_argument("--source-in-target", action="store_true",
                   help="give untranslated units a copy of the Chinese as their target (state new), for tools that translate the target, such as OmegaT")
    i = actions.add_parser("import", help="merge the targets of an XLIFF file into the content files")
    i.add_argument("file", type=Path, help="the XLIFF file returned by the translator")
    common(i)
    i.add_argument("--approve", action="store_true", help="record the imported English as approved (a file returning from review)")
    i.add_argument("--skip-stale", action="store_true", help="apply the other units when some sources are stale (default: refuse the whole file)")
    c = actions.add_parser("check", help="QA checks: numbers, placeholders, brackets, glossary, consistency; exit 2 on errors")
    common(c)
    st = actions.add_parser("status", help="counts per state and document, and what needs work")
    common(st)
    a = actions.add_parser("approve", help="record the current English of segments as approved")
    common(a, positional=False)  # the positional arguments are segment ids
    a.add_argument("ids", nargs="*", metavar="SEGMENT-ID", help="segment ids to approve")
    a.add_argument("--all", action="store_true", help="approve every segment that has English")
    tm = actions.add_parser("tm", help="translation memory: export the approved segments as TMX, import a TMX into content/i18n/memory.tmx",
                            description="Export pre-fills exact matches of the memory and offers fuzzy ones. See docs/translation-workflow.md.")
    tm_actions = tm.add_subparsers(dest="tm_command", required=True, metavar="ACTION")
    te = tm_actions.add_parser("export", help="write every approved segment (zh-CN → en) to a TMX 1.4 file")
    common(te)
    te.add_argument("-o", "--output", type=Path, required=True, help="the TMX file to write (e.g. memory.tmx)")
    ti = tm_actions.add_parser("import", help="merge a TMX file (zh → en) into the project's memory, content/i18n/memory.tmx")
    ti.add_argument("file", type=Path, help="the TMX file (another office's, or a CAT tool's)")
    common(ti)


def run_i18n(args: argparse.Namespace) -> int:
    return {"export": run_i18n_export, "import": run_i18n_import, "check": run_i18n_check,
            "status": run_i18n_status, "approve": run_i18n_approve, "tm": run_i18n_tm}[args.i18n_command](args)


def run_i18n_export(args: argparse.Namespace) -> int:
    from .i18n.xliff import export

    count = export(args.content, args.templates, args.output, lang=args.lang, version=args.xliff_version, source_in_target=args.source_in_target)
    print(f"wrote {display_path(args.output)}: {count} units (XLIFF {args.xliff_version}, zh-CN → {args.lang})")
    return 0


def run_i18n_import(args: argparse.Namespace) -> int:
    from .i18n.xliff import import_

    report = import_(args.file, args.content, args.templates, skip_stale=args.skip_stale, approve=args.approve)
    for problem in report.skipped + report.findings:
        print(problem, file=sys.stderr)
    for path in report.files:
        print(f"wrote {display_path(path)}")
    print(f"imported {display_path(args.file)}: {len(report.applied)} translation(s) changed, {len(report.state_only)} state(s) changed, "
          f"{report.unchanged} unchanged, {len(report.skipped)} not applied")
    return 0


def run_i18n_check(args: argparse.Namespace) -> int:
    from .errors import EXIT_CONTENT
    from .i18n.qa import check, load_glossary
    from .i18n.segments import collect

    catalog = collect(args.content, args.templates)
    findings = check(catalog.segments, load_glossary(args.content))
    for problem in catalog.problems:
        print(problem, file=sys.stderr)
    for finding in findings:
        print(finding, file=sys.stderr)
    errors = sum(f.severity == "error" for f in findings) + sum(p.severity == "error" for p in catalog.problems)
    print(f"checked {len(catalog.segments)} segments: {errors} error(s), {len(findings) + len(catalog.problems) - errors} warning(s)")
    return EXIT_CONTENT if errors else 0


def run_i18n_status(args: argparse.Namespace) -> int:
    from .i18n.status import status_lines, translation_status

    for line in status_lines(translation_status(args.content, args.templates)):
        print(line)
    return 0


def run_i18n_approve(args: argparse.Namespace) -> int:
    from .i18n.state import approve, states_path

    if not args.all and not args.ids:
        print("reportgen i18n approve: name segment ids or pass --all", file=sys.stderr)
        return EXIT_USAGE
    approved = approve(args.content, args.templates, None if args.all else args.ids)
    print(f"approved {len(approved)} segment(s); wrote {display_path(states_path(args.content))}")
    return 0


def run_i18n_tm(args: argparse.Namespace) -> int:
    from .i18n.memory import export_tmx, import_tmx

    if args.tm_command == "export":
        count = export_tmx(args.content, args.templates, args.output)
        print(f"wrote {display_path(args.output)}: {count} approved segments (TMX 1.4, zh-CN → en)")
        return 0
    report = import_tmx(args.file, args.content)
    if report.written:
        print(f"wrote {display_path(report.written)}")
    print(f"imported {display_path(args.file)}: {report.added} added, {report.replaced} replaced, {report.unchanged} unchanged")
    return 0
