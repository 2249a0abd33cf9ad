"""The HTTP server of `jaikg serve`: granian (hyper, in Rust) running the WSGI app on threads of this process.

Why granian: with waitress (pure Python) the HTTP layer cost more than Oxigraph's whole answer to a point lookup;
granian parses HTTP and manages connections in Rust, and the same app answered 2.5 times the cold point lookups per
second at 8 clients, with lower latency (bench/results). Why threads of this process and not granian's usual
worker processes: the app owns things that must exist once — the writable store, the query worker pool that
enforces the time limit, the result cache — and is built, with its data validated, before the port opens. Granian
runs workers as threads on free-threaded Python only and checks for that build; `ThreadedGranian` skips the check.
The Python side of a request still takes the GIL, as under any WSGI server; the queries themselves run in the
worker processes.

`SIGINT` / `SIGTERM` stop the server gracefully: it stops accepting connections, lets the requests in progress
finish, `serve_wsgi` returns, and the caller closes the pool. Granian waits for every connection it is answering,
with no limit of its own, and a client that stops reading a streamed answer holds a thread of the WSGI app in its
write forever (granian cannot kill a thread): so when requests are still in progress `shutdown_grace` seconds after
the signal (or at a second signal), `on_overdue` (the pool's `close`: the queries stop) is called and the
connections still open are shut down (`shutdown(2)` on their sockets, which stay granian's to close), which ends
those writes with an error and the threads with them (and should that not be enough, the process exits
`LAST_RESORT` seconds later). An address
that cannot be listened on (taken, not this machine's, a privileged port) is `CannotListen`: `check_can_listen`
finds it before the data is loaded, and `serve_wsgi` turns granian's error (a RuntimeError carrying a Rust
backtrace) into one too.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

from granian.constants import Interfaces
from granian.server import MTServer

GRANIAN_LOGGER = "_granian"
FREE_THREADED_WARNING = "free-threaded Python support is experimental!"
DEFAULT_SHUTDOWN_GRACE = 30.0
"""Seconds the requests in progress get to finish after SIGTERM before their connections are closed."""
LAST_RESORT = 10.0
"""Seconds granian gets to finish once those connections are closed; then the process exits without it."""

log = logging.getLogger(__name__)


class CannotListen(OSError):
    """The server cannot listen on the address it was given."""


def check_can_listen(host: str, port: int) -> None:
    """Raise `CannotListen` when `host:port` cannot be bound now (granian binds it the same way, with
    SO_REUSEADDR); a check, not a reservation."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as error:
        raise CannotListen(f"cannot listen on {host}:{port}: {error.strerror or error}") from None


class ThreadedGranian(MTServer):
    """Granian's thread-worker server, allowed on the GIL build of Python (see the module docstring), whose
    shutdown ends within `shutdown_grace` seconds plus the time the overdue requests take to fail."""

    def __init__(self, *args: Any, shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE,
                 on_overdue: Callable[[], None] = lambda: None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.shutdown_grace = shutdown_grace
        self.on_overdue = on_overdue
        self.overdue = threading.Event()
        """Set when the requests still in progress are to be cut: the grace is over, or a second signal came."""
        self.stopped = threading.Event()
        self._watchdog: threading.Thread | None = None

    def _check_gil(self) -> None:
        """Granian refuses to run worker threads where the GIL is enabled, because on that build its threads
        would share one interpreter lock; that is what a WSGI app in threads does under any server."""

    def signal_handler_interrupt(self, *args: Any, **kwargs: Any) -> None:
        """The first SIGINT or SIGTERM starts the graceful stop and the clock of its grace; another cuts it short."""
        super().signal_handler_interrupt(*args, **kwargs)
        if self._watchdog is not None:
            self.overdue.set()
            return
        self._watchdog = threading.Thread(target=self._cut_overdue_requests, name="jaikg-shutdown-watchdog",
                                          daemon=True)
        self._watchdog.start()

    def _cut_overdue_requests(self) -> None:
        self.overdue.wait(self.shutdown_grace)
        if self.stopped.is_set():
            return
        log.warning("requests still in progress %g s after the stop signal: stopping their queries and closing "
                    "their connections", self.shutdown_grace)
        self.on_overdue()
        closed = shut_down_connections(self.bind_port)
        log.warning("closed %d connection(s) of clients still being answered", closed)
        if not self.stopped.wait(LAST_RESORT):
            log.error("the HTTP server did not stop %g s after its connections were closed: exiting", LAST_RESORT)
            os._exit(1)


class _DropFreeThreadedWarning(logging.Filter):
    """The warning MTServer logs for the free-threaded build does not apply to this use of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != FREE_THREADED_WARNING


def _open_sockets() -> Iterator[int]:
    """The descriptors of this process that are sockets (Linux: none found elsewhere)."""
    try:
        descriptors = os.listdir("/proc/self/fd")
    except OSError:
        return
    for name in descriptors:
        try:
            if os.readlink(f"/proc/self/fd/{name}").startswith("socket:"):
                yield int(name)
        except OSError:  # closed meanwhile
            continue


def shut_down_connections(port: int) -> int:
    """`shutdown(2)` every TCP connection accepted on `port`; the descriptors stay open for their owner to close.
    Returns how many were shut down."""
    return sum(_shut_down_if_accepted_on(descriptor, port) for descriptor in _open_sockets())


def _shut_down_if_accepted_on(descriptor: int, port: int) -> bool:
    """Shut the socket `descriptor` down when it is a connection accepted on `port`: a listener has no peer, and a
    connection this process made to another server has a port of its own."""
    try:
        sock = socket.socket(fileno=descriptor)
    except OSError:  # closed meanwhile
        return False
    try:
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM \
                or sock.getsockname()[1] != port:
            return False
        sock.getpeername()
        sock.shutdown(socket.SHUT_RDWR)
        return True
    except OSError:  # not connected, or closed meanwhile
        return False
    finally:
        sock.detach()


def serve_wsgi(app: Callable[..., Any], host: str, port: int, threads: int, *,
               shutdown_grace: float = DEFAULT_SHUTDOWN_GRACE, on_overdue: Callable[[], None] = lambda: None) -> None:
    """Serve `app` on `host:port` with `threads` threads running it, until SIGINT or SIGTERM; the requests still
    in progress `shutdown_grace` seconds after the signal are cut (`on_overdue`, then their connections closed)."""
    server = ThreadedGranian("jaikg", address=host, port=port, interface=Interfaces.WSGI, workers=1,
                             blocking_threads=threads, websockets=False, shutdown_grace=shutdown_grace,
                             on_overdue=on_overdue)
    logging.getLogger(GRANIAN_LOGGER).addFilter(_DropFreeThreadedWarning())
    try:
        server.serve(target_loader=lambda: app, wrap_loader=False)
    except RuntimeError as error:
        reason = str(error).split("\n", 1)[0]
        if "os error" not in reason:
            raise
        raise CannotListen(f"cannot listen on {host}:{port}: {reason}") from None
    finally:
        server.stopped.set()
