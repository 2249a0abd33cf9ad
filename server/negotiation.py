"""Content negotiation (RFC 9110, 12.5.1): Werkzeug's Accept parsing against a list of media types, plus the aliases
clients send; the endpoint, the graph store, the Linked Data pages and VoID all choose with `negotiate`, and
`acceptable` adds the 406 (`NotAcceptable`, answered as the endpoint's errors are) naming what there is."""

from __future__ import annotations

from flask import request
from werkzeug.datastructures import MIMEAccept

from jaikg.sparql import NotAcceptable

ALIASES: dict[str, tuple[str, ...]] = {
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/plain": ("application/n-triples", "text/tab-separated-values"),
    "application/x-turtle": ("text/turtle",),
}
"""Media types clients often send for a type we serve under its registered name."""


def negotiate(offered: list[str]) -> str | None:
    """The media type of `offered` (the default first) the request's Accept header prefers: the highest quality,
    each type rated by the most specific range that matches it (`text/html;q=0, */*` refuses HTML, takes the
    rest); at equal quality the type the client names more specifically, then the earlier in `offered`. The
    default when there is no Accept header (or an empty one: any type is acceptable); None when nothing offered
    is acceptable."""
    accept = accepted()
    if not accept or not request.headers.get("Accept", "").strip():
        return offered[0]
    candidates = list(offered) + [alias for alias, targets in ALIASES.items()
                                  if alias not in offered and any(t in offered and not refuses(accept, t)
                                                                  for t in targets)]
    best = accept.best_match(candidates)
    if best is None or best in offered:
        return best
    return next(target for target in ALIASES[best] if target in offered and not refuses(accept, target))


def refuses(accept: MIMEAccept, media_type: str) -> bool:
    """Whether the most specific range of `accept` matching `media_type` gives it quality 0: an alias is not served
    as a type the client refused, by name or by a range (`application/*;q=0, application/json` takes no JSON-LD)."""
    kind = media_type.split("/", 1)[0]
    for value, quality in accept:  # Werkzeug keeps them most specific first
        if value in (media_type, kind + "/*", "*/*"):
            return quality == 0
    return False


def acceptable(offered: list[str], what: str, available: dict[str, str] | None = None,
               headers: dict[str, str] | None = None) -> str:
    """`negotiate`, or the 406 of every resource of this server when nothing offered is acceptable: what was asked,
    and each type there is (with the URL that serves it, from `available`, where it has one of its own: RFC 9110,
    15.5.7); `headers` go on the 406 too."""
    chosen = negotiate(offered)
    if chosen is None:
        types = ", ".join(f"{media_type} ({available[media_type]})" if available and media_type in available
                          else media_type for media_type in offered)
        raise NotAcceptable(406, f"cannot answer {what} as Accept: {request.headers.get('Accept')}; "
                                 f"supported: {types}.", details=dict(headers or {}))
    return chosen


def accepted() -> MIMEAccept:
    """The request's Accept header with the parameters of its media ranges (`charset`, `profile` …) dropped: each
    type is served one way, and Werkzeug matches a range with parameters only to a type with the same ones, so
    `application/sparql-results+json; charset=utf-8` got 406. Lower case: media types are case-insensitive (RFC 9110,
    8.3.1)."""
    return MIMEAccept([(value.split(";", 1)[0].strip().lower(), quality)
                       for value, quality in request.accept_mimetypes])


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text and JSON/XML flavours are UTF-8."""
    textual = media_type.startswith("text/") or media_type.endswith(("json", "xml", "triples", "quads", "trig"))
    return f"{media_type}; charset=utf-8" if textual else media_type
