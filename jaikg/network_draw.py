"""A static drawing of the network (PNG or SVG) with matplotlib: one colour per node category with a legend, node
size by degree, labels on the connected nodes, and a deterministic layout (fixed seeds) so the same graph always
gives the same picture.

The layout's cost is bounded whatever the size. Kamada-Kawai, which gives the most readable drawing of a small
component, minimizes an energy over all pairs of nodes: measured on the shared 2-core machine (CPU seconds, one BLAS
thread), 0.11 s at 50 nodes, 0.27 s at 100, 0.34 s on the shipped network's main component (120), 0.82 s at 150,
2.0 s at 200, 7.6 s at 400, 13 s at 600, 190 s at 1,317 (the main component of `jaikg synth --triples 10000`);
networkx's spring and ForceAtlas2 layouts take 6 to 8 s at 1,000 nodes, 19 to 32 s at 2,000. So Kamada-Kawai lays
out the largest components only, within a budget (KK_NODES, KK_COMPONENTS); a larger component gets a Pivot MDS
layout (Brandes & Pich 2007: classical scaling of the graph distances to 50 pivot nodes) loosened by
force-directed steps whose repulsion is taken between near nodes only (a k-d tree): 0.15 s at 500 nodes, 0.7 s at
2,000, 2.4 s at 4,000, 15 s at 13,400; and small components are loosened all together. Whole layouts: 0.3 s for the
shipped network (156 nodes, the same positions as before), 1.0 s for 531 nodes, 1.9 s for 1,473, 3.7 s for 4,172
(synthetic graphs of 3,000, 10,000 and 30,000 triples), 1.9 s for 10,786 nodes in 1,500 components (two BLAS
threads on a busy machine).
"""

from __future__ import annotations

import io

import networkx as nx
import numpy as np

from .network import CATEGORIES

WIDTH_PX, HEIGHT_PX, DPI = 1600, 1200, 100
SEED = 7
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#17becf")
COLOURS: dict[str, str] = dict(zip(dict.fromkeys(category for category, _ in CATEGORIES), PALETTE))
"""One colour per node category (the categories in their order of precedence); the web page uses the same."""
LABEL_LENGTH = 26
LABELS_MAX = 200
"""The most labels a picture carries (on the best-connected nodes): more is ink, not text."""
KK_NODES = 150
"""The largest component Kamada-Kawai lays out; the drawing's components share a budget of KK_NODES² node pairs."""
KK_COMPONENTS = 6
"""The most components Kamada-Kawai lays out (largest first; the shipped network has five of more than two nodes):
each call costs a tenth of a second or more whatever its size when scipy's optimizer wakes the BLAS threads at each
of its steps (0.34 s of CPU for the main component with one BLAS thread, 0.9 s with two on a busy machine)."""
NX_COMPONENTS = 16
"""The most components laid out one by one by networkx (those of Kamada-Kawai, and spring layouts of two nodes):
thousands of small components are laid out together instead (`small_layouts`)."""
BATCH_NODES = 30
"""Components of at most this many nodes left to `small_layouts`; larger ones get `large_layout`."""
PIVOTS = 50
LOOSEN_STEPS = 50


def _clip(text: str) -> str:
    return text if len(text) <= LABEL_LENGTH else text[:LABEL_LENGTH - 1] + "…"


def layout(graph: nx.Graph) -> dict[str, tuple[float, float]]:
    """Deterministic positions: each connected component laid out on its own, scaled by its size, and the
    components packed in rows, largest first (one spring layout of the whole graph squeezes the main component into
    a dot among the small ones). The largest components, within the Kamada-Kawai budget (KK_NODES² node pairs,
    KK_COMPONENTS calls), get Kamada-Kawai loosened by a spring layout seeded by `SEED`, the first pairs of nodes
    that spring layout alone; other components of more than BATCH_NODES nodes get `large_layout`, and the
    remaining small ones are loosened together (`small_layouts`)."""
    components = sorted((sorted(c) for c in nx.connected_components(graph)), key=lambda c: (-len(c), c[0]))
    budget, kk_calls, calls = KK_NODES ** 2, 0, 0
    local: list[dict[str, tuple[float, float]]] = []
    batch: list[int] = []
    for index, nodes in enumerate(components):
        size, side = len(nodes), len(nodes) ** 0.5
        local.append({nodes[0]: (0.0, 0.0)} if size == 1 else {})
        if size == 1:
            continue
        sub = graph.subgraph(nodes)
        kamada_kawai = size > 2 and kk_calls < KK_COMPONENTS and size ** 2 <= budget
        if calls < NX_COMPONENTS and (size == 2 or kamada_kawai):
            simple = nx.Graph()
            simple.add_nodes_from(nodes)
            simple.add_edges_from(sorted((min(u, v), max(u, v)) for u, v in sub.edges()))
            start = None
            if kamada_kawai:
                budget, kk_calls = budget - size ** 2, kk_calls + 1
                start = nx.kamada_kawai_layout(simple)
            local[index] = nx.spring_layout(simple, pos=start, seed=SEED, k=2.5 / side, iterations=60,
                                            center=(0.0, 0.0), scale=side / 2)
            calls += 1
        elif size > BATCH_NODES:
            local[index] = large_layout(sub, scale=side / 2)
        else:
            batch.append(index)
    for index, positions in zip(batch, small_layouts(graph, [components[i] for i in batch])):
        local[index] = positions
    row_width = 1.4 * sum(len(c) for c in components) ** 0.5
    placed: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for nodes, positions in zip(components, local):
        side = len(nodes) ** 0.5
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y - row_height - 0.5, 0.0
        for node, (px, py) in positions.items():
            placed[node] = (x + side / 2 + float(px), y - side / 2 + float(py))
        x += side + 0.5
        row_height = max(row_height, side)
    return placed


def small_layouts(graph: nx.Graph, components: list[list[str]]) -> list[dict[str, tuple[float, float]]]:
    """Small connected components (2 to BATCH_NODES nodes) laid out together in one vectorized run: each starts on a
    circle in a cell of its own, far enough from the others not to feel them, and all are loosened at once; each
    comes back centred, its largest coordinate half the square root of its size (as the others)."""
    if not components:
        return []
    largest = max(len(nodes) for nodes in components)
    spacing = 4.0 * largest ** 0.5 + 6.0
    columns = max(1, int(len(components) ** 0.5))
    nodes = [node for component in components for node in component]
    index = {node: i for i, node in enumerate(nodes)}
    start = np.empty((len(nodes), 2))
    for number, component in enumerate(components):
        centre = np.array([number % columns, number // columns]) * spacing
        angles = 2 * np.pi * np.arange(len(component)) / len(component)
        radius = 0.5 * len(component) ** 0.5
        start[[index[node] for node in component]] = centre + radius * np.column_stack([np.cos(angles),
                                                                                       np.sin(angles)])
    edges = [(index[u], index[v]) for component in components for u, v in graph.subgraph(component).edges()]
    adjacency = _adjacency(len(nodes), edges)
    moved = _loosen(start, adjacency, first=0.1 * largest ** 0.5 + 0.5)
    laid_out = []
    for component in components:
        rows = [index[node] for node in component]
        scaled = nx.rescale_layout(moved[rows] - moved[rows].mean(axis=0), scale=len(component) ** 0.5 / 2)
        laid_out.append({node: (float(px), float(py)) for node, (px, py) in zip(component, scaled)})
    return laid_out


def _adjacency(count: int, edges: list[tuple[int, int]]):
    from scipy.sparse import coo_array

    rows = np.array([u for u, v in edges] + [v for u, v in edges], dtype=np.int64)
    columns = np.array([v for u, v in edges] + [u for u, v in edges], dtype=np.int64)
    return coo_array((np.ones(len(rows)), (rows, columns)), shape=(count, count)).tocsr()


def large_layout(graph: nx.Graph, scale: float = 1.0) -> dict[str, tuple[float, float]]:
    """A connected graph of any size laid out in about O(nodes · PIVOTS + edges · LOOSEN_STEPS): Pivot MDS (the
    graph distances to PIVOTS nodes, each the farthest from those before, double-centred; the two main axes of
    their singular value decomposition), then loosened; centred, its largest coordinate `scale`."""
    from scipy.sparse.csgraph import shortest_path

    nodes = sorted(graph)
    adjacency = nx.to_scipy_sparse_array(graph, nodelist=nodes, weight=None, format="csr")
    count = len(nodes)
    pivots = min(PIVOTS, count)
    distances = np.empty((pivots, count))
    nearest = np.full(count, np.inf)
    pivot = max(range(count), key=lambda i: (graph.degree(nodes[i]), -i))  # the best-connected node first
    for row in range(pivots):
        distances[row] = shortest_path(adjacency, directed=False, unweighted=True, indices=pivot)
        nearest = np.minimum(nearest, distances[row])
        pivot = int(np.argmax(nearest))
    squared = distances.T ** 2
    centred = -0.5 * (squared - squared.mean(axis=0) - squared.mean(axis=1)[:, None] + squared.mean())
    left, values, _ = np.linalg.svd(centred, full_matrices=False)
    coordinates = left[:, :2] * values[:2]
    extent = coordinates.max(axis=0) - coordinates.min(axis=0)
    coordinates *= 1.5 * count ** 0.5 / max(float(np.sqrt(extent[0] * extent[1])), 1e-9)  # about 1 node per unit²
    coordinates = _loosen(coordinates, adjacency)
    return dict(zip(nodes, nx.rescale_layout(coordinates, scale=scale)))


def _loosen(positions: np.ndarray, adjacency, steps: int = LOOSEN_STEPS, first: float | None = None) -> np.ndarray:
    """Fruchterman-Reingold steps at an ideal distance of 1, the repulsion taken between nodes closer than 2 only
    (their grid variant), found by a k-d tree; the step shrinks from `first` (default: a tenth of the drawing's
    side) to nothing.
    Nodes on one spot (leaves of one hub, which Pivot MDS cannot tell apart) are first moved apart a little, with
    a generator seeded by SEED."""
    from scipy.spatial import cKDTree

    count = len(positions)
    edges = adjacency.tocoo()
    keep = edges.row < edges.col
    one_end, other_end = edges.row[keep], edges.col[keep]
    positions = positions + np.random.default_rng(SEED).uniform(-0.05, 0.05, positions.shape)
    first = 0.1 * count ** 0.5 if first is None else first
    for step in range(steps):
        move = np.zeros_like(positions)
        pairs = cKDTree(positions).query_pairs(2.0, output_type="ndarray")
        if len(pairs):
            one, other = pairs[:, 0], pairs[:, 1]
            delta = positions[one] - positions[other]
            push = delta / np.maximum((delta ** 2).sum(axis=1), 1e-6)[:, None]
            for axis in (0, 1):
                move[:, axis] += (np.bincount(one, push[:, axis], count)
                                  - np.bincount(other, push[:, axis], count))
        delta = positions[one_end] - positions[other_end]
        pull = delta * np.sqrt((delta ** 2).sum(axis=1))[:, None]
        for axis in (0, 1):
            move[:, axis] += np.bincount(other_end, pull[:, axis], count) - np.bincount(one_end, pull[:, axis], count)
        length = np.maximum(np.sqrt((move ** 2).sum(axis=1)), 1e-9)
        limit = first * (1 - step / steps) + 0.01
        positions = positions + move * (np.minimum(length, limit) / length)[:, None]
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
                               node_size=[40 + 35 * min(simple.degree(n), 20) for n in nodes], linewidths=0.5,
                               edgecolors="#ffffff")
        connected = sorted((n for n in nodes if simple.degree(n) >= 2), key=lambda n: (-simple.degree(n), n))
        labelled = {n: _clip(graph.nodes[n]["label"]) for n in connected[:LABELS_MAX]}
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
