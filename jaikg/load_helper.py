"""The protocol `jaikg load` shares with its two helper processes (`jaikg.disk_load`, `jaikg.load_check`).

The parent starts each helper (`jaikg.child_process.start`, with the helpers' allocator) and sends it a job; the
helper answers with tagged tuples. Two tags end a job badly: ("error", DataLoadError fields), a file that could
not be parsed, which the parent raises again as a `DataLoadError`; ("failed", text), anything else, which it
raises as a `HelperError`. A helper ignores Ctrl-C, SIGTERM and SIGHUP (the parent stops it) and ends with its
parent, quietly.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Self

from .child_process import exit_with_parent, start, worker_allocator
from .loading import DataLoadError


class HelperError(RuntimeError):
    """A helper failed (other than on a file it could not parse) or stopped."""


class Phases:
    """The wall-clock seconds of the named phases of a load."""

    def __init__(self, seconds: dict[str, float] | None = None) -> None:
        self.seconds: dict[str, float] = dict(seconds or {})

    def run(self, name: str, action: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = action()
        self.seconds[name] = round(time.perf_counter() - start, 3)
        return result


class LoadHelper:
    """The parent's side of one helper: started at once with its job, stopped by `stop` or on leaving `with`."""

    def __init__(self, module: str, job: object, description: str, allocator: str | None = None) -> None:
        self.description = description
        self.process, self.conn = start(module, worker_allocator(allocator))
        self.conn.send(job)

    def receive(self, *expected: str) -> tuple[Any, ...]:
        """The helper's next message, whose tag is one of `expected`; raises what an error message reports, or
        `HelperError` when the helper stopped."""
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            raise HelperError(f"{self.description} stopped (exit code {self.process.wait()})") from None
        if message[0] == "error":
            raise DataLoadError(*message[1])
        if message[0] not in expected:
            raise HelperError(f"{self.description} failed: {message[1]}")
        return message

    def stop(self) -> None:
        """End the helper at once if it is still working: whatever waits for its answers gets an error."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def close(self) -> None:
        self.stop()
        self.conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def serve_job(conn: Connection, run: Callable[[Any, Connection], None], *, niceness: int = 0) -> None:
    """The helper's side: receive the job, run it, and report a failure as the protocol says."""
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_IGN)
    if niceness:
        os.nice(niceness)
    exit_with_parent()
    try:
        job = conn.recv()
        try:
            run(job, conn)
        except DataLoadError as error:
            conn.send(("error", (error.path, error.message, error.line, error.column)))
        except Exception as error:  # reported to the parent, which stops the load
            conn.send(("failed", f"{type(error).__name__}: {error}"))
    except (EOFError, BrokenPipeError, ConnectionResetError):  # the parent is gone: no one to report to
        os._exit(1)
