"""`/graph`: the interactive network of organizations and what they work on; `/graph.json`: the same network as
node-link JSON (query parameters `types`, comma-separated, and `program`), built by `jaikg.network`.

Every answer is bounded whatever the size of the graph: a view of more than `GRAPH_MAX_NODES` nodes (app config,
default `jaikg.network.MAX_NODES`) is not built but answered `400` `{"error": "network-too-large", "message",
"nodes", "max_nodes", "categories", "colours", "programs", "programs_total"}`: its count, the cap, and what the
filters can narrow it to (the node count of each category of the whole network, the programs by name)."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from jaikg.namespaces import RESOURCE
from jaikg.network import MAX_NODES, NetworkCensus, NetworkTooLarge, build_network, network_census
from jaikg.network_draw import COLOURS
from jaikg.network_formats import network_json
from jaikg.sparql import SparqlError

from ..memo import memoized
from ..state import jaikg

bp = Blueprint("graph", __name__)


def max_nodes() -> int:
    return int(current_app.config.get("GRAPH_MAX_NODES") or MAX_NODES)


def too_large(error: NetworkTooLarge) -> bytes:
    census = error.census
    narrow = "narrow it further" if error.filtered else "narrow it"
    what = "These filters leave" if error.filtered else "The network has"
    return json.dumps({
        "error": "network-too-large",
        "message": f"{what} {error.nodes:,} nodes, more than the {error.max_nodes:,} a drawing shows: {narrow} to "
                   "one program (program=…) or to fewer node types (types=…, comma-separated).",
        "nodes": error.nodes, "max_nodes": error.max_nodes, "categories": census.categories, "colours": COLOURS,
        "programs": [{"id": iri, "label": label} for iri, label in census.programs],
        "programs_total": census.programs_total,
    }, ensure_ascii=False).encode("utf-8")


def _network_json(types: tuple[str, ...], program: str | None, cap: int,
                  census: NetworkCensus) -> tuple[int, bytes]:
    try:
        return 200, network_json(build_network(jaikg().store, types=types, program=program, max_nodes=cap,
                                               census=census))
    except NetworkTooLarge as error:
        return 400, too_large(error)
    except KeyError as error:
        abort(404, description=error.args[0])
    except ValueError as error:
        raise SparqlError(400, str(error)) from None


@bp.route("/graph.json")
def graph_json() -> Response:
    types = tuple(sorted({t.strip() for t in request.args.get("types", "").split(",") if t.strip()}))
    program = request.args.get("program") or None
    cap = max_nodes()
    census = memoized(("graph.census",), lambda: network_census(jaikg().store))
    status, body = memoized(("graph.json", types, program, cap), lambda: _network_json(types, program, cap, census))
    return Response(body, status=status, content_type="application/json")


@bp.route("/graph")
def graph_page() -> str:
    urls = {"json": url_for("graph.graph_json"),
            "css": url_for("static", filename="graph/graph.css"),
            "cytoscape": url_for("static", filename="vendor/cytoscape/cytoscape.min.js"),
            "graph_js": url_for("static", filename="graph/graph.js")}
    return render_template("graph.html", layout="base.html", inline=None, urls=urls,
                           alternates=[{"media_type": "application/json", "href": urls["json"]}],
                           resource_base=request.script_root + "/resource/", resource_namespace=RESOURCE)
