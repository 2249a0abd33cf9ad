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


def slugs(*names: str) -> set[str]:
    return {RESOURCE + name for name in names}


POST_5G_PROPOSALS = slugs(*(f"post-5g-proposal-{player}" for player in (
    "abeja", "preferred-elements", "university-of-tokyo", "sakana-ai", "stockmark", "nii", "turing")))

PROGRAM_VIEWS: dict[str, set[str]] = {
    # Table 1-2-9: "ACT-X (MEXT and the JST)": nobody else. Not BOOST or K-DASH (other MEXT programs), nor METI
    # or MIC (ministries MEXT is a partner of).
    "act-x": slugs("act-x", "mext", "jst"),
    # Table 1-2-9: "Broadening Opportunities for Outstanding young researchers and doctoral students (BOOST) …
    # (MEXT and the JST)"; Section 5: "MEXT launched … BOOST … and the Japan Science and Technology Agency (JST)
    # started the public solicitation".
    "boost": slugs("boost", "mext", "jst"),
    # Section 2: "METI launched … GENIAC … Under this framework, the New Energy and Industrial Technology
    # Development Organization (NEDO) publicly solicited companies, etc. … for the 'Research and Development
    # Project of the Enhanced Infrastructures for Post-5G Information and Communication Systems,' and selected the
    # seven corporations, etc. shown in Table 1-2-3": NEDO, the seven proposals and players, and GENIAC the project
    # is part of. Not METI: the text says METI launched GENIAC, not the Post-5G project.
    "post-5g-project": slugs("post-5g-project", "nedo", "geniac") | POST_5G_PROPOSALS | TABLE_1_2_3_PLAYERS,
    # The same passage from GENIAC's side: METI launched it, the Post-5G project is under its framework.
    "geniac": slugs("geniac", "meti", "post-5g-project", "nedo") | POST_5G_PROPOSALS | TABLE_1_2_3_PLAYERS,
    # Table 1-2-9: "K-DASH … (MEXT and the National Institute of Technology) … Asahikawa College and Toyama College,
    # as base schools, implement mathematics, data science, and AI education".
    "k-dash": slugs("k-dash", "mext", "national-institute-of-technology", "asahikawa-kosen", "toyama-kosen"),
    # Section 4: "… Cross Community Collaboration Program … with the initiative of the Cabinet Office, MEXT, and
    # METI".
    "k-program": slugs("k-program", "cabinet-office", "mext", "meti"),
    # Table 1-2-9: "MITOU Program (METI and the Information-technology Promotion Agency) … Implements the
    # following: the 'MITOU IT Program …', the 'MITOU Advanced Program' … and the 'MITOU Target Program'".
    "mitou-program": slugs("mitou-program", "meti", "ipa", "mitou-it-program", "mitou-advanced-program",
                           "mitou-target-program"),
    "mitou-it-program": slugs("mitou-it-program", "mitou-program"),
    # Section 3: "AIST provided a 'Large-scale Language Model Building Support Program' which allows users … to
    # reserve and use abundant computing resources" (of the ABCI); Table 1-2-6 (the three proposals, their
    # representative and participating organizations); "… leading to the development of 'Swallow' and
    # 'ELYZA-japanese-Llama-2-70b'". Not the LLM-jp models: the text does not say the program led to them.
    "llm-building-support-program": slugs(
        "llm-building-support-program", "aist", "abci", "llm-support-2023-pfn", "llm-support-2023-nii",
        "llm-support-2023-elyza", "preferred-networks", "nii", "tokyo-tech", "llm-jp", "elyza", "swallow",
        "elyza-japanese-llama-2-70b"),
    # Section 3: "the government has approved plans of entities such as the University of Tokyo (…), SAKURA
    # internet Inc., SoftBank Corp., and Xeureka Inc. (…)". Not their data centres (figures, not plans).
    "cloud-program-stable-supply": slugs(
        "cloud-program-stable-supply", "cloud-plan-university-of-tokyo", "cloud-plan-sakura-internet",
        "cloud-plan-softbank", "cloud-plan-xeureka", "university-of-tokyo", "sakura-internet", "softbank",
        "xeureka"),
    # Table 1-2-9 "(MEXT)", its literacy and advanced literacy levels; Section 5: Gifu University "has been
    # certified under the 'Approved Program …'", Toyama KOSEN "was selected under the '… – Literacy Plus'".
    "approved-program-mdsai": slugs(
        "approved-program-mdsai", "mext", "approved-program-literacy-level", "approved-program-advanced-literacy-level",
        "approved-program-literacy-plus", "gifu-university-approved-program-certification", "gifu-university",
        "toyama-kosen-literacy-plus-selection", "toyama-kosen"),
    "approved-program-literacy-plus": slugs(
        "approved-program-literacy-plus", "approved-program-mdsai", "toyama-kosen-literacy-plus-selection",
        "toyama-kosen"),
}
"""What the program filter must show for each program, from the text: the program, who runs or implements it,
the programs it contains or is part of, what it selected, the players of those selections and what they led to,
the compute it provides. Nothing reached only through a player's other links."""


@pytest.mark.parametrize("program", sorted(PROGRAM_VIEWS))
def test_program_filter_follows_the_programs_own_relations(shipped_store, network, program: str) -> None:
    assert set(build_network(shipped_store, program=program)) == PROGRAM_VIEWS[program]
    marked = {node for node, programs in network.nodes(data="programs") if RESOURCE + program in programs.split()}
    assert marked == PROGRAM_VIEWS[program], "the page filters by the nodes' `programs`"


@pytest.mark.parametrize("program", sorted(PROGRAM_VIEWS))
def test_program_view_built_within_a_node_cap_is_the_same(shipped_store, program: str) -> None:
    """Above the cap the view is built by SPARQL from the program outwards, not from the whole network: the same
    nodes, edges and attributes."""
    whole = build_network(shipped_store, program=program)
    bounded = build_network(shipped_store, program=program, max_nodes=40)
    assert dict(bounded.nodes(data=True)).keys() == dict(whole.nodes(data=True)).keys()
    assert sorted(bounded.edges(keys=True)) == sorted(whole.edges(keys=True))
    for node in whole:
        assert {k: v for k, v in bounded.nodes[node].items() if k != "programs"} == {
            k: v for k, v in whole.nodes[node].items() if k != "programs"}
