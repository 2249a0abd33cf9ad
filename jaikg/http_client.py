"""A small HTTP client with kept-alive connections and a hard deadline per request (standard library only).

`requests` and `urllib` take a timeout per socket operation, so a server that trickles bytes can hold a request far
past it. Here every connect, send and receive (each `recv`, not each `read`, which makes many) gets what is left of
one deadline, so `request(..., timeout=t)` returns or raises within about `t` seconds, whatever the server does
(only the look-up of the host name is not bounded). One connection per thread and host is kept open between
requests (`http.client` connections are not thread-safe).

A request is sent again only when that cannot apply it twice: a kept-alive connection that the server closed while
idle is noticed before anything is sent on it, and a connection that breaks after the request went out is retried
only for an idempotent request (RFC 9110, section 9.2.2), never for a SPARQL Update.

`request` reads the whole body; `stream` hands it over as a file read on demand, so that a caller that needs only
the start of a long answer reads no more: closing the answer before its end closes its connection (the rest of the
body is never read, and the connection is never used again). Either way at most `max_body` bytes of a body are read
(`AnswerTooLarge` past them), so a server that sends without end cannot take the memory of the process.
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
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"})
"""RFC 9110, section 9.2.2: sending one of these twice has the effect of sending it once."""
DROPPED = (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError)
"""How a connection the server closed shows."""
MAX_BODY = 1024 ** 3
"""Most bytes of one answer's body that are read by default (1 GiB)."""
BODY_BUFFER = 64 * 1024
"""Bytes a streamed body is received in at a time: what is read beyond what the caller takes."""
T = TypeVar("T")


class DeadlineExceeded(TimeoutError):
    """The server did not answer completely before the deadline."""


class Unreachable(ConnectionError):
    """The server could not be reached, or closed the connection without an answer."""


class AnswerTooLarge(Unreachable):
    """The body of the answer is longer than the most bytes read of it (`max_body`). An `Unreachable` (the server's
    failure, not the request's), so that a caller that turns that into a 502 does so for this too."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the answer is longer than the limit of {limit:,} bytes ({_size(limit)})")
        self.limit = limit


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]
    """Header names in lower case."""
    body: bytes

    @property
    def media_type(self) -> str:
        return _media_type(self.headers)

    def text(self, limit: int = 500) -> str:
        """The body as text for an error message: decoded, white space folded, cut at `limit` characters."""
        text = " ".join(self.body.decode("utf-8", "replace").split())
        return text if len(text) <= limit else text[:limit] + " …"


class StreamedReply:
    """An answer whose body is read as the caller reads `body` (a binary file), under the request's deadline and at
    most `max_body` bytes: reading raises `DeadlineExceeded`, `Unreachable` or `AnswerTooLarge` as `request` does.
    Read to its end, the connection is kept alive for the next request; closed before (`close()`, a `with` block,
    or the object dropped), the connection is closed and never used again, and the rest of the body is not read."""

    def __init__(self, response: http.client.HTTPResponse, connection: _Connection, max_body: int,
                 on_end: Callable[[_Connection], None]) -> None:
        self.status = response.status
        self.headers = {name.lower(): value for name, value in response.getheaders()}
        """Header names in lower case."""
        self.max_body = max_body
        self.length = response.length
        """The length of the body its Content-Length announces (None without one)."""
        self.body = io.BufferedReader(_Body(response, connection, max_body, on_end), BODY_BUFFER)

    @property
    def media_type(self) -> str:
        return _media_type(self.headers)

    def whole(self) -> Reply:
        """The body, read at once, as a `Reply` (`AnswerTooLarge` before any of it is read when its Content-Length
        is over `max_body`)."""
        with self:
            if self.length is not None and self.length > self.max_body:
                raise AnswerTooLarge(self.max_body)
            return Reply(self.status, self.headers, self.body.read())

    def close(self) -> None:
        self.body.close()

    def __enter__(self) -> StreamedReply:
        return self

    def __exit__(self, *exception: object) -> None:
        self.close()


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

    @property
    def key(self) -> tuple[str, str, int | None]:
        """What connections to it are pooled under."""
        return self.scheme, self.host, self.port

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
        """This thread's idle kept-alive connections, by `Target.key`."""
        if not hasattr(self._local, "connections"):
            self._local.connections = {}
        return self._local.connections

    def request(self, method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
                timeout: float, query: str = "", idempotent: bool | None = None, max_body: int = MAX_BODY) -> Reply:
        """Send one request and read the whole answer within `timeout` seconds.

        Raises `DeadlineExceeded` when the answer is not complete in time, `AnswerTooLarge` when its body is longer
        than `max_body` bytes, and `Unreachable` when no connection can be made or it breaks. When a kept-alive
        connection breaks after the request went out, the server may have received it: it is sent once more, on a
        new connection, only when `idempotent` (by default: when the method is; a POST of a SPARQL query is, a POST
        of an update is not)."""
        return self._send(method, url, body, headers, timeout, query, idempotent, max_body, StreamedReply.whole)

    def stream(self, method: str, url: str, *, body: bytes | None = None, headers: dict[str, str] | None = None,
               timeout: float, query: str = "", idempotent: bool | None = None,
               max_body: int = MAX_BODY) -> StreamedReply:
        """Send one request and read the status and headers of the answer; its body is read as the caller reads
        `reply.body`, within the same `timeout` (counted from now) and at most `max_body` bytes. Close the reply
        (or read it to its end); the errors are those of `request`, raised by the reads of the body too."""
        return self._send(method, url, body, headers, timeout, query, idempotent, max_body, lambda reply: reply)

    def _send(self, method: str, url: str, body: bytes | None, headers: dict[str, str] | None, timeout: float,
              query: str, idempotent: bool | None, max_body: int, finish: Callable[[StreamedReply], T]) -> T:
        """Send the request, once more when that is safe (see `request`), and return `finish(reply)`. A
        connection is in this thread's pool only while idle: the reply holds it until its body has been read, and
        then gives it back (`_keep`)."""
        target = Target.of(url)
        deadline = time.monotonic() + timeout
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        if target.auth is not None:
            sent.setdefault("Authorization", target.auth)
        retry = method.upper() in IDEMPOTENT_METHODS if idempotent is None else idempotent
        keep = functools.partial(self._keep, target)
        for attempt in (0, 1):
            connection, reused = self._connection(target, deadline)
            try:
                return finish(self._exchange(connection, method, target.path_with(query), body, sent, max_body,
                                             keep))
            except DeadlineExceeded:
                connection.close()
                raise
            except Unreachable as error:  # raised while the body was read
                connection.close()
                if isinstance(error.__cause__, DROPPED) and retry and reused and attempt == 0:
                    continue
                raise
            except DROPPED as error:
                connection.close()
                if retry and reused and attempt == 0:
                    continue
                raise Unreachable(f"{target.host}:{target.port or ''} closed the connection: {error}") from None
            except (OSError, http.client.HTTPException) as error:
                connection.close()
                raise Unreachable(f"{type(error).__name__}: {error}") from None
        raise AssertionError("the loop returns or raises")

    def _connection(self, target: Target, deadline: float) -> tuple[_Connection, bool]:
        """A connection to the target, taken out of this thread's pool, and whether it is a kept-alive one. A
        kept-alive connection that the server has closed meanwhile is replaced before anything is sent on it."""
        kept = self._connections().pop(target.key, None)
        if kept is not None:
            if _idle_and_open(kept):
                kept.deadline = deadline
                return kept, True
            kept.close()
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
        return connection, False

    def _keep(self, target: Target, connection: _Connection) -> None:
        """Put a connection whose answer was read to its end back into this thread's pool (closed instead when the
        pool already holds one to that host)."""
        connections = self._connections()
        if target.key in connections:
            connection.close()
        else:
            connections[target.key] = connection

    @staticmethod
    def _exchange(connection: _Connection, method: str, path: str, body: bytes | None, headers: dict[str, str],
                  max_body: int, on_end: Callable[[_Connection], None]) -> StreamedReply:
        """Send the request; the answer with its status and headers read, its body not yet."""
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
        except TimeoutError:
            raise DeadlineExceeded("the server did not answer within the time limit") from None
        return StreamedReply(response, connection, max_body, on_end)

    def close(self) -> None:
        """Close this thread's idle connections (a streamed answer closes its own)."""
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


class _Body(io.RawIOBase):
    """The body of one answer as `http.client` takes it off the connection (Content-Length, chunked, or until the
    server closes), at most `max_body` bytes of it. At its end the connection goes to `on_end` to be kept (unless
    the server closes it); closed before, or on an error, the answer and its connection are closed."""

    def __init__(self, response: http.client.HTTPResponse, connection: _Connection, max_body: int,
                 on_end: Callable[[_Connection], None]) -> None:
        super().__init__()
        self._response, self._connection, self._max_body, self._on_end = response, connection, max_body, on_end
        self._read = 0
        self._ended = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.closed:
            raise ValueError("read of an answer that was closed")
        if self._ended:
            return 0
        view = memoryview(buffer).cast("B")
        view = view[:self._max_body + 1 - self._read]  # one byte past the limit tells that the body goes on
        try:
            count = self._response.readinto(view)
        except TimeoutError:  # a receive past the deadline, or none started after it (`DeadlineExceeded`)
            self.close()
            raise DeadlineExceeded("the server did not send the whole answer within the time limit") from None
        except (OSError, http.client.HTTPException) as error:
            self.close()
            raise Unreachable(f"the connection broke while the answer was read: {type(error).__name__}: "
                              f"{error}") from error
        self._read += count
        if self._read > self._max_body:
            self.close()
            raise AnswerTooLarge(self._max_body)
        if count == 0 and len(view) > 0:
            missing = self._response.length  # what Content-Length announced and did not come
            if missing:
                self.close()
                raise Unreachable(f"the server closed the connection {missing:,} bytes before the end of the answer")
            self._end()
        return count

    def _end(self) -> None:
        """The body was read to its end: the connection carries the next request, unless the server closes it."""
        self._ended = True
        self._response.close()
        if self._response.will_close:
            self._connection.close()
        else:
            self._on_end(self._connection)

    def close(self) -> None:
        if not self.closed and not self._ended:
            self._response.close()
            self._connection.close()
        super().close()


def _media_type(headers: dict[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def _size(count: int) -> str:
    """A number of bytes in the largest binary unit it reaches ("1 GiB", "1.5 MiB")."""
    size, unit = float(count), "bytes"
    for larger in ("KiB", "MiB", "GiB", "TiB"):
        if size < 1024:
            break
        size, unit = size / 1024, larger
    return f"{size:.1f}".removesuffix(".0") + f" {unit}"


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
