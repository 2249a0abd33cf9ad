"""The memory limit of a query: a query that grows its worker past `--max-query-memory` (nested CONCATs, 1 KB of
text asking for 1.3 GB) is stopped long before the time limit, its worker killed and replaced, the client told
(500 with an error body; a streamed answer is cut, also when its client has stopped reading), and the server
answers on; queries within the limit answer as before."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner

from jaikg.cli import main
from jaikg.sparql import QueryRequest, answer_query
from jaikg.workers import QueryMemoryExceeded, WorkerPool

from .live import cli_server
from .test_worker_recovery import dead, server_children

LIMIT_MB = 64
TIMEOUT = 120
SOON = 60.0
"""Seconds within which the limit stops the query, well before the time limit (measured: under 1 s here)."""
JSON = "application/sparql-results+json"
ALL = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } ORDER BY ?g ?s ?p ?o"
"""More than 1 MiB of JSON on the shipped graph (streamed by `jaikg serve --max-rows 0`); no blank nodes, whose
labels differ between the server's store and a worker's copy."""


def concat_bomb(levels: int = 9, width: int = 8) -> str:
    """BINDs whose last string is 10 × width^levels characters (1.3 GB by default), bound to ?x as its length."""
    binds = ['BIND("aaaaaaaaaa" AS ?a0)']
    binds += [f"BIND(CONCAT({', '.join([f'?a{level - 1}'] * width)}) AS ?a{level})" for level in range(1, levels + 1)]
    return " ".join([*binds, f"BIND(STRLEN(?a{levels}) AS ?x)"])


BOMB = f"SELECT ?x WHERE {{ {concat_bomb()} }}"


def rows_then_bomb(first: str) -> str:
    """The rows of the group pattern `first` (enough to start a streamed answer), then the bomb."""
    return f"SELECT * WHERE {{ {{ {first} }} UNION {{ {concat_bomb()} }} }}"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with cli_server("--max-query-memory", str(LIMIT_MB), "--timeout", str(TIMEOUT), "--max-rows", "0",
                    "--workers", "2") as base_url:
        yield base_url


def worker_pids(base_url: str) -> set[int]:
    return {pid for pid in server_children(base_url) if not dead(pid)}


def wait_for_workers(base_url: str, count: int, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while requests.get(base_url + "/healthz", timeout=30).json().get("workers") != count:
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.2)


def test_a_query_past_the_memory_limit_gets_500_and_the_server_answers_on(server: str,
                                                                         shipped_store: ox.Store) -> None:
    """The worker is killed and replaced; afterwards a query within the limit, a streamed answer, is answered
    whole, byte for byte as before."""
    assert len(BOMB) < 1500
    before = worker_pids(server)
    started = time.monotonic()
    response = requests.get(server + "/sparql", params={"query": BOMB}, timeout=TIMEOUT + 60)
    assert time.monotonic() - started < SOON
    assert response.status_code == 500, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "query-memory-exceeded"
    assert f"more than the memory limit of {LIMIT_MB} MB" in response.json()["message"]

    killed = before - worker_pids(server)
    assert len(killed) == 1, "the worker that ran the query was killed"
    assert requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60).json()["boolean"]
    wait_for_workers(server, 2)
    response = requests.get(server + "/sparql", params={"query": ALL}, timeout=60)
    assert response.status_code == 200
    assert response.headers.get("Transfer-Encoding") == "chunked", "a streamed answer"
    assert response.content == answer_query(shipped_store, QueryRequest(ALL, JSON)).body


def test_a_streamed_answer_past_the_memory_limit_is_cut(server: str) -> None:
    """The statements of the shipped graph twice over (2 MB: the answer streams), then the bomb: the connection is
    cut, without the final chunk, so no client takes the answer for whole."""
    query = rows_then_bomb("{ ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } }")
    started = time.monotonic()
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(server + "/sparql", params={"query": query}, timeout=TIMEOUT + 60).content
    assert time.monotonic() - started < SOON
    assert requests.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=60).json()["boolean"]
    wait_for_workers(server, 2)


def test_a_stream_whose_client_stopped_reading_is_stopped_at_the_limit() -> None:
    """The thread sending the answer is held by a client that reads nothing while the worker goes on into the
    bomb: the worker is killed all the same, long before the time limit, and the answer ends with the error."""
    values = " ".join(str(i) for i in range(1000))
    query = rows_then_bomb(f"VALUES ?x {{ {values} }}")
    with WorkerPool(ox.Store(), size=1, timeout=TIMEOUT, stream_threshold=4096, max_query_memory=LIMIT_MB) as pool:
        worker = pool.pids()[0]
        started = time.monotonic()
        stream = iter(pool.run(QueryRequest(query, JSON)).chunks)
        assert next(stream).startswith(b'{"head"')
        while not dead(worker):
            assert time.monotonic() - started < SOON, "the worker was not stopped at the memory limit"
            time.sleep(0.05)
        with pytest.raises(QueryMemoryExceeded, match=f"memory limit of {LIMIT_MB} MB"):
            for _ in stream:
                pass
        assert pool.run(QueryRequest("ASK {}", JSON)).body.endswith(b"true}")


def test_no_limit_lets_a_query_past_it_finish() -> None:
    """0 switches the limit off: a query building a string of 168 MB (an eighth of the bomb's, more than the
    limit of the other tests) is answered."""
    with WorkerPool(ox.Store(), size=1, timeout=TIMEOUT, max_query_memory=0) as pool:
        worker = pool.pids()[0]
        answer = pool.run(QueryRequest(f"SELECT ?x WHERE {{ {concat_bomb(levels=8)} }}", "text/csv"))
        assert answer.body.decode().split() == ["x", str(10 * 8 ** 8)]
        assert pool.pids() == [worker] and os.path.exists(f"/proc/{worker}")


@pytest.mark.parametrize("value", ["-1", "lots"])
def test_a_bad_limit_is_refused_naming_the_option(value: str) -> None:
    result = CliRunner().invoke(main, ["serve", "--max-query-memory", value])
    assert result.exit_code == 2
    assert "Invalid value for '--max-query-memory'" in result.output
