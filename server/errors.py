"""Error answers: JSON `{"error", "message", "line", "column"}` by default, plain text when the client prefers it."""

from __future__ import annotations

import json

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException

from jaikg.sparql import SparqlError

from .negotiation import accepted, content_type


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
    response = error_response(error.code, (error.name or "error").lower().replace(" ", "-"),
                              error.description or "")
    if error.code == 405:
        response.headers["Allow"] = error.get_response().headers.get("Allow", "")
    return response


def init_errors(app: Flask) -> None:
    app.register_error_handler(SparqlError, sparql_error)
    app.register_error_handler(HTTPException, http_error)
