"""`/.well-known/void`: the VoID and DCAT description of the dataset; `/healthz`."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from jaikg.export import FORMATS
from jaikg.sparql import GRAPH_TYPES, NotAcceptable, write_rdf
from jaikg.void import void_description

from ..negotiation import content_type, negotiate
from ..state import jaikg

bp = Blueprint("void", __name__)


def dump_urls() -> dict[str, str]:
    """The dumps the export blueprint serves, by media type."""
    return {fmt.media_type: request.host_url.rstrip("/") + f"/export/jaikg.{fmt.extension}"
            for fmt in FORMATS.values()}


@bp.route("/.well-known/void")
def void() -> Response:
    media_type = negotiate(list(GRAPH_TYPES))
    if media_type is None:
        raise NotAcceptable(406, "the VoID description is RDF; supported: " + ", ".join(GRAPH_TYPES))
    triples = void_description(jaikg().store, endpoint=url_for("sparql.endpoint", _external=True),
                               dumps=dump_urls())
    response = Response(write_rdf(triples, media_type), content_type=content_type(media_type))
    response.vary.add("Accept")
    return response


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
