"""`/sparql`: the SPARQL 1.1 Protocol endpoint (query, update, service description)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for

from jaikg.sparql import (GRAPH_TYPES, NotAcceptable, QueryRefused, QueryRequest, QuerySyntaxError, SparqlError,
                          UpdateRequest, media_type_for_format, media_types_for, write_rdf)
from jaikg.sparql_lexer import query_form

from ..cache import not_modified, with_validators
from ..fast_path import FAILED
from ..negotiation import acceptable, content_type, negotiate
from ..protocol import ALLOWED_METHODS, Operation, read_operation
from ..service_description import service_description
from ..state import jaikg
from ..writes import authorize_write, serialized_write, write_done
from .graph_store import graph_store_description
from .ui import ui_context

bp = Blueprint("sparql", __name__)

METHODS = ["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]
"""Routed here so that these wrong methods get the endpoint's own message ("PUT is not a SPARQL Protocol method");
so OPTIONS is answered here too. Every 405 and OPTIONS answer lists the methods the endpoint accepts,
`ALLOWED_METHODS` (`server.errors.allowed_methods`), not these."""


@bp.route("/sparql/", methods=METHODS, provide_automatic_options=False)
@bp.route("/sparql", methods=METHODS, provide_automatic_options=False)
def endpoint() -> Response:
    if request.method == "OPTIONS":
        response = Response(status=204, headers={"Allow": ALLOWED_METHODS})
        del response.headers["Content-Type"]  # no body, so no type (Flask's default would say text/html)
        return response
    operation = read_operation()
    if operation.kind == "update":
        return run_update(operation)
    if operation.kind == "query":
        return run_query(operation)
    return describe_service(operation)


def choose_media_type(form: str | None, format_name: str | None, what: str) -> str:
    """The media type of the answer to a query of this form: the `format` parameter if given, else the Accept
    header; 406 lists the types there are."""
    offered = media_types_for(form)
    if not format_name:
        return acceptable(offered, what)
    chosen = media_type_for_format(format_name, form)
    if chosen is None:
        raise NotAcceptable(406, f"cannot answer {what} as format={format_name}; supported: {', '.join(offered)}.")
    return chosen


def run_query(operation: Operation) -> Response:
    failed = request.environ.get(FAILED)
    if failed is not None:
        raise failed
    state = jaikg()
    form = query_form(operation.text)
    try:
        media_type = choose_media_type(form, operation.format, f"a {form or 'SPARQL'} query")
    except NotAcceptable as refusal:
        raise query_error(operation, form) or refusal from None
    query = QueryRequest(
        query=operation.text, media_type=media_type, default_graph_uris=operation.graphs,
        named_graph_uris=operation.named_graphs, max_rows=state.settings.max_rows, timeout=state.settings.timeout,
        base_iri=request.base_url, allowed_services=state.settings.allowed_services)
    if state.executor.max_reuse is None:  # streamed answers have a weak tag only where the server dates the graph
        unchanged = not_modified(query, state.executor.last_modified, state.settings.max_age)
        if unchanged is not None:
            return unchanged
    cached = state.executor.answer(query)
    answer = cached.answer
    body = answer.chunks if answer.chunks is not None else answer.body
    response = Response(body, content_type=content_type(answer.media_type))
    response.implicit_sequence_conversion = False  # a streamed body is sent as it comes, never gathered first
    response.vary.add("Accept")
    if answer.truncated:
        response.headers["X-SPARQL-MaxRows"] = str(state.settings.max_rows)
    age = cached.age()
    if age is not None:
        response.headers["Age"] = str(age)
    max_age = state.settings.max_age if cached.reusable else None
    return with_validators(response, cached.etag, cached.last_modified, max_age, weak=cached.weak,
                           current=state.executor.last_modified)


def query_error(operation: Operation, form: str | None) -> SparqlError | None:
    """The error of a query no media type the client accepts fits, when it has one of its own: a syntax error (or
    a refusal) is what the client must hear of first, whatever its Accept header. Oxigraph parses a query only on
    the way to evaluating it (an ASK, an ORDER BY or an aggregate is evaluated before `Store.query` returns), so the
    check is the query itself, run like any other (a worker, its time and memory limits) in the form's first media
    type, cut at one row and kept out of the result cache; None when it runs (the 406 stands) or fails otherwise."""
    state = jaikg()
    try:
        state.executor.inner.run(QueryRequest(
            query=operation.text, media_type=media_types_for(form)[0], default_graph_uris=operation.graphs,
            named_graph_uris=operation.named_graphs, max_rows=1, timeout=state.settings.timeout,
            base_iri=request.base_url, allowed_services=state.settings.allowed_services))
    except (QuerySyntaxError, QueryRefused) as error:
        return error
    except SparqlError:
        return None
    return None


def run_update(operation: Operation) -> Response:
    authorize_write()
    state = jaikg()
    with serialized_write():
        state.executor.update(UpdateRequest(
            update=operation.text, using_graph_uris=operation.graphs, using_named_graph_uris=operation.named_graphs,
            base_iri=request.base_url, allowed_services=state.settings.allowed_services))
    return write_done()


def describe_service(operation: Operation) -> Response:
    """The service description; a browser (which prefers HTML) gets the query UI instead."""
    if not operation.format and negotiate([*GRAPH_TYPES, "text/html"]) == "text/html":
        page = Response(render_template("ui.html", **ui_context()), content_type="text/html; charset=utf-8")
        page.vary.add("Accept")
        return page
    media_type = choose_media_type("DESCRIBE", operation.format, "the service description")
    endpoint_url = url_for("sparql.endpoint", _external=True)
    triples = service_description(endpoint_url, update=jaikg().settings.update,
                                  void_url=url_for("void.void", _external=True))
    triples += graph_store_description(ox.NamedNode(endpoint_url + "#service"),
                                       url_for("graph_store.graph_store", _external=True))
    response = Response(write_rdf(triples, media_type), content_type=content_type(media_type))
    response.vary.add("Accept")
    return response
