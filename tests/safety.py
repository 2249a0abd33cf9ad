"""Helpers for the safety tests: a generated graph big enough for queries that run for minutes, and HTTP clients
that come from distinct loopback addresses (each is "another client" for the per-client limits)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import requests
from requests.adapters import HTTPAdapter

GENERATED = "http://example.org/generated/"


def generated_quads(subjects: int = 20_000, predicates: int = 10) -> list[ox.Quad]:
    """subjects × predicates triples (200,000 by default) in one named graph: each subject links to the next and
    has a numbered label."""
    graph = ox.NamedNode(GENERATED + "graph")
    names = [ox.NamedNode(f"{GENERATED}s{i}") for i in range(subjects)]
    quads = []
    for i, subject in enumerate(names):
        for p in range(predicates):
            predicate = ox.NamedNode(f"{GENERATED}p{p}")
            value = names[(i + p + 1) % subjects] if p % 2 else ox.Literal(f"item {i} {p}")
            quads.append(ox.Quad(subject, predicate, value, graph))
    return quads


def generated_store(**sizes: int) -> ox.Store:
    store = ox.Store()
    store.extend(generated_quads(**sizes))
    return store


CROSS_PRODUCT_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"
"""Counts (number of triples)³ rows: it would run for hours on any graph of some size."""


class SourceAddressAdapter(HTTPAdapter):
    """Connections from a chosen local address, such as 127.0.0.2 (all of 127.0.0.0/8 is loopback on Linux)."""

    def __init__(self, source_address: str) -> None:
        self.source_address = source_address
        super().__init__()

    def init_poolmanager(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        kwargs["source_address"] = (self.source_address, 0)
        super().init_poolmanager(*args, **kwargs)


def client_from(address: str) -> requests.Session:
    """A session whose requests come from `address`."""
    session = requests.Session()
    adapter = SourceAddressAdapter(address)
    session.mount("http://", adapter)
    return session


def process_exists(pid: int) -> bool:
    """Whether a process (not yet reaped) has this id; Linux."""
    return Path(f"/proc/{pid}").exists()
