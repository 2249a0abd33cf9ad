"""Content negotiation: Werkzeug's Accept parsing against a list of media types, plus the aliases clients send."""

from __future__ import annotations

from flask import request

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
    accept = request.accept_mimetypes
    if not accept or not request.headers.get("Accept", "").strip():
        return offered[0]
    candidates = list(offered) + [alias for alias, targets in ALIASES.items()
                                  if alias not in offered and any(t in offered for t in targets)]
    best = accept.best_match(candidates)
    if best is None or best in offered:
        return best
    return next(target for target in ALIASES[best] if target in offered)


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text and JSON/XML flavours are UTF-8."""
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml", "triples", "quads", "trig"))
    return f"{media_type}; charset=utf-8" if textual else media_type
