"""CORS for reading (queries, pages, dumps) from the allowed origins; never for writes.

A view that writes marks the request with `mark_write()`; its responses (errors included) get no CORS headers, so a
page on another origin cannot read the outcome of a write, and `refuse_cross_origin_write` refuses writes a browser
sends from another origin outright (a form POST needs no preflight).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from jaikg.sparql import SparqlError

from .state import jaikg

READ_METHODS = "GET, HEAD, POST, OPTIONS"
READ_HEADERS = "Accept, Content-Type"
EXPOSED_HEADERS = "Link, ETag, X-SPARQL-MaxRows, X-JAIKG-Truncated, Warning, Content-Disposition"
"""Response headers a page on another origin may read beyond the safelisted ones (Content-Type, Last-Modified …)."""


def mark_write() -> None:
    g.jaikg_write = True


def refuse_cross_origin_write() -> None:
    """403 for a write whose Origin header names another site than this server, or is `null` (a sandboxed frame, a
    `data:` or `file:` page: origins a browser hides, which are not this server's pages)."""
    origin = request.headers.get("Origin")
    if origin and (origin == "null" or _origin_of(origin) != _origin_of(request.host_url)):
        raise SparqlError(403, f"writes from another origin ({origin}) are not allowed.")


def _origin_of(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def add_cors_headers(response: Response) -> Response:
    if g.get("jaikg_write"):
        return response
    allowed = jaikg().settings.cors_origins
    origin = request.headers.get("Origin")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.vary.add("Origin")  # with or without the header, the answer depends on the Origin (Fetch, CORS)
        if not origin or origin not in allowed:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = READ_METHODS
        response.headers["Access-Control-Allow-Headers"] = READ_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def init_cors(app: Flask) -> None:
    app.after_request(add_cors_headers)
