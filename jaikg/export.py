"""Dumps of the graph: Turtle, JSON-LD, N-Triples, N-Quads, TriG and RDF/XML, of the whole graph or one part.

The quad formats (TriG, N-Quads, JSON-LD) keep the named graphs: one evidence graph per quote, plus `jg:ontology` and
`jg:mentions`. The triple formats (Turtle, N-Triples, RDF/XML) hold the union of the graphs, and each fact of an
evidence graph once more as an `rdf:Statement` derived from that graph (`jaikg.reification`), as the Linked Data
twins do. Without provenance, the evidence descriptions (the `jo:Evidence` nodes with their quotes and sections)
are dropped and the facts they held move to the default graph.

Dumps of up to `READABLE_LIMIT` quads are written for people to read: the line formats sorted (by Oxigraph), the
others by rdflib, whose Turtle and TriG writers group statements by subject, nest blank nodes and use the project
prefixes, and whose JSON-LD writer compacts with the published `@context`. Both hold the whole graph in memory,
and rdflib takes minutes and gigabytes from 10^6 quads on (the Turtle dump of 10^6: 500 s and 4 GB), so a larger
embedded store is streamed instead, by Oxigraph's writers in the store's own order, in seconds and little memory:
the same statements, with the project prefixes, but in expanded JSON-LD and without sorting or nested blank nodes.

The same graph gives the same bytes in every format, run after run (dumps are diffed between releases and checked
into other repositories): blank nodes keep the labels the loading path and the reification gave them (rdflib's
parsers would draw new random ones), rdflib gets the statements and the graphs in sorted order (its in-memory store
lists them from Python sets, in an order that changes with `PYTHONHASHSEED`), and the nodes of each JSON-LD graph are
sorted by `@id`.
"""

from __future__ import annotations

import json
import io
import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.plugins.stores.memory import Memory

from . import resources
from .namespaces import ONTOLOGY, ONTOLOGY_GRAPH, PREFIXES
from .reification import evidence_reifications
from .store import GraphStore

PARTS = ("all", "ontology", "data")


@dataclass(frozen=True)
class ExportFormat:
    """One dump syntax: its name on the command line, the file extension it is served under, its media type, whether
    it keeps the named graphs, and Oxigraph's writer of it."""

    name: str
    extension: str
    media_type: str
    keeps_graphs: bool
    rdf_format: ox.RdfFormat


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("ttl", "ttl", "text/turtle", keeps_graphs=False, rdf_format=ox.RdfFormat.TURTLE),
    ExportFormat("jsonld", "jsonld", "application/ld+json", keeps_graphs=True, rdf_format=ox.RdfFormat.JSON_LD),
    ExportFormat("nt", "nt", "application/n-triples", keeps_graphs=False, rdf_format=ox.RdfFormat.N_TRIPLES),
    ExportFormat("nq", "nq", "application/n-quads", keeps_graphs=True, rdf_format=ox.RdfFormat.N_QUADS),
    ExportFormat("trig", "trig", "application/trig", keeps_graphs=True, rdf_format=ox.RdfFormat.TRIG),
    ExportFormat("xml", "rdf", "application/rdf+xml", keeps_graphs=False, rdf_format=ox.RdfFormat.RDF_XML),
)}
FORMATS_BY_EXTENSION: dict[str, ExportFormat] = {f.extension: f for f in FORMATS.values()}

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
EVIDENCE_CLASS = ox.NamedNode(ONTOLOGY + "Evidence")
ONTOLOGY_GRAPH_NODE = ox.NamedNode(ONTOLOGY_GRAPH)
READABLE_LIMIT = 100_000
"""Parts of an embedded store with more quads than this are streamed by Oxigraph (see the module docstring)."""


def part_quads(store: GraphStore, part: str) -> Iterator[ox.Quad]:
    """The quads of one part of the store, in the store's order: `ontology` is the graph `jg:ontology`, `data`
    everything else (the evidence graphs and the derived mentions), `all` both."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r} (known: {', '.join(PARTS)})")
    if part == "ontology":
        return store.quads_for_pattern(None, None, None, ONTOLOGY_GRAPH_NODE)
    if part == "data":
        return (q for q in store if q.graph_name != ONTOLOGY_GRAPH_NODE)
    return iter(store)


def evidence_nodes(store: GraphStore) -> set[ox.NamedNode | ox.BlankNode]:
    """The evidence descriptions: each is a `jo:Evidence` node named like the graph that holds it."""
    return {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, EVIDENCE_CLASS, None)
            if q.subject == q.graph_name}


def without_provenance(quads: Iterable[ox.Quad], evidence: set[ox.NamedNode | ox.BlankNode]) -> Iterator[ox.Quad]:
    """The quads without the triples describing evidence nodes, and with the facts of evidence graphs in the
    default graph (not deduplicated: a fact two quotes state comes twice)."""
    return (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph() if q.graph_name in evidence else q.graph_name)
            for q in quads if q.subject not in evidence)


def select_quads(store: GraphStore, part: str = "all", provenance: bool = True) -> list[ox.Quad]:
    """The quads of one part of the store (`part_quads`). Without provenance, the triples describing the evidence
    nodes are dropped and the facts of the evidence graphs are moved to the default graph."""
    quads = part_quads(store, part)
    if provenance:
        return list(quads)
    return list(dict.fromkeys(without_provenance(quads, evidence_nodes(store))))  # a fact two quotes state: once


def subject_statements(store: ox.Store, part: str, provenance: bool, *, triples: bool,
                       reify: bool = False) -> Iterator[ox.Triple | ox.Quad]:
    """The statements of a part subject by subject, each once: the triples of the union of its graphs (`triples`;
    with `reify`, followed by the reification of its evidence facts), or its quads, the evidence moved to the
    default graph without provenance. Only one subject's statements are in memory at a time; the distinct
    subjects are found by Oxigraph."""
    evidence = evidence_nodes(store) if reify or not provenance else set()
    subjects = store.query("SELECT DISTINCT ?s WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    for (subject,) in subjects:
        if not provenance and subject in evidence:
            continue
        quads: Iterable[ox.Quad] = store.quads_for_pattern(subject, None, None, None)
        if part != "all":
            quads = (q for q in quads if (q.graph_name == ONTOLOGY_GRAPH_NODE) == (part == "ontology"))
        quads = list(without_provenance(quads, evidence) if not provenance else quads)
        if not triples:
            yield from dict.fromkeys(quads)
            continue
        yield from dict.fromkeys(q.triple for q in quads)
        if reify:
            yield from evidence_reifications(quads, evidence)


def is_readable_size(store: GraphStore, part: str, limit: int = READABLE_LIMIT) -> bool:
    """Whether the part is written for reading: a remote store always (streaming it subject by subject would
    take a request per subject), an embedded one up to `limit` quads (counted no further than that)."""
    if not isinstance(store, ox.Store):
        return True
    return sum(1 for _ in itertools.islice(part_quads(store, part), limit + 1)) <= limit


class OrderedMemory(Memory):
    """rdflib's in-memory store, listing a graph's statements in the order they were first added, and the dataset's
    graphs sorted (`graph_key`). `Memory` lists both from Python sets, in an order that changes with the hash seed
    (`PYTHONHASHSEED`): rdflib's RDF/XML writer follows that order, its TriG and JSON-LD writers the order of the
    graphs. (The lookups by subject that serializers make keep the order of addition: dictionaries.)"""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._rank: dict[Any, int] = {}

    def add(self, triple: Any, context: Any, quoted: bool = False) -> None:
        self._rank.setdefault(triple, len(self._rank))
        super().add(triple, context, quoted)

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[Any]:
        found = super().triples(triple_pattern, context)
        if any(term is not None for term in triple_pattern):
            return found
        rank = self._rank
        return iter(sorted(found, key=lambda item: rank[item[0]]))

    def contexts(self, triple: Any = None) -> Iterator[Any]:
        return iter(sorted(super().contexts(triple), key=graph_key))


def term_key(term: rdflib.term.Node) -> tuple[int, str, str, str]:
    """A total order of rdflib terms (IRIs, blank nodes, literals), by kind, then text, language and datatype."""
    if isinstance(term, rdflib.Literal):
        return 2, str(term), term.language or "", str(term.datatype or "")
    return (1 if isinstance(term, rdflib.BNode) else 0), str(term), "", ""


def graph_key(graph: rdflib.Graph) -> tuple[bool, tuple[int, str, str, str]]:
    """The default graph first, then the named graphs by name."""
    return graph.identifier != DATASET_DEFAULT_GRAPH_ID, term_key(graph.identifier)


XSD_STRING = PREFIXES["xsd"] + "string"


def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> rdflib.term.Identifier:
    """An Oxigraph term as rdflib writes it back: a blank node keeps its label, a plain string has no datatype (as
    rdflib reads `"…"` in N-Triples)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return rdflib.Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        return rdflib.Literal(term.value, datatype=None if datatype == XSD_STRING else rdflib.URIRef(datatype))
    raise ValueError(f"rdflib cannot write the triple term {term}")


def _bind_prefixes(graph: rdflib.Graph) -> None:
    for name, iri in PREFIXES.items():
        graph.bind(name, iri, override=True, replace=True)


def _term_converter() -> Callable[[Any], rdflib.term.Identifier]:
    """`rdflib_term`, converting each distinct term once."""
    converted: dict[Any, rdflib.term.Identifier] = {}

    def term(node: Any) -> rdflib.term.Identifier:
        found = converted.get(node)
        if found is None:
            found = converted[node] = rdflib_term(node)
        return found
    return term


def to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    """The quads as an rdflib dataset with the project prefixes bound, added in sorted order (of their N-Quads lines)
    to a store that lists them in that order (`OrderedMemory`), each blank node with its label (`rdflib_term`)."""
    dataset = rdflib.Dataset(store=OrderedMemory())
    _bind_prefixes(dataset)
    term = _term_converter()
    graphs: dict[Any, rdflib.Graph] = {}

    def graph(name: Any) -> rdflib.Graph:
        context = graphs.get(name)
        if context is None:
            identifier = DATASET_DEFAULT_GRAPH_ID if isinstance(name, ox.DefaultGraph) else term(name)
            context = graphs[name] = dataset.get_context(identifier)
        return context

    dataset.addN((term(q.subject), term(q.predicate), term(q.object), graph(q.graph_name))
                 for q in sorted(quads, key=str))
    return dataset


def to_rdflib_union(quads: Iterable[ox.Quad]) -> rdflib.Graph:
    """The triples of all the quads' graphs as one rdflib graph, like `to_rdflib`."""
    graph = rdflib.Graph(store=OrderedMemory())
    _bind_prefixes(graph)
    term = _term_converter()
    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in sorted(quads, key=str))
    return graph


def jsonld_context() -> dict[str, Any]:
    """The published JSON-LD `@context` (ontology/context.jsonld), or the project prefixes if it is missing."""
    path = resources.context_file()
    if path.is_file():
        return json.loads(path.read_text(encoding="utf-8"))["@context"]
    return dict(PREFIXES)


def _line_format(oxigraph_format: ox.RdfFormat, *, triples: bool) -> Callable[[list[ox.Quad]], bytes]:
    def write(quads: list[ox.Quad]) -> bytes:
        if triples:
            statements: Iterable[ox.Triple | ox.Quad] = sorted({ox.Triple(q.subject, q.predicate, q.object)
                                                                for q in quads}, key=str)
        else:
            statements = sorted(quads, key=str)
        return ox.serialize(statements, format=oxigraph_format) or b""
    return write


def _rdflib_format(rdflib_format: str, *, keeps_graphs: bool, **options: Any) -> Callable[[list[ox.Quad]], bytes]:
    def write(quads: list[ox.Quad]) -> bytes:
        graph = to_rdflib(quads) if keeps_graphs else to_rdflib_union(quads)
        if rdflib_format == "xml":
            _name_namespaces_in_order(graph)
        return graph.serialize(format=rdflib_format, encoding="utf-8", **options)
    return write


def _name_namespaces_in_order(graph: rdflib.Graph) -> None:
    """Prefixes for the predicates' namespaces that have none (`ns1`, `ns2` …), given in the predicates' order:
    rdflib's RDF/XML writer would give them in the order of a Python set of the predicates."""
    for predicate in sorted(set(graph.predicates()), key=term_key):
        graph.namespace_manager.compute_qname_strict(predicate)


def _jsonld(quads: list[ox.Quad]) -> bytes:
    document = json.loads(to_rdflib(quads).serialize(format="json-ld", context=jsonld_context()))
    return json.dumps(_sorted_graphs(_default_graph_at_top(document)), indent=2, ensure_ascii=False).encode("utf-8")


def _default_graph_at_top(document: dict[str, Any]) -> dict[str, Any]:
    """rdflib writes a dataset's default graph as a graph object without `@id` inside the top-level `@graph`, which
    JSON-LD 1.1 reads as a graph named by a blank node (pyoxigraph does); its nodes belong in the top-level `@graph`
    itself, the default graph."""
    items = document.get("@graph")
    if isinstance(items, list):
        document["@graph"] = [node for item in items
                              for node in (item["@graph"] if isinstance(item, dict) and item.keys() == {"@graph"}
                                           else [item])]
    return document


def _sorted_graphs(document: dict[str, Any]) -> dict[str, Any]:
    """The top-level `@graph` and each named graph's `@graph` sorted (`_node_key`): rdflib lists a graph's nodes in
    the order of a Python set of its subjects, which changes with the hash seed."""
    items = document.get("@graph")
    if isinstance(items, list):
        items.sort(key=_node_key)
        for item in items:
            if isinstance(item, dict) and isinstance(item.get("@graph"), list):
                item["@graph"].sort(key=_node_key)
    return document


def _node_key(node: Any) -> tuple[bool, str]:
    """The nodes of a graph by `@id` (a graph lists each of its nodes once), the named graphs after them."""
    if not isinstance(node, dict):
        return True, json.dumps(node, sort_keys=True)
    return "@graph" in node, str(node.get("@id", ""))


WRITERS: dict[str, Callable[[list[ox.Quad]], bytes]] = {
    "ttl": _rdflib_format("turtle", keeps_graphs=False),
    "jsonld": _jsonld,
    "nt": _line_format(ox.RdfFormat.N_TRIPLES, triples=True),
    "nq": _line_format(ox.RdfFormat.N_QUADS, triples=False),
    "trig": _rdflib_format("trig", keeps_graphs=True),
    "xml": _rdflib_format("xml", keeps_graphs=False),
}


def write_export(store: GraphStore, fmt: str, output: BinaryIO, part: str = "all", provenance: bool = True, *,
                 readable_limit: int = READABLE_LIMIT) -> None:
    """The chosen part of the store serialized in `fmt` (a key of `FORMATS`) into `output`: for reading up to
    `readable_limit` quads, else streamed (see the module docstring)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    export_format = FORMATS[fmt]
    reify = provenance and not export_format.keeps_graphs
    if is_readable_size(store, part, readable_limit):
        quads = select_quads(store, part, provenance)
        if reify:
            quads += [ox.Quad(*triple) for triple in evidence_reifications(quads, evidence_nodes(store))]
        output.write(WRITERS[fmt](quads))
        return
    assert isinstance(store, ox.Store)
    statements: Iterable[ox.Triple | ox.Quad]
    if export_format.keeps_graphs and provenance:
        statements = part_quads(store, part)  # each quad once already, grouped by graph and subject
    else:
        statements = subject_statements(store, part, provenance, triples=not export_format.keeps_graphs, reify=reify)
    line_format = export_format.rdf_format in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS)
    ox.serialize(statements, output, format=export_format.rdf_format, prefixes=None if line_format else PREFIXES)


def export_graph(store: GraphStore, fmt: str, part: str = "all", provenance: bool = True, *,
                 readable_limit: int = READABLE_LIMIT) -> bytes:
    """`write_export` into memory."""
    output = io.BytesIO()
    write_export(store, fmt, output, part, provenance, readable_limit=readable_limit)
    return output.getvalue()
