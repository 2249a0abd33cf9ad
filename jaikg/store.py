"""The one store interface of jaikg: `GraphStore`, the part of `pyoxigraph.Store` that the views use.

Two implementations: the embedded Oxigraph store (`pyoxigraph.Store` itself, built by `jaikg.loading`) and
`jaikg.remote_store.RemoteStore`, the same calls over the SPARQL 1.1 Protocol to a server-grade store (Oxigraph
server, Apache Jena Fuseki, Virtuoso, GraphDB, Amazon Neptune, QLever). The endpoint, the Linked Data pages, VoID,
the exports, the network and validation take a `GraphStore` and call nothing else on it, so each works on either.
Loading (`extend`, `bulk_load`, `optimize` …) is not in the interface: it builds an embedded store
(`jaikg.loading`, `jaikg.bulk`) or publishes one to a remote store (`jaikg.publish`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

Subject = ox.NamedNode | ox.BlankNode | ox.Triple
Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
GraphName = ox.NamedNode | ox.BlankNode | ox.DefaultGraph
QueryResult = ox.QuerySolutions | ox.QueryBoolean | Iterable[ox.Triple]
"""Solutions (SELECT), a boolean (ASK), or triples (CONSTRUCT, DESCRIBE), as `pyoxigraph.Store.query` returns."""


@runtime_checkable
class GraphStore(Protocol):
    """What jaikg's views call on a store; `pyoxigraph.Store` has it all."""

    def query(self, query: str, *, base_iri: str | None = None, use_default_graph_as_union: bool = False,
              default_graph: Sequence[GraphName] | None = None,
              named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None) -> QueryResult: ...

    def update(self, update: str, *, base_iri: str | None = None) -> None: ...

    def quads_for_pattern(self, subject: Subject | None, predicate: ox.NamedNode | None, object: Term | None,
                          graph_name: GraphName | None = None) -> Iterator[ox.Quad]: ...

    def contains_named_graph(self, graph_name: ox.NamedNode | ox.BlankNode) -> bool: ...

    def __len__(self) -> int: ...

    def __iter__(self) -> Iterator[ox.Quad]: ...
