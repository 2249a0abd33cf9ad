"""Dumps: every format re-parses to what the store holds for the part, graph for graph where the format has graphs,
written for reading (the shipped data's size) and streamed (what a larger store gets: forced here by a limit of 0)."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDF

from jaikg.export import FORMATS, PARTS, READABLE_LIMIT, export_graph
from jaikg.namespaces import ONTOLOGY, ONTOLOGY_GRAPH, PREFIXES

RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "nq": "nquads", "trig": "trig", "xml": "xml"}
QUAD_FORMATS = ("jsonld", "nq", "trig")
TRIPLE_FORMATS = ("ttl", "nt", "xml")


def store_part(store: ox.Store, part: str) -> rdflib.Dataset:
    """What the store holds for `part`, read straight from the store (not through the export code)."""
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    quads = [q for q in store if part == "all" or (q.graph_name == ontology) == (part == "ontology")]
    dataset = rdflib.Dataset()
    dataset.parse(data=ox.serialize(quads, format=ox.RdfFormat.N_QUADS).decode("utf-8"), format="nquads")
    return dataset


def reparse(data: bytes, fmt: str) -> rdflib.Dataset:
    dataset = rdflib.Dataset()
    dataset.parse(data=data.decode("utf-8"), format=RDFLIB_FORMATS[fmt])
    return dataset


def union(dataset: rdflib.Dataset) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
    return graph


def graph_names(dataset: rdflib.Dataset) -> set[rdflib.term.Node]:
    return {graph.identifier for graph in dataset.graphs() if len(graph)}


def assert_same_dataset(expected: rdflib.Dataset, actual: rdflib.Dataset) -> None:
    assert graph_names(actual) == graph_names(expected)
    for name in graph_names(expected):
        assert isomorphic(expected.graph(name), actual.graph(name)), f"graph {name} differs"


@pytest.fixture(params=[READABLE_LIMIT, 0], ids=["readable", "streamed"])
def dump(request):
    """`export_graph` as a store of the shipped data's size gets it, or as a store over the readable limit does."""
    return lambda *args, **options: export_graph(*args, readable_limit=request.param, **options)


def test_the_formats_are_the_six_of_the_issue() -> None:
    assert set(FORMATS) == set(RDFLIB_FORMATS)


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("fmt", TRIPLE_FORMATS)
def test_triple_formats_round_trip_to_the_union_of_the_part(shipped_store, fmt: str, part: str, dump) -> None:
    """A syntax without named graphs holds the union of the part's graphs, and says which quote states each fact
    of an evidence graph by the standard reification: an rdf:Statement of the fact, prov:wasDerivedFrom the graph
    (README, Linked Data twins)."""
    expected = union(store_part(shipped_store, part))
    dumped = union(reparse(dump(shipped_store, fmt, part), fmt))
    statements = set(dumped.subjects(RDF.type, RDF.Statement))
    facts = without_statements(dumped)
    assert len(expected) > 0
    assert isomorphic(expected, facts)
    stated = {(dumped.value(node, RDF.subject), dumped.value(node, RDF.predicate), dumped.value(node, RDF.object),
               dumped.value(node, PROV.wasDerivedFrom)) for node in statements}
    assert len(stated) == len(statements) == len(evidence_facts(shipped_store, part))
    assert ground(stated) == ground(evidence_facts(shipped_store, part))  # blank nodes get new labels when read


def without_statements(graph: rdflib.Graph) -> rdflib.Graph:
    """The graph without its reification statements (whose many blank nodes would make comparing it slow)."""
    statements = set(graph.subjects(RDF.type, RDF.Statement))
    facts = rdflib.Graph()
    for triple in graph:
        if triple[0] not in statements:
            facts.add(triple)
    return facts


def ground(facts: set[tuple]) -> set[tuple[str, ...]]:
    return {tuple(map(str, fact)) for fact in facts if not any(isinstance(term, rdflib.BNode) for term in fact)}


def evidence_facts(store: ox.Store, part: str) -> set[tuple]:
    """The facts of the evidence graphs in `part` (none in the ontology), each with its graph, read from the store."""
    if part == "ontology":
        return set()
    rows = store.query(f"""SELECT ?s ?p ?o ?g WHERE {{
      GRAPH ?g {{ ?g a <{ONTOLOGY}Evidence> . ?s ?p ?o }} FILTER(?s != ?g) }}""")
    return {tuple(rdflib.BNode(t.value) if isinstance(t, ox.BlankNode) else rdflib.URIRef(t.value)
                  if isinstance(t, ox.NamedNode) else rdflib.Literal(t.value) for t in (r["s"], r["p"], r["o"], r["g"]))
            for r in rows}


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("fmt", QUAD_FORMATS)
def test_quad_formats_keep_every_named_graph(shipped_store, fmt: str, part: str, dump) -> None:
    expected = store_part(shipped_store, part)
    actual = reparse(dump(shipped_store, fmt, part), fmt)
    assert_same_dataset(expected, actual)


def test_turtle_uses_the_project_prefixes(shipped_store) -> None:
    text = export_graph(shipped_store, "ttl", "data").decode("utf-8")
    assert f"@prefix jo: <{PREFIXES['jo']}> ." in text
    assert f"@prefix jr: <{PREFIXES['jr']}> ." in text
    assert "ns1:" not in text


def test_jsonld_is_compacted_with_the_published_context(shipped_store) -> None:
    document = json.loads(export_graph(shipped_store, "jsonld", "data"))
    keys: set[str] = set()

    def walk(node: object) -> None:
        if isinstance(node, dict):
            keys.update(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(document["@graph"])
    assert {"label", "quote", "inSection"} <= keys
    assert not [key for key in keys if key.startswith("http")]


EVIDENCE_FACTS = f"""
SELECT DISTINCT ?s ?p ?o WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(?g != <{ONTOLOGY_GRAPH}>)
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s a <{ONTOLOGY}Evidence> }} FILTER(?s = ?g) }}
}}"""


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_without_provenance_only_the_facts_remain(shipped_store, fmt: str, dump) -> None:
    actual = reparse(dump(shipped_store, fmt, "data", provenance=False), fmt)
    evidence = rdflib.URIRef(ONTOLOGY + "Evidence")
    assert not list(actual.quads((None, rdflib.RDF.type, evidence, None)))
    assert not list(actual.quads((None, rdflib.URIRef(ONTOLOGY + "quote"), None, None)))
    expected = rdflib.Graph()
    rows = shipped_store.query(EVIDENCE_FACTS)
    expected.parse(data=ox.serialize((ox.Triple(r["s"], r["p"], r["o"]) for r in rows),
                                     format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt")
    assert isomorphic(expected, union(actual))
    if fmt in QUAD_FORMATS:
        names = {str(name) for name in graph_names(actual)}
        assert not [name for name in names if name.startswith(PREFIXES["jev"])]


def test_unknown_format_and_part_are_refused(shipped_store) -> None:
    with pytest.raises(ValueError, match="unknown export format"):
        export_graph(shipped_store, "csv")
    with pytest.raises(ValueError, match="unknown part"):
        export_graph(shipped_store, "ttl", part="shapes")


def test_a_fact_two_quotes_state_is_one_line_without_provenance(shipped_store, dump) -> None:
    """Without the evidence graphs a fact is a triple of the default graph, once: the N-Quads dump has no line
    twice (RDF datasets are sets)."""
    lines = dump(shipped_store, "nq", "data", provenance=False).decode("utf-8").splitlines()
    assert len(lines) == len(set(lines))



OXIGRAPH_FORMATS = {"jsonld": ox.RdfFormat.JSON_LD, "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG}


@pytest.mark.parametrize("fmt", QUAD_FORMATS)
@pytest.mark.parametrize("provenance", [True, False], ids=["provenance", "bare facts"])
def test_a_second_reader_finds_the_same_graphs(shipped_store, fmt: str, provenance: bool, dump) -> None:
    """Read by pyoxigraph as well as rdflib, a dump has the store's graphs (without provenance: the default graph
    instead of the evidence graphs), no graph named by a blank node: in JSON-LD 1.1 a graph object without `@id`
    is one, where rdflib's reader is lenient."""
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    expected = {q.graph_name for q in shipped_store if q.graph_name != ontology}
    if not provenance:
        expected = {ox.DefaultGraph()} | {name for name in expected if not name.value.startswith(PREFIXES["jev"])}
    quads = ox.parse(dump(shipped_store, fmt, "data", provenance=provenance), format=OXIGRAPH_FORMATS[fmt])
    assert {q.graph_name for q in quads} == expected
