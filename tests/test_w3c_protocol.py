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
import requests
from rdflib.namespace import RDFS

from tests.conftest import SHARED
from tests.live import cli_server
from tests.w3c_manifest import MF, UT, HttpRequest, ManifestEntry, read_manifest

MANIFEST = SHARED / "w3c" / "sparql11-protocol" / "manifest.ttl"
if not MANIFEST.is_file():
    pytest.skip(f"the W3C protocol manifest is not at {MANIFEST} (it sits in ../shared/w3c beside a development "
                "checkout); skipping the conformance suite", allow_module_level=True)

ALLOWED_FAILURES: set[str] = set()
"""Tests this server is known to fail (none)."""


@dataclass(frozen=True)
class HttpExchange:
    request: HttpRequest
    expected_format: str | None
    """`mf:expectedFormat`: "boolean", "tabular" or "RDF"."""
    expected_boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    title: str
    graph_data: tuple[tuple[Path, str], ...]
    """`ut:graphData`: files loaded into named graphs before the requests."""
    exchanges: tuple[HttpExchange, ...]


def protocol_test(entry: ManifestEntry) -> ProtocolTest:
    graph = entry.graph
    graph_data = tuple((Path(str(graph.value(g, UT.graph)).removeprefix("file://")), str(graph.value(g, RDFS.label)))
                       for g in graph.objects(entry.node, UT.graphData))
    exchanges = []
    for request in entry.requests:
        expected_format = graph.value(request.response, MF.expectedFormat)
        boolean = graph.value(request.response, MF.expectedBoolean)
        exchanges.append(HttpExchange(request, None if expected_format is None else str(expected_format),
                                      None if boolean is None else boolean.toPython()))
    return ProtocolTest(entry.name, entry.title, graph_data, tuple(exchanges))


TESTS = [protocol_test(entry) for entry in read_manifest(MANIFEST)]


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
        request = exchange.request
        body = None if request.body is None else request.body.encode(request.body_encoding)
        response = requests.request(request.method, update_server + request.path, headers=request.headers,
                                    data=body, timeout=60)
        assert request.status.allows(response.status_code), (
            f"{test.title}: {request.method} {request.path} answered {response.status_code}, expected "
            f"{request.status}: {response.text[:500]}")
        check_format(response, exchange)
