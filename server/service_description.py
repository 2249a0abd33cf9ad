"""The SPARQL 1.1 Service Description of the endpoint (what `GET /sparql` without a query answers)."""

from __future__ import annotations

import pyoxigraph as ox

from jaikg.namespaces import PREFIXES
from jaikg.sparql import GRAPH_TYPES, SOLUTION_TYPES

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")

FORMAT_IRIS = {
    "application/sparql-results+json": "SPARQL_Results_JSON",
    "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV",
    "text/tab-separated-values": "SPARQL_Results_TSV",
    "text/turtle": "Turtle",
    "application/n-triples": "N-Triples",
    "application/ld+json": "JSON-LD",
    "application/rdf+xml": "RDF_XML",
    "application/trig": "TriG",
    "application/n-quads": "N-Quads",
}


def service_description(endpoint: str, *, update: bool, void_url: str) -> list[ox.Triple]:
    service = ox.NamedNode(endpoint + "#service")
    dataset = ox.BlankNode()
    graph = ox.BlankNode()

    def sd(name: str) -> ox.NamedNode:
        return ox.NamedNode(SD + name)

    triples = [
        ox.Triple(service, RDF_TYPE, sd("Service")),
        ox.Triple(service, sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(service, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(service, sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), graph),
        ox.Triple(graph, RDF_TYPE, sd("Graph")),
        ox.Triple(dataset, ox.NamedNode(PREFIXES["rdfs"] + "seeAlso"), ox.NamedNode(void_url)),
        ox.Triple(service, ox.NamedNode(PREFIXES["rdfs"] + "comment"), ox.Literal(
            "jaikg: a knowledge graph of the MEXT white paper chapter \"AI R&D in Japan\". The default graph of a "
            "query is the union of all graphs (the stored default graph and every named graph); each evidence graph "
            "holds the facts one quote of the report states. The WHERE of an update matches the stored default "
            "graph unless the update names graphs (GRAPH, USING, or the protocol's using-graph-uri).",
            language="en")),
    ]
    if update:
        triples.append(ox.Triple(service, sd("supportedLanguage"), sd("SPARQL11Update")))
    for media_type in [*SOLUTION_TYPES, *GRAPH_TYPES]:
        triples.append(ox.Triple(service, sd("resultFormat"), ox.NamedNode(FORMATS + FORMAT_IRIS[media_type])))
    return triples
