"""Validators on every read-only answer (issue 7: "ETag / Last-Modified and Cache-Control on every answer, and 304
for conditional requests"): the pages, their twins, VoID and the network; none where the server cannot see the
store change (`--backend`) but freshness bounded by max-age there, for the dumps and /data too."""

from __future__ import annotations

import time

import pytest
import requests

from jaikg.loading import build_store
from jaikg.remote_store import RemoteStore
from jaikg.server import create_app
from tests.live import oxigraph_server

VIEWS = ("/resource/swallow", "/resource/swallow.ttl", "/resource/swallow.rdf", "/resource/swallow.jsonld",
         "/resource/swallow.html", "/ontology.jsonld", "/.well-known/void", "/ontology", "/graph.json", "/")


@pytest.mark.parametrize("path", VIEWS)
def test_a_view_has_validators_and_answers_304(live_server: str, path: str) -> None:
    first = requests.get(live_server + path, headers={"Accept": "text/html"}, timeout=60)
    assert first.status_code == 200
    assert first.headers.get("ETag") and "max-age" in first.headers["Cache-Control"]
    again = requests.get(live_server + path, headers={"Accept": "text/html", "If-None-Match": first.headers["ETag"]},
                         timeout=60)
    assert again.status_code == 304 and not again.content


def test_health_is_never_kept(live_server: str) -> None:
    health = requests.get(live_server + "/healthz", timeout=30)
    assert health.headers["Cache-Control"] == "no-store" and "ETag" not in health.headers


def test_a_page_after_an_update_is_not_304() -> None:
    client = create_app({"STORE": build_store(), "UPDATE": True}).test_client()
    before = client.get("/resource/swallow")
    update = ('INSERT DATA { GRAPH <urn:jaikg:test:g> { <https://w3id.org/jaikg/resource/swallow> '
              '<http://www.w3.org/2000/01/rdf-schema#comment> "added by the test" } }')
    assert client.post("/sparql", data={"update": update}).status_code == 204
    after = client.get("/resource/swallow", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and b"added by the test" in after.data


def test_a_replica_sends_no_dates_and_its_dumps_follow_the_store(tmp_path) -> None:
    """Behind `--backend` the server cannot see the store change: /data has no date, and no tag of its own version
    (a 304 could confirm a graph another writer changed; a tag is the hash of the body sent), and a dump is written
    again once older than max-age."""
    graph = "urn:jaikg:test:g"
    with oxigraph_server(str(tmp_path / "store")) as backend:
        def insert(value: str) -> None:
            answer = requests.post(backend + "/update", timeout=30, headers={"Content-Type": "application/sparql-update"},
                                   data=f'INSERT DATA {{ GRAPH <{graph}> {{ <urn:a> <urn:b> "{value}" }} }}')
            assert answer.status_code in (200, 204)

        insert("one")
        client = create_app({"STORE": RemoteStore(backend + "/query"), "CACHE_MAX_AGE": 1}).test_client()
        data = client.get("/data", query_string={"graph": graph}, headers={"Accept": "application/n-triples"})
        assert data.status_code == 200 and b'"one"' in data.data
        assert "Last-Modified" not in data.headers
        insert("three")
        changed = client.get("/data", query_string={"graph": graph}, headers={"Accept": "application/n-triples",
                                                                              "If-None-Match": data.headers["ETag"]})
        assert changed.status_code == 200 and b'"three"' in changed.data
        dump = client.get("/export/jaikg.nt")
        assert b'"one"' in dump.data and "Last-Modified" not in dump.headers
        insert("two")
        time.sleep(1.1)
        later = client.get("/export/jaikg.nt", headers={"If-None-Match": dump.headers["ETag"]})
        assert later.status_code == 200 and b'"two"' in later.data


@pytest.mark.parametrize("path", ["/resource/swallow", "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D&x=1",
                                  "/data?graph=urn:jaikg:test:g"])
def test_a_second_change_within_the_same_second_is_not_hidden_by_a_304(path: str) -> None:
    """HTTP dates count whole seconds: an answer given in the second of a change carries no date (else a second
    change within that second would be taken for no change by If-Modified-Since)."""
    client = create_app({"STORE": build_store(), "UPDATE": True}).test_client()

    def change(n: int) -> None:
        update = f'INSERT DATA {{ GRAPH <urn:jaikg:test:g> {{ <urn:a> <urn:b> {n} }} }}'
        assert client.post("/sparql", data={"update": update}).status_code == 204

    change(1)
    first = client.get(path)
    change(2)
    since = first.headers.get("Last-Modified")
    if since is not None:
        assert client.get(path, headers={"If-Modified-Since": since}).status_code == 200
