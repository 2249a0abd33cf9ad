"""The network of organizations and what they work on: read back from GraphML and GEXF as Gephi would, checked
against edges the chapter states (expected values come from the text, not from running the code)."""

from __future__ import annotations

import json
import struct
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from jaikg.namespaces import RESOURCE
from jaikg.network import build_network
from jaikg.network_formats import write_network
from jaikg.network_stats import network_stats

from .test_cli_validate import run_jaikg

SWALLOW = RESOURCE + "swallow"
POST_5G = RESOURCE + "post-5g-project"
TABLE_1_2_3_PLAYERS = {RESOURCE + slug for slug in (
    "abeja", "preferred-elements", "university-of-tokyo", "sakana-ai", "stockmark", "nii", "turing")}
"""Table 1-2-3: the seven corporations, etc. NEDO selected for the Post-5G project (within GENIAC)."""


@pytest.fixture(scope="module")
def network(shipped_store) -> nx.MultiDiGraph:
    return build_network(shipped_store)


def read_back(network: nx.MultiDiGraph, fmt: str, tmp_path) -> nx.MultiDiGraph:
    path = tmp_path / f"network.{fmt}"
    path.write_bytes(write_network(network, fmt))
    return nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)


def relations(graph: nx.MultiDiGraph, source: str, target: str) -> set[str]:
    return {data["relation"] for data in graph.get_edge_data(source, target, default={}).values()}


def players_selected_by(graph: nx.MultiDiGraph, program: str) -> set[str]:
    proposals = {s for s, t, d in graph.in_edges(program, data=True) if d["relation"] == "selected by"}
    return {s for proposal in proposals for s, _, d in graph.in_edges(proposal, data=True)
            if d["relation"] == "selected for"}


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_gephi_formats_carry_the_known_edges_of_the_text(network, fmt: str, tmp_path) -> None:
    graph = read_back(network, fmt, tmp_path)
    assert "developed" in relations(graph, RESOURCE + "tokyo-tech", SWALLOW)
    assert "developed" in relations(graph, RESOURCE + "aist", SWALLOW)
    assert players_selected_by(graph, POST_5G) == TABLE_1_2_3_PLAYERS
    assert "part of" in relations(graph, POST_5G, RESOURCE + "geniac")
    assert "implements" in relations(graph, RESOURCE + "nedo", POST_5G)
    assert "funds/runs" in relations(graph, RESOURCE + "meti", RESOURCE + "geniac")
    assert "operates" in relations(graph, RESOURCE + "aist", RESOURCE + "abci")


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_nodes_carry_labels_type_and_iri_as_plain_strings(network, fmt: str, tmp_path) -> None:
    graph = read_back(network, fmt, tmp_path)
    swallow = graph.nodes[SWALLOW]
    assert swallow["label_en"] == "Swallow"
    assert swallow["type"] == "ModelFamily"
    assert swallow["category"] == "Model"
    assert swallow["iri"] == SWALLOW
    assert graph.nodes[RESOURCE + "nedo"]["label_ja"] == "新エネルギー・産業技術総合開発機構"
    assert {data["category"] for _, data in graph.nodes(data=True)} == {
        "Organization", "Person", "Program", "Project", "Proposal", "Model", "Compute", "Corpus"}
    for _, data in graph.nodes(data=True):
        assert all(isinstance(value, str) for value in data.values())


def test_gexf_is_valid_xml_of_the_gexf_namespace(network) -> None:
    root = ET.fromstring(write_network(network, "gexf"))
    assert root.tag.endswith("}gexf")


def test_program_neighbourhood_holds_the_players_it_selected(shipped_store) -> None:
    around = build_network(shipped_store, program="geniac")
    assert TABLE_1_2_3_PLAYERS <= set(around)
    assert RESOURCE + "geniac" in around
    assert RESOURCE + "tsuzumi" not in around


def test_type_filter_keeps_only_those_types(shipped_store) -> None:
    universities = build_network(shipped_store, types=["University"])
    assert RESOURCE + "tokyo-tech" in universities
    assert {data["type"] for _, data in universities.nodes(data=True)} == {"University"}
    players = build_network(shipped_store, types=["organization", "Program"])
    categories = {data["category"] for _, data in players.nodes(data=True)}
    assert {"Organization", "Program"} <= categories
    assert not categories & {"Person", "Proposal", "Model", "Compute", "Corpus"}


def test_json_is_node_link_with_positions(network) -> None:
    data = json.loads(write_network(network, "json"))
    assert {"nodes", "links", "colours"} <= set(data)
    assert all({"id", "x", "y", "label_en", "type"} <= set(node) for node in data["nodes"])
    assert any(link["source"] == RESOURCE + "aist" and link["target"] == SWALLOW for link in data["links"])


def test_png_is_a_png_of_the_stated_size(network) -> None:
    image = write_network(network, "png")
    assert image[:8] == b"\x89PNG\r\n\x1a\n"
    assert image[12:16] == b"IHDR"
    assert struct.unpack(">II", image[16:24]) == (1600, 1200)


def test_svg_and_html_are_self_contained(network) -> None:
    assert b"<svg" in write_network(network, "svg")
    page = write_network(network, "html").decode("utf-8")
    assert "<script src=" not in page and "cytoscape" in page and 'id="network-data"' in page


def test_stats_name_the_program_that_connects_the_seven_players(network) -> None:
    stats = network_stats(network)
    geniac = next(p for p in stats.programs if p.label == "GENIAC")
    assert geniac.players >= len(TABLE_1_2_3_PLAYERS)
    assert "Hubs" in stats.as_text()


def test_cli_graph_writes_a_png_and_prints_stats(tmp_path) -> None:
    target = tmp_path / "network.png"
    done = run_jaikg("graph", "--format", "png", "-o", str(target), "--stats")
    assert done.returncode == 0, done.stderr
    assert target.read_bytes()[:4] == b"\x89PNG"
    assert "betweenness" in done.stdout
    assert run_jaikg("graph", "--program", "no-such-program").returncode == 2
