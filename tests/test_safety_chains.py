"""Chains without brackets: `1+1+…`, `?a || ?a || …`, `{} UNION {} UNION …`. Oxigraph recurses once per operand of
such a chain, so about 10 KB of one overflowed the 2 MiB stack of a granian request thread (from 1,623 to 2,319
operands), which the nesting limit (it counts brackets) let through: the whole `jaikg serve` died, with `--backend`
on any query (parsed in the server process to check it) and with `--update` on any update (run on the server's
store). Over real HTTP, against `jaikg serve`: such a chain is answered, with its result where Oxigraph can take it
(the update applied, the backend's answer) or with a 503 naming the check that stopped on it (about 100 KB of chain,
which also overflows the 8 MiB of a worker), and the server goes on serving; a check that would take the server's
memory or time is stopped in its worker."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from .live import oxigraph_server
from .test_safety_nesting import Server, serve

LONG = 100_000
"""Characters of the longest query or update a client may send (`--max-query-length`'s default)."""
SHORT_OPERANDS = {"plus": 5_000, "or": 4_000, "union": 3_000}
"""Operands of a chain that killed `jaikg serve` (10-27 KB of text) and that a worker's 8 MiB stack takes."""
TIMEOUT = 10


def operands(operand: str, separator: str, count: int) -> str:
    return separator.join([operand] * count)


def long_operands(operand: str, separator: str, room: int) -> str:
    """As many operands as fit in `room` characters."""
    return operands(operand, separator, room // (len(operand) + len(separator)))


def chain(kind: str, count: int | None = None) -> str:
    """The chain `kind` of `count` operands; None: as long as the text around it leaves room for in LONG
    characters (the text around it is under 100 characters)."""
    operand, separator = {"plus": ("1", "+"), "or": ("?a", "||"), "union": ("{}", " UNION ")}[kind]
    return operands(operand, separator, count) if count is not None else long_operands(operand, separator, LONG - 100)


WHERE = {"plus": "BIND({} AS ?v)", "or": "BIND(true AS ?a) FILTER({})", "union": "{}"}
"""The pattern around each kind of chain, in a query and in an update."""


def chain_query(kind: str, count: int | None = None) -> str:
    return "SELECT * WHERE { " + WHERE[kind].format(chain(kind, count)) + " }"


def chain_update(kind: str, count: int | None = None) -> str:
    """An update that writes `<http://ex/chain> <http://ex/KIND> VALUE` where the chain holds: VALUE is the sum of
    the `plus` chain, 1 for the others."""
    value = "?v" if kind == "plus" else "1"
    return (f"INSERT {{ <http://ex/chain> <http://ex/{kind}> {value} }} WHERE {{ "
            + WHERE[kind].format(chain(kind, count)) + " }")


def written(server: Server, kind: str) -> bool:
    return server.ask(f"ASK {{ <http://ex/chain> <http://ex/{kind}> ?value }}")


def assert_serving(server: Server) -> None:
    """The process lives, `/healthz` is ok and a query is answered (unlike `Server.assert_alive`, a worker that
    stopped on a chain is allowed in the log)."""
    assert server.process.poll() is None, f"jaikg serve exited with {server.process.returncode}:\n{server.log()}"
    assert requests.get(server.url + "/healthz", timeout=30).status_code == 200
    assert server.ask("ASK { FILTER(1 + 1 = 2) }")


def assert_check_stopped(response: requests.Response, what: str) -> None:
    """The 503 of a check whose worker died: it names the check and says the text did not run."""
    assert response.status_code == 503, response.text[:500]
    error = response.json()
    assert error["error"] == "sparql-error"
    assert error["message"].startswith(f"the {what} could not be checked: the process checking it stopped")
    assert error["message"].endswith(f"and the {what} was not run")


def server_memory(server: Server) -> int:
    """Resident bytes of the `jaikg serve` process (Linux)."""
    pages = int(Path(f"/proc/{server.process.pid}/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


@pytest.fixture(scope="module")
def embedded() -> Iterator[Server]:
    """`jaikg serve --update` on the shipped data, with two query workers and a small memory limit."""
    with serve("--update", "--workers", "2", "--timeout", str(TIMEOUT), "--max-query-memory", "256") as server:
        yield server


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`jaikg serve --backend` (queries and updates) in front of a real Oxigraph server."""
    with oxigraph_server(str(tmp_path_factory.mktemp("oxigraph"))) as oxigraph:
        with serve("--backend", oxigraph + "/query", "--backend-update", oxigraph + "/update", "--update",
                   "--timeout", str(TIMEOUT), "--max-query-memory", "256") as server:
            yield server


@pytest.mark.parametrize("kind", ["plus", "or", "union"])
def test_a_chained_update_runs_on_the_embedded_store_and_the_server_lives(embedded: Server, kind: str) -> None:
    """10-27 KB of chain: checked in a worker, then applied on the server's store (on a thread with a stack sized
    for it)."""
    update = chain_update(kind, SHORT_OPERANDS[kind])
    applied = requests.post(embedded.url + "/sparql", data={"update": update}, timeout=120)
    assert applied.status_code == 204, applied.text[:500]
    assert_serving(embedded)
    if kind == "plus":
        assert embedded.ask(f"ASK {{ <http://ex/chain> <http://ex/plus> {SHORT_OPERANDS['plus']} }}")
    else:
        assert written(embedded, kind)


@pytest.mark.parametrize("kind", ["plus", "or", "union"])
def test_an_update_of_a_chain_as_long_as_allowed_is_refused_and_changes_nothing(embedded: Server,
                                                                                kind: str) -> None:
    update = chain_update(kind).replace("http://ex/chain", "http://ex/long-chain")
    assert LONG - 100 <= len(update) <= LONG
    workers = embedded.workers()
    for data, headers in (({"update": update}, {}),
                          (update.encode(), {"Content-Type": "application/sparql-update"})):
        started = time.monotonic()
        refused = requests.post(embedded.url + "/sparql", data=data, headers=headers, timeout=120)
        assert_check_stopped(refused, "update")
        assert time.monotonic() - started < TIMEOUT  # the worker stopped on it, not the time limit
        assert_serving(embedded)
    assert not embedded.ask("ASK { <http://ex/long-chain> ?p ?o }")
    assert len(embedded.workers() & workers) >= 2  # the query workers were not reloaded: nothing changed


def test_an_update_whose_check_takes_too_much_memory_changes_nothing(embedded: Server) -> None:
    """Nested CONCATs of a constant: 2^30 characters, were they all computed. The check in the worker is stopped
    at the memory limit; the server's own memory does not grow."""
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(30))
    update = f"INSERT {{ <http://ex/concat> <http://ex/p> ?a30 }} WHERE {{ BIND('a' AS ?a0) {binds} }}"
    before = server_memory(embedded)
    refused = requests.post(embedded.url + "/sparql", data={"update": update}, timeout=120)
    assert refused.status_code == 500, refused.text[:500]
    assert refused.json()["error"] == "query-memory-exceeded"
    assert refused.json()["message"].startswith("checking the update took more than the memory limit of 256 MB")
    assert server_memory(embedded) - before < 100 * 1024 * 1024
    assert_serving(embedded)
    assert not embedded.ask("ASK { <http://ex/concat> ?p ?o }")


MALFORMED_UPDATE = "INSERT { <http://ex/a> <http://ex/b> ?o }\nWHERE { ?s ?p ?o ) }"
"""Malformed at line 2, column 21; with `using-graph-uri` a USING clause goes before its WHERE, and the error of the
text that ran would be 20 columns further."""


@pytest.mark.parametrize("server_kind", ["embedded", "backend"])
def test_a_malformed_update_is_still_a_400_where_the_client_wrote_it(server_kind: str,
                                                                     request: pytest.FixtureRequest) -> None:
    server: Server = request.getfixturevalue(server_kind)
    for parameters in ({}, {"using-graph-uri": "http://ex/g"}):
        refused = requests.post(server.url + "/sparql", data={"update": MALFORMED_UPDATE, **parameters}, timeout=60)
        assert refused.status_code == 400, refused.text
        assert refused.json()["error"] == "query-syntax-error"
        assert (refused.json()["line"], refused.json()["column"]) == (2, 21), parameters


@pytest.mark.parametrize("kind", ["plus", "or", "union"])
def test_with_a_backend_a_chained_query_is_answered_and_the_server_lives(backend: Server, kind: str) -> None:
    """10-27 KB of chain: checked in a worker, then answered by the backend."""
    for method in ("GET", "POST"):
        query = chain_query(kind, SHORT_OPERANDS[kind])
        if method == "GET":
            answered = requests.get(backend.url + "/sparql", params={"query": query}, timeout=120)
        else:
            answered = requests.post(backend.url + "/sparql", data=query.encode(), timeout=120,
                                     headers={"Content-Type": "application/sparql-query"})
        assert answered.status_code == 200, answered.text[:500]
        rows = answered.json()["results"]["bindings"]
        if kind == "plus":
            assert rows == [{"v": {"type": "literal", "value": str(SHORT_OPERANDS["plus"]),
                                   "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
        assert_serving(backend)


@pytest.mark.parametrize("kind", ["plus", "or", "union"])
def test_with_a_backend_a_chain_as_long_as_allowed_is_refused_and_the_server_lives(backend: Server,
                                                                                  kind: str) -> None:
    query, update = chain_query(kind), chain_update(kind)
    assert LONG - 100 <= len(query) <= LONG and LONG - 100 <= len(update) <= LONG
    for data, headers in (({"query": query}, {}), (query.encode(), {"Content-Type": "application/sparql-query"})):
        sent = requests.post(backend.url + "/sparql", data=data, headers=headers, timeout=120)
        assert_check_stopped(sent, "query")  # (in a GET, 100,000 characters of `1+1+…` are a URL too long: 414)
        assert_serving(backend)
    assert_check_stopped(requests.post(backend.url + "/sparql", data={"update": update}, timeout=120), "update")
    assert_serving(backend)
    assert not written(backend, kind)


def test_with_a_backend_a_check_past_the_limits_is_stopped_in_its_worker(backend: Server) -> None:
    """An ASK is evaluated when it is checked: nested CONCATs took 1.2 GB in the server process, and thousands of
    triple patterns (an object list `1,1,…`: Oxigraph plans their joins in time growing with the square of their
    number) minutes of its CPU."""
    binds = " ".join(f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(30))
    before = server_memory(backend)
    refused = requests.get(backend.url + "/sparql", params={"query": f"ASK {{ BIND('a' AS ?a0) {binds} }}"},
                           timeout=120)
    assert refused.status_code == 500, refused.text[:500]
    assert refused.json()["error"] == "query-memory-exceeded"
    assert refused.json()["message"] == ("checking the query took more than the memory limit of 256 MB: it was "
                                         "stopped, and the query was not run")
    assert server_memory(backend) - before < 100 * 1024 * 1024
    assert_serving(backend)

    started = time.monotonic()
    refused = requests.get(backend.url + "/sparql", params={"query": "ASK { ?s ?p " + operands("1", ",", 5000) + " }"},
                           timeout=120)
    assert refused.status_code == 503, refused.text[:500]
    assert refused.json()["error"] == "query-timeout"
    assert refused.json()["message"].startswith(f"checking the query took longer than the time limit of {TIMEOUT} s")
    assert TIMEOUT <= time.monotonic() - started < TIMEOUT + 5
    assert_serving(backend)


def test_with_a_backend_a_malformed_query_is_still_a_400_with_line_and_column(backend: Server) -> None:
    refused = requests.get(backend.url + "/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p \n"}, timeout=60)
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"] == "query-syntax-error"
    assert (refused.json()["line"], refused.json()["column"]) == (3, 1)


def test_without_workers_a_chain_runs_in_the_server_process_on_a_stack_sized_for_it() -> None:
    """`--workers 0` runs queries and updates in the server process (no time limit: for debugging): there a chain
    runs on a thread with a stack sized for its text."""
    with serve("--update", "--workers", "0") as server:
        query = chain_query("plus", SHORT_OPERANDS["plus"])
        answered = requests.get(server.url + "/sparql", params={"query": query}, timeout=120)
        assert answered.status_code == 200, answered.text[:500]
        assert answered.json()["results"]["bindings"][0]["v"]["value"] == str(SHORT_OPERANDS["plus"])
        applied = requests.post(server.url + "/sparql", data={"update": chain_update("union", 3_000)}, timeout=120)
        assert applied.status_code == 204, applied.text[:500]
        assert written(server, "union")
        assert_serving(server)
