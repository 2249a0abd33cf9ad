"""The Graph Store HTTP Protocol at /data over real HTTP: read a graph, replace, add to and delete one (with
--update), and nothing without it."""

from __future__ import annotations

from collections.abc import Iterator

import pyoxigraph as ox
import requests

from jaikg.loading import build_store
from server.limits import DEFAULT_MAX_CONTENT_LENGTH
from tests.live import cli_server, thread_server

EVIDENCE = "https://w3id.org/jaikg/evidence/"
TURTLE = {"Content-Type": "text/turtle"}


def triples(response: requests.Response) -> set[tuple]:
    return {(t.subject, t.predicate, t.object) for t in ox.parse(response.content, format=ox.RdfFormat.TURTLE)}


def test_read_an_evidence_graph(live_server: str) -> None:
    response = requests.get(live_server + "/data", params={"graph": EVIDENCE + "s2-swallow"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
    developer = ox.NamedNode("https://w3id.org/jaikg/ontology#developer")
    assert (ox.NamedNode("https://w3id.org/jaikg/resource/swallow"), developer,
            ox.NamedNode("https://w3id.org/jaikg/resource/tokyo-tech")) in triples(response)
    missing = requests.get(live_server + "/data", params={"graph": "urn:nothing"}, timeout=30)
    assert missing.status_code == 404
    assert requests.get(live_server + "/data", timeout=30).status_code == 400


def test_writes_are_403_while_read_only(live_server: str) -> None:
    response = requests.put(live_server + "/data", params={"graph": "urn:g"}, data=b"<urn:a> <urn:b> <urn:c> .",
                            headers=TURTLE, timeout=30)
    assert response.status_code == 403
    assert requests.get(live_server + "/data", params={"graph": "urn:g"}, timeout=30).status_code == 404


def test_put_post_get_delete() -> None:
    with thread_server({"STORE": build_store(), "UPDATE": True}) as url:
        graph = {"graph": "http://example.org/g"}
        created = requests.put(url + "/data", params=graph, data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE,
                               timeout=30)
        assert created.status_code == 201
        added = requests.post(url + "/data", params=graph, data=b"<urn:a> <urn:b> <urn:d> .", headers=TURTLE,
                              timeout=30)
        assert added.status_code == 204
        content = triples(requests.get(url + "/data", params=graph, timeout=30))
        assert {o for _, _, o in content} == {ox.NamedNode("urn:c"), ox.NamedNode("urn:d")}
        replaced = requests.put(url + "/data", params=graph, data=b"<urn:a> <urn:b> <urn:e> .", headers=TURTLE,
                                timeout=30)
        assert replaced.status_code == 204
        content = triples(requests.get(url + "/data", params=graph, timeout=30))
        assert {o for _, _, o in content} == {ox.NamedNode("urn:e")}
        bad = requests.put(url + "/data", params=graph, data=b"<urn:a> <urn:b> .", headers=TURTLE, timeout=30)
        assert bad.status_code == 400
        assert requests.put(url + "/data", params=graph, data=b"x", headers={"Content-Type": "text/plain"},
                            timeout=30).status_code == 415
        assert requests.delete(url + "/data", params=graph, timeout=30).status_code == 204
        assert requests.get(url + "/data", params=graph, timeout=30).status_code == 404


def test_head_reads_and_never_writes() -> None:
    """HEAD is GET without the body (RFC 9110 9.3.2), also when it carries a body and a content type."""
    with thread_server({"STORE": build_store(), "UPDATE": True}) as url:
        graph = {"graph": "http://example.org/head"}
        absent = requests.head(url + "/data", params=graph, data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE,
                               timeout=30)
        assert absent.status_code == 404
        assert requests.get(url + "/data", params=graph, timeout=30).status_code == 404
        requests.put(url + "/data", params=graph, data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE, timeout=30)
        head = requests.head(url + "/data", params=graph, data=b"<urn:a> <urn:b> <urn:d> .", headers=TURTLE,
                             timeout=30)
        assert head.status_code == 200 and head.content == b""
        assert head.headers["Content-Type"].startswith("text/turtle")
        content = triples(requests.get(url + "/data", params=graph, timeout=30))
        assert {o for _, _, o in content} == {ox.NamedNode("urn:c")}


def chunks_of(lines: int) -> Iterator[bytes]:
    """An N-Triples body of `lines` distinct triples, sent in chunks (no Content-Length)."""
    for n in range(lines):
        yield f"<urn:s> <urn:p> <urn:o{n:058d}> .\n".encode()


def test_a_chunked_upload_over_the_limit_is_413_and_stores_nothing() -> None:
    """Through `jaikg serve` (granian), whose chunked bodies reach the app without a Content-Length."""
    line = len(next(chunks_of(1)))
    over = DEFAULT_MAX_CONTENT_LENGTH // line + 10
    graph = {"graph": "http://example.org/chunked"}
    with cli_server("--update", "--workers", "1") as url:
        refused = requests.put(url + "/data", params=graph, data=chunks_of(over),
                               headers={"Content-Type": "application/n-triples"}, timeout=60)
        assert refused.status_code == 413, refused.text
        assert requests.get(url + "/data", params=graph, timeout=30).status_code == 404
        under = DEFAULT_MAX_CONTENT_LENGTH // line - 10
        stored = requests.put(url + "/data", params=graph, data=chunks_of(under),
                              headers={"Content-Type": "application/n-triples"}, timeout=60)
        assert stored.status_code == 201, stored.text
        count = requests.get(url + "/sparql", timeout=30, params={
            "query": "SELECT (COUNT(*) AS ?n) { GRAPH <http://example.org/chunked> { ?s ?p ?o } }"})
        assert count.json()["results"]["bindings"][0]["n"]["value"] == str(under)
