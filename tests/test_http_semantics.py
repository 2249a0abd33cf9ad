"""HTTP semantics of the endpoint over real HTTP, against `jaikg serve` (and, for `--backend`, a real Oxigraph
server): what each answer's validators describe (RFC 9110, 8.8 and 13), which methods a resource lists (RFC 9110,
10.2.1 and 15.5.6), where a POST carries its operation (SPARQL 1.1 Protocol, 2.1 and 2.2), and which error a
malformed query gets. The expected answers are the RFCs' and the protocol's."""

from __future__ import annotations

import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from email.utils import format_datetime

import pytest
import requests
from click.testing import CliRunner

from jaikg.cli import main
from tests.live import cli_server, free_port, oxigraph_server, process_server

TOKEN = "sekrit"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
JSON_RESULTS = "application/sparql-results+json"
VIEW_ONLY = {"Accept": f"{JSON_RESULTS}, */*;q=0.1"}
"""An Accept header the fast lane does not negotiate: the request goes through the Flask view."""
SLOW_COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"
"""Every pair of triples of the union: seconds of work on the shipped graph, and a count any insert changes."""


def methods(response: requests.Response) -> set[str]:
    return {method.strip().upper() for method in response.headers.get("Allow", "").split(",") if method.strip()}


def count_of(response: requests.Response) -> int:
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(timezone.utc), usegmt=True)


@pytest.fixture(scope="module")
def writable() -> Iterator[str]:
    """`jaikg serve --update` with a token and a time limit above what the slow query takes."""
    with cli_server("--update", "--update-token", TOKEN, "--timeout", "90") as base_url:
        yield base_url


@pytest.fixture(scope="module")
def read_only() -> Iterator[str]:
    with cli_server() as base_url:
        yield base_url


def settled_date(base_url: str) -> str:
    """The graph's Last-Modified, once the second of its last change is over (until then none is sent)."""
    deadline = time.monotonic() + 5
    while True:
        answer = requests.get(base_url + "/sparql", params={"query": f"ASK {{}} # {uuid.uuid4()}"}, timeout=30)
        if "Last-Modified" in answer.headers or time.monotonic() > deadline:
            return answer.headers["Last-Modified"]
        time.sleep(0.2)


# A. Last-Modified describes the representation sent (RFC 9110, 8.8.2)

def test_an_answer_of_the_graph_before_an_update_is_not_confirmed_after_it(writable: str) -> None:
    """Two slow queries (one through the fast lane, one through the view) start on the graph before an update and
    finish after it, on their old workers. Their Last-Modified must be that graph's, not the update's: a client
    revalidating either answer with If-Modified-Since gets the new answer, never a 304 that keeps the old one. And
    the old answers are not kept in the result cache: the same query afterwards answers the new graph."""
    settled_date(writable)
    tag = uuid.uuid4().hex[:8]
    query = f"# {tag}\n{SLOW_COUNT}"
    slow: dict[str, requests.Response] = {}

    def ask(name: str, headers: dict[str, str]) -> None:
        slow[name] = requests.get(writable + "/sparql", params={"query": query}, headers=headers, timeout=120)

    threads = [threading.Thread(target=ask, args=("fast lane", {})),
               threading.Thread(target=ask, args=("view", VIEW_ONLY))]
    for thread in threads:
        thread.start()
    time.sleep(1.0)  # both queries are in their workers
    update = requests.post(writable + "/sparql", data={"update": f'INSERT DATA {{ <urn:a:{tag}> <urn:b> "new" }}'},
                           headers=AUTH, timeout=60)
    assert update.status_code == 204
    for thread in threads:
        thread.join()
    current = requests.get(writable + "/sparql", params={"query": query}, timeout=120)
    assert current.status_code == 200
    for name, answer in slow.items():
        assert answer.status_code == 200, name
        assert count_of(answer) < count_of(current), f"{name}: the query ran on the graph before the update"
        since = answer.headers.get("Last-Modified")
        if since is None:
            continue
        again = requests.get(writable + "/sparql", params={"query": query}, timeout=120,
                             headers={"If-Modified-Since": since})
        assert again.status_code == 200, f"{name}: a 304 would confirm the answer before the update ({since})"
        assert count_of(again) == count_of(current)


# C. An answer that changes at every evaluation has no modification date to confirm

VOLATILE = "SELECT (RAND() AS ?r) (NOW() AS ?n) {}"


def test_an_answer_that_is_never_the_same_has_no_last_modified(read_only: str) -> None:
    graph_date = settled_date(read_only)
    for headers in ({}, VIEW_ONLY):
        answer = requests.get(read_only + "/sparql", params={"query": VOLATILE}, headers=headers, timeout=30)
        assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
        assert "Last-Modified" not in answer.headers, headers
    for since in (graph_date, http_date(datetime.now(timezone.utc))):
        again = requests.get(read_only + "/sparql", params={"query": VOLATILE}, timeout=30,
                             headers={"If-Modified-Since": since})
        assert again.status_code == 200 and again.json()["results"]["bindings"], since


# D. A POST carries its operation in its body (SPARQL 1.1 Protocol, 2.1 and 2.2)

def inserted(base_url: str, subject: str) -> bool:
    answer = requests.get(base_url + "/sparql", params={"query": f"ASK {{ <{subject}> ?p ?o }}"}, timeout=30)
    return answer.json()["boolean"]


def test_a_query_or_update_in_the_url_of_a_post_is_400(writable: str) -> None:
    tag = uuid.uuid4().hex[:8]
    url_update, body_update = f"urn:url:{tag}", f"urn:body:{tag}"
    refused = [
        requests.post(writable + "/sparql", params={"update": f"INSERT DATA {{ <{url_update}> <urn:p> 1 }}"},
                      data={"x": "1"}, headers=AUTH, timeout=30),
        requests.post(writable + "/sparql", params={"update": f"INSERT DATA {{ <{url_update}> <urn:p> 2 }}"},
                      data=f"INSERT DATA {{ <{body_update}> <urn:p> 3 }}",
                      headers={**AUTH, "Content-Type": "application/sparql-update"}, timeout=30),
        requests.post(writable + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"},
                      data="ASK {}", headers={"Content-Type": "application/sparql-query"}, timeout=30),
        requests.post(writable + "/sparql", params={"query": "ASK {}"}, data={"format": "json"}, timeout=30),
    ]
    for response, name in zip(refused, ("update", "update", "query", "query")):
        assert response.status_code == 400, (response.request.url, response.text)
        message = response.json()["message"]
        assert f"{name}=" in message and "URL" in message, message
    assert not inserted(writable, url_update) and not inserted(writable, body_update)
    dataset = requests.post(writable + "/sparql", params={"default-graph-uri": "urn:none"}, data="ASK { ?s ?p ?o }",
                            headers={"Content-Type": "application/sparql-query"}, timeout=30)
    assert dataset.status_code == 200 and dataset.json()["boolean"] is False, "dataset parameters may be in the URL"


# E. Allow lists exactly the methods the resource accepts (RFC 9110, 10.2.1 and 15.5.6)

SPARQL_METHODS = {"GET", "HEAD", "POST", "OPTIONS"}
REFUSED = ("TRACE", "PROPFIND", "PUT", "DELETE", "PATCH")
WRITES = ("PUT", "POST", "DELETE")


def assert_allow(base_url: str, path: str, params: dict[str, str], accepted: set[str]) -> None:
    options = requests.options(base_url + path, params=params, timeout=30)
    assert options.status_code in (200, 204) and methods(options) == accepted, (path, params, options.headers)
    if not options.content:
        assert "Content-Type" not in options.headers, (path, params, options.headers)
    for method in REFUSED:
        if method in accepted:
            continue
        refused = requests.request(method, base_url + path, params=params, headers=AUTH, timeout=30)
        if method in WRITES and refused.status_code == 403:
            assert "read-only" in refused.json()["message"]  # a write to a read-only server: refused as such
            continue
        assert refused.status_code == 405, (method, path, params, refused.text)
        assert methods(refused) == accepted, (method, path, params, refused.headers)


def test_every_405_and_options_list_the_methods_of_the_resource(writable: str, read_only: str) -> None:
    for base_url in (writable, read_only):
        assert_allow(base_url, "/sparql", {}, SPARQL_METHODS)
    assert_allow(writable, "/data", {"default": ""}, {"GET", "HEAD", "POST", "OPTIONS"})
    assert_allow(writable, "/data", {"graph": "urn:g"}, {"GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS"})
    for params in ({"default": ""}, {"graph": "urn:g"}):
        assert_allow(read_only, "/data", params, {"GET", "HEAD", "OPTIONS"})


# F. A query that does not parse is a 400, whatever the Accept header

@pytest.mark.parametrize(("query", "accept"), [
    ("ASK {", "image/png"), ("ASK {", "text/turtle"), ("SELECT * WHERE { ?s ?p }", "text/turtle"),
    ("CONSTRUCT WHERE { ?s ?p", "text/csv"),
])
def test_a_malformed_query_is_400_whatever_the_accept_header(read_only: str, query: str, accept: str) -> None:
    for send in (lambda: requests.get(read_only + "/sparql", params={"query": query}, headers={"Accept": accept},
                                      timeout=30),
                 lambda: requests.post(read_only + "/sparql", data=query, timeout=30,
                                       headers={"Accept": accept, "Content-Type": "application/sparql-query"})):
        response = send()
        assert response.status_code == 400, response.text
        error = response.json()
        assert error["error"] == "query-syntax-error" and error["line"] == 1, error
    well_formed = requests.get(read_only + "/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"},
                               timeout=30)
    assert well_formed.status_code == 406


def test_the_syntax_error_on_the_406_path_is_the_one_of_any_other_accept(read_only: str) -> None:
    """Same message, line and column as with an Accept header the form can be answered in."""
    query = "PREFIX ex: <http://example.org/>\nASK WHERE { ex:a ex:b }"
    usual = requests.get(read_only + "/sparql", params={"query": query}, timeout=30).json()
    refused = requests.get(read_only + "/sparql", params={"query": query}, headers={"Accept": "image/png"},
                           timeout=30).json()
    assert usual["error"] == refused["error"] == "query-syntax-error"
    assert (refused["line"], refused["column"], refused["message"]) == (usual["line"], usual["column"],
                                                                        usual["message"])


def test_an_older_answer_gets_no_date_when_the_graph_changed_again_within_its_second() -> None:
    """An HTTP date counts whole seconds: an answer of the graph as it was at 100.2 s, sent after a change at
    100.7 s, cannot be dated 100 (If-Modified-Since: 100 would then confirm it against the graph of 100.7 s); one
    sent after a change at 101.3 s can (the graph's date is then 101, later than the client's)."""
    from server.cache import last_modified_second

    assert last_modified_second(100.2, now=105.0, current=100.7) is None
    assert last_modified_second(100.2, now=105.0, current=101.3) == 100
    assert last_modified_second(100.2, now=105.0, current=100.2) == 100


# B. A replica on a shared store (`--backend`) cannot know when the store changed

@pytest.fixture(scope="module")
def shared_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An Oxigraph server holding the shipped graph, published with `jaikg load --to`."""
    with oxigraph_server(str(tmp_path_factory.mktemp("shared"))) as base_url:
        published = CliRunner().invoke(main, ["load", "--to", base_url + "/update"])
        assert published.exit_code == 0, published.stderr
        yield base_url


def write_directly(store: str, update: str) -> None:
    """A write another replica, or `jaikg load --to`, makes: straight to the store."""
    assert requests.post(store + "/update", data=update, timeout=30,
                         headers={"Content-Type": "application/sparql-update"}).status_code in (200, 204)


def objects_query(subject: str) -> str:
    return f"SELECT ?o WHERE {{ <{subject}> <urn:p> ?o }}"


def objects(response: requests.Response) -> set[str]:
    return {row["o"]["value"] for row in response.json()["results"]["bindings"]}


def test_a_writing_replica_does_not_answer_from_its_cache_what_another_changed(shared_store: str) -> None:
    """With --update, answers may be reused for 0 seconds (`max-age=0, must-revalidate`): a write another
    replica made is in the next answer, and no date this replica cannot know is sent or confirmed."""
    subject = f"urn:w:{uuid.uuid4().hex[:8]}"
    write_directly(shared_store, f"INSERT DATA {{ <{subject}> <urn:p> 1 }}")
    with cli_server("--backend", shared_store + "/query", "--backend-update", shared_store + "/update",
                    "--update", "--update-token", TOKEN) as replica:
        query = {"query": objects_query(subject)}
        time.sleep(1.1)  # the second the replica started in is over: a date it would send, it sends now
        first = requests.get(replica + "/sparql", params=query, timeout=30)
        assert first.status_code == 200 and objects(first) == {"1"}
        assert "Last-Modified" not in first.headers
        write_directly(shared_store, f"INSERT DATA {{ <{subject}> <urn:p> 2 }}")
        for headers in ({}, VIEW_ONLY):
            after = requests.get(replica + "/sparql", params=query, headers=headers, timeout=30)
            assert objects(after) == {"1", "2"}, headers
        confirmed = requests.get(replica + "/sparql", params=query, timeout=30,
                                 headers={"If-Modified-Since": http_date(datetime.now(timezone.utc))})
        assert confirmed.status_code == 200 and objects(confirmed) == {"1", "2"}


MAX_AGE = 2


@pytest.fixture(scope="module")
def reading_replica(shared_store: str) -> Iterator[str]:
    """`jaikg serve --backend` (read-only) with answers reusable for MAX_AGE seconds: `serve` itself, as the command
    runs it, with the one setting the command line does not offer."""
    port = free_port()
    program = ("from jaikg.serve import ServeOptions, serve; "
               f"serve(ServeOptions(port={port}, backend={shared_store + '/query'!r}, "
               f"extra_config={{'CACHE_MAX_AGE': {MAX_AGE}}}))")
    with process_server([sys.executable, "-c", program], port) as base_url:
        yield base_url


def test_a_reading_replica_reuses_an_answer_at_most_max_age_seconds(shared_store: str,
                                                                     reading_replica: str) -> None:
    subject = f"urn:r:{uuid.uuid4().hex[:8]}"
    write_directly(shared_store, f"INSERT DATA {{ <{subject}> <urn:p> 1 }}")
    query = {"query": objects_query(subject)}
    time.sleep(1.1)
    first = requests.get(reading_replica + "/sparql", params=query, timeout=30)
    assert objects(first) == {"1"} and first.headers["Cache-Control"] == f"public, max-age={MAX_AGE}"
    assert "Last-Modified" not in first.headers
    write_directly(shared_store, f"INSERT DATA {{ <{subject}> <urn:p> 2 }}")
    time.sleep(1.1)
    reused = requests.get(reading_replica + "/sparql", params=query, timeout=30)
    if objects(reused) == {"1"}:  # from the result cache: it says how old it is (RFC 9111, 5.1)
        assert 1 <= int(reused.headers["Age"]) <= MAX_AGE, reused.headers
    time.sleep(MAX_AGE)
    for headers in ({}, VIEW_ONLY):
        later = requests.get(reading_replica + "/sparql", params=query, headers=headers, timeout=30)
        assert objects(later) == {"1", "2"}, headers
        assert "Last-Modified" not in later.headers
    confirmed = requests.get(reading_replica + "/sparql", params=query, timeout=30,
                             headers={"If-Modified-Since": http_date(datetime.now(timezone.utc))})
    assert confirmed.status_code == 200 and objects(confirmed) == {"1", "2"}


def test_the_network_of_a_reading_replica_follows_the_store_within_max_age(shared_store: str,
                                                                         reading_replica: str) -> None:
    tag = uuid.uuid4().hex[:8]
    organization = f"https://w3id.org/jaikg/resource/test-org-{tag}"
    before = requests.get(reading_replica + "/graph.json", timeout=60)
    assert before.status_code == 200 and organization not in before.text
    write_directly(shared_store, f"""PREFIX jo: <https://w3id.org/jaikg/ontology#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        INSERT DATA {{ GRAPH <urn:g:{tag}> {{ <{organization}> a jo:Organization ; rdfs:label "Org {tag}"@en }} }}""")
    time.sleep(MAX_AGE + 0.5)
    after = requests.get(reading_replica + "/graph.json", timeout=60)
    assert after.status_code == 200 and organization in after.text
