"""A static drawing of the network (PNG or SVG) with matplotlib: one colour per node category with a legend, node
size by degree, labels on the connected nodes, and a spring layout with a fixed seed so the same graph always gives
the same picture."""

from __future__ import annotations

import io

import networkx as nx

from .network import CATEGORIES

WIDTH_PX, HEIGHT_PX, DPI = 1600, 1200, 100
SEED = 7
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")
COLOURS: dict[str, str] = dict(zip(dict.fromkeys(category for category, _ in CATEGORIES), PALETTE))
"""One colour per node category (the categories in their order of precedence); the web page uses the same."""
LABEL_LENGTH = 26


def _clip(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[:LABEL_LENGTH - 1] + "…"


def layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Deterministic positions: each connected component laid out on its own (Kamada-Kawai, loosened by a spring
    layout seeded by `SEED`), scaled by its size, and the components packed in rows, largest first (one spring
    layout of the whole graph squeezes the main component into a dot among the small ones)."""
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    row_width = 1.4 * sum(len(c) for c in components) ** 0.5
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for nodes in components:
        side = len(nodes) ** 0.5
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height - 0.5, 0.0
        sub = nx.Graph()
        sub.add_nodes_from(nodes)
        sub.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in graph.subgraph(nodes).edges()))
        start = nx.kamada_kawai_layout(sub) if len(nodes) > 2 else None
        local = nx.spring_layout(sub, pos=start, seed=SEED, k=2.5 / side, iterations=60, center=(0.0, 0.0),
                                 scale=side / 2)
        for node, (px, py) in local.items():
            positions[node] = (x + side / 2 + float(px), y - side / 2 + float(py))
        x += side + 0.5
        row_height = max(row_height, side)
    return positions


def draw_network(graph: nx.MultiDiGraph, fmt: str = "png") -> bytes:
    """The network drawn as a `fmt` ("png" or "svg") image of WIDTH_PX × HEIGHT_PX pixels."""
    import matplotlib  # here, not at the top: importing it took 1 s of every jaikg command's start

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    simple = nx.Graph(graph.to_undirected())
    positions = layout(simple)
    figure, axes = plt.subplots(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="tight")
    try:
        axes.set_axis_off()
        axes.set_aspect("equal")
        axes.set_title("Japan's AI R&D: organizations and what they work on (MEXT white paper, jaikg)", fontsize=14)
        nx.draw_networkx_edges(simple, positions, ax=axes, edge_color="#b0b0b0", width=0.8)
        nodes = sorted(simple)
        nx.draw_networkx_nodes(simple, positions, nodelist=nodes, ax=axes,
                               node_color=[COLOURS.get(graph.nodes[n]["category"], "#000000") for n in nodes],
                               node_size=[40 + 35 * simple.degree(n) for n in nodes], linewidths=0.5,
                               edgecolors="#ffffff")
        labelled = {n: _clip(graph.nodes[n]["label"]) for n in nodes if simple.degree(n) >= 2}
        nx.draw_networkx_labels(simple, positions, labels=labelled, ax=axes, font_size=7,
                                bbox={"boxstyle": "round,pad=0.1", "facecolor": "white", "edgecolor": "none",
                                      "alpha": 0.6})
        present = [c for c in COLOURS if any(d == c for _, d in graph.nodes(data="category"))]
        handles = [Line2D([], [], marker="o", linestyle="", markersize=9, color=COLOURS[c], label=c) for c in present]
        axes.legend(handles=handles, loc="lower left", title="node type", fontsize=10, frameon=False)
        buffer = io.BytesIO()
        metadata = {"Date": None} if fmt == "svg" else {}
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    finally:
        plt.close(figure)
    return buffer.getvalue()
