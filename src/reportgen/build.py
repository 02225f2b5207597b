"""The pipeline in one function: load and validate everything, find what is out of date, render
and write it (in worker processes with `jobs` > 1), then put it in place with the manifest."""
from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from .content import Content, load_content
from .errors import EXIT_STATUSES, EXIT_TEMPFAIL, UNPLACED, ContentError, Finding, Location, Problem, ReportgenError, WriterError
from .messages import _
from .model import LANGS
from .output import FORMATS, Entry, Inputs, Staging, build_options, read_manifest, sha256
from .render import render_html
from .templates import Templates

__all__ = ["FORMATS", "Built", "Document", "build", "check", "documents"]


class WorkerKilled(ReportgenError):
    """A worker process of `build -j N` died before it finished (the kernel's out-of-memory killer,
    a signal): nothing is wrong with the content, and the next build may well succeed."""

    exit_code = EXIT_TEMPFAIL


@dataclass(frozen=True)
class Document:
    """One document in one language, ready to be rendered."""

    id: str
    kind: str
    lang: str
    template: str
    context: dict[str, Any]
    sources: tuple[Path, ...] = ()  # the content files it is made from (model: Plan.sources, Bulletin.sources)


def check(content_dir: Path, templates_dir: Path, langs: tuple[str, ...] = LANGS, ids: set[str] | None = None) -> tuple[Content, list[Document]]:
    """What `reportgen check` does: load and validate the content, and render the HTML of every
    document (of `ids` only, in `langs`) in memory; raises at the first problems found."""
    content = load_content(content_dir)
    docs = [doc for doc in documents(content, langs) if ids is None or doc.id in ids]
    for doc in docs:
        render_html(templates_dir, doc.template, content_dir=content_dir, lang=doc.lang, kind=doc.kind, **doc.context)
    return content, docs


def documents(content: Content, langs: tuple[str, ...], quarter: str | None = None, drafts: frozenset[str] = frozenset()) -> list[Document]:
    """Each notice with the plan it issues, each plan with its attachments, each attachment table
    on its own, and each bulletin;
    with `quarter` (2020Q2), only the bulletins of that quarter. English documents in `drafts`
    (their translation is not all approved) are marked as drafts."""
    out = []

    def add(doc_id: str, kind: str, template: str, context: dict, sources: tuple[Path, ...]) -> None:
        for lang in langs:
            draft = lang == "en" and doc_id in drafts
            out.append(Document(doc_id, kind, lang, template, {**context, "draft": draft}, sources))

    if not quarter:  # the few long-lived documents first: a template's mistake there shows before the bulletins are drawn
        for notice in content.notices:
            add(notice.id, "notice", "notice.html.j2", dict(notice=notice, meta=notice.meta, title=notice.meta.title), notice.sources)
        for plan in content.plans:
            add(plan.id, "action-plan", "action-plan.html.j2", dict(plan=plan, meta=plan.meta, title=plan.meta.title), plan.sources)
            for table in plan.attachments:
                add(table.id, "attachment", "attachment.html.j2", dict(plan=plan, meta=plan.meta, table=table, title=table.title), plan.sources)
    for bulletin in content.bulletins:
        if quarter in (None, f"{bulletin.year}Q{bulletin.quarter}"):
            add(bulletin.id, "bulletin", "bulletin.html.j2", dict(bulletin=bulletin, meta=None, title=bulletin.title), bulletin.sources)
    return out


def review_copies(content_dir: Path, templates_dir: Path, docs: list[Document]) -> list[Document]:
    """The bilingual review copies (kind review, and review-changes: the segments not approved; lang
    zh-en) of each notice, plan and bulletin being built."""
    from .i18n.review import review_documents

    sources = {doc.id: doc.sources for doc in docs}
    return [
        Document(copy_id, kind, "zh-en", "review.html.j2", context, sources[context["document"]])
        for copy_id, kind, context in review_documents(content_dir, templates_dir)
        if context["document"] in sources
    ]


class Built(list[Entry]):
    """The manifest entries of every file the build was asked for, and which of them it wrote (the
    others were up to date)."""

    def __init__(self, entries: list[Entry], written: list[Entry], warnings: list[Problem] = (), content_warnings: tuple[Problem, ...] = (),
                 output_warnings: list[Problem] = ()):
        super().__init__(entries)
        self.written = written
        self.warnings = list(warnings)  # segments not translated or approved
        self.content_warnings = content_warnings
        self.output_warnings = list(output_warnings)  # words that do not fit a line, characters no font has (output_warnings)

    @property
    def up_to_date(self) -> list[Entry]:
        return [e for e in self if e not in self.written]


def planned(content_dir: Path, templates_dir: Path, content: Content, langs: tuple[str, ...], quarter: str | None = None) -> list[Document]:
    """The documents a build of `langs` (one quarter's bulletins with `quarter`) makes, each with
    every file it reads: drafts marked, review copies when both languages are built."""
    from .i18n.state import draft_documents, states_path

    drafts = frozenset(draft_documents(content_dir, templates_dir)) if "en" in langs else frozenset()  # drafts are English
    docs = documents(content, langs, quarter, drafts)
    if set(LANGS) <= set(langs):
        docs += review_copies(content_dir, templates_dir, docs)
    states = states_path(content_dir)  # translation states decide drafts: every document reads them
    return [replace(doc, sources=(*doc.sources, states)) for doc in docs] if states.is_file() else docs


def build(
    content_dir: Path,
    out_dir: Path,
    templates_dir: Path,
    langs: tuple[str, ...] = LANGS,
    formats: tuple[str, ...] = FORMATS,
    step: Callable[[str], None] = lambda _: None,
    quarter: str | None = None,
    force: bool = False,
    jobs: int = 1,
    strict: bool = False,
    ids: frozenset[str] | None = None,
    scheduler: str | None = None,
) -> Built:
    """Build every document (or one quarter's bulletins, or the documents of `ids`) whose inputs
    changed since it was built into `out_dir` (with `force`, every one); nothing in `out_dir`
    changes unless every file was written. `step(name)` is called as each file is done. Segments
    whose translation is not approved or translated are warnings (errors with `strict`) when
    English documents are built; they make the English a draft. So are the writers' findings
    (output_warnings), kept in the manifest with each file they are about. With `scheduler`, the
    documents are made by the Dask cluster it schedules for (cluster.py)."""
    from .i18n.state import problems_for_build

    inputs = Inputs(content_dir, templates_dir, out_dir)  # before loading: an edit made meanwhile is seen next time
    content = load_content(content_dir)
    warnings = problems_for_build(content_dir, templates_dir) if "en" in langs else []  # about the English: not read for Chinese alone
    if strict and warnings:
        raise ContentError([Problem(w.location, _("{problem} (--strict)").format(problem=w.message)) for w in warnings])
    docs = [doc for doc in planned(content_dir, templates_dir, content, langs, quarter) if ids is None or doc.id in ids]
    if not docs:
        message = _("no documents to build for quarter {quarter}").format(quarter=quarter) if quarter else _("no documents to build")
        raise ContentError([Problem(Location(content_dir), message)])

    with Staging(out_dir) as staging:
        before = {e.path: e for e in read_manifest(out_dir)}
        entries: dict[str, Entry] = {}
        todo: list[tuple[Document, list[Entry]]] = []  # each document with the files to write (sha256 not known yet)
        for doc in docs:
            stale, model, content_files = [], inputs.of_model(doc.context), inputs.of_content(doc.sources)
            for fmt in formats:
                name = f"{doc.id}.{doc.lang}.{fmt}"
                fingerprint = inputs.of_file(model, document=doc.id, kind=doc.kind, template=doc.template, lang=doc.lang, format=fmt)
                if not force and staging.current(before.get(name), fingerprint):
                    entries[name] = replace(before[name], content=content_files)  # its content files may have changed, not what it prints
                else:
                    stale.append(Entry(doc.id, doc.kind, doc.lang, fmt, name, "", None, fingerprint, content_files))
            if stale:
                todo.append((doc, stale))

        written = {}
        for files, results in make_all(todo, staging.dir, templates_dir, jobs, content_dir, scheduler):
            for file, (digest, pages, found) in zip(files, results):
                written[file.path] = entries[file.path] = replace(file, sha256=digest, pages=pages, warnings=found or None)
                step(file.path)

        names = [f"{doc.id}.{doc.lang}.{fmt}" for doc in docs for fmt in formats]
        found = output_warnings([entries[n] for n in names], content_dir, templates_dir, out_dir)
        if strict and found:
            raise ContentError([Problem(w.location, _("{problem} (--strict)").format(problem=w.message)) for w in found])
        record = {"inputs": inputs.of_build(build_options(langs, formats, quarter, ids)), "files": sorted(names)}
        result = Built([entries[n] for n in names], [written[n] for n in names if n in written], warnings, content.warnings, found)
        staging.commit(result, result.written, record)
    return result


def make(doc: Document, files: list[tuple[str, Path]], templates_dir: Path, content_dir: Path | None = None) -> list[tuple[str, int | None, tuple[Finding, ...]]]:
    """Render one document and write it in each (format, path): the sha256, page count and findings
    of each file (characters no font has, in both formats; words that do not fit, in the PDF). The
    format "html" is the rendered HTML itself, as the PDF and DOCX writers read it (for the preview).
    Fonts in the fonts folder of `content_dir` serve the roles they are official fonts of (fonts.py)."""
    from .fonts import missing_characters

    html = render_html(templates_dir, doc.template, content_dir=content_dir, lang=doc.lang, kind=doc.kind, **doc.context)
    glyphs = [Finding("glyph", c) for c in missing_characters(html, templates_dir, content_dir)]
    out = []
    for fmt, target in files:
        if fmt == "html":  # the HTML the PDF is made from, which `reportgen preview` shows
            target.write_text(html, encoding="utf-8")
            out.append((sha256(target), None, ()))
            continue
        try:  # the writers' imports are slow: only once the content is valid, and only the formats asked for
            if fmt == "pdf":
                from .writers.pdf import write_pdf

                pages, misfit = write_pdf(html, target, templates_dir, content_dir=content_dir)
            else:
                from .writers.docx import write_docx

                pages, misfit = None, []
                write_docx(html, target, templates_dir, content_dir)
        except WriterError as exc:  # unless placed already, what the HTML or its CSS asked for: at the template
            where = Location(Templates(templates_dir, content_dir).find(doc.template))
            raise WriterError([p if p.location != UNPLACED else Problem(where, f"{target.name}: {p.message}") for p in exc.problems]) from None
        out.append((sha256(target), pages, (*glyphs, *misfit)))
    return out


def output_warnings(entries: list[Entry], content_dir: Path, templates_dir: Path, out_dir: Path) -> list[Problem]:
    """The findings of the files' writers, each at every text of the content, in the file's
    language, that the file prints and that holds the word or character (at the file when none
    does: a template's text), each once."""
    from .i18n.review import CHANGES_KIND, CHANGES_SUFFIX
    from .i18n.segments import collect, location_of

    found = [(entry, finding) for entry in entries for finding in entry.warnings or ()]
    if not found:
        return []
    segments = collect(content_dir, templates_dir).segments
    problems: dict[Problem, None] = {}
    for entry, finding in found:
        text = finding.text.removesuffix("…")
        langs = ("zh", "en") if entry.lang == "zh-en" else (entry.lang,)
        doc_id = entry.id.removesuffix(CHANGES_SUFFIX) if entry.kind == CHANGES_KIND else entry.id
        places = [location_of(s, lang, content_dir) for s in segments if doc_id in s.documents for lang in langs if text in getattr(s, lang)]
        for where in places or [Location(out_dir / entry.path)]:
            problems[finding.at(where)] = None
    return list(problems)


def make_in_worker(doc: Document, files: list[tuple[str, Path]], templates_dir: Path, content_dir: Path | None = None):
    """`make` in a worker process; a known error comes back as a value, with its located problems
    (pickling the exception itself would keep only its message)."""
    try:
        return make(doc, files, templates_dir, content_dir), None
    except ReportgenError as exc:
        return None, (type(exc), exc.problems)


def make_all(todo: list[tuple[Document, list[Entry]]], staging: Path, templates_dir: Path, jobs: int,
             content_dir: Path | None = None, scheduler: str | None = None) -> Iterator[tuple[list[Entry], list]]:
    """Each document's files written into `staging`, in this process, in `jobs` worker processes
    (0: one per CPU; at most one per two documents) or by the Dask cluster of `scheduler`
    (`executor`), as each is done.

    Workers are spawned, not forked: a fork would copy the state of fontconfig and matplotlib once
    they are loaded, and a fresh process costs about the same as a fork server with two workers.
    Each worker is given the content folder: its PDF writer points FONTCONFIG_FILE at the same
    generated file (named by its text) as this process would, the content's fonts folder included."""
    def targets(files: list[Entry]) -> list[tuple[str, Path]]:
        return [(f.format, staging / f.path) for f in files]

    jobs = min(jobs or cpus(), len(todo) // 2)  # a worker's start (its imports) costs about two documents' work
    if jobs <= 1 and not (scheduler and todo):
        for doc, files in todo:
            yield files, make(doc, targets(files), templates_dir, content_dir)
        return

    pool = executor(jobs, scheduler, templates_dir, content_dir, staging.parent)
    try:
        futures = {pool.submit(make_in_worker, doc, targets(files), templates_dir, content_dir): files for doc, files in todo}
        for future in as_completed(futures):
            try:
                results, failure = future.result()
            except BrokenProcessPool:
                unblock_feeder(pool)
                raise WorkerKilled([Problem(Location(staging.parent), _(EXIT_STATUSES[EXIT_TEMPFAIL]))]) from None
            if failure:
                kind, problems = failure
                raise kind(problems)
            yield futures[future], results
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def cpus() -> int:
    """The CPUs this process may run on: its affinity, as taskset or a container limits it."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def executor(jobs: int, scheduler: str | None, templates_dir: Path, content_dir: Path | None, out_dir: Path) -> Executor:
    """Where documents are made: `jobs` local worker processes, or the workers of the Dask cluster
    whose scheduler is at `scheduler` once they are found to have this machine's environment."""
    if scheduler:
        from .cluster import connect

        return connect(scheduler, templates_dir, content_dir, out_dir)
    import multiprocessing

    return ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn"), initializer=watch_parent, initargs=(os.getpid(),))


def unblock_feeder(pool: ProcessPoolExecutor) -> None:
    """After a worker was killed: the executor's feeder thread may be writing a document that no
    worker will read, and shutdown() would wait for it forever. CPython closes the queue's reader
    itself since the fix of gh-94777 (not in Debian 12's Python 3.11.2); where it does not, this
    does, and the write fails instead of blocking. Never both: two closes of one pipe race."""
    import inspect
    from concurrent.futures.process import _ExecutorManagerThread

    if "call_queue._reader.close()" not in inspect.getsource(_ExecutorManagerThread.terminate_broken):
        pool._call_queue._reader.close()


def watch_parent(parent: int) -> None:
    """In a worker: exit as soon as the build that started it is gone. A killed build's workers
    would otherwise finish their queued documents and then wait for work forever."""
    import threading
    import time

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()
