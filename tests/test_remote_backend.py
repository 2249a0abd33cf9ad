"""A real Oxigraph server as jaikg's backend: `jaikg load --to` publishes into it (twice: same store),
`jaikg serve --backend` answers as the embedded store does (same rows, same booleans, isomorphic graphs, same pages
and dumps), a backend that is down gives 502 and one that never answers 504 within the timeout, a CONSTRUCT cut at
`--max-rows` reads no more of the backend's answer than it keeps (even an endless one), an answer longer than the
client reads is a 502, and `jaikg validate --endpoint` checks what it holds."""

from __future__ import annotations

import itertools
import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from click.testing import CliRunner, Result
from rdflib import Graph
from rdflib.compare import isomorphic

from jaikg import resources
from jaikg.cli import main
from jaikg.remote_store import BackendTimeout, BackendUnavailable, RemoteStore
from jaikg.sparql import SparqlError
from jaikg.store import GraphStore
from tests.live import cli_server, free_port, oxigraph_server
from tests.test_export import without_statements

PREFIXES = "PREFIX jo: <https://w3id.org/jaikg/ontology#>\nPREFIX jr: <https://w3id.org/jaikg/resource/>\n"
JSON_RESULTS = "application/sparql-results+json"


def jaikg(*arguments: str) -> Result:
    """The `jaikg` command, run in this process (`result.exit_code`, `.stdout`, `.stderr`)."""
    return CliRunner().invoke(main, list(arguments))


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server holding the shipped graph, published with `jaikg load --to`."""
    with oxigraph_server(str(tmp_path_factory.mktemp("oxigraph"))) as base_url:
        published = jaikg("load", "--to", base_url + "/update")
        assert published.exit_code == 0, published.stderr
        yield base_url


@pytest.fixture(scope="module")
def remote(backend: str) -> Iterator[str]:
    """`jaikg serve --backend` on that server."""
    with cli_server("--backend", backend + "/query", "--timeout", "20") as base_url:
        yield base_url


def count(backend: str) -> int:
    return len(RemoteStore(backend + "/query"))


def test_load_to_twice_replaces_never_duplicates(backend: str) -> None:
    first = count(backend)
    again = jaikg("load", "--to", backend + "/update", "--chunk-size", "200")
    assert again.exit_code == 0, again.stderr
    assert f"{first:,} quads in" in again.stderr
    assert count(backend) == first


def test_load_to_through_the_graph_store_protocol(tmp_path: Path) -> None:
    with oxigraph_server(str(tmp_path / "gsp")) as base_url:
        counts = []
        for _ in range(2):
            published = jaikg("load", "--to", base_url + "/store", "--via", "gsp")
            assert published.exit_code == 0, published.stderr
            counts.append(count(base_url))
        assert counts[0] == counts[1] > 3000


def test_load_to_refuses_invalid_data_and_sends_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.trig"
    bad.write_text("@prefix jr: <https://w3id.org/jaikg/resource/> .\n"
                   "<urn:g> { jr:x <https://w3id.org/jaikg/ontology#developer> jr:y . }\n", encoding="utf-8")
    with oxigraph_server(str(tmp_path / "store")) as base_url:
        refused = jaikg("load", bad.as_posix(), "--to", base_url + "/update")
        assert refused.exit_code == 1
        assert "nothing was sent" in refused.stderr
        assert count(base_url) == 0


def test_load_needs_exactly_one_target() -> None:
    assert jaikg("load").exit_code == 2
    assert jaikg("load", "--store", "x", "--to", "http://127.0.0.1:9/update").exit_code == 2


def test_the_remote_store_has_the_embedded_stores_interface(backend: str, shipped_store: ox.Store) -> None:
    store = RemoteStore(backend + "/query")
    assert isinstance(store, GraphStore) and isinstance(shipped_store, GraphStore)
    swallow = ox.NamedNode("https://w3id.org/jaikg/resource/swallow")
    assert set(store.quads_for_pattern(swallow, None, None)) == set(shipped_store.quads_for_pattern(swallow, None,
                                                                                                    None))
    graph = ox.NamedNode("https://w3id.org/jaikg/graph/ontology")
    assert store.contains_named_graph(graph)
    assert not store.contains_named_graph(ox.NamedNode("urn:nothing"))
    assert len(list(store.quads_for_pattern(None, None, None, graph))) == len(
        list(shipped_store.quads_for_pattern(None, None, None, graph)))


def test_dataset_parameters_reach_the_backend(backend: str, shipped_store: ox.Store) -> None:
    store = RemoteStore(backend + "/query")
    evidence = next(q.graph_name for q in shipped_store.quads_for_pattern(None, None, None, None)
                    if "evidence" in str(q.graph_name))
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for options in ({"default_graph": [evidence]}, {"use_default_graph_as_union": True}, {}):
        [remote_row] = list(store.query(query, **options))
        [embedded_row] = list(shipped_store.query(query, **options))
        assert remote_row["n"] == embedded_row["n"], options
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert [row["g"] for row in store.query(named, default_graph=[], named_graphs=[evidence])] == [evidence]


def test_a_malformed_query_is_the_same_syntax_error(backend: str, shipped_store: ox.Store) -> None:
    query = "SELECT * WHERE {\n  ?s ?p \n"
    with pytest.raises(SyntaxError) as remote_error:
        RemoteStore(backend + "/query").query(query)
    with pytest.raises(SyntaxError) as embedded_error:
        shipped_store.query(query)
    assert str(remote_error.value) == str(embedded_error.value)


def normalized_rows(body: dict) -> Counter | bool:
    """Solutions as a multiset, blank node labels (which differ between stores) left out; an ASK's boolean."""
    if "boolean" in body:
        return body["boolean"]

    def term(value: dict | None) -> tuple:
        if value is None:
            return ()
        if value["type"] == "bnode":
            return ("bnode",)
        return tuple(sorted(value.items()))

    names = body["head"]["vars"]
    return Counter(tuple(term(row.get(name)) for name in names) for row in body["results"]["bindings"])


def both(live_server: str, remote: str, path: str, **options) -> tuple[requests.Response, requests.Response]:
    method = options.pop("method", "GET")
    embedded = requests.request(method, live_server + path, timeout=60, **options)
    over_backend = requests.request(method, remote + path, timeout=60, **options)
    return embedded, over_backend


@pytest.mark.parametrize("path", sorted(resources.query_files()), ids=lambda p: p.stem)
def test_every_competency_question_has_the_same_answer(live_server: str, remote: str, path: Path) -> None:
    embedded, over_backend = both(live_server, remote, "/sparql", method="POST",
                                  data={"query": path.read_text(encoding="utf-8")},
                                  headers={"Accept": JSON_RESULTS})
    assert embedded.status_code == over_backend.status_code == 200
    assert normalized_rows(embedded.json()) == normalized_rows(over_backend.json())
    assert embedded.json()["head"] == over_backend.json()["head"]


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values", "application/sparql-results+xml"])
def test_select_in_other_formats_is_byte_identical(live_server: str, remote: str, accept: str) -> None:
    query = PREFIXES + "SELECT ?dev ?label WHERE { jr:swallow jo:developer ?dev . ?dev rdfs:label ?label }"
    query = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n" + query + " ORDER BY ?dev ?label"
    embedded, over_backend = both(live_server, remote, "/sparql", params={"query": query}, headers={"Accept": accept})
    assert embedded.status_code == over_backend.status_code == 200
    assert embedded.content == over_backend.content


@pytest.mark.parametrize("query, answer", [("ASK { jr:swallow jo:developer jr:aist }", True),
                                           ("ASK { jr:swallow jo:developer jr:sakana-ai }", False)])
def test_ask_is_the_same(live_server: str, remote: str, query: str, answer: bool) -> None:
    embedded, over_backend = both(live_server, remote, "/sparql", params={"query": PREFIXES + query})
    assert embedded.json()["boolean"] is over_backend.json()["boolean"] is answer


@pytest.mark.parametrize("query", [
    "CONSTRUCT { jr:swallow ?p ?o } WHERE { jr:swallow ?p ?o }",
    "DESCRIBE jr:swallow",
    "CONSTRUCT { ?s ?p ?q . ?q ?qp ?qv } WHERE { ?s ?p ?q . ?q a jo:Quantity ; ?qp ?qv }",
])
def test_construct_and_describe_are_isomorphic(live_server: str, remote: str, query: str) -> None:
    embedded, over_backend = both(live_server, remote, "/sparql", params={"query": PREFIXES + query},
                                  headers={"Accept": "text/turtle"})
    assert embedded.status_code == over_backend.status_code == 200
    assert isomorphic(Graph().parse(data=embedded.text, format="turtle"),
                      Graph().parse(data=over_backend.text, format="turtle"))


def test_the_dataset_of_the_protocol_is_the_same(live_server: str, remote: str) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    params = {"query": query, "named-graph-uri": ["https://w3id.org/jaikg/graph/ontology",
                                                  "https://w3id.org/jaikg/graph/mentions"]}
    embedded, over_backend = both(live_server, remote, "/sparql", params=params)
    assert normalized_rows(embedded.json()) == normalized_rows(over_backend.json())
    assert len(embedded.json()["results"]["bindings"]) == 2


def test_errors_and_refusals_are_the_same(live_server: str, remote: str) -> None:
    for query in ("SELECT * WHERE { ?s ?p ", "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"):
        embedded, over_backend = both(live_server, remote, "/sparql", params={"query": query})
        assert embedded.status_code == over_backend.status_code == 400
        assert embedded.json() == over_backend.json()
    embedded, over_backend = both(live_server, remote, "/sparql", params={"query": "ASK {}"},
                                  headers={"Accept": "text/turtle"})
    assert embedded.status_code == over_backend.status_code == 406


@pytest.mark.parametrize("path", ["/resource/swallow", "/resource/tokyo-tech", "/ontology", "/ontology/ModelFamily"])
def test_linked_data_pages_are_the_same(live_server: str, remote: str, path: str) -> None:
    embedded, over_backend = both(live_server, remote, path, headers={"Accept": "text/html"})
    assert embedded.status_code == over_backend.status_code == 200
    assert embedded.text.replace(live_server, "") == over_backend.text.replace(remote, "")


@pytest.mark.parametrize("path", ["/resource/swallow.ttl", "/evidence/s2-swallow.ttl", "/.well-known/void"])
def test_linked_data_twins_and_void_are_isomorphic(live_server: str, remote: str, path: str) -> None:
    embedded, over_backend = both(live_server, remote, path, headers={"Accept": "text/turtle"})
    assert embedded.status_code == over_backend.status_code == 200
    assert isomorphic(Graph().parse(data=embedded.text.replace(live_server, ""), format="turtle"),
                      Graph().parse(data=over_backend.text.replace(remote, ""), format="turtle"))


def test_a_missing_page_is_a_404_with_the_same_suggestions(live_server: str, remote: str) -> None:
    embedded, over_backend = both(live_server, remote, "/resource/swalow", headers={"Accept": "text/html"})
    assert embedded.status_code == over_backend.status_code == 404
    assert embedded.text.replace(live_server, "") == over_backend.text.replace(remote, "")


def test_the_dumps_and_the_network_are_the_same(live_server: str, remote: str) -> None:
    embedded, over_backend = both(live_server, remote, "/export/jaikg.nt")
    embedded_dump, backend_dump = (Graph().parse(data=r.text, format="nt") for r in (embedded, over_backend))
    assert isomorphic(without_statements(embedded_dump), without_statements(backend_dump))
    assert len(embedded_dump) == len(backend_dump)  # the evidence of each fact, reified, as well
    embedded, over_backend = both(live_server, remote, "/export/jaikg.nq")
    assert len(embedded.text.splitlines()) == len(over_backend.text.splitlines())
    embedded, over_backend = both(live_server, remote, "/graph.json")
    assert json.loads(embedded.content) == json.loads(over_backend.content)


def test_validate_endpoint_conforms(backend: str) -> None:
    checked = jaikg("validate", "--endpoint", backend + "/query")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert "Conforms: yes" in checked.stdout


def test_validate_endpoint_refuses_an_answer_the_endpoint_cut() -> None:
    """A jaikg endpoint with a row limit cuts long answers and says so (X-JAIKG-Truncated): validating through it
    must not take a cut answer for the whole graph (it reported 39 false violations, exit 1); it cannot read the
    endpoint, exit 2, naming the cut and the way out."""
    with cli_server("--max-rows", "100") as url:
        checked = jaikg("validate", "--endpoint", url + "/sparql", "--backend-union", "native")
    assert checked.exit_code == 2, checked.stdout + checked.stderr
    assert "X-JAIKG-Truncated" in checked.stderr + checked.stdout and "--max-rows 0" in checked.stderr + checked.stdout


def test_validate_endpoint_of_a_jaikg_server_conforms() -> None:
    """A jaikg endpoint's default graph is already the union of its graphs (its service description says so:
    sd:UnionDefaultGraph). Read as Oxigraph's real default graph, every fact of an evidence graph was copied into
    the default graph too, and the shipped data, which conforms, was reported with 350 violations; with the default
    `--backend-union auto` the service description decides, and the shipped data conforms through it as it does
    from its files."""
    with cli_server("--max-rows", "0") as url:
        checked = jaikg("validate", "--endpoint", url + "/sparql")
    assert checked.exit_code == 0, checked.stdout + checked.stderr
    assert "Conforms: yes" in checked.stdout


def test_backend_union_auto_reads_the_service_description(backend: str) -> None:
    """`auto` takes the union parameter for an endpoint whose service description does not declare
    sd:UnionDefaultGraph (the Oxigraph server answers a GET without a query with an error), and `native` for one
    that does (jaikg)."""
    assert RemoteStore(backend + "/query", union="auto").union == "oxigraph"
    with cli_server("--max-rows", "0") as url:
        assert RemoteStore(url + "/sparql", union="auto").union == "native"


def test_validate_endpoint_that_is_down_exits_2() -> None:
    checked = jaikg("validate", "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert checked.exit_code == 2
    assert "could not be reached" in checked.stderr


def test_a_backend_that_is_down_gives_502() -> None:
    with cli_server("--backend", f"http://127.0.0.1:{free_port()}/query", ready=(502,)) as base_url:
        response = requests.get(base_url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        assert response.status_code == 502
        assert response.json()["error"] == "backend-unavailable"
        assert "could not be reached" in response.json()["message"]
        assert requests.get(base_url + "/resource/swallow", timeout=30).status_code == 502


@pytest.fixture
def silent_backend() -> Iterator[str]:
    """A socket on loopback that accepts connections and never answers."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/query"
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


def test_a_backend_that_never_answers_gives_504_within_the_timeout(silent_backend: str) -> None:
    with cli_server("--backend", silent_backend, "--timeout", "2", ready=(504,)) as base_url:
        started = time.monotonic()
        response = requests.get(base_url + "/sparql", params={"query": "ASK {}"}, timeout=30)
        elapsed = time.monotonic() - started
        assert response.status_code == 504
        assert response.json()["error"] == "backend-timeout"
        assert 1.9 < elapsed < 4.0


def test_remote_store_errors_carry_their_status(silent_backend: str) -> None:
    with pytest.raises(BackendTimeout) as timeout:
        RemoteStore(silent_backend, timeout=0.5).query("ASK {}")
    assert timeout.value.status == 504
    with pytest.raises(BackendUnavailable) as down:
        RemoteStore(f"http://127.0.0.1:{free_port()}/query").query("ASK {}")
    assert down.value.status == 502


def test_writes_go_to_the_backend_with_backend_update(tmp_path: Path) -> None:
    with oxigraph_server(str(tmp_path / "store")) as backend_url:
        with cli_server("--backend", backend_url + "/query", "--backend-update", backend_url + "/update",
                        "--update") as base_url:
            graph = "urn:example:notes"
            put = requests.put(base_url + "/data", params={"graph": graph}, data="<urn:a> <urn:b> <urn:c> .",
                               headers={"Content-Type": "application/n-triples"}, timeout=30)
            assert put.status_code == 201
            assert count(backend_url) == 1
            read = requests.get(base_url + "/data", params={"graph": graph}, headers={"Accept": "application/n-triples"},
                                timeout=30)
            assert read.text.strip() == "<urn:a> <urn:b> <urn:c> ."
            update = requests.post(base_url + "/sparql", data={"update": f"DROP GRAPH <{graph}>"}, timeout=30)
            assert update.status_code in (200, 204)
            assert count(backend_url) == 0


def test_update_without_backend_update_is_refused_at_start() -> None:
    refused = jaikg("serve", "--backend", "http://127.0.0.1:9/query", "--update")
    assert refused.exit_code == 2
    assert "--backend-update" in refused.stderr


RESULTS = b'{"head":{"vars":["n"]},"results":{"bindings":[{"n":{"type":"literal","value":"1"}}]}}'
SELECT = "SELECT * WHERE { ?s ?p ?o }"
CONSTRUCT = "CONSTRUCT WHERE { ?s ?p ?o }"
INSERT = "INSERT DATA { <urn:a> <urn:b> <urn:c> }"


class FakeHandler(BaseHTTPRequestHandler):
    """Records each POST, then lets the server's `behaviour` answer it (or not)."""

    protocol_version = "HTTP/1.1"
    server: FakeBackend

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((self.headers.get("Content-Type", ""), body))
        self.server.behaviour(self)


class FakeBackend(ThreadingHTTPServer):
    """A SPARQL backend on loopback that answers as `behaviour` says (by default: one solution, kept alive)."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeHandler)
        self.url = f"http://127.0.0.1:{self.server_address[1]}/sparql"
        self.behaviour: Callable[[FakeHandler], None] = answer
        self.received: list[tuple[str, bytes]] = []
        self.closed = threading.Event()
        """Set when the backend has closed a connection."""

    def updates(self) -> list[bytes]:
        return [body for media_type, body in self.received if media_type == "application/sparql-update"]

    def shutdown_request(self, request: socket.socket) -> None:
        super().shutdown_request(request)
        self.closed.set()


def answer(handler: FakeHandler, status: int = 200, body: bytes = RESULTS, **headers: str) -> None:
    """`headers` with "_" for "-"; a 204 has no body."""
    handler.send_response(status)
    if status != 204:
        handler.send_header("Content-Type", "application/sparql-results+json")
        handler.send_header("Content-Length", str(len(body)))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    if status != 204:
        handler.wfile.write(body)


def trickle_triples(handler: FakeHandler) -> None:
    """A CONSTRUCT answer whose headers and first triple come at once, then a byte every 0.25 s."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/n-triples")
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    first = b"<urn:a> <urn:b> <urn:c> .\n"
    trickle(handler, [b"%x\r\n%s\r\n" % (len(first), first)] + [b"1\r\n%c\r\n" % byte for byte in first * 3])


def trickle_body(handler: FakeHandler) -> None:
    """The headers at once, then the body one byte every 0.25 s (21 s in all): no single receive waits long."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/sparql-results+json")
    handler.send_header("Content-Length", str(len(RESULTS)))
    handler.end_headers()
    trickle(handler, [bytes([byte]) for byte in RESULTS])


def trickle_headers(handler: FakeHandler) -> None:
    """The status line, then a header line every 0.25 s (20 s in all), never the end of the headers."""
    trickle(handler, [b"HTTP/1.1 200 OK\r\n"] + [b"X-Trickle: %d\r\n" % n for n in range(80)])


def trickle(handler: FakeHandler, pieces: list[bytes]) -> None:
    handler.close_connection = True
    try:
        for piece in pieces:
            handler.wfile.write(piece)
            handler.wfile.flush()
            time.sleep(0.25)
    except OSError:
        pass  # the client gave up


@pytest.fixture
def fake_backend() -> Iterator[FakeBackend]:
    server = FakeBackend()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("behaviour, query", [(trickle_body, SELECT), (trickle_headers, SELECT),
                                              (trickle_triples, CONSTRUCT)], ids=["body", "headers", "triples"])
def test_a_backend_that_trickles_gives_504_by_the_deadline(fake_backend: FakeBackend,
                                                            behaviour: Callable[[FakeHandler], None],
                                                            query: str) -> None:
    """A CONSTRUCT's triples are read as they are iterated, and still by the deadline of the request."""
    fake_backend.behaviour = behaviour
    started = time.monotonic()
    with pytest.raises(BackendTimeout) as timeout:
        list(RemoteStore(fake_backend.url, timeout=1.5).query(query))
    elapsed = time.monotonic() - started
    assert timeout.value.status == 504
    assert 1.4 < elapsed < 1.5 + 2


def test_serve_answers_504_by_the_timeout_when_the_backend_trickles(fake_backend: FakeBackend) -> None:
    with cli_server("--backend", fake_backend.url, "--timeout", "2") as base_url:
        fake_backend.behaviour = trickle_body
        started = time.monotonic()
        response = requests.get(base_url + "/sparql", params={"query": SELECT}, timeout=30)
        elapsed = time.monotonic() - started
        assert response.status_code == 504
        assert response.json()["error"] == "backend-timeout"
        assert 1.9 < elapsed < 2 + 3


def answer_then_close(handler: FakeHandler) -> None:
    """Answer as if keeping the connection alive, then close it: the next request finds it closed while idle."""
    answer(handler, 204 if handler.headers["Content-Type"] == "application/sparql-update" else 200)
    handler.close_connection = True


def drop_updates(handler: FakeHandler) -> None:
    """Answer queries and keep their connection alive; close it on an update, after reading it, without an answer."""
    if handler.headers["Content-Type"] == "application/sparql-update":
        handler.close_connection = True
    else:
        answer(handler)


def test_an_update_is_sent_once_never_again(fake_backend: FakeBackend) -> None:
    store = RemoteStore(fake_backend.url, fake_backend.url, timeout=10)
    fake_backend.behaviour = answer_then_close
    list(store.query(SELECT))
    assert fake_backend.closed.wait(5)
    fake_backend.closed.clear()
    store.update(INSERT)  # the closed kept-alive connection is noticed before sending: the update goes on a new one
    assert fake_backend.updates() == [INSERT.encode()]
    assert fake_backend.closed.wait(5)
    fake_backend.behaviour = drop_updates
    list(store.query(SELECT))
    with pytest.raises(BackendUnavailable) as dropped:
        store.update(INSERT)  # received, then the connection dropped: it may have been applied, so not sent again
    assert dropped.value.status == 502
    assert fake_backend.updates() == [INSERT.encode()] * 2


def refuse(status: int, **headers: str) -> Callable[[FakeHandler], None]:
    return lambda handler: answer(handler, status, b"no such dataset", **headers)


def test_only_a_backend_400_is_the_clients_fault(fake_backend: FakeBackend, backend: str) -> None:
    with cli_server("--backend", fake_backend.url) as base_url:
        for status in (401, 403, 404, 429):
            fake_backend.behaviour = refuse(status, Retry_After="7")
            response = requests.get(base_url + "/sparql", params={"query": SELECT}, timeout=30)
            assert response.status_code == 502, status
            assert response.json()["error"] == "backend-unavailable"
            assert f"HTTP {status}" in response.json()["message"]
            assert response.headers.get("Retry-After") == ("7" if status == 429 else None)
    fake_backend.behaviour = refuse(404)
    with pytest.raises(BackendUnavailable) as refused:
        RemoteStore(fake_backend.url, fake_backend.url).update(INSERT)
    assert refused.value.status == 502 and "HTTP 404" in refused.value.message
    with pytest.raises(SparqlError) as bad:  # parsed by the backend only: it names a SERVICE
        RemoteStore(backend + "/query").query("ASK { SERVICE <http://example.org/sparql> { ?s ?p } }")
    assert type(bad.value) is SparqlError and bad.value.status == 400
    assert bad.value.message.startswith("the SPARQL backend refused the query")


class Endless:
    """A backend's answer that never ends (for 60 s at most): `start`, then `item(0)`, `item(1)` … in pieces of 300
    items (about 15 kB), one every `pause` seconds. `framing`: "chunked", "close" (the body ends when the connection
    does) or a number of bytes the Content-Length announces. Records the bytes it sent and whether the client hung
    up on it."""

    def __init__(self, media_type: str, start: bytes, item: Callable[[int], bytes], *,
                 framing: str | int = "chunked", pause: float = 0.005) -> None:
        self.media_type, self.start, self.item, self.framing, self.pause = media_type, start, item, framing, pause
        self.sent = 0
        self.hung_up = threading.Event()

    def __call__(self, handler: FakeHandler) -> None:
        handler.close_connection = True
        handler.send_response(200)
        handler.send_header("Content-Type", self.media_type)
        if self.framing == "chunked":
            handler.send_header("Transfer-Encoding", "chunked")
        elif self.framing == "close":
            handler.send_header("Connection", "close")
        else:
            handler.send_header("Content-Length", str(self.framing))
        handler.end_headers()
        items = map(self.item, itertools.count())
        piece = self.start
        stop = time.monotonic() + 60
        try:
            while time.monotonic() < stop:
                piece += b"".join(itertools.islice(items, 300))
                handler.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if self.framing == "chunked" else piece)
                self.sent += len(piece)
                piece = b""
                time.sleep(self.pause)
        except OSError:
            self.hung_up.set()


def endless_triples(framing: str | int = "chunked", pause: float = 0.005) -> Endless:
    """A CONSTRUCT answer in N-Triples without end: subjects s0, s1 …"""
    return Endless("application/n-triples", b"", lambda n: b'<urn:jaikg:test:s%d> <urn:jaikg:test:p> "%d" .\n' % (n, n),
                   framing=framing, pause=pause)


def endless_solutions(framing: str | int = "chunked", pause: float = 0.005) -> Endless:
    """A SELECT answer in SPARQL JSON without end."""
    return Endless("application/sparql-results+json", b'{"head":{"vars":["s"]},"results":{"bindings":[',
                   lambda n: b'{"s":{"type":"uri","value":"urn:jaikg:test:s%d"}},' % n, framing=framing, pause=pause)


def ntriples(response: requests.Response) -> list[ox.Triple]:
    return list(ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES))


@pytest.mark.parametrize("framing", ["chunked", "close"])
def test_a_construct_cut_at_max_rows_reads_no_more_of_an_endless_answer(fake_backend: FakeBackend,
                                                                       framing: str) -> None:
    """The backend's answer never ends: jaikg parses the triples as they come, stops after max_rows + 1, hangs up
    on the backend (the rest is never read) and answers the first max_rows, marked truncated, long before its
    timeout; the next query goes on a new connection."""
    with cli_server("--backend", fake_backend.url, "--max-rows", "5", "--timeout", "10") as base_url:
        for query in (CONSTRUCT, CONSTRUCT + " # again"):
            endless = fake_backend.behaviour = endless_triples(framing=framing)
            started = time.monotonic()
            response = requests.get(base_url + "/sparql", params={"query": query},
                                    headers={"Accept": "application/n-triples"}, timeout=30)
            elapsed = time.monotonic() - started
            assert response.status_code == 200, response.text
            assert elapsed < 5
            assert response.headers["X-JAIKG-Truncated"] == "true"
            assert response.headers["X-SPARQL-MaxRows"] == "5"
            assert {str(quad.subject) for quad in ntriples(response)} == {f"<urn:jaikg:test:s{n}>" for n in range(5)}
            assert endless.hung_up.wait(5), "jaikg kept the connection open"
            assert endless.sent < 4 * 1024 * 1024


def test_an_answer_longer_than_max_body_is_a_502_naming_the_limit(fake_backend: FakeBackend) -> None:
    """A backend that sends without end cannot take jaikg's memory: past `max_body` bytes (1 GiB by default),
    whether the answer is read whole (SELECT) or triple by triple (a CONSTRUCT read to its end), it gets a 502 that
    names the limit; one whose Content-Length is over the limit is refused before any of it is read."""
    with cli_server("--backend", fake_backend.url, "--timeout", "10") as base_url:
        endless = fake_backend.behaviour = endless_solutions(framing=2 * 1024 ** 3)
        started = time.monotonic()
        response = requests.get(base_url + "/sparql", params={"query": SELECT}, timeout=30)
        assert time.monotonic() - started < 5
        assert response.status_code == 502, response.text
        assert response.json()["error"] == "backend-unavailable"
        assert "longer than the limit of 1,073,741,824 bytes (1 GiB)" in response.json()["message"]
        assert endless.hung_up.wait(5)
    store = RemoteStore(fake_backend.url, timeout=20, max_body=1024 * 1024)
    for query, endless in ((SELECT, endless_solutions(pause=0)), (CONSTRUCT, endless_triples(pause=0))):
        fake_backend.behaviour = endless
        started = time.monotonic()
        with pytest.raises(BackendUnavailable) as too_long:
            list(store.query(query))
        assert time.monotonic() - started < 10
        assert too_long.value.status == 502
        assert "longer than the limit of 1,048,576 bytes (1 MiB)" in too_long.value.message
        assert endless.hung_up.wait(5)
        assert endless.sent < 8 * 1024 * 1024


class Relay:
    """A TCP relay on loopback to `upstream` (host, port) that counts the bytes of the answers it passes back."""

    def __init__(self, upstream: tuple[str, int]) -> None:
        self.upstream = upstream
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.answered = 0
        self.closed = threading.Event()
        """Set when a connection through it ends: the client closed it (the backend keeps its connections open)."""
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            client.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 32 * 1024)  # little held between the two
            server = socket.create_connection(self.upstream)
            self._sockets += [client, server]
            threading.Thread(target=self._pump, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client, True), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, answers: bool) -> None:
        try:
            while data := source.recv(64 * 1024):
                target.sendall(data)
                if answers:
                    with self._lock:
                        self.answered += len(data)
        except OSError:
            pass
        finally:
            self.closed.set()
            for end in (source, target):
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self.listener.close()
        for end in self._sockets:
            end.close()


def test_a_construct_over_a_large_backend_graph_is_cut_without_downloading_it(tmp_path: Path) -> None:
    """A real Oxigraph server holding 50,000 triples, reached through a relay that counts what it sends back:
    `CONSTRUCT WHERE { ?s ?p ?o }` with --max-rows 100 gives 100 of them, marked truncated, and jaikg hangs up after
    a small part of the backend's answer. The mark is exact: a CONSTRUCT whose answer has max_rows triples is not
    truncated, one with max_rows + 1 or more is, however many triples its template makes of a solution."""
    triples = 50_000
    data = "".join(f'<urn:jaikg:test:s{n}> <urn:jaikg:test:p> "{n}" .\n' for n in range(triples))
    with oxigraph_server(str(tmp_path / "store")) as backend_url:
        loaded = requests.post(backend_url + "/store?default", data=data.encode(),
                               headers={"Content-Type": "application/n-triples"}, timeout=120)
        assert loaded.status_code in (200, 201, 204), loaded.text
        whole = requests.post(backend_url + "/query", data={"query": CONSTRUCT},
                              headers={"Accept": "application/n-triples"}, timeout=120).content
        assert len(whole.splitlines()) == triples
        relay = Relay(("127.0.0.1", int(backend_url.rsplit(":", 1)[1])))
        try:
            with cli_server("--backend", relay.url + "/query", "--max-rows", "100", "--timeout", "20") as base_url:

                def construct(query: str) -> requests.Response:
                    response = requests.get(base_url + "/sparql", params={"query": query},
                                            headers={"Accept": "application/n-triples"}, timeout=60)
                    assert response.status_code == 200, response.text
                    return response

                cut = construct(CONSTRUCT)
                assert cut.headers["X-JAIKG-Truncated"] == "true"
                kept = ntriples(cut)
                assert len(kept) == 100
                assert {str(triple) + " .\n" for triple in kept} <= set(data.splitlines(keepends=True))
                assert relay.answered < len(whole) / 4, "jaikg read the backend's answer to its end"
                assert relay.closed.wait(5), "jaikg kept the connection of an answer it did not read to its end"

                doubled = "CONSTRUCT { ?s ?p ?o . ?s <urn:jaikg:test:q> ?o } WHERE { ?s ?p ?o } LIMIT "
                for query, truncated in ((CONSTRUCT + " LIMIT 100", False), (CONSTRUCT + " LIMIT 101", True),
                                         (doubled + "50", False), (doubled + "51", True)):
                    response = construct(query)
                    assert len(ntriples(response)) == 100, query
                    assert (response.headers.get("X-JAIKG-Truncated") == "true") is truncated, query
        finally:
            relay.close()
