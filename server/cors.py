"""CORS for reading (queries, pages, dumps) from the allowed origins; never for writes.

A view that writes marks the request with `mark_write()`; its responses (errors included) get no CORS headers, so a
page on another origin cannot read the outcome of a write, and `refuse_cross_origin_write` refuses writes a browser
sends from another origin outright (a form POST needs no preflight).

The Origin check compares with the Host header, which a page served through DNS rebinding controls: its domain
first resolves to the attacker's server, then to 127.0.0.1, and its requests to this server carry that domain as
both Origin and Host. So a write that no update token protects is also refused unless its Host names this server
by a name no DNS answer can move (`refuse_foreign_host_write`), as Django's ALLOWED_HOSTS and Jupyter's
allow_remote_access do.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from jaikg.sparql import SparqlError

from .state import jaikg

READ_METHODS = "GET, HEAD, POST, OPTIONS"
READ_HEADERS = "Accept, Content-Type"
EXPOSED_HEADERS = "Link, ETag, X-SPARQL-MaxRows, X-JAIKG-Truncated, Content-Disposition"
"""Response headers a page on another origin may read beyond the safelisted ones (Content-Type, Last-Modified …)."""


def mark_write() -> None:
    g.jaikg_write = True


def refuse_cross_origin_write() -> None:
    """403 for a write whose Origin header names another site than this server, or is `null` (a sandboxed frame, a
    `data:` or `file:` page: origins a browser hides, which are not this server's pages)."""
    origin = request.headers.get("Origin")
    if origin and (origin == "null" or _origin_of(origin) != _origin_of(request.host_url)):
        raise SparqlError(403, f"writes from another origin ({origin}) are not allowed.")


HOST_HEADER = re.compile(r"^(?:\[(?P<v6>[^\]]+)\]|(?P<name>[^:\[\]@/?#\s]+))(?::\d*)?$")
"""A Host header (RFC 9110, section 7.2): a name or IPv4 address, or an IPv6 address in brackets; a port."""
LOOPBACK_NAMES = frozenset({"localhost"})
"""Names that browsers resolve to the loopback address themselves, never through DNS (RFC 6761, section 6.3)."""


def refuse_foreign_host_write() -> None:
    """403 for a write whose Host header names this server by a DNS name other than `localhost`. An IP address
    (127.0.0.1, [::1], the address the server is bound to, any address of the machine when bound to 0.0.0.0)
    involves no DNS answer, so no page can be rebound onto it; a request without Host comes from no browser."""
    host = request.environ.get("HTTP_HOST")
    if host is None or host_cannot_be_rebound(host):
        return
    raise SparqlError(403, f"writes without an update token are accepted only for a Host header naming this server "
                           f"as localhost or by an IP address (such as 127.0.0.1 or [::1]); this request names "
                           f"{host!r}, a name a web page could point at this server (DNS rebinding). To write "
                           f"through that name, start the server with `--update-token TOKEN` and send "
                           f"`Authorization: Bearer TOKEN`.")


def host_cannot_be_rebound(host: str) -> bool:
    """Whether a Host header value (`name[:port]`, `IPv4[:port]`, `[IPv6][:port]`) is `localhost` or an IP
    address."""
    match = HOST_HEADER.match(host)
    if match is None:
        return False
    if match.group("v6") is not None:
        return _is_address(match.group("v6"), ipaddress.IPv6Address)
    name = match.group("name").lower()
    return name in LOOPBACK_NAMES or _is_address(name, ipaddress.IPv4Address)


def _is_address(text: str, kind: type[ipaddress.IPv4Address] | type[ipaddress.IPv6Address]) -> bool:
    try:
        kind(text)
    except ValueError:
        return False
    return True


def _origin_of(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme.lower(), parts.netloc.lower()


def add_cors_headers(response: Response) -> Response:
    if g.get("jaikg_write"):
        return response
    allowed = jaikg().settings.cors_origins
    origin = request.headers.get("Origin")
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response.vary.add("Origin")  # with or without the header, the answer depends on the Origin (Fetch, CORS)
        if not origin or origin not in allowed:
            return response
        response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = READ_METHODS
        response.headers["Access-Control-Allow-Headers"] = READ_HEADERS
        response.headers["Access-Control-Max-Age"] = "600"
    return response


def init_cors(app: Flask) -> None:
    app.after_request(add_cors_headers)
