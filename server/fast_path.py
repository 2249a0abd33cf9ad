"""A fast lane for the endpoint's most common request: `GET /sparql?query=…` that succeeds.

Flask's dispatch, the request hooks and Werkzeug's request and response objects cost about 1.5 ms a request, five
times what Oxigraph takes to answer a point lookup. `QueryFastPath` wraps the app's WSGI callable and answers a
plain query request itself: GET, only a `query` parameter, no conditional headers, an Accept header that is absent,
`*/*` or names one supported media type exactly, CORS open to any origin. It runs the same `QueryRequest` through the
same executor and result cache as the `/sparql` view and sends the same headers (`tests/test_fast_path.py` holds
the two paths to byte-identical answers); an answer the workers stream goes out as they write it. Everything else, and every request whose query fails, goes on to the
Flask app: a failure is handed over in the WSGI environ (`FAILED`), so the view reports it without running the
query a second time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from flask import Flask
from werkzeug.http import http_date, quote_etag
from werkzeug.sansio.utils import get_current_url
from werkzeug.wsgi import get_host

from jaikg.sparql import QueryRequest, SparqlError, media_types_for
from jaikg.sparql_lexer import nesting_past, query_form

from .cache import cache_control, last_modified_second
from .cors import EXPOSED_HEADERS
from .limits import ClientSlots, truncation_headers, truncated_json
from .negotiation import content_type
from .security import SECURITY_HEADERS
from .state import Jaikg

FAILED = "jaikg.fast_path.failed"
"""WSGI environ key of the `SparqlError` a fast-path query raised; the `/sparql` view raises it again."""
PATH = "/sparql"
CONDITIONAL_HEADERS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")

StartResponse = Callable[..., Any]
WsgiApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


MEMO_LENGTH = 4096
"""Query strings up to this many characters have their decoded query memoized (256 of them: at most 2 MB)."""


def _query_parameter(wsgi_query_string: str) -> str | None:
    """`QueryFastPath._only_query` of a WSGI `QUERY_STRING` (its bytes as latin-1). A repeated query (the requests
    the result cache answers) is not percent-decoded again: that took most of the time of a cached answer (a point
    lookup: 57 µs in the app, 23 µs memoized). Bad UTF-8 raises UnicodeError, which is not memoized."""
    if len(wsgi_query_string) > MEMO_LENGTH:
        return _decode_query_parameter(wsgi_query_string)
    return _memoized_query_parameter(wsgi_query_string)


def _decode_query_parameter(wsgi_query_string: str) -> str | None:
    return QueryFastPath._only_query(wsgi_query_string.encode("latin-1").decode())


_memoized_query_parameter = lru_cache(maxsize=256)(_decode_query_parameter)


@lru_cache(maxsize=64)
def endpoint_url(scheme: str, host: str, root_path: str) -> str:
    """The endpoint's URL as Flask's `request.base_url` gives it (the base IRI of a query)."""
    return get_current_url(scheme, host, root_path, PATH)


class QueryFastPath:
    """WSGI middleware: plain successful queries answered without Flask's dispatch, the rest passed on."""

    def __init__(self, app: Flask, wsgi_app: WsgiApp) -> None:
        self.app = app
        self.next = wsgi_app
        self.served = 0
        """Requests answered here (for tests and monitoring)."""

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        query = self._plain_query(environ)
        if query is None:
            return self.next(environ, start_response)
        state: Jaikg = self.app.extensions["jaikg"]
        form = query_form(query)
        media_type = self._media_type(environ, form)
        if form is None or media_type is None or "*" not in state.settings.cors_origins:
            return self.next(environ, start_response)
        slots: ClientSlots = self.app.extensions["jaikg_limits"]
        client = environ.get("REMOTE_ADDR") or "unknown"
        if not slots.acquire(client):
            return self.next(environ, start_response)
        try:
            cached = state.executor.answer(QueryRequest(
                query=query, media_type=media_type, max_rows=state.settings.max_rows,
                timeout=state.settings.timeout, allowed_services=state.settings.allowed_services,
                base_iri=endpoint_url(environ.get("wsgi.url_scheme", "http"), get_host(environ),
                                      (environ.get("SCRIPT_NAME") or "").encode("latin-1").decode(errors="replace"))))
        except SparqlError as error:
            environ[FAILED] = error
        finally:
            slots.release(client)  # before the Flask app reports a failure: it takes a slot of its own
        if FAILED in environ:
            return self.next(environ, start_response)
        answer = cached.answer
        modified = cached.last_modified  # the version the answer is of, read before the query ran
        headers = [*self._headers(media_type, None if modified is None else last_modified_second(
                                      modified, current=state.executor.last_modified),
                                  state.settings.max_age if cached.reusable else None)]
        if cached.etag is not None:
            headers.append(("ETag", quote_etag(cached.etag, weak=cached.weak)))
        if cached.created is not None:  # reuse bounded in time (`--backend`): a kept answer says how old it is
            age = cached.age()
            if age is not None:
                headers.append(("Age", str(age)))
        self.served += 1
        if answer.chunks is not None:
            start_response("200 OK", headers)
            return answer.chunks
        body = truncated_json(answer.body, media_type) if answer.truncated else answer.body
        headers.append(("Content-Length", str(len(body))))
        if answer.truncated:
            headers.extend(truncation_headers(state.settings.max_rows).items())
        start_response("200 OK", headers)
        return [body]

    @staticmethod
    @lru_cache(maxsize=16)
    def _headers(media_type: str, last_modified: int | None, max_age: int | None) -> tuple[tuple[str, str], ...]:
        """The headers every fast-path answer in `media_type` carries while the graph is unchanged (no
        Last-Modified while the second of its change lasts: `last_modified_second`)."""
        modified = () if last_modified is None else (("Last-Modified", http_date(last_modified)),)
        return (("Content-Type", content_type(media_type)), ("Vary", "Accept"), *modified,
                ("Cache-Control", cache_control(max_age)),
                ("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", EXPOSED_HEADERS),
                *SECURITY_HEADERS.items())

    def _plain_query(self, environ: dict[str, Any]) -> str | None:
        """The query text of a plain `GET /sparql?query=…` within the length and nesting limits, else None (the
        Flask app answers a query over a limit with its error: `server.limits.check_sizes`)."""
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != PATH:
            return None
        if any(environ.get(name) for name in CONDITIONAL_HEADERS):
            return None
        try:
            query = _query_parameter(environ.get("QUERY_STRING", ""))
        except UnicodeError:
            return None
        if query is None or len(query) > self.app.config["MAX_QUERY_LENGTH"]:
            return None
        return None if nesting_past(query, self.app.config["MAX_NESTING"]) else query

    @staticmethod
    def _only_query(query_string: str) -> str | None:
        """The value of the query string's one parameter when it is `query`, decoded as `parse_qsl` would
        (UTF-8, `+` as space; bad UTF-8 raises UnicodeError), else None. A query string with no `&` holds one
        parameter, so the common case skips the general parser."""
        if "&" not in query_string:
            name, equals, value = query_string.partition("=")
            if name != "query" or not equals:
                return None
            return unquote_plus(value, errors="strict")
        parameters = parse_qsl(query_string, keep_blank_values=True, errors="strict")
        return parameters[0][1] if len(parameters) == 1 and parameters[0][0] == "query" else None

    @staticmethod
    def _media_type(environ: dict[str, Any], form: str | None) -> str | None:
        """The answer's media type when negotiation is trivial: no Accept header or `*/*` (the default), or exactly
        one offered type."""
        offered = media_types_for(form)
        accept = environ.get("HTTP_ACCEPT", "").strip()
        if not accept or accept == "*/*":
            return offered[0]
        return accept if accept in offered else None
