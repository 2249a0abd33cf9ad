"""Every quote in the shipped data occurs verbatim in the source chapter (DESIGN.md §4)."""

from __future__ import annotations

import pyoxigraph as ox

from jaikg.namespaces import ONTOLOGY
from jaikg.resources import source_text_file
from jaikg.validation import check_quotes, fold_whitespace

from .conftest import REPO, SHARED


def test_every_quote_is_in_the_source(shipped_store: ox.Store) -> None:
    assert check_quotes(shipped_store) == []


def test_there_are_quotes_to_check(shipped_store: ox.Store) -> None:
    count = next(iter(shipped_store.query(f"SELECT (COUNT(*) AS ?n) {{ GRAPH ?e {{ ?e <{ONTOLOGY}quote> ?q }} }}")))
    assert int(count["n"].value) > 100


def test_the_check_catches_an_altered_quote(shipped_store: ox.Store) -> None:
    source = source_text_file().read_text(encoding="utf-8")
    altered = source.replace("tsuzumi", "tzuzumi")
    assert check_quotes(shipped_store, altered), "quotes mentioning tsuzumi should no longer verify"


def test_whitespace_folding() -> None:
    assert fold_whitespace("Player\tOutline \n  ABEJA") == "Player Outline ABEJA"


def test_shipped_source_is_the_chapter() -> None:
    shipped = source_text_file().read_text(encoding="utf-8")
    assert source_text_file().is_relative_to(REPO)
    original = SHARED / "source" / "ai-rnd-in-japan.md"
    if original.exists():
        assert shipped == original.read_text(encoding="utf-8")


def test_one_evidence_graph_per_passage(shipped_store: ox.Store) -> None:
    """The facts a passage states are in the one graph of its quote (docs/modelling.md): no more graphs share a
    quote than the times it is printed."""
    source = fold_whitespace(source_text_file().read_text(encoding="utf-8"))
    graphs: dict[str, list[str]] = {}
    for row in shipped_store.query(f"SELECT ?e ?q {{ GRAPH ?e {{ ?e <{ONTOLOGY}quote> ?q }} }}"):
        graphs.setdefault(fold_whitespace(row["q"].value), []).append(row["e"].value)
    shared = {quote: sorted(names) for quote, names in graphs.items() if len(names) > source.count(quote)}
    assert shared == {}


def test_an_entity_is_typed_and_named_in_one_graph(shipped_store: ox.Store) -> None:
    """docs/modelling.md: an entity's rdf:type and labels sit in the graph of the quote that introduces it. Stated
    in a second graph too, they are counted twice wherever a query counts over the union default graph."""
    repeated = shipped_store.query("""
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?s ?p ?o WHERE {
          VALUES ?p { rdf:type rdfs:label skos:altLabel }
          GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/jaikg/evidence/"))
        } GROUP BY ?s ?p ?o HAVING (COUNT(?g) > 1)""", prefixes={"rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#"})
    assert [(row["s"].value, row["p"].value, str(row["o"])) for row in repeated] == []
