"""Linked Data pages over real HTTP: HTML with labels, links, incoming links and evidence; Turtle, JSON-LD,
N-Triples, RDF/XML, TriG and N-Quads twins by Accept or extension, announced in `Link` headers, carrying what the
page shows; content negotiation as RFC 9110 has it (q-values, wildcards, 406), each format by Accept and by
extension, their validators; ontology pages and the alignments document; helpful 404s; VoID, for RDF clients and
for browsers."""

from __future__ import annotations

import html
import json
import re
import time
from functools import cache

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, VOID

from .conftest import REPO, SHARED

JR = "https://w3id.org/jaikg/resource/"
JO = "https://w3id.org/jaikg/ontology#"
TWINS = {".ttl": ("text/turtle", ox.RdfFormat.TURTLE), ".jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
         ".nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
         ".rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML), ".trig": ("application/trig", ox.RdfFormat.TRIG),
         ".nq": ("application/n-quads", ox.RdfFormat.N_QUADS)}
"""Each RDF syntax the pages are served in, with the file extension its registration names (Turtle, N-Triples,
N-Quads, TriG: W3C recommendations, appendix "Internet media type"; JSON-LD 1.1, appendix "IANA considerations";
RDF/XML: RFC 3870)."""
FORMATS = {**{extension: media_type for extension, (media_type, _) in TWINS.items()}, ".html": "text/html"}
"""Every format of a page, HTML included (the `text/html` registration names `.html`)."""
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
                     "application/n-triples": "/resource/swallow.nt", "application/rdf+xml": "/resource/swallow.rdf",
                     "application/trig": "/resource/swallow.trig", "application/n-quads": "/resource/swallow.nq"}


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


# Content negotiation (RFC 9110, 12.4.2 and 12.5.1): the pages choose among their formats by the Accept header, each
# format also at a URL of its own (its extension), and refuse with 406 naming them when none is acceptable.

PAGES = ["/resource/swallow", "/evidence/s2-swallow", "/ontology", "/ontology/alignments"]
RDF_TYPES = [media_type for media_type, _ in TWINS.values()]


def get(url: str, accept: str | None = None, method: str = "GET", **headers: str) -> requests.Response:
    """A request with exactly this Accept header (`None`: none at all; requests would send `*/*`)."""
    return requests.request(method, url, headers={"Accept": accept, **headers}, timeout=60)


def settled(base_url: str) -> None:
    """Once the second the server's graph was loaded in is over: answers given within it carry no Last-Modified
    (`server.cache.last_modified_second`), so two answers either side of it would differ there."""
    deadline = time.monotonic() + 3
    while "Last-Modified" not in get(base_url + "/resource/swallow.ttl").headers and time.monotonic() < deadline:
        time.sleep(0.1)


def media_type_of(response: requests.Response) -> str:
    return response.headers["Content-Type"].split(";")[0].strip()


@pytest.mark.parametrize("accept,expected", [
    ("text/html;q=0, text/turtle", "text/turtle"),  # q=0: "not acceptable" (12.4.2)
    ("text/turtle;q=0.5, application/n-triples", "application/n-triples"),  # the higher quality
    ("text/*;q=0.1, application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json;q=0.9, text/html;q=0.8", "application/ld+json"),
    ("TEXT/TURTLE", "text/turtle"),  # media types are case-insensitive (8.3.1)
    ("application/n-quads; charset=utf-8", "application/n-quads"),
])
def test_the_answer_is_the_format_the_client_prefers(live_server: str, accept: str, expected: str) -> None:
    response = get(live_server + "/resource/swallow", accept)
    assert response.status_code == 200 and media_type_of(response) == expected


@pytest.mark.parametrize("accept", ["text/html;q=0, */*", "text/html;q=0, */*;q=0.1", "*/*;q=0.5, text/html;q=0"])
def test_html_refused_by_name_is_not_taken_back_by_a_wildcard(live_server: str, accept: str) -> None:
    """The most specific range that matches a type gives its quality (12.5.1): `text/html;q=0` beside `*/*` refuses
    HTML and accepts the rest, so the answer is one of the other formats."""
    response = get(live_server + "/resource/swallow", accept)
    assert response.status_code == 200 and media_type_of(response) in RDF_TYPES


@pytest.mark.parametrize("accept", [None, "", "*/*", "text/*", "text/html"])
def test_a_client_that_takes_anything_or_html_gets_the_page(live_server: str, accept: str | None) -> None:
    """No Accept header, an empty one, `*/*`: any type is acceptable (12.5.1), and the server's default is the page;
    `text/*` makes HTML and Turtle equal, and the page is the default there too."""
    response = get(live_server + "/resource/swallow", accept)
    assert response.status_code == 200 and media_type_of(response) == "text/html"


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("accept", ["text/html;q=0", "image/png", "application/pdf, text/csv;q=0.5",
                                    "application/*;q=0, application/json", "text/*;q=0, text/turtle;q=0"])
def test_nothing_acceptable_is_406_naming_every_format_and_its_url(live_server: str, path: str, accept: str) -> None:
    """None of the formats is acceptable: 406, listing the formats there are and the URL of each (15.5.7), also in a
    `Link` header; it depends on Accept, so it says so (`Vary`, 12.5.5). `application/json` is served as JSON-LD
    elsewhere, but not to a client that refuses every `application/*`."""
    response = get(live_server + path, accept)
    assert response.status_code == 406, response.headers["Content-Type"]
    assert "Accept" in response.headers["Vary"]
    body = response.text
    for extension, media_type in FORMATS.items():
        assert media_type in body and path + extension in body, (media_type, body)
        assert f'<{path + extension}>; rel="alternate"; type="{media_type}"' in response.headers["Link"]


@pytest.mark.parametrize("accept", ["image/png", "text/html;q=0, */*;q=0"])
def test_void_with_nothing_acceptable_is_the_pages_406(live_server: str, accept: str) -> None:
    """VoID negotiates as every page does: 406 naming each format and its URL, `Vary: Accept`; its twins by
    extension are the same whatever the Accept header, so they carry no `Vary` (RFC 9110, 12.5.5)."""
    response = get(live_server + "/.well-known/void", accept)
    assert response.status_code == 406
    assert "Accept" in response.headers["Vary"]
    for extension, media_type in FORMATS.items():
        assert media_type in response.text and "/.well-known/void" + extension in response.text
    twin = get(live_server + "/.well-known/void.ttl", "*/*")
    assert twin.status_code == 200 and "Vary" not in twin.headers and "Content-Location" not in twin.headers


def test_a_graph_in_no_acceptable_syntax_is_406_naming_the_graph_and_the_syntaxes(live_server: str) -> None:
    response = get(live_server + "/data?default", "image/png")
    assert response.status_code == 406
    assert "the default graph" in response.text and "text/turtle" in response.text


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("extension", list(FORMATS))
def test_every_format_by_accept_is_at_its_extension_too(live_server: str, path: str, extension: str) -> None:
    """Each format the Accept header chooses has a URL of its own, and each extension serves a format Accept chooses:
    the same bytes either way. The negotiated answer names that URL (`Content-Location`, RFC 9110, 8.7)."""
    media_type = FORMATS[extension]
    by_accept = get(live_server + path, media_type)
    by_extension = get(live_server + path + extension, "*/*")
    for response in (by_accept, by_extension):
        assert response.status_code == 200 and media_type_of(response) == media_type, (path, extension)
    assert by_accept.content == by_extension.content
    assert by_accept.headers["Content-Location"] == path + extension
    if media_type != "text/html":
        assert list(ox.parse(by_extension.content, format=ox.RdfFormat.from_media_type(media_type)))


@pytest.mark.parametrize("path", ["/resource/swallow", "/ontology", "/ontology/alignments"])
def test_the_page_links_every_other_format(live_server: str, path: str) -> None:
    """The HTML page announces each machine-readable format, in its head (`<link rel="alternate">`), in the page
    and in a `Link` header, each at the URL that serves it."""
    page = get(live_server + path, "text/html")
    head = page.text.split("</head>", 1)[0]
    body = page.text.split("</head>", 1)[1]
    for extension, media_type in FORMATS.items():
        if media_type == "text/html":
            continue
        href = path + extension
        assert f'<link rel="alternate" type="{media_type}" href="{href}">' in head, href
        assert f'<a href="{href}" type="{media_type}">' in body, href
        assert f'<{href}>; rel="alternate"; type="{media_type}"' in page.headers["Link"], href
        assert media_type_of(get(live_server + href)) == media_type


@pytest.mark.parametrize("path", PAGES)
def test_an_unknown_extension_is_a_404_naming_the_formats(live_server: str, path: str) -> None:
    """`.xyz` is no format of the page: 404, naming the formats it has and their URLs, in the form the client
    takes (JSON, or a page linking each), and in a `Link` header."""
    for accept in ("application/json", "text/html"):
        response = get(live_server + path + ".xyz", accept)
        assert response.status_code == 404 and media_type_of(response) == accept.split(",")[0]
        assert ".xyz" in html.unescape(response.text)
        for extension, media_type in FORMATS.items():
            if accept == "text/html":
                assert f'<a href="{path + extension}" type="{media_type}">' in response.text, extension
            else:
                assert path + extension in response.json()["message"], extension
            assert f'<{path + extension}>; rel="alternate"; type="{media_type}"' in response.headers.get("Link", "")
        assert "Accept" in response.headers["Vary"]


def quads_of(content: bytes, rdf_format: ox.RdfFormat) -> set[ox.Quad]:
    """The statements of a document, its blank nodes named by RDF canonicalization (so two documents compare)."""
    dataset = ox.Dataset(ox.parse(content, format=rdf_format))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


@pytest.mark.parametrize("path", ["/resource/swallow", "/evidence/s2-swallow", "/ontology/alignments"])
def test_the_json_ld_twin_is_compacted_with_the_context_of_the_dumps(live_server: str, path: str) -> None:
    """As the JSON-LD dump: a compacted document (JSON-LD 1.1, 4.1.5: an object with the `@context` it was
    compacted with and `@graph`), with the published context (ontology/context.jsonld), IRIs written as its terms
    and compact IRIs; the same statements as the TriG twin."""
    published = json.loads((REPO / "ontology" / "context.jsonld").read_text(encoding="utf-8"))["@context"]
    dump = requests.get(live_server + "/export/jaikg.jsonld", timeout=60).json()
    twin = get(live_server + path + ".jsonld")
    document = twin.json()
    assert isinstance(document, dict) and document["@context"] == published == dump["@context"]
    text = json.dumps(document["@graph"])
    namespaces = {prefix: iri for prefix, iri in published.items() if isinstance(iri, str) and iri[-1] in "/#"}
    assert any(f'"{prefix}:' in text for prefix in namespaces), "compact IRIs"
    for prefix, namespace in namespaces.items():
        assert f'"{namespace}' not in text, f"an IRI the context shortens to {prefix}: written in full"
    trig = get(live_server + path + ".trig")
    assert quads_of(twin.content, ox.RdfFormat.JSON_LD) == quads_of(trig.content, ox.RdfFormat.TRIG)


def with_blank_nodes(store: ox.Store) -> str:
    """The path of a resource with a blank node among its values (a quantity)."""
    query = f"SELECT ?s WHERE {{ ?s ?p ?o FILTER(isBlank(?o) && STRSTARTS(STR(?s), '{JR}')) }} ORDER BY ?s LIMIT 1"
    return "/resource/" + next(iter(store.query(query, use_default_graph_as_union=True)))["s"].value.removeprefix(JR)


@pytest.mark.parametrize("extension", list(FORMATS))
def test_every_format_has_its_validators_and_304(live_server: str, shipped_store: ox.Store, extension: str) -> None:
    """Each format, by Accept and by extension, of a resource with blank nodes among its values: the same body (and
    so the same ETag) at every request, its own ETag (a strong validator differs between representations, RFC 9110,
    8.8.3), Cache-Control, and a 304 that carries what the 200 did (ETag, Cache-Control, Vary, Content-Location:
    15.4.5). A tag of one format does not confirm another. `Vary: Accept` where Accept chose (12.5.5); the
    extension's URL answers the same whatever the Accept header, and says nothing varies by it."""
    path, media_type = with_blank_nodes(shipped_store), FORMATS[extension]
    tags = {}
    for url, accept in ((live_server + path, media_type), (live_server + path + extension, "image/png")):
        first, again = get(url, accept), get(url, accept)
        assert first.status_code == 200 and media_type_of(first) == media_type
        assert first.content == again.content and first.headers["ETag"] == again.headers["ETag"]
        assert "max-age" in first.headers["Cache-Control"]
        negotiated = url.endswith(path)
        assert ("Accept" in first.headers.get("Vary", "")) == negotiated
        unchanged = get(url, accept, **{"If-None-Match": first.headers["ETag"]})
        assert unchanged.status_code == 304 and not unchanged.content
        for header in ("ETag", "Cache-Control", "Vary", "Content-Location"):
            assert unchanged.headers.get(header) == first.headers.get(header), header
        tags[negotiated] = first.headers["ETag"]
    assert tags[True] == tags[False], "the same representation, by Accept or at its own URL"
    others = [other for other in FORMATS.values() if other != media_type]
    for other in others:
        answer = get(live_server + path, other, **{"If-None-Match": tags[True]})
        assert answer.status_code == 200 and media_type_of(answer) == other
        assert answer.headers["ETag"] != tags[True]


@pytest.mark.parametrize("path,accept,status", [
    ("/resource/swallow", "text/turtle", 200), ("/resource/swallow", "text/html", 200),
    ("/resource/swallow.rdf", None, 200), ("/resource/swallow.html", "application/json", 200),
    ("/ontology.jsonld", None, 200), ("/ontology/alignments", "application/rdf+xml", 200),
    ("/resource/swallow", "text/html;q=0", 406), ("/resource/swallow.xyz", None, 404)])
def test_head_answers_as_get_without_a_body(live_server: str, path: str, accept: str | None, status: int) -> None:
    """HEAD: the status and header fields GET would send, and no content (RFC 9110, 9.3.2); a 406 and a 404 too."""
    settled(live_server)
    got, head = get(live_server + path, accept), get(live_server + path, accept, method="HEAD")
    assert head.status_code == got.status_code == status and not head.content
    for header in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Vary", "Link", "Content-Location"):
        assert head.headers.get(header) == got.headers.get(header), header


def test_void_and_the_ontology_show_the_graph_after_an_update() -> None:
    """VoID's counts (three scans of the whole graph: 7.3 s at 10^6 quads) and the ontology document are computed
    once per version of the graph, not per request: an update shows in them at the next request. The update adds
    one triple to a data graph and two to the ontology graph, so the union counts three more distinct triples."""
    from jaikg.loading import build_store
    from jaikg.namespaces import ONTOLOGY, ONTOLOGY_GRAPH
    from jaikg.server import create_app

    client = create_app({"STORE": build_store(), "UPDATE": True}).test_client()

    def void_count(name: str) -> int:
        statements = ox.parse(client.get("/.well-known/void.nt").data, format=ox.RdfFormat.N_TRIPLES)
        dataset, predicate = ox.NamedNode("https://w3id.org/jaikg/"), ox.NamedNode(str(VOID[name]))
        return next(int(s.object.value) for s in statements if s.subject == dataset and s.predicate == predicate)

    triples, classes = void_count("triples"), void_count("classes")
    assert b"TestOnlyClass" not in client.get("/ontology.ttl").data
    assert b"TestOnlyClass" not in client.get("/ontology").data
    update = (f"INSERT DATA {{ GRAPH <urn:jaikg:test:g> {{ <urn:jaikg:test:s> <urn:jaikg:test:p> 1 }} "
              f"GRAPH <{ONTOLOGY_GRAPH}> {{ <{ONTOLOGY}TestOnlyClass> a <{OWL}Class> ; "
              f"<http://www.w3.org/2000/01/rdf-schema#label> \"Test-only class\"@en }} }}")
    assert client.post("/sparql", data={"update": update}).status_code == 204
    assert void_count("triples") == triples + 3
    assert void_count("classes") == classes, "owl:Class was a class already: TestOnlyClass is an instance of it"
    assert b"TestOnlyClass" in client.get("/ontology.ttl").data
    assert b"TestOnlyClass" in client.get("/ontology.jsonld").data
    assert b"Test-only class" in client.get("/ontology").data
