"""The gate every write (SPARQL Update, Graph Store writes) passes: enabled, authorized, same origin; and the answer
to one that succeeded."""

from __future__ import annotations

import hmac

from flask import Response, request

from jaikg.sparql import SparqlError

from .cors import mark_write, refuse_cross_origin_write
from .state import jaikg


def authorize_write() -> None:
    """403 when writes are disabled or come from another origin, 401 without the right bearer token."""
    mark_write()
    settings = jaikg().settings
    if not settings.update:
        raise SparqlError(403, "this endpoint is read-only; start it with `jaikg serve --update` to allow "
                               "SPARQL Update and Graph Store writes.")
    refuse_cross_origin_write()
    if settings.update_token is not None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                                settings.update_token.encode()):
            raise SparqlError(401, "writes need the header `Authorization: Bearer <token>` with the server's "
                                   "update token.", details={"WWW-Authenticate": 'Bearer realm="jaikg"'})


def write_done(status: int = 204) -> Response:
    """The answer to a successful write: 204, or 201 for a graph the write created. It has no body, so no
    Content-Type (Flask's default would say text/html)."""
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response
