"""Reading the W3C test manifests whose tests are HTTP exchanges: the SPARQL 1.1 Protocol suite
(`tests/test_w3c_protocol.py`) and the Graph Store HTTP Protocol suite (`tests/test_w3c_graph_store.py`).

A manifest (`mf:Manifest`) lists its tests in `mf:entries` and may include other manifests (`mf:include`). A test's
`mf:action` is an `ht:Connection` whose `ht:requests` is a list of `ht:Request`s (method, `ht:absolutePath`,
`ht:headers`, an `ht:body` of `cnt:chars`), each with its expected `ht:resp`: `mf:expectedStatus` (codes such as
`hts:Created`, or classes such as `hts:StatusCode2xx`; any of those listed), expected `ht:headers` and `ht:body`, and
`mf:expectedLocation`, a template variable that later requests of the connection carry in place of the answer's
`Location`. Suite-specific expectations (`mf:expectedFormat`, `ut:graphData` …) are read by each suite from the
`node` and `response` kept here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, Namespace

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")

STATUS_CLASS = re.compile(r"StatusCode([1-5])xx")
STATUS_BY_NAME = {status.phrase.replace(" ", "").replace("-", "").lower(): status.value for status in HTTPStatus}
"""`hts:` local names (`OK`, `NoContent`, `NotFound` …) are the reason phrases without spaces."""


@dataclass(frozen=True)
class ExpectedStatus:
    """The status codes a response may have: any of `codes`, or any code of a class in `classes` (2 for 2xx)."""

    codes: frozenset[int] = frozenset()
    classes: frozenset[int] = frozenset()

    def allows(self, status: int) -> bool:
        return status in self.codes or status // 100 in self.classes

    def __str__(self) -> str:
        return " or ".join([str(code) for code in sorted(self.codes)] + [f"{c}xx" for c in sorted(self.classes)])


def expected_status(graph: rdflib.Graph, response: rdflib.term.Node) -> ExpectedStatus:
    codes, classes = set(), set()
    for status in graph.objects(response, MF.expectedStatus):
        name = str(status).removeprefix(str(HTS))
        if (match := STATUS_CLASS.fullmatch(name)) is not None:
            classes.add(int(match.group(1)))
        else:
            codes.add(STATUS_BY_NAME[name.lower()])
    return ExpectedStatus(frozenset(codes), frozenset(classes))


@dataclass(frozen=True)
class HttpRequest:
    """One request of a test and what its response must be."""

    method: str
    path: str
    """`ht:absolutePath`: the path and query, beginning with the prefix the manifest uses for the service."""
    headers: dict[str, str]
    """Request headers, names in lower case."""
    body: str | None
    body_encoding: str
    status: ExpectedStatus
    response_headers: dict[str, str]
    """Expected response headers, names in lower case."""
    response_body: str | None
    location_variable: str | None
    """`mf:expectedLocation`: the response has a `Location`, which replaces this text in the later requests."""
    response: rdflib.term.Node = field(compare=False, repr=False)


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    """The local name of the test's IRI, e.g. `put_get_default`."""
    title: str
    requires: frozenset[str]
    """The local names of its `mf:requires`, e.g. `DirectGraphIdentification`."""
    requests: tuple[HttpRequest, ...]
    manifest: Path
    listed: bool
    """Whether the manifest's `mf:entries` lists it (a test only defined there is read too: see `read_manifest`)."""
    node: rdflib.term.Node = field(compare=False, repr=False)
    graph: rdflib.Graph = field(compare=False, repr=False)


def header_fields(graph: rdflib.Graph, node: rdflib.term.Node) -> dict[str, str]:
    fields = {}
    for header_list in graph.objects(node, HT.headers):
        for header in Collection(graph, header_list):
            fields[str(graph.value(header, HT.fieldName)).lower()] = str(graph.value(header, HT.fieldValue))
    return fields


def content(graph: rdflib.Graph, node: rdflib.term.Node) -> str | None:
    body = graph.value(node, HT.body)
    return None if body is None else str(graph.value(body, CNT.chars))


def encoding(graph: rdflib.Graph, node: rdflib.term.Node) -> str:
    return str(graph.value(graph.value(node, HT.body), CNT.characterEncoding) or "UTF-8")


def read_request(graph: rdflib.Graph, node: rdflib.term.Node) -> HttpRequest:
    response = graph.value(node, HT.resp)
    if response is None:  # rdflib would read a None subject as a wildcard
        raise ValueError(f"the request {node} has no ht:resp")
    location = graph.value(response, MF.expectedLocation)
    return HttpRequest(
        method=str(graph.value(node, HT.methodName)), path=str(graph.value(node, HT.absolutePath)),
        headers=header_fields(graph, node), body=content(graph, node), body_encoding=encoding(graph, node),
        status=expected_status(graph, response), response_headers=header_fields(graph, response),
        response_body=content(graph, response), location_variable=None if location is None else str(location),
        response=response)


def read_manifest(path: Path, test_type: rdflib.URIRef | None = None) -> list[ManifestEntry]:
    """The tests of the manifest at `path` and of those it includes, in order. With `test_type`, a test of that type
    the manifest defines but leaves out of its `mf:entries` is read too, after the listed ones (`listed` False):
    the Graph Store manifest-direct.ttl defines `head_non_existing_direct` without listing it."""
    graph = rdflib.Graph().parse(path, format="turtle", publicID=path.as_uri())
    manifest = graph.value(predicate=RDF.type, object=MF.Manifest)
    tests: list[ManifestEntry] = []
    for include in graph.objects(manifest, MF.include):
        for included in Collection(graph, include):
            tests += read_manifest(Path(url2pathname(urlsplit(str(included)).path)), test_type)
    entries = graph.value(manifest, MF.entries)
    listed = list(Collection(graph, entries)) if entries is not None else []
    unlisted = [] if test_type is None else sorted(set(graph.subjects(RDF.type, test_type)) - set(listed))
    for node in listed + unlisted:
        action = graph.value(node, MF.action)
        requests = tuple(read_request(graph, request)
                         for request in Collection(graph, graph.value(action, HT.requests)))
        tests.append(ManifestEntry(
            name=str(node).rsplit("#", 1)[1], title=str(graph.value(node, MF.name)),
            requires=frozenset(str(r).rsplit("#", 1)[1] for r in graph.objects(node, MF.requires)),
            requests=requests, manifest=path, listed=node in listed, node=node, graph=graph))
    return tests
