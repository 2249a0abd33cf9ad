"""The in-memory half of `jaikg load`: a helper process that reads the same files into an in-memory store, derives
the mentions and validates, while the parent writes the on-disk store.

Validating the on-disk store itself took 153 s at 10^6 triples (RocksDB reads are many times slower than
Oxigraph's in-memory indexes) and deriving the mentions there 24 s, against 24 s for the bulk load; an in-memory
copy answers the same queries about five times faster, and building it uses the second core while the bulk loader
keeps the first. The helper writes the mentions as N-Triples, which both stores then bulk-load, so the two hold the
same quads (up to blank node labels, which each bulk load draws afresh: a result about a blank node names the
helper's label).

Protocol over the socket: the parent sends a `CheckJob`; the helper answers ("mentions", None) once the mentions
file is complete, then ("report", results, seconds), or ("error", DataLoadError fields) / ("failed", text).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .child_process import exit_with_parent, start, worker_allocator
from .loading import DataLoadError, bulk_load_files, load_mentions, load_ontology, write_mentions
from .validation import ValidationResult, validate_store


@dataclass(frozen=True)
class CheckJob:
    files: list[Path]
    mentions: Path
    """Where the helper writes the derived mentions (N-Triples, to be loaded into the mentions graph)."""
    validate: bool


class LoadCheck:
    """The parent's side of the helper: started at once, asked for the mentions file and then for the results."""

    def __init__(self, files: list[Path], mentions: Path, *, validate: bool, allocator: str | None = None) -> None:
        self.mentions = mentions
        self.seconds: dict[str, float] = {}
        """The helper's own phases: in-memory load, mentions, validate."""
        self.process, self.conn = start(__name__, worker_allocator(allocator))
        self.conn.send(CheckJob(files, mentions, validate))

    def _receive(self, expected: str) -> tuple[Any, ...]:
        try:
            message = self.conn.recv()
        except (EOFError, OSError):
            raise RuntimeError(f"the in-memory check of the load stopped (exit code {self.process.wait()})") from None
        if message[0] == "error":
            raise DataLoadError(*message[1])
        if message[0] != expected:
            raise RuntimeError(f"the in-memory check of the load failed: {message[1]}")
        return message

    def wait_for_mentions(self) -> Path:
        """The mentions file, once the helper has written it all."""
        self._receive("mentions")
        return self.mentions

    def results(self) -> list[ValidationResult]:
        """The validation results (none when the job said not to validate)."""
        _, results, self.seconds = self._receive("report")
        return results

    def stop(self) -> None:
        """End the helper at once if it is still working: whatever waits for its answers gets an error."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()

    def close(self) -> None:
        """Stop the helper and remove the mentions file."""
        self.stop()
        self.conn.close()
        self.mentions.unlink(missing_ok=True)

    def __enter__(self) -> LoadCheck:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _run(job: CheckJob, conn: Connection) -> None:
    seconds: dict[str, float] = {}
    start_time = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal start_time
        now = time.perf_counter()
        seconds[name] = round(now - start_time, 3)
        start_time = now

    store = ox.Store()
    load_ontology(store)
    bulk_load_files(store, job.files, lenient=True)  # the parent's bulk load parses them strictly (7.0 -> 4.8 s)
    lap("memory load")
    write_mentions(store, job.mentions)
    load_mentions(store, job.mentions)
    conn.send(("mentions", None))
    lap("mentions")
    results = validate_store(store, engine="sparql").results if job.validate else []
    lap("validate")
    conn.send(("report", results, seconds))


def _main(conn: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.nice(10)
    exit_with_parent()
    job: CheckJob = conn.recv()
    try:
        _run(job, conn)
    except DataLoadError as error:
        conn.send(("error", (error.path, error.message, error.line, error.column)))
    except Exception as error:  # reported to the parent, which stops the load
        conn.send(("failed", f"{type(error).__name__}: {error}"))


if __name__ == "__main__":
    _main(Connection(int(sys.argv[1])))
