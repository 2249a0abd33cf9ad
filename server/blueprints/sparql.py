"""`/sparql`: the SPARQL 1.1 Protocol endpoint (query, update, service description)."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for

from jaikg.sparql import (GRAPH_TYPES, NotAcceptable, QueryRequest, UpdateRequest, media_type_for_format,
                          media_types_for, write_rdf)
from jaikg.sparql_lexer import query_form

from ..cache import not_modified, with_validators
from ..fast_path import FAILED
from ..negotiation import content_type, negotiate
from ..protocol import ALLOWED_METHODS, Operation, read_operation
from ..service_description import service_description
from ..state import jaikg
from ..writes import authorize_write, serialized_write, write_done
from .graph_store import graph_store_description
from .ui import ui_context

bp = Blueprint("sparql", __name__)

METHODS = ["GET", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]
"""Routed here so that a wrong method gets the endpoint's own 405 (with a JSON body), not Flask's HTML one; so
OPTIONS is answered here too, with the methods the endpoint serves."""


@bp.route("/sparql/", methods=METHODS, provide_automatic_options=False)
@bp.route("/sparql", methods=METHODS, provide_automatic_options=False)
def endpoint() -> Response:
    if request.method == "OPTIONS":
        return Response(status=204, headers={"Allow": ALLOWED_METHODS})
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
    chosen = media_type_for_format(format_name, form) if format_name else negotiate(offered)
    if chosen is None:
        asked = f"format={format_name}" if format_name else f"Accept: {request.headers.get('Accept')}"
        raise NotAcceptable(406, f"cannot answer {what} as {asked}; supported: {', '.join(offered)}.")
    return chosen


def run_query(operation: Operation) -> Response:
    failed = request.environ.get(FAILED)
    if failed is not None:
        raise failed
    state = jaikg()
    form = query_form(operation.text)
    media_type = choose_media_type(form, operation.format, f"a {form or 'SPARQL'} query")
    query = QueryRequest(
        query=operation.text, media_type=media_type, default_graph_uris=operation.graphs,
        named_graph_uris=operation.named_graphs, max_rows=state.settings.max_rows, timeout=state.settings.timeout,
        base_iri=request.base_url, allowed_services=state.settings.allowed_services)
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
    max_age = state.settings.max_age if cached.reusable else None
    return with_validators(response, cached.etag, state.executor.last_modified, max_age,
                           weak=cached.weak)


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
