"""`reportgen build --scheduler`: a local Dask cluster (a scheduler and two workers started here as
processes, loopback only, no dashboard) builds the same bytes and manifest as -j 1, refuses a
worker whose environment differs, naming what differs, and a worker killed mid-build leaves a
finished build or exit 75, output/ consistent either way."""
from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future
from pathlib import Path

import pytest

from conftest import ROOT, TEMPLATES
from reportgen.cli import main
from reportgen.output import MANIFEST, sha256

distributed = pytest.importorskip("distributed")

ROWS = 20  # projects in the synthetic table: a second or two per document


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """`reportgen new`'s project with ROWS projects, built with -j 1 into reference/."""
    root = tmp_path_factory.mktemp("cluster")
    assert main(["new", str(root / "content")]) == 0
    for name, first in (("tables/重点项目表.csv", 0), ("progress/2027-Q1.csv", 1)):
        path = root / "content" / name
        header, *rows = list(csv.reader(path.open(encoding="utf-8-sig")))
        more = [[*rows[0][:first], str(n), *rows[0][first + 1:]] for n in range(len(rows) + 1, ROWS + 1)]  # copies of the first row, numbered on
        with path.open("w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([header, *rows, *more])
    assert main(build(root, "reference")) == 0
    return root


def build(root: Path, out: str, *options: str) -> list[str]:
    return ["build", str(root / "content"), "--templates", str(TEMPLATES), "--out", str(root / out), "--lang", "zh", "--force", *options]


def start(*argv: str, pythonpath: tuple[Path, ...] = ()) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(map(str, (*pythonpath, ROOT / "src")))}
    return subprocess.Popen([sys.executable, "-m", *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # its own session: the worker a nanny started goes with it
    process.wait()


def worker(address: str, *options: str, pythonpath: tuple[Path, ...] = ()) -> subprocess.Popen:
    return start("distributed.cli.dask_worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard", *options, pythonpath=pythonpath)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """A scheduler and two workers (each under its nanny, as `dask worker` starts them) on
    127.0.0.1, and a client of it; stopped after the module's tests."""
    info = tmp_path_factory.mktemp("scheduler") / "scheduler.json"
    processes = [start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info))]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        processes += [worker(address), worker(address)]
        client = distributed.Client(address, set_as_default=False)
        client.wait_for_workers(2, timeout=60)
        yield client
        client.close()
    finally:
        for process in processes:
            stop(process)


def files(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in out.iterdir()}


def consistent(out: Path) -> None:
    """Every file the manifest lists has its sha256, and nothing else is there (no staging folder)."""
    listed = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    assert all(sha256(out / e["path"]) == e["sha256"] for e in listed)
    assert sorted(p.name for p in out.iterdir()) == sorted([MANIFEST, *(e["path"] for e in listed)])


@pytest.mark.slow
def test_a_cluster_builds_the_bytes_of_a_local_build(cluster, project, capsys):
    assert main(build(project, "cluster", "--scheduler", cluster.scheduler.address)) == 0
    assert "built 6 files" in capsys.readouterr().out
    assert files(project / "cluster") == files(project / "reference")  # the manifest too


@pytest.mark.slow
def test_a_worker_whose_environment_differs_is_refused(cluster, project, tmp_path, capsys):
    """A worker whose installed WeasyPrint says another version (a dist-info on its path, as an
    older install would have) is named with what differs; nothing is built."""
    fake = tmp_path / "weasyprint-62.3.dist-info"
    fake.mkdir()
    (fake / "METADATA").write_text("Metadata-Version: 2.1\nName: weasyprint\nVersion: 62.3\n")
    before = set(cluster.nthreads())
    odd = worker(cluster.scheduler.address, "--no-nanny", pythonpath=(tmp_path,))
    try:
        cluster.wait_for_workers(3, timeout=60)
        (address,) = set(cluster.nthreads()) - before
        assert main(build(project, "refused", "--scheduler", cluster.scheduler.address)) == 69
        err = capsys.readouterr().err.splitlines()
        from weasyprint import __version__ as here
        assert err == [f"reportgen: error: worker {address}: weasyprint: {here} here, 62.3 on the worker", "reportgen: 1 problem; nothing was written"]
        assert list((project / "refused").iterdir()) == []
    finally:
        stop(odd)
        while len(cluster.nthreads()) > 2:
            time.sleep(0.1)


@pytest.mark.slow
def test_a_worker_killed_mid_build(cluster, project, capsys):
    """SIGKILL the worker process given a document as soon as the scheduler gives it one (its nanny
    starts a new one): Dask gives the document to a worker again and the build finishes with the
    bytes of a local build, or it stops with exit 75 naming the document; output/ is consistent."""
    pids = cluster.run(os.getpid)
    killed = []

    def kill_a_busy_worker() -> None:
        deadline = time.monotonic() + 120
        while not killed and time.monotonic() < deadline:
            busy = [address for address, keys in cluster.processing().items() if keys and address in pids]
            if busy:
                os.kill(pids[busy[0]], signal.SIGKILL)
                killed.append(busy[0])
            time.sleep(0.02)

    killer = threading.Thread(target=kill_a_busy_worker)
    killer.start()
    status = main(build(project, "killed", "--scheduler", cluster.scheduler.address))
    killer.join()
    assert killed
    err = capsys.readouterr().err
    if status == 0:
        assert files(project / "killed") == files(project / "reference")
    else:
        assert status == 75 and "error: the Dask cluster lost the workers making " in err, err
    consistent(project / "killed")


@pytest.mark.parametrize("lost", [
    distributed.KilledWorker("made_remotely-1", None, 3),
    distributed.scheduler.NoWorkerError("made_remotely-1", 60),
    distributed.scheduler.NoValidWorkerError("made_remotely-1", set(), set(), {}, 60),
    distributed.client.FutureCancelledError("made_remotely-1", "scheduler-connection-lost"),
])
def test_a_document_whose_workers_are_gone_is_a_killed_worker(lost, tmp_path):
    """What Dask reports when every worker given a document died (KilledWorker), none is left
    (NoWorkerError, NoValidWorkerError: after the scheduler's no-workers-timeout) or the scheduler is gone: exit 75
    at the output folder, naming the document, and nothing written."""
    from reportgen.build import WorkerKilled
    from reportgen.cluster import received

    remote, done = Future(), Future()
    remote.set_exception(lost)
    received(remote, done, [("pdf", tmp_path / "plan.zh.pdf")], "plan.zh", tmp_path)
    with pytest.raises(WorkerKilled) as raised:
        done.result()
    (problem,) = raised.value.problems
    assert raised.value.exit_code == 75 and problem.location.file == tmp_path
    assert problem.message == (f"the Dask cluster lost the workers making plan.zh ({type(lost).__name__}): "
                               "run the build again once the cluster has workers")
    assert list(tmp_path.iterdir()) == []


def test_no_scheduler_at_the_address(project, monkeypatch, capsys):
    """Nothing listens at the address: exit 69 once Dask's connect timeout (here 0.5 s) is over."""
    import dask

    monkeypatch.setitem(dask.config.config["distributed"]["comm"]["timeouts"], "connect", "0.5s")
    assert main(build(project, "nowhere", "--scheduler", "tcp://127.0.0.1:9")) == 69
    assert capsys.readouterr().err.startswith("reportgen: error: no Dask scheduler answers at tcp://127.0.0.1:9 (Timed out trying to connect")


def test_without_distributed(project, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed: ImportError, as where it is not installed
    assert main(build(project, "nowhere", "--scheduler", "tcp://127.0.0.1:9")) == 69
    assert capsys.readouterr().err.splitlines()[0] == (
        "reportgen: error: --scheduler needs Dask's distributed package, which is not installed: "
        "install reportgen with its cluster extra (pip install 'reportgen[cluster]')")


def test_jobs_or_a_scheduler(capsys):
    assert main(["build", "-j", "2", "--scheduler", "tcp://127.0.0.1:8786"]) == 64
    assert "argument --scheduler: not allowed with argument -j/--jobs" in capsys.readouterr().err
