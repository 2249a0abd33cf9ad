"""Reading a SPARQL 1.1 Protocol request: which operation, its text, and its dataset parameters.

The rules (https://www.w3.org/TR/sparql11-protocol/): a query comes by GET (`?query=`), by POST
`application/x-www-form-urlencoded` (`query=` in the body) or by POST `application/sparql-query` (the query is the
body); an update only by POST, as `update=` in a form or as an `application/sparql-update` body. Exactly one
operation per request; a direct POST body is UTF-8. A POST carries its operation in its body: `query=` or
`update=` in its URL is a 400 (only the dataset parameters may be there), never run, merged or ignored.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from flask import request
from werkzeug.datastructures import MultiDict

from jaikg.sparql import SparqlError

FORM = "application/x-www-form-urlencoded"
DIRECT_QUERY = "application/sparql-query"
DIRECT_UPDATE = "application/sparql-update"
ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
"""The methods of the SPARQL Protocol endpoint."""
OPERATION_PARAMETERS = ("query", "update")
URL_PARAMETERS_OF_POST = ("default-graph-uri", "named-graph-uri", "using-graph-uri", "using-named-graph-uri")
"""The protocol parameters a POST may carry in its URL (SPARQL 1.1 Protocol, 2.1.3 and 2.2.2)."""


@dataclass(frozen=True)
class Operation:
    kind: str
    """"query", "update" or "none" (a GET without a query: the service description)."""
    text: str = ""
    graphs: tuple[str, ...] = ()
    """default-graph-uri, or using-graph-uri for an update."""
    named_graphs: tuple[str, ...] = ()
    """named-graph-uri, or using-named-graph-uri for an update."""
    format: str | None = None
    """The `format` parameter, for browsers that cannot set Accept."""


def read_operation() -> Operation:
    """The operation of the current request, or a `SparqlError` (400, 405, 415) saying what is wrong with it."""
    _check_percent_encoding(request.environ.get("QUERY_STRING", "").encode("latin-1"), "query string")
    if request.method in ("GET", "HEAD"):
        if "update" in request.args:
            raise SparqlError(405, "SPARQL Update needs POST (a form with update=, or an application/sparql-update "
                                   "body).", details={"Allow": ALLOWED_METHODS})
        return _from_parameters(request.args)
    if request.method != "POST":
        raise SparqlError(405, f"{request.method} is not a SPARQL Protocol method: use GET or POST.",
                          details={"Allow": ALLOWED_METHODS})
    _refuse_operation_in_url()
    media_type = request.mimetype
    if media_type == FORM:
        _check_utf8_charset()
        _check_percent_encoding(request.get_data(cache=True), "form")
        parameters = MultiDict(request.args)
        for key, values in request.form.lists():
            parameters.setlist(key, parameters.getlist(key) + values)
        operation = _from_parameters(parameters)
        if operation.kind == "none":
            raise SparqlError(400, "the form has neither a query= nor an update= field.")
        return operation
    if media_type in (DIRECT_QUERY, DIRECT_UPDATE):
        kind = "query" if media_type == DIRECT_QUERY else "update"
        return _operation(kind, _utf8_body(), request.args)
    raise SparqlError(415, f"unsupported request content type {media_type or '(none)'!r}: send {FORM}, "
                           f"{DIRECT_QUERY} or {DIRECT_UPDATE}.")


def _from_parameters(parameters: MultiDict) -> Operation:
    queries, updates = parameters.getlist("query"), parameters.getlist("update")
    if queries and updates:
        raise SparqlError(400, "a request carries either a query or an update, not both.")
    if not queries and not updates:
        return Operation("none", format=parameters.get("format"))
    kind, texts = ("query", queries) if queries else ("update", updates)
    if len(texts) > 1:
        raise SparqlError(400, f"a request carries one {kind}; this one has {len(texts)}.")
    return _operation(kind, texts[0], parameters)


def _operation(kind: str, text: str, parameters: MultiDict) -> Operation:
    if kind == "query":
        graphs, named = parameters.getlist("default-graph-uri"), parameters.getlist("named-graph-uri")
    else:
        graphs, named = parameters.getlist("using-graph-uri"), parameters.getlist("using-named-graph-uri")
    return Operation(kind, text, tuple(graphs), tuple(named), parameters.get("format"))


def _refuse_operation_in_url() -> None:
    """400 for a POST with `query=` or `update=` in its URL: the operation of a POST is its body (a form field, or
    the whole body), and one in the URL would otherwise run instead of it, beside it or not at all."""
    for name in OPERATION_PARAMETERS:
        if name in request.args:
            raise SparqlError(400, f"the URL of this POST carries {name}=: a POST carries its {name} in its body (a "
                                   f"form field {name}=, or an application/sparql-{name} body), and only "
                                   f"{', '.join(URL_PARAMETERS_OF_POST)} may be in its URL (SPARQL 1.1 Protocol, "
                                   "2.1 and 2.2).")


def _check_utf8_charset() -> None:
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise SparqlError(415, f"the request body must be UTF-8, not {charset}.")


def _check_percent_encoding(encoded: bytes, where: str) -> None:
    """400 when the bytes a query string or form encodes are not UTF-8. Werkzeug keeps such bytes as `%XX` text,
    so a query or an update would run on text the client did not send."""
    try:
        unquote_to_bytes(encoded.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as error:
        raise SparqlError(400, f"the {where} is not UTF-8 once percent-decoded (byte {error.start}: "
                               f"{error.reason}).") from None


def _utf8_body() -> str:
    _check_utf8_charset()
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError as error:
        raise SparqlError(400, f"the request body is not valid UTF-8: {error}") from None
