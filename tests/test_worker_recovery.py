"""The query worker pool recovers from workers that die: killed while idle, or while a new graph loads after an
update. Real worker processes, killed with SIGKILL as the out-of-memory killer would."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest

from jaikg.sparql import QueryRequest, UpdateRequest
from jaikg.workers import WorkerPool

WORKER_QUERY = QueryRequest("SELECT ?o WHERE { <urn:s> <urn:p> ?o FILTER(true) }", "text/csv")
"""Not a single pattern (the FILTER), so a worker answers it, not the calling thread."""


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
