"""The network at scale: the layout's cost is bounded whatever the size, /graph.json answers promptly on a graph
where Kamada-Kawai would take minutes, and above the node cap it answers with the count and the cap instead of a
drawing, while the program and type filters still narrow the network to something it draws."""

from __future__ import annotations

import time

import networkx as nx
import pytest
import requests

from jaikg import network_draw
from jaikg.loading import build_store
from jaikg.namespaces import RESOURCE
from jaikg.network_draw import layout
from jaikg.synth import write_synth

from .live import thread_server
from .test_network import PROGRAM_VIEWS, TABLE_1_2_3_PLAYERS

KK_NODES = 150
"""Kamada-Kawai takes 0.3 s of CPU on the shipped network's main component (120 nodes), 0.8 s at 150 nodes, 2 s at
200, 13 s at 600 and minutes beyond (it minimizes over all pairs of nodes): it may lay out components of at most
this many nodes, and at most this many squared node pairs in all."""


def sample_graph(nodes: int, small_components: int) -> nx.Graph:
    """A connected, scale-free-ish component of `nodes` nodes (preferential attachment, seeded) and many small
    components of 2 to 12 nodes: the shape of a network grown from many chapters."""
    graph = nx.barabasi_albert_graph(nodes, 2, seed=3)
    graph = nx.relabel_nodes(graph, {n: f"main-{n:05d}" for n in graph})
    for c in range(small_components):
        size = 2 + c % 11
        graph.add_edges_from((f"small-{c:04d}-0", f"small-{c:04d}-{i}") for i in range(1, size))
    return graph


def test_layout_keeps_kamada_kawai_within_its_budget(monkeypatch) -> None:
    sizes: list[int] = []
    kamada_kawai = nx.kamada_kawai_layout

    def counted(graph, *args, **kwargs):
        sizes.append(len(graph))
        assert len(graph) <= KK_NODES, f"Kamada-Kawai on a component of {len(graph)} nodes"
        return kamada_kawai(graph, *args, **kwargs)

    monkeypatch.setattr(network_draw.nx, "kamada_kawai_layout", counted)
    graph = sample_graph(800, 60)
    started = time.process_time()
    positions = layout(graph)
    spent = time.process_time() - started
    assert set(positions) == set(graph)
    assert sum(n * n for n in sizes) <= KK_NODES ** 2
    assert spent < 10, f"{spent:.1f} s of CPU for {len(graph)} nodes"
    assert len({(round(x, 3), round(y, 3)) for x, y in positions.values()}) == len(graph), "no two nodes on one spot"
    assert layout(graph) == positions, "the same graph gives the same layout"


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory):
    """A synthetic graph of 10,000 triples (plus the shipped data): about 1,500 nodes in the network, its main
    component over 1,300, where Kamada-Kawai alone takes minutes."""
    path = tmp_path_factory.mktemp("synth") / "synth.nq"
    write_synth(path, 10_000)
    return build_store([path])


def test_graph_json_answers_promptly_on_a_synthetic_graph(synth_store) -> None:
    with thread_server({"STORE": synth_store}) as base_url:
        started = time.monotonic()
        try:
            response = requests.get(base_url + "/graph.json", timeout=60)
        except requests.Timeout:
            pytest.fail("/graph.json did not answer within 60 s")
        elapsed = time.monotonic() - started
    assert response.status_code == 200
    nodes = response.json()["nodes"]
    assert len(nodes) > 1000
    assert all(isinstance(node["x"], float) and isinstance(node["y"], float) for node in nodes)
    assert elapsed < 30, f"{elapsed:.1f} s"


@pytest.fixture(scope="module")
def capped_server(shipped_store):
    """The app on the shipped network (156 nodes) with the node cap lowered to 40."""
    with thread_server({"STORE": shipped_store, "GRAPH_MAX_NODES": 40}) as base_url:
        yield base_url


def test_above_the_cap_graph_json_names_the_count_and_the_cap(capped_server) -> None:
    response = requests.get(capped_server + "/graph.json", timeout=60)
    assert response.status_code == 400
    answer = response.json()
    assert answer["error"] == "network-too-large"
    assert answer["max_nodes"] == 40 and answer["nodes"] > 40
    assert f"{answer['nodes']:,} nodes" in answer["message"] and "40" in answer["message"]
    assert "program" in answer["message"] and "type" in answer["message"], "it says how to narrow it"
    programs = {program["id"] for program in answer["programs"]}
    assert {RESOURCE + slug for slug in PROGRAM_VIEWS} <= programs, "the page can offer every program"
    assert {"Organization", "Program", "Proposal"} <= set(answer["categories"])
    organizations = answer["categories"]["Organization"]

    too_many = requests.get(capped_server + "/graph.json?types=Organization", timeout=60)
    assert too_many.status_code == 400
    assert too_many.json()["nodes"] == organizations
    assert f"{organizations:,} nodes" in too_many.json()["message"]


@pytest.mark.parametrize("program", ["act-x", "post-5g-project", "llm-building-support-program"])
def test_above_the_cap_the_program_filter_still_narrows(capped_server, program: str) -> None:
    response = requests.get(capped_server + f"/graph.json?program={RESOURCE + program}", timeout=60)
    assert response.status_code == 200
    assert {node["id"] for node in response.json()["nodes"]} == PROGRAM_VIEWS[program]


def test_above_the_cap_the_type_filter_still_narrows(capped_server) -> None:
    programs = requests.get(capped_server + "/graph.json?types=Program", timeout=60)
    assert programs.status_code == 200
    assert {node["category"] for node in programs.json()["nodes"]} == {"Program"}
    assert {RESOURCE + "act-x", RESOURCE + "geniac"} <= {node["id"] for node in programs.json()["nodes"]}
    players = requests.get(capped_server + "/graph.json?program=post-5g-project&types=Organization", timeout=60)
    assert players.status_code == 200
    # Section 2: NEDO selected the seven corporations, etc. of Table 1-2-3.
    assert {node["id"] for node in players.json()["nodes"]} == TABLE_1_2_3_PLAYERS | {RESOURCE + "nedo"}
    assert requests.get(capped_server + "/graph.json?types=Starship", timeout=60).status_code == 400
    assert requests.get(capped_server + "/graph.json?program=no-such-program", timeout=60).status_code == 404
