"""The W3C SPARQL 1.1 Graph Store HTTP Protocol test suite, read from its manifests and run against
`jaikg serve --update` over HTTP: one test per manifest test, each a connection of requests run in order.

The manifests (`graph-store-protocol/manifest.ttl`, including `manifest-direct.ttl` and `manifest-indirect.ttl`) write
every request path beginning with `/gsp`, to be replaced by the service's own path: jaikg's Graph Store is `/data`,
so `/gsp?graph=…` and `/gsp?default` (indirect identification) become `/data?graph=…` and `/data?default`, `/gsp`
(the Graph Store itself, where a POST creates a graph) becomes `/data`, and `/gsp/person/1.ttl` (direct
identification) becomes `/data/person/1.ttl`, the URL that names the graph `<http://127.0.0.1:PORT/data/person/1.ttl>`
itself. Paths are sent as the manifest writes them (its percent-encoding kept: `put_get_uri_pct_encoded_twice`
checks that the query is decoded once).

What is checked, as manifest.ttl says: the status is one of those listed; with `mf:expectedLocation` the answer has a
`Location`, whose value replaces the template (`$LOCATION$`) in the later requests' paths and bodies; each expected
header is there with the expected value (Content-Type compared as a media type: type, subtype and parameters, case
aside); an expected body is an RDF graph isomorphic to the answer's.

Where the manifests and the specification (https://www.w3.org/TR/sparql11-http-rdf-update/) differ:
- the manifests expect `Content-Type: text/turtle; charset=utf-8` on GET and HEAD, where the specification asks for
  a Turtle answer and says nothing of the parameter (Turtle is UTF-8 whatever it says): stricter; jaikg sends it;
- `post_get_new_graph` expects `201 Created` and a Location, which section 5.5 says the server "should" send:
  stricter in wording, the same in practice;
- a DELETE of a graph that is not there may answer 404, 200 or 204 in `put_delete_get_delete_*`, where section 5.4
  says MUST 404 (jaikg answers 404): more lenient;
- `put_get_default` reads back exactly what it PUT to `?default`. jaikg's default graph is the union of all graphs
  (`sd:UnionDefaultGraph`), so that holds, and the PUT is accepted, only while no named graph holds a triple: each
  test here starts on an emptied store (`DROP ALL`), as the manifests presume a fresh Graph Store;
- manifest-direct.ttl defines `head_non_existing_direct` without listing it in its `mf:entries`; it is run too;
- `post_get_new_graph` is named "(direct graph identification)" but requires and uses indirect identification
  (`?graph=$LOCATION$`, the IRI unencoded in the query); tests/test_graph_store.py reads the new graph at its
  Location too.

The manifests live in ../shared/w3c beside the checkout; where they are absent the module skips.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rdflib
import requests
from rdflib.compare import isomorphic
from werkzeug.http import parse_options_header

from tests.conftest import SHARED
from tests.live import cli_server
from tests.w3c_manifest import MF, HttpRequest, ManifestEntry, read_manifest

MANIFEST = SHARED / "w3c" / "graph-store-protocol" / "manifest.ttl"
if not MANIFEST.is_file():
    pytest.skip(f"the W3C Graph Store Protocol manifests are not at {MANIFEST.parent} (they sit in ../shared/w3c "
                "beside a development checkout); skipping the conformance suite", allow_module_level=True)

MANIFEST_PATH = "/gsp"
"""The path the manifests give the Graph Store."""
SERVICE_PATH = "/data"
"""jaikg's Graph Store."""
SUPPORTED_FEATURES = {"DirectGraphIdentification", "IndirectGraphIdentification", "POSTGraphCreation"}
"""The `mf:requires` features jaikg implements (all three the manifests name); a test requiring another fails."""
ALLOWED_FAILURES: dict[str, str] = {}
"""Tests this server is known to fail, each with the reason (none)."""

RDF_SYNTAXES = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
                "application/rdf+xml": "xml"}

TESTS = read_manifest(MANIFEST, test_type=MF.GraphStoreProtocolTest)


def test_the_manifests_hold_14_tests() -> None:
    """5 tests in manifest-direct.ttl (4 listed in its entries, `head_non_existing_direct` defined only), 9 in
    manifest-indirect.ttl, each name once."""
    assert len(TESTS) == len({test.name for test in TESTS}) == 14
    assert [test.name for test in TESTS if not test.listed] == ["head_non_existing_direct"]
    direct = [test for test in TESTS if test.manifest.name == "manifest-direct.ttl"]
    assert len(direct) == 5 and all("DirectGraphIdentification" in test.requires for test in direct)


@pytest.fixture(scope="module")
def update_server() -> Iterator[str]:
    """`jaikg serve --update`; each test empties its store first (`DROP ALL` through SPARQL Update)."""
    with cli_server("--update") as base_url:
        yield base_url


@pytest.fixture
def empty_server(update_server: str) -> str:
    emptied = requests.post(update_server + "/sparql", data=b"DROP ALL", timeout=60,
                            headers={"Content-Type": "application/sparql-update"})
    assert emptied.status_code == 204, emptied.text
    return update_server


def service_path(path: str) -> str:
    """The manifest's `/gsp…` path as a path of jaikg's Graph Store."""
    assert path.startswith(MANIFEST_PATH), f"a request path outside the Graph Store: {path}"
    return SERVICE_PATH + path.removeprefix(MANIFEST_PATH)


def filled(text: str, variables: dict[str, str]) -> str:
    for variable, value in variables.items():
        text = text.replace(variable, value)
    return text


def send(session: requests.Session, base_url: str, request: HttpRequest,
         variables: dict[str, str]) -> requests.Response:
    """The request as the manifest writes it: its path byte for byte (requests would decode `%31` to `1`)."""
    url = base_url + filled(service_path(request.path), variables)
    body = None if request.body is None else filled(request.body, variables).encode(request.body_encoding)
    prepared = session.prepare_request(requests.Request(request.method, url, headers=request.headers, data=body))
    prepared.url = url
    return session.send(prepared, timeout=60)


def media_type(value: str) -> tuple[str, dict[str, str]]:
    kind, parameters = parse_options_header(value)
    return kind.lower(), {name.lower(): text.lower() if name.lower() == "charset" else text
                          for name, text in parameters.items()}


def graph_of(text: str | bytes, content_type: str, base: str) -> rdflib.Graph:
    kind, _ = media_type(content_type)
    assert kind in RDF_SYNTAXES, f"not an RDF graph syntax: {content_type}"
    return rdflib.Graph().parse(data=text, format=RDF_SYNTAXES[kind], publicID=base)


def check_response(response: requests.Response, request: HttpRequest, where: str) -> None:
    assert request.status.allows(response.status_code), (
        f"{where} answered {response.status_code}, expected {request.status}: {response.text[:500]}")
    for name, value in request.response_headers.items():
        assert name in response.headers, f"{where}: no {name} header in the answer ({dict(response.headers)})"
        if name == "content-type":
            assert media_type(response.headers[name]) == media_type(value), (
                f"{where}: Content-Type {response.headers[name]}, expected {value}")
        else:
            assert response.headers[name] == value, f"{where}: {name} {response.headers[name]}, expected {value}"
    if request.response_body is not None:
        expected_type = request.response_headers.get("content-type", response.headers.get("Content-Type", ""))
        expected = graph_of(request.response_body, expected_type, response.url)
        answered = graph_of(response.content, response.headers.get("Content-Type", ""), response.url)
        assert isomorphic(answered, expected), (
            f"{where}: the graph answered is not the one expected.\nanswered:\n{answered.serialize(format='nt')}"
            f"\nexpected:\n{expected.serialize(format='nt')}")


@pytest.mark.parametrize("test", TESTS, ids=[test.name for test in TESTS])
def test_graph_store_protocol(empty_server: str, test: ManifestEntry) -> None:
    assert test.requires <= SUPPORTED_FEATURES, f"requires {sorted(test.requires - SUPPORTED_FEATURES)}"
    if test.name in ALLOWED_FAILURES:
        pytest.xfail(ALLOWED_FAILURES[test.name])
    variables: dict[str, str] = {}
    with requests.Session() as session:
        for number, request in enumerate(test.requests, 1):
            response = send(session, empty_server, request, variables)
            where = f"{test.title}, request {number}: {request.method} {response.request.path_url}"
            check_response(response, request, where)
            if request.location_variable is not None:
                assert "Location" in response.headers, f"{where}: no Location header"
                variables[request.location_variable] = response.headers["Location"]
