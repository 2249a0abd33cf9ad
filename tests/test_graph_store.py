"""The Graph Store HTTP Protocol at /data over real HTTP: read a graph, replace, add to and delete one (with
--update), and nothing without it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pyoxigraph as ox
import requests

from jaikg.loading import build_store
from server.limits import DEFAULT_MAX_CONTENT_LENGTH
from jaikg.server import create_app
from tests.live import cli_server, settled, thread_server

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


JO = "https://w3id.org/jaikg/ontology#"
JR = "https://w3id.org/jaikg/resource/"


def test_the_default_graph_is_the_union_that_queries_see(live_server: str) -> None:
    """The service description says the default graph is the union of all graphs (sd:UnionDefaultGraph), so
    `?default` answers that graph, each triple once (an RDF graph is a set), as the queries' default graph."""
    response = requests.get(live_server + "/data?default", headers={"Accept": "application/n-triples"}, timeout=30)
    assert response.status_code == 200
    served = [quad.triple for quad in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)]
    count = requests.get(live_server + "/sparql", timeout=30, params={
        "query": "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"}).json()
    assert len(served) == int(count["results"]["bindings"][0]["n"]["value"])
    assert ox.Triple(ox.NamedNode(JR + "swallow"), ox.NamedNode(JO + "developer"),
                     ox.NamedNode(JR + "tokyo-tech")) in served, "a fact of an evidence graph"
    head = requests.head(live_server + "/data?default", timeout=30)
    assert head.status_code == 200 and head.content == b""
    description = requests.get(live_server + "/sparql", headers={"Accept": "text/turtle"}, timeout=30)
    said = [quad.triple for quad in ox.parse(description.content, format=ox.RdfFormat.TURTLE)]
    store = ox.NamedNode(live_server + "/data")
    assert ox.Triple(store, ox.NamedNode("http://purl.org/dc/terms/conformsTo"),
                     ox.NamedNode("https://www.w3.org/TR/sparql11-http-rdf-update/")) in said
    comment = next(t.object.value for t in said
                   if t.subject == store and t.predicate.value.endswith("rdf-schema#comment"))
    assert "?default" in comment and "union of all graphs" in comment


def test_post_adds_to_the_default_graph_and_put_and_delete_of_the_union_are_405() -> None:
    """POST merges into the union (the stored default graph); PUT and DELETE would replace or drop every graph,
    so they are 405 Method Not Allowed with the methods allowed (RFC 9110, 15.5.6), and change nothing."""
    store = build_store()
    with thread_server({"STORE": store, "UPDATE": True}) as url:
        size = len(store)
        for method in ("PUT", "DELETE"):
            refused = requests.request(method, url + "/data?default", data=b"<urn:a> <urn:b> <urn:c> .",
                                       headers=TURTLE, timeout=30)
            assert refused.status_code == 405, refused.text
            assert {m.strip() for m in refused.headers["Allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}
            assert "union of all graphs" in refused.json()["message"]
            assert len(store) == size
        added = requests.post(url + "/data?default", data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE, timeout=30)
        assert added.status_code == 204
        union = triples(requests.get(url + "/data?default", timeout=30))
        assert (ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.NamedNode("urn:c")) in union
        assert (ox.NamedNode(JR + "swallow"), ox.NamedNode(JO + "developer"), ox.NamedNode(JR + "aist")) in union
        ask = requests.get(url + "/sparql", params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"}, timeout=30)
        assert ask.json()["boolean"] is True


def put(url: str, graph: dict[str, str], body: bytes, **headers: str) -> requests.Response:
    return requests.put(url + "/data", params=graph, data=body, headers={**TURTLE, **headers}, timeout=30)


def objects(url: str, graph: dict[str, str]) -> set[ox.Term]:
    return {o for _, _, o in triples(requests.get(url + "/data", params=graph, timeout=30))}


def test_if_unmodified_since_guards_writes() -> None:
    """RFC 9110, 13.1.4: a write is done only if the graph was not modified after the date (412 otherwise, and
    nothing changes); an invalid date is ignored, and so is the header when If-Match is present."""
    app = create_app({"STORE": build_store(), "UPDATE": True})
    graph = {"graph": "http://example.org/ius"}
    with thread_server({}, app=app) as url:
        assert put(url, graph, b"<urn:a> <urn:b> <urn:c> .").status_code == 201
        settled(app)
        read = requests.get(url + "/data", params=graph, timeout=30)
        seen = read.headers["Last-Modified"]
        assert put(url, graph, b"<urn:a> <urn:b> <urn:d> .", **{"If-Unmodified-Since": seen}).status_code == 204
        assert objects(url, graph) == {ox.NamedNode("urn:d")}
        for method in ("PUT", "POST", "DELETE"):  # the graph changed after `seen`
            stale = requests.request(method, url + "/data", params=graph, data=b"<urn:a> <urn:b> <urn:e> .",
                                     headers={**TURTLE, "If-Unmodified-Since": seen}, timeout=30)
            assert stale.status_code == 412, (method, stale.text)
            assert "If-Unmodified-Since" in stale.json()["message"]
            assert objects(url, graph) == {ox.NamedNode("urn:d")}
        long_ago = "Sun, 06 Nov 1994 08:49:37 GMT"
        assert put(url, graph, b"<urn:a> <urn:b> <urn:e> .", **{"If-Unmodified-Since": long_ago}).status_code == 412
        assert put(url, graph, b"<urn:a> <urn:b> <urn:f> .",
                   **{"If-Unmodified-Since": "yesterday"}).status_code == 204, "an invalid date is ignored"
        current = requests.get(url + "/data", params=graph, timeout=30).headers["ETag"]
        assert put(url, graph, b"<urn:a> <urn:b> <urn:g> .",
                   **{"If-Match": current, "If-Unmodified-Since": long_ago}).status_code == 204
        assert objects(url, graph) == {ox.NamedNode("urn:g")}


def test_if_match_and_if_none_match_on_writes() -> None:
    """RFC 9110, 13.1.1 and 13.1.2: If-Match with a tag the graph no longer has, or `*` for a graph that does not
    exist, is 412; `If-None-Match: *` makes a PUT create-only. A GET with the current tag is 304."""
    store = build_store()
    graph = {"graph": "http://example.org/tags"}
    with thread_server({"STORE": store, "UPDATE": True}) as url:
        assert put(url, graph, b"<urn:a> <urn:b> <urn:c> .", **{"If-Match": "*"}).status_code == 412
        assert requests.get(url + "/data", params=graph, timeout=30).status_code == 404
        assert put(url, graph, b"<urn:a> <urn:b> <urn:c> .", **{"If-None-Match": "*"}).status_code == 201
        assert put(url, graph, b"<urn:a> <urn:b> <urn:x> .", **{"If-None-Match": "*"}).status_code == 412
        first = requests.get(url + "/data", params=graph, timeout=30)
        tag = first.headers["ETag"]
        assert not tag.startswith("W/")
        again = requests.get(url + "/data", params=graph, headers={"If-None-Match": tag}, timeout=30)
        assert again.status_code == 304 and again.content == b""
        assert put(url, graph, b"<urn:a> <urn:b> <urn:d> .", **{"If-Match": tag}).status_code == 204
        lost = requests.delete(url + "/data", params=graph, headers={"If-Match": tag}, timeout=30)
        assert lost.status_code == 412 and "If-Match" in lost.json()["message"]
        assert objects(url, graph) == {ox.NamedNode("urn:d")}


def test_a_graph_larger_than_a_mebibyte_is_streamed_whole(tmp_path) -> None:
    """GET /data?default of the shipped data plus 20,000 synthetic triples (over 1 MiB of N-Triples): the union is
    sent while it is written (no Content-Length: chunked), and holds every triple of every graph exactly once."""
    extra = tmp_path / "synth.nq"
    subprocess.run([sys.executable, "-m", "jaikg", "synth", "--triples", "20000", "-o", str(extra)], check=True)
    expected = {quad.triple for quad in build_store((extra,))}
    with cli_server("--data", str(extra)) as url:
        response = requests.get(url + "/data", params={"default": ""}, headers={"Accept": "application/n-triples"},
                                timeout=120)
    assert response.status_code == 200
    assert "Content-Length" not in response.headers and len(response.content) > 1024 * 1024
    lines = response.content.decode("utf-8").splitlines()
    assert len(lines) == len(set(lines)) == len(expected)
    received = {quad.triple for quad in ox.parse(response.content, format=ox.RdfFormat.N_TRIPLES)}
    assert ground(received) == ground(expected)  # blank nodes get new labels in each store


def ground(triples: set[ox.Triple]) -> set[ox.Triple]:
    return {t for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}
