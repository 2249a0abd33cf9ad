"""`RemoteStore`: the store interface (`jaikg.store.GraphStore`) over the SPARQL 1.1 Protocol, so that any
server-grade store that speaks it (Oxigraph server, Apache Jena Fuseki, Virtuoso, GraphDB, Amazon Neptune, QLever)
can stand behind `jaikg serve --backend URL`.

`RemoteStore.query` answers with pyoxigraph's own result objects (`QuerySolutions`, `QueryBoolean`, or triples),
so `jaikg.sparql.answer_query` serializes them with the same writers as the embedded store's. The query is parsed
locally first, by Oxigraph's parser, so a malformed query gets exactly the embedded store's 400 (message, line,
column) without a round trip. Parsing it means running it on an empty store, which a client's text can make crash
or last (`jaikg.checks`): `jaikg serve` gives the store a `checker` that does it in worker processes under the
serving limits; without one (the CLI, `--workers 0`) it is done here, on a thread with a stack sized for the text
(`jaikg.deep_stack`).

The triples of a CONSTRUCT or DESCRIBE answer are parsed as they arrive (`RemoteTriples`), so one cut at
`--max-rows` triples reads from the backend only about what it keeps (the rest is never downloaded: its connection
is closed); a SELECT answer is limited by the backend (its outermost LIMIT, `jaikg.sparql_lexer.limit_solutions`)
and read whole. No body is read past `max_body` bytes (default `jaikg.http_client.MAX_BODY`, 1 GiB): a backend that
sends more gives a 502 naming that limit.

Timeouts: there is no worker process to kill here, the backend evaluates. Every request has a hard deadline
(`jaikg.http_client`): a backend that does not answer in time gives `BackendTimeout` (HTTP 504), and one that
cannot be reached, fails, or refuses a request for a reason of its own (401, 403, 404, 429 …) `BackendUnavailable`
(502); only its 400, a bad query or update, is the client's fault. An update is never sent twice. Set the
backend's own query timeout too (Oxigraph: `oxigraph serve --timeout-s`, Fuseki: `arq:queryTimeout`), or it goes on
evaluating a query jaikg gave up on.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Protocol
from urllib.parse import urlencode

import pyoxigraph as ox

from .deep_stack import on_deep_stack
from .http_client import MAX_BODY, AnswerTooLarge, DeadlineExceeded, HttpClient, Reply, StreamedReply, Unreachable
from .sparql import SparqlError
from .sparql_lexer import keyword_tokens, query_form, service_targets
from .store import GraphName, QueryResult, Subject, Term


class BackendUnavailable(SparqlError):
    """The remote store could not be reached or failed: 502."""


class BackendTimeout(SparqlError):
    """The remote store did not answer in time: 504."""


class RemoteTriples:
    """The triples of a CONSTRUCT or DESCRIBE answer, like `pyoxigraph.QueryTriples`: an iterator (one pass),
    serializable. Each is parsed as it is read from the backend, so whoever stops early (`jaikg.sparql` at
    `--max-rows`) reads no further; `close()`, or dropping the object, closes the connection before the end of the
    answer, and it is never used again. A failure while reading raises the store's `BackendTimeout` or
    `BackendUnavailable`."""

    def __init__(self, store: RemoteStore, reply: StreamedReply) -> None:
        self._store, self._reply = store, reply
        self._format = ox.RdfFormat.from_media_type(reply.media_type) or ox.RdfFormat.N_TRIPLES
        self._quads = ox.parse(reply.body, format=self._format)

    def __iter__(self) -> RemoteTriples:
        return self

    def __next__(self) -> ox.Triple:
        try:
            return next(self._quads).triple
        except StopIteration:
            self.close()
            raise
        except (DeadlineExceeded, Unreachable) as error:
            self.close()
            raise self._store.failure(self._store.query_url, error) from None
        except (SyntaxError, ValueError) as error:
            self.close()
            raise self._store.unreadable(self._reply, error) from None

    def close(self) -> None:
        self._reply.close()

    def __del__(self) -> None:
        if hasattr(self, "_reply"):
            self.close()

    def serialize(self, output: object = None, format: ox.RdfFormat = ox.RdfFormat.N_TRIPLES) -> bytes | None:
        return ox.serialize(self, output, format=format)


UNION_PARAMETERS: dict[str, tuple[tuple[str, str], ...]] = {
    "oxigraph": (("union-default-graph", "true"),),
    "native": (),
}
"""How each kind of backend is asked for the union of all graphs as the default graph (`--backend-union`):
`oxigraph`: Oxigraph server's `union-default-graph` request parameter; `native`: the backend's default graph is
already the union (Virtuoso, GraphDB, QLever, Amazon Neptune, Stardog with `query.all.graphs`, Fuseki with
`unionDefaultGraph` set on the dataset)."""
UNION_MODES = (*UNION_PARAMETERS, "auto")
"""`--backend-union`: a mode of UNION_PARAMETERS, or `auto`, which asks the endpoint (`union_mode`)."""
SD = "http://www.w3.org/ns/sparql-service-description#"
DESCRIPTION_TYPES = "text/turtle, application/n-triples;q=0.9, application/rdf+xml;q=0.8"
DESCRIPTION_LIMIT = 1024 * 1024
"""Most bytes of a service description read."""

SELECT_TYPES = "application/sparql-results+json, application/sparql-results+xml;q=0.9"
GRAPH_TYPES = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8"
_PARSER = ox.Store()
"""An empty store: `query` on it parses the query (SELECT, CONSTRUCT and DESCRIBE are evaluated lazily, ASK at
once, on nothing)."""


class Checker(Protocol):
    """Where a remote store checks a text before sending it: `parse_query` and `parse_update` done elsewhere
    (`jaikg.checks.CheckPool`: in worker processes)."""

    def check_query(self, query: str, base_iri: str | None = None) -> bool: ...

    def check_update(self, update: str, base_iri: str | None = None) -> None: ...


class RemoteStore:
    """A `GraphStore` over the SPARQL 1.1 Protocol: queries to `query_url`, updates to `update_url`."""

    def __init__(self, query_url: str, update_url: str | None = None, *, timeout: float = 30.0,
                 union: str = "oxigraph", client: HttpClient | None = None, max_body: int = MAX_BODY,
                 checker: Checker | None = None) -> None:
        """`max_body`: most bytes of one answer read from the backend (a longer one is a 502 naming the limit).
        `checker`: where queries and updates are parsed before they are sent (`check_query`)."""
        if union not in UNION_MODES:
            raise ValueError(f"unknown union mode {union!r} (known: {', '.join(UNION_MODES)})")
        self.query_url, self.update_url, self.timeout = query_url, update_url, timeout
        self.client = client or HttpClient()
        self.union = union_mode(query_url, self.client, timeout) if union == "auto" else union
        self.max_body = max_body
        self.checker = checker

    def __repr__(self) -> str:
        return f"RemoteStore({self.query_url!r}, {self.update_url!r})"

    def query(self, query: str, *, base_iri: str | None = None, use_default_graph_as_union: bool = False,
              default_graph: Sequence[GraphName] | None = None,
              named_graphs: Sequence[ox.NamedNode | ox.BlankNode] | None = None) -> QueryResult:
        """Like `pyoxigraph.Store.query`. A `SyntaxError` (Oxigraph's, with line and column) for a malformed query;
        `BackendUnavailable`, `BackendTimeout`, or `SparqlError` 400 when the backend finds the query bad. The
        triples of a CONSTRUCT or DESCRIBE are read as they are iterated (`RemoteTriples`); see there."""
        graph_form = self.check_query(query, base_iri)
        parameters: list[tuple[str, str]] = [("query", with_base(query, base_iri))]
        if default_graph is not None or named_graphs is not None:
            parameters += [("default-graph-uri", _iri(g)) for g in default_graph or ()]
            parameters += [("named-graph-uri", _iri(g)) for g in named_graphs or ()]
        elif use_default_graph_as_union:
            parameters += UNION_PARAMETERS[self.union]
        body = urlencode(parameters).encode("utf-8")
        if graph_form:
            return RemoteTriples(self, self._stream(self.query_url, body, {
                "Content-Type": "application/x-www-form-urlencoded", "Accept": GRAPH_TYPES}))
        reply = self._send(self.query_url, body, {"Content-Type": "application/x-www-form-urlencoded",
                                                  "Accept": SELECT_TYPES}, "query")
        try:
            fmt = ox.QueryResultsFormat.from_media_type(reply.media_type) or ox.QueryResultsFormat.JSON
            return ox.parse_query_results(reply.body, format=fmt)
        except (SyntaxError, ValueError) as error:
            raise self.unreadable(reply, error) from None

    def update(self, update: str, *, base_iri: str | None = None) -> None:
        """Like `pyoxigraph.Store.update`: `SyntaxError` for a malformed update (checked locally), `RuntimeError`
        when the backend finds it bad (400). Atomicity is the backend's (Oxigraph, Fuseki: one update, one
        transaction)."""
        if self.update_url is None:
            raise SparqlError(403, "the SPARQL backend is read-only here: start `jaikg serve` with "
                                   "--backend-update URL to send updates to it.")
        self.check_update(update, base_iri)
        self._send(self.update_url, with_base(update, base_iri).encode("utf-8"),
                   {"Content-Type": "application/sparql-update"}, "update")

    def check_query(self, query: str, base_iri: str | None = None) -> bool:
        """`parse_query` by the store's `checker`, or here, on a thread with a stack sized for the query: whether it
        is a CONSTRUCT or DESCRIBE; `SyntaxError` for a malformed query."""
        if self.checker is not None:
            return self.checker.check_query(query, base_iri)
        return on_deep_stack(lambda: parse_query(query, base_iri), len(query), "the query")

    def check_update(self, update: str, base_iri: str | None = None) -> None:
        """`parse_update` by the store's `checker`, or here, on a thread with a stack sized for the update;
        `SyntaxError` for a malformed update. Nothing is sent to the backend."""
        if self.checker is not None:
            self.checker.check_update(update, base_iri)
        else:
            on_deep_stack(lambda: parse_update(update, base_iri), len(update), "the update")

    def quads_for_pattern(self, subject: Subject | None, predicate: ox.NamedNode | None, object: Term | None,
                          graph_name: GraphName | None = None) -> Iterator[ox.Quad]:
        """The matching quads, in one SELECT. `graph_name=None` is every graph; with `union="native"` the
        backend's default graph is the union, so only the named graphs are read then."""
        fixed = {"s": subject, "p": predicate, "o": object}
        for term in fixed.values():
            if isinstance(term, ox.BlankNode):
                raise ValueError("a blank node cannot be named in a query to a remote store")
        pattern = " ".join(f"?{name}" if term is None else str(term) for name, term in fixed.items())
        if graph_name is None:
            where = f"GRAPH ?g {{ {pattern} }}"
            if self.union == "oxigraph":
                where = f"{{ {pattern} }} UNION {{ {where} }}"
        elif isinstance(graph_name, ox.DefaultGraph):
            where = pattern
        else:
            where = f"GRAPH {graph_name} {{ {pattern} }}"
        for row in self.query(f"SELECT * WHERE {{ {where} }}"):
            terms = {name: term if term is not None else row[name] for name, term in fixed.items()}
            graph = graph_name if graph_name is not None else row["g"] or ox.DefaultGraph()
            yield ox.Quad(terms["s"], terms["p"], terms["o"], graph)

    def contains_named_graph(self, graph_name: ox.NamedNode | ox.BlankNode) -> bool:
        """Whether the graph holds a triple (an empty named graph, which Oxigraph keeps, does not count here:
        the protocol cannot see it)."""
        return bool(self.query(f"ASK {{ GRAPH {graph_name} {{ ?s ?p ?o }} }}"))

    def __len__(self) -> int:
        where = "GRAPH ?g { ?s ?p ?o }"
        if self.union == "oxigraph":
            where = f"{{ ?s ?p ?o }} UNION {{ {where} }}"
        row = next(iter(self.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")))
        return int(row["n"].value)

    def __iter__(self) -> Iterator[ox.Quad]:
        return self.quads_for_pattern(None, None, None, None)

    def _send(self, url: str, body: bytes, headers: dict[str, str], operation: str) -> Reply:
        """POST the operation and read the whole answer; a query may be sent again if the connection breaks, an
        update never."""
        with self.failures(url):
            reply = self.client.request("POST", url, body=body, headers=headers, timeout=self.timeout,
                                        idempotent=operation == "query", max_body=self.max_body)
        return checked(reply, url, operation)

    def _stream(self, url: str, body: bytes, headers: dict[str, str]) -> StreamedReply:
        """POST a query; the answer with its body still to read, when it is a success (else the error of
        `checked`)."""
        with self.failures(url):
            reply = self.client.stream("POST", url, body=body, headers=headers, timeout=self.timeout,
                                       idempotent=True, max_body=self.max_body)
            if reply.status >= 300:
                checked(reply.whole(), url, "query")
        if is_cut(reply.headers):
            reply.close()
            raise cut_answer(url, "query", reply.headers)
        return reply

    @contextmanager
    def failures(self, url: str) -> Iterator[None]:
        """The HTTP client's errors, raised within, as the errors the client of jaikg gets (`failure`)."""
        try:
            yield
        except (DeadlineExceeded, Unreachable) as error:
            raise self.failure(url, error) from None

    def failure(self, url: str, error: DeadlineExceeded | Unreachable) -> BackendTimeout | BackendUnavailable:
        """An error of the HTTP client as the one the client of jaikg gets: 504 or 502."""
        if isinstance(error, DeadlineExceeded):
            return BackendTimeout(504, f"the SPARQL backend at {url} did not answer within {self.timeout:g} s")
        if isinstance(error, AnswerTooLarge):
            return BackendUnavailable(502, f"the SPARQL backend at {url} sent an answer longer than jaikg reads: "
                                           f"{error}")
        return BackendUnavailable(502, f"the SPARQL backend at {url} could not be reached: {error}")

    def unreadable(self, reply: Reply | StreamedReply, error: Exception) -> BackendUnavailable:
        """The error for an answer of the backend that does not parse."""
        return BackendUnavailable(502, f"the SPARQL backend at {self.query_url} sent an answer that could not be "
                                       f"read ({reply.media_type or 'no content type'}): {error}")


def checked(reply: Reply, url: str, operation: str) -> Reply:
    """The reply when it is a success; else the error the client of jaikg gets for it. Only a 400 says that the
    operation is bad (RFC 9110, section 15.5.1); any other refusal (401, 403, 404, 429 …) is the backend's or its
    configuration's, so a 502 that names the backend's status."""
    if reply.status < 300:
        if is_cut(reply.headers):
            raise cut_answer(url, operation, reply.headers)
        return reply
    said = reply.text() or f"HTTP {reply.status}"
    if reply.status in (408, 504):
        raise BackendTimeout(504, f"the SPARQL backend at {url} gave up on the {operation}: {said}")
    if reply.status == 400:
        if operation == "update":
            raise RuntimeError(f"the SPARQL backend refused the update: {said}")
        raise SparqlError(400, f"the SPARQL backend refused the {operation}: {said}")
    failed = "refused the " + operation if reply.status < 500 else "failed"
    message = f"the SPARQL backend at {url} {failed} (HTTP {reply.status})"
    if reply.text():
        message += f": {reply.text()}"
    raise BackendUnavailable(502, message, details=retry_after(reply))


def is_cut(headers: dict[str, str]) -> bool:
    """Whether the backend says it cut its answer (`X-JAIKG-Truncated`, which a jaikg server with `--max-rows`
    sends): an answer known to be incomplete is never used as whole."""
    return headers.get("x-jaikg-truncated", "").strip().lower() == "true"


def cut_answer(url: str, operation: str, headers: dict[str, str]) -> BackendUnavailable:
    limit = headers.get("x-sparql-maxrows", "").strip()
    at = f" at {limit} rows" if limit.isdigit() else ""
    return BackendUnavailable(502, f"the SPARQL backend at {url} cut its answer to the {operation}{at} "
                                   "(X-JAIKG-Truncated: true), and an incomplete answer is not used: give it no row "
                                   "limit (a jaikg server: --max-rows 0).")


def retry_after(reply: Reply) -> dict[str, str]:
    """The backend's `Retry-After` of a 429 or 503, to pass on when it is well formed (RFC 9110, section 10.2.3:
    seconds or an HTTP date)."""
    value = reply.headers.get("retry-after", "").strip()
    well_formed = value.isascii() and value.isprintable() and (value.isdigit() or _is_http_date(value))
    if reply.status not in (429, 503) or not well_formed:
        return {}
    return {"Retry-After": value}


def _is_http_date(value: str) -> bool:
    try:
        return parsedate_to_datetime(value) is not None
    except (TypeError, ValueError):
        return False


def union_mode(query_url: str, client: HttpClient, timeout: float) -> str:
    """`--backend-union auto`: `native` when the endpoint's service description (what a GET of the endpoint without
    a query answers, SPARQL 1.1 Service Description, section 2) declares `sd:UnionDefaultGraph` (jaikg does),
    else `oxigraph`. Read as a real default graph, a union default graph holds every triple of every named graph
    a second time: `jaikg validate --endpoint` of a jaikg server found 350 violations in data that conforms. An
    endpoint that answers no description (the Oxigraph server: 400) or cannot be read is taken as `oxigraph`: the
    requests that follow say what is wrong with it."""
    try:
        reply = client.request("GET", query_url, headers={"Accept": DESCRIPTION_TYPES}, timeout=timeout,
                               max_body=DESCRIPTION_LIMIT)
    except (DeadlineExceeded, Unreachable):
        return "oxigraph"
    rdf_format = ox.RdfFormat.from_media_type(reply.media_type) if reply.status == 200 else None
    if rdf_format is None:
        return "oxigraph"
    try:
        statements = list(ox.parse(reply.body, format=rdf_format, base_iri=query_url))
    except (SyntaxError, ValueError):
        return "oxigraph"
    feature, union = ox.NamedNode(SD + "feature"), ox.NamedNode(SD + "UnionDefaultGraph")
    return "native" if any(s.predicate == feature and s.object == union for s in statements) else "oxigraph"


def parse_query(query: str, base_iri: str | None) -> bool:
    """Check the query with Oxigraph's parser (`SyntaxError` with line and column, as the embedded store raises);
    True when it is a CONSTRUCT or DESCRIBE. An ASK is evaluated on parsing, so one that names a SERVICE (an
    allowed one: the endpoint refuses the others before) is left to the backend to parse."""
    if service_targets(query):
        return query_form(query) in ("CONSTRUCT", "DESCRIBE")
    probe = _PARSER.query(query, base_iri=base_iri)
    return not isinstance(probe, (ox.QuerySolutions, ox.QueryBoolean))


def parse_update(update: str, base_iri: str | None) -> None:
    """Check the update with Oxigraph's parser: `SyntaxError` with line and column. It runs on an empty store, so
    what it does there (a DROP of a graph that store lacks fails) says nothing; an update that names a SERVICE or
    a LOAD is left to the backend, which alone may reach out."""
    if service_targets(update) or keyword_tokens(update, "LOAD"):
        return
    try:
        ox.Store().update(update, base_iri=base_iri)
    except SyntaxError:
        raise
    except (RuntimeError, OSError, ValueError):
        pass


def with_base(text: str, base_iri: str | None) -> str:
    """The operation with `BASE <base_iri>` in front (the protocol has no base parameter; a BASE of the text's own
    comes later and wins). On the first line, so the backend's line numbers stay those of the text."""
    return text if base_iri is None else f"BASE {ox.NamedNode(base_iri)} {text}"


def _iri(graph: GraphName | ox.NamedNode | ox.BlankNode) -> str:
    if not isinstance(graph, ox.NamedNode):
        raise ValueError(f"only IRIs can name the graphs of a request to a remote store, not {graph}")
    return graph.value
