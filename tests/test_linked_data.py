"""Linked Data pages over real HTTP: HTML with labels, links, incoming links and evidence; Turtle, JSON-LD,
N-Triples, TriG and N-Quads twins by Accept or extension, announced in `Link` headers, carrying what the page shows;
ontology pages and the alignments document; helpful 404s; VoID, for RDF clients and for browsers."""

from __future__ import annotations

import html
import re
from functools import cache

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, RDF

from .conftest import REPO, SHARED

JR = "https://w3id.org/jaikg/resource/"
JO = "https://w3id.org/jaikg/ontology#"
TWINS = {".ttl": ("text/turtle", ox.RdfFormat.TURTLE), ".jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
         ".nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES), ".trig": ("application/trig", ox.RdfFormat.TRIG),
         ".nq": ("application/n-quads", ox.RdfFormat.N_QUADS)}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"}
"""What Firefox and Chromium send when following a link."""


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
                     "application/n-triples": "/resource/swallow.nt", "application/trig": "/resource/swallow.trig",
                     "application/n-quads": "/resource/swallow.nq"}


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


QUOTE = rdflib.URIRef(JO + "quote")


@cache
def curated() -> rdflib.Dataset:
    """The curated data as its files hold it (parsed by rdflib, not by the code under test)."""
    dataset = rdflib.Dataset()
    for path in sorted((REPO / "data").glob("*.trig")):
        dataset.parse(path, format="trig")
    return dataset


def curated_about(slug: str) -> tuple[set, set, dict]:
    """From the data files: the entity's facts and the facts pointing to it (an IRI subject, not `rdf:type`), each
    as (s, p, o, graph), blank-node values left out; and the quote of every graph they are in."""
    entity = rdflib.URIRef(JR + slug)
    dataset = curated()
    outgoing = {quad for quad in dataset.quads((entity, None, None, None)) if not isinstance(quad[2], rdflib.BNode)}
    incoming = {quad for quad in dataset.quads((None, None, entity, None))
                if isinstance(quad[0], rdflib.URIRef) and quad[1] != RDF.type}
    quotes = {g: dataset.graph(g).value(g, QUOTE) for *_, g in outgoing | incoming}
    return outgoing, incoming, quotes


def folded(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("slug", ["tsuzumi", "ntt"])
def test_the_turtle_twin_carries_the_incoming_links_and_the_evidence_the_page_shows(live_server: str,
                                                                                     slug: str) -> None:
    """A model and an organization: what the HTML page shows (incoming links, each fact's quote) is in the Turtle
    twin too, each fact tied to the evidence graph that states it by a reified statement."""
    outgoing, incoming, quotes = curated_about(slug)
    assert incoming and len(quotes) > 1
    source = folded((SHARED / "source" / "ai-rnd-in-japan.md").read_text(encoding="utf-8"))
    assert all(folded(str(quote)) in source for quote in quotes.values())

    page = requests.get(live_server + "/resource/" + slug, headers=BROWSER, timeout=30).text
    turtle = requests.get(live_server + f"/resource/{slug}.ttl", timeout=30)
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=turtle.text, format="turtle")
    for s, p, o, g in sorted(incoming):
        assert f'href="/resource/{s.removeprefix(JR)}"' in page
        assert (s, p, o) in graph, f"incoming {s} {p} missing from the Turtle twin"
    for evidence, quote in quotes.items():
        assert str(quote) in html.unescape(page)
        assert (evidence, QUOTE, quote) in graph, f"the quote of {evidence} is missing from the Turtle twin"
    for s, p, o, g in sorted(outgoing | incoming):
        assert (s, p, o) in graph
        stated = {node for node in graph.subjects(RDF.subject, s)
                  if (node, RDF.predicate, p) in graph and (node, RDF.object, o) in graph}
        assert any((node, PROV.wasDerivedFrom, g) in graph for node in stated), f"{s} {p} {o} not tied to {g}"


@pytest.mark.parametrize("extension,syntax", [(".trig", "trig"), (".nq", "nquads"), (".jsonld", "json-ld")])
def test_the_dataset_twins_hold_the_evidence_as_the_data_files_do(live_server: str, extension: str,
                                                                  syntax: str) -> None:
    """In a syntax with named graphs each fact, outgoing or incoming, is in the evidence graph the data files put
    it in, and that graph describes itself with its quote, as in data/*.trig."""
    outgoing, incoming, quotes = curated_about("tsuzumi")
    response = requests.get(live_server + "/resource/tsuzumi" + extension, timeout=30)
    assert response.status_code == 200
    twin = rdflib.Dataset()
    twin.parse(data=response.text, format=syntax)
    held = {(s, p, o, g) for s, p, o, g in twin.quads((None, None, None, None))}
    assert outgoing | incoming <= held
    assert {(g, QUOTE, quote, g) for g, quote in quotes.items()} <= held


def test_an_evidence_link_on_the_page_for_each_incoming_statement(live_server: str) -> None:
    """Beside each statement pointing to the entity the page links the evidence graph that states it, as the
    twins say it (the graphs of data/*.trig)."""
    _, incoming, _ = curated_about("tsuzumi")
    page = requests.get(live_server + "/resource/tsuzumi", headers=BROWSER, timeout=30).text
    table = page.split('id="incoming"', 1)[1].split("</table>", 1)[0]
    for s, _, _, g in incoming:
        row = next(r for r in table.split("<tr>") if f'href="/resource/{s.removeprefix(JR)}"' in r)
        assert f'href="/evidence/{g.removeprefix("https://w3id.org/jaikg/evidence/")}"' in row


def test_void_is_a_page_in_a_browser_and_rdf_for_rdf_clients(live_server: str, shipped_store: ox.Store) -> None:
    distinct = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }"
    triples = next(iter(shipped_store.query(distinct, use_default_graph_as_union=True)))["n"].value
    page = requests.get(live_server + "/.well-known/void", headers=BROWSER, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert "Accept" in page.headers["Vary"]
    assert re.search(rf'void#triples".*?<span class="literal">{triples}</span>', page.text, re.DOTALL)
    assert f'href="{live_server}/sparql"' in page.text and 'href="/resource/ai-rnd-in-japan"' in page.text
    assert 'href="/.well-known/void.ttl"' in page.text
    void = rdflib.URIRef("http://rdfs.org/ns/void#sparqlEndpoint")
    for accept, media_type, syntax in [("*/*", "text/turtle", "turtle"), ("text/turtle", "text/turtle", "turtle"),
                                       ("application/rdf+xml", "application/rdf+xml", "xml"),
                                       ("application/ld+json", "application/ld+json", "json-ld")]:
        response = requests.get(live_server + "/.well-known/void", headers={"Accept": accept}, timeout=30)
        assert response.headers["Content-Type"].split(";")[0] == media_type, accept
        graph = rdflib.Graph().parse(data=response.text, format=syntax)
        assert (None, void, rdflib.URIRef(live_server + "/sparql")) in graph, accept
    twin = requests.get(live_server + "/.well-known/void.ttl", headers=BROWSER, timeout=30)
    assert twin.headers["Content-Type"].startswith("text/turtle")
    assert (None, void, rdflib.URIRef(live_server + "/sparql")) in rdflib.Graph().parse(data=twin.text,
                                                                                         format="turtle")


ALIGNMENTS = REPO / "ontology" / "alignments.ttl"
ALIGNMENTS_IRI = "https://w3id.org/jaikg/ontology/alignments"


def test_the_ontology_page_links_its_alignments_here(live_server: str) -> None:
    page = requests.get(live_server + "/ontology", headers=BROWSER, timeout=30).text
    assert 'href="/ontology/alignments"' in page and f'href="{ALIGNMENTS_IRI}"' not in page


def test_the_alignments_document_has_a_page_and_a_turtle_twin(live_server: str) -> None:
    expected = rdflib.Graph().parse(ALIGNMENTS, format="turtle")
    header = rdflib.URIRef(ALIGNMENTS_IRI)
    assert (header, RDF.type, OWL.Ontology) in expected
    page = requests.get(live_server + "/ontology/alignments", headers=BROWSER, timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    title = next(t for t in expected.objects(header, DCTERMS.title) if t.language == "en")
    assert f"<h1>{title}</h1>" in html.unescape(page.text)
    for subject in set(expected.subjects()) - {header}:
        assert f'href="/ontology/{subject.removeprefix(JO)}"' in page.text, subject
    for subject, predicate, obj in expected:
        if subject != header and isinstance(obj, rdflib.URIRef) and not obj.startswith(JO):
            assert f'href="{predicate}"' in page.text and f'href="{obj}"' in page.text, (subject, obj)
    assert 'href="/ontology"' in page.text and 'href="/ontology/alignments.ttl"' in page.text
    for response in (requests.get(live_server + "/ontology/alignments.ttl", timeout=30),
                     requests.get(live_server + "/ontology/alignments", headers={"Accept": "text/turtle"},
                                  timeout=30)):
        assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/turtle")
        assert isomorphic(rdflib.Graph().parse(data=response.text, format="turtle"), expected)
