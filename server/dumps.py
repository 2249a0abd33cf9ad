"""The whole graph's dumps (`/export/jaikg.<ext>`) as files: each written once per version of the graph into a
folder of the app's own (removed when the app goes), then sent from disk. A dump of millions of statements is then
neither rebuilt per request nor held in memory, and its download has a length, can be resumed (`Range`) and is
revalidated like any file (`ETag`, `Last-Modified`, 304)."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from flask import Flask

_CREATING = threading.Lock()


class DumpFiles:
    """Files named by format and graph version; a format's file is written by one request while the others
    wait for it, and the files of older versions are removed once the new one is in place."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="jaikg-dumps-"))
        weakref.finalize(self, shutil.rmtree, self.folder, ignore_errors=True)
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @contextmanager
    def current(self, extension: str, version: float, write: Callable[[BinaryIO], None],
                max_reuse: float | None = None) -> Iterator[Path]:
        """The file of the dump with `extension` at `version` (written by `write` when missing, or older than
        `max_reuse` seconds: a server that cannot see the store change, `--backend`), held while the block opens
        it: the next version's writer removes it only after."""
        with self._guard:
            lock = self._locks.setdefault(extension, threading.Lock())
        with lock:
            path = self.folder / f"jaikg-{version_tag(version)}.{extension}"
            if not path.exists() or (max_reuse is not None and time.time() - path.stat().st_mtime >= max_reuse):
                partial = path.with_name(path.name + ".part")
                try:
                    with partial.open("wb") as output:
                        write(output)
                    partial.replace(path)
                finally:
                    partial.unlink(missing_ok=True)
                for old in self.folder.glob(f"jaikg-*.{extension}"):
                    if old != path:
                        old.unlink(missing_ok=True)
            yield path


def version_tag(version: float) -> str:
    """A short name for a version of the graph (the time of its last write)."""
    return hashlib.sha256(repr(version).encode()).hexdigest()[:16]


def dump_files(app: Flask) -> DumpFiles:
    """The app's dump files, made on the first download."""
    with _CREATING:
        files = app.extensions.get("jaikg.dumps")
        if files is None:
            files = app.extensions["jaikg.dumps"] = DumpFiles()
        return files
