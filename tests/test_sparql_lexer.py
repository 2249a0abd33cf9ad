"""The SPARQL tokenizer's shortcuts give the answers of a full tokenizing: the query form read from the prologue,
and the keyword searches that skip tokenizing a text which cannot contain the keyword."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jaikg.sparql import QueryRefused, refuse_outbound
from jaikg.sparql_lexer import (body_tokens, is_single_pattern_select, keyword_tokens, query_form, query_form_from_tokens,
                                service_targets, tokens, undeclared_prefix, words_containing)


@pytest.mark.parametrize(("query", "form"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT"),
    ("PREFIX jr: <https://w3id.org/jaikg/resource/>\nSELECT ?p ?o WHERE { jr:x ?p ?o }", "SELECT"),
    ("# a comment naming ASK\nBASE <http://example.org/>\nprefix : <x#>\n  construct { ?s ?p ?o } WHERE {}",
     "CONSTRUCT"),
    ("PREFIX a: <x:> DESCRIBE<x:y>", "DESCRIBE"),
    ("ask{}", "ASK"),
    ("PREFIX ex: <http://example.org/#SELECT>\nASK { ?s ?p ?o }", "ASK"),
    ("INSERT DATA { <a:b> <a:c> <a:d> }", None),
    ("{ SELECT * {} }", None),
    ("", None),
])
def test_the_form_of_a_query_is_the_keyword_after_its_prologue(query: str, form: str | None) -> None:
    assert query_form(query) == form


_space = st.sampled_from([" ", "\n", "\t", "\r\n", "  "])
_comment = st.sampled_from(["# SELECT", "#ASK {", "# PREFIX a: <x:>", "#"]).map(lambda text: text + "\n")
_name = st.sampled_from(["", "jr", "a.b", "ex-1", "é"])
_iri = st.sampled_from(["<>", "<http://example.org/>", "<urn:SELECT>", "<x#y>"])
_declaration = st.one_of(
    st.builds(lambda keyword, name, gap, iri: f"{keyword}{gap}{name}:{gap}{iri}",
              st.sampled_from(["PREFIX", "prefix", "Prefix"]), _name, st.sampled_from([" ", "", "\n"]), _iri),
    st.builds(lambda keyword, gap, iri: f"{keyword}{gap}{iri}", st.sampled_from(["BASE", "base"]),
              st.sampled_from([" ", ""]), _iri),
)
_prologue = st.lists(st.one_of(_space, _comment, st.builds(lambda d, s: d + s, _declaration, _space)), max_size=6)
_form = st.sampled_from(["SELECT", "select", "ASK", "Construct", "DESCRIBE", "SELECTED", "INSERT", "{", "WITH"])
_rest = st.sampled_from(["", " * { ?s ?p ?o }", "{}", "* {}", ":x", "<a:b>", "x {}"])


@settings(max_examples=400, deadline=None)
@given(_prologue, _form, _rest)
def test_the_prologue_shortcut_agrees_with_the_tokens(prologue: list[str], form: str, rest: str) -> None:
    query = "".join(prologue) + form + rest
    assert query_form(query) == query_form_from_tokens(query)


@settings(max_examples=400, deadline=None)
@given(_prologue, _form, _rest)
def test_the_body_tokens_are_the_tokens_from_the_form_keyword_on(prologue: list[str], form: str, rest: str) -> None:
    """The shortcut `limit_solutions` and the point-lookup check read: the same tokens, at the same offsets and
    brace depths, as tokenizing the whole text and dropping the prologue."""
    query = "".join(prologue) + form + rest
    body = body_tokens(query)
    assert body == tokens(query)[len(tokens(query)) - len(body):]
    if query_form(query) is not None and query_form(query) == query_form_from_tokens(query):
        assert body[0].is_keyword(query_form(query))


@pytest.mark.parametrize(("text", "first_use"), [
    ("SELECT * { ?s ex:p ?o }", "ex:p"),
    ("PREFIX ex: <http://example.org/>\nSELECT * { ?s ex:p ?o }", None),
    ("SELECT * { ?s ex:p ?o } # PREFIX ex: <x:>", "ex:p"),
    ('SELECT * { ?s <urn:a:b> "c:d" . ?s ?p _:b } # e:f', None),  # IRIs, strings, comments, blank nodes
    ("PREFIX : <x:> SELECT * { ?s :p ?o ; a:b ?c }", "a:b"),
    ("INSERT DATA { ex:a ex:b ex:c } ; PREFIX ex: <x:> INSERT DATA { ex:a ex:b ex:c }", "ex:a"),
])
def test_an_undeclared_prefix_is_found_where_it_is_first_used(text: str, first_use: str | None) -> None:
    """A prefix counts as declared from its `PREFIX` on (an update may declare one between its operations)."""
    expected = None if first_use is None else (first_use.partition(":")[0], text.index(first_use))
    assert undeclared_prefix(text) == expected


POINT_PROLOGUE = "PREFIX jr: <https://w3id.org/jaikg/resource/>\nBASE <http://example.org/>\n"


@pytest.mark.parametrize("query", [
    POINT_PROLOGUE + "SELECT ?p ?o WHERE { jr:swallow ?p ?o }",
    "SELECT * { ?s a <x> . } LIMIT 5",
    "select ?s where {?s ?p 'x'}\n# a comment",
    "SELECT ?s WHERE { ?s <p> 42 }",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 10",
])
def test_a_select_over_one_triple_pattern_is_a_point_lookup(query: str) -> None:
    assert is_single_pattern_select(query)


@pytest.mark.parametrize("query", [
    "SELECT DISTINCT ?p WHERE { ?s ?p ?o }",  # DISTINCT reads on past duplicates
    "SELECT REDUCED ?o WHERE { <s> <p> ?o }",
    "SELECT ?p WHERE { ?s ?p ?o } OFFSET 5",  # reads the rows it skips
    "SELECT ?o WHERE { <s> <p> ?o } LIMIT 5 OFFSET 2",
    "SELECT ?p WHERE { ?s ?p ?o } ORDER BY ?p",  # reads every row to sort them
    "SELECT ?o WHERE { <s> <p> ?o } GROUP BY ?o",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "SELECT ?o WHERE { <s> <p>/<q> ?o }",  # property paths
    "SELECT ?o WHERE { <s> <p>* ?o }",
    "SELECT ?o WHERE { <s> ^<p> ?o }",
    "SELECT ?o WHERE { <s> <p> ?o . <s> <q> ?o }",  # a join
    "SELECT ?o WHERE { <s> <p> ?o ; <q> ?z }",
    "SELECT ?o WHERE { <s> <p> ?o , ?q }",
    "SELECT ?o WHERE { <s> <p> ?o FILTER(?o) }",
    "SELECT ?o FROM <g> WHERE { <s> <p> ?o }",
    "SELECT ?o WHERE { GRAPH ?g { <s> <p> ?o } }",
    "SELECT ?o WHERE { <s> <p> ?o } VALUES ?o { 1 }",
    "SELECT ?o WHERE { <s> <p> [] }",
    'SELECT ?o WHERE { <s> <p> "x"@en }',
    "SELECT ?o WHERE { <s> <p> true }",
    "SELECT ?o WHERE { { <s> <p> ?o } }",
    "ASK { <s> <p> ?o }",
    "CONSTRUCT WHERE { <s> <p> ?o }",
    "SELECT WHERE { <s> <p> ?o }",
    "SELECT ?o WHERE { <s> <p> }",
    "SELECT ?o WHERE { <s> <p> ?o } LIMIT 2 LIMIT 3",
    'SELECT ?o WHERE { <s> <p> "{" }',  # a brace in a string: not worth telling apart
    "SELECT * WHERE { ?x ?x ?x }",  # a repeated variable filters what the scan reads: it may read everything
    "SELECT ?x WHERE { ?x <p> $x }",
    "",
])
def test_anything_more_than_one_scan_is_not_a_point_lookup(query: str) -> None:
    assert not is_single_pattern_select(query)


def test_a_keyword_found_only_through_case_mapping_is_still_refused() -> None:
    """ſ (long s) upper-cases to S: the shortcut searches the upper-cased text as the tokens do. (The glued and
    disguised forms are in test_safety_outbound.py.)"""
    with pytest.raises(QueryRefused):
        refuse_outbound("SELECT * { ſervice <http://evil.example/> { ?s ?p ?o } }", ())


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o }",
    'SELECT * { ?s <urn:SERVICE> "LOAD FROM" } # SERVICE LOAD FROM',
])
def test_texts_without_the_keywords_outside_strings_find_none(query: str) -> None:
    assert service_targets(query) == []
    assert words_containing(query, "LOAD") == []
    assert keyword_tokens(query, "FROM") == []
