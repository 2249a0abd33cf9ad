"""Timeouts that cancel: a query past `--timeout` gets 503 with an error body (never a 200 with part of the
answer), its worker process is killed (the CPU is freed) and replaced, and meanwhile another client's `ASK {}`
is answered at once. On a generated graph of 200,000 triples."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from jaikg.workers import WorkerPool

from .live import cli_server, thread_server
from .safety import CROSS_PRODUCT_COUNT, client_from, generated_store, process_exists

TIMEOUT = 3.0
MARGIN = 4.0


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(generated_store(), size=2, timeout=TIMEOUT) as pool:
        yield pool


@pytest.fixture(scope="module")
def server(pool: WorkerPool) -> Iterator[str]:
    with thread_server({"STORE": pool.store, "EXECUTOR": pool, "TIMEOUT": TIMEOUT}) as base_url:
        yield base_url


def test_generated_graph_is_large(pool: WorkerPool) -> None:
    assert len(pool.store) >= 200_000


def test_heavy_query_times_out_with_503_while_others_are_answered(server: str, pool: WorkerPool) -> None:
    workers_before = set(pool.pids())
    outcome: dict[str, object] = {}

    def heavy() -> None:
        started = time.monotonic()
        response = client_from("127.0.0.2").get(server + "/sparql", params={"query": CROSS_PRODUCT_COUNT},
                                                timeout=TIMEOUT + 60)
        outcome.update(response=response, seconds=time.monotonic() - started)

    thread = threading.Thread(target=heavy)
    thread.start()
    time.sleep(0.5)
    other = client_from("127.0.0.3")
    for _ in range(3):
        started = time.monotonic()
        answer = other.get(server + "/sparql", params={"query": "ASK {}"}, timeout=10)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        assert time.monotonic() - started < 2.0
    thread.join(TIMEOUT + 60)

    response = outcome["response"]
    assert isinstance(response, requests.Response)
    assert response.status_code == 503
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "query-timeout"
    assert "time limit" in response.json()["message"]
    assert "timeout" not in response.headers  # the message names the limit; no header of that name exists
    assert TIMEOUT <= outcome["seconds"] < TIMEOUT + MARGIN  # type: ignore[operator]

    killed = workers_before - set(pool.pids())
    assert len(killed) == 1
    assert not any(process_exists(pid) for pid in killed)
    deadline = time.monotonic() + 60
    while len(pool.pids()) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(pool.pids()) == 2, "the killed worker was replaced"


def test_server_answers_correctly_after_a_timeout(server: str) -> None:
    query = ("SELECT (COUNT(*) AS ?n) WHERE { GRAPH <http://example.org/generated/graph> "
             "{ ?s <http://example.org/generated/p0> ?o } }")
    response = requests.get(server + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "20000"


def test_jaikg_serve_runs_queries_in_workers_with_a_timeout() -> None:
    """The real command, defaults otherwise: the cross product over the shipped data times out."""
    with cli_server("--timeout", "2") as base_url:
        started = time.monotonic()
        response = requests.get(base_url + "/sparql", params={"query": CROSS_PRODUCT_COUNT}, timeout=60)
        assert response.status_code == 503, response.text
        assert time.monotonic() - started < 2 + MARGIN
        assert requests.get(base_url + "/sparql", params={"query": "ASK {}"}, timeout=10).json()["boolean"]
