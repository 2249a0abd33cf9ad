"""The Graph Store HTTP Protocol at /data over real HTTP: read a graph, replace, add to and delete one (with
--update), and nothing without it."""

from __future__ import annotations

import pyoxigraph as ox
import requests

from jaikg.loading import build_store
from tests.live import thread_server

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
