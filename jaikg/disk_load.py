"""The on-disk half of `jaikg load`: a helper process that builds the new store in its folder (the ontology, the
files through Oxigraph's bulk loader, then the mentions the in-memory half derives) and compacts it.

A helper rather than the parent itself, so that it runs with the helpers' allocator (`jaikg.child_process`):
Oxigraph's bulk loader sorts and allocates heavily, and at 10^6 triples it took 17.1-17.4 s with mimalloc and huge
pages against 19.7-22.2 s under glibc's malloc in a Python process (`oxigraph load` of the same file: about 21 s).

Protocol over the socket (`jaikg.load_helper`): the parent sends a `DiskJob`, then ("mentions", path) once the
in-memory half has written the mentions; the helper sends ("bytes", n) as the bulk loader reads the files, then
("done", quads, seconds). The mentions are bulk-loaded as soon as they come, beside the files' bulk load.
"""

from __future__ import annotations

import functools
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from .load_helper import LoadHelper, Phases, serve_job
from .loading import bulk_load_files, load_mentions, load_ontology

PROGRESS_BYTES = 1 << 20
"""The helper reports what it has read at most once per this many bytes (and at the end)."""


@dataclass(frozen=True)
class DiskJob:
    folder: Path
    files: list[Path]
    optimize: bool
    """Compact the store once loaded (see `jaikg.bulk.load_to_disk`)."""


class DiskLoad(LoadHelper):
    """The parent's side of the helper: started at once; `send_mentions` passes the mentions on, `wait` relays the
    progress until the store is built."""

    def __init__(self, job: DiskJob, allocator: str | None = None) -> None:
        super().__init__(__name__, job, "the bulk load of the store", allocator)

    def send_mentions(self, path: Path) -> None:
        self.conn.send(("mentions", path))

    def wait(self, on_bytes: Callable[[int], None]) -> tuple[int, dict[str, float]]:
        """Report the bytes read to `on_bytes` until the store is built and closed: (quads, seconds per phase)."""
        while True:
            message = self.receive("bytes", "done")
            if message[0] == "done":
                return message[1], message[2]
            on_bytes(message[1])


class _Progress:
    """`on_bytes` for the bulk loader: sends the bytes read in messages of at least PROGRESS_BYTES."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.unsent = 0

    def __call__(self, count: int) -> None:
        self.unsent += count
        if self.unsent >= PROGRESS_BYTES:
            self.flush()

    def flush(self) -> None:
        if self.unsent:
            self.conn.send(("bytes", self.unsent))
            self.unsent = 0


def _receive_mentions(conn: Connection, store: ox.Store, failure: list[BaseException]) -> None:
    """Wait for the parent's ("mentions", path) and bulk-load them into `store` (beside the files' bulk load)."""
    try:
        _, path = conn.recv()
        load_mentions(store, path)
    except BaseException as error:  # the main thread reports it
        failure.append(error)


def _load_files(store: ox.Store, files: list[Path], progress: Callable[[int], None]) -> None:
    bulk_load_files(store, files, progress)
    load_ontology(store)


def _run(job: DiskJob, conn: Connection) -> None:
    phases = Phases()
    store = ox.Store(str(job.folder))
    failure: list[BaseException] = []
    mentions = threading.Thread(target=_receive_mentions, args=(conn, store, failure), name="jaikg-mentions",
                                daemon=True)  # a failed bulk load ends the helper without waiting for mentions
    mentions.start()
    progress = _Progress(conn)
    phases.run("load", functools.partial(_load_files, store, job.files, progress))
    progress.flush()
    phases.run("mentions", mentions.join)
    if failure:
        raise failure[0]
    if job.optimize:
        phases.run("optimize", store.optimize)
    quads = len(store)
    store.flush()
    del store  # closes the database before the parent moves its folder
    conn.send(("done", quads, phases.seconds))


if __name__ == "__main__":
    serve_job(Connection(int(sys.argv[1])), _run)
