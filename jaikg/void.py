"""A VoID and DCAT description of the dataset: size, classes, properties, their partitions, endpoint and dumps.

Counts are over the union of all graphs (what a query sees); the partitions say how many instances each class has
and how many triples use each property.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from .namespaces import ONTOLOGY, PREFIXES, RESOURCE, SOURCE_DOCUMENT
from .store import GraphStore

DATASET = "https://w3id.org/jaikg/"
"""The IRI of the dataset as a whole."""

VOID, DCAT, DCTERMS, RDF, XSD = (PREFIXES[p] for p in ("void", "dcat", "dcterms", "rdf", "xsd"))

TOTALS = """
SELECT (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
       (COUNT(DISTINCT ?o) AS ?objects)
WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }
"""
CLASS_PARTITIONS = """
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY ?class
"""
PROPERTY_PARTITIONS = """
SELECT ?property (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?property ?o { ?s ?property ?o } }
GROUP BY ?property ORDER BY ?property
"""


def _rows(store: GraphStore, query: str) -> list[ox.QuerySolution]:
    return list(store.query(query, use_default_graph_as_union=True))


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _node(kind: str, about: str) -> ox.BlankNode:
    """The blank node of the description that is the `kind` of `about` (the distribution of a media type, the
    partition of a class …), named after both: the same description is the same bytes at every request and start,
    and its ETag holds."""
    return ox.BlankNode(kind + hashlib.sha256(f"{kind} {about}".encode()).hexdigest()[:16])


@dataclass(frozen=True)
class VoidStatistics:
    """What the description counts in the store: its totals (`triples`, `subjects`, `properties`, `objects`), and
    the class and property partitions, each (class or property, count) in IRI order. Three scans of the whole
    graph: 7.3 s at 10^6 quads, so the server computes them once per version of the graph (`server.memo`)."""

    totals: dict[str, int]
    classes: list[tuple[ox.NamedNode, int]]
    properties: list[tuple[ox.NamedNode, int]]


def void_statistics(store: GraphStore) -> VoidStatistics:
    totals = _rows(store, TOTALS)[0]
    return VoidStatistics(
        totals={name: int(totals[name].value) for name in ("triples", "subjects", "properties", "objects")},
        classes=[(row["class"], int(row["n"].value)) for row in _rows(store, CLASS_PARTITIONS)],
        properties=[(row["property"], int(row["n"].value)) for row in _rows(store, PROPERTY_PARTITIONS)])


def void_description(store: GraphStore, *, endpoint: str, dumps: dict[str, str],
                     statistics: VoidStatistics | None = None) -> list[ox.Triple]:
    """The description, given the endpoint URL and the dump URLs by media type; `statistics`: the store's
    (`void_statistics`), when they are at hand."""
    return list(_void_triples(endpoint, dumps, statistics or void_statistics(store)))


def _void_triples(endpoint: str, dumps: dict[str, str], statistics: VoidStatistics) -> Iterator[ox.Triple]:
    dataset = ox.NamedNode(DATASET)

    def term(namespace: str, name: str) -> ox.NamedNode:
        return ox.NamedNode(namespace + name)

    a = term(RDF, "type")
    yield ox.Triple(dataset, a, term(VOID, "Dataset"))
    yield ox.Triple(dataset, a, term(DCAT, "Dataset"))
    yield ox.Triple(dataset, term(DCTERMS, "title"), ox.Literal("jaikg: AI R&D in Japan as a knowledge graph",
                                                                 language="en"))
    yield ox.Triple(dataset, term(DCTERMS, "description"), ox.Literal(
        "The facts of the MEXT white paper chapter \"AI R&D in Japan\": organizations, AI models, funding "
        "programmes, compute and corpora, each fact in a named graph with the verbatim quote that states it.",
        language="en"))
    yield ox.Triple(dataset, term(DCTERMS, "source"), ox.NamedNode(SOURCE_DOCUMENT))
    yield ox.Triple(dataset, term(VOID, "uriSpace"), ox.Literal(RESOURCE))
    yield ox.Triple(dataset, term(VOID, "vocabulary"), ox.NamedNode(ONTOLOGY.rstrip("#")))
    yield ox.Triple(dataset, term(VOID, "sparqlEndpoint"), ox.NamedNode(endpoint))
    service = _node("service", endpoint)
    yield ox.Triple(dataset, term(DCAT, "accessService"), service)
    yield ox.Triple(service, a, term(DCAT, "DataService"))
    yield ox.Triple(service, term(DCAT, "endpointURL"), ox.NamedNode(endpoint))
    yield ox.Triple(service, term(DCTERMS, "conformsTo"), ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    for media_type, url in dumps.items():
        yield ox.Triple(dataset, term(VOID, "dataDump"), ox.NamedNode(url))
        distribution = _node("distribution", media_type)
        yield ox.Triple(dataset, term(DCAT, "distribution"), distribution)
        yield ox.Triple(distribution, a, term(DCAT, "Distribution"))
        yield ox.Triple(distribution, term(DCAT, "downloadURL"), ox.NamedNode(url))
        yield ox.Triple(distribution, term(DCAT, "mediaType"),
                        ox.NamedNode("https://www.iana.org/assignments/media-types/" + media_type))

    totals = statistics.totals
    for name in ("triples", "properties"):
        yield ox.Triple(dataset, term(VOID, name), _integer(totals[name]))
    yield ox.Triple(dataset, term(VOID, "distinctSubjects"), _integer(totals["subjects"]))
    yield ox.Triple(dataset, term(VOID, "distinctObjects"), _integer(totals["objects"]))
    yield ox.Triple(dataset, term(VOID, "classes"), _integer(len(statistics.classes)))
    for class_, entities in statistics.classes:
        partition = _node("classPartition", str(class_))
        yield ox.Triple(dataset, term(VOID, "classPartition"), partition)
        yield ox.Triple(partition, term(VOID, "class"), class_)
        yield ox.Triple(partition, term(VOID, "entities"), _integer(entities))
    for property_, triples in statistics.properties:
        partition = _node("propertyPartition", str(property_))
        yield ox.Triple(dataset, term(VOID, "propertyPartition"), partition)
        yield ox.Triple(partition, term(VOID, "property"), property_)
        yield ox.Triple(partition, term(VOID, "triples"), _integer(triples))
