"""Where each of the graph's IRIs lives on this server: `jr:x` → /resource/x, `jev:x` → /evidence/x, `jo:T` →
/ontology/T, the ontology's two documents → /ontology and /ontology/alignments. The same table drives the pages
(Python) and the query UI (JavaScript)."""

from __future__ import annotations

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


def local_path(iri: str) -> str | None:
    """The path of the page of `iri` on this server, or None for an IRI this server does not publish."""
    if iri in LOCAL_DOCUMENTS:
        return LOCAL_DOCUMENTS[iri]
    for namespace, prefix in LOCAL_PREFIXES:
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return prefix + iri[len(namespace):]
    return None


def iri_of(prefix: str, slug: str) -> str:
    """The IRI a local path prefix and slug stand for (the inverse of `local_path`)."""
    namespace = next(namespace for namespace, path in LOCAL_PREFIXES if path == prefix)
    return namespace + slug
