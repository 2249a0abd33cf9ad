"""A VoID and DCAT description of the dataset: size, classes, properties, their partitions, endpoint and dumps.

Counts are over the union of all graphs (what a query sees); the partitions say how many instances each class has
and how many triples use each property.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

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


def void_description(store: GraphStore, *, endpoint: str, dumps: dict[str, str]) -> list[ox.Triple]:
    """The description, given the endpoint URL and the dump URLs by media type."""
    return list(_void_triples(store, endpoint, dumps))


def _void_triples(store: GraphStore, endpoint: str, dumps: dict[str, str]) -> Iterator[ox.Triple]:
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

    totals = _rows(store, TOTALS)[0]
    for name in ("triples", "properties"):
        yield ox.Triple(dataset, term(VOID, name), _integer(int(totals[name].value)))
    yield ox.Triple(dataset, term(VOID, "distinctSubjects"), _integer(int(totals["subjects"].value)))
    yield ox.Triple(dataset, term(VOID, "distinctObjects"), _integer(int(totals["objects"].value)))
    classes = _rows(store, CLASS_PARTITIONS)
    yield ox.Triple(dataset, term(VOID, "classes"), _integer(len(classes)))
    for row in classes:
        partition = _node("classPartition", str(row["class"]))
        yield ox.Triple(dataset, term(VOID, "classPartition"), partition)
        yield ox.Triple(partition, term(VOID, "class"), row["class"])
        yield ox.Triple(partition, term(VOID, "entities"), _integer(int(row["n"].value)))
    for row in _rows(store, PROPERTY_PARTITIONS):
        partition = _node("propertyPartition", str(row["property"]))
        yield ox.Triple(dataset, term(VOID, "propertyPartition"), partition)
        yield ox.Triple(partition, term(VOID, "property"), row["property"])
        yield ox.Triple(partition, term(VOID, "triples"), _integer(int(row["n"].value)))
