"""`/data`: the SPARQL 1.1 Graph Store HTTP Protocol. Reads are open; writes (PUT replaces a graph, POST adds to
it or creates one, DELETE drops it) need `--update` and go through the executor as one SPARQL Update each, so a
write is atomic and a worker pool sees it like any other update.

Naming a graph (section 4). Indirectly, `/data?graph=IRI` names any graph and `/data?default` the default graph.
Directly, a graph whose IRI is a URL of this server under `/data/` is read and written at that URL itself:
`/data/person/1.ttl` is the graph `<http://HOST/data/person/1.ttl>`, also named by
`/data?graph=http://HOST/data/person/1.ttl`. The IRI is the URL as the request names this server (scheme, host and
port: `localhost` and `127.0.0.1` name two graphs) with the path percent-encoded as Werkzeug writes URLs, so
`/data/person/%31.ttl` is that graph too, and `/data/a%2Fb` is `/data/a/b` (a WSGI server decodes the path before the
app sees it); such a URL takes no query (400: the graph of `/data/g?x=1` would be another IRI, and `?graph` or
`?default` there would name two graphs). `/data` alone is the Graph Store itself: a POST
there creates a graph (section 5.5) named `<http://HOST/data/UUID>`, a new random UUID, under this server's URL space
so that the IRI is where the graph is read: `201 Created` with that IRI as `Location`; a POST with an empty body
creates nothing (204, as 5.5 says). GET and HEAD of `/data` alone are 400 (name a graph), PUT and DELETE 405.

Bodies. A PUT or POST carries one document in a triple syntax (Turtle, N-Triples, RDF/XML, JSON-LD: 415 for another
type); a POST may carry several as `multipart/form-data` (section 5.5), each part a document whose type is its
`Content-Type`, or for a file part sent without one (or as `application/octet-stream`, as browsers send a `.ttl`
file) its file name's extension. Their triples are merged: the blank nodes of two documents are two sets, as RDF
merge has it. Every document is checked for nesting before it is parsed (`server.limits`), the body is size-limited
with every other (`MAX_CONTENT_LENGTH`), and a form holds at most `MAX_FORM_PARTS` parts (Flask's, 1,000: 413).

The default graph. Queries see the union of all graphs as their default graph (the service description says so,
`sd:UnionDefaultGraph`), and `?default` names that same graph: GET and HEAD answer the union, each triple once, and
POST adds to it (the triples go to the stored default graph, which is part of the union). PUT and DELETE of
`?default` are what section 5.3 and 5.4 define them as, `DROP SILENT DEFAULT; INSERT DATA { … }` and `DROP DEFAULT`,
while no named graph holds a triple: the union is then the stored default graph, so a GET after them answers what
was put, or nothing. Once a named graph holds triples they are refused with 405: replacing or deleting the union
would replace or drop every named graph, every evidence graph with it, and replacing the stored default graph alone
would not do what PUT says (a GET after it would answer more than was put). SPARQL Update at /sparql reaches the
stored default graph alone (`DROP DEFAULT`, `INSERT DATA`).

Validators (RFC 9110, section 13). jaikg keeps no time per graph: a graph's `Last-Modified` is the time of the last
write to the store (the endpoint's, `server.cache`), whether the graph exists or not (a graph dropped after a
client's date is a change that client did not see), and its `ETag` a hash of the graph's name, the media type and
that time. Both move with every write, so a write to another graph makes a conditional write fail (412) instead
of letting one through over a change its client did not see. GET and HEAD evaluate If-Match, If-Unmodified-Since,
If-None-Match and If-Modified-Since in the order of section 13.2.2 (304 or 412); PUT, POST and DELETE the first
three, to 412, before their content is read and holding the write lock (`server.writes.serialized_write`) until
the write is done, so a 412 changes nothing and no write of this process comes between the check and the change.
A POST to `/data` alone evaluates none: its target, the Graph Store, has no representation of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import datetime

import pyoxigraph as ox
from flask import Blueprint, Response, request, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import http_date, parse_date, parse_options_header
from werkzeug.sansio.multipart import Data, Epilogue, Field, File, MultipartDecoder

from jaikg.export import subject_statements
from jaikg.namespaces import PREFIXES
from jaikg.store import GraphStore
from jaikg.sparql import GRAPH_TYPES, SparqlError, UpdateRequest, checked_iris, write_rdf

from ..cache import cache_control, etag_of, last_modified_second, set_last_modified
from ..cors import mark_write
from ..limits import TooLarge, refuse_deep_nesting
from ..negotiation import acceptable, content_type
from ..state import jaikg
from ..streaming import streamed
from ..writes import authorize_write, serialized_write, write_done

bp = Blueprint("graph_store", __name__)

TRIPLE_TYPES = {media_type: fmt for media_type, fmt in GRAPH_TYPES.items()
                if fmt not in (ox.RdfFormat.TRIG, ox.RdfFormat.N_QUADS)}
"""A graph's content comes in a triple syntax."""
PROTOCOL = "https://www.w3.org/TR/sparql11-http-rdf-update/"


Graph = ox.NamedNode | ox.DefaultGraph
NAME_ONE_GRAPH = ("name one graph: ?graph=<IRI>, ?default (the union of all graphs, the default graph of queries), "
                  "or the graph's own URL under /data/ (a graph whose IRI is that URL); POST /data creates a graph.")


def target(name: str | None) -> Graph | None:
    """The graph the request names: the graph of this URL (`/data/<name>`), or `?graph=IRI` or `?default`, exactly
    one of them; None for the Graph Store itself (`/data` naming no graph)."""
    graphs = request.args.getlist("graph")
    default = "default" in request.args
    if name is not None:
        if request.query_string:
            raise SparqlError(400, f"{graph_url(name)} names the graph of that IRI itself, and takes no query "
                                   "(?graph, ?default or another): the IRI of a graph named by its URL is that URL "
                                   "up to its path. Name a graph whose IRI has a query with /data?graph=<IRI>.")
        return ox.NamedNode(graph_url(name))
    if default and graphs or len(graphs) > 1:
        raise SparqlError(400, NAME_ONE_GRAPH)
    if not graphs:
        return ox.DefaultGraph() if default else None
    return ox.NamedNode(checked_iris(graphs, "graph")[0])


def graph_url(name: str) -> str:
    """The URL of `/data/<name>`, the IRI of the graph it names (direct identification): this server as the request
    names it (scheme, host, port), the path percent-encoded as Werkzeug writes URLs."""
    if not request.host:  # Werkzeug drops a Host header that is not a host name
        raise SparqlError(400, "the request names no valid host (Host header), so /data/… names no graph.")
    return url_for("graph_store.graph_store", name=name, _external=True)


def graph_exists(graph: Graph) -> bool:
    return isinstance(graph, ox.DefaultGraph) or jaikg().store.contains_named_graph(graph)


def named_graphs_hold_triples() -> bool:
    """Whether the union of all graphs (`?default`) holds more than the stored default graph."""
    return bool(jaikg().store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))


def sparql_graph(graph: Graph) -> str:
    return "DEFAULT" if isinstance(graph, ox.DefaultGraph) else f"GRAPH {graph}"


def described(graph: Graph) -> str:
    return "the default graph (the union of all graphs)" if isinstance(graph, ox.DefaultGraph) else f"the graph {graph}"


METHODS = ["GET", "PUT", "POST", "DELETE"]
"""Routed methods (HEAD and OPTIONS come with GET); which of them a URL takes: `graph_store_methods`."""


@bp.route("/data", methods=METHODS)
@bp.route("/data/<path:name>", methods=METHODS)
def graph_store(name: str | None = None) -> Response:
    graph = target(name)
    if graph is None:
        return graph_store_itself()
    if request.method in ("GET", "HEAD"):  # Flask answers HEAD with this view: a read, whose body it drops
        return read(graph)
    authorize_write()
    with serialized_write():
        if isinstance(graph, ox.DefaultGraph) and request.method in ("PUT", "DELETE"):
            refuse_replacing_the_union()
        version = jaikg().executor.last_modified
        existed = graph_exists(graph)
        if request.method == "DELETE" and not existed:
            raise SparqlError(404, f"there is no graph {graph}.")
        check_preconditions(graph, existed, graph_etags(graph, version, TRIPLE_TYPES), version)
        if request.method == "DELETE":
            write(f"DROP {sparql_graph(graph)}")
            return write_done()
        triples = parse_body(base_iri=graph.value if name is not None else None)
        write(insertion(graph, triples, replace=request.method == "PUT"))
    return write_done(204 if existed else 201)


def graph_store_itself() -> Response:
    """`/data` naming no graph: a POST creates one (section 5.5); a read names none (400); PUT and DELETE are not
    defined on the Graph Store (405)."""
    if request.method == "POST":
        return create_graph()
    if request.method in ("GET", "HEAD"):
        raise SparqlError(400, NAME_ONE_GRAPH)
    mark_write()
    raise SparqlError(405, f"{request.method} /data is not allowed: /data names no graph. {NAME_ONE_GRAPH}",
                      details={"Allow": graph_store_methods()})


def refuse_replacing_the_union() -> None:
    """405 for a PUT or DELETE of `?default` while named graphs hold triples: the union would not be what was put."""
    if named_graphs_hold_triples():
        raise SparqlError(405, f"{request.method} /data?default is not allowed while named graphs hold triples: the "
                               "default graph is the union of all graphs, so replacing or deleting it would replace "
                               "or drop every named graph. PUT or DELETE /data?graph=<IRI> for one graph; POST "
                               "/data?default adds to the default graph; SPARQL Update at /sparql changes the stored "
                               "default graph alone (DROP DEFAULT, INSERT DATA).",
                          details={"Allow": graph_store_methods()})


def create_graph() -> Response:
    """POST /data: a new graph of the body's triples, named by a URL of its own (`/data/<UUID>`): 201 with that
    IRI as Location. The body's relative IRIs resolve against it (`<>` is the new graph, as a POST that creates a
    resource has it in Linked Data Platform containers). An empty body creates nothing: 204 (section 5.5)."""
    authorize_write()
    if not request.get_data():
        return write_done()
    graph = ox.NamedNode(graph_url(str(uuid.uuid4())))
    triples = parse_body(base_iri=graph.value)
    with serialized_write():
        if graph_exists(graph):  # 122 random bits: not seen; a POST never merges into a graph it did not name
            raise SparqlError(409, f"the IRI drawn for the new graph, {graph.value}, is taken; send the POST again.")
        write(insertion(graph, triples, replace=False))
    response = write_done(201)
    response.headers["Location"] = graph.value
    return response


def insertion(graph: Graph, triples: list[ox.Triple], *, replace: bool) -> str:
    """The update that puts `triples` into `graph` (a named graph is created even with no triples), replacing what
    it held with `replace`."""
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    statements = [f"DROP SILENT {sparql_graph(graph)}"] if replace else []
    if isinstance(graph, ox.NamedNode):
        statements.append(f"CREATE SILENT {sparql_graph(graph)}")
    if data.strip():
        quads = data if isinstance(graph, ox.DefaultGraph) else f"{sparql_graph(graph)} {{ {data} }}"
        statements.append(f"INSERT DATA {{ {quads} }}")
    return " ; ".join(statements)


def graph_store_methods() -> str:
    """`Allow` for `/data` (`server.errors`): reads, and with `--update` the writes of what the URL names: a graph
    (`?graph=IRI`, `/data/<name>`) PUT, POST and DELETE; `?default` POST, and PUT and DELETE while no named graph
    holds a triple; the Graph Store itself (`/data` alone) POST."""
    writes: tuple[str, ...] = ()
    if jaikg().settings.update:
        direct = request.path.startswith("/data/")
        if direct or request.args.getlist("graph"):
            writes = ("PUT", "POST", "DELETE")
        elif "default" in request.args:
            writes = ("POST",) if named_graphs_hold_triples() else ("PUT", "POST", "DELETE")
        else:
            writes = ("POST",)
    return ", ".join(("GET", "HEAD", *writes, "OPTIONS"))


def read(graph: Graph) -> Response:
    """The graph in the negotiated triple syntax, with its validators; 304 or 412 as its preconditions say. The
    version is read before the graph: a tag may then name content newer than its version (its next check fails),
    never older. The body is written as it is sent (`server.streaming`): a graph of millions of triples is not
    held in memory."""
    version = jaikg().executor.last_modified
    if not graph_exists(graph):
        raise SparqlError(404, f"there is no graph {graph}.")
    media_type = acceptable(list(TRIPLE_TYPES), described(graph))
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


def graph_triples(store: GraphStore, graph: Graph) -> Iterable[ox.Triple]:
    """The triples of a named graph, or of the union of all graphs (each once: a fact two evidence graphs state
    is one triple of the union), as they are read. The union of an embedded store comes subject by subject; a
    remote store's is gathered first."""
    if isinstance(graph, ox.NamedNode):
        return (quad.triple for quad in store.quads_for_pattern(None, None, None, graph))
    if isinstance(store, ox.Store):
        return subject_statements(store, "all", provenance=True, triples=True)  # type: ignore[return-value]
    return dict.fromkeys(quad.triple for quad in store.quads_for_pattern(None, None, None, None))


def graph_etags(graph: Graph, version: float, media_types: Iterable[str]) -> list[str]:
    """The strong entity tag of the graph in each media type at this version of the store."""
    return [etag_of(repr((str(graph), version)).encode(), media_type) for media_type in media_types]


def validated(response: Response, etag: str, version: float) -> Response:
    response.set_etag(etag)
    set_last_modified(response, last_modified_second(version))
    response.headers["Cache-Control"] = cache_control(jaikg().settings.max_age)
    response.vary.add("Accept")
    return response


def check_preconditions(graph: Graph, exists: bool, etags: Collection[str],
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


def parse_body(base_iri: str | None = None) -> list[ox.Triple]:
    """The triples of the request's body: one document in a triple syntax, or for a POST `multipart/form-data`
    whose parts are such documents (their triples merged); relative IRIs resolved against `base_iri` (default: the
    request's URL, `/data`; a graph named by its URL passes its IRI, which Werkzeug's `base_url` leaves unquoted:
    `/data/%25` would be `/data/%`). 415 for another type, 400 for a document that does not parse."""
    base_iri = base_iri or request.base_url
    if request.mimetype == "multipart/form-data" and request.method == "POST":
        return [triple for what, fmt, document in form_parts()
                for triple in parse_document(document, fmt, what, base_iri, rename_blank_nodes=True)]
    fmt = TRIPLE_TYPES.get(request.mimetype)
    if fmt is None:
        multipart = ", or for a POST multipart/form-data of those," if request.method == "POST" else ""
        raise SparqlError(415, f"send the graph as one of {', '.join(TRIPLE_TYPES)}{multipart} not "
                               f"{request.mimetype!r}.")
    return parse_document(request.get_data(), fmt, "the graph", base_iri)


def parse_document(body: bytes, fmt: ox.RdfFormat, what: str, base_iri: str, *,
                   rename_blank_nodes: bool = False) -> list[ox.Triple]:
    """The triples of one document; one nested deeper than the parser can take is refused before it is parsed
    (`server.limits.refuse_deep_nesting`: a 400). Documents merged into one graph get blank nodes of their own
    (`rename_blank_nodes`): `_:b` in two of them is two nodes."""
    syntax = {ox.RdfFormat.JSON_LD: "json", ox.RdfFormat.TURTLE: "turtle", ox.RdfFormat.N_TRIPLES: "turtle"}.get(fmt)
    if syntax is not None:  # RDF/XML: its parser has no recursion
        refuse_deep_nesting(body.decode("utf-8", errors="replace"), syntax, what)
    try:
        return [quad.triple for quad in ox.parse(body, format=fmt, base_iri=base_iri,
                                                 rename_blank_nodes=rename_blank_nodes)]
    except SyntaxError as error:
        raise SparqlError(400, f"{what} could not be parsed: {error}") from None


def form_parts() -> list[tuple[str, ox.RdfFormat, bytes]]:
    """The documents of a `multipart/form-data` body (RFC 7578), each with its name for messages and its syntax:
    its part's Content-Type, or, for a file sent without one or as `application/octet-stream`, its file name's
    extension (section 5.5 allows it). 415 for a part in no triple syntax, 413 past MAX_FORM_PARTS parts, 400 for a
    body that is not multipart."""
    boundary = request.mimetype_params.get("boundary")
    if not boundary:
        raise SparqlError(400, "a multipart/form-data body needs the boundary parameter of its Content-Type.")
    decoder = MultipartDecoder(boundary.encode("latin-1", errors="replace"), max_parts=request.max_form_parts)
    decoder.receive_data(request.get_data())
    decoder.receive_data(None)
    parts: list[tuple[Field | File, bytearray]] = []
    try:
        while not isinstance(event := decoder.next_event(), Epilogue):
            if isinstance(event, (Field, File)):
                parts.append((event, bytearray()))
            elif isinstance(event, Data):
                parts[-1][1].extend(event.data)
    except RequestEntityTooLarge:
        raise TooLarge(413, f"the form has more than {request.max_form_parts} parts.") from None
    except ValueError as error:
        raise SparqlError(400, f"the multipart/form-data body could not be read: {error}") from None
    return [(described_part(part), part_syntax(part), bytes(document)) for part, document in parts]


def described_part(part: Field | File) -> str:
    return f"the part {part.name!r}" + (f" (file {part.filename!r})" if isinstance(part, File) else "")


def part_syntax(part: Field | File) -> ox.RdfFormat:
    media_type = parse_options_header(part.headers.get("Content-Type", ""))[0].lower()
    fmt = TRIPLE_TYPES.get(media_type)
    if fmt is None and isinstance(part, File) and media_type in ("", "application/octet-stream"):
        extension = part.filename.rpartition(".")[2] if "." in part.filename else ""
        fmt = ox.RdfFormat.from_extension(extension) if extension else None
        fmt = fmt if fmt in TRIPLE_TYPES.values() else None
    if fmt is None:
        sent = f"as {media_type!r}" if media_type else "without a Content-Type"
        raise SparqlError(415, f"{described_part(part)} is sent {sent}; send each part as one of "
                               f"{', '.join(TRIPLE_TYPES)} (or a file named .ttl, .nt, .rdf, .jsonld).")
    return fmt


def write(update: str) -> None:
    """One SPARQL Update through the executor (a POST of no triples to the default graph is a no-op)."""
    if update:
        jaikg().executor.update(UpdateRequest(update=update))  # every IRI absolute: N-Triples and <IRI>s


def graph_store_description(service: ox.NamedNode, data_url: str) -> list[ox.Triple]:
    """What the service description of /sparql says of /data: where it is, how it names graphs, and what its
    `?default` is."""
    store = ox.NamedNode(data_url)
    return [
        ox.Triple(service, ox.NamedNode(PREFIXES["rdfs"] + "seeAlso"), store),
        ox.Triple(store, ox.NamedNode(PREFIXES["dcterms"] + "conformsTo"), ox.NamedNode(PROTOCOL)),
        ox.Triple(store, ox.NamedNode(PREFIXES["rdfs"] + "comment"), ox.Literal(
            "The SPARQL 1.1 Graph Store HTTP Protocol: ?graph=IRI names a named graph, and a graph whose IRI is a "
            "URL of this server under /data/ is read and written at that URL too; a POST to /data itself creates a "
            "graph (201, its IRI in Location). ?default names the default graph of queries, the union of all "
            "graphs: GET and HEAD read it, POST adds to it (to the stored default graph); PUT and DELETE replace "
            "and drop it while no named graph holds a triple, and are refused (405) once one does, since they would "
            "replace or drop every graph.",
            language="en")),
    ]
