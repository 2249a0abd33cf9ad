"""What the graph says about one IRI: the data behind its Linked Data page and its Turtle/JSON-LD twins.

Every query names the IRI as `?this`, replaced by the IRI as pyoxigraph writes it (`NamedNode` has checked it is a
valid IRI, so it cannot close the `<…>` and inject SPARQL); queries run over the union of all graphs, with the
evidence read from the named graphs.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from .namespaces import ONTOLOGY, ONTOLOGY_GRAPH, PREFIXES, sparql_prologue
from .store import GraphStore

Term = ox.NamedNode | ox.BlankNode | ox.Literal
THIS = re.compile(r"\?this\b")
PROLOGUE = sparql_prologue(("jo", "rdf", "rdfs", "owl", "skos"))


def _query(store: GraphStore, query: str, iri: str):
    """Run `query` with `?this` standing for `iri`; `ValueError` for a string that is not an IRI."""
    this = str(ox.NamedNode(iri))
    return store.query(PROLOGUE + THIS.sub(lambda _: this, query), use_default_graph_as_union=True)


@dataclass
class Evidence:
    """One quote stating facts about the entity: the evidence graph, its quote and section, and those facts."""

    iri: str
    quote: str
    section: str | None
    facts: list[tuple[ox.NamedNode, Term]] = field(default_factory=list)


@dataclass
class Description:
    iri: str
    labels: dict[str, list[str]]
    """Language tag ("" for none) → labels."""
    types: list[ox.NamedNode]
    properties: dict[ox.NamedNode, list[Term]]
    blank_nodes: dict[ox.BlankNode, dict[ox.NamedNode, list[Term]]]
    """The properties of blank nodes the entity points to (quantities, for example)."""
    incoming: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode]]
    evidence: list[Evidence]
    graph: list[ox.Triple]
    """When the IRI names a graph (an evidence graph): the facts in it."""
    instances: list[ox.NamedNode | ox.BlankNode]
    """When the IRI is a class: its instances (a first page of them)."""
    uses: list[tuple[ox.NamedNode | ox.BlankNode, Term]]
    """When the IRI is a property: statements that use it (a first page of them)."""

    @property
    def is_empty(self) -> bool:
        return not (self.properties or self.incoming or self.graph or self.uses)


def exists(store: GraphStore, iri: str) -> bool:
    """Whether the graph says anything with `iri` (False for a string that is not an IRI)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return bool(_query(store, "ASK { { ?this ?p ?o } UNION { ?s ?p ?this } UNION { ?s ?this ?o } "
                              "UNION { GRAPH ?this { ?s ?p ?o } } }", iri))


def describe(store: GraphStore, iri: str, *, limit: int = 500) -> Description:
    properties: dict[ox.NamedNode, list[Term]] = defaultdict(list)
    for row in _query(store, "SELECT DISTINCT ?p ?o { ?this ?p ?o } ORDER BY ?p ?o", iri):
        properties[row["p"]].append(row["o"])
    blank_nodes: dict[ox.BlankNode, dict[ox.NamedNode, list[Term]]] = defaultdict(lambda: defaultdict(list))
    for row in _query(store, "SELECT DISTINCT ?b ?p ?o { ?this ?x ?b FILTER(isBlank(?b)) ?b ?p ?o } "
                             "ORDER BY ?p ?o", iri):
        blank_nodes[row["b"]][row["p"]].append(row["o"])
    labels: dict[str, list[str]] = defaultdict(list)
    for value in properties.get(ox.NamedNode(PREFIXES["rdfs"] + "label"), []):
        labels[getattr(value, "language", None) or ""].append(value.value)
    return Description(
        iri=iri, labels=dict(labels),
        types=[t for t in properties.get(ox.NamedNode(PREFIXES["rdf"] + "type"), []) if isinstance(t, ox.NamedNode)],
        properties=dict(properties), blank_nodes={b: dict(p) for b, p in blank_nodes.items()},
        incoming=[(row["s"], row["p"]) for row in _query(
            store, f"SELECT DISTINCT ?s ?p {{ ?s ?p ?this FILTER(isIRI(?s) && ?p != rdf:type) }} "
                   f"ORDER BY ?p ?s LIMIT {limit}", iri)],
        evidence=evidence_for(store, iri),
        graph=[ox.Triple(row["s"], row["p"], row["o"]) for row in _query(
            store, f"SELECT ?s ?p ?o {{ GRAPH ?this {{ ?s ?p ?o }} }} ORDER BY ?s ?p ?o LIMIT {limit}", iri)],
        instances=[row["s"] for row in _query(
            store, f"SELECT DISTINCT ?s {{ ?s a/rdfs:subClassOf* ?this }} ORDER BY ?s LIMIT {limit}", iri)],
        uses=[(row["s"], row["o"]) for row in _query(
            store, f"SELECT DISTINCT ?s ?o {{ ?s ?this ?o }} ORDER BY ?s ?o LIMIT {limit}", iri)],
    )


EVIDENCE = """
SELECT ?ev ?quote ?section ?p ?o WHERE {
  GRAPH ?ev { ?this ?p ?o }
  ?ev jo:quote ?quote .
  OPTIONAL { ?ev jo:inSection ?section }
  FILTER(?ev != ?this)
} ORDER BY ?section ?ev ?p ?o
"""


def evidence_for(store: GraphStore, iri: str) -> list[Evidence]:
    """The quotes that state facts about `iri`, each with the facts it states."""
    found: dict[str, Evidence] = {}
    for row in _query(store, EVIDENCE, iri):
        key = row["ev"].value
        if key not in found:
            section = row["section"].value if row["section"] is not None else None
            found[key] = Evidence(key, row["quote"].value, section)
        fact = (row["p"], row["o"])
        if fact not in found[key].facts:
            found[key].facts.append(fact)
    return list(found.values())


def labels_of(store: GraphStore, iris: set[str], language: str = "en") -> dict[str, str]:
    """A label for each IRI that has one, preferring `language`, then no language, then any."""
    if not iris:
        return {}
    values = " ".join(str(ox.NamedNode(iri)) for iri in sorted(iris))
    rank: dict[str, tuple[int, str]] = {}
    for row in store.query(PROLOGUE + f"SELECT ?s ?l {{ VALUES ?s {{ {values} }} ?s rdfs:label ?l }}",
                           use_default_graph_as_union=True):
        lang = row["l"].language or ""
        score = 0 if lang == language else 1 if lang == "" else 2
        current = rank.get(row["s"].value)
        if current is None or (score, row["l"].value) < current:
            rank[row["s"].value] = (score, row["l"].value)
    return {iri: label for iri, (_, label) in rank.items()}


def description_triples(store: GraphStore, iri: str) -> list[ox.Triple]:
    """The machine-readable twin of a page: the IRI's statements with their blank nodes, and when the IRI names a
    graph (an evidence graph, the ontology graph) the statements in that graph."""
    query = """CONSTRUCT { ?this ?p ?o . ?o ?bp ?bo . ?s ?gp ?go } WHERE {
      { ?this ?p ?o OPTIONAL { FILTER(isBlank(?o)) ?o ?bp ?bo } } UNION { GRAPH ?this { ?s ?gp ?go } }
    }"""
    return list(_query(store, query, iri))


def ontology_triples(store: GraphStore) -> list[ox.Triple]:
    """The ontology document: everything in the loader's ontology graph."""
    return [quad.triple for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))]


TERMS = """
SELECT ?term ?kind WHERE {
  GRAPH ?g {
    { ?term a owl:Class BIND("class" AS ?kind) } UNION
    { ?term a owl:ObjectProperty BIND("property" AS ?kind) } UNION
    { ?term a owl:DatatypeProperty BIND("property" AS ?kind) } UNION
    { ?term a owl:AnnotationProperty BIND("property" AS ?kind) } UNION
    { ?term a rdf:Property BIND("property" AS ?kind) } UNION
    { ?term a owl:NamedIndividual BIND("individual" AS ?kind) }
  }
  FILTER(?g = ?this && STRSTARTS(STR(?term), "%s"))
} ORDER BY ?kind ?term
""" % ONTOLOGY


def ontology_terms(store: GraphStore) -> dict[str, list[str]]:
    """The ontology's own terms by kind ("class", "property", "individual"), each once."""
    terms: dict[str, list[str]] = defaultdict(list)
    seen: set[str] = set()
    for row in _query(store, TERMS, ONTOLOGY_GRAPH):
        if row["term"].value not in seen:
            seen.add(row["term"].value)
            terms[row["kind"].value].append(row["term"].value)
    return dict(terms)


def similar_iris(store: GraphStore, namespace: str, missing: str, n: int = 8) -> list[str]:
    """IRIs in `namespace` whose local name looks like `missing`'s, or whose label contains its words."""
    locals_: dict[str, str] = {}
    query = """SELECT DISTINCT ?s { { ?s ?p ?o } UNION { GRAPH ?s { ?x ?y ?z } }
               FILTER(isIRI(?s) && STRSTARTS(STR(?s), STR(?this))) }"""
    for row in _query(store, query, namespace):
        locals_[row["s"].value[len(namespace):].lower()] = row["s"].value
    wanted = missing.lower()
    close = difflib.get_close_matches(wanted, list(locals_), n=n, cutoff=0.5)
    contained = [name for name in sorted(locals_) if wanted and (wanted in name or name in wanted)]
    chosen = list(dict.fromkeys(close + contained))[:n]
    return [locals_[name] for name in chosen]


def ontology_term(store: GraphStore, iri: str) -> dict[str, list[ox.Literal]]:
    """The literal annotations of one ontology term in the ontology graph (labels, comments …), by property."""
    found: dict[str, list[ox.Literal]] = defaultdict(list)
    query = f"SELECT ?p ?o {{ GRAPH <{ONTOLOGY_GRAPH}> {{ ?this ?p ?o }} FILTER(isLiteral(?o)) }} ORDER BY ?p ?o"
    for row in _query(store, query, iri):
        found[row["p"].value].append(row["o"])
    return dict(found)
