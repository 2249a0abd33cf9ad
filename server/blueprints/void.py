"""`/.well-known/void`: the VoID and DCAT description of the dataset, as RDF for RDF clients and as a page for
browsers, with its twins by extension (`/.well-known/void.ttl` …); `/healthz`."""

from __future__ import annotations

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from jaikg.describe import describe
from jaikg.export import FORMATS
from jaikg.namespaces import PREFIXES
from jaikg.sparql import GRAPH_TYPES, NotAcceptable
from jaikg.void import DATASET, void_description

from ..negotiation import negotiate
from ..state import jaikg
from .pages import TWIN_EXTENSION, TWINS, description_html, html_response, rdf_response

bp = Blueprint("void", __name__)


def dump_urls() -> dict[str, str]:
    """The dumps the export blueprint serves, by media type."""
    return {fmt.media_type: request.host_url.rstrip("/") + f"/export/jaikg.{fmt.extension}"
            for fmt in FORMATS.values()}


VOID_PATH = "/.well-known/void"
VOID_TYPES = [*GRAPH_TYPES, "text/html"]
"""What `/.well-known/void` answers: RDF first, so that a client naming no type or `*/*` (curl) gets Turtle, and
HTML for a client that prefers it (a browser names text/html before `*/*`)."""


@bp.route(VOID_PATH)
@bp.route(VOID_PATH + TWIN_EXTENSION)
def void(extension: str | None = None) -> Response:
    media_type = TWINS[extension] if extension else negotiate(VOID_TYPES)
    if media_type is None:
        raise NotAcceptable(406, "the VoID description is served as " + ", ".join(VOID_TYPES))
    store = jaikg().store
    triples = void_description(store, endpoint=url_for("sparql.endpoint", _external=True), dumps=dump_urls())
    if media_type != "text/html":
        return rdf_response(triples, media_type, VOID_PATH)
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    description = describe(scratch, DATASET)
    titles = description.properties.get(ox.NamedNode(PREFIXES["dcterms"] + "title"), [])
    heading = titles[0].value if titles else None
    return html_response(description_html(store, description, VOID_PATH, heading=heading), VOID_PATH)


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Alive and able to query the store; with query workers, how many run: none (all killed and none could be
    started again) is 503, as every query that needs one would wait and fail."""
    state = jaikg()
    has_data = bool(state.store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
    count_workers = getattr(state.executor, "live_workers", None)
    if count_workers is None:
        return jsonify(status="ok", data=has_data, update=state.settings.update)
    workers = count_workers()
    status = "ok" if workers else "no query workers"
    return jsonify(status=status, data=has_data, update=state.settings.update, workers=workers), 200 if workers else 503
