"""`jaikg query`: one SPARQL query on the embedded store, through the same `answer_query` as the endpoint, with the
answer as a readable table (rendered from the SPARQL JSON results) or in one of the endpoint's formats."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

from .namespaces import shorten
from .sparql import QueryRequest, answer_query
from .sparql_lexer import query_form
from .texttable import text_table

OUTPUT_FORMATS: dict[str, str | None] = {
    "table": None,
    "json": "application/sparql-results+json",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
}
"""`--format` → the media type asked of `answer_query`; `table` is SPARQL JSON rendered as text (Turtle for
CONSTRUCT and DESCRIBE, which have no rows)."""

GRAPH_FORMS = ("CONSTRUCT", "DESCRIBE")


QUERY_FILE_SUFFIXES = (".rq", ".sparql")
"""An argument ending so names a query file, never a query (no query ends in a file name)."""


class QueryFileError(ValueError):
    """The query argument names a file that cannot be read: the message says which and why."""


def read_query(query_or_file: str) -> str:
    """The query text: the contents of the file if the argument names one (UTF-8, a leading byte-order mark
    skipped), else the argument itself. `QueryFileError` for a folder, for a file that cannot be read, and for an
    argument that names a query file (`QUERY_FILE_SUFFIXES`) that does not exist; `UnicodeDecodeError` for a file
    that is not UTF-8."""
    path = Path(query_or_file)
    names_file = "\n" not in query_or_file and path.suffix.lower() in QUERY_FILE_SUFFIXES
    try:
        exists = path.exists()
    except (OSError, ValueError):  # a query too long for a file name, or holding a NUL character
        exists = False
    if exists and path.is_dir():
        raise QueryFileError(f"{query_or_file} is a folder, not a query file")
    if exists:
        try:
            return path.read_bytes().decode("utf-8-sig")
        except OSError as error:
            raise QueryFileError(f"could not read {query_or_file}: {error.strerror or error}") from None
    if names_file:
        raise QueryFileError(f"no such file: {query_or_file}")
    return query_or_file


def _cell(term: dict[str, str] | None) -> str:
    """A SPARQL JSON term as a person reads it: prefixed names for IRIs, literals with their language."""
    if term is None:
        return ""
    if term["type"] == "uri":
        return shorten(term["value"])
    if term["type"] == "bnode":
        return "_:" + term["value"]
    return term["value"] + (f"@{term['xml:lang']}" if "xml:lang" in term else "")


def results_table(body: bytes) -> str:
    """SPARQL JSON results (solutions or a boolean) as a text table."""
    results = json.loads(body)
    if "boolean" in results:
        return "true" if results["boolean"] else "false"
    variables = results["head"]["vars"]
    rows = [[_cell(binding.get(name)) for name in variables] for binding in results["results"]["bindings"]]
    count = f"{len(rows)} row" + ("" if len(rows) == 1 else "s")
    return "\n".join(text_table(variables, rows, width=60) + [count])


def run_query(store: ox.Store, query: str, output_format: str = "table") -> bytes:
    """The answer to `query` in `output_format` (a key of OUTPUT_FORMATS); raises the endpoint's `SparqlError`s."""
    graph_form = query_form(query) in GRAPH_FORMS
    media_type = OUTPUT_FORMATS[output_format]
    if output_format == "table":
        media_type = "text/turtle" if graph_form else "application/sparql-results+json"
    answer = answer_query(store, QueryRequest(query=query, media_type=media_type))
    if output_format == "table" and not graph_form:
        return (results_table(answer.body) + "\n").encode("utf-8")
    return answer.body
