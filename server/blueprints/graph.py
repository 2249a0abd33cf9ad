"""`/graph`: the interactive network of organizations and what they work on; `/graph.json`: the same network as
node-link JSON (query parameters `types`, comma-separated, and `program`), built by `jaikg.network`."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request, url_for

from jaikg.namespaces import RESOURCE
from jaikg.network import build_network
from jaikg.network_formats import network_json
from jaikg.sparql import SparqlError

from ..memo import memoized
from ..state import jaikg

bp = Blueprint("graph", __name__)


def _network_json(types: tuple[str, ...], program: str | None) -> bytes:
    try:
        return network_json(build_network(jaikg().store, types=types, program=program))
    except KeyError as error:
        abort(404, description=error.args[0])
    except ValueError as error:
        raise SparqlError(400, str(error)) from None


@bp.route("/graph.json")
def graph_json() -> Response:
    types = tuple(sorted({t.strip() for t in request.args.get("types", "").split(",") if t.strip()}))
    program = request.args.get("program") or None
    body = memoized(("graph.json", types, program), lambda: _network_json(types, program))
    return Response(body, content_type="application/json")


@bp.route("/graph")
def graph_page() -> str:
    urls = {"json": url_for("graph.graph_json"), "home": request.script_root + "/",
            "css": url_for("static", filename="graph/graph.css"),
            "cytoscape": url_for("static", filename="vendor/cytoscape/cytoscape.min.js"),
            "graph_js": url_for("static", filename="graph/graph.js")}
    return render_template("graph.html", inline=None, urls=urls, resource_base=request.script_root + "/resource/",
                           resource_namespace=RESOURCE)
