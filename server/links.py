"""Where each of the graph's IRIs lives on this server: `jr:x` → /resource/x, `jev:x` → /evidence/x, `jo:T` →
/ontology/T, the ontology's two documents → /ontology and /ontology/alignments. The same table drives the pages
(Python) and the query UI (JavaScript, which encodes paths the same way).

The part of an IRI after its namespace becomes the path percent-encoded (RFC 3986 §2.1, §2.4): every character
that is not allowed in a path segment, `%` itself included, as its UTF-8 octets; `/` stays a segment separator.
So `jr:odd?x=1` is /resource/odd%3Fx=1 (not a query), `jr:a#frag` /resource/a%23frag (not a fragment),
`jr:café` /resource/caf%C3%A9 and `jr:caf%C3%A9` /resource/caf%25C3%25A9: two IRIs, two paths. A server decodes
the path once (WSGI's PATH_INFO), which gives back exactly the IRI's local part."""

from __future__ import annotations

from urllib.parse import quote

from jaikg.namespaces import EVIDENCE, ONTOLOGY, ONTOLOGY_GRAPH, RESOURCE

ONTOLOGY_DOCUMENT = ONTOLOGY.rstrip("#")
ALIGNMENTS_DOCUMENT = ONTOLOGY_DOCUMENT + "/alignments"
"""The ontology module that aligns the terms with public vocabularies (`ontology/alignments.ttl`)."""

LOCAL_PREFIXES: list[tuple[str, str]] = [
    (RESOURCE, "/resource/"),
    (EVIDENCE, "/evidence/"),
    (ONTOLOGY, "/ontology/"),
]
"""Namespace → path prefix on this server."""

LOCAL_DOCUMENTS: dict[str, str] = {ONTOLOGY_DOCUMENT: "/ontology", ONTOLOGY_GRAPH: "/ontology",
                                   ALIGNMENTS_DOCUMENT: "/ontology/alignments"}


PATH_SAFE = "/:@!$&'()*+,;="
"""What stays as it is in a path besides letters, digits and `-._~`: the sub-delimiters, `:` and `@` (RFC 3986
`pchar`) and the segment separator `/`; the same set as JavaScript's encodeURIComponent keeps plus `/:@$&+,;=`."""


def encode_slug(slug: str) -> str:
    """The local part of an IRI as a path: percent-encoded as UTF-8 except `PATH_SAFE` and the unreserved."""
    return quote(slug, safe=PATH_SAFE)


def local_path(iri: str) -> str | None:
    """The path of the page of `iri` on this server, percent-encoded, or None for an IRI this server does not
    publish."""
    if iri in LOCAL_DOCUMENTS:
        return LOCAL_DOCUMENTS[iri]
    for namespace, prefix in LOCAL_PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + encode_slug(iri[len(namespace):])
    return None


def iri_of(prefix: str, slug: str) -> str:
    """The IRI a local path prefix and slug stand for: the inverse of `local_path` for the slug as the server
    decoded it from the path (Flask's `<path:…>`, taken from PATH_INFO)."""
    namespace = next(namespace for namespace, path in LOCAL_PREFIXES if path == prefix)
    return namespace + slug
