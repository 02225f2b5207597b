"""`reportgen preview`: a local page that shows the documents as they are edited.

The build runs in this process, again after every change of the content or templates folders
(watchfiles), so WeasyPrint, the fonts and the templates are loaded once; it is the build of
`reportgen build` (build.build), incremental as that is, into a temporary folder of its own
(output/ is never written) in two formats: the PDF, and the HTML it is made from, which the page
shows with the official CSS (a browser reads and reloads HTML in place; the PDF is a link away).
The HTML of the document on the page is built first, then its PDF and every other document. A
build that fails leaves the folder as it was: the page shows the problems, and the last good
documents stay.

The page is served on 127.0.0.1 only, to this machine's browser (requests naming another host are
refused), and fetches nothing but its own files.
"""
from __future__ import annotations

import html
import json
import re
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

from .build import Built, build
from .errors import EXIT_USAGE, Problem, ReportgenError, TemplateError, display_path
from .messages import _, language, ngettext
from .model import LANGS
from .templates import Templates

HOST = "127.0.0.1"  # this machine only: no option chooses another address
FORMATS = ("pdf", "html")  # the PDF, and the HTML the page shows
REVIEW = "zh-en"  # the review copy's language: built with both languages
SHOWN_WITH = b'<link rel="stylesheet" href="/official.css">\n<style>body { max-width: 156mm; margin: 1em auto; }</style>\n</head>'  # the type area's width
POLICY = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'self'"  # nothing from elsewhere


class CannotListen(ReportgenError):
    """The port is taken (or not this user's to open)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Shown:
    """A document on the page: its HTML and PDF in the preview's folder."""

    id: str
    kind: str
    lang: str
    title: str
    version: str  # changes when the HTML or the PDF does: the page reloads it

    @property
    def name(self) -> str:
        return f"{self.id}.{self.lang}"


class Preview:
    """What the page shows, kept by the builder (the main thread) and read by the page's requests."""

    def __init__(self, content_dir: Path, templates_dir: Path, out_dir: Path, langs: tuple[str, ...]):
        self.content_dir, self.templates_dir, self.out_dir, self.langs = content_dir, templates_dir, out_dir, langs
        self.documents: dict[str, Shown] = {}  # by name, in the page's order
        self.problems: list[str] = []  # the last build's, as `reportgen check` prints them
        self.building = False
        self.wanted: str | None = None  # the name of the document on the page: built first

    def rebuild(self) -> None:
        """Build what changed: the HTML of the document on the page first (the page shows it at
        once; its PDF takes WeasyPrint a second or more), then every document in both formats."""
        self.building = True
        try:
            wanted = self.documents.get(self.wanted or "")
            if wanted is not None:
                try:
                    self.took(self.build(LANGS if wanted.lang == REVIEW else (wanted.lang,), frozenset({wanted.id}), ("html",)))
                except ReportgenError:
                    pass  # the whole build says what is wrong
            try:
                self.took(self.build(self.langs), whole=True)
            except ReportgenError as exc:
                self.failed(list(dict.fromkeys(exc.problems)))
        finally:
            self.building = False

    def build(self, langs: tuple[str, ...], ids: frozenset[str] | None = None, formats: tuple[str, ...] = FORMATS) -> Built:
        started = time.perf_counter()
        built = build(self.content_dir, self.out_dir, self.templates_dir, langs, formats, ids=ids)
        names = sorted({f"{e.id}.{e.lang}" for e in built.written})
        if names:
            print(_("rebuilt {names} in {seconds:.2f} s").format(names=", ".join(names), seconds=time.perf_counter() - started), flush=True)
            for warning in (*built.content_warnings, *built.output_warnings):
                print(warning, file=sys.stderr, flush=True)
        return built

    def took(self, built: Built, whole: bool = False) -> None:
        """Show the built documents; a whole build replaces the list and clears the problems. A
        build of the HTML alone keeps the version's PDF part until the PDF is built."""
        sha = {(e.id, e.lang, e.format): e.sha256 for e in built}
        shown = {}
        for e in built:
            if e.format == "html":
                before = self.documents.get(f"{e.id}.{e.lang}")
                pdf = sha.get((e.id, e.lang, "pdf")) or (before.version[16:] if before else "")
                doc = Shown(e.id, e.kind, e.lang, title(self.out_dir / e.path), e.sha256[:16] + pdf[:16])
                shown[doc.name] = doc
        documents = shown if whole else {**self.documents, **shown}
        self.documents = {doc.name: doc for doc in sorted(documents.values(), key=order)}
        if whole:
            self.problems = []

    def failed(self, problems: list[Problem]) -> None:
        self.problems = [str(p) for p in problems]
        for line in self.problems:
            print(line, file=sys.stderr, flush=True)
        print(ngettext("reportgen preview: {count} problem; the page shows it, and the last good documents stay",
                       "reportgen preview: {count} problems; the page shows them, and the last good documents stay", len(problems)).format(count=len(problems)),
              file=sys.stderr, flush=True)

    def state(self) -> dict:
        """What the page polls for."""
        return {"building": self.building, "problems": self.problems, "documents": {n: {"title": d.title, "version": d.version} for n, d in self.documents.items()}}


def order(doc: Shown) -> tuple:
    """The page's list: the plan first, then the notice, the tables, the bulletins; each document's
    languages together, in the order zh, en, zh-en."""
    kinds = ("action-plan", "notice", "attachment", "bulletin")
    return (kinds.index(doc.kind) if doc.kind in kinds else len(kinds), doc.id, (*LANGS, REVIEW).index(doc.lang))


def title(path: Path) -> str:
    """The <title> of a document's HTML."""
    found = re.search(r"<title>(.*?)</title>", path.read_text(encoding="utf-8"), re.DOTALL)
    return html.unescape(found[1]).strip() if found else path.stem


def preview(content_dir: Path, templates_dir: Path, langs: tuple[str, ...], port: int) -> int:
    """Serve the page, build, and build again after each change until Ctrl-C (exit status 0: the
    preview's normal end). The temporary folder goes with it."""
    import watchfiles

    with tempfile.TemporaryDirectory(prefix="reportgen-preview-") as out:
        state = Preview(content_dir, templates_dir, Path(out), langs)
        server = listen(state, port)
        thread = threading.Thread(target=server.serve_forever, name="reportgen-preview")
        try:
            thread.start()
            url = f"http://{HOST}:{server.server_address[1]}/"
            print(_("preview of {folder} at {url} (Ctrl-C stops it)").format(folder=display_path(content_dir), url=url), flush=True)
            state.rebuild()
            for _changes in watchfiles.watch(content_dir, templates_dir, step=50):
                state.rebuild()
        except KeyboardInterrupt:
            print(_("preview stopped"), flush=True)
        finally:
            server.shutdown()
            server.server_close()
            if thread.is_alive():
                thread.join()
    return 0


def listen(state: Preview, port: int) -> ThreadingHTTPServer:
    """The page's server on 127.0.0.1:`port` (0: any free port), not yet serving."""
    try:
        server = ThreadingHTTPServer((HOST, port), Handler)
    except OSError as exc:
        raise CannotListen(_("cannot serve the preview on {host}:{port}: {reason}; give another port with --port (0: any free port)").format(
            host=HOST, port=port, reason=exc.strerror or exc)) from None
    server.preview = state
    return server


class Handler(BaseHTTPRequestHandler):
    """The page (/), its script, what it polls (/state), the documents (/doc/NAME.html, .pdf) and
    the official CSS the HTML is shown with."""

    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        state: Preview = self.server.preview
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if self.headers.get("Host") not in {f"{name}:{self.server.server_address[1]}" for name in (HOST, "localhost")}:
            return self.send(421, "text/plain; charset=utf-8", b"")  # another name for this address (DNS rebinding)
        if url.path == "/":
            return self.send(200, "text/html; charset=utf-8", page(state, query.get("doc")).encode())
        if url.path == "/preview.js":
            return self.send(200, "text/javascript; charset=utf-8", SCRIPT.encode())
        if url.path == "/state":
            state.wanted = query.get("doc")
            return self.send(200, "application/json", json.dumps(state.state(), ensure_ascii=False).encode())
        if url.path == "/official.css":
            try:
                return self.send(200, "text/css; charset=utf-8", Templates(state.templates_dir, state.content_dir).read_bytes("css/official.css"))
            except TemplateError:
                return self.send(404, "text/plain; charset=utf-8", b"")
        found = re.fullmatch(r"/doc/(.+)\.(html|pdf)", url.path)
        if found and found[1] in state.documents:
            body = (state.out_dir / f"{found[1]}.{found[2]}").read_bytes()
            if found[2] == "html":
                return self.send(200, "text/html; charset=utf-8", body.replace(b"</head>", SHOWN_WITH, 1))
            return self.send(200, "application/pdf", body)
        return self.send(404, "text/plain; charset=utf-8", b"")

    def send(self, status: int, media_type: str, body: bytes) -> None:
        self.send_response(status)
        for name, value in (("Content-Type", media_type), ("Content-Length", str(len(body))), ("Cache-Control", "no-store"),
                            ("Content-Security-Policy", POLICY), ("X-Content-Type-Options", "nosniff")):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        """Requests are not logged: the terminal shows the builds."""


def page(state: Preview, wanted: str | None) -> str:
    """The page: the documents' list, the problems of the last build, and the document `wanted`
    (by name; default the first of the list) with a link to its PDF."""
    names = list(state.documents)
    shown = wanted if wanted in state.documents else next(iter(names), "")
    items = "\n".join(
        f'<li><a href="/?doc={quote(n)}"{" aria-current=page" if n == shown else ""}>{html.escape(d.title)}</a> <small>{d.lang}</small></li>'
        for n, d in state.documents.items()
    )
    e = html.escape
    words = {"title": _("reportgen preview"), "documents": _("Documents"), "pdf": _("open the PDF"), "building": _("building…"),
             "stopped": _("the preview has stopped: start it again with reportgen preview"),
             "problems": _("The content has problems: the documents are the last good ones")}
    t = {key: e(text) for key, text in words.items()}  # out of the f-strings, which the catalogue's extraction does not read
    document = (f'<p><a href="/doc/{quote(shown)}.pdf" type="application/pdf" target="_blank">{t["pdf"]}</a></p>\n'
                f'<iframe id="document" title="{e(state.documents[shown].title)}" src="/doc/{quote(shown)}.html"></iframe>') if shown else ""
    return f"""<!DOCTYPE html>
<html lang="{language()}">
<head>
<meta charset="utf-8">
<title>{t['title']}</title>
<style>
body {{ margin: 0; display: flex; height: 100vh; font-family: sans-serif; }}
nav {{ width: 18em; overflow: auto; padding: 0 1em; background: #f4f4f4; }}
main {{ flex: 1; display: flex; flex-direction: column; padding: 0 1em; }}
iframe {{ flex: 1; width: 100%; border: 1px solid #ccc; }}
#problems pre {{ white-space: pre-wrap; color: #a00; }}
[aria-current] {{ font-weight: bold; }}
</style>
<script src="/preview.js" defer></script>
</head>
<body data-shown="{e(shown)}" data-names="{e(" ".join(names))}" data-version="{e(state.documents[shown].version) if shown else ""}"
      data-building="{t['building']}" data-stopped="{t['stopped']}">
<nav>
<h1>{t['documents']}</h1>
<ul>
{items}
</ul>
</nav>
<main>
<p id="status" role="status">{t['building'] if state.building or not names else ""}</p>
<section id="problems"{"" if state.problems else " hidden"}>
<h2>{t['problems']}</h2>
<pre>{e(chr(10).join(state.problems))}</pre>
</section>
{document}
</main>
</body>
</html>
"""


SCRIPT = """// Polls the preview for its state: reloads the document when it changes, shows the problems.
const body = document.body, frame = document.getElementById("document");
const problems = document.getElementById("problems"), status = document.getElementById("status");
let version = body.dataset.version;

async function poll() {
  try {
    const response = await fetch("/state?doc=" + encodeURIComponent(body.dataset.shown), {cache: "no-store"});
    const state = await response.json();
    if (Object.keys(state.documents).join(" ") !== body.dataset.names) {
      location.reload();
      return;
    }
    problems.hidden = state.problems.length === 0;
    problems.querySelector("pre").textContent = state.problems.join("\\n");
    status.textContent = state.building ? body.dataset.building : "";
    if (frame) {
      frame.hidden = state.problems.length > 0;
      const shown = state.documents[body.dataset.shown];
      if (shown.version !== version) {
        version = shown.version;
        frame.src = "/doc/" + encodeURIComponent(body.dataset.shown) + ".html?v=" + version;
      }
    }
  } catch (error) {
    status.textContent = body.dataset.stopped;
  }
  setTimeout(poll, 300);
}
poll();
"""
