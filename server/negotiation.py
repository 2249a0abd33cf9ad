"""Content negotiation: Werkzeug's Accept parsing against a list of media types, plus the aliases clients send."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import MIMEAccept

ALIASES: dict[str, tuple[str, ...]] = {
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/plain": ("application/n-triples", "text/tab-separated-values"),
    "application/x-turtle": ("text/turtle",),
}
"""Media types clients often send for a type we serve under its registered name."""


def negotiate(offered: list[str]) -> str | None:
    """The media type of `offered` (the default first) the request's Accept header prefers; the default when there
    is no Accept header; None when nothing offered is acceptable."""
    accept = accepted()
    if not accept or not request.headers.get("Accept", "").strip():
        return offered[0]
    refused = {value for value, quality in accept if quality == 0}
    candidates = list(offered) + [alias for alias, targets in ALIASES.items()
                                  if alias not in offered and any(t in offered and t not in refused for t in targets)]
    best = accept.best_match(candidates)
    if best is None or best in offered:
        return best
    return next(target for target in ALIASES[best] if target in offered and target not in refused)


def accepted() -> MIMEAccept:
    """The request's Accept header with the parameters of its media ranges (`charset`, `profile` …) dropped: each
    type is served one way, and Werkzeug matches a range with parameters only to a type with the same ones, so
    `application/sparql-results+json; charset=utf-8` got 406."""
    return MIMEAccept([(value.split(";", 1)[0].strip(), quality) for value, quality in request.accept_mimetypes])


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text and JSON/XML flavours are UTF-8."""
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml", "triples", "quads", "trig"))
    return f"{media_type}; charset=utf-8" if textual else media_type
