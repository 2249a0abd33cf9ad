"""The rdflib-engine endpoint the benchmark compares against: a minimal Flask app (under waitress) answering
`GET /sparql?query=…` with `rdflib.Dataset.query` over the union of all graphs, as SPARQL JSON.

    python bench/rdflib_endpoint.py FILE.nq PORT

rdflib has no query timeout: the benchmark gives up on a query after its limit and restarts this server.
"""

from __future__ import annotations

import sys

import rdflib
from flask import Flask, Response, request
from waitress import serve


def create_app(path: str) -> Flask:
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(path, format="nquads")
    app = Flask(__name__)

    @app.get("/sparql")
    def sparql() -> Response:
        result = dataset.query(request.args["query"])
        return Response(result.serialize(format="json"), content_type="application/sparql-results+json")

    @app.get("/healthz")
    def healthz() -> str:
        return "ok"

    return app


if __name__ == "__main__":
    serve(create_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), threads=8, ident="rdflib-endpoint")
