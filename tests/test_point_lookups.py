"""Point lookups: a SELECT over one triple pattern is answered in the server process with its rows capped
(`WorkerPool.inline_rows`), so it is answered at once while every query worker is busy, and an answer larger than
the cap still comes back whole, from a worker. On the generated graph of `tests.safety` (20,000 subjects, each
with p0 … p9: even predicates a label "item i p", odd ones the subject i + p + 1)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
import requests

from jaikg.sparql import QueryRequest, QuerySyntaxError
from jaikg.workers import INLINE_ROWS, WorkerPool

from .live import thread_server
from .safety import CROSS_PRODUCT_COUNT, GENERATED, client_from, generated_store

TIMEOUT = 4.0
JSON = "application/sparql-results+json"
POINT_LOOKUP = f"SELECT ?p ?o WHERE {{ <{GENERATED}s7> ?p ?o }}"
ALL_P0 = f"SELECT ?s ?o WHERE {{ ?s <{GENERATED}p0> ?o }}"


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool(generated_store(), size=1, timeout=TIMEOUT) as pool:
        yield pool


@pytest.fixture(scope="module")
def server(pool: WorkerPool) -> Iterator[str]:
    with thread_server({"STORE": pool.store, "EXECUTOR": pool, "TIMEOUT": TIMEOUT, "MAX_ROWS": 10_000}) as base_url:
        yield base_url


def bindings(response: requests.Response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    return [{name: term["value"] for name, term in row.items()} for row in response.json()["results"]["bindings"]]


def test_point_lookup_is_answered_while_every_worker_is_busy(server: str, pool: WorkerPool) -> None:
    heavy: dict[str, requests.Response] = {}
    thread = threading.Thread(target=lambda: heavy.update(response=client_from("127.0.0.2").get(
        server + "/sparql", params={"query": CROSS_PRODUCT_COUNT}, timeout=TIMEOUT + 60)))
    thread.start()
    time.sleep(0.5)
    answered_before = pool.inline_answers
    started = time.monotonic()
    rows = bindings(client_from("127.0.0.3").get(server + "/sparql", params={"query": POINT_LOOKUP}, timeout=30))
    assert time.monotonic() - started < TIMEOUT / 2, "answered before the only worker was free"
    assert pool.inline_answers == answered_before + 1
    found = {row["p"].removeprefix(GENERATED): row["o"].removeprefix(GENERATED) for row in rows}
    assert found == {**{f"p{p}": f"item 7 {p}" for p in range(0, 10, 2)},
                     **{f"p{p}": f"s{7 + p + 1}" for p in range(1, 10, 2)}}
    thread.join(TIMEOUT + 60)
    assert heavy["response"].status_code == 503


def test_answer_larger_than_the_cap_comes_whole_from_a_worker(pool: WorkerPool) -> None:
    answered_before = pool.inline_answers
    answer = pool.run(QueryRequest(ALL_P0, JSON))
    assert answer.chunks is not None, "over 1 MiB: streamed by the worker as it writes it"
    assert b"".join(answer.chunks).count(b'"s":') == 20_000
    assert pool.inline_answers == answered_before


def test_answer_cut_at_the_endpoint_row_limit_above_the_cap(server: str) -> None:
    response = requests.get(server + "/sparql", params={"query": ALL_P0}, timeout=60)
    assert len(bindings(response)) == 10_000
    assert response.headers["X-JAIKG-Truncated"] == "true"


def test_row_limits_at_or_under_the_cap_are_answered_in_process(pool: WorkerPool) -> None:
    answered_before = pool.inline_answers
    limited = pool.run(QueryRequest(ALL_P0 + " LIMIT 5", JSON))
    assert limited.body.count(b'"s":') == 5 and not limited.truncated
    capped = pool.run(QueryRequest(ALL_P0, JSON, max_rows=INLINE_ROWS))
    assert capped.body.count(b'"s":') == INLINE_ROWS and capped.truncated
    assert pool.inline_answers == answered_before + 2


def test_malformed_point_lookup_is_a_400_on_the_line_of_the_error(pool: WorkerPool) -> None:
    """`ex:` is not declared: the error names it where the user wrote it (the cap is not part of the text the
    error is reported on)."""
    with pytest.raises(QuerySyntaxError) as raised:
        pool.run(QueryRequest("SELECT ?o WHERE {\n  ex:s ?p ?o }", JSON))
    assert raised.value.status == 400
    assert (raised.value.line, raised.value.column) == (2, 3)
    assert "ex:" in raised.value.message and "not declared" in raised.value.message
