"""Linked Data pages over real HTTP: HTML with labels, links, incoming links and evidence; Turtle, JSON-LD and
N-Triples twins by Accept or extension, announced in `Link` headers; ontology pages; helpful 404s; VoID."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest
import requests

JR = "https://w3id.org/jaikg/resource/"
JO = "https://w3id.org/jaikg/ontology#"
TWINS = {".ttl": ("text/turtle", ox.RdfFormat.TURTLE), ".jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
         ".nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES)}


def test_resource_page_in_html(live_server: str) -> None:
    response = requests.get(live_server + "/resource/swallow", headers={"Accept": "text/html"}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    page = response.text
    assert "<h1>Swallow</h1>" in page
    assert 'href="/resource/tokyo-tech"' in page and 'href="/resource/aist"' in page
    assert "Naoaki OKAZAKI and Professor Rio YOKOTA" in page  # the quote that states the developers
    assert 'href="/resource/section-2"' in page  # and the section it comes from
    assert 'id="incoming"' in page  # Swallow 70B and others point to it


def test_labels_in_english_and_japanese(live_server: str) -> None:
    page = requests.get(live_server + "/resource/tokyo-tech", timeout=30).text
    assert "<h1>Tokyo Institute of Technology</h1>" in page and "東京工業大学" in page


def test_link_header_announces_the_twins(live_server: str) -> None:
    response = requests.get(live_server + "/resource/swallow", timeout=30)
    links = dict((m.group(2), m.group(1)) for m in re.finditer(r'<([^>]+)>; rel="alternate"; type="([^"]+)"',
                                                                response.headers["Link"]))
    assert links == {"text/turtle": "/resource/swallow.ttl", "application/ld+json": "/resource/swallow.jsonld",
                     "application/n-triples": "/resource/swallow.nt"}


@pytest.mark.parametrize("extension", list(TWINS))
def test_twins_by_extension_and_by_accept(live_server: str, extension: str) -> None:
    media_type, rdf_format = TWINS[extension]
    by_extension = requests.get(live_server + "/resource/swallow" + extension, timeout=30)
    by_accept = requests.get(live_server + "/resource/swallow", headers={"Accept": media_type}, timeout=30)
    for response in (by_extension, by_accept):
        assert response.status_code == 200
        assert response.headers["Content-Type"].split(";")[0] == media_type
        triples = {(t.subject, t.predicate, t.object) for t in ox.parse(response.content, format=rdf_format)}
        swallow, developer = ox.NamedNode(JR + "swallow"), ox.NamedNode(JO + "developer")
        assert (swallow, developer, ox.NamedNode(JR + "tokyo-tech")) in triples
        assert (swallow, developer, ox.NamedNode(JR + "aist")) in triples


def test_evidence_page_shows_the_quote_and_its_facts(live_server: str, shipped_store: ox.Store) -> None:
    query = f"""SELECT ?ev ?quote WHERE {{ GRAPH ?ev {{ <{JR}swallow> <{JO}developer> <{JR}aist> }}
                                           ?ev <{JO}quote> ?quote FILTER(CONTAINS(?quote, "rolled out")) }}"""
    evidence = next(iter(shipped_store.query(query, use_default_graph_as_union=True)))["ev"].value
    path = "/evidence/" + evidence.rsplit("/", 1)[1]
    page = requests.get(live_server + path, timeout=30).text
    assert "rolled out “Swallow,”" in page and 'id="graph"' in page
    turtle = requests.get(live_server + path + ".ttl", timeout=30).content
    assert ox.NamedNode(JR + "aist") in {t.object for t in ox.parse(turtle, format=ox.RdfFormat.TURTLE)}


def test_ontology_document_and_class_page_with_instances(live_server: str) -> None:
    document = requests.get(live_server + "/ontology", timeout=30)
    assert document.status_code == 200 and 'href="/ontology/AIModel"' in document.text
    turtle = requests.get(live_server + "/ontology.ttl", timeout=30)
    classes = {t.subject for t in ox.parse(turtle.content, format=ox.RdfFormat.TURTLE)
               if t.object == ox.NamedNode("http://www.w3.org/2002/07/owl#Class")}
    assert ox.NamedNode(JO + "AIModel") in classes
    page = requests.get(live_server + "/ontology/LanguageModel", timeout=30).text
    assert 'id="instances"' in page and 'href="/resource/swallow-70b"' in page


def test_unknown_iri_is_a_helpful_404(live_server: str) -> None:
    response = requests.get(live_server + "/resource/swalow", timeout=30)
    assert response.status_code == 404
    assert 'href="/resource/swallow"' in response.text
    text = requests.get(live_server + "/resource/swalow", headers={"Accept": "text/plain"}, timeout=30)
    assert text.status_code == 404 and "/resource/swallow" in text.text
    assert requests.get(live_server + "/resource/not%20an%20iri", timeout=30).status_code == 404


def test_a_404_says_what_is_missing_in_the_form_asked_for(live_server: str) -> None:
    """A browser gets the 404 page; a JSON client the error as JSON, with the view's own message."""
    browser = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    page = requests.get(live_server + "/resource/swalow", headers=browser, timeout=30)
    assert page.status_code == 404 and page.headers["Content-Type"].startswith("text/html")
    assert 'href="/resource/swallow"' in page.text
    dump = requests.get(live_server + "/export/jaikg.xyz", headers={"Accept": "application/json"}, timeout=30)
    assert dump.status_code == 404 and "jaikg.ttl" in dump.json()["message"]
    assert "jaikg.ttl" in requests.get(live_server + "/export/jaikg.xyz", headers=browser, timeout=30).text


def test_japanese_values_are_marked_as_japanese(live_server: str) -> None:
    """So that screen readers read them as Japanese and browsers choose Japanese glyphs."""
    page = requests.get(live_server + "/resource/nedo", timeout=30).text
    assert re.search(r'<span class="literal" lang="ja">[^<]*新エネルギー', page)
    ontology = requests.get(live_server + "/ontology", timeout=30).text
    assert re.search(r'<p class="subtitle ja" lang="ja">jaikg オントロジー</p>', ontology), "its Japanese title"


def test_every_page_links_the_network_and_the_downloads(live_server: str) -> None:
    for path in ("/", "/resource/swallow", "/ontology"):
        page = requests.get(live_server + path, timeout=30).text
        assert 'href="/graph"' in page and 'href="/export/jaikg.ttl"' in page, path


def test_void_description(live_server: str, shipped_store: ox.Store) -> None:
    response = requests.get(live_server + "/.well-known/void", timeout=30)
    assert response.headers["Content-Type"].startswith("text/turtle")
    void = "http://rdfs.org/ns/void#"
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))

    def objects(predicate: str) -> list:
        return [t.object for t in triples if t.predicate == ox.NamedNode(predicate)]

    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    expected = int(next(iter(shipped_store.query(distinct, use_default_graph_as_union=True)))["n"].value)
    assert [int(o.value) for o in objects(void + "triples")][0] == expected
    assert objects(void + "sparqlEndpoint") == [ox.NamedNode(live_server + "/sparql")]
    assert ox.NamedNode(live_server + "/export/jaikg.ttl") in objects(void + "dataDump")
    assert ox.NamedNode(JO + "ModelFamily") in objects(void + "class")
    assert ox.NamedNode(JO + "developer") in objects(void + "property")
    assert objects(void + "classes") and objects(void + "properties")
