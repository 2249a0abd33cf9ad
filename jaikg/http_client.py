"""A small HTTP client with kept-alive connections and a hard deadline per request (standard library only).

`requests` and `urllib` take a timeout per socket operation, so a server that trickles bytes can hold a request far
past it. Here every connect, send and receive (each `recv`, not each `read`, which makes many) gets what is left of
one deadline, so `request(..., timeout=t)` returns or raises within about `t` seconds, whatever the server does
(only the look-up of the host name is not bounded). One connection per thread and host is kept open between
requests (`http.client` connections are not thread-safe).

A request is sent again only when that cannot apply it twice: a kept-alive connection that the server closed while
idle is noticed before anything is sent on it, and a connection that breaks after the request went out is retried
only for an idempotent request (RFC 9110, section 9.2.2), never for a SPARQL Update.
"""

from __future__ import annotations

import base64
import functools
import http.client
import io
import select
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
"""RFC 9110, section 9.2.2: sending one of these twice has the effect of sending it once."""
DROPPED = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
"""How a connection the server closed shows."""


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

    def _connections(self) -> dict[tuple[str, str, int | None], _Connection]:
        if not hasattr(self._local, "connections"):
            self._local.connections = {}
        return self._local.connections

    def request(self, method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
                timeout: float, query: str = "", idempotent: bool | None = None) -> Reply:
        """Send one request and read the whole answer within `timeout` seconds.

        Raises `DeadlineExceeded` when the answer is not complete in time and `Unreachable` when no connection
        can be made or it breaks. When a kept-alive connection breaks after the request went out, the server may
        have received it: it is sent once more, on a new connection, only when `idempotent` (by default: when the
        method is; a POST of a SPARQL query is, a POST of an update is not)."""
        target = Target.of(url)
        deadline = time.monotonic() + timeout
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        if target.auth is not None:
            sent.setdefault("Authorization", target.auth)
        retry = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent
        for attempt in (0, 1):
            connection, reused = self._connection(target, deadline)
            try:
                reply, will_close = self._exchange(connection, method, target.path_with(query), body, sent)
            except DeadlineExceeded:
                self._drop(target)
                raise
            except DROPPED as error:
                self._drop(target)
                if retry and reused and attempt == 0:
                    continue
                raise Unreachable(f"{target.host}:{target.port or ''} closed the connection: {error}") from None
            except (OSError, http.client.HTTPException) as error:
                self._drop(target)
                raise Unreachable(f"{type(error).__name__}: {error}") from None
            if will_close:
                self._drop(target)
            return reply
        raise AssertionError("the loop returns or raises")

    def _connection(self, target: Target, deadline: float) -> tuple[_Connection, bool]:
        """This thread's connection to the target, and whether it is a kept-alive one. A kept-alive connection
        that the server has closed meanwhile is replaced before anything is sent on it."""
        key = (target.scheme, target.host, target.port)
        connections = self._connections()
        if key in connections:
            if _idle_and_open(connections[key]):
                connections[key].deadline = deadline
                return connections[key], True
            self._drop(target)
        factory = _HTTPSConnection if target.scheme == "https" else _HTTPConnection
        connection = factory(target.host, target.port, deadline=deadline)
        try:
            connection.connect()
        except TimeoutError:
            connection.close()
            raise DeadlineExceeded(f"no connection to {target.host} within the time limit") from None
        except OSError as error:
            connection.close()
            raise Unreachable(f"{target.host}:{target.port or ''}: {error.strerror or error}") from None
        connections[key] = connection
        return connection, False

    def _drop(self, target: Target) -> None:
        connection = self._connections().pop((target.scheme, target.host, target.port), None)
        if connection is not None:
            connection.close()

    @staticmethod
    def _exchange(connection: _Connection, method: str, path: str, body: bytes | None,
                  headers: dict[str, str]) -> tuple[Reply, bool]:
        """The reply, and whether the server closes the connection after it."""
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            content = response.read()
        except TimeoutError:
            raise DeadlineExceeded("the server did not answer within the time limit") from None
        reply = Reply(response.status, {name.lower(): value for name, value in response.getheaders()}, content)
        return reply, bool(response.will_close)

    def close(self) -> None:
        """Close this thread's connections."""
        for connection in self._connections().values():
            connection.close()
        self._connections().clear()


class _Deadlined:
    """What makes an `http.client` connection keep to `deadline` (a `time.monotonic()` value): connecting to each
    address of the host, each send and each receive of the answer waits only for what is left of it."""

    sock: socket.socket | None

    def __init__(self, host: str, port: int | None, *, deadline: float, **options: Any) -> None:
        super().__init__(host, port, **options)  # type: ignore[call-arg]
        self.deadline = deadline
        self._create_connection = self._open_socket
        self.response_class = functools.partial(_DeadlineResponse, deadline=lambda: self.deadline)

    def send(self, data: Any) -> None:
        if self.sock is not None:
            self.sock.settimeout(_remaining(self.deadline))
        super().send(data)  # type: ignore[misc]

    def _open_socket(self, address: tuple[str, int], timeout: object = None,
                     source_address: object = None) -> socket.socket:
        """`socket.create_connection`, except that each address is tried for what is left of the deadline, not
        for the whole timeout each."""
        host, port = address
        failure = OSError(f"no address found for {host}")
        for family, kind, protocol, _, sockaddr in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
            sock = socket.socket(family, kind, protocol)
            try:
                sock.settimeout(_remaining(self.deadline))
                sock.connect(sockaddr)
                sock.settimeout(_remaining(self.deadline))  # for the TLS handshake that may follow
                return sock
            except DeadlineExceeded:
                sock.close()
                raise
            except OSError as error:
                sock.close()
                failure = error
        raise failure


class _HTTPConnection(_Deadlined, http.client.HTTPConnection):
    """`http.client.HTTPConnection` with a deadline."""


class _HTTPSConnection(_Deadlined, http.client.HTTPSConnection):
    """`http.client.HTTPSConnection` with a deadline."""


_Connection = _HTTPConnection | _HTTPSConnection


class _DeadlineResponse(http.client.HTTPResponse):
    """An answer read through `_DeadlineReader`: the status line, the headers and the body each come in many
    `recv` calls, and a socket timeout bounds only one of them."""

    def __init__(self, sock: socket.socket, *args: Any, deadline: Callable[[], float], **options: Any) -> None:
        super().__init__(sock, *args, **options)
        # The raw file of `sock.makefile`, taken out of its buffer: it holds the socket open while this answer is
        # read, even when the connection lets go of it (an answer that closes the connection).
        raw = self.fp.detach()
        self.fp = io.BufferedReader(_DeadlineReader(raw, sock, deadline))


class _DeadlineReader(io.RawIOBase):
    """A socket's raw file whose every receive waits at most until the deadline."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: Callable[[], float]) -> None:
        super().__init__()
        self._raw, self._sock, self._deadline = raw, sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(_remaining(self._deadline()))
        return self._raw.readinto(buffer)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


def _idle_and_open(connection: _Connection) -> bool:
    """Whether a kept-alive connection can carry a request: an idle connection has nothing to read unless the
    server closed it (or sent something unasked, which leaves it as unusable)."""
    sock = connection.sock
    if sock is None:
        return False
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return not poller.poll(0)
    return not select.select([sock], [], [], 0)[0]


def _remaining(deadline: float) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise DeadlineExceeded("the server did not answer within the time limit")
    return remaining
