"""The network written out: GraphML and GEXF (Gephi, Cytoscape), node-link JSON (with the drawing's positions, the
category colours and the relations' wording, as the web page reads it), PNG and SVG drawings, and one
self-contained interactive HTML page. The drawn formats (JSON, PNG, SVG, HTML) take `network_draw.layout`, whose
cost is bounded at any size; a view too large to draw is refused before (`network.build_network(max_nodes=…)`)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import jinja2
import networkx as nx
from markupsafe import Markup

from . import resources
from .namespaces import RESOURCE
from .network import INVERSES
from .network_draw import COLOURS, draw_network, layout

POSITION_SCALE = 60.0
"""Layout units → pixels on the interactive page."""


def network_payload(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """Node-link data (`nodes`, `links`), each node with `x`, `y` from the deterministic layout, plus `colours`
    (category → colour) so every view colours a category alike, and `inverses` (each relation said of the link's
    target: "developed" → "developed by"), so a node's links read as sentences from either end."""
    data = nx.node_link_data(graph, edges="links")
    positions = layout(nx.Graph(graph.to_undirected()))
    for node in data["nodes"]:
        x, y = positions[node["id"]]
        node["x"], node["y"] = round(x * POSITION_SCALE, 1), round(-y * POSITION_SCALE, 1)
    data["colours"] = dict(COLOURS)
    data["inverses"] = dict(INVERSES)
    return data


def network_json(graph: nx.MultiDiGraph) -> bytes:
    return json.dumps(network_payload(graph), ensure_ascii=False, indent=1).encode("utf-8")


def _networkx_writer(write: Callable[..., None]) -> Callable[[nx.MultiDiGraph], bytes]:
    def to_bytes(graph: nx.MultiDiGraph) -> bytes:
        buffer = io.BytesIO()
        write(graph, buffer)
        return buffer.getvalue()
    return to_bytes


EXPORT_LAYOUT = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{% block title %}{% endblock %} · jaikg</title>
{% block head %}{% endblock %}
</head>
<body>
<main id="content">{% block main %}{% endblock %}</main>
</body>
</html>
"""
"""The page around the network in the self-contained export; the web app puts it in the site's `base.html`
(header, navigation, footer), which needs Flask."""


def graph_page_template() -> tuple[jinja2.Template, jinja2.Template]:
    """The page template the web app renders at /graph, loaded outside Flask for the self-contained export, and
    the layout it extends there."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(resources.server_dir() / "templates"),
                                     autoescape=True)
    return environment.get_template("graph.html"), environment.from_string(EXPORT_LAYOUT)


def _script(text: str) -> Markup:
    """Text safe inside a <script> element: no `</script>` or `<!--` can end or confuse it."""
    return Markup(text.replace("</", "<\\/").replace("<!--", "<\\!--"))


def network_html(graph: nx.MultiDiGraph) -> bytes:
    """One page with the library, the script and the data inlined: it works from a file, with no server."""
    static = resources.server_dir() / "static"
    data = json.dumps(network_payload(graph), ensure_ascii=False).replace("<", "\\u003c")
    inline = {"css": Markup((static / "graph" / "graph.css").read_text(encoding="utf-8")),
              "cytoscape": _script((static / "vendor" / "cytoscape" / "cytoscape.min.js").read_text(encoding="utf-8")),
              "graph_js": _script((static / "graph" / "graph.js").read_text(encoding="utf-8")),
              "data": Markup(data)}
    template, export_layout = graph_page_template()
    page = template.render(layout=export_layout, inline=inline, urls=None, resource_base="",
                           resource_namespace=RESOURCE)
    return page.encode("utf-8")


WRITERS: dict[str, Callable[[nx.MultiDiGraph], bytes]] = {
    "graphml": _networkx_writer(nx.write_graphml),
    "gexf": _networkx_writer(nx.write_gexf),
    "json": network_json,
    "png": lambda graph: draw_network(graph, "png"),
    "svg": lambda graph: draw_network(graph, "svg"),
    "html": network_html,
}
FORMATS = tuple(WRITERS)


def write_network(graph: nx.MultiDiGraph, fmt: str) -> bytes:
    """The network in `fmt`, one of FORMATS."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown network format {fmt!r} (known: {', '.join(FORMATS)})")
    return WRITERS[fmt](graph)
