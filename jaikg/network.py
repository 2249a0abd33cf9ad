"""The network of organizations and what they work on, built by SPARQL over the store.

Nodes are the organizations, people, programs, projects, selected proposals, models, compute resources and corpora
of the graph; edges are the ontology properties between them, each mapped to a relation a reader understands
("developed", "selected by", "operates" …) by the one table `RELATIONS`. Every node carries `label_en`, `label_ja`,
`label` (the shortest English name, for drawings), `type` (its most specific class), `category` (the group it is
coloured and filtered by), `iri` and `programs` (the IRIs of the programs whose view holds it, separated by spaces:
what the interactive page filters by); every edge its `relation` and the `property` it comes from (several,
separated by spaces, when two properties read as the same relation between the same nodes).
Attribute values are plain strings, so GraphML and GEXF open in Gephi and Cytoscape as they are.

A view asked for with `max_nodes` is bounded whatever the size of the graph: when the whole network is larger, the
view is selected by SPARQL (the program's relations, the types) before anything is built, and a view still larger
raises `NetworkTooLarge` with the counts instead of being built.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

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

MAX_NODES = 2000
"""The most nodes a drawn view of the network holds (/graph, /graph.json): a node-link drawing of more is a blot
nobody reads, and the browser draws it slowly. The Neo4j browser likewise draws the first 300 nodes of an answer
(`initialNodeDisplay`). Above it, the view is refused with its count and narrowed by program or node types."""

PROGRAM_LIST_MAX = 1000
"""The most programs a `NetworkCensus` lists (by name), for the page's Program choice."""


@dataclass(frozen=True)
class Relation:
    """An edge kind: a SPARQL property path from a subject to an object, the relation it is read as from the edge's
    source ("AIST *developed* Swallow"), the same said of the edge's target ("Swallow *developed by* AIST"), and
    whether the edge runs from the object to the subject (`jo:developer` links model → developer; the edge reads
    developer —developed→ model)."""

    path: str
    label: str
    inverse: str
    reverse: bool = False


RELATIONS: tuple[Relation, ...] = (
    Relation("jo:developer", "developed", "developed by", reverse=True),
    Relation("jo:selectedOrganization", "selected for", "made by", reverse=True),
    Relation("jo:representativeOrganization", "represents", "represented by", reverse=True),
    Relation("jo:participatingOrganization", "participates in", "joined by", reverse=True),
    Relation("jo:selectedBy", "selected by", "selected"),
    Relation("jo:ledTo", "led to", "resulted from"),
    Relation("jo:ledBy", "leads", "led by", reverse=True),
    Relation("jo:operatedBy", "operates", "operated by", reverse=True),
    Relation("jo:builtBy", "built", "built by", reverse=True),
    Relation("jo:manufacturer", "manufactured", "manufactured by", reverse=True),
    Relation("jo:runBy", "funds/runs", "funded/run by", reverse=True),
    Relation("jo:implementedBy", "implements", "implemented by", reverse=True),
    Relation("jo:partOfProgram", "part of", "includes"),
    Relation("jo:subOrganizationOf", "part of", "includes"),
    Relation("jo:trainedOn", "trained on", "used to train"),
    Relation("jo:usesComputeResource", "uses", "used by"),
    Relation("jo:usedBy", "uses", "used by", reverse=True),
    Relation("jo:trainingData", "trained on", "used to train"),
    Relation("jo:memberOf", "member of", "has member"),
    Relation("jo:subsidiaryOf", "subsidiary of", "parent of"),
    Relation("jo:spunOutFrom", "spun out of", "spun off"),
    Relation("jo:founder", "founded", "founded by", reverse=True),
    Relation("jo:initiatedBy", "initiated", "initiated by", reverse=True),
    Relation("jo:partnerOf", "partner of", "partner of"),
    Relation("jo:affiliation", "affiliated with", "affiliation of"),
    Relation("jo:holdsPosition/jo:positionIn", "holds position in", "position held by"),
    Relation("^jo:holder/jo:positionIn", "holds position in", "position held by"),
    Relation("jo:memberOfFamily", "member of family", "includes model"),
    Relation("jo:basedOn", "based on", "base of"),
)

INVERSES: dict[str, str] = {relation.label: relation.inverse for relation in RELATIONS}
"""Each relation said of the edge's target; one inverse per label (the table keeps them alike)."""

# What a program's view follows, by property (edges in their drawn direction, source → target):
PART_OF = "jo:partOfProgram"
"""A program or project → the program it is part of. The view holds its parts, at any depth, and the program it is
part of (one step)."""
SELECTED_BY = "jo:selectedBy"
"""A selected proposal → the program that selected it."""
RUNS = frozenset({"jo:runBy", "jo:implementedBy", "jo:initiatedBy", "jo:ledBy"})
"""Who runs, implements, initiated or leads the program or project (source)."""
TAKES_PART = frozenset({"jo:selectedOrganization", "jo:representativeOrganization", "jo:participatingOrganization",
                        "jo:ledBy"})
"""Who was selected for, represents, takes part in or leads a proposal (or project) (source)."""
YIELDS = frozenset({"jo:ledTo", "jo:developer", "jo:usesComputeResource", "jo:usedBy"})
"""What the program, project or proposal led to, developed, or uses (target)."""
JOINS = frozenset({"jo:participatingOrganization"})
"""What a project takes part in (target): LLM-jp takes part in a proposal."""

PROLOGUE = sparql_prologue(("jo", "rdfs", "skos", "owl"))
CATEGORY_VALUES = " ".join(dict.fromkeys(cls for _, cls in CATEGORIES))
IN_NETWORK = f"""?node a/rdfs:subClassOf* ?top . VALUES ?top {{ {CATEGORY_VALUES} }}
  FILTER(STRSTARTS(STR(?node), "{RESOURCE}"))"""
"""The pattern binding `?node` to the nodes of the network (a node of two kinds matches twice)."""


def _values(variable: str, iris: Iterable[str]) -> str:
    return f"VALUES {variable} {{ {' '.join(f'<{iri}>' for iri in iris)} }}"


def nodes_query(values: str = "") -> str:
    return PROLOGUE + f"""
SELECT ?node ?class ?label_en ?label_ja (GROUP_CONCAT(DISTINCT ?alt; SEPARATOR="\\u001f") AS ?alts) WHERE {{
  {values}
  ?node a ?class .
  FILTER(STRSTARTS(STR(?node), "{RESOURCE}") && STRSTARTS(STR(?class), "{ONTOLOGY}"))
  OPTIONAL {{ ?node rdfs:label ?label_en FILTER(LANGMATCHES(LANG(?label_en), "en")) }}
  OPTIONAL {{ ?node rdfs:label ?label_ja FILTER(LANGMATCHES(LANG(?label_ja), "ja")) }}
  OPTIONAL {{ ?node skos:altLabel ?alt FILTER(LANGMATCHES(LANG(?alt), "en")) }}
}} GROUP BY ?node ?class ?label_en ?label_ja
"""


SUPERCLASSES_OF_CLASSES = PROLOGUE + "SELECT DISTINCT ?class ?super WHERE { ?class rdfs:subClassOf+ ?super }"


def class_depths(store: GraphStore) -> dict[str, int]:
    """Each class that has a superclass → how many classes it is a subclass of, itself included (its depth in the
    hierarchy); a class not listed has depth 1. Asked of the subclass triples only: `?class rdfs:subClassOf*
    ?super` with both ends open matches every term of the graph with itself, 11 s at 10^6 triples."""
    supers: dict[str, set[str]] = {}
    for row in _query(store, SUPERCLASSES_OF_CLASSES):
        supers.setdefault(row["class"].value, {row["class"].value}).add(row["super"].value)
    return {cls: len(found) for cls, found in supers.items()}


def superclasses_query(values: str = "") -> str:
    return PROLOGUE + f"""
SELECT DISTINCT ?node ?super WHERE {{
  {values}
  ?node a/rdfs:subClassOf* ?super .
  FILTER(STRSTARTS(STR(?node), "{RESOURCE}") && STRSTARTS(STR(?super), "{ONTOLOGY}"))
}}
"""


def edges_query(values: str = "") -> str:
    """One SELECT over all relations: each row a subject, an object and the index of its relation in RELATIONS;
    `values` (a VALUES clause on ?s) restricts the subjects."""
    blocks = [f"{{ {values} ?s {relation.path} ?o BIND({index} AS ?relation) }}"
              for index, relation in enumerate(RELATIONS)]
    return PROLOGUE + "SELECT DISTINCT ?s ?o ?relation WHERE {\n  " + "\n  UNION ".join(blocks) + "\n}"


def _short(iri: str) -> str:
    return iri.rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def _query(store: GraphStore, query: str) -> ox.QuerySolutions:
    return store.query(query, use_default_graph_as_union=True)


def _chunks(items: Iterable[str], size: int = 200) -> Iterator[list[str]]:
    batch: list[str] = []
    for item in sorted(items):
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def node_classes(store: GraphStore, nodes: Iterable[str] | None = None) -> dict[str, set[str]]:
    """Every resource (or each of `nodes`) → the short names of all its classes, superclasses included."""
    classes: dict[str, set[str]] = {}
    for values in ([""] if nodes is None else [_values("?node", chunk) for chunk in _chunks(nodes)]):
        for row in _query(store, superclasses_query(values)):
            classes.setdefault(row["node"].value, set()).add(_short(row["super"].value))
    return classes


def category_of(classes: set[str]) -> str | None:
    for category, cls in CATEGORIES:
        if _short(expand(cls)) in classes:
            return category
    return None


def _nodes(store: GraphStore, classes: dict[str, set[str]],
           nodes: Iterable[str] | None = None) -> dict[str, dict[str, str]]:
    """The network's nodes (or those of `nodes` in it) and their attributes; a node of several classes takes its
    most specific one."""
    best: dict[str, tuple[int, str, dict[str, str]]] = {}
    depths = class_depths(store)
    for values in ([""] if nodes is None else [_values("?node", chunk) for chunk in _chunks(nodes)]):
        for row in _query(store, nodes_query(values)):
            iri = row["node"].value
            category = category_of(classes.get(iri, set()))
            if category is None:
                continue
            label_en = row["label_en"].value if row["label_en"] else _short(iri)
            names = [label_en] + [alt for alt in (row["alts"].value if row["alts"] else "").split("\x1f") if alt]
            attributes = {"label": min(names, key=lambda name: (len(name), name)), "label_en": label_en,
                          "label_ja": row["label_ja"].value if row["label_ja"] else "",
                          "type": _short(row["class"].value), "category": category, "iri": iri}
            rank = (depths.get(row["class"].value, 1), attributes["type"])
            if iri not in best or rank > best[iri][:2]:
                best[iri] = (*rank, attributes)
    return {iri: attributes for iri, (_, _, attributes) in sorted(best.items())}


def _add_edges(graph: nx.MultiDiGraph, store: GraphStore, subjects: Iterable[str] | None = None) -> None:
    """The edges between the nodes of `graph` (from `subjects` only, when given: enough when every node is)."""
    chunks = [""] if subjects is None else [_values("?s", chunk) for chunk in _chunks(subjects)]
    rows = sorted((row["s"].value, row["o"].value, int(row["relation"].value))
                  for values in chunks for row in _query(store, edges_query(values))
                  if isinstance(row["o"], ox.NamedNode))
    for subject, obj, index in rows:
        relation = RELATIONS[index]
        source, target = (obj, subject) if relation.reverse else (subject, obj)
        if source not in graph or target not in graph or source == target:
            continue
        if graph.has_edge(source, target, key=relation.label):
            data = graph.edges[source, target, relation.label]
            if relation.path not in data["property"].split(" "):
                data["property"] += " " + relation.path
        else:
            graph.add_edge(source, target, key=relation.label, relation=relation.label, property=relation.path)


def _new_graph() -> nx.MultiDiGraph:
    return nx.MultiDiGraph(name="jaikg: organizations and what they work on")


class NetworkTooLarge(Exception):
    """A view of more than `max_nodes` nodes: `nodes` says how many, `census` what the whole network holds (to
    offer the filters that narrow it)."""

    def __init__(self, nodes: int, max_nodes: int, census: NetworkCensus, *, filtered: bool) -> None:
        self.nodes, self.max_nodes, self.census, self.filtered = nodes, max_nodes, census, filtered
        what = "This view of the network has" if filtered else "The network has"
        super().__init__(f"{what} {nodes:,} nodes, more than the {max_nodes:,} a drawing shows: narrow it to a "
                         "program or to fewer node types.")


@dataclass(frozen=True)
class NetworkCensus:
    """What the network holds, counted by SPARQL aggregates without building it: `nodes`; `categories`, the nodes
    of each category (a node of two kinds counts in each); `programs`, up to PROGRAM_LIST_MAX (IRI, name) pairs by
    name, of `programs_total`."""

    nodes: int
    categories: dict[str, int]
    programs: list[tuple[str, str]] = field(default_factory=list)
    programs_total: int = 0


def network_census(store: GraphStore) -> NetworkCensus:
    total = next(iter(_query(store, PROLOGUE + f"SELECT (COUNT(DISTINCT ?node) AS ?n) WHERE {{ {IN_NETWORK} }}")))
    pairs = " ".join(f'("{category}" {cls})' for category, cls in CATEGORIES)
    counts = {row["category"].value: int(row["n"].value) for row in _query(store, PROLOGUE + f"""
SELECT ?category (COUNT(DISTINCT ?node) AS ?n) WHERE {{
  VALUES (?category ?top) {{ {pairs} }} ?node a/rdfs:subClassOf* ?top . FILTER(STRSTARTS(STR(?node), "{RESOURCE}"))
}} GROUP BY ?category""")}
    names: dict[str, list[str]] = {}
    for row in _query(store, PROLOGUE + f"""
SELECT ?node ?name WHERE {{
  ?node a/rdfs:subClassOf* jo:FundingProgram . FILTER(STRSTARTS(STR(?node), "{RESOURCE}"))
  OPTIONAL {{ ?node rdfs:label|skos:altLabel ?name FILTER(LANGMATCHES(LANG(?name), "en")) }}
}}"""):
        names.setdefault(row["node"].value, []).append(row["name"].value if row["name"] else _short(row["node"].value))
    programs = sorted(((iri, min(found, key=lambda name: (len(name), name))) for iri, found in names.items()),
                      key=lambda program: (program[1].casefold(), program[0]))
    return NetworkCensus(int(total["n"].value), {category: counts[category] for category, _ in CATEGORIES
                                                 if counts.get(category)},
                         programs[:PROGRAM_LIST_MAX], len(programs))


def build_network(store: GraphStore, *, types: Iterable[str] = (), program: str | None = None,
                  max_nodes: int | None = None, census: NetworkCensus | None = None) -> nx.MultiDiGraph:
    """The network, optionally restricted to the view of one program (see `program_neighbourhood`) and to some
    node types (category names such as `Organization`, or class names such as `University`, case-insensitive).
    `KeyError` for a program that is not there, `ValueError` for a type no node has. With `max_nodes`, a view of
    more nodes raises `NetworkTooLarge`, and a network of more nodes is not built whole (`census`, when given,
    saves counting it again)."""
    types = list(types)
    if max_nodes is not None:
        census = census or network_census(store)
        if census.nodes > max_nodes:
            return _bounded_network(store, census, types, program, max_nodes)
    classes = node_classes(store)
    graph = _new_graph()
    for iri, attributes in _nodes(store, classes).items():
        graph.add_node(iri, **attributes)
    _add_edges(graph, store)
    mark_programs(graph)
    types_of = {n: {c.lower() for c in classes.get(n, set()) | {graph.nodes[n]["category"]}} for n in graph}
    unknown = [name for name in types if name.lower() not in set().union(*types_of.values())]
    if unknown:
        known = sorted({data["category"] for _, data in graph.nodes(data=True)})
        raise ValueError(_unknown_types(unknown, known))
    if program is not None:
        graph = graph.subgraph(program_neighbourhood(GraphLinks(graph), find_node(graph, program))).copy()
    wanted = {name.lower() for name in types}
    if wanted:
        graph = graph.subgraph([n for n in graph if wanted & types_of[n]]).copy()
    return graph


def _unknown_types(unknown: list[str], known: Iterable[str]) -> str:
    return (f"no node of type {', '.join(unknown)} in the network; types: " + ", ".join(known)
            + ", or a class of the ontology such as University")


def _bounded_network(store: GraphStore, census: NetworkCensus, types: list[str], program: str | None,
                     max_nodes: int) -> nx.MultiDiGraph:
    """The view of a network larger than `max_nodes`, selected by SPARQL before anything is built."""
    wanted = _type_classes(store, census, types)
    if program is None:
        if not wanted:
            raise NetworkTooLarge(census.nodes, max_nodes, census, filtered=False)
        nodes = {row["node"].value for row in _query(store, PROLOGUE + f"""
SELECT DISTINCT ?node WHERE {{ {_values("?wanted", wanted)} ?node a/rdfs:subClassOf* ?wanted . {IN_NETWORK} }}
LIMIT {max_nodes + 1}""")}
        if len(nodes) > max_nodes:
            raise NetworkTooLarge(_count_of_types(store, census, types, wanted), max_nodes, census, filtered=True)
        graph = _subnetwork(store, nodes)
        mark_programs(graph)
        return graph
    around = program_neighbourhood(StoreLinks(store), _find_in_store(store, program))
    classes = node_classes(store, around)
    inside = {node for node in around if category_of(classes.get(node, set())) is not None}
    if wanted:
        names = {_short(cls).lower() for cls in wanted}
        inside = {node for node in inside if names & {c.lower() for c in classes[node]}}
    if len(inside) > max_nodes:
        raise NetworkTooLarge(len(inside), max_nodes, census, filtered=True)
    graph = _subnetwork(store, inside, classes)
    mark_programs(graph)  # exact for the program asked for when no type is left out: its view is all there
    return graph


def _count_of_types(store: GraphStore, census: NetworkCensus, types: list[str], wanted: list[str]) -> int:
    """The nodes of the types `types` (their classes `wanted`): from the census when they are all categories (a node
    of two of them counts in each), else counted (all the instances of the classes are read)."""
    categories = {category.lower(): category for category in census.categories}
    if all(name.lower() in categories for name in types):
        return sum(census.categories[categories[name.lower()]] for name in set(map(str.lower, types)))
    return int(next(iter(_query(store, PROLOGUE + f"""
SELECT (COUNT(DISTINCT ?node) AS ?n) WHERE {{ {_values("?wanted", wanted)} ?node a/rdfs:subClassOf* ?wanted .
  {IN_NETWORK} }}""")))["n"].value)


def _type_classes(store: GraphStore, census: NetworkCensus, types: list[str]) -> list[str]:
    """The class IRIs `types` name (a category: its classes; else a class of the ontology, in any case);
    `ValueError` for a name that is neither, or whose classes have no node in the network."""
    if not types:
        return []
    ontology_classes = {_short(row["class"].value).lower(): row["class"].value for row in _query(store, PROLOGUE + f"""
SELECT DISTINCT ?class WHERE {{
  {{ ?class a owl:Class }} UNION {{ ?class a rdfs:Class }} UNION {{ ?class rdfs:subClassOf ?super }}
  FILTER(STRSTARTS(STR(?class), "{ONTOLOGY}"))
}}""")}
    wanted: list[str] = []
    unknown: list[str] = []
    for name in types:
        classes = [expand(cls) for category, cls in CATEGORIES if category.lower() == name.lower()]
        if not classes and name.lower() in ontology_classes:
            classes = [ontology_classes[name.lower()]]
        if not classes or not _ask(store, f"{_values('?wanted', classes)} ?node a/rdfs:subClassOf* ?wanted . "
                                          f"{IN_NETWORK}"):
            unknown.append(name)
        wanted += classes
    if unknown:
        raise ValueError(_unknown_types(unknown, census.categories))
    return sorted(set(wanted))


def _ask(store: GraphStore, pattern: str) -> bool:
    return bool(store.query(PROLOGUE + f"ASK {{ {pattern} }}", use_default_graph_as_union=True))


def _find_in_store(store: GraphStore, name: str) -> str:
    """`find_node` by SPARQL: a node of the network by IRI, prefixed name, slug or English name (any case)."""
    for candidate in dict.fromkeys((expand(name), RESOURCE + name)):
        try:
            ox.NamedNode(candidate)
        except ValueError:
            continue
        if _ask(store, f"{_values('?node', [candidate])} {IN_NETWORK}"):
            return candidate
    for row in _query(store, PROLOGUE + f"""
SELECT ?node WHERE {{ ?node rdfs:label|skos:altLabel ?name FILTER(LANGMATCHES(LANG(?name), "en")
  && LCASE(STR(?name)) = {json.dumps(name.casefold())}) {IN_NETWORK} }} ORDER BY ?node LIMIT 1"""):
        return row["node"].value
    raise KeyError(f"no node named {name!r} in the network")


def _subnetwork(store: GraphStore, nodes: set[str],
                classes: dict[str, set[str]] | None = None) -> nx.MultiDiGraph:
    """The network restricted to `nodes` (those of them in it) and the edges between them, built by queries on
    those nodes only."""
    classes = node_classes(store, nodes) if classes is None else classes
    graph = _new_graph()
    for iri, attributes in _nodes(store, classes, nodes).items():
        graph.add_node(iri, **attributes)
    _add_edges(graph, store, list(graph))
    return graph


class Links(Protocol):
    """The network's edges as a program's view follows them: the sources of the edges of some properties into
    some nodes, the targets of the edges out of them (edges in their drawn direction)."""

    def incoming(self, nodes: set[str], properties: frozenset[str]) -> set[str]: ...

    def outgoing(self, nodes: set[str], properties: frozenset[str]) -> set[str]: ...


class GraphLinks:
    """`Links` of a built network."""

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph

    def _follow(self, nodes: set[str], properties: frozenset[str], incoming: bool) -> set[str]:
        edges = self.graph.in_edges(nodes, data="property") if incoming else self.graph.out_edges(nodes,
                                                                                                   data="property")
        return {source if incoming else target for source, target, found in edges
                if properties.intersection(found.split(" "))}

    def incoming(self, nodes: set[str], properties: frozenset[str]) -> set[str]:
        return self._follow(nodes, properties, incoming=True)

    def outgoing(self, nodes: set[str], properties: frozenset[str]) -> set[str]:
        return self._follow(nodes, properties, incoming=False)


class StoreLinks:
    """`Links` read from the store by SPARQL, a few hundred nodes a query: a program's view without the network."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def _follow(self, nodes: set[str], properties: frozenset[str], incoming: bool) -> set[str]:
        relations = [relation for relation in RELATIONS if relation.path in properties]
        found: set[str] = set()
        for chunk in _chunks(nodes):
            values = _values("?node", chunk)
            # the edge runs subject → object, or object → subject for a reverse relation: the node is the
            # object of the triple when it is the edge's target and the relation is not reversed, or its source
            # and the relation is reversed
            blocks = [f"{{ {values} " + ("?other {path} ?node" if incoming != relation.reverse
                                           else "?node {path} ?other").format(path=relation.path) + " }"
                      for relation in relations]
            query = PROLOGUE + ("SELECT DISTINCT ?other WHERE {\n  " + "\n  UNION ".join(blocks)
                                + "\n  FILTER(isIRI(?other) && ?other != ?node)\n}")
            found.update(row["other"].value for row in _query(self.store, query))
        return found

    def incoming(self, nodes: set[str], properties: frozenset[str]) -> set[str]:
        return self._follow(nodes, properties, incoming=True) if nodes else set()

    def outgoing(self, nodes: set[str], properties: frozenset[str]) -> set[str]:
        return self._follow(nodes, properties, incoming=False) if nodes else set()


def program_neighbourhood(links: Links | nx.MultiDiGraph, program: str) -> set[str]:
    """What the view of `program` holds, following the program's own relations in their direction: the program,
    the programs and projects that are part of it (at any depth) and the program it is part of; who runs,
    implements, initiated or leads them; what they developed, led to or use, and what a project takes part in;
    the proposals they selected, with who was selected for, represents, takes part in or leads each, and what each
    led to. Nothing further: not the other programs of a ministry that runs this one, nor the other work of a
    player."""
    links = GraphLinks(links) if isinstance(links, nx.MultiDiGraph) else links
    parts = {program}
    frontier = {program}
    while frontier:
        frontier = links.incoming(frontier, frozenset({PART_OF})) - parts
        parts |= frontier
    proposals = links.incoming(parts, frozenset({SELECTED_BY}))
    found = parts | proposals
    found |= links.incoming(parts, RUNS | TAKES_PART)
    found |= links.outgoing(parts, YIELDS | JOINS | {PART_OF})
    found |= links.incoming(proposals, TAKES_PART)
    found |= links.outgoing(proposals, YIELDS)
    return found


def mark_programs(graph: nx.MultiDiGraph) -> None:
    """Set each node's `programs`: the programs whose view (see `program_neighbourhood`) holds it."""
    members: dict[str, list[str]] = {node: [] for node in graph}
    links = GraphLinks(graph)
    for program in sorted(n for n, category in graph.nodes(data="category") if category == "Program"):
        for node in program_neighbourhood(links, program):
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
