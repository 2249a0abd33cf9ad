"""The rows of a SELECT answer counted, and the last one dropped, in the bytes pyoxigraph wrote: how an answer is
cut at the row limit without turning its rows into Python objects or writing it twice.

The query runs with its LIMIT set to max_rows + 1 and the answer is written once, in the format asked for. When
`most_rows` (byte counts) shows it cannot hold more than max_rows rows, which is nearly always, that is the answer.
Otherwise `count_rows` counts exactly and, when there is the extra row, `without_last_row` removes it. In TSV a row
is a line (literals escape their line breaks); in XML a `<result>` element (text escapes "<"); JSON is counted by
pyoxigraph's parser and its last row found with the standard library's. CSV can be neither counted from its bytes
(quoted line breaks) nor read back (it is lossy), so a CSV answer is counted in TSV and converted.
"""

from __future__ import annotations

import json
import re

import pyoxigraph as ox

JSON, XML, TSV = ox.QueryResultsFormat.JSON, ox.QueryResultsFormat.XML, ox.QueryResultsFormat.TSV
COUNTABLE = (JSON, XML, TSV)
"""The formats these functions read."""

_JSON_AFTER_ROWS = re.compile(r"\s*\]\s*\}\s*\}\s*")
_JSON_DECODER = json.JSONDecoder()


def most_rows(body: bytes, form: ox.QueryResultsFormat) -> int:
    """An upper bound of the rows in `body`, from byte counts; exact for TSV and XML. In JSON each row is an
    object, beside the three around the rows and one per RDF term, which its "type" key counts (a string cannot
    hold that key: its quotes are escaped); braces inside strings only raise the bound."""
    if form == JSON:
        return body.count(b"{") - 3 - body.count(b'"type":"')
    if form == XML:
        return body.count(b"<result>")
    return body.count(b"\n") - 1


def count_rows(body: bytes, form: ox.QueryResultsFormat) -> int:
    if form == JSON:
        return sum(1 for _ in ox.parse_query_results(body, JSON))
    return most_rows(body, form)


def without_last_row(body: bytes, form: ox.QueryResultsFormat) -> bytes:
    """`body` (at least one row) without its last row, every other byte kept."""
    if form == TSV:
        return body[:body.rindex(b"\n", 0, len(body) - 1) + 1]
    if form == XML:
        start = body.rindex(b"<result>")
        return body[:start] + body[body.index(b"</result>", start) + len(b"</result>"):]
    text = body.decode()
    start, end = _last_json_row(text)
    before = text[:start].rstrip()
    if before.endswith(","):
        before = before[:-1]
    return (before + text[end:]).encode()


def _last_json_row(text: str) -> tuple[int, int]:
    """Where the last row object of a JSON answer starts and ends: the last "{" from which a JSON object decodes
    that only the closing of the bindings array and the two outer objects follow. A "{" inside a string never
    qualifies: what follows it there is not an object, or one that ends inside the string."""
    start = len(text)
    while True:
        start = text.rfind("{", 0, start)
        if start < 0:
            raise ValueError("no row in the JSON answer")
        try:
            _, end = _JSON_DECODER.raw_decode(text, start)
        except ValueError:
            continue
        if _JSON_AFTER_ROWS.fullmatch(text, end) and _before(text, start) in (",", "["):
            return start, end


def _before(text: str, position: int) -> str:
    """The last character before `position` that is not white space ("" at the start)."""
    position -= 1
    while position >= 0 and text[position].isspace():
        position -= 1
    return text[position] if position >= 0 else ""
