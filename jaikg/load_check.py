"""The in-memory half of `jaikg load`: a helper process that reads the same files into an in-memory store, derives
the mentions and validates, while the on-disk half (`jaikg.disk_load`) writes the store.

Validating the on-disk store itself took 153 s at 10^6 triples (RocksDB reads are many times slower than
Oxigraph's in-memory indexes) and deriving the mentions there 24 s, against 24 s for the bulk load; an in-memory
copy answers the same queries about five times faster, and building it uses the second core while the bulk loader
keeps the first. The helper writes the mentions as N-Triples, which both stores then bulk-load, so the two hold the
same quads (up to blank node labels, which each bulk load draws afresh: a result about a blank node names the
helper's label).

Protocol over the socket (`jaikg.load_helper`): the parent sends a `CheckJob`; the helper answers ("mentions", None)
once the mentions file is complete, then ("report", results, seconds). It runs at a lower CPU priority than the
on-disk half (`jaikg.disk_load`), whose bulk load is the longer of the two.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import pyoxigraph as ox

from .load_helper import LoadHelper, Phases, serve_job
from .loading import bulk_load_files, load_mentions, load_ontology, write_mentions
from .validation import ValidationResult, validate_store


@dataclass(frozen=True)
class CheckJob:
    files: list[Path]
    mentions: Path
    """Where the helper writes the derived mentions (N-Triples, to be loaded into the mentions graph)."""
    validate: bool


class LoadCheck(LoadHelper):
    """The parent's side of the helper: started at once, asked for the mentions file and then for the results."""

    def __init__(self, files: list[Path], mentions: Path, *, validate: bool, allocator: str | None = None) -> None:
        self.mentions = mentions
        self.seconds: dict[str, float] = {}
        """The helper's own phases: in-memory load, mentions, validate."""
        super().__init__(__name__, CheckJob(files, mentions, validate), "the in-memory check of the load", allocator)

    def wait_for_mentions(self) -> Path:
        """The mentions file, once the helper has written it all."""
        self.receive("mentions")
        return self.mentions

    def results(self) -> list[ValidationResult]:
        """The validation results (none when the job said not to validate)."""
        _, results, self.seconds = self.receive("report")
        return results

    def close(self) -> None:
        """Stop the helper and remove the mentions file."""
        super().close()
        self.mentions.unlink(missing_ok=True)


def _run(job: CheckJob, conn: Connection) -> None:
    phases = Phases()
    store = ox.Store()
    # the on-disk half parses the files strictly; here the IRIs go unchecked (7.0 -> 4.8 s at 10^6 triples)
    phases.run("memory load", lambda: (bulk_load_files(store, job.files, lenient=True), load_ontology(store)))
    phases.run("mentions", lambda: (write_mentions(store, job.mentions), load_mentions(store, job.mentions)))
    conn.send(("mentions", None))
    results = phases.run("validate", lambda: validate_store(store, engine="sparql").results if job.validate else [])
    conn.send(("report", results, phases.seconds))


if __name__ == "__main__":
    serve_job(Connection(int(sys.argv[1])), _run, niceness=10)
