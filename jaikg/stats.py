"""Counts that describe the graph: triples, quads, evidence graphs, and instances per class."""

from __future__ import annotations

from dataclasses import dataclass

from .namespaces import ONTOLOGY, ONTOLOGY_GRAPH, shorten
from .store import GraphStore

CLASS_COUNTS = f"""
SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  GRAPH ?g {{ ?s a ?class }}
  FILTER(?g != <{ONTOLOGY_GRAPH}>)
}} GROUP BY ?class ORDER BY DESC(?n) ?class
"""

EVIDENCE_COUNT = f"""
SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE {{ GRAPH ?e {{ ?e a <{ONTOLOGY}Evidence> }} }}
"""


@dataclass
class GraphStats:
    quads: int
    triples: int
    evidence_graphs: int
    classes: dict[str, int]

    def as_text(self) -> str:
        lines = [f"quads: {self.quads}", f"distinct triples: {self.triples}",
                 f"evidence graphs (quotes): {self.evidence_graphs}", "instances per class:"]
        width = max((len(shorten(c)) for c in self.classes), default=0)
        lines.extend(f"  {shorten(c):<{width}}  {n}" for c, n in self.classes.items())
        return "\n".join(lines)


def graph_stats(store: GraphStore) -> GraphStats:
    triples = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }",
                                    use_default_graph_as_union=True)))["n"]
    evidence = next(iter(store.query(EVIDENCE_COUNT)))["n"]
    classes = {row["class"].value: int(row["n"].value) for row in store.query(CLASS_COUNTS)}
    return GraphStats(quads=len(store), triples=int(triples.value), evidence_graphs=int(evidence.value),
                      classes=classes)
