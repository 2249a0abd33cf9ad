"""`/data`: the SPARQL 1.1 Graph Store HTTP Protocol (`?graph=IRI` or `?default`). Reads are open; writes (PUT
replaces a graph, POST adds to it, DELETE drops it) need `--update` and go through the executor as one SPARQL
Update each, so a write is atomic and a worker pool sees it like any other update.

The default graph. Queries see the union of all graphs as their default graph (the service description says so,
`sd:UnionDefaultGraph`), and `?default` names that same graph: GET and HEAD answer the union, each triple once, and
POST adds to it (the triples go to the stored default graph, which is part of the union). PUT and DELETE of
`?default` are refused with 405: replacing or deleting the union would replace or drop every named graph, every
evidence graph with it, and replacing the stored default graph alone would not do what PUT says (a GET after it
would answer more than was put). SPARQL Update at /sparql reaches the stored default graph alone (`DROP DEFAULT`,
`INSERT DATA`).

Validators (RFC 9110, section 13). jaikg keeps no time per graph: a graph's `Last-Modified` is the time of the last
write to the store (the endpoint's, `server.cache`), whether the graph exists or not (a graph dropped after a
client's date is a change that client did not see), and its `ETag` a hash of the graph's name, the media type and
that time. Both move with every write, so a write to another graph makes a conditional write fail (412) instead
of letting one through over a change its client did not see. GET and HEAD evaluate If-Match, If-Unmodified-Since,
If-None-Match and If-Modified-Since in the order of section 13.2.2 (304 or 412); PUT, POST and DELETE the first
three, to 412, before their content is read and holding the write lock (`server.writes.serialized_write`) until
the write is done, so a 412 changes nothing and no write of this process comes between the check and the change.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.http import http_date, parse_date

from jaikg.export import subject_statements
from jaikg.namespaces import PREFIXES
from jaikg.store import GraphStore
from jaikg.sparql import GRAPH_TYPES, NotAcceptable, SparqlError, UpdateRequest, checked_iris, write_rdf

from ..cache import cache_control, etag_of, last_modified_second, set_last_modified
from ..cors import mark_write
from ..errors import graph_store_methods
from ..limits import refuse_deep_nesting
from ..negotiation import content_type, negotiate
from ..state import jaikg
from ..streaming import streamed
from ..writes import authorize_write, serialized_write, write_done

bp = Blueprint("graph_store", __name__)

TRIPLE_TYPES = {media_type: fmt for media_type, fmt in GRAPH_TYPES.items()
                if fmt not in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)}
"""A graph's content comes in a triple syntax."""
PROTOCOL = "https://www.w3.org/TR/sparql11-http-rdf-update/"


def target() -> ox.NamedNode | ox.DefaultGraph:
    """The graph the request names: `?graph=IRI` or `?default`, exactly one of them."""
    graphs = request.args.getlist("graph")
    if ("default" in request.args) == bool(graphs) or len(graphs) > 1:
        raise SparqlError(400, "name one graph: ?graph=<IRI> or ?default (the union of all graphs, the default "
                               "graph of queries).")
    return ox.DefaultGraph() if not graphs else ox.NamedNode(checked_iris(graphs, "graph")[0])


def graph_exists(graph: ox.NamedNode | ox.DefaultGraph) -> bool:
    return isinstance(graph, ox.DefaultGraph) or jaikg().store.contains_named_graph(graph)


def sparql_graph(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"


def described(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    return "the default graph (the union of all graphs)" if isinstance(graph, ox.DefaultGraph) else f"the graph {graph}"


@bp.route("/data", methods=["GET", "PUT", "POST", "DELETE"])
def graph_store() -> Response:
    graph = target()
    if request.method in ("GET", "HEAD"):  # Flask answers HEAD with this view: a read, whose body it drops
        return read(graph)
    if isinstance(graph, ox.DefaultGraph) and request.method in ("PUT", "DELETE"):
        mark_write()
        raise SparqlError(405, f"{request.method} /data?default is not allowed: the default graph is the union of "
                               "all graphs, so replacing or deleting it would replace or drop every named graph. "
                               "PUT or DELETE /data?graph=<IRI> for one graph; POST /data?default adds to the "
                               "default graph; SPARQL Update at /sparql changes the stored default graph alone "
                               "(DROP DEFAULT, INSERT DATA).", details={"Allow": graph_store_methods()})
    authorize_write()
    with serialized_write():
        version = jaikg().executor.last_modified
        existed = graph_exists(graph)
        if request.method == "DELETE" and not existed:
            raise SparqlError(404, f"there is no graph {graph}.")
        check_preconditions(graph, existed, graph_etags(graph, version, TRIPLE_TYPES), version)
        if request.method == "DELETE":
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
    """The graph in the negotiated triple syntax, with its validators; 304 or 412 as its preconditions say. The
    version is read before the graph: a tag may then name content newer than its version (its next check fails),
    never older. The body is written as it is sent (`server.streaming`): a graph of millions of triples is not
    held in memory."""
    version = jaikg().executor.last_modified
    if not graph_exists(graph):
        raise SparqlError(404, f"there is no graph {graph}.")
    media_type = negotiate(list(TRIPLE_TYPES))
    if media_type is None:
        raise NotAcceptable(406, "a graph is served as " + ", ".join(TRIPLE_TYPES))
    etags = graph_etags(graph, version, [media_type])
    seen = jaikg().settings.sees_changes  # a replica (`--backend`) cannot tell when the graph changed: no validators
    if seen and check_preconditions(graph, True, etags, version):
        return validated(Response(status=304), etags[0], version)
    store = jaikg().store  # read on the writer's thread, where pyoxigraph's iterators must be made and used
    body = streamed(lambda output: write_rdf(graph_triples(store, graph), media_type, output=output))
    response = Response(body, content_type=content_type(media_type))
    if not seen:
        response.headers["Cache-Control"] = cache_control(jaikg().settings.max_age)
        response.vary.add("Accept")
        return response
    return validated(response, etags[0], version)


def graph_triples(store: GraphStore, graph: ox.NamedNode | ox.DefaultGraph) -> Iterable[ox.Triple]:
    """The triples of a named graph, or of the union of all graphs (each once: a fact two evidence graphs state
    is one triple of the union), as they are read. The union of an embedded store comes subject by subject; a
    remote store's is gathered first."""
    if isinstance(graph, ox.NamedNode):
        return (quad.triple for quad in store.quads_for_pattern(None, None, None, graph))
    if isinstance(store, ox.Store):
        return subject_statements(store, "all", provenance=True, triples=True)  # type: ignore[return-value]
    return dict.fromkeys(quad.triple for quad in store.quads_for_pattern(None, None, None, None))


def graph_etags(graph: ox.NamedNode | ox.DefaultGraph, version: float, media_types: Iterable[str]) -> list[str]:
    """The strong entity tag of the graph in each media type at this version of the store."""
    return [etag_of(repr((str(graph), version)).encode(), media_type) for media_type in media_types]


def validated(response: Response, etag: str, version: float) -> Response:
    response.set_etag(etag)
    set_last_modified(response, last_modified_second(version))
    response.headers["Cache-Control"] = cache_control(jaikg().settings.max_age)
    response.vary.add("Accept")
    return response


def check_preconditions(graph: ox.NamedNode | ox.DefaultGraph, exists: bool, etags: Collection[str],
                        version: float) -> bool:
    """Evaluate the request's conditional headers on the graph (RFC 9110, section 13.2.2): raise a 412 naming the
    failed condition; True when a GET or HEAD is answered 304 Not Modified; False to go on. `etags` are the
    graph's current tags (of the negotiated media type for a read, of every one for a write); `version` is when the
    store was last written, the graph's modification time."""
    safe = request.method in ("GET", "HEAD")
    modified = int(version)
    outcome = "" if safe else " Nothing was changed."
    if request.if_match:
        if not exists or not (request.if_match.star_tag or any(request.if_match.is_strong(tag) for tag in etags)):
            state = "does not exist" if not exists else "has an entity tag If-Match does not list (it has changed)"
            raise SparqlError(412, f"precondition failed: {described(graph)} {state}.{outcome}")
    else:
        since = http_date_header("If-Unmodified-Since")
        if since is not None and modified > since.timestamp():
            raise SparqlError(412, f"precondition failed: {described(graph)} was last modified at "
                                   f"{http_date(modified)} (the time of the last write to the store), after "
                                   f"If-Unmodified-Since: {http_date(since)}.{outcome}")
    if request.if_none_match:
        if exists and (request.if_none_match.star_tag or any(request.if_none_match.contains_weak(tag)
                                                             for tag in etags)):
            if safe:
                return True
            state = "exists" if request.if_none_match.star_tag else "has an entity tag of If-None-Match"
            raise SparqlError(412, f"precondition failed: {described(graph)} {state}.{outcome}")
    elif safe and last_modified_second(version) is not None:
        since = http_date_header("If-Modified-Since")
        return since is not None and modified <= since.timestamp()
    return False


def http_date_header(name: str) -> datetime | None:
    """The date of a header; None when it is absent, not an HTTP date, or a list of more than one (RFC 9110,
    sections 13.1.3 and 13.1.4: then it is ignored). One HTTP date holds at most one comma."""
    value = request.headers.get(name)
    if value is None or value.count(",") > 1:
        return None
    return parse_date(value)


def parse_body() -> list[ox.Triple]:
    """The triples of the request's body; a body nested deeper than the parser can take is refused before it is
    parsed (`server.limits.refuse_deep_nesting`: a 400)."""
    fmt = TRIPLE_TYPES.get(request.mimetype)
    if fmt is None:
        raise SparqlError(415, f"send the graph as one of {', '.join(TRIPLE_TYPES)}, not {request.mimetype!r}.")
    body = request.get_data()
    syntax = {ox.RdfFormat.JSON_LD: "json", ox.RdfFormat.TURTLE: "turtle", ox.RdfFormat.N_TRIPLES: "turtle"}.get(fmt)
    if syntax is not None:  # RDF/XML: its parser has no recursion
        refuse_deep_nesting(body.decode("utf-8", errors="replace"), syntax, "the graph")
    try:
        return [quad.triple for quad in ox.parse(body, format=fmt, base_iri=request.base_url)]
    except SyntaxError as error:
        raise SparqlError(400, f"the graph could not be parsed: {error}") from None


def write(update: str) -> None:
    """One SPARQL Update through the executor (a POST of no triples to the default graph is a no-op)."""
    if update:
        jaikg().executor.update(UpdateRequest(update=update, base_iri=request.base_url))


def graph_store_description(service: ox.NamedNode, data_url: str) -> list[ox.Triple]:
    """What the service description of /sparql says of /data: where it is, and what its `?default` is."""
    store = ox.NamedNode(data_url)
    return [
        ox.Triple(service, ox.NamedNode(PREFIXES["rdfs"] + "seeAlso"), store),
        ox.Triple(store, ox.NamedNode(PREFIXES["dcterms"] + "conformsTo"), ox.NamedNode(PROTOCOL)),
        ox.Triple(store, ox.NamedNode(PREFIXES["rdfs"] + "comment"), ox.Literal(
            "The SPARQL 1.1 Graph Store HTTP Protocol: ?graph=IRI names a named graph; ?default names the default "
            "graph of queries, the union of all graphs: GET and HEAD read it, POST adds to it (to the stored "
            "default graph), PUT and DELETE are refused (405), since they would replace or drop every graph.",
            language="en")),
    ]
