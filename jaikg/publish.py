"""`jaikg load --to URL`: publish a validated graph to a remote store, every named graph replaced, in chunks.

Two protocols, both idempotent (publishing twice gives the same store, never twice the triples):

- `update` (SPARQL 1.1 Update, any store): each request is one update, `DROP SILENT GRAPH <g> ; … ; INSERT DATA
  { GRAPH <g> { … } … }` for the whole graphs of one chunk, so on Oxigraph or Fuseki a chunk is one transaction.
- `gsp` (SPARQL 1.1 Graph Store HTTP Protocol): one `PUT ?graph=<g>` per graph, which replaces it.

A chunk holds whole graphs only (about `chunk_size` quads; a larger graph goes alone): blank nodes are scoped to
one request, so splitting a graph would split a blank node that two of its triples share. Graphs the target holds
and the published graph does not are left alone (the target may hold other data); `clear=True` drops everything
on the target first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote

import pyoxigraph as ox

from .http_client import DeadlineExceeded, HttpClient, Unreachable
from .remote_store import BackendTimeout, BackendUnavailable, checked
from .store import GraphName

PROTOCOLS = ("update", "gsp")
DEFAULT_CHUNK_SIZE = 10_000
DEFAULT_TIMEOUT = 300.0

Graph = tuple[GraphName, list[ox.Triple]]


@dataclass(frozen=True)
class PublishResult:
    graphs: int
    quads: int
    requests: int


def graphs_of(quads: Iterable[ox.Quad]) -> list[Graph]:
    """The quads grouped by graph, graphs in a stable order (the default graph first, then by name)."""
    groups: dict[GraphName, list[ox.Triple]] = defaultdict(list)
    for quad in quads:
        if isinstance(quad.graph_name, ox.BlankNode):
            raise ValueError(f"a graph named by a blank node ({quad.graph_name}) cannot be addressed remotely")
        groups[quad.graph_name].append(quad.triple)
    return sorted(groups.items(), key=lambda item: (not isinstance(item[0], ox.DefaultGraph), str(item[0])))


def chunks(graphs: Iterable[Graph], size: int) -> Iterator[list[Graph]]:
    """Whole graphs, about `size` triples a chunk; a graph larger than `size` is a chunk of its own."""
    chunk: list[Graph] = []
    count = 0
    for graph in graphs:
        if chunk and count + len(graph[1]) > size:
            yield chunk
            chunk, count = [], 0
        chunk.append(graph)
        count += len(graph[1])
    if chunk:
        yield chunk


def _graph_ref(name: GraphName) -> str:
    return "DEFAULT" if isinstance(name, ox.DefaultGraph) else f"GRAPH {name}"


def _ntriples(triples: list[ox.Triple]) -> str:
    return (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")


def replace_update(chunk: list[Graph]) -> str:
    """One SPARQL Update that replaces each graph of `chunk` with its triples."""
    drops = [f"DROP SILENT {_graph_ref(name)}" for name, _ in chunk]
    blocks = [_ntriples(triples) if isinstance(name, ox.DefaultGraph) else f"GRAPH {name} {{\n{_ntriples(triples)}}}"
              for name, triples in chunk]
    return " ;\n".join(drops) + " ;\nINSERT DATA {\n" + "\n".join(blocks) + "\n}\n"


class Publisher:
    """Sends graphs to one target URL with one protocol, each request bounded by `timeout`."""

    def __init__(self, url: str, protocol: str = "update", *, timeout: float = DEFAULT_TIMEOUT,
                 client: HttpClient | None = None) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f"unknown protocol {protocol!r} (known: {', '.join(PROTOCOLS)})")
        self.url, self.protocol, self.timeout = url, protocol, timeout
        self.client = client or HttpClient()
        self.requests = 0

    def clear(self) -> None:
        """Drop every graph of the target."""
        if self.protocol == "gsp":
            raise ValueError("clearing the whole target needs the SPARQL Update protocol (--via update)")
        self._send("POST", b"DROP SILENT ALL", "application/sparql-update")

    def send(self, chunk: list[Graph]) -> None:
        if self.protocol == "update":
            self._send("POST", replace_update(chunk).encode("utf-8"), "application/sparql-update")
            return
        for name, triples in chunk:
            query = "default" if isinstance(name, ox.DefaultGraph) else "graph=" + quote(name.value, safe="")
            self._send("PUT", _ntriples(triples).encode("utf-8"), "application/n-triples", query)

    def _send(self, method: str, body: bytes, media_type: str, query: str = "") -> None:
        self.requests += 1
        try:
            reply = self.client.request(method, self.url, body=body, headers={"Content-Type": media_type},
                                        timeout=self.timeout, query=query)
        except DeadlineExceeded:
            raise BackendTimeout(504, f"{self.url} did not answer within {self.timeout:g} s") from None
        except Unreachable as error:
            raise BackendUnavailable(502, f"{self.url} could not be reached: {error}") from None
        checked(reply, self.url, "update")


def publish(quads: Iterable[ox.Quad], url: str, *, protocol: str = "update", chunk_size: int = DEFAULT_CHUNK_SIZE,
            timeout: float = DEFAULT_TIMEOUT, clear: bool = False,
            on_quads: Callable[[int], None] = lambda n: None) -> PublishResult:
    """Replace each graph of `quads` on the store at `url` (its SPARQL Update or Graph Store URL). Raises
    `BackendUnavailable`/`BackendTimeout` when the target cannot be reached, refuses a request for a reason of its
    own (401, 404 …) or answers too late, and `RuntimeError` when it finds a request bad (400); the graphs sent
    before are published."""
    publisher = Publisher(url, protocol, timeout=timeout)
    graphs = graphs_of(quads)
    if clear:
        publisher.clear()
    for chunk in chunks(graphs, chunk_size):
        publisher.send(chunk)
        on_quads(sum(len(triples) for _, triples in chunk))
    return PublishResult(graphs=len(graphs), quads=sum(len(triples) for _, triples in graphs),
                         requests=publisher.requests)
