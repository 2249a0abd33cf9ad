"""The query worker pool recovers from workers that die: killed while idle, or while a new graph loads after an
update. Real worker processes, killed with SIGKILL as the out-of-memory killer would."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from jaikg.sparql import QueryRequest, UpdateRequest
from jaikg.workers import SNAPSHOT_FOLDER_PREFIX, WorkerPool, WorkersUnavailable

from .live import cli_server, free_port, process_server

WORKER_QUERY = QueryRequest("SELECT ?o WHERE { <urn:s> <urn:p> ?o FILTER(true) }", "text/csv")
"""Not a single pattern (the FILTER), so a worker answers it, not the calling thread."""
POINT_QUERY = QueryRequest("SELECT ?o WHERE { <urn:s> <urn:p> ?o }", "text/csv")
"""A single pattern: answered in the calling thread, on the pool's own store."""


def children() -> set[int]:
    pids: set[int] = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children", encoding="ascii") as listing:
            pids.update(int(pid) for pid in listing.read().split())
    return pids


def wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the pool did not recover in time"
        time.sleep(0.05)


@pytest.fixture()
def pool() -> Iterator[WorkerPool]:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("1"), ox.DefaultGraph()))
    with WorkerPool(store, size=2, timeout=30, allocator="system") as pool:
        yield pool


def dead(pid: int) -> bool:
    """Whether the child `pid` has ended (a zombie until the pool collects it)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rpartition(")")[2].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_a_worker_killed_while_idle_is_replaced_and_no_query_fails(pool: WorkerPool) -> None:
    victim = pool.pids()[0]
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: dead(victim))
    for _ in range(4):
        assert pool.run(WORKER_QUERY).body.decode().splitlines() == ["o", "1"]
    wait_for(lambda: pool.live_workers() == 2 and victim not in pool.pids())


def test_a_worker_that_dies_while_the_new_graph_loads_is_started_again(pool: WorkerPool) -> None:
    """After an update the pool replaces its workers; one of the new ones is killed as it loads the new graph.
    The update stands, and the pool does not stay short: another worker is started in its place."""
    before = children()
    killed: list[int] = []

    def kill_the_first_new_worker() -> None:
        deadline = time.monotonic() + 30
        while not killed and time.monotonic() < deadline:
            new = children() - before
            if new:
                pid = min(new)
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
            time.sleep(0.002)

    killer = threading.Thread(target=kill_the_first_new_worker)
    killer.start()
    pool.update(UpdateRequest('INSERT DATA { <urn:s> <urn:p> "2" }'))
    killer.join()
    assert killed
    assert sorted(pool.run(WORKER_QUERY).body.decode().splitlines()[1:]) == ["1", "2"]
    wait_for(lambda: pool.live_workers() == 2)


def test_the_health_check_counts_the_workers_and_brings_back_killed_ones() -> None:
    """`jaikg serve --workers 2`: /healthz says 2; with both killed, asking it starts their replacements (no
    query needs to fail first), and it says 2 again."""
    with cli_server("--workers", "2") as base_url:
        health = requests.get(base_url + "/healthz", timeout=30)
        assert health.status_code == 200 and health.json()["workers"] == 2
        workers = [pid for pid in server_children(base_url) if "jaikg.workers" in command_line(pid)]
        assert len(workers) == 2
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        wait_for(lambda: all(dead(pid) or pid not in server_children(base_url) for pid in workers))
        wait_for(lambda: requests.get(base_url + "/healthz", timeout=30).json()["workers"] == 2)


def server_children(base_url: str) -> set[int]:
    """The child processes of the `jaikg serve` listening at `base_url`."""
    port = base_url.rsplit(":", 1)[1]
    for pid in children():
        if f"--port\0{port}" in command_line(pid):
            with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listing:
                return {int(child) for child in listing.read().split()}
    return set()


def command_line(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", encoding="utf-8", errors="replace") as cmdline:
            return cmdline.read()
    except FileNotFoundError:
        return ""


def test_a_new_pool_removes_the_graph_dumps_of_killed_servers() -> None:
    """A server killed with `kill -9` leaves its temporary copy of the graph; the next server removes it, and not
    the dumps of servers that still run."""
    gone = subprocess.Popen(["true"])
    gone.wait()
    abandoned = Path(tempfile.mkdtemp(prefix=f"jaikg-workers-{gone.pid}-"))
    (abandoned / "graph-1.nq").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    running = Path(tempfile.mkdtemp(prefix=f"jaikg-workers-{os.getpid()}-"))
    try:
        with WorkerPool(ox.Store(), size=1, allocator="system"):
            assert not abandoned.exists()
            assert running.exists()
    finally:
        for folder in (abandoned, running):
            if folder.exists():
                for file in folder.iterdir():
                    file.unlink()
                folder.rmdir()


def objects(answer: bytes) -> list[str]:
    return sorted(answer.decode().splitlines()[1:])


def test_no_worker_answers_from_the_old_graph_while_the_new_one_cannot_be_copied(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """After an update the workers load a new dump of the graph from the temporary folder. Here that folder is
    gone and a file has taken its name, so no dump can be written: the update stands, queries that need a worker
    get 503 naming the cause (none answers from the old graph), point lookups see the update; once the folder can
    be made again, the workers come back on the updated graph by themselves."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # as TMPDIR would
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("1"), ox.DefaultGraph()))
    with WorkerPool(store, size=1, timeout=30, allocator="system") as pool:
        [folder] = tmp_path.glob(SNAPSHOT_FOLDER_PREFIX + "*")
        shutil.rmtree(folder)
        folder.write_text("not a folder", encoding="utf-8")
        pool.update(UpdateRequest('INSERT DATA { <urn:s> <urn:p> "2" }'))
        with pytest.raises(WorkersUnavailable) as refused:
            pool.run(WORKER_QUERY)
        assert refused.value.status == 503 and "could not be copied" in refused.value.message
        assert objects(pool.run(POINT_QUERY).body) == ["1", "2"]
        assert pool.live_workers() == 0
        folder.unlink()
        wait_for(lambda: pool.live_workers() == 1)
        assert objects(pool.run(WORKER_QUERY).body) == ["1", "2"]


MARK_GRAPH = "urn:jaikg:test:g"


def ask(base_url: str, subject: str) -> requests.Response:
    """ASK, which a worker answers (only a single-pattern SELECT is answered in the server process)."""
    query = f"ASK {{ GRAPH ?g {{ <{subject}> <urn:jaikg:test:b> ?o }} }}"
    return requests.get(base_url + "/sparql", params={"query": query}, timeout=60)


def post_update(base_url: str, update: str) -> requests.Response:
    return requests.post(base_url + "/sparql", data=update.encode(), timeout=120,
                         headers={"Content-Type": "application/sparql-update"})


def test_an_update_whose_graph_cannot_be_copied_is_not_answered_from_the_old_graph(
        shipped_store: ox.Store, tmp_path: Path) -> None:
    """`jaikg serve --update` allowed to write files no larger than its dump of the shipped graph plus 30 KB
    (RLIMIT_FSIZE, set by prlimit: as a full /tmp would): an update adding 60 KB is applied (204) but its graph
    cannot be copied for the workers, so queries that need one get 503 saying why while point lookups see the
    update, and /healthz says 503; a later update whose graph fits brings the workers back on it."""
    shipped_dump = tmp_path / "shipped.nq"
    shipped_store.dump(str(shipped_dump), format=ox.RdfFormat.N_QUADS)
    limit = shipped_dump.stat().st_size + 30_000
    port = free_port()
    command = ["prlimit", f"--fsize={limit}", sys.executable, "-m", "jaikg", "serve", "--port", str(port),
               "--update", "--workers", "1"]
    with process_server(command, port) as base_url:
        large = "x" * 60_000
        inserted = post_update(base_url, f'INSERT DATA {{ GRAPH <{MARK_GRAPH}> {{ <urn:jaikg:test:a> '
                                         f'<urn:jaikg:test:b> "{large}" }} }}')
        assert inserted.status_code == 204, inserted.text
        point = requests.get(base_url + "/sparql", timeout=60, headers={"Accept": "text/csv"},
                             params={"query": "SELECT ?o WHERE { <urn:jaikg:test:a> <urn:jaikg:test:b> ?o }"})
        assert point.text.splitlines()[1:] == [large]
        refused = ask(base_url, "urn:jaikg:test:a")
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"] == "workers-unavailable"
        assert "File too large" in refused.json()["message"]
        assert requests.get(base_url + "/healthz", timeout=30).status_code == 503

        replaced = post_update(base_url, f"DROP GRAPH <{MARK_GRAPH}> ; INSERT DATA {{ GRAPH <{MARK_GRAPH}> "
                                         "{ <urn:jaikg:test:c> <urn:jaikg:test:b> 1 } }")
        assert replaced.status_code == 204, replaced.text
        assert ask(base_url, "urn:jaikg:test:c").json()["boolean"] is True
        assert ask(base_url, "urn:jaikg:test:a").json()["boolean"] is False
        assert requests.get(base_url + "/healthz", timeout=30).status_code == 200
