"""Who is central in the network: degree and betweenness centrality, communities, and the programs that connect the
most players. Computed on the undirected simple graph (one link between two nodes, whatever its relations)."""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from .network import program_neighbourhood
from .texttable import clip, text_table

PLAYER_CATEGORIES = ("Organization", "Person")


@dataclass(frozen=True)
class NodeScore:
    label: str
    type: str
    degree: int
    degree_centrality: float
    betweenness: float


@dataclass(frozen=True)
class ProgramReach:
    label: str
    players: int
    """Organizations and people in the program's neighbourhood (its parts, proposals, their players)."""
    nodes: int


@dataclass(frozen=True)
class NetworkStats:
    nodes: int
    edges: int
    hubs: list[NodeScore]
    brokers: list[NodeScore]
    programs: list[ProgramReach]
    communities: list[list[str]]

    def as_text(self) -> str:
        lines = [f"nodes: {self.nodes}   links: {self.edges}   communities: {len(self.communities)}", "",
                 "Hubs: organizations by degree"]
        lines += _score_table(self.hubs)
        lines += ["", "Brokers: organizations by betweenness centrality"]
        lines += _score_table(self.brokers)
        lines += ["", "Programs by the players they connect"]
        lines += text_table(["program", "players", "nodes"],
                            [[p.label, str(p.players), str(p.nodes)] for p in self.programs])
        groups = [c for c in self.communities if len(c) > 1]
        lines += ["", "Communities (greedy modularity), largest first, best-connected members first"
                  f" ({len(self.communities) - len(groups)} unconnected nodes not listed)"]
        lines += text_table(["#", "size", "members"],
                            [[str(i), str(len(c)), _members(c)] for i, c in enumerate(groups, 1)], width=160)
        return "\n".join(lines)


def _members(community: list[str], shown: int = 5) -> str:
    return ", ".join(clip(m, 28) for m in community[:shown]) + (", …" if len(community) > shown else "")


def _score_table(scores: list[NodeScore]) -> list[str]:
    return text_table(["name", "type", "degree", "degree centrality", "betweenness"],
                      [[s.label, s.type, str(s.degree), f"{s.degree_centrality:.3f}", f"{s.betweenness:.3f}"]
                       for s in scores])


def network_stats(graph: nx.MultiDiGraph, top: int = 10) -> NetworkStats:
    simple = nx.Graph(graph.to_undirected())
    degree = nx.degree_centrality(simple) if len(simple) > 1 else {n: 0.0 for n in simple}
    betweenness = nx.betweenness_centrality(simple)

    def score(node: str) -> NodeScore:
        data = graph.nodes[node]
        return NodeScore(data["label"], data["type"], simple.degree(node), degree[node], betweenness[node])

    organizations = [n for n, c in graph.nodes(data="category") if c == "Organization"]
    hubs = sorted(organizations, key=lambda n: (-simple.degree(n), -betweenness[n], n))[:top]
    brokers = sorted(organizations, key=lambda n: (-betweenness[n], -simple.degree(n), n))[:top]
    programs = []
    for node in (n for n, c in graph.nodes(data="category") if c == "Program"):
        reach = program_neighbourhood(graph, node)
        players = sum(1 for n in reach if graph.nodes[n]["category"] in PLAYER_CATEGORIES)
        programs.append(ProgramReach(graph.nodes[node]["label"], players, len(reach)))
    programs.sort(key=lambda p: (-p.players, -p.nodes, p.label))
    communities = [sorted(c, key=lambda n: (-simple.degree(n), n))
                   for c in nx.community.greedy_modularity_communities(simple)] if simple.number_of_edges() else []
    labelled = [[graph.nodes[n]["label"] for n in c] for c in sorted(communities, key=lambda c: (-len(c), c[0]))]
    return NetworkStats(simple.number_of_nodes(), simple.number_of_edges(), [score(n) for n in hubs],
                        [score(n) for n in brokers], programs, labelled)
