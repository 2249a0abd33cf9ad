"""`/.well-known/void`: the VoID and DCAT description of the dataset, as RDF for RDF clients and as a page for
browsers, with its twins by extension (`/.well-known/void.ttl` …); `/healthz`."""

from __future__ import annotations

from collections import defaultdict

import pyoxigraph as ox
from flask import Blueprint, Response, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from jaikg.describe import labels_of
from jaikg.export import FORMATS
from jaikg.namespaces import PREFIXES
from jaikg.sparql import GRAPH_TYPES
from jaikg.store import GraphStore
from jaikg.void import DATASET, void_description, void_statistics

from ..memo import memoized
from ..state import jaikg
from .pages import TWIN_EXTENSION, alternates, chosen_type, html_response, rdf_response, view_term

bp = Blueprint("void", __name__)


def dump_urls() -> dict[str, str]:
    """The dumps the export blueprint serves, by media type."""
    return {fmt.media_type: request.host_url.rstrip("/") + f"/export/jaikg.{fmt.extension}"
            for fmt in FORMATS.values()}


VOID_PATH = "/.well-known/void"
VOID_TYPES = [*GRAPH_TYPES, "text/html"]
"""What `/.well-known/void` answers: RDF first, so that a client naming no type or `*/*` (curl) gets Turtle, and
HTML for a client that prefers it (a browser names text/html before `*/*`)."""


@bp.route(VOID_PATH)
@bp.route(VOID_PATH + TWIN_EXTENSION)
def void(extension: str | None = None) -> Response:
    media_type = chosen_type(VOID_PATH, extension, VOID_TYPES)
    store = jaikg().store
    statistics = memoized(("void.statistics",), lambda: void_statistics(store))
    triples = void_description(store, endpoint=url_for("sparql.endpoint", _external=True), dumps=dump_urls(),
                               statistics=statistics)
    negotiated = extension is None
    if media_type != "text/html":
        return rdf_response(triples, media_type, VOID_PATH, negotiated=negotiated)
    return html_response(void_html(store, triples), VOID_PATH, negotiated=negotiated)


VOID, DCAT, DCTERMS, RDF = (PREFIXES[p] for p in ("void", "dcat", "dcterms", "rdf"))
SUMMARY: list[tuple[str, str]] = [
    (VOID + "triples", "Triples"), (VOID + "entities", "Entities"), (VOID + "distinctSubjects", "Distinct subjects"),
    (VOID + "distinctObjects", "Distinct objects"), (VOID + "classes", "Classes"), (VOID + "properties", "Properties"),
    (VOID + "sparqlEndpoint", "SPARQL endpoint"), (VOID + "dataDump", "Downloads"), (DCTERMS + "license", "Licence"),
    (DCTERMS + "rights", "Rights"), (DCTERMS + "source", "Source"), (VOID + "vocabulary", "Vocabulary"),
    (VOID + "uriSpace", "URI space")]
"""The dataset's statements the page shows first, in this order, with what it calls them; any other statement of
the dataset follows them under its property's name."""
SHOWN_APART = {RDF + "type", DCTERMS + "title", DCTERMS + "description", VOID + "classPartition",
               VOID + "propertyPartition", DCAT + "distribution", DCAT + "accessService"}
"""Statements of the dataset the page shows otherwise: its types, title and description at the top, the partitions
as tables, the distributions and the endpoint's service beside the dumps and the endpoint they describe."""
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def void_html(store: GraphStore, triples: list[ox.Triple]) -> str:
    """The VoID page: a summary (size, endpoint, dumps, licence, source), then the class partitions (class |
    entities) and property partitions (property | triples) as compact tables, largest first."""
    about: dict[ox.NamedNode | ox.BlankNode, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for triple in triples:
        about[triple.subject][triple.predicate.value].append(triple.object)
    dataset = about[ox.NamedNode(DATASET)]
    labels = labels_of(store, {t.value for triple in triples for t in (triple.predicate, triple.object)
                               if isinstance(t, ox.NamedNode)})

    def t(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict:
        return view_term(term, labels)

    def first(node, predicate: str):
        values = about[node].get(predicate) or [None]
        return values[0]

    media_types = {}  # dump URL → its media type, from the DCAT distributions
    for distribution in dataset.get(DCAT + "distribution", []):
        url, media_type = first(distribution, DCAT + "downloadURL"), first(distribution, DCAT + "mediaType")
        if url is not None and media_type is not None:
            media_types[url.value] = media_type.value.removeprefix(MEDIA_TYPES)
    protocols = {first(service, DCAT + "endpointURL").value: first(service, DCTERMS + "conformsTo")
                 for service in dataset.get(DCAT + "accessService", [])
                 if first(service, DCAT + "endpointURL") is not None}

    def value(term) -> dict:
        shown = t(term)
        if shown["kind"] == "literal" and shown["datatype"] == "xsd:integer":
            shown["datatype"] = None  # a count: the number says enough
        note = None
        if isinstance(term, ox.NamedNode):
            note = media_types.get(term.value)
            protocol = protocols.get(term.value)
            if protocol is not None:
                note = "conforms to " + (labels.get(protocol.value) or protocol.value)
        return {"term": shown, "note": note}

    known = dict(SUMMARY)
    order = [p for p, _ in SUMMARY if p in dataset] + \
        [p for p in dataset if p not in known and p not in SHOWN_APART]
    summary = [{"label": known.get(p), "predicate": t(ox.NamedNode(p)), "values": [value(v) for v in dataset[p]]}
               for p in order]

    def partitions(link: str, key: str, count: str) -> list[dict]:
        rows = []
        for partition in dataset.get(VOID + link, []):
            node, number = first(partition, VOID + key), first(partition, VOID + count)
            if node is not None:
                rows.append({"term": t(node), "count": int(number.value) if number is not None else None})
        return sorted(rows, key=lambda row: (-(row["count"] or 0), row["term"]["text"].lower()))

    titles, descriptions = dataset.get(DCTERMS + "title", []), dataset.get(DCTERMS + "description", [])
    return render_template(
        "void.html", iri=DATASET, title=titles[0].value if titles else "VoID description",
        description=descriptions[0].value if descriptions else None,
        types=[t(ty) for ty in dataset.get(RDF + "type", [])], summary=summary,
        classes=partitions("classPartition", "class", "entities"),
        properties=partitions("propertyPartition", "property", "triples"), alternates=alternates(VOID_PATH))


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Alive and able to query the store; with query workers, how many run: none (all killed and none could be
    started again) is 503, as every query that needs one would wait and fail."""
    state = jaikg()
    has_data = bool(state.store.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
    count_workers = getattr(state.executor, "live_workers", None)
    if count_workers is None:
        return jsonify(status="ok", data=has_data, update=state.settings.update)
    workers = count_workers()
    status = "ok" if workers else "no query workers"
    return jsonify(status=status, data=has_data, update=state.settings.update, workers=workers), 200 if workers else 503
