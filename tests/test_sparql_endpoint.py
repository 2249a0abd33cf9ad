"""The SPARQL 1.1 Protocol endpoint over real HTTP: queries, formats, errors, SERVICE refusal, CORS, limits,
updates. Facts asserted are the report's (Swallow was developed by Tokyo Tech and AIST)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pyoxigraph as ox
import pytest
import requests
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from jaikg.loading import build_store
from tests.conftest import FIXTURES
from tests.live import free_port, thread_server

JR = "https://w3id.org/jaikg/resource/"
PREFIXES = "PREFIX jo: <https://w3id.org/jaikg/ontology#>\nPREFIX jr: <https://w3id.org/jaikg/resource/>\n"
SWALLOW_DEVELOPERS = PREFIXES + "SELECT ?dev WHERE { jr:swallow jo:developer ?dev } ORDER BY ?dev"


def developers(bindings: list[dict]) -> set[str]:
    return {row["dev"]["value"] for row in bindings}


def test_get_select_answers_sparql_json_by_default(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": SWALLOW_DEVELOPERS}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert {JR + "tokyo-tech", JR + "aist"} <= developers(response.json()["results"]["bindings"])


@pytest.mark.parametrize("method", ["GET", "POST", "POST_DIRECTLY"])
def test_sparqlwrapper_select_every_method(live_server: str, method: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(SWALLOW_DEVELOPERS)
    client.setReturnFormat(JSON)
    client.setMethod("GET" if method == "GET" else "POST")
    if method == "POST_DIRECTLY":
        client.setRequestMethod("postdirectly")
    result = client.queryAndConvert()
    assert {JR + "tokyo-tech", JR + "aist"} <= developers(result["results"]["bindings"])


def test_sparqlwrapper_ask_and_construct(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(PREFIXES + "ASK { jr:swallow jo:developer jr:aist }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is True
    client.setQuery(PREFIXES + "CONSTRUCT { jr:swallow jo:developer ?d } WHERE { jr:swallow jo:developer ?d }")
    client.setReturnFormat(TURTLE)
    graph = client.queryAndConvert()
    parsed = list(ox.parse(graph if isinstance(graph, bytes) else graph.encode(), format=ox.RdfFormat.TURTLE))
    assert ox.NamedNode(JR + "tokyo-tech") in {t.object for t in parsed}


def test_the_default_graph_is_the_union_and_evidence_is_a_graph_away(live_server: str) -> None:
    query = PREFIXES + """SELECT ?quote WHERE { GRAPH ?ev { jr:swallow jo:developer jr:tokyo-tech }
                          ?ev jo:quote ?quote }"""
    rows = requests.post(live_server + "/sparql", data={"query": query}, timeout=30).json()["results"]["bindings"]
    assert any("Tokyo Institute of Technology, and AIST rolled out" in row["quote"]["value"] for row in rows)


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/sparql-results+xml",
                                    "text/csv", "text/tab-separated-values"])
def test_select_in_every_results_format(live_server: str, accept: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": SWALLOW_DEVELOPERS},
                            headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    if accept == "text/csv":
        values = {row["dev"] for row in csv.DictReader(io.StringIO(response.text))}
    else:
        fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
               "application/sparql-results+xml": ox.QueryResultsFormat.XML,
               "text/tab-separated-values": ox.QueryResultsFormat.TSV}[accept]
        values = {row["dev"].value for row in ox.parse_query_results(response.content, fmt)}
    assert {JR + "tokyo-tech", JR + "aist"} <= values


@pytest.mark.parametrize("accept,rdf_format", [
    ("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("application/trig", ox.RdfFormat.TRIG), ("application/n-quads", ox.RdfFormat.N_QUADS)])
def test_construct_in_every_rdf_format(live_server: str, accept: str, rdf_format: ox.RdfFormat) -> None:
    query = PREFIXES + "CONSTRUCT WHERE { jr:swallow jo:developer ?d }"
    response = requests.get(live_server + "/sparql", params={"query": query}, headers={"Accept": accept},
                            timeout=30)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    objects = {q.object for q in ox.parse(response.content, format=rdf_format)}
    assert ox.NamedNode(JR + "aist") in objects


def test_format_parameter_for_browsers(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": SWALLOW_DEVELOPERS, "format": "csv"},
                            headers={"Accept": "text/html"}, timeout=30)
    assert response.headers["Content-Type"].startswith("text/csv")
    response = requests.get(live_server + "/sparql", timeout=30, params={
        "query": PREFIXES + "CONSTRUCT WHERE { jr:swallow jo:developer ?d }", "format": "json"})
    assert response.headers["Content-Type"].startswith("application/ld+json")


def test_406_names_the_supported_types(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": SWALLOW_DEVELOPERS},
                            headers={"Accept": "image/png"}, timeout=30)
    assert response.status_code == 406
    message = response.json()["message"]
    for media_type in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                       "text/tab-separated-values"):
        assert media_type in message


@pytest.mark.parametrize(("query", "accept", "served"), [
    ("SELECT * { ?s ?p ?o } LIMIT 1", "application/sparql-results+json; charset=utf-8", "application/sparql-results+json"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", "text/turtle;charset=UTF-8", "text/turtle"),
    ("CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1",
     'application/ld+json; profile="http://www.w3.org/ns/json-ld#compacted"', "application/ld+json"),
])
def test_parameters_of_an_accepted_type_do_not_refuse_it(live_server: str, query: str, accept: str,
                                                         served: str) -> None:
    """A media range's parameters (RFC 9110, 12.5.1) do not make a type we serve unacceptable; Fuseki and the
    Oxigraph server answer such requests too."""
    response = requests.get(live_server + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith(served)
    page = requests.get(live_server + "/resource/swallow", headers={"Accept": "text/turtle; charset=utf-8"},
                        timeout=30)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/turtle")


def test_a_type_refused_with_q_0_is_not_served_through_an_alias(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": "ASK {}"}, timeout=30,
                            headers={"Accept": "application/sparql-results+json;q=0, application/json"})
    assert response.status_code == 406


def test_a_syntax_error_is_400_whatever_the_accept_header(live_server: str) -> None:
    """A text with no query form asks for nothing the server could refuse: the client hears of its error."""
    for accept in ("text/turtle", "application/sparql-results+json", "application/n-triples"):
        response = requests.get(live_server + "/sparql", params={"query": "CONSTRCT WHERE { ?s ?p ?o }"},
                                headers={"Accept": accept}, timeout=30)
        assert response.status_code == 400, accept
        assert response.json()["error"] == "query-syntax-error"


def test_percent_encoded_bytes_that_are_not_utf8_are_400(live_server: str) -> None:
    """SPARQL 1.1 Protocol 2.1: the operation is UTF-8 percent-encoded; `%E9` (Latin-1 for é) is not."""
    get = requests.get(live_server + "/sparql?query=SELECT%20(%22caf%E9%22%20AS%20%3Fx)%20%7B%7D", timeout=30)
    assert get.status_code == 400 and "UTF-8" in get.json()["message"]
    form = requests.post(live_server + "/sparql", data=b"query=ASK%20%7B%3Fs%20%3Fp%20%22caf%E9%22%7D", timeout=30,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and "UTF-8" in form.json()["message"]
    latin1 = requests.post(live_server + "/sparql", data=b"query=ASK%20%7B%7D", timeout=30,
                           headers={"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"})
    assert latin1.status_code == 415
    fine = requests.get(live_server + "/sparql?query=SELECT%20(%22caf%C3%A9%22%20AS%20%3Fx)%20%7B%7D", timeout=30)
    assert fine.json()["results"]["bindings"][0]["x"]["value"] == "café"


def test_options_names_the_methods_of_the_endpoint(live_server: str) -> None:
    response = requests.options(live_server + "/sparql", timeout=30)
    assert response.status_code in (200, 204)
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "POST", "OPTIONS"}


def test_a_failed_if_match_is_412_without_the_answer(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": "ASK {}"}, timeout=30,
                            headers={"If-Match": '"not-this-one"'})
    assert response.status_code == 412 and response.content == b""


def test_an_undeclared_prefix_is_named_where_it_is_used(live_server: str) -> None:
    """Oxigraph's parser says only what it expected where it stopped (here "expected OPTIONAL", at the end of the
    pattern); the answer names the prefix and the place of its first use."""
    response = requests.get(live_server + "/sparql", params={"query": "SELECT ?o WHERE {\n  ex:s ?p ?o }"},
                            timeout=30)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query-syntax-error"
    assert "ex:" in body["message"] and "not declared" in body["message"]
    assert (body["line"], body["column"]) == (2, 3)


def test_syntax_error_is_400_with_line_and_column(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p }"}, timeout=30)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "query-syntax-error"
    assert body["line"] == 2 and isinstance(body["column"], int)
    assert body["message"]
    text = requests.get(live_server + "/sparql", params={"query": "SELECT * WHERE {\n  ?s ?p }"},
                        headers={"Accept": "text/plain"}, timeout=30)
    assert text.status_code == 400 and text.headers["Content-Type"].startswith("text/plain")
    assert "line 2" in text.text


def test_415_and_405(live_server: str) -> None:
    response = requests.post(live_server + "/sparql", data=b"ASK {}", headers={"Content-Type": "text/plain"},
                             timeout=30)
    assert response.status_code == 415
    assert requests.put(live_server + "/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 405
    assert requests.get(live_server + "/sparql", params={"update": "CLEAR ALL"}, timeout=30).status_code == 405


def count_triples(base_url: str) -> int:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    rows = requests.get(base_url + "/sparql", params={"query": query}, timeout=30).json()["results"]["bindings"]
    return int(rows[0]["n"]["value"])


def test_update_is_403_while_disabled_and_changes_nothing(live_server: str) -> None:
    before = count_triples(live_server)
    for response in (
        requests.post(live_server + "/sparql", data={"update": "CLEAR ALL"}, timeout=30),
        requests.post(live_server + "/sparql", data=b"DROP ALL",
                      headers={"Content-Type": "application/sparql-update"}, timeout=30),
    ):
        assert response.status_code == 403
        assert "Access-Control-Allow-Origin" not in response.headers
    assert count_triples(live_server) == before > 0


SERVICE_QUERIES = [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE SILENT <http://127.0.0.1:9/sparql> { ?s ?q ?r } } }",
    "SELECT * WHERE { { SELECT ?s WHERE { SERVICE ?endpoint { ?s ?p ?o } } } }",
    "PREFIX ex: <http://127.0.0.1:9/> SELECT * WHERE { SERVICE ex:sparql { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE<http://127.0.0.1:9/>{ ?s ?p ?o } } }",
    "ASK { # a comment first\n SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
]


@pytest.mark.parametrize("query", SERVICE_QUERIES)
def test_service_is_refused_wherever_it_is(live_server: str, query: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": query}, timeout=30)
    assert response.status_code == 400
    assert response.json()["error"] == "query-refused"
    assert "SERVICE" in response.json()["message"]


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:9/> { }" } LIMIT 1',
    "SELECT * WHERE { ?s ?p <urn:SERVICE> } LIMIT 1",
    "PREFIX SERVICE: <urn:x:> SELECT * WHERE { ?s SERVICE:p ?o } LIMIT 1",
    "SELECT ?service WHERE { ?service ?p ?o } LIMIT 1 # SERVICE <http://127.0.0.1:9/>",
])
def test_the_word_service_in_strings_iris_and_comments_is_fine(live_server: str, query: str) -> None:
    assert requests.get(live_server + "/sparql", params={"query": query}, timeout=30).status_code == 200


def test_service_description(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", timeout=30)
    assert response.headers["Content-Type"].startswith("text/turtle")
    triples = list(ox.parse(response.content, format=ox.RdfFormat.TURTLE))
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = {t.object for t in triples if t.predicate == ox.NamedNode(sd + "endpoint")}
    assert endpoint == {ox.NamedNode(live_server + "/sparql")}
    languages = {t.object for t in triples if t.predicate == ox.NamedNode(sd + "supportedLanguage")}
    assert languages == {ox.NamedNode(sd + "SPARQL11Query")}
    browser = requests.get(live_server + "/sparql", timeout=30,
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.headers["Content-Type"].startswith("text/html") and "yasgui" in browser.text
    assert "Accept" in browser.headers["Vary"], "one URL, two representations chosen by Accept"


def test_cors_for_reads_from_any_origin(live_server: str) -> None:
    origin = {"Origin": "https://example.org"}
    response = requests.get(live_server + "/sparql", params={"query": "ASK {}"}, headers=origin, timeout=30)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = requests.options(live_server + "/sparql", timeout=30, headers={
        **origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code in (200, 204)
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "content-type" in preflight.headers["Access-Control-Allow-Headers"].lower()


@pytest.fixture(scope="module")
def narrow_server(shipped_store: ox.Store) -> str:
    with thread_server({"STORE": shipped_store, "CORS_ORIGINS": ["https://allowed.example"], "MAX_ROWS": 2}) as url:
        yield url


def test_cors_origin_narrows(narrow_server: str) -> None:
    allowed = requests.get(narrow_server + "/sparql", params={"query": "ASK {}"},
                           headers={"Origin": "https://allowed.example"}, timeout=30)
    assert allowed.headers["Access-Control-Allow-Origin"] == "https://allowed.example"
    other = requests.get(narrow_server + "/sparql", params={"query": "ASK {}"},
                         headers={"Origin": "https://other.example"}, timeout=30)
    assert "Access-Control-Allow-Origin" not in other.headers
    plain = requests.get(narrow_server + "/sparql", params={"query": "ASK {}"}, timeout=30)
    for response in (allowed, other, plain):  # a shared cache must not give one origin's answer to another
        assert "Origin" in response.headers["Vary"]
    exposed = {name.strip().lower() for name in allowed.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "x-jaikg-truncated", "x-sparql-maxrows"} <= exposed


def test_max_rows_truncates_and_says_so(narrow_server: str) -> None:
    query = "SELECT ?s WHERE { ?s ?p ?o }"
    response = requests.get(narrow_server + "/sparql", params={"query": query}, timeout=30)
    assert len(response.json()["results"]["bindings"]) == 2
    assert response.headers["X-SPARQL-MaxRows"] == "2"
    small = requests.get(narrow_server + "/sparql", params={"query": PREFIXES + "SELECT * { jr:swallow a ?t }"},
                         timeout=30)
    assert "X-SPARQL-MaxRows" not in small.headers


@pytest.fixture()
def writable_server() -> str:
    with thread_server({"STORE": build_store(), "UPDATE": True, "UPDATE_TOKEN": "s3cret"}) as url:
        yield url


def test_updates_need_the_token_and_the_same_origin(writable_server: str) -> None:
    update = "INSERT DATA { GRAPH <urn:test> { <urn:a> <urn:b> <urn:c> } }"
    ask = {"query": "ASK { <urn:a> <urn:b> <urn:c> }"}
    assert requests.post(writable_server + "/sparql", data={"update": update}, timeout=30).status_code == 401
    wrong = requests.post(writable_server + "/sparql", data={"update": update}, timeout=30,
                          headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    cross = requests.post(writable_server + "/sparql", data={"update": update}, timeout=30,
                          headers={"Authorization": "Bearer s3cret", "Origin": "https://evil.example"})
    assert cross.status_code == 403 and "Access-Control-Allow-Origin" not in cross.headers
    hidden = requests.post(writable_server + "/sparql", data={"update": update}, timeout=30,
                           headers={"Authorization": "Bearer s3cret", "Origin": "null"})
    assert hidden.status_code == 403, "a sandboxed frame or a file: page sends Origin: null; it is not this site"
    assert requests.get(writable_server + "/sparql", params=ask, timeout=30).json()["boolean"] is False
    done = requests.post(writable_server + "/sparql", data={"update": update}, timeout=30,
                         headers={"Authorization": "Bearer s3cret"})
    assert done.status_code == 204 and "Access-Control-Allow-Origin" not in done.headers
    assert "Content-Type" not in done.headers
    assert requests.get(writable_server + "/sparql", params=ask, timeout=30).json()["boolean"] is True


def test_an_update_whose_text_is_not_utf8_changes_nothing(writable_server: str) -> None:
    body = b"update=INSERT%20DATA%20%7B%3Curn%3Alat%3E%20%3Curn%3Ap%3E%20%22caf%E9%22%7D"
    response = requests.post(writable_server + "/sparql", data=body, timeout=30, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Authorization": "Bearer s3cret"})
    assert response.status_code == 400
    ask = {"query": "ASK { <urn:lat> ?p ?o }"}
    assert requests.get(writable_server + "/sparql", params=ask, timeout=30).json()["boolean"] is False


def test_a_failing_update_changes_nothing(writable_server: str) -> None:
    auth = {"Authorization": "Bearer s3cret", "Content-Type": "application/sparql-update"}
    failing = ("INSERT DATA { GRAPH <urn:g> { <urn:x> <urn:y> <urn:z> } } ; "
               "CREATE GRAPH <https://w3id.org/jaikg/graph/ontology>")
    response = requests.post(writable_server + "/sparql", data=failing.encode(), headers=auth, timeout=30)
    assert response.status_code == 400 and response.json()["error"] == "update-failed"
    ask = {"query": "ASK { <urn:x> <urn:y> <urn:z> }"}
    assert requests.get(writable_server + "/sparql", params=ask, timeout=30).json()["boolean"] is False


def test_load_and_service_in_updates_are_refused(writable_server: str) -> None:
    auth = {"Authorization": "Bearer s3cret", "Content-Type": "application/sparql-update"}
    for update in ("LOAD <http://127.0.0.1:9/data.ttl>",
                   "INSERT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"):
        response = requests.post(writable_server + "/sparql", data=update.encode(), headers=auth, timeout=30)
        assert response.status_code == 400 and response.json()["error"] == "query-refused"


def test_allowed_service_passes_the_check(shipped_store: ox.Store) -> None:
    allowed = "http://127.0.0.1:9/sparql"
    with thread_server({"STORE": shipped_store, "ALLOWED_SERVICES": [allowed]}) as url:
        query = f"SELECT * WHERE {{ SERVICE SILENT <{allowed}> {{ ?s ?p ?o }} }}"
        response = requests.get(url + "/sparql", params={"query": query}, timeout=30)
        assert response.json().get("error") != "query-refused"
        other = requests.get(url + "/sparql", timeout=30,
                             params={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/other> { ?s ?p ?o } }"})
        assert other.status_code == 400


def test_serve_refuses_to_start_on_invalid_data() -> None:
    command = [sys.executable, "-m", "jaikg", "serve", "--port", str(free_port()),
               "--data", str(FIXTURES / "loading" / "no-evidence.ttl")]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert result.returncode == 1
    assert "does not conform" in result.stderr and "Violation" in result.stderr


def test_healthz(live_server: str) -> None:
    body = requests.get(live_server + "/healthz", timeout=30).json()
    assert body["status"] == "ok" and body["data"] is True
    assert json.dumps(body)


INTEGER = "http://www.w3.org/2001/XMLSchema#integer"
GRAPHS = """<urn:a> <urn:p> 1 . <urn:b> <urn:p> 2 .
GRAPH <urn:g1> { <urn:a> <urn:p> 1 . <urn:c> <urn:p> 3 }
GRAPH <urn:g2> { <urn:a> <urn:p> 1 }"""
"""The stored default graph, and two named graphs that share one of its triples."""


def quads(store: ox.Store) -> set[str]:
    return {str(quad) for quad in store}


def quad(subject: str, value: int, graph: str | None = None) -> str:
    where = f" <{graph}>" if graph else ""
    return f'<{subject}> <urn:p> "{value}"^^<{INTEGER}>{where}'


@pytest.mark.parametrize(("update", "parameters", "kept"), [
    # The WHERE is matched in the dataset whose default graph is g1, finding (a 1) and (c 3); the template's
    # triples are outside any GRAPH, so what they match is deleted from the stored default graph: (a 1) there.
    ("DELETE WHERE { ?s <urn:p> ?o }", {"using-graph-uri": "urn:g1"},
     {quad("urn:b", 2), quad("urn:a", 1, "urn:g1"), quad("urn:c", 3, "urn:g1"), quad("urn:a", 1, "urn:g2")}),
    # The dataset's only named graph is g1: GRAPH ?g matches there alone, and deletes from there alone.
    ("DELETE WHERE { GRAPH ?g { ?s <urn:p> ?o } }", {"using-named-graph-uri": "urn:g1"},
     {quad("urn:a", 1), quad("urn:b", 2), quad("urn:a", 1, "urn:g2")}),
])
def test_using_graph_parameters_set_the_dataset_of_delete_where(update: str, parameters: dict[str, str],
                                                                kept: set[str]) -> None:
    """SPARQL 1.1 Protocol 2.2.3: using-graph-uri and using-named-graph-uri set the dataset in which the WHERE of
    a DELETE/INSERT operation is matched; SPARQL 1.1 Update 3.1.3.3 defines `DELETE WHERE { P }` as
    `DELETE { P } WHERE { P }`, so they apply to it as to the long form."""
    store = ox.Store()
    store.update(f"INSERT DATA {{ {GRAPHS} }}")
    with thread_server({"STORE": store, "UPDATE": True}) as url:
        response = requests.post(url + "/sparql", params=parameters, data=update.encode(), timeout=30,
                                 headers={"Content-Type": "application/sparql-update"})
        assert response.status_code == 204, response.text
    assert quads(store) == kept


def test_a_syntax_error_in_an_update_with_using_graph_uri_is_placed_in_the_text_sent(writable_server: str) -> None:
    """The USING clauses the parameters add do not move the line and column of the parser's message: they are
    where the same update sent without the parameter has them (after `?p`, on line 2)."""
    update = "INSERT { ?s ?p ?o }\nWHERE { ?s ?p }"
    headers = {"Content-Type": "application/sparql-update", "Authorization": "Bearer s3cret"}
    places = []
    for parameters in ({}, {"using-graph-uri": "urn:g1"}, {"using-named-graph-uri": "urn:g1"}):
        response = requests.post(writable_server + "/sparql", params=parameters, data=update.encode(),
                                 headers=headers, timeout=30)
        assert response.status_code == 400 and response.json()["error"] == "query-syntax-error"
        places.append((response.json()["line"], response.json()["column"]))
    assert places[0][0] == 2 and places[1:] == [places[0], places[0]]
