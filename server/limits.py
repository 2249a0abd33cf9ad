"""Limits that keep one client from taking the server: request size, query length, nesting depth, concurrent
requests per client, and the signal that an answer was cut at `--max-rows`.

| limit | default | config key | answer |
|---|---|---|---|
| request body | 1 MiB | `MAX_CONTENT_LENGTH` | 413 |
| query or update text | 100,000 characters | `MAX_QUERY_LENGTH` | 413 |
| nesting: brackets `{ ( [ <<` (and SPARQL's `!`) inside each other, in a query, an update or an RDF body | 64 levels | `MAX_NESTING` | 400, naming the depth, the limit, and the line and column of the bracket past it |
| requests in progress per client address | 4 | `CLIENT_CONCURRENCY` | 429 with `Retry-After: 1` |

Static files and `/healthz` are not counted. A client is its IP address as the socket shows it: behind a reverse
proxy every client is the proxy, so let the proxy limit per client and raise `CLIENT_CONCURRENCY`.

Nesting. Oxigraph's parsers descend one level of recursion per bracket: its SPARQL parser for `{ ( [ <<` and `!`,
its JSON-LD parser for objects, its Turtle, TriG, N-Triples and N-Quads parsers for triple terms `<<( … )>>` (nested
blank nodes and collections they read without recursion, and RDF/XML's parser has no recursion either). A text
nested a few hundred levels deep overflows the stack of the thread that parses it, and the whole process dies:
the server itself when it parses (an update, a Graph Store body, any query with `--backend`), a query worker
otherwise. Measured with pyoxigraph 0.5.13, the depths that overflow a granian request thread (2 MiB of stack, the
smallest these parsers run on here) start at 208 (`FILTER EXISTS {` nested; `STR(` 240, `{` 544, `(` 1,168, JSON-LD
objects 816, Turtle triple terms 4,544); a worker's main thread (8 MiB) takes four times as many. Real queries nest
a few levels, generated ones a few dozen, so 64 is far from both. The check runs before any text reaches a parser
(`check_sizes`, the fast lane's `_plain_query`, the Graph Store's `parse_body`), and costs a `str.count` per bracket
kind unless a text holds more opening brackets than the limit (`jaikg.sparql_lexer.nesting_past`). It is a 400, not
a 413: the text is small, its shape is refused, and like a syntax error it names where.

A truncated answer (more rows or triples than `--max-rows`) carries `X-JAIKG-Truncated: true` and the endpoint's
`X-SPARQL-MaxRows: N` (no `Warning` header: RFC 9111, section 5.5, made it obsolete); SPARQL JSON results also get
a top-level `"truncated": true` (an extra member that JSON clients ignore). CSV, TSV, XML and RDF bodies stay as
their formats define them: there the headers are the signal.
"""

from __future__ import annotations

import io
import threading
from collections import Counter
from typing import Any

from flask import Flask, Response, current_app, g, request

from jaikg.sparql import SparqlError, line_and_column
from jaikg.sparql_lexer import nesting_past

DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024
DEFAULT_MAX_QUERY_LENGTH = 100_000
DEFAULT_CLIENT_CONCURRENCY = 4
DEFAULT_MAX_NESTING = 64
UNCOUNTED_ENDPOINTS = {"void.healthz"}
QUERY_PARAMETERS = ("query", "update")
DIRECT_TYPES = ("application/sparql-query", "application/sparql-update")


class TooLarge(SparqlError):
    """A request or a query over the size limits: 413."""


class NestingTooDeep(SparqlError):
    """A query, update or RDF body nested deeper than MAX_NESTING: 400, with the line and column where."""


class TooManyRequests(SparqlError):
    """More requests in progress from one client than allowed: 429."""


class ClientSlots:
    """Counts the requests in progress per client address, refusing one past the limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._in_progress: Counter[str] = Counter()
        self._lock = threading.Lock()

    def acquire(self, client: str) -> bool:
        with self._lock:
            if self._in_progress[client] >= self.limit:
                return False
            self._in_progress[client] += 1
            return True

    def release(self, client: str) -> None:
        with self._lock:
            self._in_progress[client] -= 1
            if self._in_progress[client] <= 0:
                del self._in_progress[client]


def counted() -> bool:
    endpoint = request.endpoint or ""
    return endpoint not in UNCOUNTED_ENDPOINTS and endpoint.rpartition(".")[2] != "static"


def take_client_slot() -> None:
    if not counted():
        return
    slots: ClientSlots = current_app.extensions["jaikg_limits"]
    g.jaikg_slots = slots
    client = request.remote_addr or "unknown"
    if not slots.acquire(client):
        raise TooManyRequests(429, f"too many requests in progress from {client} (at most {slots.limit} at a "
                                   "time); retry when one has finished.", details={"Retry-After": "1"})
    g.jaikg_client = client


def free_client_slot(_error: BaseException | None = None) -> None:
    client = g.pop("jaikg_client", None)
    if client is not None:
        g.jaikg_slots.release(client)


def check_sizes() -> None:
    """413 for a body over MAX_CONTENT_LENGTH (before reading it) or a query or update over MAX_QUERY_LENGTH; 400
    for one nested deeper than MAX_NESTING (`refuse_deep_nesting`)."""
    body_limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and body_limit is not None and request.content_length > body_limit:
        raise TooLarge(413, f"the request body is {request.content_length} bytes; the limit is {body_limit}.")
    if body_limit is not None and "chunked" in request.environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        _hold_chunked_body(body_limit)
    text_limit = current_app.config["MAX_QUERY_LENGTH"]
    texts = _operation_texts()
    length = max((len(text) for _, text in texts), default=0)
    if text_limit is not None and length > text_limit:
        raise TooLarge(413, f"the query is {length} characters long; the limit is {text_limit}.")
    for name, text in texts:
        refuse_deep_nesting(text, "sparql", f"the {name}")


def refuse_deep_nesting(text: str, syntax: str, what: str) -> None:
    """`NestingTooDeep` (400) when `text`, in `syntax` (`jaikg.sparql_lexer.NESTING_SYNTAXES`), nests deeper than
    MAX_NESTING; `what` names it in the message ("the query", "the graph")."""
    limit = current_app.config["MAX_NESTING"]
    nesting = nesting_past(text, limit, syntax)
    if nesting is None:
        return
    line, column = line_and_column(text, nesting.start)
    nested = "brackets and ! inside each other" if syntax == "sparql" else "brackets inside each other"
    raise NestingTooDeep(400, f"{what} nests {nesting.depth} levels deep ({nested}); the limit is {limit}: the "
                              f"{nesting.opened_by} at the line and column given opens level {limit + 1}.",
                         line, column)


def _hold_chunked_body(limit: int) -> None:
    """Read a body sent in chunks (no Content-Length) up to one byte past `limit`: 413 when it is longer, else the
    body is kept for the view. Werkzeug, reading such a body, stops at MAX_CONTENT_LENGTH without an error, so a
    graph uploaded this way was cut at 1 MiB and the cut graph stored."""
    body = request.environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        raise TooLarge(413, f"the request body is over the limit of {limit} bytes.")
    request.environ["wsgi.input"] = io.BytesIO(body)


def _operation_texts() -> list[tuple[str, str]]:
    """The queries and updates of the request, each with its name ("query" or "update")."""
    texts = [(name, text) for name in QUERY_PARAMETERS for text in request.args.getlist(name)]
    if request.method == "POST":
        if request.mimetype == "application/x-www-form-urlencoded":
            request.get_data(cache=True)  # kept, and the form parsed from it: protocol checks its encoding
            texts += [(name, text) for name in QUERY_PARAMETERS for text in request.form.getlist(name)]
        elif request.mimetype in DIRECT_TYPES:
            name = QUERY_PARAMETERS[DIRECT_TYPES.index(request.mimetype)]
            texts.append((name, request.get_data(cache=True).decode("utf-8", errors="replace")))
    return texts


TRUNCATION_HEADER = "X-SPARQL-MaxRows"
"""What the endpoint sets on an answer cut at --max-rows (server/blueprints/sparql.py)."""


def truncation_headers(max_rows: int | str) -> dict[str, str]:
    """The headers of an answer cut at `max_rows`."""
    return {TRUNCATION_HEADER: str(max_rows), "X-JAIKG-Truncated": "true"}


def truncated_json(body: bytes, media_type: str) -> bytes:
    """A SPARQL JSON body with `"truncated": true` as its first member; other bodies as they are."""
    if media_type == "application/sparql-results+json" and body.startswith(b"{"):
        return b'{"truncated":true,' + body[1:]
    return body


def mark_truncation(response: Response) -> Response:
    if TRUNCATION_HEADER not in response.headers:
        return response
    response.headers.update(truncation_headers(response.headers[TRUNCATION_HEADER]))
    if not response.is_streamed:
        response.set_data(truncated_json(response.get_data(), response.mimetype))
    return response


def init_limits(app: Flask) -> None:
    config: dict[str, Any] = app.config
    config.setdefault("MAX_CONTENT_LENGTH", DEFAULT_MAX_CONTENT_LENGTH)
    if config["MAX_CONTENT_LENGTH"] is None:
        config["MAX_CONTENT_LENGTH"] = DEFAULT_MAX_CONTENT_LENGTH
    config["MAX_QUERY_LENGTH"] = config.get("MAX_QUERY_LENGTH") or DEFAULT_MAX_QUERY_LENGTH
    config["MAX_NESTING"] = config.get("MAX_NESTING") or DEFAULT_MAX_NESTING
    app.extensions["jaikg_limits"] = ClientSlots(config.get("CLIENT_CONCURRENCY") or DEFAULT_CLIENT_CONCURRENCY)
    app.before_request(take_client_slot)
    app.before_request(check_sizes)
    app.teardown_request(free_client_slot)
    app.after_request(mark_truncation)
