"""Error answers: JSON `{"error", "message", "line", "column"}` by default, plain text when the client prefers it.

And the `Allow` header (RFC 9110, 10.2.1): every 405 and every OPTIONS answer lists the methods the resource accepts
on this server (`allowed_methods`), from one place, whichever part of the app refused the method (the routing, a
view's own check). Flask derives it from the routes, which is right for the pages, not for the endpoint (routed for
more methods than it serves, so that those get its own message) nor for the graph store (whose methods depend on
the graph named and on `--update`)."""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from jaikg.sparql import SparqlError

from .blueprints.graph_store import graph_store_methods
from .negotiation import accepted, content_type
from .protocol import ALLOWED_METHODS

READS = ("GET", "HEAD")


def prefers_text() -> bool:
    best = accepted().best_match(["application/json", "text/plain", "text/html"])
    return request.headers.get("Accept") is not None and best in ("text/plain", "text/html")


def error_response(status: int, error: str, message: str, *, line: int | None = None,
                   column: int | None = None, headers: dict[str, str] | None = None) -> Response:
    if prefers_text():
        where = f" (line {line}, column {column})" if line is not None else ""
        body, media_type = f"{status} {error}: {message}{where}\n", "text/plain"
    else:
        fields = {"error": error, "message": message}
        if line is not None:
            fields.update(line=line, column=column)
        body, media_type = json.dumps(fields, ensure_ascii=False) + "\n", "application/json"
    response = Response(body, status=status, content_type=content_type(media_type))
    response.headers.update(headers or {})
    return response


def sparql_error(error: SparqlError) -> Response:
    return error_response(error.status, error.error, error.message, line=error.line, column=error.column,
                          headers=error.details)


def http_error(error: HTTPException) -> Response | HTTPException:
    """Flask's own 4xx/5xx (405 from routing, 413 …) in the same shape; HTML pages keep their own 404."""
    if error.code is None or error.code == 404:
        return error
    if error.code == 405:
        allow = allowed_methods() or error.get_response().headers.get("Allow", "")
        return error_response(405, "method-not-allowed", f"{request.method} is not allowed here: this resource "
                                                         f"accepts {allow}.", headers={"Allow": allow})
    return error_response(error.code, (error.name or "error").lower().replace(" ", "-"), error.description or "")


def allowed_methods() -> str | None:
    """The methods the requested resource accepts on this server, for `Allow`; None for one whose routes say it."""
    endpoint = _endpoint()
    if endpoint == "sparql.endpoint":
        return ALLOWED_METHODS
    if endpoint == "graph_store.graph_store":
        return graph_store_methods()
    return None


def _endpoint() -> str | None:
    """The view of the requested path, also when the routing refused the method (no endpoint is set then)."""
    if request.url_rule is not None:
        return request.endpoint
    try:
        endpoint, _ = current_app.create_url_adapter(request).match(method=READS[0])  # type: ignore[union-attr]
    except HTTPException:
        return None
    return endpoint


def allow_header(response: Response) -> Response:
    """`Allow` on every 405 and every OPTIONS answer of a resource whose routes do not say it; an OPTIONS answer
    without a body gets no Content-Type."""
    options = request.method == "OPTIONS" and 200 <= response.status_code < 300
    if response.status_code != 405 and not options:
        return response
    allow = allowed_methods()
    if allow is not None:
        response.headers["Allow"] = allow
    if options and not response.is_streamed and not response.get_data():
        del response.headers["Content-Type"]
    return response


def init_errors(app: Flask) -> None:
    app.register_error_handler(SparqlError, sparql_error)
    app.register_error_handler(HTTPException, http_error)
    app.after_request(allow_header)
