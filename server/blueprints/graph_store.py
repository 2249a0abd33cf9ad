"""`/data`: the SPARQL 1.1 Graph Store HTTP Protocol (`?graph=IRI` or `?default`). Reads are open; writes (PUT
replaces a graph, POST adds to it, DELETE drops it) need `--update` and go through the executor as one SPARQL
Update each, so a write is atomic and a worker pool sees it like any other update."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, request

from jaikg.sparql import GRAPH_TYPES, NotAcceptable, SparqlError, UpdateRequest, checked_iris, write_rdf

from ..negotiation import content_type, negotiate
from ..state import jaikg
from ..writes import authorize_write, write_done

bp = Blueprint("graph_store", __name__)

TRIPLE_TYPES = {media_type: fmt for media_type, fmt in GRAPH_TYPES.items()
                if fmt not in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)}
"""A graph's content comes in a triple syntax."""


def target() -> ox.NamedNode | ox.DefaultGraph:
    """The graph the request names: `?graph=IRI` or `?default`, exactly one of them."""
    graphs = request.args.getlist("graph")
    if ("default" in request.args) == bool(graphs) or len(graphs) > 1:
        raise SparqlError(400, "name one graph: ?graph=<IRI> or ?default.")
    return ox.DefaultGraph() if not graphs else ox.NamedNode(checked_iris(graphs, "graph")[0])


def graph_exists(graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return isinstance(graph, ox.DefaultGraph) or jaikg().store.contains_named_graph(graph)


def sparql_graph(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"


@bp.route("/data", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    graph = target()
    if request.method in ("GET", "HEAD"):  # Flask answers HEAD with this view: a read, whose body it drops
        return read(graph)
    authorize_write()
    existed = graph_exists(graph)
    if request.method == "DELETE":
        if not existed:
            raise SparqlError(404, f"there is no graph {graph}.")
        write(f"DROP {sparql_graph(graph)}")
        return write_done()
    triples = ox.serialize(parse_body(), format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    statements = [f"DROP SILENT {sparql_graph(graph)}"] if request.method == "PUT" else []
    if isinstance(graph, ox.NamedNode):
        statements.append(f"CREATE SILENT {sparql_graph(graph)}")
    if triples.strip():
        data = triples if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph} {{ {triples} }}"
        statements.append(f"INSERT DATA {{ {data} }}")
    write(" ; ".join(statements))
    return write_done(204 if existed else 201)


def read(graph: ox.NamedNode | ox.DefaultGraph) -> Response:
    if not graph_exists(graph):
        raise SparqlError(404, f"there is no graph {graph}.")
    media_type = negotiate(list(TRIPLE_TYPES))
    if media_type is None:
        raise NotAcceptable(406, "a graph is served as " + ", ".join(TRIPLE_TYPES))
    quads = jaikg().store.quads_for_pattern(None, None, None, graph)
    response = Response(write_rdf(quads, media_type), content_type=content_type(media_type))
    response.vary.add("Accept")
    return response


def parse_body() -> list[ox.Triple]:
    fmt = TRIPLE_TYPES.get(request.mimetype)
    if fmt is None:
        raise SparqlError(415, f"send the graph as one of {', '.join(TRIPLE_TYPES)}, not {request.mimetype!r}.")
    try:
        return [quad.triple for quad in ox.parse(request.get_data(), format=fmt, base_iri=request.base_url)]
    except SyntaxError as error:
        raise SparqlError(400, f"the graph could not be parsed: {error}") from None


def write(update: str) -> None:
    """One SPARQL Update through the executor (a PUT of no triples to the default graph is a no-op)."""
    if update:
        jaikg().executor.update(UpdateRequest(update=update, base_iri=request.base_url))
