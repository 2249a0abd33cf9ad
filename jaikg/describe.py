"""What the graph says about one IRI: the data behind its Linked Data page and its machine-readable twins.

`describe` gathers, once, every statement the page shows, each in the evidence graph that states it; the HTML page
and the Turtle, JSON-LD, N-Triples, TriG and N-Quads twins are views of that one `Description`.

Every query names the IRI as `?this`, replaced by the IRI as pyoxigraph writes it (`NamedNode` has checked it is a
valid IRI, so it cannot close the `<…>` and inject SPARQL); queries run over the union of all graphs, with the
evidence read from the named graphs.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import resources
from .namespaces import ONTOLOGY, ONTOLOGY_GRAPH, PREFIXES, sparql_prologue
from .reification import RDF_TYPE, evidence_reifications
from .store import GraphName, GraphStore

Term = ox.NamedNode | ox.BlankNode | ox.Literal
THIS = re.compile(r"\?this\b")
PROLOGUE = sparql_prologue(("jo", "rdf", "rdfs", "owl", "skos"))


def _query(store: GraphStore, query: str, iri: str | None = None):
    """Run `query` with `?this` standing for `iri` (without `iri`, as it is); `ValueError` for a string that is not an
    IRI."""
    if iri is not None:
        this = str(ox.NamedNode(iri))
        query = THIS.sub(lambda _: this, query)
    return store.query(PROLOGUE + query, use_default_graph_as_union=True)


RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
QUOTE = ox.NamedNode(ONTOLOGY + "quote")
IN_SECTION = ox.NamedNode(ONTOLOGY + "inSection")


@dataclass
class Evidence:
    """One quote stating facts about the entity: the evidence graph, its quote and section, and those facts."""

    iri: str
    quote: str
    section: str | None
    facts: list[tuple[ox.NamedNode, Term]] = field(default_factory=list)


@dataclass
class Incoming:
    """A statement with the entity as object, and the evidence graphs that state it (other than the subject's own
    graph: an evidence node's self-description points to the report from the graph the node names)."""

    subject: ox.NamedNode
    predicate: ox.NamedNode
    evidence: list[str] = field(default_factory=list)


@dataclass
class Description:
    """What the page of one IRI shows. `statements` is all of it as RDF in the data's own model (each statement in
    the evidence graph that states it, and each of those graphs describing itself with its quote and section); the
    other fields are views of the same statements for the HTML page."""

    iri: str
    statements: list[ox.Quad]
    """Every statement the page shows, in the graph that holds it (the default graph when no named graph does),
    then the self-description of every evidence graph among them."""
    sources: dict[str, Evidence]
    """Evidence graph IRI → its quote and section, for every evidence graph in `statements`."""
    labels: dict[str, list[str]]
    """Language tag ("" for none) → labels."""
    types: list[ox.NamedNode]
    properties: dict[ox.NamedNode, list[Term]]
    blank_nodes: dict[ox.BlankNode, dict[ox.NamedNode, list[Term]]]
    """The properties of blank nodes the entity points to (quantities, for example)."""
    incoming: list[Incoming]
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

    def quads(self) -> list[ox.Quad]:
        """The twin in a syntax with named graphs (TriG, N-Quads, JSON-LD): the statements as the data files
        hold them, graph by graph, each evidence graph's description of itself first."""
        graphs: dict[GraphName, list[ox.Quad]] = defaultdict(list)
        for quad in self.statements:
            graphs[quad.graph_name].append(quad)
        return [quad for quads in graphs.values()
                for quad in sorted(quads, key=lambda q: q.subject != q.graph_name)]

    def triples(self) -> list[ox.Triple]:
        """The twin in a syntax without named graphs (Turtle, N-Triples, RDF/XML): the union of the statements,
        and, since such a syntax cannot say which graph holds a fact, each fact of an evidence graph once more as
        an `rdf:Statement` `prov:wasDerivedFrom` that graph (`jaikg.reification`)."""
        evidence = {ox.NamedNode(iri) for iri in self.sources}
        return [*dict.fromkeys(quad.triple for quad in self.statements),
                *evidence_reifications(self.statements, evidence)]


def exists(store: GraphStore, iri: str) -> bool:
    """Whether the graph says anything with `iri` (False for a string that is not an IRI)."""
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return bool(_query(store, "ASK { { ?this ?p ?o } UNION { ?s ?p ?this } UNION { ?s ?this ?o } "
                              "UNION { GRAPH ?this { ?s ?p ?o } } }", iri))


IN_GRAPH = "OPTIONAL { GRAPH ?g { ?s ?p ?o } }"
"""Each statement of the union with each named graph that holds it (none: it is in the default graph)."""
OUTGOING = f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  {{ VALUES ?s {{ ?this }} ?s ?p ?o }} UNION {{ ?this ?x ?s FILTER(isBlank(?s)) ?s ?p ?o }}
  {IN_GRAPH}
}} ORDER BY ?s ?p ?o ?g"""
"""The entity's statements and those of the blank nodes it points to, in one query so that a remote store's blank
node labels stay the same throughout."""
INCOMING = f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  VALUES ?o {{ ?this }} ?s ?p ?o FILTER(isIRI(?s) && ?p != rdf:type)
  {IN_GRAPH}
}} ORDER BY ?p ?s ?g LIMIT %d"""
IN_NAMED_GRAPH = """SELECT ?s ?p ?o ?g WHERE { VALUES ?g { ?this } GRAPH ?g { ?s ?p ?o } }
ORDER BY ?s ?p ?o LIMIT %d"""
INSTANCES = f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  ?o rdfs:subClassOf* ?this . ?s a ?o . BIND(rdf:type AS ?p)
  {IN_GRAPH}
}} ORDER BY ?s ?o ?g LIMIT %d"""
USES = f"""SELECT DISTINCT ?s ?p ?o ?g WHERE {{
  VALUES ?p {{ ?this }} ?s ?p ?o
  {IN_GRAPH}
}} ORDER BY ?s ?o ?g LIMIT %d"""
SELF_DESCRIPTIONS = """SELECT DISTINCT ?s ?p ?o ?g WHERE {
  VALUES ?g { %s } GRAPH ?g { ?g jo:quote ?quote . ?g ?p ?o } BIND(?g AS ?s)
} ORDER BY ?g ?p ?o"""
"""The evidence graphs among the given graphs, each with the statements it makes about itself."""


def _quads(store: GraphStore, query: str, iri: str | None = None) -> list[ox.Quad]:
    """The rows of a query selecting ?s ?p ?o ?g as quads (an unbound ?g: the default graph)."""
    return [ox.Quad(row["s"], row["p"], row["o"], row["g"] or ox.DefaultGraph()) for row in _query(store, query, iri)]


def describe(store: GraphStore, iri: str, *, limit: int = 500) -> Description:
    """What the graph says about `iri`: its statements, those pointing to it, the evidence of each and, for a
    graph, a class or a property, the first `limit` statements in it, instances of it or statements using it."""
    this = ox.NamedNode(iri)
    outgoing = _quads(store, OUTGOING, iri)
    incoming = _quads(store, INCOMING % limit, iri)
    in_graph = _quads(store, IN_NAMED_GRAPH % limit, iri)
    instances = _quads(store, INSTANCES % limit, iri)
    uses = _quads(store, USES % limit, iri)
    shown = list(dict.fromkeys(outgoing + incoming + in_graph + instances + uses))
    sources, descriptions = _sources(store, {q.graph_name for q in shown if isinstance(q.graph_name, ox.NamedNode)})

    properties: dict[ox.NamedNode, list[Term]] = defaultdict(list)
    blank_nodes: dict[ox.BlankNode, dict[ox.NamedNode, list[Term]]] = defaultdict(lambda: defaultdict(list))
    facts: dict[str, list[tuple[ox.NamedNode, Term]]] = defaultdict(list)
    for quad in outgoing:
        values = properties[quad.predicate] if quad.subject == this else blank_nodes[quad.subject][quad.predicate]
        if quad.object not in values:
            values.append(quad.object)
        graph = quad.graph_name
        if quad.subject == this and graph != this and isinstance(graph, ox.NamedNode) and graph.value in sources:
            if (quad.predicate, quad.object) not in facts[graph.value]:
                facts[graph.value].append((quad.predicate, quad.object))
    for values in properties.values():
        values.sort(key=lambda value: _content(value, blank_nodes))
    labels: dict[str, list[str]] = defaultdict(list)
    for value in properties.get(RDFS_LABEL, []):
        labels[getattr(value, "language", None) or ""].append(value.value)
    return Description(
        iri=iri, statements=list(dict.fromkeys(shown + descriptions)), sources=sources, labels=dict(labels),
        types=[t for t in properties.get(RDF_TYPE, []) if isinstance(t, ox.NamedNode)],
        properties=dict(properties), blank_nodes={b: dict(p) for b, p in blank_nodes.items()},
        incoming=_incoming(incoming, sources),
        evidence=sorted((Evidence(g, sources[g].quote, sources[g].section, fs) for g, fs in facts.items()),
                        key=lambda e: (e.section or "", e.iri)),
        graph=[quad.triple for quad in in_graph],
        instances=list(dict.fromkeys(quad.subject for quad in instances)),
        uses=list(dict.fromkeys((quad.subject, quad.object) for quad in uses)),
    )


def _content(value: Term, blank_nodes: dict[ox.BlankNode, dict[ox.NamedNode, list[Term]]]) -> tuple:
    """A sort key putting blank nodes after the other values, in the order of what they say (their labels differ
    from one load to the next): the class partitions of a VoID description by class, for example."""
    if not isinstance(value, ox.BlankNode):
        return (0,)
    return (1, tuple((p.value, tuple(str(o) for o in objects)) for p, objects in blank_nodes[value].items()))


def _sources(store: GraphStore, graphs: set[ox.NamedNode]) -> tuple[dict[str, Evidence], list[ox.Quad]]:
    """The evidence graphs among `graphs` (those that carry a quote), and the statements they make about
    themselves."""
    if not graphs:
        return {}, []
    values = " ".join(str(graph) for graph in sorted(graphs, key=lambda g: g.value))
    descriptions = [quad for quad in _quads(store, SELF_DESCRIPTIONS % values)
                    if isinstance(quad.graph_name, ox.NamedNode)]
    sources: dict[str, Evidence] = {}
    for quad in descriptions:
        found = sources.setdefault(quad.graph_name.value, Evidence(quad.graph_name.value, "", None))
        if quad.predicate == QUOTE:
            found.quote = quad.object.value
        elif quad.predicate == IN_SECTION:
            found.section = quad.object.value
    return sources, descriptions


def _incoming(quads: list[ox.Quad], sources: dict[str, Evidence]) -> list[Incoming]:
    found: dict[tuple[ox.NamedNode, ox.NamedNode], Incoming] = {}
    for quad in quads:
        link = found.setdefault((quad.subject, quad.predicate), Incoming(quad.subject, quad.predicate))
        graph = quad.graph_name
        if isinstance(graph, ox.NamedNode) and graph.value in sources and graph != quad.subject \
                and graph.value not in link.evidence:
            link.evidence.append(graph.value)
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


def ontology_triples(store: GraphStore) -> list[ox.Triple]:
    """The ontology document: everything in the loader's ontology graph."""
    return [quad.triple for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(ONTOLOGY_GRAPH))]


@dataclass(frozen=True)
class OntologyModule:
    """One shipped ontology file (the core ontology, its alignments): the IRI its `owl:Ontology` header names, its
    statements and the prefixes it declares."""

    iri: str
    triples: list[ox.Triple]
    prefixes: dict[str, str]


@functools.cache
def ontology_modules() -> dict[str, OntologyModule]:
    """The shipped ontology files by the IRI of their header. The loader puts all of them in one graph
    (`jg:ontology`); a module is a document of its own only in its file, so it is read from there."""
    modules: dict[str, OntologyModule] = {}
    header = ox.NamedNode(PREFIXES["owl"] + "Ontology")
    for path in resources.ontology_files():
        parser = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        triples = [quad.triple for quad in parser]
        for triple in triples:
            if triple.predicate == RDF_TYPE and triple.object == header and isinstance(triple.subject, ox.NamedNode):
                modules[triple.subject.value] = OntologyModule(triple.subject.value, triples, dict(parser.prefixes))
    return modules


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
