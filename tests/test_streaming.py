"""Answers larger than the stream threshold go out while they are written: from the worker process in pieces,
through the server without being held whole, to the client as a chunked body. The bytes are those of the whole
answer; a client that goes away or a time limit mid-stream frees the worker; a cut stream is a cut connection,
never a body that looks complete."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from jaikg.sparql import STREAM_THRESHOLD, QueryRequest, QueryTimeout, answer_query
from jaikg.workers import WorkerPool
from server import create_app

from .live import cli_server, free_port, settled, thread_server, wait_until_up
from .test_worker_recovery import dead, server_children

THRESHOLD = 4096
ALL = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isBlank(?s) && !isBlank(?o)) } ORDER BY ?g ?s ?p ?o"
"""Without blank nodes, whose labels differ between the server's store and a worker's copy of it."""
ENDLESS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""The shipped graph cubed: rows keep coming far past any time limit in these tests."""
JSON = "application/sparql-results+json"


def full_pool(pool: WorkerPool, timeout: float = 60.0) -> set[int]:
    """The worker pids once the pool has all its workers again (a replacement starts in the background)."""
    deadline = time.monotonic() + timeout
    while len(pool.pids()) < pool.size and time.monotonic() < deadline:
        time.sleep(0.05)
    return set(pool.pids())


@pytest.fixture(scope="module")
def pool(shipped_store: ox.Store) -> Iterator[WorkerPool]:
    with WorkerPool(shipped_store, size=2, timeout=3, stream_threshold=THRESHOLD) as pool:
        yield pool


def test_a_large_answer_streams_the_bytes_of_the_whole_answer(pool: WorkerPool, shipped_store: ox.Store) -> None:
    whole = answer_query(shipped_store, QueryRequest(ALL, JSON)).body
    assert len(whole) > 10 * THRESHOLD
    answer = pool.run(QueryRequest(ALL, JSON))
    assert answer.chunks is not None and answer.body == b""
    pieces = list(answer.chunks)
    assert len(pieces) > 1
    assert b"".join(pieces) == whole


def test_a_small_answer_stays_whole(pool: WorkerPool) -> None:
    answer = pool.run(QueryRequest("SELECT ?x WHERE { VALUES ?x { 1 2 } }", JSON))
    assert answer.chunks is None and b'"2"' in answer.body


def test_a_finished_stream_frees_its_worker_and_an_abandoned_one_is_replaced(pool: WorkerPool) -> None:
    before = set(pool.pids())
    list(pool.run(QueryRequest(ALL, JSON)).chunks)
    assert set(pool.pids()) == before, "a worker that sent its whole answer serves on"
    stream = pool.run(QueryRequest(ALL, JSON)).chunks
    next(iter(stream))
    stream.close()  # what the WSGI server does when the client goes away
    after = full_pool(pool)
    assert len(after - before) == 1, "the worker left mid-answer was killed and replaced"
    assert pool.run(QueryRequest("ASK { ?s ?p ?o }", JSON)).body.endswith(b"true}")


def test_a_client_that_stops_reading_does_not_keep_a_worker_past_the_time_limit(shipped_store: ox.Store) -> None:
    """The WSGI server blocks writing to a client that reads nothing, and the answer's iteration with it: the
    worker is killed at the time limit all the same, and the pool's only worker is free for another query."""
    with WorkerPool(shipped_store, size=1, timeout=30, stream_threshold=THRESHOLD) as alone:
        stalled = alone.run(QueryRequest(ENDLESS, JSON, timeout=1.0)).chunks
        started = time.monotonic()
        answer = alone.run(QueryRequest("ASK { ?s ?p ?o }", JSON, timeout=20.0))
        assert answer.body.endswith(b"true}") and time.monotonic() - started < 15
        with pytest.raises(QueryTimeout):
            for _ in stalled:
                pass


def test_a_stream_past_the_time_limit_is_stopped(pool: WorkerPool) -> None:
    stream = pool.run(QueryRequest(ENDLESS, JSON)).chunks
    with pytest.raises(QueryTimeout):
        for _ in stream:
            pass
    assert pool.run(QueryRequest("ASK { ?s ?p ?o }", JSON)).body.endswith(b"true}")


@pytest.fixture(scope="module", params=["app under waitress", "jaikg serve"])
def server(request: pytest.FixtureRequest, shipped_store: ox.Store, pool: WorkerPool) -> Iterator[str]:
    """The app with a 4 KiB stream threshold under waitress, and `jaikg serve` itself (granian, the default
    threshold of 1 MiB, which the JSON of `ALL` passes)."""
    if request.param == "jaikg serve":
        with cli_server("--max-rows", "0", "--timeout", "3") as base_url:
            yield base_url
        return
    with thread_server({"STORE": shipped_store, "EXECUTOR": pool, "MAX_ROWS": None}) as base_url:
        yield base_url


def test_the_whole_answer_of_the_tests_passes_the_default_threshold(shipped_store: ox.Store) -> None:
    assert len(answer_query(shipped_store, QueryRequest(ALL, JSON)).body) > STREAM_THRESHOLD


@pytest.mark.parametrize("view", [False, True], ids=["fast path", "view"])
def test_the_endpoint_sends_a_chunked_body_with_a_weak_etag(server: str, shipped_store: ox.Store, view: bool) -> None:
    headers = {"If-None-Match": '"no-such-etag"'} if view else {}
    response = requests.get(f"{server}/sparql", params={"query": ALL}, headers=headers, timeout=30)
    assert response.status_code == 200
    assert response.headers.get("Transfer-Encoding") == "chunked"
    assert response.headers["ETag"].startswith('W/"') and "Content-Length" not in response.headers
    assert response.content == answer_query(shipped_store, QueryRequest(ALL, JSON)).body


def test_the_weak_etag_of_a_streamed_answer_gets_304_before_the_query_runs(server: str) -> None:
    first = requests.get(f"{server}/sparql", params={"query": ALL}, timeout=30)
    again = requests.get(f"{server}/sparql", params={"query": ALL}, timeout=30,
                         headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = requests.get(f"{server}/sparql", params={"query": ALL + " LIMIT 100000"}, timeout=30,
                         headers={"If-None-Match": first.headers["ETag"]})
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]


def test_conditions_on_a_streamed_answer_cost_no_worker(pool: WorkerPool, shipped_store: ox.Store) -> None:
    """A 304 decided after the stream began would stop its worker mid-answer (and the pool would start another,
    reloading the graph): a later If-Modified-Since gets the whole answer, a matching weak tag a 304 up front."""
    app = settled(create_app({"STORE": shipped_store, "EXECUTOR": pool, "MAX_ROWS": None}))
    with thread_server({}, app=app) as base_url:
        before = full_pool(pool)
        first = requests.get(f"{base_url}/sparql", params={"query": ALL}, timeout=30)
        later = requests.get(f"{base_url}/sparql", params={"query": ALL}, timeout=30,
                             headers={"If-Modified-Since": first.headers["Last-Modified"]})
        tagged = requests.get(f"{base_url}/sparql", params={"query": ALL}, timeout=30,
                              headers={"If-None-Match": first.headers["ETag"]})
        assert later.status_code == 200 and later.content == first.content
        assert tagged.status_code == 304
        assert set(pool.pids()) == before


def test_a_stream_cut_by_the_time_limit_is_a_cut_connection(server: str) -> None:
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{server}/sparql", params={"query": ENDLESS}, timeout=60).content


def test_sigterm_stops_the_server_while_a_client_holds_a_stream_unread() -> None:
    """`jaikg serve` streaming an answer to a client that reads nothing, stopped with SIGTERM: it exits within its
    --timeout plus a margin (granian alone waited for that client for ever), and its query workers are gone."""
    port, timeout, margin = free_port(), 3.0, 10.0
    command = [sys.executable, "-m", "jaikg", "serve", "--port", str(port), "--max-rows", "0", "--timeout", f"{timeout:g}"]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        base_url = f"http://127.0.0.1:{port}"
        wait_until_up(base_url, process=server)
        workers = server_children(base_url)
        with socket.socket() as client:
            client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            client.connect(("127.0.0.1", port))
            client.sendall(f"GET /sparql?query={urllib.parse.quote(ENDLESS)} HTTP/1.1\r\nHost: test\r\n\r\n".encode())
            assert client.recv(64).startswith(b"HTTP/1.1 200"), "the answer has begun"
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout + margin)
            except subprocess.TimeoutExpired:
                pytest.fail(f"jaikg serve still ran {timeout + margin:g} s after SIGTERM")
            assert server.returncode == 0
        assert workers and all(dead(pid) for pid in workers)
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
