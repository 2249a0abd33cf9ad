"""The nesting limit (`server.limits`, MAX_NESTING): a query, an update or a Graph Store body nested thousands of
brackets deep overflowed the stack of Oxigraph's recursive parsers and killed the process parsing it: the whole
`jaikg serve` with `--backend` (which parses queries to check them) and for every update and Graph Store write (parsed
in the server process), a query worker otherwise (a 503 and a worker reload for each such request). Over real HTTP,
against `jaikg serve`: such a request gets a 400 naming the limit, the depth and the line and column, changes
nothing, and the server and its workers live on; a query at the limit is answered."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from .live import free_port, oxigraph_server, settled, thread_server, wait_until_up

LIMIT = 64
"""The default of MAX_NESTING."""
DEEP = 5000
"""Levels that overflowed a parser in the server process (a granian thread: 2 MiB of stack overflowed from 544
nested `{`); a worker's main thread (8 MiB) from 2,208."""
DEEP_UPDATE = "INSERT { <http://ex/a> <http://ex/b> 1 } WHERE " + "{" * DEEP + "}" * DEEP
WRITTEN = "ASK { <http://ex/a> <http://ex/b> 1 }"


def test_the_default_limit() -> None:
    from server.limits import DEFAULT_MAX_NESTING

    assert DEFAULT_MAX_NESTING == LIMIT


def nested_query(depth: int) -> str:
    return "SELECT * WHERE " + "{" * depth + "}" * depth


@dataclass
class Server:
    """`jaikg serve` in a process of its own, its log in a file."""

    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def workers(self) -> set[int]:
        """The process ids of its query workers (its child processes; Linux)."""
        children: set[int] = set()
        for task in Path(f"/proc/{self.process.pid}/task").iterdir():
            children.update(int(pid) for pid in (task / "children").read_text().split())
        return children

    def assert_alive(self) -> None:
        assert self.process.poll() is None, f"jaikg serve exited with {self.process.returncode}:\n{self.log()}"
        assert requests.get(self.url + "/healthz", timeout=30).status_code == 200
        answer = requests.get(self.url + "/sparql", params={"query": "ASK { FILTER(1 + 1 = 2) }"}, timeout=30)
        assert answer.status_code == 200 and answer.json()["boolean"] is True
        assert "died" not in self.log() and "stopped" not in self.log(), self.log()

    def ask(self, query: str) -> bool:
        answer = requests.get(self.url + "/sparql", params={"query": query}, timeout=30)
        assert answer.status_code == 200, answer.text
        return answer.json()["boolean"]


@contextmanager
def serve(*options: str) -> Iterator[Server]:
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder) / "serve.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen([sys.executable, "-m", "jaikg", "serve", "--port", str(port), *options],
                                       stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        server = Server(f"http://127.0.0.1:{port}", process, log_path)
        try:
            wait_until_up(server.url, process=process)
            yield server
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def embedded() -> Iterator[Server]:
    """`jaikg serve --update` on the shipped data, with its two query workers."""
    with serve("--update", "--workers", "2") as server:
        yield server


@pytest.fixture(scope="module")
def backend(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`jaikg serve --backend` (queries and updates) in front of a real Oxigraph server."""
    with oxigraph_server(str(tmp_path_factory.mktemp("oxigraph"))) as oxigraph:
        with serve("--backend", oxigraph + "/query", "--backend-update", oxigraph + "/update", "--update") as server:
            yield server


def assert_refused(response: requests.Response, what: str, depth: int, line: int, column: int,
                   opened_by: str = "{", limit: int = LIMIT) -> None:
    """A 400 naming the limit, the depth found, and the line and column of the bracket past the limit."""
    assert response.status_code == 400, response.text[:500]
    error = response.json()
    assert error["error"] == "nesting-too-deep"
    assert error["message"].startswith(f"{what} nests {depth} levels deep"), error["message"]
    assert f"the limit is {limit}:" in error["message"]
    assert f"the {opened_by} at the line and column given opens level {limit + 1}" in error["message"]
    assert (error["line"], error["column"]) == (line, column)


def send_query(url: str, method: str, query: str) -> requests.Response:
    if method == "GET":  # the fast lane's kind of request (server/fast_path.py)
        return requests.get(url + "/sparql", params={"query": query}, timeout=60)
    if method == "form":
        return requests.post(url + "/sparql", data={"query": query}, timeout=60)
    return requests.post(url + "/sparql", data=query.encode(), timeout=60,
                         headers={"Content-Type": "application/sparql-query"})


@pytest.mark.parametrize("method", ["GET", "form", "direct"])
def test_a_deeply_nested_query_is_refused_before_any_worker_sees_it(embedded: Server, method: str) -> None:
    workers = embedded.workers()
    refused = send_query(embedded.url, method, nested_query(DEEP))
    assert_refused(refused, "the query", DEEP, 1, len("SELECT * WHERE ") + LIMIT + 1)
    embedded.assert_alive()
    assert embedded.workers() == workers  # none died and was replaced


def test_nested_not_is_a_level_too(embedded: Server) -> None:
    """`!!!!…x` is nested NOT: one level of Oxigraph's parser each (20,000 overflowed a worker)."""
    workers = embedded.workers()
    query = "ASK { FILTER(" + "!" * 20_000 + "true) }"
    # the group and the parenthesis are two levels: the 63rd `!` opens level 65
    assert_refused(send_query(embedded.url, "GET", query), "the query", 20_002, 1, len("ASK { FILTER(") + LIMIT - 1,
                   opened_by="!")
    embedded.assert_alive()
    assert embedded.workers() == workers


@pytest.mark.parametrize("method", ["GET", "form"])
def test_a_query_at_the_limit_is_answered_and_one_level_more_is_not(embedded: Server, method: str) -> None:
    """64 levels (63 groups and a BIND's parenthesis) with hundreds of brackets in a string, an IRI and a comment,
    which the parser does not descend into: answered. One group more: refused, at the first BIND's `(`."""
    hidden = '"' + "{([" * 100 + '" AS ?s) # ' + "{([" * 100 + "\n"
    inner = ' BIND(<http://ex/x((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((>' \
            ' AS ?iri) BIND(' + hidden
    at_limit = "SELECT ?s WHERE " + "{" * (LIMIT - 1) + inner + "}" * (LIMIT - 1)
    answered = send_query(embedded.url, method, at_limit)
    assert answered.status_code == 200, answered.text[:500]
    assert answered.json()["results"]["bindings"][0]["s"]["value"] == "{([" * 100
    over = "SELECT ?s WHERE " + "{" * LIMIT + inner + "}" * LIMIT
    bind = over.index("BIND(") + len("BIND")
    assert_refused(send_query(embedded.url, method, over), "the query", LIMIT + 1, 1, bind + 1, opened_by="(")
    embedded.assert_alive()


def test_a_deeply_nested_update_changes_nothing_and_loses_no_write(embedded: Server) -> None:
    kept = requests.post(embedded.url + "/sparql", data={"update": "INSERT DATA { <http://ex/kept> <http://ex/p> 1 }"},
                         timeout=120)
    assert kept.status_code in (200, 204), kept.text
    workers = embedded.workers()
    for data, headers in (({"update": DEEP_UPDATE}, {}),
                          (DEEP_UPDATE.encode(), {"Content-Type": "application/sparql-update"})):
        refused = requests.post(embedded.url + "/sparql", data=data, headers=headers, timeout=60)
        assert_refused(refused, "the update", DEEP, 1, DEEP_UPDATE.index("{", 40) + LIMIT + 1)
    embedded.assert_alive()
    assert not embedded.ask(WRITTEN)
    assert embedded.ask("ASK { <http://ex/kept> <http://ex/p> 1 }")  # the write before it is still there
    assert embedded.workers() == workers  # nothing changed: the workers were not reloaded


def test_a_deeply_nested_json_ld_body_is_refused(embedded: Server) -> None:
    """50,000 nested objects (about 900 KB, under the 1 MiB body limit) overflowed the JSON-LD parser."""
    start, level = '{"@id": "http://ex/s", ', '"http://ex/p": {'
    body = start + level * 50_000 + '"http://ex/q": 1' + "}" * 50_000 + "}"
    refused = requests.put(embedded.url + "/data", params={"graph": "http://ex/deep"}, data=body.encode(),
                           headers={"Content-Type": "application/ld+json"}, timeout=60)
    assert_refused(refused, "the graph", 50_001, 1, len(start) + len(level) * LIMIT)
    embedded.assert_alive()
    assert requests.get(embedded.url + "/data", params={"graph": "http://ex/deep"}, timeout=30).status_code == 404


@pytest.mark.parametrize("media_type", ["text/turtle", "application/n-triples"])
def test_deeply_nested_triple_terms_are_refused_nested_blank_nodes_are_not(embedded: Server, media_type: str) -> None:
    """Oxigraph's Turtle and N-Triples parsers recurse into triple terms `<<( … )>>` (5,000 overflowed), not into
    blank nodes or collections: those are read at any depth."""
    term = "<<( <http://ex/s> <http://ex/p> "
    body = "<http://ex/s> <http://ex/p> " + term * DEEP + "<http://ex/o>" + " )>>" * DEEP + " .\n"
    refused = requests.put(embedded.url + "/data", params={"graph": "http://ex/terms"}, data=body.encode(),
                           headers={"Content-Type": media_type}, timeout=60)
    assert_refused(refused, "the graph", DEEP, 1, len("<http://ex/s> <http://ex/p> ") + len(term) * LIMIT + 1,
                   opened_by="<<")
    embedded.assert_alive()
    if media_type == "text/turtle":
        blank_nodes = "<http://ex/s> <http://ex/p> " + "[ <http://ex/p> " * DEEP + "1" + " ]" * DEEP + " .\n"
        stored = requests.put(embedded.url + "/data", params={"graph": "http://ex/blank"}, data=blank_nodes.encode(),
                              headers={"Content-Type": media_type}, timeout=120)
        assert stored.status_code == 201, stored.text
        embedded.assert_alive()


def test_with_a_backend_a_deep_query_or_update_is_refused_and_the_server_lives(backend: Server) -> None:
    """`--backend` parses every query and update in the server process to check it: there, a deep one killed
    `jaikg serve` itself."""
    for method in ("GET", "form"):
        assert_refused(send_query(backend.url, method, nested_query(DEEP)), "the query", DEEP, 1,
                       len("SELECT * WHERE ") + LIMIT + 1)
        backend.assert_alive()
    refused = requests.post(backend.url + "/sparql", data={"update": DEEP_UPDATE}, timeout=60)
    assert_refused(refused, "the update", DEEP, 1, DEEP_UPDATE.index("{", 40) + LIMIT + 1)
    backend.assert_alive()
    assert not backend.ask(WRITTEN)
    at_limit = requests.get(backend.url + "/sparql", params={"query": nested_query(LIMIT)}, timeout=60)
    assert at_limit.status_code == 200, at_limit.text


def test_the_limit_is_a_setting_and_the_fast_lane_leaves_refusals_to_the_view(shipped_store: ox.Store) -> None:
    from jaikg.server import create_app

    app = settled(create_app({"STORE": shipped_store, "MAX_NESTING": 8}))
    with thread_server({}, app=app) as base_url:
        served = app.wsgi_app.served  # type: ignore[attr-defined]
        assert requests.get(base_url + "/sparql", params={"query": nested_query(8)}, timeout=30).status_code == 200
        assert app.wsgi_app.served == served + 1  # type: ignore[attr-defined]
        refused = requests.get(base_url + "/sparql", params={"query": nested_query(9)}, timeout=30)
        assert_refused(refused, "the query", 9, 1, len("SELECT * WHERE ") + 9, limit=8)
        assert app.wsgi_app.served == served + 1  # type: ignore[attr-defined]
        text = requests.get(base_url + "/sparql", params={"query": nested_query(9)}, headers={"Accept": "text/plain"},
                            timeout=30)
        assert text.status_code == 400 and text.text.rstrip().endswith("(line 1, column 24)")


@pytest.mark.parametrize(("text", "syntax", "depth"), [
    ("SELECT * WHERE { ?s ?p '{{{{{{{{{{' . ?s <http://ex/((((((((> ?o # {{{{{{{{\n }", "sparql", None),
    ('SELECT * WHERE { ?s ?p """\n{{{{{{{{{{\n""" . ?s ex:a\\(\\(\\(\\(\\(\\(\\(\\( ?o }', "sparql", None),
    ("SELECT * WHERE { FILTER(!bound(?a) && !bound(?b) && !bound(?c) && ?a != ?b && !!!!true) }", "sparql", None),
    ("SELECT * WHERE " + "{" * 9 + "}" * 9, "sparql", 9),
    ("ASK { FILTER(" + "!" * 9 + "true) }", "sparql", 11),
    ("ASK { FILTER(STR(STR(STR(STR(STR(STR(STR(STR(1))))))))) }", "sparql", 10),
    # a `<` after an operand, inside parentheses, is a comparison: what follows it is not an IRI
    ("SELECT (?a<((((((((((1))))))))))> AS ?b) WHERE {}", "sparql", 11),
    # … and then a `#` starts a comment, and the string that follows it for an IRI reading starts nothing
    ("ASK { FILTER(?a<STR#> '''\n" + "(" * 9 + "1" + ")" * 9 + "\n''') }", "sparql", 11),
    ("ASK { FILTER(?a<'> ' " + "(" * 9 + "1" + ")" * 9 + " ') }", "sparql", 11),
    ("ASK { FILTER(?a<<x#y> || STR(STR(STR(STR(STR(STR(STR(STR(1))))))))) }", "sparql", 11),
    # closing brackets of another kind, or of none: the parser stops at the first, so the depth before it counts
    ("SELECT * WHERE " + "{" * 9 + " ) ] ) " + "}" * 9, "sparql", 9),
    ('<s> <p> "<<( <<( <<(" . ' + "<<( <s> <p> " * 9 + "<o>" + " )>>" * 9 + " .", "turtle", 9),
    ("<s> <p> " + "[ <p> " * 20 + "( " * 20 + "1" + " )" * 20 + " ]" * 20 + " .", "turtle", None),
    ('{"@id": "s", "p": "{{{{{{{{{{[[[[[[[[[[", "q": {"r": [{"s": {"t": 1}}]}}', "json", None),
    ('{"a": "\\"{{{{{{{", "b": ' + "[" * 9 + "]" * 9 + "}", "json", 10),
])
def test_what_counts_as_a_level(text: str, syntax: str, depth: int | None) -> None:
    from jaikg.sparql_lexer import nesting_past

    nesting = nesting_past(text, 8, syntax)
    assert (nesting.depth if nesting else None) == depth
