"""Fuzzing the endpoint with hypothesis: over 1,000 generated requests (mutations of the competency queries, random
text and bytes, odd methods, headers, content types and encodings) and raw garbage on the socket. No answer is a
500, none hangs, and afterwards the server is alive and answers correctly.

The server is the real one (`create_app` under waitress) with the worker pool `jaikg serve` uses, a short
timeout so a mutation that happens to be expensive is stopped, and the default limits."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jaikg import resources
from jaikg.loading import build_store
from jaikg.workers import WorkerPool

from .live import thread_server

TIMEOUT = 1.0
HANG = 30.0
"""No answer may take longer: the query timeout plus a wide margin."""
QUERIES = [path.read_text(encoding="utf-8") for path in resources.query_files()]
SWALLOW = ("PREFIX jo: <https://w3id.org/jaikg/ontology#> PREFIX jr: <https://w3id.org/jaikg/resource/> "
           "SELECT ?dev WHERE { jr:swallow jo:developer ?dev } ORDER BY ?dev")
FRAGMENTS = ["SERVICE", "SERVICE SILENT <http://127.0.0.1:9/>", "LOAD", "{", "}", "?x", "<", ">", '"', "'", "#",
             "\\u0049", "\\", "\x00", "\ufeff", "OPTIONAL {", "FILTER(", ")", "SELECT * WHERE {", "GRAPH ?g {",
             "UNION", "MINUS {", "VALUES ?x { 1 }", "BIND(1 AS ?x)", ".", ";", ",", "a", "^^", "@en", "1e5",
             "true", "CLEAR ALL", "INSERT DATA { <urn:a> <urn:b> 1 }", "DROP ALL", "\n", "\t", "é", "日本",
             "PREFIX : <urn:x:>", "ASK {}", "DESCRIBE ?x", "CONSTRUCT {", "LIMIT 1", "OFFSET 99999999999999999999",
             "GROUP BY ?x", "HAVING(", "COUNT(*)", "REGEX(?x, \"(a+)+$\")", "<file:///etc/passwd>"]
ACCEPT = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
          "text/tab-separated-values", "text/turtle", "application/ld+json", "text/html", "*/*", "image/png",
          "application/json;q=0.1, text/plain;q=0.9", "", "text/*;q=abc", ";;;", "*/*;q=0"]
CONTENT_TYPES = ["application/sparql-query", "application/sparql-update", "application/x-www-form-urlencoded",
                 "application/sparql-query; charset=latin-1", "application/sparql-query; charset=utf-16",
                 "text/plain", "multipart/form-data; boundary=x", "application/json", "", "garbage/",
                 "application/x-www-form-urlencoded; charset=shift_jis"]
METHODS = ["GET", "POST", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"]
PATHS = ["/sparql", "/sparql/", "/resource/swallow", "/data", "/", "/.well-known/void",
         "/resource/%00", "/ontology/Company", "/graph.json", "/sparql?query=%FF%FE"]
PRINTABLE = st.characters(min_codepoint=33, max_codepoint=126)


@st.composite
def mutated_query(draw: st.DrawFn) -> str:
    """A competency query with a few random edits: a slice deleted, duplicated or replaced by a fragment."""
    text = draw(st.sampled_from(QUERIES + [SWALLOW]))
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 40)))
        edit = draw(st.sampled_from(["delete", "duplicate", "insert", "case"]))
        if edit == "delete":
            text = text[:start] + text[end:]
        elif edit == "duplicate":
            text = text[:end] + text[start:end] + text[end:]
        elif edit == "insert":
            text = text[:start] + draw(st.sampled_from(FRAGMENTS) | st.text(max_size=8)) + text[start:]
        else:
            text = text[:start] + text[start:end].swapcase() + text[end:]
    return text


query_text = mutated_query() | st.text(max_size=200) | st.sampled_from(FRAGMENTS)
body = query_text.map(lambda t: t.encode("utf-8", errors="surrogatepass")) | st.binary(max_size=300)


@st.composite
def http_request(draw: st.DrawFn) -> dict:
    """Mostly well-formed protocol requests carrying a fuzzed query (so most reach the parser and the engine),
    the rest with odd methods, content types and headers."""
    headers = {}
    if draw(st.integers(0, 2)) == 0:
        headers["Accept"] = draw(st.sampled_from(ACCEPT) | st.text(PRINTABLE, max_size=30))
    if draw(st.integers(0, 3)) == 0:
        headers[draw(st.sampled_from(["Origin", "Authorization", "X-Forwarded-For", "Accept-Charset",
                                      "Content-Encoding", "Range", "If-None-Match"]))] = draw(
            st.text(PRINTABLE, max_size=40))
    params: dict[str, object] = {}
    if draw(st.integers(0, 4)) == 0:
        params["format"] = draw(st.sampled_from(["json", "xml", "csv", "tsv", "ttl", "nt", "jsonld", "html", "x"]))
    if draw(st.integers(0, 4)) == 0:
        params[draw(st.sampled_from(["default-graph-uri", "named-graph-uri", "update", "q"]))] = draw(
            query_text | st.binary(max_size=50))
    shape = draw(st.sampled_from(["get", "get", "form", "form", "direct", "direct", "odd"]))
    method, data = "GET", None
    if shape == "get":
        params["query"] = draw(query_text | st.binary(max_size=100))
    elif shape == "form":
        method = "POST"
        data = {"query": draw(query_text)}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif shape == "direct":
        method = "POST"
        data = draw(body)
        headers["Content-Type"] = "application/sparql-query"
    else:
        method = draw(st.sampled_from(METHODS))
        headers["Content-Type"] = draw(st.sampled_from(CONTENT_TYPES) | st.text(PRINTABLE, max_size=30))
        data = draw(body | st.dictionaries(st.sampled_from(["query", "update", "default-graph-uri", "x"]),
                                           query_text, max_size=3))
        params["query"] = draw(query_text)
    path = draw(st.sampled_from(PATHS)) if shape == "odd" else "/sparql"
    return {"method": method, "path": path, "headers": headers, "params": params, "data": data}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with WorkerPool(build_store(), size=2, timeout=TIMEOUT) as pool:
        with thread_server({"STORE": pool.store, "EXECUTOR": pool, "TIMEOUT": TIMEOUT, "MAX_ROWS": 1000}) as url:
            yield url


def assert_correct(server: str) -> None:
    assert requests.get(server + "/healthz", timeout=HANG).status_code == 200
    response = requests.get(server + "/sparql", params={"query": SWALLOW}, timeout=HANG)
    developers = {row["dev"]["value"] for row in response.json()["results"]["bindings"]}
    assert {"https://w3id.org/jaikg/resource/tokyo-tech", "https://w3id.org/jaikg/resource/aist"} <= developers


@settings(max_examples=1000, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(request=http_request())
def test_no_request_gets_a_500_or_hangs(server: str, request: dict) -> None:
    started = time.monotonic()
    response = requests.request(request["method"], server + request["path"], headers=request["headers"],
                                params=request["params"], data=request["data"], timeout=HANG)
    assert time.monotonic() - started < HANG
    assert response.status_code < 500 or response.status_code == 503, (response.status_code, response.text[:500])
    if response.status_code == 503:
        assert response.json()["error"] in ("query-timeout", "worker-busy")


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(garbage=st.binary(max_size=400) | st.sampled_from([
    b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n",
    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\nContent-Length: 99\r\n\r\nASK",
    b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
    b"GET /sparql HTTP/1.1\r\n" + b"X: y\r\n" * 5000 + b"\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
]))
def test_garbage_on_the_socket_gets_no_500(server: str, garbage: bytes) -> None:
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=HANG) as sock:
        try:
            sock.sendall(garbage)
            sock.shutdown(socket.SHUT_WR)
            reply = sock.recv(100)
        except (ConnectionResetError, BrokenPipeError, socket.timeout):
            reply = b""
    assert not reply.startswith(b"HTTP/1.1 5") or reply.startswith(b"HTTP/1.1 503"), reply


def test_the_server_is_alive_and_correct_afterwards(server: str) -> None:
    assert_correct(server)
