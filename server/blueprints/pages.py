"""Linked Data: every IRI of the graph as a page (`/resource/…`, `/evidence/…`, `/ontology/…`), HTML for people
and Turtle, JSON-LD, N-Triples, RDF/XML, TriG or N-Quads for machines, chosen by the Accept header (RFC 9110,
12.5.1; 406 naming each format and its URL when none is acceptable) or by extension, every one of them by both.
A negotiated answer says which URL holds it alone (`Content-Location`) and that Accept chose it (`Vary`); each
announces the other formats in a `Link` header."""

from __future__ import annotations

import re

from dataclasses import dataclass

import pyoxigraph as ox
from flask import Blueprint, Response, abort, render_template, request
from werkzeug.exceptions import HTTPException, NotFound

from jaikg.describe import (Description, describe, exists, labels_of, ontology_modules, ontology_term,
                            ontology_terms, ontology_triples, similar_iris)
from jaikg.export import WRITERS as DUMP_WRITERS
from jaikg.namespaces import ONTOLOGY, PREFIXES, shorten
from jaikg.sparql import GRAPH_TYPES, write_rdf
from jaikg.store import GraphStore

from ..errors import error_response
from ..links import ALIGNMENTS_DOCUMENT, ONTOLOGY_DOCUMENT, encode_slug, iri_of, local_path
from ..memo import memoized
from ..negotiation import acceptable, content_type, negotiate
from ..state import jaikg

bp = Blueprint("pages", __name__)

TWINS: dict[str, str] = {".ttl": "text/turtle", ".jsonld": "application/ld+json", ".nt": "application/n-triples",
                         ".rdf": "application/rdf+xml", ".trig": "application/trig", ".nq": "application/n-quads",
                         ".html": "text/html"}
"""Extension → media type of every format of every page: each type the Accept header can choose has its extension,
and each extension's type can be chosen by Accept (`OFFERED`)."""
EXTENSIONS: dict[str, str] = {media_type: extension for extension, media_type in TWINS.items()}
FORMAT_NAMES: dict[str, str] = {"text/turtle": "Turtle", "application/ld+json": "JSON-LD",
                                "application/n-triples": "N-Triples", "application/rdf+xml": "RDF/XML",
                                "application/trig": "TriG", "application/n-quads": "N-Quads", "text/html": "HTML"}
OFFERED = ["text/html", *GRAPH_TYPES]
"""What Accept chooses among, the default first: HTML for a client that names no type (a browser following a link),
and for `*/*` or `text/*`, where it ties with the others."""
assert set(OFFERED) == set(TWINS.values()) == set(FORMAT_NAMES), "a format by Accept only, or by extension only"
TWIN_EXTENSION = "<any(" + ", ".join(f"'{extension}'" for extension in TWINS) + "):extension>"
"""A route part matching the extension of a twin."""
EXTENSION = re.compile(r"(?<=[^/.])\.([A-Za-z][A-Za-z0-9-]{0,15})$")
"""What looks like the extension of a file at the end of a path: `.xyz` of `/resource/swallow.xyz`."""


@dataclass(frozen=True)
class Alternate:
    media_type: str
    href: str

    @property
    def name(self) -> str:
        return FORMAT_NAMES[self.media_type]


def alternates(path: str, current: str | None = "text/html") -> list[Alternate]:
    """The formats of the page at `path` other than `current` (all of them for None), each at its own URL."""
    return [Alternate(media_type, path + extension) for extension, media_type in TWINS.items()
            if media_type != current]


def link_header(path: str, current: str | None = "text/html") -> str:
    return ", ".join(f'<{alt.href}>; rel="alternate"; type="{alt.media_type}"' for alt in alternates(path, current))


def split_twin(slug: str, prefix: str) -> tuple[str, str | None]:
    """`swallow.ttl` → (`swallow`, text/turtle) unless `swallow.ttl` is itself a slug of the graph."""
    store = jaikg().store
    for extension, media_type in TWINS.items():
        if slug.endswith(extension) and not exists(store, iri_of(prefix, slug)):
            return slug[:-len(extension)], media_type
    return slug, None


def chosen_type(path: str, extension: str | None = None, offered: list[str] = OFFERED) -> str:
    """The media type of the answer at `path`: the one `extension` (with its dot) names, 404 naming the formats if
    it names none; else the one of `offered` (the default first) the Accept header prefers, 406 naming the formats
    if none is acceptable."""
    if extension is not None:
        if extension not in TWINS:
            raise UnknownFormat(path, extension)
        return TWINS[extension]
    return acceptable(offered, path, available={alt.media_type: alt.href for alt in alternates(path, None)},
                      headers={"Link": link_header(path, None), "Vary": "Accept"})


class UnknownFormat(NotFound):
    """A page asked for by an extension that is none of its formats: 404 naming them."""

    def __init__(self, path: str, extension: str) -> None:
        self.path = path
        formats = ", ".join(f"{alt.name} ({alt.href})" for alt in alternates(path, None))
        super().__init__(f"{path} has no {extension} format: it is served as {formats}, and by the Accept header "
                         f"at {path}.")


def representation(response: Response, media_type: str, path: str, negotiated: bool) -> Response:
    """The headers every format of a page carries: the other formats (`Link`); for an answer Accept chose, the URL
    of this format alone (`Content-Location`, RFC 9110, 8.7) and `Vary: Accept` (12.5.5), which an answer by
    extension, the same whatever the Accept header, goes without."""
    response.headers["Link"] = link_header(path, media_type)
    if negotiated:
        response.headers["Content-Location"] = path + EXTENSIONS[media_type]
        response.vary.add("Accept")
    return response


def rdf_body(statements: list[ox.Triple] | list[ox.Quad], media_type: str,
             prefixes: dict[str, str] | None = None) -> bytes:
    """A twin in `media_type`: JSON-LD by the dumps' own writer (compacted with the project's `@context`, the same
    bytes for the same statements: a twin's ETag is a hash of them), triples in its default graph; the other
    syntaxes by Oxigraph's writers, with the project's prefixes (or `prefixes`)."""
    if media_type == "application/ld+json":
        return DUMP_WRITERS["jsonld"]([s if isinstance(s, ox.Quad) else ox.Quad(s.subject, s.predicate, s.object)
                                       for s in statements])
    return write_rdf(statements, media_type, prefixes=prefixes)


def rdf_response(statements: list[ox.Triple] | list[ox.Quad], media_type: str, path: str,
                 prefixes: dict[str, str] | None = None, *, negotiated: bool = True) -> Response:
    response = Response(rdf_body(statements, media_type, prefixes), content_type=content_type(media_type))
    return representation(response, media_type, path, negotiated)


def html_response(html: str, path: str, *, negotiated: bool = True) -> Response:
    response = Response(html, content_type="text/html; charset=utf-8")
    return representation(response, "text/html", path, negotiated)


LINKABLE = re.compile(r"^(?:https?|urn|mailto):", re.IGNORECASE)
"""IRIs a page links to: a `javascript:` or `data:` IRI in the data is shown, never made a link."""


def view_term(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple, labels: dict[str, str]) -> dict:
    """A term as the templates show it: text, link, and for a literal its language or datatype."""
    if isinstance(term, ox.NamedNode):
        local = local_path(term.value)
        href = local or (term.value if LINKABLE.match(term.value) else None)
        return {"kind": "iri", "iri": term.value, "href": href, "short": shorten(term.value),
                "text": labels.get(term.value) or shorten(term.value), "local": local is not None}
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value if term.datatype else None
        plain = datatype in (None, PREFIXES["xsd"] + "string", PREFIXES["rdf"] + "langString")
        return {"kind": "literal", "text": term.value, "lang": term.language,
                "datatype": None if plain else shorten(datatype)}
    return {"kind": "blank", "text": str(term), "id": str(term)}


def iris_in(description: Description) -> set[str]:
    terms: list = [*description.types, *description.properties]
    for values in description.properties.values():
        terms.extend(values)
    for props in description.blank_nodes.values():
        terms.extend(props)
        for values in props.values():
            terms.extend(values)
    terms.extend(t for link in description.incoming for t in (link.subject, link.predicate))
    terms.extend(t for triple in description.graph for t in (triple.subject, triple.predicate, triple.object))
    terms.extend(description.instances)
    terms.extend(t for pair in description.uses for t in pair)
    for evidence in description.evidence:
        terms.extend(t for fact in evidence.facts for t in fact)
    terms.extend(ox.NamedNode(source.section) for source in description.sources.values() if source.section)
    return {t.value for t in terms if isinstance(t, ox.NamedNode)}


def description_rdf(description: Description, media_type: str) -> list[ox.Triple] | list[ox.Quad]:
    """The twin of a page in `media_type`: the evidence graphs as named graphs where the syntax has them, else the
    union with each fact reified (`Description.triples`)."""
    return description.quads() if GRAPH_TYPES[media_type].supports_datasets else description.triples()


def description_html(store: GraphStore, description: Description, path: str, heading: str | None = None) -> str:
    """The HTML view of a description (`store` gives the labels of the IRIs it names)."""
    iri = description.iri
    labels = labels_of(store, iris_in(description) | {iri})
    return render_template(
        "entity.html", d=description, iri=iri, short=shorten(iri), heading=heading,
        title=heading or labels.get(iri, shorten(iri)), t=lambda term: view_term(term, labels), ox_iri=ox.NamedNode,
        local=local_path, short_of=shorten, alternates=alternates(path), graph_facts=graph_facts(description))


def graph_facts(description: Description) -> list[ox.Triple]:
    """The facts of the graph the IRI names, less its description of itself (its quote, section and source)
    where the page shows that already among the IRI's own statements."""
    this = ox.NamedNode(description.iri)
    return [triple for triple in description.graph
            if not (triple.subject == this and triple.object in description.properties.get(triple.predicate, []))]


def entity_page(prefix: str, slug: str) -> Response:
    """The page of the IRI `prefix` + `slug` stands for, in the negotiated or requested format."""
    slug, forced = split_twin(slug, prefix)
    iri = iri_of(prefix, slug)
    path = prefix + encode_slug(slug)
    store = jaikg().store
    if not exists(store, iri):
        unknown = EXTENSION.search(slug)
        if forced is None and unknown and exists(store, iri_of(prefix, slug[:unknown.start()])):
            raise UnknownFormat(prefix + encode_slug(slug[:unknown.start()]), unknown.group(0))
        return not_found(iri, prefix, slug)
    media_type = forced or chosen_type(path)
    description = describe(store, iri)
    if media_type != "text/html":
        return rdf_response(description_rdf(description, media_type), media_type, path, negotiated=not forced)
    return html_response(description_html(store, description, path), path, negotiated=not forced)


def wants_html() -> bool:
    """Whether the client takes HTML first (a browser, or a client that names no type): the 404 page; others get
    the error as JSON or plain text, as the endpoint's errors."""
    return negotiate(["text/html", "text/plain", "application/json"]) == "text/html"


def not_found(iri: str, prefix: str, slug: str) -> Response:
    namespace = iri[:-len(slug)] if slug else iri
    suggestions = similar_iris(jaikg().store, namespace, slug)
    if not wants_html():
        guesses = f" Did you mean: {', '.join(local_path(s) for s in suggestions)}?" if suggestions else ""
        return error_response(404, "not-found", f"{iri} is not in the graph.{guesses}", headers={"Vary": "Accept"})
    labels = labels_of(jaikg().store, set(suggestions))
    html = render_template("not_found.html", iri=iri, slug=slug, suggestions=[
        {"href": local_path(s), "short": shorten(s), "label": labels.get(s)} for s in suggestions])
    return Response(html, status=404, content_type="text/html; charset=utf-8", headers={"Vary": "Accept"})


@bp.route("/resource/<path:slug>")
def resource(slug: str) -> Response:
    return entity_page("/resource/", slug)


@bp.route("/evidence/<path:slug>")
def evidence(slug: str) -> Response:
    return entity_page("/evidence/", slug)


@bp.route("/ontology/<path:term>")
def term(term: str) -> Response:
    return entity_page("/ontology/", term)


@bp.route("/ontology")
@bp.route("/ontology.<extension>")
def ontology(extension: str | None = None) -> Response:
    """The ontology document: every class and property with its labels and definition; its twins are the
    ontology graph itself (the core ontology and its alignments, as the loader holds them)."""
    media_type = chosen_type("/ontology", f".{extension}" if extension is not None else None)
    body = memoized(("ontology", media_type), lambda: ontology_document(jaikg().store, media_type))
    return representation(Response(body, content_type=content_type(media_type)), media_type, "/ontology",
                          negotiated=extension is None)


def ontology_document(store: GraphStore, media_type: str) -> bytes | str:
    """The body of `/ontology` in `media_type`, kept once per version of the graph (`server.memo`): the page
    describes every term, and rdflib writes the JSON-LD twin in over 100 ms."""
    if media_type != "text/html":
        return rdf_body(ontology_triples(store), media_type)
    terms = ontology_terms(store)
    described = {iri: describe_term(store, iri) for kind in terms for iri in terms[kind]}
    alignments = describe_term(store, ALIGNMENTS_DOCUMENT)
    related = [{"relation": "Its alignments to public vocabularies:", "href": alignments["path"],
                "title": alignments["title"] or shorten(ALIGNMENTS_DOCUMENT)}]
    return render_template(
        "ontology.html", terms=terms, described=described, namespace=ONTOLOGY, document=ONTOLOGY_DOCUMENT,
        header=describe_term(store, ONTOLOGY_DOCUMENT), related=related, alignments=[],
        alternates=alternates("/ontology"))


@bp.route("/ontology/alignments")
@bp.route("/ontology/alignments.<extension>")
def alignments(extension: str | None = None) -> Response:
    """The alignments module of the ontology (`ontology/alignments.ttl`): each term of the ontology with its
    public counterparts; its twins are the module's own statements, with its prefixes."""
    path = "/ontology/alignments"
    module = ontology_modules().get(ALIGNMENTS_DOCUMENT)
    if module is None:
        abort(404, description=f"{ALIGNMENTS_DOCUMENT} is not among the shipped ontology files.")
    media_type = chosen_type(path, f".{extension}" if extension is not None else None)
    negotiated = extension is None
    if media_type != "text/html":
        return rdf_response(module.triples, media_type, path, prefixes=PREFIXES | module.prefixes,
                            negotiated=negotiated)
    store = jaikg().store
    ontology_header = describe_term(store, ONTOLOGY_DOCUMENT)
    related = [{"relation": "Aligns the terms of:", "href": "/ontology",
                "title": ontology_header["title"] or shorten(ONTOLOGY_DOCUMENT)}]
    return html_response(render_template(
        "ontology.html", terms={}, described={}, namespace=ONTOLOGY, document=ALIGNMENTS_DOCUMENT,
        header=describe_term(store, ALIGNMENTS_DOCUMENT), related=related,
        alignments=alignment_rows(module.triples, module.prefixes), alternates=alternates(path)), path,
        negotiated=negotiated)


def alignment_rows(triples: list[ox.Triple], prefixes: dict[str, str]) -> list[dict]:
    """The module's statements grouped by subject in the file's order, the module's own header left out (the
    page shows it above), each IRI written as the file's prefixed name and linked to its page here if it has one."""
    names: dict[str, str] = {}
    for triple in triples:
        for node in (triple.subject, triple.predicate, triple.object):
            if isinstance(node, ox.NamedNode):
                names[node.value] = shorten(node.value, PREFIXES | prefixes)
    grouped: dict[ox.NamedNode | ox.BlankNode, list[tuple[dict, dict]]] = {}
    for triple in triples:
        if triple.subject == ox.NamedNode(ALIGNMENTS_DOCUMENT):
            continue
        grouped.setdefault(triple.subject, []).append((view_term(triple.predicate, names),
                                                       view_term(triple.object, names)))
    return [{"id": subject.value.rpartition("#")[2], "subject": view_term(subject, names), "statements": statements}
            for subject, statements in grouped.items()]


def describe_term(store: GraphStore, iri: str) -> dict:
    """Labels and definition of one ontology term, for the ontology document."""
    found = {shorten(p): values for p, values in ontology_term(store, iri).items()}
    return {"local": iri.rpartition("#")[2], "path": local_path(iri), "short": shorten(iri),
            "label_en": _pick(found.get("rdfs:label", []), "en"), "label_ja": _pick(found.get("rdfs:label", []), "ja"),
            "comment": _pick(found.get("rdfs:comment", []) + found.get("skos:definition", []), "en"),
            "title": _pick(found.get("dcterms:title", []), "en"),
            "title_ja": _pick(found.get("dcterms:title", []), "ja"),
            "description": _pick(found.get("dcterms:description", []), "en")}


def _pick(literals: list[ox.Literal], language: str) -> str | None:
    for literal in literals:
        if (literal.language or "") == language or (language == "en" and not literal.language):
            return literal.value
    return None


@bp.app_errorhandler(404)
def page_not_found(error: Exception) -> Response:
    """A path no view serves, or a view's own 404 (`abort(404, description=…)`, which says what is missing): the
    404 page, or the error as JSON or text, pointing at the places that exist; a page asked for in a format it
    does not have, with links to those it has (and in a `Link` header)."""
    specific = isinstance(error, HTTPException) and error.description != NotFound.description
    message = error.description if specific else \
        f"{request.path} is not a page of this server. Try /sparql, /resource/<slug>, /ontology or /."
    headers = {"Vary": "Accept"}
    formats = alternates(error.path, None) if isinstance(error, UnknownFormat) else []
    if formats:
        headers["Link"] = link_header(error.path, None)
    if not wants_html():
        return error_response(404, "not-found", message, headers=headers)
    return Response(render_template("not_found.html", iri=request.path, slug="", suggestions=[],
                                    message=message if specific else None, formats=formats),
                    status=404, content_type="text/html; charset=utf-8", headers=headers)
