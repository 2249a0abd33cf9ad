"""No outbound requests: SERVICE in every position and disguise, LOAD, and FROM <file:…> never reach another host
or a file. A listening socket on loopback records every connection the server would make."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
import requests

from jaikg.sparql import QueryRefused, refuse_outbound

from .live import thread_server


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[bytes]]]:
    """A TCP socket on loopback that records the first bytes of every connection made to it."""
    hits: list[bytes] = []
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)

    def accept() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(1)
                try:
                    hits.append(conn.recv(200))
                except OSError:
                    hits.append(b"")

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/", hits
    server.close()


def disguised_services(endpoint: str) -> dict[str, str]:
    """SERVICE in every position the grammar allows it, and in every disguise Oxigraph's parser still accepts."""
    s = f"<{endpoint}>"
    body = "{ ?s ?p ?o }"
    return {
        "plain": f"SELECT * WHERE {{ SERVICE {s} {body} }}",
        "silent": f"SELECT * WHERE {{ SERVICE SILENT {s} {body} }}",
        "silent-no-space": f"SELECT * WHERE {{ SERVICE SILENT{s} {body} }}",
        "lower-case-comments": f"select * where {{ #x\n sErViCe#c\n{s} {body} }}",
        "tabs-and-cr": f"SELECT * WHERE {{\rSERVICE\t{s}\n{body} }}",
        "optional": f"SELECT * WHERE {{ ?s ?p ?o OPTIONAL {{ SERVICE {s} {body} }} }}",
        "filter-exists": f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE {s} {body} }} }}",
        "filter-not-exists": f"ASK {{ ?s ?p ?o FILTER NOT EXISTS {{ SERVICE {s} {body} }} }}",
        "subquery": f"SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE {s} {body} }} }} }}",
        "minus": f"SELECT * WHERE {{ ?s ?p ?o MINUS {{ SERVICE {s} {body} }} }}",
        "union": f"SELECT * WHERE {{ {{ ?s ?p ?o }} UNION {{ SERVICE {s} {body} }} }}",
        "graph": f"SELECT * WHERE {{ GRAPH ?g {{ SERVICE {s} {body} }} }}",
        "variable": f"SELECT * WHERE {{ VALUES ?x {{ {s} }} SERVICE ?x {body} }}",
        "bound-variable": f"SELECT * WHERE {{ BIND({s} AS ?x) SERVICE ?x {body} }}",
        "prefixed-name": f"PREFIX e: <{endpoint}> SELECT * WHERE {{ SERVICE e:sparql {body} }}",
        "escaped-iri": f"SELECT * WHERE {{ SERVICE <{endpoint}\\u0073> {body} }}",
        "construct": f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE {s} {body} }}",
        "describe": f"DESCRIBE ?s WHERE {{ SERVICE {s} {body} }}",
        "ask": f"ASK {{ SERVICE {s} {body} }}",
        "after-boolean": f"SELECT * WHERE {{ ?s ?p trueSERVICE {s} {body} }}",
        "after-double": f"SELECT * WHERE {{ ?s ?p 1e5SERVICE {s} {body} }}",
        "after-decimal": f"SELECT * WHERE {{ ?s ?p 1.5SERVICE {s} {body} }}",
        "after-escaped-local-name": f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ex:a\\#b ?o . SERVICE {s} {body} }}",
        "after-string-with-escaped-quote": f"SELECT * WHERE {{ ?s ?p 'a\\'' SERVICE {s} {body} }}",
    }


def test_oxigraph_itself_would_call_out(listener: tuple[str, list[bytes]]) -> None:
    """Why the refusal matters: unguarded, pyoxigraph makes the HTTP request (here for the disguised forms too)."""
    endpoint, hits = listener
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://e/s"), ox.NamedNode("http://e/a#b"), ox.Literal(True)))
    before = len(hits)
    with pytest.raises(OSError):
        list(store.query(f"SELECT * WHERE {{ ?s ?p trueSERVICE <{endpoint}> {{ ?s ?p ?o }} }}"))
    assert len(hits) > before


@pytest.mark.parametrize("name", list(disguised_services("http://127.0.0.1:1/")))
def test_every_service_form_is_refused(name: str) -> None:
    with pytest.raises(QueryRefused):
        refuse_outbound(disguised_services("http://127.0.0.1:1/")[name], ())


@pytest.mark.parametrize("text", [
    "LOAD <http://127.0.0.1:1/x>", "load silent <file:///etc/passwd> INTO GRAPH <urn:g>",
    "CLEAR ALL ; LOAD <file:///etc/passwd>", "INSERT DATA { <urn:a> <urn:b> true } ;LOAD<file:///etc/passwd>",
    "INSERT DATA { <urn:a> <urn:b> 1e5 } ;\n# comment\nLoAd <file:///etc/passwd>",
])
def test_load_is_refused(text: str) -> None:
    with pytest.raises(QueryRefused):
        refuse_outbound(text, ())


@pytest.mark.parametrize("text", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://x/> { }" }',
    "SELECT * WHERE { ?s <urn:SERVICE> ?o }",
    "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:SERVICE ?o ; ex:LOAD ?download }",
    "SELECT ?service WHERE { ?service ?p ?o } # SERVICE <http://x/> {}",
])
def test_service_and_load_as_data_are_allowed(text: str) -> None:
    refuse_outbound(text, ())


@pytest.fixture(scope="module")
def outbound_server(shipped_store: ox.Store) -> Iterator[str]:
    with thread_server({"STORE": shipped_store}) as base_url:
        yield base_url


def test_endpoint_refuses_every_service_and_calls_nobody(outbound_server: str,
                                                         listener: tuple[str, list[bytes]]) -> None:
    endpoint, hits = listener
    before = len(hits)
    for name, query in disguised_services(endpoint).items():
        for method in ("GET", "POST"):
            if method == "GET":
                response = requests.get(outbound_server + "/sparql", params={"query": query}, timeout=30)
            else:
                response = requests.post(outbound_server + "/sparql", data=query.encode(), timeout=30,
                                         headers={"Content-Type": "application/sparql-query"})
            assert response.status_code == 400, (name, method, response.text)
            assert "SERVICE" in response.json()["message"], name
    assert hits[before:] == []


def test_from_file_iri_reads_no_file(outbound_server: str, listener: tuple[str, list[bytes]]) -> None:
    """FROM and default-graph-uri name graphs of the store; the server dereferences nothing."""
    endpoint, hits = listener
    before = len(hits)
    for query, params in [
        ("SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }", {}),
        (f"SELECT * FROM <{endpoint}data> FROM NAMED <file:///etc/hostname> WHERE {{ ?s ?p ?o }}", {}),
        ("SELECT * WHERE { GRAPH <file:///etc/passwd> { ?s ?p ?o } }", {}),
        ("SELECT * WHERE { ?s ?p ?o }", {"default-graph-uri": "file:///etc/passwd"}),
        ("SELECT * WHERE { ?s ?p ?o }", {"named-graph-uri": endpoint}),
    ]:
        response = requests.get(outbound_server + "/sparql", params={"query": query, **params}, timeout=30)
        assert response.status_code == 200, response.text
        assert response.json()["results"]["bindings"] == []
        assert "root:" not in response.text
    assert hits[before:] == []


NAMESPACES_OF_POOL = """
import os, pyoxigraph as ox
from jaikg.workers import WorkerPool
with WorkerPool(ox.Store(), size=1, isolate_network=True, allocator="system") as pool:
    print(os.readlink("/proc/self/ns/net"), os.readlink(f"/proc/{pool.pids()[0]}/ns/net"))
"""


def test_workers_of_an_unprivileged_server_leave_the_network() -> None:
    """The second wall holds where it matters most, for a server run without CAP_SYS_ADMIN (any ordinary user): its
    query workers are in a network namespace of their own, not the server's. Run here with that capability
    dropped, so the move has to go through a user namespace, as it does for an ordinary user."""
    drop = ["setpriv", "--bounding-set=-sys_admin", "--inh-caps=-sys_admin"] if os.geteuid() == 0 else []
    done = subprocess.run([*drop, sys.executable, "-c", NAMESPACES_OF_POOL], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    server_namespace, worker_namespace = done.stdout.split()
    assert server_namespace.startswith("net:[") and worker_namespace.startswith("net:[")
    assert worker_namespace != server_namespace
    assert "keeps network access" not in done.stderr
