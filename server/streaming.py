"""Bodies that pyoxigraph writes in the server process, sent while they are written: a writer runs on a thread of
its own into a `BodyWriter` whose pieces pass through a short queue to the response. A small body comes whole
(with a Content-Length); a large one is never held in memory, and the writer waits while the client reads.

Used where the server process itself writes a graph of any size (`/data`); query answers are written by the
executor, which streams in its own way (`jaikg.workers`)."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator

from jaikg.sparql import STREAM_THRESHOLD, BodyWriter

LOG = logging.getLogger(__name__)
QUEUED_PIECES = 8
"""Pieces (of at least 64 kB) written ahead of the client."""
_DONE = object()


class ReaderGone(Exception):
    """The response was closed before the body was written: the writer stops."""


class _Pieces:
    """The queue between the writer's thread and the response."""

    def __init__(self) -> None:
        self.queue: queue.Queue[object] = queue.Queue(QUEUED_PIECES)
        self.closed = threading.Event()

    def put(self, item: object) -> None:
        while not self.closed.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue
        raise ReaderGone


def streamed(write: Callable[[BodyWriter], bytes], threshold: int = STREAM_THRESHOLD) -> bytes | Iterator[bytes]:
    """The body `write` writes into the `BodyWriter` it is given (returning what the writer's `finish` returns):
    the whole of it when it ends under `threshold` bytes, else an iterator of its pieces as they are written. An
    error after the first piece ends the body early (the status is sent by then) and is logged."""
    pieces = _Pieces()

    def run() -> None:
        try:
            rest = write(BodyWriter(pieces.put, threshold))
            pieces.put(rest if isinstance(rest, bytes) and rest else b"")
            pieces.put(_DONE)
        except ReaderGone:
            pass
        except Exception as error:  # noqa: BLE001 — handed to the request's thread, which raises or logs it
            try:
                pieces.put(error)
            except ReaderGone:
                pass

    threading.Thread(target=run, name="jaikg-body-writer", daemon=True).start()
    first = pieces.queue.get()
    if isinstance(first, Exception):
        raise first
    following = pieces.queue.get()
    if following is _DONE:
        return first  # type: ignore[return-value]
    return _stream(pieces, first, following)  # type: ignore[arg-type]


def _stream(pieces: _Pieces, first: bytes, following: object) -> Iterator[bytes]:
    try:
        yield first
        item = following
        while item is not _DONE:
            if isinstance(item, Exception):
                LOG.error("a streamed body stopped early: %s", item)
                return
            if item:
                yield item  # type: ignore[misc]
            item = pieces.queue.get()
    finally:
        pieces.closed.set()
