"""The endpoint's result cache and HTTP validators: repeated queries answered from memory, bounded, cleared by
updates; ETag, Last-Modified and Cache-Control on every answer, 304 for conditional requests."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from jaikg.loading import build_store
from jaikg.sparql import InlineExecutor, QueryAnswer, QueryRequest
from server import create_app
from server.cache import CachedAnswer, ResultCache

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
    app = create_app({"STORE": shipped_store, "EXECUTOR": executor})
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
        cache.put(key, entry(100))
    cache.get("a")
    for key in "efghijk":
        cache.put(key, entry(100))
    assert cache.size <= 1000 and cache.get("a") is not None and cache.get("b") is None
    cache.put("huge", entry(500))
    assert cache.get("huge") is None
    assert ResultCache(capacity=0).put("a", entry(0)) is None and len(ResultCache(0)) == 0
