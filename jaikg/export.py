"""Dumps of the graph: Turtle, JSON-LD, N-Triples, N-Quads, TriG and RDF/XML, of the whole graph or one part.

The quad formats (TriG, N-Quads, JSON-LD) keep the named graphs: one evidence graph per quote, plus `jg:ontology` and
`jg:mentions`. The triple formats (Turtle, N-Triples, RDF/XML) hold the union of the graphs. Without provenance,
the evidence descriptions (the `jo:Evidence` nodes with their quotes and sections) are dropped and the facts they
held move to the default graph.

The line formats are written by Oxigraph (fast, one statement a line); the others by rdflib, whose Turtle and TriG
writers group statements by subject, nest blank nodes and use the project prefixes, and whose JSON-LD writer
compacts with the published `@context`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
import rdflib

from . import resources
from .namespaces import ONTOLOGY, ONTOLOGY_GRAPH, PREFIXES
from .store import GraphStore

PARTS = ("all", "ontology", "data")


@dataclass(frozen=True)
class ExportFormat:
    """One dump syntax: its name on the command line, the file extension it is served under, its media type, and
    whether it keeps the named graphs."""

    name: str
    extension: str
    media_type: str
    keeps_graphs: bool


FORMATS: dict[str, ExportFormat] = {f.name: f for f in (
    ExportFormat("ttl", "ttl", "text/turtle", keeps_graphs=False),
    ExportFormat("jsonld", "jsonld", "application/ld+json", keeps_graphs=True),
    ExportFormat("nt", "nt", "application/n-triples", keeps_graphs=False),
    ExportFormat("nq", "nq", "application/n-quads", keeps_graphs=True),
    ExportFormat("trig", "trig", "application/trig", keeps_graphs=True),
    ExportFormat("xml", "rdf", "application/rdf+xml", keeps_graphs=False),
)}
FORMATS_BY_EXTENSION: dict[str, ExportFormat] = {f.extension: f for f in FORMATS.values()}

RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
EVIDENCE_CLASS = ox.NamedNode(ONTOLOGY + "Evidence")


def select_quads(store: GraphStore, part: str = "all", provenance: bool = True) -> list[ox.Quad]:
    """The quads of one part of the store: `ontology` is the graph `jg:ontology`, `data` everything else (the
    evidence graphs and the derived mentions), `all` both. Without provenance, the triples describing the evidence
    nodes are dropped and the facts of the evidence graphs are moved to the default graph."""
    if part not in PARTS:
        raise ValueError(f"unknown part {part!r} (known: {', '.join(PARTS)})")
    ontology_graph = ox.NamedNode(ONTOLOGY_GRAPH)
    if part == "ontology":
        quads = list(store.quads_for_pattern(None, None, None, ontology_graph))
    elif part == "data":
        quads = [q for q in store if q.graph_name != ontology_graph]
    else:
        quads = list(store)
    if provenance:
        return quads
    evidence = {q.subject for q in store.quads_for_pattern(None, RDF_TYPE, EVIDENCE_CLASS, None)
                if q.subject == q.graph_name}
    moved = (ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph() if q.graph_name in evidence else q.graph_name)
             for q in quads if q.subject not in evidence)
    return list(dict.fromkeys(moved))  # a fact two quotes state is one triple of the default graph


def to_rdflib(quads: Iterable[ox.Quad]) -> rdflib.Dataset:
    """The quads as an rdflib dataset with the project prefixes bound (through N-Quads, so rdflib's own parser
    decides how each term looks in rdflib)."""
    dataset = rdflib.Dataset()
    for name, iri in PREFIXES.items():
        dataset.bind(name, iri, override=True, replace=True)
    data = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    if data:
        dataset.parse(data=data.decode("utf-8"), format="nquads")
    return dataset


def union_graph(dataset: rdflib.Dataset) -> rdflib.Graph:
    """All triples of all graphs of `dataset` in one graph, keeping its prefixes."""
    graph = rdflib.Graph()
    for name, iri in dataset.namespaces():
        graph.bind(name, iri, override=True, replace=True)
    for s, p, o, _ in dataset.quads((None, None, None, None)):
        graph.add((s, p, o))
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
        dataset = to_rdflib(quads)
        graph = dataset if keeps_graphs else union_graph(dataset)
        return graph.serialize(format=rdflib_format, encoding="utf-8", **options)
    return write


def _jsonld(quads: list[ox.Quad]) -> bytes:
    document = json.loads(to_rdflib(quads).serialize(format="json-ld", context=jsonld_context()))
    return json.dumps(_default_graph_at_top(document), indent=2, ensure_ascii=False).encode("utf-8")


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


WRITERS: dict[str, Callable[[list[ox.Quad]], bytes]] = {
    "ttl": _rdflib_format("turtle", keeps_graphs=False),
    "jsonld": _jsonld,
    "nt": _line_format(ox.RdfFormat.N_TRIPLES, triples=True),
    "nq": _line_format(ox.RdfFormat.N_QUADS, triples=False),
    "trig": _rdflib_format("trig", keeps_graphs=True),
    "xml": _rdflib_format("xml", keeps_graphs=False),
}


def export_graph(store: GraphStore, fmt: str, part: str = "all", provenance: bool = True) -> bytes:
    """The chosen part of the store serialized in `fmt` (a key of `FORMATS`)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (known: {', '.join(FORMATS)})")
    return WRITERS[fmt](select_quads(store, part, provenance))
