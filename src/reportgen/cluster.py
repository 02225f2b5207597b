"""`reportgen build --scheduler ADDRESS`: documents made by the workers of a Dask distributed
cluster, through its concurrent.futures executor, instead of local worker processes.

Workers read the content and templates folders at the same paths as this machine (a shared file
system, or the same copy of the project at the same place) and send back the bytes of each file;
this process writes them into the staging folder, so that output/ is put in place by one process,
as with -j. Every worker must have this machine's environment (`environment`): the same code and
versions, the same fonts, the same content and templates. Each is asked before any document is
sent, and each document is checked again where it is made (a worker may join, or restart, later).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import hashlib
import importlib.metadata
import platform
import tempfile
from concurrent.futures import CancelledError, Executor, Future
from functools import cache
from pathlib import Path

from . import __version__
from .build import WorkerKilled
from .errors import EXIT_UNAVAILABLE, UNPLACED, Location, Problem, ReportgenError
from .fonts import fc_list, folder_fonts, resolve_roles, split_families
from .messages import _
from .output import PACKAGE, fingerprint, sha256, tree_digests
from .templates import Templates

# The packages whose version changes the bytes of a file, and the system libraries WeasyPrint lays
# text out with (name: the library and its function returning the version as a string).
PACKAGES = ("weasyprint", "pydyf", "fonttools", "pillow", "tinycss2", "python-docx", "python-pptx", "xlsxwriter", "matplotlib",
            "jinja2", "markdown", "lxml", "pandas", "numpy")
LIBRARIES = {"Pango": ("pango-1.0", "pango_version_string"), "HarfBuzz": ("harfbuzz", "hb_version_string")}


class ClusterUnavailable(ReportgenError):
    """The cluster cannot build: distributed is not installed, no scheduler answers, no worker, or a
    worker's environment differs from this machine's."""

    exit_code = EXIT_UNAVAILABLE


def software() -> dict[str, str | None]:
    """What must be the same on the scheduler as here, by name (None: missing), since it unpickles
    the documents sent: reportgen (its version and code), Python, and the packages of PACKAGES."""
    code = fingerprint(tree_digests(PACKAGE, "*.py"))[:12]
    return {"reportgen": f"{__version__} (code {code})", "Python": platform.python_version()} | {name: installed(name) for name in PACKAGES}


def environment(templates_dir: Path, content_dir: Path, out_dir: Path) -> dict[str, str | None]:
    """What must be the same on every worker as here, by name (None: missing): the software, the
    libraries of LIBRARIES, the font each official name is served by and the sha256 of each file of
    those fonts, and the content and templates folders (the sha256 of their files; the output
    folder left out)."""
    found = software() | {name: library_version(*library) for name, library in LIBRARIES.items()}
    roles = resolve_roles(templates_dir, content_dir)
    found |= {font.official: font.served_by for font in roles}
    families = {font.served_by for font in roles}
    files = [Path(f) for names, tab, f in (line.partition("\t") for line in fc_list("%{family}\t%{file}")) if split_families([names]) & families]
    found |= {str(path): file_digest(path, path.stat().st_mtime_ns) for path in sorted({*files, *folder_fonts(content_dir)})}
    for folder in (content_dir, *Templates(templates_dir, content_dir).folders):
        found[str(folder)] = "sha256 " + fingerprint(tree_digests(folder, skip=out_dir))[:12] if folder.is_dir() else None
    return found


def installed(package: str) -> str | None:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return None


def library_version(name: str, function: str) -> str | None:
    """The version a system library reports, if it can be loaded (as WeasyPrint loads it, by name)."""
    found = ctypes.util.find_library(name)
    if found is None:
        return None
    version = getattr(ctypes.CDLL(found), function)
    version.restype = ctypes.c_char_p
    return version().decode()


@cache
def file_digest(path: Path, mtime_ns: int) -> str:
    return "sha256 " + sha256(path)[:12]


def connect(address: str, templates_dir: Path, content_dir: Path, out_dir: Path) -> ClusterExecutor:
    """The executor of the cluster whose scheduler is at `address`, once each of its workers is
    found to run one thread and to have this machine's environment."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterUnavailable(_("--scheduler needs Dask's distributed package, which is not installed: "
                                   "install reportgen with its cluster extra (pip install 'reportgen[cluster]')")) from None
    try:
        client = Client(address, set_as_default=False)
    except (OSError, ValueError) as exc:  # refused, timed out, or not an address
        raise ClusterUnavailable(_("no Dask scheduler answers at {address} ({reason})").format(address=address, reason=exc)) from None
    try:
        here = environment(templates_dir, content_dir, out_dir)
        try:
            problems = [_("scheduler {address}: {name}: {here} here, {there} on the scheduler").format(address=address, **difference)
                        for difference in differences(software(), client.run_on_scheduler(software))]
        except Exception as exc:  # it cannot unpickle what is sent: no reportgen there, another Python
            problems = [_("scheduler {address}: cannot tell its environment ({reason})").format(address=address, reason=f"{type(exc).__name__}: {exc}")]
        for worker, found in client.run(environment, templates_dir, content_dir, out_dir, on_error="return").items():
            if isinstance(found, BaseException):
                problems.append(_("worker {worker}: cannot tell its environment ({reason})").format(worker=worker, reason=f"{type(found).__name__}: {found}"))
            else:
                problems += worker_differences(worker, here, found)
        threads = client.nthreads()
        for worker, count in threads.items():
            if count != 1:  # matplotlib and fontconfig are not safe in threads: one document at a time in each worker process
                problems.append(_("worker {worker} runs {count} threads: start each worker with --nthreads 1 "
                                  "(more workers with --nworkers)").format(worker=worker, count=count))
        if not threads:
            problems.append(_("the Dask cluster at {address} has no worker").format(address=address))
        if problems:
            raise ClusterUnavailable([Problem(UNPLACED, p) for p in problems])
    except BaseException:
        client.close()
        raise
    return ClusterExecutor(client, here, out_dir)


def differences(here: dict[str, str | None], found: dict[str, str | None]) -> list[dict[str, str]]:
    """What differs between this machine's environment and another's: name, here, there."""
    return [dict(name=name, here=here.get(name) or _("missing"), there=found.get(name) or _("missing"))
            for name in sorted(here.keys() | found.keys()) if here.get(name) != found.get(name)]


def worker_differences(worker: str, here: dict[str, str | None], found: dict[str, str | None]) -> list[str]:
    return [_("worker {worker}: {name}: {here} here, {there} on the worker").format(worker=worker, **d) for d in differences(here, found)]


class ClusterExecutor(Executor):
    """Dask's executor, for build.make_all: each document is made in a temporary folder of a worker
    (`made_remotely`), and its files are written at their targets here. A document whose workers
    all died fails with WorkerKilled (exit 75); Dask gives it to another worker first."""

    def __init__(self, client, here: dict[str, str | None], out_dir: Path):
        self.client = client
        self.here = here
        self.out_dir = out_dir
        self.pool = client.get_executor(pure=False)

    def submit(self, job, doc, files, templates_dir, content_dir) -> Future:
        names = [(fmt, target.name) for fmt, target in files]
        remote = self.pool.submit(made_remotely, self.here, job, doc, names, templates_dir, content_dir, self.out_dir)
        done: Future = Future()
        remote.add_done_callback(lambda remote: received(remote, done, files, f"{doc.id}.{doc.lang}", self.out_dir))
        return done

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.pool.shutdown(wait=wait and not cancel_futures)
        self.client.close()


def made_remotely(here: dict[str, str | None], job, doc, files: list[tuple[str, str]], templates_dir: Path, content_dir: Path, out_dir: Path):
    """On a worker whose environment is `here` (the client's): `job` (build.make_in_worker) writing
    into a temporary folder; each file's bytes come back in place of its sha256."""
    from distributed import get_worker

    problems = worker_differences(get_worker().address, here, environment(templates_dir, content_dir, out_dir))
    if problems:
        return None, (ClusterUnavailable, [Problem(UNPLACED, p) for p in problems])
    with tempfile.TemporaryDirectory(prefix="reportgen-") as folder:
        targets = [(fmt, Path(folder, name)) for fmt, name in files]
        results, failure = job(doc, targets, templates_dir, content_dir)
        if failure:
            return None, failure
        return [(target.read_bytes(), pages, found) for (fmt, target), (digest, pages, found) in zip(targets, results)], None


def received(remote: Future, done: Future, files: list[tuple[str, Path]], document: str, out_dir: Path) -> None:
    """A document's outcome from the cluster, on `done` as build.make_all reads it: its files written
    at their targets (each sha256, page count and findings), or its failure."""
    from distributed import KilledWorker
    from distributed.scheduler import NoValidWorkerError, NoWorkerError

    try:
        results, failure = remote.result()
        if results:
            for (fmt, target), (data, pages, found) in zip(files, results):
                target.write_bytes(data)
            results = [(hashlib.sha256(data).hexdigest(), pages, found) for data, pages, found in results]
        done.set_result((results, failure))
    except (KilledWorker, NoWorkerError, NoValidWorkerError, CancelledError) as exc:  # its workers died, none is left, or the scheduler is gone
        done.set_exception(WorkerKilled([Problem(Location(out_dir), _(
            "the Dask cluster lost the workers making {document} ({reason}): run the build again once the cluster has workers"
        ).format(document=document, reason=type(exc).__name__))]))
    except BaseException as exc:
        done.set_exception(exc)
