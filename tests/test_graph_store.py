"""The Graph Store HTTP Protocol at /data over real HTTP: read a graph, replace, add to and delete one (with
--update), named by ?graph=IRI or by its own URL under /data/, create one by a POST to /data, and nothing without
--update. The W3C suite itself runs in tests/test_w3c_graph_store.py."""

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


# The Graph Store as section 4 and 5.5 of the protocol define it: graphs named by their own URL, graphs created by a
# POST to the store, forms of several documents, and ?default replaced or dropped while it is the stored default
# graph alone (https://www.w3.org/TR/sparql11-http-rdf-update/).

NT = {"Content-Type": "application/n-triples"}


def graph_names(url: str) -> set[str]:
    answer = requests.get(url + "/sparql", params={"query": "SELECT DISTINCT ?g { GRAPH ?g { } }"}, timeout=30)
    return {row["g"]["value"] for row in answer.json()["results"]["bindings"]}


def allow(response: requests.Response) -> set[str]:
    return {method.strip() for method in response.headers["Allow"].split(",")}


def test_a_graph_is_read_and_written_at_its_own_url() -> None:
    """Section 4.1, direct identification: /data/person/1.ttl is the graph <BASE/data/person/1.ttl>, the same graph
    /data?graph=BASE/data/person/1.ttl names (PUT 201 then 204, POST 204, GET and HEAD 200 in Turtle, DELETE 204,
    then 404); a percent-encoded unreserved character names the same URL (RFC 3986, 6.2.2.2); a query is 400."""
    with thread_server({"STORE": ox.Store(), "UPDATE": True}) as url:
        iri = url + "/data/person/1.ttl"
        assert requests.put(iri, data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE, timeout=30).status_code == 201
        assert graph_names(url) == {iri}
        assert requests.post(iri, data=b"<urn:a> <urn:b> <urn:d> .", headers=TURTLE, timeout=30).status_code == 204
        read = requests.get(iri, headers={"Accept": "text/turtle"}, timeout=30)
        assert read.status_code == 200 and read.headers["Content-Type"] == "text/turtle; charset=utf-8"
        assert {o for _, _, o in triples(read)} == {ox.NamedNode("urn:c"), ox.NamedNode("urn:d")}
        assert triples(requests.get(url + "/data", params={"graph": iri}, timeout=30)) == triples(read)
        head = requests.head(iri, timeout=30)
        assert head.status_code == 200 and head.content == b"" and head.headers["ETag"] == read.headers["ETag"]
        assert requests.put(url + "/data/person/%31.ttl", data=b"<urn:a> <urn:b> <urn:e> .", headers=TURTLE,
                            timeout=30).status_code == 204
        assert objects(url, {"graph": iri}) == {ox.NamedNode("urn:e")}
        assert requests.put(url + "/data/person/1.ttl", params={"graph": "urn:other"}, data=b"", headers=TURTLE,
                            timeout=30).status_code == 400
        assert requests.get(iri, params={"x": "1"}, timeout=30).status_code == 400
        options = requests.options(iri, timeout=30)
        assert allow(options) == {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}
        assert requests.patch(iri, timeout=30).status_code == 405
        assert requests.delete(iri, timeout=30).status_code == 204
        assert requests.get(iri, timeout=30).status_code == 404
        assert requests.head(iri, timeout=30).status_code == 404
        assert requests.delete(iri, timeout=30).status_code == 404
        assert graph_names(url) == set()


def test_a_post_to_the_graph_store_creates_a_graph() -> None:
    """Section 5.5: POST /data creates a graph of the body, named by a new IRI (not the request's) given in
    Location with 201 Created, and read at that URL; relative IRIs resolve against it; an empty body creates
    nothing (204); PUT and DELETE /data name no graph (405)."""
    with thread_server({"STORE": ox.Store(), "UPDATE": True}) as url:
        created = requests.post(url + "/data", data=b"<> <urn:b> <urn:c> .", headers=TURTLE, timeout=30)
        assert created.status_code == 201, created.text
        location = created.headers["Location"]
        assert location.startswith(url + "/data/") and location != url + "/data"
        assert graph_names(url) == {location}
        content = triples(requests.get(location, timeout=30))
        assert content == {(ox.NamedNode(location), ox.NamedNode("urn:b"), ox.NamedNode("urn:c"))}
        assert triples(requests.get(url + "/data", params={"graph": location}, timeout=30)) == content
        again = requests.post(url + "/data", data=b"<urn:a> <urn:b> <urn:c> .", headers=NT, timeout=30)
        assert again.status_code == 201 and again.headers["Location"] not in (location, url + "/data")
        empty = requests.post(url + "/data", data=b"", headers=TURTLE, timeout=30)
        assert empty.status_code == 204 and "Location" not in empty.headers
        assert graph_names(url) == {location, again.headers["Location"]}
        for method in ("PUT", "DELETE"):
            refused = requests.request(method, url + "/data", data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE,
                                       timeout=30)
            assert refused.status_code == 405 and allow(refused) == {"GET", "HEAD", "POST", "OPTIONS"}
            assert "names no graph" in refused.json()["message"]
        assert requests.post(url + "/data", data=b"<urn:a> <urn:b> .", headers=TURTLE, timeout=30).status_code == 400
        assert requests.post(url + "/data", data=b"x", headers={"Content-Type": "text/plain"},
                             timeout=30).status_code == 415
        assert len(graph_names(url)) == 2


BOUNDARY = "a6fe4cd636164618814be9f8d3d1a0de"


def form(*parts: tuple[str, str | None, bytes]) -> bytes:
    """A multipart/form-data body of file parts (file name, Content-Type or None, content)."""
    body = b""
    for filename, media_type, document in parts:
        body += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="graph"; filename="{filename}"\r\n'
                 + (f"Content-Type: {media_type}\r\n" if media_type else "") + "\r\n").encode() + document + b"\r\n"
    return body + f"--{BOUNDARY}--\r\n".encode()


MULTIPART = {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


def test_a_post_of_a_multipart_form_merges_its_documents() -> None:
    """Section 5.5: the documents of a multipart/form-data POST are merged into the graph (RDF merge: the blank
    nodes of two documents are two nodes); a part without a Content-Type (or application/octet-stream) is read by
    its file name's extension; a part in no triple syntax is 415, one that does not parse 400, and either changes
    nothing; a PUT takes one document."""
    with thread_server({"STORE": ox.Store(), "UPDATE": True}) as url:
        graph = {"graph": "http://example.org/form"}
        body = form(("a.ttl", "text/turtle; charset=utf-8", b"_:b <urn:p> <urn:x> ."),
                    ("b.nt", None, b"_:b <urn:p> <urn:y> ."),
                    ("c.jsonld", "application/octet-stream", b'{"@id": "urn:s", "urn:p": {"@id": "urn:z"}}'))
        posted = requests.post(url + "/data", params=graph, data=body, headers=MULTIPART, timeout=30)
        assert posted.status_code == 201, posted.text
        content = triples(requests.get(url + "/data", params=graph, timeout=30))
        assert {o for _, _, o in content} == {ox.NamedNode("urn:x"), ox.NamedNode("urn:y"), ox.NamedNode("urn:z")}
        assert len({s for s, _, _ in content if isinstance(s, ox.BlankNode)}) == 2
        created = requests.post(url + "/data", data=form(("d.ttl", "text/turtle", b"<urn:s> <urn:p> <urn:w> .")),
                                headers=MULTIPART, timeout=30)
        assert created.status_code == 201
        assert objects(url, {"graph": created.headers["Location"]}) == {ox.NamedNode("urn:w")}
        for bad, status, named in ((form(("e.ttl", "text/turtle", b"<urn:s> <urn:p> <urn:v> ."),
                                         ("f.txt", "text/plain", b"hello")), 415, "'f.txt'"),
                                   (form(("g.ttl", None, b"<urn:s> <urn:p> .")), 400, "'g.ttl'"),
                                   (form(("h", None, b"<urn:s> <urn:p> <urn:v> .")), 415, "'h'")):
            refused = requests.post(url + "/data", params=graph, data=bad, headers=MULTIPART, timeout=30)
            assert refused.status_code == status and named in refused.json()["message"], refused.text
        assert requests.post(url + "/data", params=graph, data=body, timeout=30,
                             headers={"Content-Type": "multipart/form-data"}).status_code == 400, "no boundary"
        assert requests.put(url + "/data", params=graph, data=body, headers=MULTIPART, timeout=30).status_code == 415
        assert len(triples(requests.get(url + "/data", params=graph, timeout=30))) == 3


def test_put_and_delete_of_the_default_graph_while_it_is_the_stored_default_graph_alone() -> None:
    """Sections 5.3 and 5.4: PUT ?default is DROP SILENT DEFAULT; INSERT DATA, DELETE ?default is DROP DEFAULT. While
    no named graph holds a triple the union (what ?default names) is the stored default graph, so both do what
    they say and a GET answers what was put; once one does they are 405 (test above), and Allow follows."""
    with thread_server({"STORE": ox.Store(), "UPDATE": True}) as url:
        default = {"default": ""}
        assert allow(requests.options(url + "/data", params=default, timeout=30)) == {
            "GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"}
        assert put(url, default, b"<urn:a> <urn:b> <urn:c> .").status_code == 204
        assert put(url, default, b"<urn:a> <urn:b> <urn:d> .").status_code == 204
        assert objects(url, default) == {ox.NamedNode("urn:d")}
        assert put(url, {"graph": "http://example.org/named"}, b"<urn:a> <urn:b> <urn:e> .").status_code == 201
        refused = put(url, default, b"<urn:a> <urn:b> <urn:f> .")
        assert refused.status_code == 405 and allow(refused) == {"GET", "HEAD", "POST", "OPTIONS"}
        assert requests.delete(url + "/data", params=default, timeout=30).status_code == 405
        assert objects(url, default) == {ox.NamedNode("urn:d"), ox.NamedNode("urn:e")}
        named = requests.delete(url + "/data", params={"graph": "http://example.org/named"}, timeout=30)
        assert named.status_code == 204
        assert requests.delete(url + "/data", params=default, timeout=30).status_code == 204
        assert triples(requests.get(url + "/data", params=default, timeout=30)) == set()


def test_the_new_writes_keep_the_safety_rules(live_server: str) -> None:
    """Graph creation, graphs at their own URL and forms are writes like the others: 403 while read-only, 401
    without the update token; a form over the size limit is 413, a part nested too deep 400, and neither stores
    anything."""
    for path in ("/data", "/data/g"):
        refused = requests.post(live_server + path, data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE, timeout=30)
        assert refused.status_code == 403 and "read-only" in refused.json()["message"]
    assert requests.put(live_server + "/data/g", data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE,
                        timeout=30).status_code == 403
    config = {"STORE": ox.Store(), "UPDATE": True, "UPDATE_TOKEN": "secret", "MAX_CONTENT_LENGTH": 4096}
    with thread_server(config) as url:
        token = {"Authorization": "Bearer secret"}
        for method, path in (("POST", "/data"), ("PUT", "/data/g"), ("POST", "/data/g"), ("DELETE", "/data/g")):
            refused = requests.request(method, url + path, data=b"<urn:a> <urn:b> <urn:c> .", headers=TURTLE,
                                       timeout=30)
            assert refused.status_code == 401, (method, path, refused.text)
        assert requests.post(url + "/data", data=b"<urn:a> <urn:b> <urn:c> .", headers={**TURTLE, **token},
                             timeout=30).status_code == 201
        large = form(("a.nt", None, b"<urn:a> <urn:b> <urn:c> .\n" * 200))
        too_large = requests.post(url + "/data", data=large, headers={**MULTIPART, **token}, timeout=30)
        assert too_large.status_code == 413, too_large.text
        deep = form(("a.jsonld", None, b'{"urn:p": ' * 100 + b'"x"' + b"}" * 100))
        nested = requests.post(url + "/data/g", data=deep, headers={**MULTIPART, **token}, timeout=30)
        assert nested.status_code == 400 and nested.json()["error"] == "nesting-too-deep", nested.text
        assert len(graph_names(url)) == 1
