"""The W3C SPARQL 1.1 Protocol test suite (34 tests), read from its manifest and run against `jaikg serve --update`.

Each test is a list of HTTP requests with the status class, and for some the answer format and boolean, expected.
Tests that query protocol-specified datasets first load `data1.nt` … into named graphs (`ut:graphData`) through
SPARQL Update. The manifest lives in ../shared/w3c beside the checkout; where it is absent the module skips.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, Namespace

from tests.conftest import SHARED
from tests.live import cli_server

MANIFEST = SHARED / "w3c" / "sparql11-protocol" / "manifest.ttl"
if not MANIFEST.is_file():
    pytest.skip(f"the W3C protocol manifest is not at {MANIFEST} (it sits in ../shared/w3c beside a development "
                "checkout); skipping the conformance suite", allow_module_level=True)

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

ALLOWED_FAILURES: set[str] = set()
"""Tests this server is known to fail (none)."""


@dataclass(frozen=True)
class HttpExchange:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: tuple[str, ...]
    """Expected status classes: "2", "3", "4" …"""
    expected_format: str | None
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graph_data: tuple[tuple[Path, str], ...]
    exchanges: tuple[HttpExchange, ...]


def _exchange(graph: rdflib.Graph, node: rdflib.term.Node) -> HttpExchange:
    headers = {}
    for header_list in graph.objects(node, HT.headers):
        for header in Collection(graph, header_list):
            headers[str(graph.value(header, HT.fieldName))] = str(graph.value(header, HT.fieldValue))
    body = None
    body_node = graph.value(node, HT.body)
    if body_node is not None:
        encoding = str(graph.value(body_node, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(body_node, CNT.chars)).encode(encoding)
    response = graph.value(node, HT.resp)
    statuses = tuple(sorted(str(s).rsplit("StatusCode", 1)[1][0] for s in graph.objects(response, MF.expectedStatus)))
    boolean = graph.value(response, MF.expectedBoolean)
    expected_format = graph.value(response, MF.expectedFormat)
    return HttpExchange(str(graph.value(node, HT.methodName)), str(graph.value(node, HT.absolutePath)), headers,
                        body, statuses, str(expected_format) if expected_format is not None else None,
                        boolean.toPython() if boolean is not None else None)


def load_manifest() -> list[ProtocolTest]:
    graph = rdflib.Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    tests = []
    for test in Collection(graph, graph.value(manifest, MF.entries)):
        graph_data = tuple((Path(str(graph.value(g, UT.graph)).removeprefix("file://")), str(graph.value(g, RDFS.label)))
                           for g in graph.objects(test, UT.graphData))
        action = graph.value(test, MF.action)
        exchanges = tuple(_exchange(graph, node) for node in Collection(graph, graph.value(action, HT.requests)))
        tests.append(ProtocolTest(str(test).rsplit("#", 1)[1], str(graph.value(test, MF.name)), graph_data,
                                  exchanges))
    return tests


TESTS = load_manifest()


def test_the_manifest_has_all_34_tests() -> None:
    assert len(TESTS) == 34


@pytest.fixture(scope="module")
def update_server() -> str:
    """`jaikg serve --update`: the suite clears and rewrites graphs, so it gets its own server."""
    with cli_server("--update") as base_url:
        yield base_url


def load_graph_data(base_url: str, graph_data: tuple[tuple[Path, str], ...]) -> None:
    for path, graph_iri in graph_data:
        update = f"DROP SILENT GRAPH <{graph_iri}> ; INSERT DATA {{ GRAPH <{graph_iri}> {{ {path.read_text()} }} }}"
        response = requests.post(base_url + "/sparql", data=update.encode(),
                                 headers={"Content-Type": "application/sparql-update"}, timeout=30)
        assert response.status_code == 204, response.text


def check_format(response: requests.Response, exchange: HttpExchange) -> None:
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip()
    if exchange.expected_format in ("boolean", "tabular"):
        results_format = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
                          "application/sparql-results+xml": ox.QueryResultsFormat.XML,
                          "text/tab-separated-values": ox.QueryResultsFormat.TSV}
        if media_type == "text/csv":
            assert exchange.expected_format == "tabular"
            return
        assert media_type in results_format, f"not a SPARQL results type: {media_type}"
        parsed = ox.parse_query_results(response.content, results_format[media_type])
        if exchange.expected_format == "boolean":
            assert isinstance(parsed, ox.QueryBoolean), "expected a boolean answer"
            if exchange.expected_boolean is not None:
                assert bool(parsed) is exchange.expected_boolean
        else:
            assert isinstance(parsed, ox.QuerySolutions)
            list(parsed)
    elif exchange.expected_format == "RDF":
        rdf_formats = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                       "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD}
        assert media_type in rdf_formats, f"not an RDF type: {media_type}"
        list(ox.parse(response.content, format=rdf_formats[media_type]))


@pytest.mark.parametrize("test", TESTS, ids=[t.name for t in TESTS])
def test_protocol(update_server: str, test: ProtocolTest) -> None:
    if test.name in ALLOWED_FAILURES:
        pytest.xfail("known failure")
    load_graph_data(update_server, test.graph_data)
    for exchange in test.exchanges:
        response = requests.request(exchange.method, update_server + exchange.path, headers=exchange.headers,
                                    data=exchange.body, timeout=60)
        assert str(response.status_code)[0] in exchange.statuses, (
            f"{test.title}: {exchange.method} {exchange.path} answered {response.status_code}, expected "
            f"{'/'.join(s + 'xx' for s in exchange.statuses)}: {response.text[:500]}")
        check_format(response, exchange)
