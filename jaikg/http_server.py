"""The HTTP server of `jaikg serve`: granian (hyper, in Rust) running the WSGI app on threads of this process.

Why granian: with waitress (pure Python) the HTTP layer cost more than Oxigraph's whole answer to a point lookup;
granian parses HTTP and manages connections in Rust, and the same app answered 2.5 times the cold point lookups per
second at 8 clients, with lower latency (bench/results). Why threads of this process and not granian's usual
worker processes: the app owns things that must exist once — the writable store, the query worker pool that
enforces the time limit, the result cache — and is built, with its data validated, before the port opens. Granian
runs workers as threads on free-threaded Python only and checks for that build; `ThreadedGranian` skips the check.
The Python side of a request still takes the GIL, as under any WSGI server; the queries themselves run in the
worker processes.

`SIGINT` / `SIGTERM` stop the server gracefully: `serve_wsgi` returns, and the caller closes the pool. An address
that cannot be listened on (taken, not this machine's, a privileged port) is `CannotListen`: `check_can_listen`
finds it before the data is loaded, and `serve_wsgi` turns granian's error (a RuntimeError carrying a Rust
backtrace) into one too.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from typing import Any

from granian.constants import Interfaces
from granian.server import MTServer

GRANIAN_LOGGER = "_granian"
FREE_THREADED_WARNING = "free-threaded Python support is experimental!"


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
    """Granian's thread-worker server, allowed on the GIL build of Python (see the module docstring)."""

    def _check_gil(self) -> None:
        """Granian refuses to run worker threads where the GIL is enabled, because on that build its threads
        would share one interpreter lock; that is what a WSGI app in threads does under any server."""


class _DropFreeThreadedWarning(logging.Filter):
    """The warning MTServer logs for the free-threaded build does not apply to this use of it."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != FREE_THREADED_WARNING


def serve_wsgi(app: Callable[..., Any], host: str, port: int, threads: int) -> None:
    """Serve `app` on `host:port` with `threads` threads running it, until SIGINT or SIGTERM."""
    server = ThreadedGranian("jaikg", address=host, port=port, interface=Interfaces.WSGI, workers=1,
                             blocking_threads=threads, websockets=False)
    logging.getLogger(GRANIAN_LOGGER).addFilter(_DropFreeThreadedWarning())
    try:
        server.serve(target_loader=lambda: app, wrap_loader=False)
    except RuntimeError as error:
        reason = str(error).split("\n", 1)[0]
        if "os error" not in reason:
            raise
        raise CannotListen(f"cannot listen on {host}:{port}: {reason}") from None
