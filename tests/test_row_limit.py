"""`--max-rows` on SELECT answers: the query's outermost LIMIT is set to max_rows + 1 and the rows are written
natively; these tests hold the rewrite to the SPARQL grammar (solution modifiers, the trailing VALUES clause,
subqueries, comments) and the answers to what the unlimited query returns."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from jaikg.sparql import QueryRequest, QuerySyntaxError, answer_query
from jaikg.sparql_lexer import limit_solutions

EX = "http://example.org/"
TRICKY = 'line\nbreak\tand "quotes" and \\ backslash'


@pytest.fixture(scope="module")
def store() -> ox.Store:
    """Twelve subjects, each with one literal; the literal of s0 holds a newline, a tab, quotes and a backslash."""
    store = ox.Store()
    for i in range(12):
        value = ox.Literal(TRICKY) if i == 0 else ox.Literal(str(i), datatype=ox.NamedNode(
            "http://www.w3.org/2001/XMLSchema#integer"))
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), value, ox.DefaultGraph()))
    return store


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o }\nLIMIT 11\n"),
    ("SELECT * { ?s ?p ?o } # a comment", "SELECT * { ?s ?p ?o } # a comment\nLIMIT 11\n"),
    ("SELECT * { ?s ?p ?o } LIMIT 50", "SELECT * { ?s ?p ?o } LIMIT 11"),
    ("SELECT * { ?s ?p ?o } limit 50 OFFSET 2", "SELECT * { ?s ?p ?o } limit 11 OFFSET 2"),
    ("SELECT * { ?s ?p ?o } OFFSET 2", "SELECT * { ?s ?p ?o } OFFSET 2\nLIMIT 11\n"),
    ("SELECT * { ?s ?p ?o } VALUES ?s { <x:a> }", "SELECT * { ?s ?p ?o } LIMIT 11\nVALUES ?s { <x:a> }"),
    ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 99 } }", "SELECT * { { SELECT * { ?s ?p ?o } LIMIT 99 } }\nLIMIT 11\n"),
    ("SELECT * { ?s ?p ?o } ORDER BY (EXISTS { ?s ?p 1 })",
     "SELECT * { ?s ?p ?o } ORDER BY (EXISTS { ?s ?p 1 })\nLIMIT 11\n"),
    ('SELECT * { ?s ?p "} LIMIT 1" }', 'SELECT * { ?s ?p "} LIMIT 1" }\nLIMIT 11\n'),
])
def test_outermost_limit_is_set(query: str, expected: str) -> None:
    assert limit_solutions(query, 11) == expected


@pytest.mark.parametrize("query", ["SELECT * { ?s ?p ?o } LIMIT 11", "SELECT * { ?s ?p ?o } LIMIT 0 OFFSET 5"])
def test_a_query_limited_enough_is_left_alone(query: str) -> None:
    assert limit_solutions(query, 11) is None


def rows(store: ox.Store, query: str, max_rows: int | None, media_type: str = "application/sparql-results+json"):
    answer = answer_query(store, QueryRequest(query, media_type, max_rows=max_rows))
    return answer, json.loads(answer.body)["results"]["bindings"] if "json" in media_type else None


@pytest.mark.parametrize(("max_rows", "truncated", "count"), [(12, False, 12), (20, False, 12), (11, True, 11)])
def test_truncation_is_reported_only_when_rows_were_dropped(store: ox.Store, max_rows: int, truncated: bool,
                                                            count: int) -> None:
    answer, bindings = rows(store, "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s", max_rows)
    assert answer.truncated is truncated
    assert len(bindings) == count


@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml",
                                        "text/csv", "text/tab-separated-values"])
def test_a_limited_answer_is_byte_identical_to_the_unlimited_one(store: ox.Store, media_type: str) -> None:
    """The rows pass through TSV on their way to the media type: nothing of a literal may change on the way."""
    query = "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s"
    unlimited = answer_query(store, QueryRequest(query, media_type))
    limited = answer_query(store, QueryRequest(query, media_type, max_rows=100))
    assert limited.body == unlimited.body
    assert not limited.truncated


def test_trailing_values_and_subquery_limits_keep_their_meaning(store: ox.Store) -> None:
    _, bindings = rows(store, f"SELECT ?s {{ ?s ?p ?o }} VALUES ?s {{ <{EX}s1> <{EX}s2> }}", 5)
    assert sorted(b["s"]["value"] for b in bindings) == [f"{EX}s1", f"{EX}s2"]
    _, bindings = rows(store, "SELECT ?s { { SELECT ?s { ?s ?p ?o } ORDER BY ?s LIMIT 3 } }", 5)
    assert len(bindings) == 3


def test_a_syntax_error_points_where_the_user_wrote_it(store: ox.Store) -> None:
    """An ORDER BY with no condition: the rewritten text would put the error at the added LIMIT on line 2; the
    client must see the error of the query it sent, on line 1."""
    query = "SELECT * WHERE { ?s ?p ?o } ORDER BY"
    with pytest.raises(QuerySyntaxError) as limited:
        answer_query(store, QueryRequest(query, "text/csv", max_rows=10))
    with pytest.raises(QuerySyntaxError) as unlimited:
        answer_query(store, QueryRequest(query, "text/csv"))
    assert limited.value.line == 1
    assert (limited.value.line, limited.value.column, limited.value.message) == (
        unlimited.value.line, unlimited.value.column, unlimited.value.message)
