"""A small HTTP client with kept-alive connections and a hard deadline per request (standard library only).

`requests` and `urllib` take a timeout per socket operation, so a server that trickles bytes can hold a request far
past it. Here every connect, send and read gets what is left of one deadline, so `request(..., timeout=t)` returns
or raises within about `t` seconds, whatever the server does. One connection per thread and host is kept open
between requests (`http.client` connections are not thread-safe).
"""

from __future__ import annotations

import base64
import http.client
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit, urlunsplit

READ_SIZE = 1 << 16


class DeadlineExceeded(TimeoutError):
    """The server did not answer completely before the deadline."""


class Unreachable(ConnectionError):
    """The server could not be reached, or closed the connection without an answer."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self, limit: int = 500) -> str:
        """The body as text for an error message: decoded, white space folded, cut at `limit` characters."""
        text = " ".join(self.body.decode("utf-8", "replace").split())
        return text if len(text) <= limit else text[:limit] + " …"


@dataclass(frozen=True)
class Target:
    """A URL split into what a connection needs and what a request sends; user:password becomes Basic auth."""

    scheme: str
    host: str
    port: int | None
    path: str
    auth: str | None = field(default=None, repr=False)

    @classmethod
    def of(cls, url: str) -> Target:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not an http(s) URL: {url!r}")
        auth = None
        if parts.username is not None:
            pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
            auth = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
        path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
        return cls(parts.scheme, parts.hostname, parts.port, path, auth)

    def path_with(self, query: str) -> str:
        """The request path with `query` (already encoded) added to the URL's own query string."""
        if not query:
            return self.path
        return self.path + ("&" if "?" in self.path else "?") + query


class HttpClient:
    """`request(method, url, …)` over connections kept alive per thread and host."""

    def __init__(self, user_agent: str = "jaikg") -> None:
        self.user_agent = user_agent
        self._local = threading.local()

    def _connections(self) -> dict[tuple[str, str, int | None], http.client.HTTPConnection]:
        if not hasattr(self._local, "connections"):
            self._local.connections = {}
        return self._local.connections

    def request(self, method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
                timeout: float, query: str = "") -> Reply:
        """Send one request and read the whole answer within `timeout` seconds.

        Raises `DeadlineExceeded` when the answer is not complete in time and `Unreachable` when no connection
        can be made or it breaks. A kept-alive connection that the server closed meanwhile is retried once on a
        new connection (only when nothing of the answer was read)."""
        target = Target.of(url)
        deadline = time.monotonic() + timeout
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        if target.auth is not None:
            sent.setdefault("Authorization", target.auth)
        for attempt in (0, 1):
            connection, reused = self._connection(target, deadline)
            try:
                reply, will_close = self._exchange(connection, method, target.path_with(query), body, sent,
                                                   deadline)
            except DeadlineExceeded:
                self._drop(target)
                raise
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                self._drop(target)
                if reused and attempt == 0:
                    continue
                raise Unreachable(f"{target.host}:{target.port or ''} closed the connection: {error}") from None
            except (OSError, http.client.HTTPException) as error:
                self._drop(target)
                raise Unreachable(f"{type(error).__name__}: {error}") from None
            if will_close:
                self._drop(target)
            return reply
        raise AssertionError("the loop returns or raises")

    def _connection(self, target: Target, deadline: float) -> tuple[http.client.HTTPConnection, bool]:
        key = (target.scheme, target.host, target.port)
        connections = self._connections()
        if key in connections:
            return connections[key], True
        factory = http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        connection = factory(target.host, target.port, timeout=_remaining(deadline))
        try:
            connection.connect()
        except TimeoutError:
            raise DeadlineExceeded(f"no connection to {target.host} within the time limit") from None
        except OSError as error:
            raise Unreachable(f"{target.host}:{target.port or ''}: {error.strerror or error}") from None
        connections[key] = connection
        return connection, False

    def _drop(self, target: Target) -> None:
        connection = self._connections().pop((target.scheme, target.host, target.port), None)
        if connection is not None:
            connection.close()

    def _exchange(self, connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None,
                  headers: dict[str, str], deadline: float) -> tuple[Reply, bool]:
        """The reply, and whether the server closes the connection after it."""
        try:
            _set_timeout(connection, deadline)
            connection.request(method, path, body=body, headers=headers)
            _set_timeout(connection, deadline)
            response = connection.getresponse()
            chunks = []
            while True:
                _set_timeout(connection, deadline)
                chunk = response.read(READ_SIZE)
                if not chunk:
                    break
                chunks.append(chunk)
        except (TimeoutError, socket.timeout):
            raise DeadlineExceeded("the server did not answer within the time limit") from None
        reply = Reply(response.status, {name.lower(): value for name, value in response.getheaders()},
                      b"".join(chunks))
        return reply, bool(response.will_close)

    def close(self) -> None:
        """Close this thread's connections."""
        for connection in self._connections().values():
            connection.close()
        self._connections().clear()


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DeadlineExceeded("the server did not answer within the time limit")
    return remaining


def _set_timeout(connection: http.client.HTTPConnection, deadline: float) -> None:
    remaining = _remaining(deadline)
    if connection.sock is not None:
        connection.sock.settimeout(remaining)
    else:
        connection.timeout = remaining
