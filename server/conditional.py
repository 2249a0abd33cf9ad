"""Validators and freshness for the read-only views that set none of their own — the Linked Data pages and their
twins, VoID, the ontology pages, the network, the UI: `ETag` (a hash of the body), `Last-Modified` (the version of
the graph the view read, taken before it ran: the rule of `server.cache`), `Cache-Control` (the answers' max-age),
and `304` for a conditional GET or HEAD. Query answers, `/data` and the dumps set their own; `/healthz` is never
kept by a cache."""

from __future__ import annotations

from flask import Flask, Response, g, request

from .cache import cache_control, etag_of, last_modified_second, set_last_modified
from .state import jaikg

NOT_CACHED = frozenset({"void.healthz"})
"""Endpoints whose answers say how the server is now: no validators, `no-store`."""


def init_conditional(app: Flask) -> None:
    app.before_request(_note_version)
    app.after_request(add_validators)


def _note_version() -> None:
    g.jaikg_version = jaikg().executor.last_modified


def add_validators(response: Response) -> Response:
    if request.endpoint in NOT_CACHED:
        response.headers["Cache-Control"] = "no-store"
        return response
    if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.is_streamed \
            or response.direct_passthrough or "ETag" in response.headers:
        return response
    state = jaikg()
    response.set_etag(etag_of(response.get_data(), response.mimetype or ""))
    version = g.get("jaikg_version")
    if state.settings.sees_changes and version is not None:
        set_last_modified(response, last_modified_second(version, current=state.executor.last_modified))
    if "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = cache_control(state.settings.max_age)
    return response.make_conditional(request)
