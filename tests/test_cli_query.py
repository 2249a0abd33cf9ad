"""`jaikg query`: the endpoint's answers and errors, on the embedded store, from the command line."""

from __future__ import annotations

import json

import rdflib

from .test_cli_validate import run_jaikg

PROLOGUE = """PREFIX jo: <https://w3id.org/jaikg/ontology#>
PREFIX jr: <https://w3id.org/jaikg/resource/>
"""
SWALLOW_DEVELOPERS = PROLOGUE + ("SELECT DISTINCT ?developer WHERE { jr:swallow jo:developer ?developer } "
                                  "ORDER BY ?developer")


def test_table_shows_swallows_developers_by_prefixed_name() -> None:
    done = run_jaikg("query", SWALLOW_DEVELOPERS)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].strip() == "developer"
    assert {line.strip() for line in lines[2:4]} == {"jr:aist", "jr:tokyo-tech"}
    assert lines[-1] == "2 rows"


def test_query_from_a_file_as_json(tmp_path) -> None:
    path = tmp_path / "developers.rq"
    path.write_text(SWALLOW_DEVELOPERS, encoding="utf-8")
    done = run_jaikg("query", str(path), "--format", "json")
    assert done.returncode == 0, done.stderr
    values = {b["developer"]["value"] for b in json.loads(done.stdout)["results"]["bindings"]}
    assert values == {"https://w3id.org/jaikg/resource/aist", "https://w3id.org/jaikg/resource/tokyo-tech"}


def test_construct_as_turtle() -> None:
    done = run_jaikg("query", "--format", "ttl", PROLOGUE + "CONSTRUCT { jr:swallow jo:developer ?d } WHERE "
                                                            "{ jr:swallow jo:developer ?d }")
    assert done.returncode == 0, done.stderr
    assert len(rdflib.Graph().parse(data=done.stdout, format="turtle")) == 2


def test_ask_and_csv() -> None:
    assert run_jaikg("query", "ASK { ?s ?p ?o }").stdout.strip() == "true"
    done = run_jaikg("query", "--format", "csv", SWALLOW_DEVELOPERS)
    assert done.stdout.splitlines()[0].strip() == "developer"


def test_malformed_query_exits_2_with_line_and_column() -> None:
    done = run_jaikg("query", PROLOGUE + "SELECT ?x WHERE {\n  ?x jo:developer\n}")
    assert done.returncode == 2
    assert "line 5, column 1" in done.stderr


def test_an_undeclared_prefix_exits_2_naming_it() -> None:
    done = run_jaikg("query", "SELECT ?d WHERE { jr:swallow ?p ?d }")
    assert done.returncode == 2
    assert "prefix jr: is not declared" in done.stderr and "line 1, column 19" in done.stderr


def test_wrong_format_for_the_query_form_exits_2() -> None:
    done = run_jaikg("query", "--format", "ttl", SWALLOW_DEVELOPERS)
    assert done.returncode == 2
    assert "text/turtle" in done.stderr


def test_a_query_file_that_is_not_utf8_exits_2_naming_it(tmp_path) -> None:
    path = tmp_path / "latin1.rq"
    path.write_bytes('SELECT ?s WHERE { ?s ?p "café" }'.encode("latin-1"))
    done = run_jaikg("query", str(path))
    assert done.returncode == 2
    assert "latin1.rq" in done.stderr and "UTF-8" in done.stderr and "Traceback" not in done.stderr
