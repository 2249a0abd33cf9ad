"""A WSGI app that answers every request with one fixed body, under `jaikg serve`'s HTTP server (granian): the
ceiling of the requests per second any Python-served answer can reach on this machine with the benchmark's
clients (a result-cache hit does at least this much work, plus the lookup).

Usage: python bench/fixed_answer.py PORT
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import Any

from jaikg.http_server import serve_wsgi

BODY = b'{"head":{"vars":["p","o"]},"results":{"bindings":[]}}\n'
HEADERS = [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(BODY)))]


def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    start_response("200 OK", HEADERS)
    return [BODY]


if __name__ == "__main__":
    serve_wsgi(app, "127.0.0.1", int(sys.argv[1]), threads=8)
