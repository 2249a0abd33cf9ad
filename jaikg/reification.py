"""Evidence in the syntaxes without named graphs (Turtle, N-Triples, RDF/XML): a fact of an evidence graph is
written once more as an `rdf:Statement` (`rdf:subject`, `rdf:predicate`, `rdf:object`) that is
`prov:wasDerivedFrom` that graph, the standard RDF reification. The Linked Data twins and the dumps write it alike."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator

import pyoxigraph as ox

from .namespaces import PREFIXES

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
STATEMENT = ox.NamedNode(PREFIXES["rdf"] + "Statement")
REIFICATION = tuple(ox.NamedNode(PREFIXES["rdf"] + name) for name in ("subject", "predicate", "object"))
DERIVED_FROM = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")


def reification(quad: ox.Quad) -> list[ox.Triple]:
    """The statement that `quad`'s graph states its triple. Its blank node is named after the quad, so the same
    fact is always written with the same label."""
    node = ox.BlankNode("s" + hashlib.sha256(str(quad).encode()).hexdigest()[:24])
    return [ox.Triple(node, RDF_TYPE, STATEMENT),
            *(ox.Triple(node, role, term) for role, term in zip(REIFICATION, (quad.subject, quad.predicate, quad.object))),
            ox.Triple(node, DERIVED_FROM, quad.graph_name)]


def evidence_reifications(quads: Iterable[ox.Quad], evidence: set[ox.NamedNode | ox.BlankNode]) -> Iterator[ox.Triple]:
    """The reification of each fact of an evidence graph among `quads` (not of the graph's description of itself)."""
    for quad in quads:
        if quad.graph_name in evidence and quad.subject != quad.graph_name:
            yield from reification(quad)
