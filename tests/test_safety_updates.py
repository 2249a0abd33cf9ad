"""Updates, when enabled: atomic (a failing update changes nothing, in the server's store and in what the query
workers see), the token compared in constant time, and a persistent store killed with `kill -9` in the middle of
a large update reopens uncorrupted, with all of it or none."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from jaikg.loading import build_store
from jaikg.workers import WorkerPool

from .live import cli_server, free_port, thread_server, wait_until_up

TOKEN = "s3cret-token"
MARK = "ASK { GRAPH ?g { <urn:jaikg:test:a> <urn:jaikg:test:b> ?o } }"
INSERT_MARK = "INSERT DATA { GRAPH <urn:jaikg:test:g> { <urn:jaikg:test:a> <urn:jaikg:test:b> 1 } }"
EXISTING_GRAPH = "https://w3id.org/jaikg/graph/ontology"


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(build_store(), size=2, timeout=10) as pool:
        yield pool


@pytest.fixture(scope="module")
def server(pool: WorkerPool) -> Iterator[str]:
    config = {"STORE": pool.store, "EXECUTOR": pool, "UPDATE": True, "UPDATE_TOKEN": TOKEN, "TIMEOUT": 10}
    with thread_server(config) as base_url:
        yield base_url


def ask(server: str, query: str) -> bool:
    response = requests.get(server + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()["boolean"]


def update(server: str, text: str, token: str | None = TOKEN, **extra: str) -> requests.Response:
    headers = {"Content-Type": "application/sparql-update", **extra}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(server + "/sparql", data=text.encode(), headers=headers, timeout=60)


@pytest.mark.parametrize("failing", [
    f"CREATE GRAPH <{EXISTING_GRAPH}>",
    "DROP GRAPH <urn:jaikg:test:no-such-graph>",
    "CREATE GRAPH <urn:jaikg:test:twice> ; CREATE GRAPH <urn:jaikg:test:twice>",
])
def test_a_failing_update_changes_nothing(server: str, pool: WorkerPool, failing: str) -> None:
    size = len(pool.store)
    response = update(server, f"{INSERT_MARK} ; DELETE WHERE {{ GRAPH ?g {{ ?s a ?t }} }} ; {failing}")
    assert response.status_code == 400, response.text
    assert len(pool.store) == size
    assert not ask(server, MARK)
    assert ask(server, "ASK { GRAPH ?g { ?s a ?t } }")


def test_token_is_required_and_compared_in_constant_time(server: str, pool: WorkerPool,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import server.writes as writes

    compared: list[tuple[bytes, bytes]] = []
    real = writes.hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(writes.hmac, "compare_digest", spy)
    for token in (None, "", "wrong", TOKEN[:-1], TOKEN + "x"):
        response = update(server, INSERT_MARK, token=token)
        assert response.status_code == 401, token
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert not ask(server, MARK)
    assert update(server, INSERT_MARK).status_code == 204
    assert compared and all(b == TOKEN.encode() for _, b in compared)
    assert ask(server, MARK), "the workers see the update as soon as it has returned"
    assert update(server, "DROP GRAPH <urn:jaikg:test:g>").status_code == 204
    assert not ask(server, MARK)


def test_a_write_through_a_rebound_name_is_refused_without_a_token(server: str) -> None:
    """DNS rebinding: a page of http://rebind.example:PORT, whose name its owner then points at 127.0.0.1, sends
    its writes to `jaikg serve --update` with that name as both Host and Origin, so for the browser and for the
    Origin check they are same-origin. Without an update token they are 403 and change nothing; reads through that
    name are answered, and writes that name the server by localhost or an IP address pass. With a token (the
    remedy the refusal names) no page can write without it, so any name is accepted from a client that has it."""
    with cli_server("--update", "--workers", "0") as url:
        port = url.rsplit(":", 1)[1]
        rebound = {"Host": f"rebind.example:{port}", "Origin": f"http://rebind.example:{port}"}
        refused = update(url, INSERT_MARK, token=None, **rebound)
        assert refused.status_code == 403, refused.text
        assert "rebind.example" in refused.json()["message"] and "--update-token" in refused.json()["message"]
        stored = requests.put(url + "/data", params={"graph": "urn:jaikg:test:g"}, timeout=30,
                              data=b"<urn:jaikg:test:a> <urn:jaikg:test:b> 1 .",
                              headers={**rebound, "Content-Type": "text/turtle"})
        assert stored.status_code == 403, stored.text
        read = requests.get(url + "/sparql", params={"query": MARK}, headers=rebound, timeout=30)
        assert read.status_code == 200 and read.json()["boolean"] is False
        for host in ("localhost", "127.0.0.1", "[::1]"):
            same = {"Host": f"{host}:{port}", "Origin": f"http://{host}:{port}"}
            assert update(url, INSERT_MARK, token=None, **same).status_code == 204, host
        assert ask(url, MARK)

    port = server.rsplit(":", 1)[1]
    named = {"Host": f"rebind.example:{port}", "Origin": f"http://rebind.example:{port}"}
    assert update(server, INSERT_MARK, token=None, **named).status_code == 401
    assert update(server, INSERT_MARK, **named).status_code == 204
    assert ask(server, MARK)
    assert update(server, "DROP GRAPH <urn:jaikg:test:g>").status_code == 204


BIG_UPDATE = """INSERT { GRAPH <urn:jaikg:test:pairs> { ?a <urn:jaikg:test:pair> ?b } } WHERE {
  { SELECT DISTINCT ?a WHERE { GRAPH ?g { ?a ?x ?y } } } { SELECT DISTINCT ?b WHERE { GRAPH ?h { ?b ?z ?w } } } }"""
"""Pairs every subject with every subject: about 500,000 new triples, some 25 s of work on disk."""
PAIRS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:jaikg:test:pairs> { ?s ?p ?o } }"
SUBJECTS = "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query)))["n"].value)


def start_server(store_dir: Path, log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "jaikg", "serve", "--port", str(port), "--store", str(store_dir), "--update",
         "--workers", "2"], stdout=subprocess.DEVNULL, stderr=log.open("w"))
    base_url = f"http://127.0.0.1:{port}"
    wait_until_up(base_url, process=process)
    return process, base_url


def test_kill_9_in_the_middle_of_a_large_update_leaves_all_or_none(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    process, base_url = start_server(store_dir, tmp_path / "serve.log")
    outcome: list[object] = []

    def send() -> None:
        try:
            outcome.append(update(base_url, BIG_UPDATE, token=None).status_code)
        except requests.RequestException as error:
            outcome.append(error)

    try:
        thread = threading.Thread(target=send)
        thread.start()
        time.sleep(4)
        assert thread.is_alive() and not outcome, "the update was still running when the server was killed"
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
        thread.join(60)
    finally:
        if process.poll() is None:
            process.kill()
    assert isinstance(outcome[0], requests.ConnectionError)

    store = ox.Store(str(store_dir))
    pairs, subjects = count(store, PAIRS), count(store, SUBJECTS)
    assert pairs in (0, subjects * subjects), f"{pairs} of {subjects}² pairs: a partial update"
    assert ask_store(store, "ASK { GRAPH ?g { <https://w3id.org/jaikg/resource/swallow> ?p ?o } }")


def test_kill_9_right_after_an_update_keeps_it(tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    process, base_url = start_server(store_dir, tmp_path / "serve.log")
    try:
        assert update(base_url, INSERT_MARK, token=None).status_code == 204
        os.kill(process.pid, signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    assert ask_store(ox.Store(str(store_dir)), MARK)


def ask_store(store: ox.Store, query: str) -> bool:
    return bool(store.query(query))
