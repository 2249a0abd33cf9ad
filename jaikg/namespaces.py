"""The project's namespaces and the prefixes every view (Turtle, JSON-LD, the query UI) shares."""

from __future__ import annotations

ONTOLOGY = "https://w3id.org/jaikg/ontology#"
RESOURCE = "https://w3id.org/jaikg/resource/"
EVIDENCE = "https://w3id.org/jaikg/evidence/"
GRAPH = "https://w3id.org/jaikg/graph/"

ONTOLOGY_GRAPH = GRAPH + "ontology"
"""Named graph the loader puts the ontology in."""
MENTIONS_GRAPH = GRAPH + "mentions"
"""Named graph of `jo:mentionedIn` links the loader derives from the evidence graphs."""
LOADER_GRAPHS = (ONTOLOGY_GRAPH, MENTIONS_GRAPH)

SOURCE_DOCUMENT = RESOURCE + "ai-rnd-in-japan"

PREFIXES: dict[str, str] = {
    "jo": ONTOLOGY,
    "jr": RESOURCE,
    "jev": EVIDENCE,
    "jg": GRAPH,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "org": "http://www.w3.org/ns/org#",
    "oa": "http://www.w3.org/ns/oa#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def sparql_prologue(names: tuple[str, ...] | None = None) -> str:
    """PREFIX declarations for the given prefix names (all of them by default)."""
    chosen = PREFIXES if names is None else {name: PREFIXES[name] for name in names}
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in chosen.items())


def expand(name: str) -> str:
    """`jr:swallow` → full IRI; a string that is not a known prefixed name is returned unchanged."""
    prefix, sep, local = name.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        return PREFIXES[prefix] + local
    return name


def shorten(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """Full IRI → prefixed name with the longest namespace of `prefixes` (the project's by default) that covers it,
    else the IRI unchanged."""
    covering = [(namespace, name) for name, namespace in (PREFIXES if prefixes is None else prefixes).items()
                if iri.startswith(namespace) and len(iri) > len(namespace)]
    if not covering:
        return iri
    namespace, name = max(covering, key=lambda pair: len(pair[0]))
    return f"{name}:{iri[len(namespace):]}"
