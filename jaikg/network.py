"""The network of organizations and what they work on, built by SPARQL over the store.

Nodes are the organizations, people, programs, projects, selected proposals, models, compute resources and corpora
of the graph; edges are the ontology properties between them, each mapped to a relation a reader understands
("developed", "selected by", "operates" …) by the one table `RELATIONS`. Every node carries `label_en`, `label_ja`,
`label` (the shortest English name, for drawings), `type` (its most specific class), `category` (the group it is
coloured and filtered by), `iri` and `programs` (the IRIs of the programs in whose neighbourhood it is, separated by
spaces: what the interactive page filters by); every edge its `relation` and the `property` it comes from.
Attribute values are plain strings, so GraphML and GEXF open in Gephi and Cytoscape as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from .namespaces import ONTOLOGY, RESOURCE, expand, sparql_prologue
from .store import GraphStore

CATEGORIES: tuple[tuple[str, str], ...] = (
    ("Program", "jo:FundingProgram"),
    ("Project", "jo:Project"),
    ("Proposal", "jo:SelectedProposal"),
    ("Model", "jo:AIModel"),
    ("Model", "jo:ModelFamily"),
    ("Compute", "jo:ComputeResource"),
    ("Corpus", "jo:Corpus"),
    ("Person", "jo:Person"),
    ("Organization", "jo:Organization"),
)
"""The kinds of node in the network, in order of precedence (a thing of two kinds takes the first), with the
class whose instances (subclasses included) belong to it."""


@dataclass(frozen=True)
class Relation:
    """An edge kind: a SPARQL property path from a subject to an object, the relation it is read as, and whether
    the edge runs from the object to the subject (`jo:developer` links model → developer; the edge reads
    developer —developed→ model)."""

    path: str
    label: str
    reverse: bool = False


RELATIONS: tuple[Relation, ...] = (
    Relation("jo:developer", "developed", reverse=True),
    Relation("jo:selectedOrganization", "selected for", reverse=True),
    Relation("jo:representativeOrganization", "represents", reverse=True),
    Relation("jo:participatingOrganization", "participates in", reverse=True),
    Relation("jo:selectedBy", "selected by"),
    Relation("jo:ledTo", "led to"),
    Relation("jo:ledBy", "leads", reverse=True),
    Relation("jo:operatedBy", "operates", reverse=True),
    Relation("jo:builtBy", "built", reverse=True),
    Relation("jo:manufacturer", "manufactured", reverse=True),
    Relation("jo:runBy", "funds/runs", reverse=True),
    Relation("jo:implementedBy", "implements", reverse=True),
    Relation("jo:partOfProgram", "part of"),
    Relation("jo:subOrganizationOf", "part of"),
    Relation("jo:trainedOn", "used compute"),
    Relation("jo:usesComputeResource", "used compute"),
    Relation("jo:usedBy", "used compute", reverse=True),
    Relation("jo:trainingData", "trained on"),
    Relation("jo:memberOf", "member of"),
    Relation("jo:subsidiaryOf", "subsidiary of"),
    Relation("jo:spunOutFrom", "spun out of"),
    Relation("jo:founder", "founded", reverse=True),
    Relation("jo:initiatedBy", "initiated", reverse=True),
    Relation("jo:partnerOf", "partner of"),
    Relation("jo:affiliation", "affiliated with"),
    Relation("jo:holdsPosition/jo:positionIn", "holds position in"),
    Relation("^jo:holder/jo:positionIn", "holds position in"),
    Relation("jo:memberOfFamily", "member of family"),
    Relation("jo:basedOn", "based on"),
)

PROLOGUE = sparql_prologue(("jo", "rdfs", "skos"))

NODES = PROLOGUE + f"""
SELECT ?node ?class ?depth ?label_en ?label_ja (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?alts) WHERE {{
  ?node a ?class .
  FILTER(STRSTARTS(STR(?node), "{RESOURCE}") && STRSTARTS(STR(?class), "{ONTOLOGY}"))
  {{ SELECT ?class (COUNT(DISTINCT ?super) AS ?depth) WHERE {{ ?class rdfs:subClassOf* ?super }} GROUP BY ?class }}
  OPTIONAL {{ ?node rdfs:label ?label_en FILTER(LANGMATCHES(LANG(?label_en), "en")) }}
  OPTIONAL {{ ?node rdfs:label ?label_ja FILTER(LANGMATCHES(LANG(?label_ja), "ja")) }}
  OPTIONAL {{ ?node skos:altLabel ?alt FILTER(LANGMATCHES(LANG(?alt), "en")) }}
}} GROUP BY ?node ?class ?depth ?label_en ?label_ja
"""

SUPERCLASSES = PROLOGUE + f"""
SELECT DISTINCT ?node ?super WHERE {{
  ?node a/rdfs:subClassOf* ?super .
  FILTER(STRSTARTS(STR(?node), "{RESOURCE}") && STRSTARTS(STR(?super), "{ONTOLOGY}"))
}}
"""


def edges_query() -> str:
    """One SELECT over all relations: each row a subject, an object and the index of its relation in RELATIONS."""
    blocks = [f"{{ ?s {relation.path} ?o BIND({index} AS ?relation) }}" for index, relation in enumerate(RELATIONS)]
    return PROLOGUE + "SELECT DISTINCT ?s ?o ?relation WHERE {\n  " + "\n  UNION ".join(blocks) + "\n}"


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _query(store: GraphStore, query: str) -> ox.QuerySolutions:
    return store.query(query, use_default_graph_as_union=True)


def node_classes(store: GraphStore) -> dict[str, set[str]]:
    """Every resource → the short names of all its classes, superclasses included."""
    classes: dict[str, set[str]] = {}
    for row in _query(store, SUPERCLASSES):
        classes.setdefault(row["node"].value, set()).add(_short(row["super"].value))
    return classes


def category_of(classes: set[str]) -> str | None:
    for category, cls in CATEGORIES:
        if _short(expand(cls)) in classes:
            return category
    return None


def _nodes(store: GraphStore, classes: dict[str, set[str]]) -> dict[str, dict[str, str]]:
    """The network's nodes and their attributes; a node of several classes takes its most specific one."""
    best: dict[str, tuple[int, str, dict[str, str]]] = {}
    for row in _query(store, NODES):
        iri = row["node"].value
        category = category_of(classes.get(iri, set()))
        if category is None:
            continue
        label_en = row["label_en"].value if row["label_en"] else _short(iri)
        names = [label_en] + [alt for alt in (row["alts"].value if row["alts"] else "").split("\x1f") if alt]
        attributes = {"label": min(names, key=lambda name: (len(name), name)), "label_en": label_en,
                      "label_ja": row["label_ja"].value if row["label_ja"] else "", "type": _short(row["class"].value),
                      "category": category, "iri": iri}
        rank = (int(row["depth"].value), attributes["type"])
        if iri not in best or rank > best[iri][:2]:
            best[iri] = (*rank, attributes)
    return {iri: attributes for iri, (_, _, attributes) in sorted(best.items())}


def build_network(store: GraphStore, *, types: Iterable[str] = (), program: str | None = None) -> nx.MultiDiGraph:
    """The network, optionally restricted to the neighbourhood of one program and to some node types (category
    names such as `Organization`, or class names such as `University`, case-insensitive). `KeyError` for a
    program that is not there, `ValueError` for a type no node has."""
    classes = node_classes(store)
    graph = nx.MultiDiGraph(name="jaikg: organizations and what they work on")
    for iri, attributes in _nodes(store, classes).items():
        graph.add_node(iri, **attributes)
    rows = sorted((row["s"].value, row["o"].value, int(row["relation"].value))
                  for row in _query(store, edges_query()) if isinstance(row["o"], ox.NamedNode))
    for subject, obj, index in rows:
        relation = RELATIONS[index]
        source, target = (obj, subject) if relation.reverse else (subject, obj)
        if source in graph and target in graph and source != target:
            graph.add_edge(source, target, key=relation.label, relation=relation.label,
                           property=relation.path)
    mark_programs(graph)
    types_of = {n: {c.lower() for c in classes.get(n, set()) | {graph.nodes[n]["category"]}} for n in graph}
    unknown = [name for name in types if name.lower() not in set().union(*types_of.values())]
    if unknown:
        known = sorted({data["category"] for _, data in graph.nodes(data=True)})
        raise ValueError(f"no node of type {', '.join(unknown)} in the network; types: "
                         + ", ".join(known) + ", or a class of the ontology such as University")
    if program is not None:
        graph = graph.subgraph(program_neighbourhood(graph, find_node(graph, program))).copy()
    wanted = {name.lower() for name in types}
    if wanted:
        graph = graph.subgraph([n for n in graph if wanted & types_of[n]]).copy()
    return graph


def mark_programs(graph: nx.MultiDiGraph) -> None:
    """Set each node's `programs`: the programs whose neighbourhood (see `program_neighbourhood`) holds it."""
    members: dict[str, list[str]] = {node: [] for node in graph}
    for program in sorted(n for n, category in graph.nodes(data="category") if category == "Program"):
        for node in program_neighbourhood(graph, program):
            members[node].append(program)
    for node, programs in members.items():
        graph.nodes[node]["programs"] = " ".join(programs)


def find_node(graph: nx.MultiDiGraph, name: str) -> str:
    """A node by IRI, prefixed name (`jr:geniac`), slug (`geniac`) or English name (case-insensitive)."""
    candidates = (expand(name), RESOURCE + name)
    for candidate in candidates:
        if candidate in graph:
            return candidate
    folded = name.casefold()
    for node, data in graph.nodes(data=True):
        if folded in (data["label"].casefold(), data["label_en"].casefold()):
            return node
    raise KeyError(f"no node named {name!r} in the network")


def program_neighbourhood(graph: nx.MultiDiGraph, program: str, radius: int = 2) -> set[str]:
    """The program, the programs and projects that are part of it (at any depth), and everything within `radius`
    steps of them: the proposals they selected, the players of those proposals, who runs them, what they led to."""
    parts = {program}
    frontier = [program]
    while frontier:
        node = frontier.pop()
        for source, _, relation in graph.in_edges(node, keys=True):
            if relation == "part of" and source not in parts:
                parts.add(source)
                frontier.append(source)
    undirected = graph.to_undirected(as_view=True)
    found: set[str] = set()
    for seed in parts:
        found.update(nx.single_source_shortest_path_length(undirected, seed, cutoff=radius))
    return found
