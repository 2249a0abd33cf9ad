"""`--max-rows` on SELECT answers: the query's outermost LIMIT is set to max_rows + 1 and the rows are written
natively; these tests hold the rewrite to the SPARQL grammar (solution modifiers, the trailing VALUES clause,
subqueries, comments) and the answers to what the unlimited query returns."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jaikg import result_rows
from jaikg.result_rows import count_rows, most_rows, without_last_row
from jaikg.sparql import SOLUTION_TYPES, QueryRequest, QuerySyntaxError, answer_query
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
    """With 10 rows allowed, the query asks for 11: one more than the limit tells a cut answer from a whole one."""
    assert limit_solutions(query, 10) == expected


@pytest.mark.parametrize("query", ["SELECT * { ?s ?p ?o } LIMIT 10", "SELECT * { ?s ?p ?o } LIMIT 0 OFFSET 5"])
def test_a_query_limited_enough_is_left_alone(query: str) -> None:
    assert limit_solutions(query, 10) is None


def test_a_query_limited_to_one_row_more_than_allowed_is_still_limited() -> None:
    assert limit_solutions("SELECT * { ?s ?p ?o } LIMIT 11", 10) == "SELECT * { ?s ?p ?o } LIMIT 11"


@pytest.mark.parametrize("own_limit", [11, 12])
def test_the_querys_own_limit_does_not_lift_the_row_limit(store: ox.Store, own_limit: int) -> None:
    """Twelve rows, ten allowed: a query asking for 11 or 12 gets ten, marked as cut."""
    answer, bindings = rows(store, f"SELECT ?s ?o {{ ?s ?p ?o }} ORDER BY ?s LIMIT {own_limit}", 10)
    assert answer.truncated and len(bindings) == 10


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
    """Nothing of a literal may change on the way: written once (CSV: through TSV) and counted in the bytes."""
    query = "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s"
    unlimited = answer_query(store, QueryRequest(query, media_type))
    limited = answer_query(store, QueryRequest(query, media_type, max_rows=100))
    assert limited.body == unlimited.body
    assert not limited.truncated


@pytest.mark.parametrize("media_type", list(SOLUTION_TYPES))
def test_truncation_is_reported_in_every_media_type(store: ox.Store, media_type: str) -> None:
    """Twelve rows: a limit of 11 cuts the last one and says so, a limit of 12 gives the whole answer."""
    query = "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s"
    whole = answer_query(store, QueryRequest(query, media_type)).body
    cut = answer_query(store, QueryRequest(query, media_type, max_rows=11))
    assert cut.truncated
    assert answer_query(store, QueryRequest(query.replace("ORDER BY ?s", "ORDER BY ?s LIMIT 11"), media_type)).body \
        == cut.body
    complete = answer_query(store, QueryRequest(query, media_type, max_rows=12))
    assert not complete.truncated and complete.body == whole


MARKUP = ['{"type":"uri"}', "{", "}{}{", "<result>", "</result><result>", "a\nb\r\nc", '"type":"literal"', "\t"]


@pytest.fixture(scope="module")
def markup_store() -> ox.Store:
    """One row per literal that looks like the syntax of a results format: braces, tags, line breaks."""
    store = ox.Store()
    for i, text in enumerate(MARKUP):
        store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p"), ox.Literal(text), ox.DefaultGraph()))
    return store


@pytest.mark.parametrize("media_type", list(SOLUTION_TYPES))
def test_literals_that_look_like_syntax_neither_cut_nor_hide_a_row(markup_store: ox.Store, media_type: str) -> None:
    query = "SELECT ?s ?o { ?s ?p ?o } ORDER BY ?s"
    whole = answer_query(markup_store, QueryRequest(query, media_type)).body
    complete = answer_query(markup_store, QueryRequest(query, media_type, max_rows=len(MARKUP)))
    assert not complete.truncated and complete.body == whole
    assert answer_query(markup_store, QueryRequest(query, media_type, max_rows=len(MARKUP) - 1)).truncated


COUNTABLE = {media_type: form for media_type, form in SOLUTION_TYPES.items() if form in result_rows.COUNTABLE}


@pytest.mark.parametrize("media_type", list(COUNTABLE))
@settings(max_examples=60, deadline=None)
@given(texts=st.lists(st.text(), max_size=6), width=st.integers(min_value=0, max_value=3))
def test_rows_are_bounded_counted_and_dropped_in_the_bytes(media_type: str, texts: list[str], width: int) -> None:
    """Whatever the literals hold and however many variables a row binds: the bound read off the bytes is never
    below the number of rows (an answer it lets through uncounted never had to be cut), the count is exact, and
    dropping the last row leaves what the query gives with one row fewer, byte for byte."""
    store = ox.Store()
    for i, text in enumerate(texts):
        for j in range(width):
            store.add(ox.Quad(ox.NamedNode(f"{EX}s{i}"), ox.NamedNode(f"{EX}p{j}"), ox.Literal(text),
                              ox.DefaultGraph()))
    variables = " ".join(f"?o{j}" for j in range(width))
    patterns = " ".join(f"?s <{EX}p{j}> ?o{j} ." for j in range(width))

    def answer(rows: int) -> bytes:
        subjects = " ".join(f"<{EX}s{i}>" for i in range(rows))
        query = f"SELECT ?s {variables} {{ VALUES ?s {{ {subjects} }} OPTIONAL {{ {patterns} }} }}"
        return answer_query(store, QueryRequest(query, media_type)).body

    body, form = answer(len(texts)), COUNTABLE[media_type]
    assert most_rows(body, form) >= len(texts)
    assert count_rows(body, form) == len(texts)
    if texts:
        assert without_last_row(body, form) == answer(len(texts) - 1)


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
