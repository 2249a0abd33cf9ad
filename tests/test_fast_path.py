"""The fast lane for plain `GET /sparql?query=…` (server/fast_path.py) answers exactly as the Flask view does:
same status, body and headers, over real HTTP. A conditional header that cannot match sends the same request
through the view, so every pair below compares the two paths; the lane's counter shows which one answered."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qsl

import pyoxigraph as ox
import pytest
import requests
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from jaikg.namespaces import sparql_prologue
from jaikg.server import create_app
from jaikg.server.fast_path import QueryFastPath

from .live import settled, thread_server

MAX_ROWS = 3
PROLOGUE = sparql_prologue(("jo", "jr", "rdfs"))
QUERIES = {
    "rows": PROLOGUE + "SELECT DISTINCT ?developer WHERE { jr:swallow jo:developer ?developer } ORDER BY ?developer",
    "truncated": "SELECT ?s ?p ?o WHERE { ?s ?p ?o }",
    "ask": PROLOGUE + "ASK { jr:swallow jo:developer ?d }",
    "construct": PROLOGUE + "CONSTRUCT { jr:swallow rdfs:label ?l } WHERE { jr:swallow rdfs:label ?l }",
    "relative IRI": "SELECT (<relative> AS ?iri) WHERE {}",
    "long (not memoized)": PROLOGUE + "# " + "padding " * 600 + "\nASK { jr:swallow jo:developer ?d }",
}
ACCEPTS = [None, "application/sparql-results+json", "text/csv", "text/turtle"]
VIEW_ONLY = {"If-None-Match": '"no-such-etag"'}
"""A condition no answer meets: the request goes through the Flask view and still gets a 200."""


@pytest.fixture(scope="module")
def app(shipped_store: ox.Store) -> Flask:
    return settled(create_app({"STORE": shipped_store, "MAX_ROWS": MAX_ROWS}))


@pytest.fixture(scope="module")
def server(app: Flask) -> Iterator[str]:
    with thread_server({}, app=app) as base_url:
        yield base_url


def fast_path_served(app: Flask) -> int:
    return app.wsgi_app.served  # type: ignore[attr-defined]


def comparable(response: requests.Response) -> tuple[int, bytes, dict[str, str]]:
    headers = {name.lower(): value for name, value in response.headers.items() if name.lower() != "date"}
    return response.status_code, response.content, headers


@pytest.mark.parametrize("accept", ACCEPTS)
@pytest.mark.parametrize("name", QUERIES)
def test_fast_path_and_view_give_the_same_answer(app: Flask, server: str, name: str, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    served = fast_path_served(app)
    fast = requests.get(f"{server}/sparql", params={"query": QUERIES[name]}, headers=headers, timeout=30)
    fast_was_taken = fast_path_served(app) == served + 1
    view = requests.get(f"{server}/sparql", params={"query": QUERIES[name]}, headers={**headers, **VIEW_ONLY},
                        timeout=30)
    assert fast_path_served(app) == served + fast_was_taken
    assert comparable(fast) == comparable(view)
    acceptable = accept is None or (accept == "text/turtle") == (name == "construct")
    assert fast_was_taken == acceptable, "the lane answers every plain query whose media type it can serve"


def test_truncation_is_signalled_on_the_fast_path(app: Flask, server: str) -> None:
    served = fast_path_served(app)
    response = requests.get(f"{server}/sparql", params={"query": QUERIES["truncated"]}, timeout=30)
    assert fast_path_served(app) == served + 1
    assert response.headers["X-JAIKG-Truncated"] == "true"
    assert response.headers["X-SPARQL-MaxRows"] == str(MAX_ROWS)
    body = response.json()
    assert body["truncated"] is True and len(body["results"]["bindings"]) == MAX_ROWS


def test_relative_iris_resolve_against_the_endpoint(server: str) -> None:
    response = requests.get(f"{server}/sparql", params={"query": QUERIES["relative IRI"]}, timeout=30)
    assert response.json()["results"]["bindings"][0]["iri"]["value"] == f"{server}/relative"


@pytest.mark.parametrize(("query", "status", "error"), [
    ("SELECT * WHERE { ?s ?p }", 400, "query-syntax-error"),
    ("SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", 400, "query-refused"),
])
def test_a_failing_query_is_reported_by_the_view_without_running_twice(app: Flask, server: str, query: str,
                                                                      status: int, error: str) -> None:
    runs = []
    executor = app.extensions["jaikg"].executor
    inner_run = executor.inner.run

    def counting_run(request):
        runs.append(request.query)
        return inner_run(request)

    executor.inner.run = counting_run
    try:
        response = requests.get(f"{server}/sparql", params={"query": query}, timeout=30)
    finally:
        executor.inner.run = inner_run
    assert response.status_code == status
    assert response.json()["error"] == error
    assert runs == [query]


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="query=&+%;aあ 0123456789ABCDEFZ", max_size=24))
def test_the_lane_reads_the_query_parameter_as_parse_qsl_does_or_passes_the_request_on(query_string: str) -> None:
    """The lane's shortcut for a query string without `&` gives parse_qsl's value of a lone `query` parameter,
    or None (the request then goes to the Flask view, which parses it in full)."""
    try:
        parameters = parse_qsl(query_string, keep_blank_values=True, errors="strict")
    except UnicodeError:  # the lane must not answer: it raises too, or passes the request on
        try:
            assert QueryFastPath._only_query(query_string) is None
        except UnicodeError:
            pass
        return
    found = QueryFastPath._only_query(query_string)
    if found is not None:
        assert parameters == [("query", found)]
