"""The endpoint's result cache and HTTP validators: repeated queries answered from memory, bounded, cleared by
updates; ETag, Last-Modified and Cache-Control on every answer, 304 for conditional requests."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from jaikg.loading import build_store
from jaikg.sparql import InlineExecutor, QueryAnswer, QueryRequest, UpdateRequest
from server import create_app
from server.cache import CachedAnswer, CachingExecutor, ResultCache, last_modified_second

from .live import settled

QUERY = "SELECT ?developer WHERE { <https://w3id.org/jaikg/resource/swallow> <https://w3id.org/jaikg/ontology#developer> ?developer }"
MARK = "<https://example.org/cache-test>"


class CountingExecutor(InlineExecutor):
    def __init__(self, store: ox.Store) -> None:
        super().__init__(store)
        self.runs = 0

    def run(self, request: QueryRequest) -> QueryAnswer:
        self.runs += 1
        return super().run(request)


@pytest.fixture()
def counted(shipped_store: ox.Store):
    executor = CountingExecutor(shipped_store)
    app = settled(create_app({"STORE": shipped_store, "EXECUTOR": executor}))
    return app.test_client(), executor


def test_repeated_query_is_answered_from_the_cache(counted) -> None:
    client, executor = counted
    first = client.get("/sparql", query_string={"query": QUERY})
    second = client.get("/sparql", query_string={"query": QUERY})
    assert first.status_code == second.status_code == 200
    assert first.data == second.data and executor.runs == 1
    client.get("/sparql", query_string={"query": QUERY}, headers={"Accept": "text/csv"})
    client.get("/sparql", query_string={"query": QUERY, "default-graph-uri": "https://example.org/g"})
    assert executor.runs == 3


def test_every_answer_has_validators_and_conditional_requests_get_304(counted) -> None:
    client, _ = counted
    answer = client.get("/sparql", query_string={"query": QUERY})
    etag, last_modified = answer.headers["ETag"], answer.headers["Last-Modified"]
    assert etag.startswith('"') and "max-age=60" in answer.headers["Cache-Control"]
    again = client.get("/sparql", query_string={"query": QUERY}, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/sparql", query_string={"query": QUERY}, headers={"If-Modified-Since": last_modified})
    assert since.status_code == 304
    other = client.get("/sparql", query_string={"query": QUERY}, headers={"If-None-Match": '"other"'})
    assert other.status_code == 200 and other.headers["ETag"] == etag
    posted = client.post("/sparql", data={"query": QUERY}, headers={"If-None-Match": etag})
    assert posted.status_code == 200 and posted.headers["ETag"] == etag


def test_an_update_clears_the_cache_and_moves_last_modified() -> None:
    app = create_app({"STORE": build_store(), "UPDATE": True})
    client = app.test_client()
    ask = {"query": f"ASK {{ {MARK} ?p ?o }}"}
    before = client.get("/sparql", query_string=ask)
    assert before.json["boolean"] is False and "must-revalidate" in before.headers["Cache-Control"]
    assert client.post("/sparql", data={"update": f"INSERT DATA {{ {MARK} {MARK} 1 }}"}).status_code == 204
    after = client.get("/sparql", query_string=ask, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.json["boolean"] is True


def entry(size: int) -> CachedAnswer:
    return CachedAnswer(QueryAnswer(b"x" * size, "text/csv", "solutions"), "e")


def test_cache_is_bounded_by_bytes_least_recently_used_out() -> None:
    cache = ResultCache(capacity=1000)
    for key in "abcd":
        cache.put(key, entry(100), 0)
    cache.get("a")
    for key in "efghijk":
        cache.put(key, entry(100), 0)
    assert cache.size <= 1000 and cache.get("a") is not None and cache.get("b") is None
    cache.put("huge", entry(500), 0)
    assert cache.get("huge") is None
    assert ResultCache(capacity=0).put("a", entry(0), 0) is None and len(ResultCache(0)) == 0


def test_an_answer_computed_while_an_update_ran_is_not_kept(shipped_store: ox.Store) -> None:
    """The update lands while the first evaluation runs: that answer is of the graph before it, so the same query
    asked again is evaluated again and sees the update."""
    store = build_store()
    ask = QueryRequest(f"ASK {{ {MARK} ?p ?o }}", "application/sparql-results+json")

    class UpdatedMidway(CountingExecutor):
        def run(self, request: QueryRequest) -> QueryAnswer:
            answer = super().run(request)
            if self.runs == 1:
                caching.update(UpdateRequest(f"INSERT DATA {{ {MARK} {MARK} 1 }}"))
            return answer

    caching = CachingExecutor(UpdatedMidway(store))
    assert b"false" in caching.answer(ask).answer.body
    assert b"true" in caching.answer(ask).answer.body
    assert caching.inner.runs == 2


@pytest.mark.parametrize(("query", "runs"), [
    ("SELECT (NOW() AS ?t) {}", 2), ("SELECT (RAND() AS ?r) {}", 2), ("SELECT (uuid () AS ?u) {}", 2),
    ("SELECT (STRUUID() AS ?u) {}", 2), ("SELECT (BNODE() AS ?b) {}", 2),
    ('SELECT ?now { BIND("NOW()" AS ?now) }', 1),
    ("PREFIX ex: <http://example.org/> SELECT * { ?s ex:rand ?o } # RAND()", 1),
])
def test_answers_of_volatile_functions_are_not_reused(counted, query: str, runs: int) -> None:
    """NOW, RAND, UUID, STRUUID and BNODE give another value at every evaluation (SPARQL 1.1, 17.4), so their
    answers are evaluated again; a variable, a string or a prefixed name that only looks like one is cached."""
    client, executor = counted
    first = client.get("/sparql", query_string={"query": query})
    client.get("/sparql", query_string={"query": query})
    assert executor.runs == runs
    assert (first.headers["Cache-Control"] == "no-store") is (runs == 2), "nor may a cache on the way keep it"


def test_one_body_in_two_media_types_has_two_etags(counted) -> None:
    """A default-graph CONSTRUCT reads the same as N-Triples and as N-Quads: two representations, two strong
    validators (RFC 9110, 8.8.3)."""
    client, _ = counted
    construct = {"query": "CONSTRUCT { <urn:a> <urn:b> <urn:c> } WHERE {}"}
    triples = client.get("/sparql", query_string=construct, headers={"Accept": "application/n-triples"})
    quads = client.get("/sparql", query_string=construct, headers={"Accept": "application/n-quads"})
    assert triples.data == quads.data
    assert triples.headers["ETag"] != quads.headers["ETag"]
    crossed = client.get("/sparql", query_string=construct,
                         headers={"Accept": "application/n-quads", "If-None-Match": triples.headers["ETag"]})
    assert crossed.status_code == 200


def test_no_last_modified_while_the_second_of_a_change_lasts() -> None:
    """An HTTP date counts whole seconds: given during the second of a change, it could not tell a second change
    in that second, and If-Modified-Since would get 304 for an answer that changed."""
    assert last_modified_second(100.7, now=100.9) is None
    assert last_modified_second(100.7, now=101.0) == 100
    app = create_app({"STORE": build_store(), "UPDATE": True})
    client = app.test_client()
    query = {"query": "SELECT ?o { <urn:lm> <urn:p> ?o }"}
    insert = "INSERT DATA {{ <urn:lm> <urn:p> {} }}"
    assert client.post("/sparql", data={"update": insert.format(1)}).status_code == 204
    since = client.get("/sparql", query_string=query).headers.get("Last-Modified")
    assert client.post("/sparql", data={"update": insert.format(2)}).status_code == 204
    again = client.get("/sparql", query_string=query, headers={"If-Modified-Since": since} if since else {})
    assert again.status_code == 200 and len(again.json["results"]["bindings"]) == 2
