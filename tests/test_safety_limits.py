"""Limits: the answer cut at max-rows says so (headers and body), a large body or a long query gets 413, and a
client with too many requests in progress gets 429 with Retry-After while other clients go on."""

from __future__ import annotations

import csv
import io
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from jaikg.sparql import InlineExecutor, QueryAnswer, QueryRequest
from server.limits import DEFAULT_CLIENT_CONCURRENCY, DEFAULT_MAX_CONTENT_LENGTH, DEFAULT_MAX_QUERY_LENGTH

from .live import cli_server, thread_server
from .safety import client_from

MAX_ROWS = 3
MANY_ROWS = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
FEW_ROWS = "SELECT ?x WHERE { VALUES ?x { 1 2 } }"
QUERY_LIMIT = 2_000


class GatedExecutor(InlineExecutor):
    """Holds every query containing HOLD until `gate` is set: a request that stays in progress."""

    def __init__(self, store: ox.Store) -> None:
        super().__init__(store)
        self.gate = threading.Event()
        self.holding = threading.Semaphore(0)

    def run(self, request: QueryRequest) -> QueryAnswer:
        if "HOLD" in request.query:
            self.holding.release()
            self.gate.wait(30)
        return super().run(request)


@pytest.fixture(scope="module")
def executor(shipped_store: ox.Store) -> GatedExecutor:
    return GatedExecutor(shipped_store)


@pytest.fixture(scope="module")
def server(shipped_store: ox.Store, executor: GatedExecutor) -> Iterator[str]:
    config = {"STORE": shipped_store, "EXECUTOR": executor, "MAX_ROWS": MAX_ROWS, "MAX_QUERY_LENGTH": QUERY_LIMIT,
              "CLIENT_CONCURRENCY": 2}
    with thread_server(config) as base_url:
        yield base_url


def test_safe_defaults() -> None:
    assert DEFAULT_MAX_CONTENT_LENGTH == 1024 * 1024
    assert DEFAULT_MAX_QUERY_LENGTH == 100_000
    assert DEFAULT_CLIENT_CONCURRENCY == 4


def test_truncated_json_says_so_in_headers_and_body(server: str) -> None:
    response = requests.get(server + "/sparql", params={"query": MANY_ROWS}, timeout=30)
    assert response.status_code == 200
    assert response.headers["X-JAIKG-Truncated"] == "true"
    assert response.headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    assert "Warning" not in response.headers  # obsolete (RFC 9111, section 5.5): the two headers above say it
    body = response.json()
    assert body["truncated"] is True
    assert len(body["results"]["bindings"]) == MAX_ROWS


@pytest.mark.parametrize("media_type,delimiter", [("text/csv", ","), ("text/tab-separated-values", "\t")])
def test_truncated_csv_and_tsv_say_so_in_headers(server: str, media_type: str, delimiter: str) -> None:
    response = requests.get(server + "/sparql", params={"query": MANY_ROWS}, headers={"Accept": media_type},
                            timeout=30)
    assert response.headers["X-JAIKG-Truncated"] == "true"
    rows = list(csv.reader(io.StringIO(response.text), delimiter=delimiter))
    assert len(rows) == MAX_ROWS + 1  # the header row and MAX_ROWS rows, nothing else in the body


def test_truncated_construct_says_so_in_headers(server: str) -> None:
    response = requests.get(server + "/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"},
                            headers={"Accept": "application/n-triples"}, timeout=30)
    assert response.headers["X-JAIKG-Truncated"] == "true"
    assert len(response.text.strip().splitlines()) == MAX_ROWS


def test_complete_answer_has_no_truncation_signal(server: str) -> None:
    response = requests.get(server + "/sparql", params={"query": FEW_ROWS}, timeout=30)
    assert "X-JAIKG-Truncated" not in response.headers and "Warning" not in response.headers
    assert "truncated" not in response.json()


def test_body_over_the_limit_is_413(server: str) -> None:
    body = b"SELECT * WHERE { ?s ?p ?o } #" + b"x" * DEFAULT_MAX_CONTENT_LENGTH
    response = requests.post(server + "/sparql", data=body, headers={"Content-Type": "application/sparql-query"},
                             timeout=30)
    assert response.status_code == 413
    assert "limit" in response.json()["message"]


@pytest.mark.parametrize("method", ["GET", "FORM", "DIRECT", "UPDATE"])
def test_query_over_the_length_limit_is_413(server: str, method: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * QUERY_LIMIT
    if method == "GET":
        response = requests.get(server + "/sparql", params={"query": query}, timeout=30)
    elif method == "FORM":
        response = requests.post(server + "/sparql", data={"query": query}, timeout=30)
    elif method == "DIRECT":
        response = requests.post(server + "/sparql", data=query.encode(),
                                 headers={"Content-Type": "application/sparql-query"}, timeout=30)
    else:
        response = requests.post(server + "/sparql", data={"update": "CLEAR ALL #" + "x" * QUERY_LIMIT},
                                 timeout=30)
    assert response.status_code == 413, response.text
    assert f"the limit is {QUERY_LIMIT}" in response.json()["message"]


def test_query_at_the_length_limit_runs(server: str) -> None:
    query = FEW_ROWS + " #"
    query += "x" * (QUERY_LIMIT - len(query))
    assert requests.get(server + "/sparql", params={"query": query}, timeout=30).status_code == 200


def test_too_many_requests_from_one_client_is_429(server: str, executor: GatedExecutor) -> None:
    held = []
    client = client_from("127.0.0.4")
    threads = [threading.Thread(target=lambda: held.append(client_from("127.0.0.4").get(
        server + "/sparql", params={"query": "ASK { } # HOLD"}, timeout=60))) for _ in range(2)]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert executor.holding.acquire(timeout=30)
    try:
        refused = client.get(server + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert refused.status_code == 429
        assert refused.headers["Retry-After"] == "1"
        assert "too many requests" in refused.json()["message"]
        assert client.get(server + "/healthz", timeout=30).status_code == 200
        other = client_from("127.0.0.5").get(server + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert other.status_code == 200
    finally:
        executor.gate.set()
        for thread in threads:
            thread.join(60)
    assert [r.status_code for r in held] == [200, 200]
    assert client.get(server + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200


def test_max_rows_zero_serves_whole_answers() -> None:
    """`jaikg serve --max-rows 0` cuts nothing: a query over every statement returns as many rows as COUNT says,
    while `--max-rows 2` on the same data returns two, marked truncated."""
    count_query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for option, whole in (("0", True), ("2", False)):
        with cli_server("--max-rows", option, "--workers", "1") as base_url:
            count = int(requests.get(f"{base_url}/sparql", params={"query": count_query}, timeout=60)
                        .json()["results"]["bindings"][0]["n"]["value"])
            response = requests.get(f"{base_url}/sparql", params={"query": MANY_ROWS}, timeout=60)
            rows = len(response.json()["results"]["bindings"])
            assert count > 2
            assert (rows, "X-JAIKG-Truncated" in response.headers) == ((count, False) if whole else (2, True))


def test_a_failing_query_from_a_client_with_one_slot_gets_its_own_error(shipped_store: ox.Store) -> None:
    """A GET the fast lane cannot answer goes on to the endpoint's view, which reports the error: the lane's slot
    is free by then, so a client allowed one request at a time hears of its syntax error or refused SERVICE,
    not 429."""
    with thread_server({"STORE": shipped_store, "CLIENT_CONCURRENCY": 1}) as base_url:
        broken = requests.get(base_url + "/sparql", params={"query": "SELECT * WHERE { ?s ?p "}, timeout=30)
        assert broken.status_code == 400 and broken.json()["error"] == "query-syntax-error"
        service = requests.get(base_url + "/sparql", timeout=30,
                               params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"})
        assert service.status_code == 400
