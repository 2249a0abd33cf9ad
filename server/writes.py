"""The gate every write (SPARQL Update, Graph Store writes) passes: enabled, same origin, a Host that names this
server (without a token), authorized; the lock writes take; and the answer to one that succeeded."""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Response, request

from jaikg.sparql import SparqlError

from .cors import mark_write, refuse_cross_origin_write, refuse_foreign_host_write
from .state import jaikg

_WRITE_LOCK = threading.Lock()


def authorize_write() -> None:
    """403 when writes are disabled, come from another origin, or (without an update token) name this server by a
    name a web page could have pointed at it (DNS rebinding); 401 without the right bearer token."""
    mark_write()
    settings = jaikg().settings
    if not settings.update:
        raise SparqlError(403, "this endpoint is read-only; start it with `jaikg serve --update` to allow "
                               "SPARQL Update and Graph Store writes.")
    refuse_cross_origin_write()
    if settings.update_token is None:
        refuse_foreign_host_write()
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(),
                                                            settings.update_token.encode()):
        raise SparqlError(401, "writes need the header `Authorization: Bearer <token>` with the server's "
                               "update token.", details={"WWW-Authenticate": 'Bearer realm="jaikg"'})


@contextmanager
def serialized_write() -> Iterator[None]:
    """Held by every write of this process from the check of its preconditions (If-Match, If-Unmodified-Since) to
    its end, so that no other write comes between what a client's condition was checked against and its change."""
    with _WRITE_LOCK:
        yield


def write_done(status: int = 204) -> Response:
    """The answer to a successful write: 204, or 201 for a graph the write created. It has no body, so no
    Content-Type (Flask's default would say text/html)."""
    response = Response(status=status)
    del response.headers["Content-Type"]
    return response
