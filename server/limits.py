"""Limits that keep one client from taking the server: request size, query length, concurrent requests per client,
and the signal that an answer was cut at `--max-rows`.

| limit | default | config key | answer |
|---|---|---|---|
| request body | 1 MiB | `MAX_CONTENT_LENGTH` | 413 |
| query or update text | 100,000 characters | `MAX_QUERY_LENGTH` | 413 |
| requests in progress per client address | 4 | `CLIENT_CONCURRENCY` | 429 with `Retry-After: 1` |

Static files and `/healthz` are not counted. A client is its IP address as the socket shows it: behind a reverse
proxy every client is the proxy, so let the proxy limit per client and raise `CLIENT_CONCURRENCY`.

A truncated answer (more rows or triples than `--max-rows`) carries `X-JAIKG-Truncated: true`, a `Warning`
header and the endpoint's `X-SPARQL-MaxRows: N`; SPARQL JSON results also get a top-level `"truncated": true`
(an extra member that JSON clients ignore). CSV, TSV, XML and RDF bodies stay as their formats define them: there
the headers are the signal.
"""

from __future__ import annotations

import io
import threading
from collections import Counter
from typing import Any

from flask import Flask, Response, current_app, g, request

from jaikg.sparql import SparqlError

DEFAULT_MAX_CONTENT_LENGTH = 1024 * 1024
DEFAULT_MAX_QUERY_LENGTH = 100_000
DEFAULT_CLIENT_CONCURRENCY = 4
UNCOUNTED_ENDPOINTS = {"void.healthz"}
QUERY_PARAMETERS = ("query", "update")
DIRECT_TYPES = ("application/sparql-query", "application/sparql-update")


class TooLarge(SparqlError):
    """A request or a query over the size limits: 413."""


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
    """413 for a body over MAX_CONTENT_LENGTH (before reading it) or a query or update over MAX_QUERY_LENGTH."""
    body_limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and body_limit is not None and request.content_length > body_limit:
        raise TooLarge(413, f"the request body is {request.content_length} bytes; the limit is {body_limit}.")
    if body_limit is not None and "chunked" in request.environ.get("HTTP_TRANSFER_ENCODING", "").lower():
        _hold_chunked_body(body_limit)
    text_limit = current_app.config["MAX_QUERY_LENGTH"]
    length = max((len(text) for text in _operation_texts()), default=0)
    if text_limit is not None and length > text_limit:
        raise TooLarge(413, f"the query is {length} characters long; the limit is {text_limit}.")


def _hold_chunked_body(limit: int) -> None:
    """Read a body sent in chunks (no Content-Length) up to one byte past `limit`: 413 when it is longer, else the
    body is kept for the view. Werkzeug, reading such a body, stops at MAX_CONTENT_LENGTH without an error, so a
    graph uploaded this way was cut at 1 MiB and the cut graph stored."""
    body = request.environ["wsgi.input"].read(limit + 1)
    if len(body) > limit:
        raise TooLarge(413, f"the request body is over the limit of {limit} bytes.")
    request.environ["wsgi.input"] = io.BytesIO(body)


def _operation_texts() -> list[str]:
    texts = [text for name in QUERY_PARAMETERS for text in request.args.getlist(name)]
    if request.method == "POST":
        if request.mimetype == "application/x-www-form-urlencoded":
            request.get_data(cache=True)  # kept, and the form parsed from it: protocol checks its encoding
            texts += [text for name in QUERY_PARAMETERS for text in request.form.getlist(name)]
        elif request.mimetype in DIRECT_TYPES:
            texts.append(request.get_data(cache=True).decode("utf-8", errors="replace"))
    return texts


TRUNCATION_HEADER = "X-SPARQL-MaxRows"
"""What the endpoint sets on an answer cut at --max-rows (server/blueprints/sparql.py)."""


def truncation_headers(max_rows: int | str) -> dict[str, str]:
    """The headers of an answer cut at `max_rows`."""
    return {TRUNCATION_HEADER: str(max_rows), "X-JAIKG-Truncated": "true",
            "Warning": f'199 jaikg "the answer was cut after {max_rows} rows (--max-rows)"'}


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
    app.extensions["jaikg_limits"] = ClientSlots(config.get("CLIENT_CONCURRENCY") or DEFAULT_CLIENT_CONCURRENCY)
    app.before_request(take_client_slot)
    app.before_request(check_sizes)
    app.teardown_request(free_client_slot)
    app.after_request(mark_truncation)
