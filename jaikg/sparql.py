"""Answering one SPARQL request: the pure functions every executor runs (in-process or in a worker process).

`answer_query(store, request)` takes the query string, the dataset parameters and the chosen media type, evaluates
the query natively in Oxigraph (the query string, never a pre-parsed rdflib object), and returns the serialized
body. `answer_update(store, request)` runs a SPARQL Update in one Oxigraph transaction. Errors are `SparqlError`s
that carry the HTTP status the endpoint answers with.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import pyoxigraph as ox

from .namespaces import PREFIXES
from .result_rows import COUNTABLE, TSV, count_rows, most_rows, without_last_row
from .sparql_lexer import (Token, keyword_tokens, limit_solutions, query_form, service_targets, tokens,
                           undeclared_prefix, words_containing)
from .store import GraphStore

SOLUTION_TYPES: dict[str, ox.QueryResultsFormat] = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
"""Media types of SELECT and ASK answers, the default first."""

GRAPH_TYPES: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
"""Media types of CONSTRUCT and DESCRIBE answers (and of any RDF the server writes), the default first."""

FORMAT_NAMES: dict[str, str] = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "ttl": "text/turtle",
    "nt": "application/n-triples", "ntriples": "application/n-triples", "n-triples": "application/n-triples",
    "jsonld": "application/ld+json", "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml", "rdf": "application/rdf+xml", "owl": "application/rdf+xml",
    "trig": "application/trig", "nq": "application/n-quads", "nquads": "application/n-quads",
}
"""Short names for the `format` parameter (browsers cannot set Accept), besides full media types."""

GRAPH_EQUIVALENTS = {"application/sparql-results+json": "application/ld+json",
                     "application/sparql-results+xml": "application/rdf+xml"}
"""`format=json` or `xml` on a CONSTRUCT means the RDF flavour of JSON or XML."""


def media_types_for(form: str | None) -> list[str]:
    """The media types an answer to a query of this form can take, the default first. A text with no form (None)
    will not parse; any type may be asked of it, so that the client hears of its syntax error, not of a 406."""
    if form is None:
        return [*SOLUTION_TYPES, *GRAPH_TYPES]
    return list(GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else SOLUTION_TYPES)


def media_type_for_format(name: str, form: str | None) -> str | None:
    """The media type a `format` parameter names for a query of this form, or None when it names none of them."""
    media_type = FORMAT_NAMES.get(name.lower().strip(), name.lower().strip())
    if form in ("CONSTRUCT", "DESCRIBE"):
        media_type = GRAPH_EQUIVALENTS.get(media_type, media_type)
    return media_type if media_type in media_types_for(form) else None


@dataclass(frozen=True)
class QueryRequest:
    query: str
    media_type: str
    """The negotiated media type of the answer (a key of SOLUTION_TYPES or GRAPH_TYPES)."""
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    max_rows: int | None = None
    timeout: float | None = None
    """Enforced by the executor that runs the request, not by `answer_query`."""
    base_iri: str | None = None
    """Relative IRIs in the query resolve against it (the endpoint's URL)."""
    allowed_services: tuple[str, ...] = ()
    """Endpoints a `SERVICE` clause may name; every other `SERVICE` is refused."""


@dataclass(frozen=True)
class UpdateRequest:
    update: str
    using_graph_uris: tuple[str, ...] = ()
    using_named_graph_uris: tuple[str, ...] = ()
    base_iri: str | None = None
    allowed_services: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryAnswer:
    body: bytes
    media_type: str
    kind: str
    """"solutions", "boolean", "graph", or "stream" when the body comes in `chunks`."""
    truncated: bool = False
    chunks: Iterable[bytes] | None = None
    """A streamed answer's body, piece by piece as it is written (`body` is then empty); an iterable with a
    `close()` that frees whatever produces it (see `jaikg.workers`)."""


Spill = Callable[[bytes], None]
"""Where an answer too large to hold goes as it is written (a worker sends it on to the server)."""
STREAM_THRESHOLD = 1024 * 1024
"""An answer larger than this (bytes) is streamed when the executor can stream; smaller ones are whole, with an
ETag, and can be cached."""
CHUNK = 64 * 1024
"""Smallest piece a streamed answer is handed on in (pyoxigraph's writers write 8 kB at a time)."""


class BodyWriter:
    """The file-like object pyoxigraph's writers write an answer into: kept in memory, or once it passes
    `threshold` bytes, handed to `spill` in pieces of at least CHUNK bytes while the rest is still being written."""

    def __init__(self, spill: Spill, threshold: int = STREAM_THRESHOLD) -> None:
        self.spill = spill
        self.threshold = threshold
        self.spilled = False
        self._buffer = bytearray()

    def write(self, data: bytes) -> int:
        self._buffer += data
        if len(self._buffer) >= (CHUNK if self.spilled else self.threshold):
            self.spilled = True
            self.spill(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """pyoxigraph flushes when it is done; pieces are handed on in `write` and `finish`."""

    def finish(self) -> bytes:
        """The whole body when it stayed in memory; else the last piece is handed on and b"" returned."""
        if self.spilled:
            if self._buffer:
                self.spill(bytes(self._buffer))
            return b""
        return bytes(self._buffer)


@dataclass
class SparqlError(Exception):
    """A request the endpoint refuses or could not answer; `status` is the HTTP status to answer with."""

    status: int
    message: str
    line: int | None = None
    column: int | None = None
    details: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        where = f" (line {self.line}, column {self.column})" if self.line is not None else ""
        return f"{self.message}{where}"

    @property
    def error(self) -> str:
        """A short machine-readable name of the error, e.g. "query-syntax"."""
        return re.sub(r"(?<!^)(?=[A-Z])", "-", type(self).__name__).lower()


class QuerySyntaxError(SparqlError):
    """A malformed query: 400 with the parser's message, line and column."""


class QueryRefused(SparqlError):
    """A query the server will not run (SERVICE, LOAD, too long …)."""


class QueryTimeout(SparqlError):
    """The query ran past the time limit and was stopped."""


class NotAcceptable(SparqlError):
    """No media type the client accepts fits the answer: 406 with the supported types."""


class UpdateFailed(SparqlError):
    """An update that is well-formed but cannot be applied (e.g. CREATE of a graph that exists); nothing changed."""


class Executor(Protocol):
    """What the web app runs requests through: in-process (`InlineExecutor`) or in a pool of worker processes."""

    def run(self, request: QueryRequest) -> QueryAnswer: ...

    def update(self, request: UpdateRequest) -> None: ...


class InlineExecutor:
    """Runs each request in this process, on one store (no timeout: a pool of processes enforces that). On an
    embedded store, Oxigraph runs a long text on a thread with a stack sized for it (`jaikg.deep_stack`: a chain of
    operators without brackets overflows a request thread's stack from 10 KB); a remote store checks its texts
    itself (`jaikg.remote_store.RemoteStore.check_query`)."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store

    def run(self, request: QueryRequest) -> QueryAnswer:
        if not isinstance(self.store, ox.Store):
            return answer_query(self.store, request)
        from .deep_stack import on_deep_stack  # here: it imports this module

        return on_deep_stack(lambda: answer_query(self.store, request), len(request.query), "the query")

    def update(self, request: UpdateRequest) -> None:
        if not isinstance(self.store, ox.Store):
            answer_update(self.store, request)
            return
        from .deep_stack import on_deep_stack  # here: it imports this module

        on_deep_stack(lambda: answer_update(self.store, request), len(request.update), "the update")


@runtime_checkable
class ChecksUpdates(Protocol):
    """A store that parses an update without running it by a means of its own (`jaikg.remote_store.RemoteStore`:
    in worker processes, when `jaikg serve` gives it a checker), so that a client's text is not run in this
    process to find a syntax error in it (`_syntax_error_in`)."""

    def check_update(self, update: str, base_iri: str | None = None) -> None: ...


PARSER_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.DOTALL)


def syntax_error(error: SyntaxError, source: str = "") -> QuerySyntaxError:
    """Oxigraph's parser error ("error at 2:9: expected …") as a 400 with its line and column.

    A prefix used in `source` before any PREFIX declares it, at or before the place the parser stopped, is the
    cause, and is named instead: Oxigraph reports it as whatever it expected there ("expected OPTIONAL", or a list
    of character ranges), which does not say what is wrong."""
    text = error.msg if error.msg else str(error)
    match = PARSER_POSITION.match(text)
    undeclared = undeclared_prefix(source)
    if undeclared is not None:
        prefix, offset = undeclared
        line, column = line_and_column(source, offset)
        if match is None or (line, column) <= (int(match.group(1)), int(match.group(2))):
            return QuerySyntaxError(400, f"the prefix {prefix}: is not declared: declare it with PREFIX {prefix}: <…> "
                                         "before it is used", line, column)
    if match:
        return QuerySyntaxError(400, match.group(3), int(match.group(1)), int(match.group(2)))
    return QuerySyntaxError(400, text)


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column (in characters) of `offset` in `text`, as the parser counts them."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def refuse_outbound(text: str, allowed_services: Iterable[str]) -> None:
    """Refuse `SERVICE` (unless it names an allowed endpoint) and `LOAD`: Oxigraph would fetch the address."""
    allowed = set(allowed_services)
    for target in service_targets(text):
        if target is None or target not in allowed:
            named = f" <{target}>" if target else ""
            raise QueryRefused(400, f"SERVICE{named} is not allowed: this endpoint does not query other endpoints"
                               + (f" (allowed: {', '.join(sorted(allowed))})" if allowed else "") + ".")
    if words_containing(text, "LOAD"):
        raise QueryRefused(400, "LOAD is not allowed: this endpoint does not fetch documents from the web.")


IRI_REFERENCE = re.compile(r'^[^<>"{}|^`\\\x00-\x20]+$')


def checked_iris(iris: Iterable[str], parameter: str) -> list[str]:
    """The graph IRIs of a protocol parameter; an IRI that could not be written as `<iri>` is a 400."""
    found = list(iris)
    for iri in found:
        if not IRI_REFERENCE.match(iri) or ":" not in iri:
            raise QueryRefused(400, f"{parameter}: {iri!r} is not an absolute IRI.")
    return found


def _dataset_options(request: QueryRequest) -> dict[str, object]:
    """The protocol's dataset wins over the query's FROM clauses; without either the default graph is the union."""
    if request.default_graph_uris or request.named_graph_uris:
        return {"default_graph": [ox.NamedNode(iri) for iri in checked_iris(request.default_graph_uris,
                                                                             "default-graph-uri")],
                "named_graphs": [ox.NamedNode(iri) for iri in checked_iris(request.named_graph_uris,
                                                                            "named-graph-uri")]}
    has_from = any(token.depth == 0 for token in keyword_tokens(request.query, "FROM"))
    return {} if has_from else {"use_default_graph_as_union": True}


def answer_query(store: GraphStore, request: QueryRequest, spill: Spill | None = None,
                 stream_threshold: int = STREAM_THRESHOLD) -> QueryAnswer:
    """Evaluate `request` on `store` and serialize the result in `request.media_type`.

    With `spill`, an answer without a row limit that grows past `stream_threshold` bytes goes to `spill` piece by
    piece as pyoxigraph writes it, and the returned answer's body is empty (the caller streams what it got)."""
    refuse_outbound(request.query, request.allowed_services)
    form = query_form(request.query)
    if form is not None and request.media_type not in media_types_for(form):
        raise NotAcceptable(406, f"{request.media_type} is not a media type for {form} results; supported: "
                            + ", ".join(media_types_for(form)))
    options = _dataset_options(request)
    try:
        if form == "SELECT" and request.max_rows is not None:
            return _answer_limited_solutions(store, request, options)
        results = store.query(request.query, base_iri=request.base_iri, **options)
        if isinstance(results, ox.QueryBoolean):
            return QueryAnswer(_write_solutions(results, request.media_type), request.media_type, "boolean")
        writer = BodyWriter(spill, stream_threshold) if spill is not None and request.max_rows is None else None
        if isinstance(results, ox.QuerySolutions):
            body = _write_solutions(results, request.media_type, writer)
            return QueryAnswer(body, request.media_type, "stream" if writer and writer.spilled else "solutions")
        return _answer_graph(results, request, writer)
    except SyntaxError as error:
        raise syntax_error(error, request.query) from None
    except (OSError, RuntimeError, ValueError) as error:
        raise SparqlError(500, f"the query could not be evaluated: {error}") from None


def _write_solutions(results: ox.QuerySolutions | ox.QueryBoolean, media_type: str,
                     writer: BodyWriter | None = None) -> bytes:
    if media_type not in SOLUTION_TYPES:
        raise NotAcceptable(406, f"{media_type} is not a media type for SELECT or ASK results; supported: "
                            + ", ".join(SOLUTION_TYPES))
    if writer is None:
        return results.serialize(format=SOLUTION_TYPES[media_type])
    results.serialize(writer, format=SOLUTION_TYPES[media_type])
    return writer.finish()


def _answer_limited_solutions(store: GraphStore, request: QueryRequest, options: dict[str, object]) -> QueryAnswer:
    """A SELECT answer of at most `max_rows` rows, evaluated and written natively: the query runs with its
    outermost LIMIT set to max_rows + 1, and an extra row (`jaikg.result_rows`) means the answer was cut."""
    assert request.max_rows is not None
    media_type = request.media_type
    limited = limit_solutions(request.query, request.max_rows)
    try:
        results = store.query(limited or request.query, base_iri=request.base_iri, **options)
    except SyntaxError:
        if limited is not None:
            store.query(request.query, base_iri=request.base_iri, **options)  # the error where the user wrote it
        raise
    if limited is None:
        return QueryAnswer(_write_solutions(results, media_type), media_type, "solutions")
    asked = SOLUTION_TYPES[media_type]
    form = asked if asked in COUNTABLE else TSV
    body = results.serialize(format=form)
    truncated = most_rows(body, form) > request.max_rows and count_rows(body, form) > request.max_rows
    if truncated:
        body = without_last_row(body, form)
    if form != asked:
        body = _write_solutions(ox.parse_query_results(body, form), media_type)
    return QueryAnswer(body, media_type, "solutions", truncated=truncated)


def _answer_graph(triples: ox.QueryTriples, request: QueryRequest, writer: BodyWriter | None = None) -> QueryAnswer:
    if request.media_type not in GRAPH_TYPES:
        raise NotAcceptable(406, f"{request.media_type} is not a media type for CONSTRUCT or DESCRIBE results; "
                            "supported: " + ", ".join(GRAPH_TYPES))
    if request.max_rows is None:
        body = write_rdf(triples, request.media_type, output=writer)
        return QueryAnswer(body, request.media_type, "stream" if writer and writer.spilled else "graph")
    kept = list(itertools.islice(triples, request.max_rows + 1))
    truncated = len(kept) > request.max_rows
    kept = kept[:request.max_rows]
    return QueryAnswer(write_rdf(kept, request.media_type), request.media_type, "graph", truncated=truncated)


def write_rdf(statements: Iterable[ox.Triple] | Iterable[ox.Quad], media_type: str,
              prefixes: dict[str, str] | None = None, output: BodyWriter | None = None) -> bytes:
    """Triples or quads in the RDF syntax of `media_type` (a key of GRAPH_TYPES), with the project's prefixes.
    Triples written in a syntax with graphs (TriG, N-Quads, JSON-LD) go to the default graph; quads written in a
    triple syntax lose their graph.
    With `output`, written there (what remains in memory is returned)."""
    rdf_format = GRAPH_TYPES[media_type]
    fitted = _fit(statements, rdf_format.supports_datasets)
    chosen = PREFIXES if prefixes is None else prefixes
    if output is None:
        return ox.serialize(fitted, format=rdf_format, prefixes=chosen)
    ox.serialize(fitted, output, format=rdf_format, prefixes=chosen)
    return output.finish()


def _fit(statements: Iterable[ox.Triple] | Iterable[ox.Quad], quads: bool) -> Iterator[ox.Triple | ox.Quad]:
    for statement in statements:
        if quads and isinstance(statement, ox.Triple):
            yield ox.Quad(statement.subject, statement.predicate, statement.object, ox.DefaultGraph())
        elif not quads and isinstance(statement, ox.Quad):
            yield statement.triple
        else:
            yield statement


def answer_update(store: GraphStore, request: UpdateRequest) -> None:
    """Run a SPARQL Update in one transaction: when it fails, nothing has changed."""
    refuse_outbound(request.update, request.allowed_services)
    text = _with_using_clauses(request)
    try:
        store.update(text, base_iri=request.base_iri)
    except SyntaxError as error:
        raise syntax_error(_syntax_error_in(store, request, text) or error, request.update) from None
    except RuntimeError as error:
        raise UpdateFailed(400, f"the update could not be applied, nothing changed: {error}") from None
    except OSError as error:
        raise SparqlError(500, f"the update could not be applied, nothing changed: {error}") from None


def _syntax_error_in(store: GraphStore, request: UpdateRequest, ran: str) -> SyntaxError | None:
    """The parser's error on the update as the client wrote it, when the text that ran had clauses added
    (`_with_using_clauses`), whose line and column would not be the client's: the update is run again, as written,
    on an empty store (LOAD and SERVICE were refused before), or checked by `store` when it has a way of its own
    (`ChecksUpdates`). None when the text ran as written, or when the client's text parses (then the added clauses
    are at fault, and the error of the text that ran is reported)."""
    if ran == request.update:
        return None
    try:
        if isinstance(store, ChecksUpdates):
            store.check_update(request.update, request.base_iri)
        else:
            ox.Store().update(request.update, base_iri=request.base_iri)
    except SyntaxError as error:
        return error
    except (RuntimeError, OSError, ValueError):
        return None
    return None


def _with_using_clauses(request: UpdateRequest) -> str:
    """The protocol's `using-graph-uri` / `using-named-graph-uri` as `USING` clauses before every `WHERE` of a
    DELETE/INSERT operation. An update that has its own `USING` or `WITH` conflicts with them: 400.

    `DELETE WHERE { P }` cannot take USING clauses (the grammar has none there), but SPARQL 1.1 Update (section
    3.1.3.3) defines it as `DELETE { P } WHERE { P }`, and the protocol's parameters set the dataset of the WHERE of
    every DELETE/INSERT operation (SPARQL 1.1 Protocol, section 2.2.3): so it is written in that long form, with the
    clauses before its WHERE. As with USING, P is then matched in the dataset the parameters name, and what it
    matches is deleted from the graphs P names: the stored default graph for the triples outside a GRAPH block."""
    text = request.update
    if not (request.using_graph_uris or request.using_named_graph_uris):
        return text
    if keyword_tokens(text, "USING", "WITH"):
        raise QueryRefused(400, "using-graph-uri and using-named-graph-uri cannot be combined with an update "
                           "that has its own USING or WITH clause.")
    clauses = "".join(f"USING <{iri}> " for iri in checked_iris(request.using_graph_uris, "using-graph-uri"))
    clauses += "".join(f"USING NAMED <{iri}> "
                       for iri in checked_iris(request.using_named_graph_uris, "using-named-graph-uri"))
    all_tokens = tokens(text)
    pieces, last = [], 0
    for index, token in enumerate(all_tokens):
        if token.depth != 0 or not token.is_keyword("WHERE"):
            continue
        inserted = clauses
        if index > 0 and all_tokens[index - 1].is_keyword("DELETE"):
            pattern = _group_after(text, all_tokens, index)
            if pattern is None:  # not a `{ … }`: the parser will say what is wrong
                continue
            inserted = f"{pattern} {clauses}"
        pieces += [text[last:token.start], inserted]
        last = token.start
    return "".join(pieces) + text[last:]


def _group_after(text: str, all_tokens: tuple[Token, ...], index: int) -> str | None:
    """The text of the `{ … }` group that starts at the token after `all_tokens[index]`, braces included; None when
    no group starts there or it is not closed."""
    if index + 1 >= len(all_tokens) or all_tokens[index + 1].text != "{":
        return None
    opening = all_tokens[index + 1]
    closing = next((token for token in all_tokens[index + 2:] if token.text == "}" and token.depth == opening.depth),
                   None)
    return None if closing is None else text[opening.start:closing.start + 1]
