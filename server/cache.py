"""The result cache and HTTP validators of the SPARQL endpoint.

The graph is read-only by default, so the same query (a UI example, a dashboard, a crawler) gets the same answer:
`CachingExecutor` wraps the app's executor and keeps answers keyed by (query, dataset parameters, media type, row
limit), least recently used first out once the bodies pass `RESULT_CACHE_BYTES` (64 MiB by default; 0 turns the
cache off). Every update through the executor (SPARQL Update, Graph Store writes) clears it and moves the
`Last-Modified` time.

Every answer of the endpoint carries an `ETag`, `Last-Modified` (when the graph was loaded or last updated) and
`Cache-Control`; a GET with a matching `If-None-Match` or a later `If-Modified-Since` gets `304 Not Modified`
without a body. An answer computed while an update ran is not kept, and neither is the answer of a query that calls
NOW, RAND, UUID, STRUUID or BNODE (`calls_volatile_function`): evaluated again, it would differ.

The ETag of a whole answer is a hash of its media type and body (strong: the same bytes as N-Triples and as
N-Quads are two representations, and get two tags). A streamed answer's body is not known
before it is sent, so its ETag is weak: a hash of the request and the graph's version, which names the same answer
up to blank node labels (each worker draws its own). A request whose `If-None-Match` holds that tag gets its 304
before any query runs; a streamed answer is otherwise always sent (stopping it half-way would cost its worker).
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from flask import Response, request

from jaikg.sparql import Executor, QueryAnswer, QueryRequest, UpdateRequest
from jaikg.sparql_lexer import calls_volatile_function

DEFAULT_CACHE_BYTES = 64 * 1024 * 1024
DEFAULT_MAX_AGE = 60
"""Seconds a client may reuse an answer of a read-only endpoint without asking again; 0 with `--update`."""
ENTRY_SHARE = 8
"""An answer larger than 1/ENTRY_SHARE of the cache is not kept: it would push out everything else."""


@dataclass(frozen=True)
class CachedAnswer:
    answer: QueryAnswer
    etag: str
    weak: bool = False
    """True for a streamed answer: `etag` is then `stream_etag`'s, not a hash of the body."""
    reusable: bool = True
    """False for the answer of a query that calls a volatile function: no cache, here or on the way, may keep it."""


def etag_of(body: bytes, media_type: str = "") -> str:
    """A strong validator of the body in `media_type`: SHA-256 (hardware-accelerated, twice as fast as BLAKE2
    here), 128 bits."""
    digest = hashlib.sha256(media_type.encode())
    digest.update(b"\0")
    digest.update(body)
    return digest.hexdigest()[:32]


def stream_etag(query: QueryRequest, last_modified: float) -> str:
    """The weak validator of a streamed answer: the request (as the cache keys it) and the graph's version."""
    return etag_of(repr((cache_key(query), last_modified)).encode())


def cache_key(query: QueryRequest) -> Hashable:
    return (query.query, query.default_graph_uris, query.named_graph_uris, query.media_type, query.max_rows,
            query.base_iri, query.allowed_services)


class ResultCache:
    """A thread-safe LRU map from request keys to answers, bounded by the total size of the bodies."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.size = 0
        self.generation = 0
        """Counts the clears: an answer computed while one happened is of the graph before it."""
        self._entries: OrderedDict[Hashable, CachedAnswer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> CachedAnswer | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: CachedAnswer, generation: int) -> None:
        """Keep `entry`, computed from the graph of `generation`, unless the cache was cleared since."""
        cost = len(entry.answer.body)
        if self.capacity <= 0 or cost * ENTRY_SHARE > self.capacity:
            return
        with self._lock:
            if key in self._entries or generation != self.generation:
                return
            self._entries[key] = entry
            self.size += cost
            while self.size > self.capacity:
                _, evicted = self._entries.popitem(last=False)
                self.size -= len(evicted.answer.body)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0
            self.generation += 1

    def __len__(self) -> int:
        return len(self._entries)


class CachingExecutor:
    """An executor that answers repeated queries from a `ResultCache` and clears it on every update."""

    def __init__(self, inner: Executor, capacity: int = DEFAULT_CACHE_BYTES) -> None:
        self.inner = inner
        self.cache = ResultCache(capacity)
        self.last_modified = time.time()

    def answer(self, query: QueryRequest) -> CachedAnswer:
        """The answer with its ETag, from the cache or from the inner executor."""
        key = cache_key(query)
        entry = self.cache.get(key)
        if entry is None:
            generation = self.cache.generation
            answer = self.inner.run(query)
            if answer.chunks is not None:
                return CachedAnswer(answer, stream_etag(query, self.last_modified), weak=True)
            entry = CachedAnswer(answer, etag_of(answer.body, answer.media_type),
                                 reusable=not calls_volatile_function(query.query))
            if entry.reusable:
                self.cache.put(key, entry, generation)
        return entry

    def run(self, query: QueryRequest) -> QueryAnswer:
        return self.answer(query).answer

    def update(self, update: UpdateRequest) -> None:
        try:
            self.inner.update(update)
        finally:
            self.cache.clear()
            self.last_modified = time.time()

    def __getattr__(self, name: str) -> object:
        """Anything else (`close`, `pids`, …) is the inner executor's."""
        return getattr(self.inner, name)


def with_validators(response: Response, etag: str, last_modified: float, max_age: int | None, *,
                    weak: bool = False) -> Response:
    """`ETag`, `Last-Modified` and `Cache-Control` on `response`; a `304` when the request's conditions say the
    client already has it (GET and HEAD only). A weak tag marks a streamed answer, which is sent whatever the
    conditions: a match of its tag was answered before the query ran (`not_modified`)."""
    response.set_etag(etag, weak=weak)
    response.last_modified = last_modified_second(last_modified)
    response.headers["Cache-Control"] = cache_control(max_age)
    if weak:
        return response
    response = response.make_conditional(request)
    if response.status_code == 412:  # If-Match failed: the precondition's answer carries no representation
        response.set_data(b"")
    return response


def last_modified_second(last_modified: float, now: float | None = None) -> int | None:
    """The `Last-Modified` time (whole seconds) of a graph changed at `last_modified`, or None while that second
    lasts: an HTTP date counts whole seconds, so a client given the date of a second that is not over could not
    tell a later change within it, and its If-Modified-Since would get a 304 for an answer that changed."""
    second = int(last_modified)
    return second if (time.time() if now is None else now) >= second + 1 else None


def not_modified(query: QueryRequest, last_modified: float, max_age: int) -> Response | None:
    """A `304` for a request whose `If-None-Match` holds the weak tag of its streamed answer, else None."""
    tags = request.if_none_match
    if request.method not in ("GET", "HEAD") or not tags or tags.star_tag:
        return None
    etag = stream_etag(query, last_modified)
    if not tags.contains_weak(etag):
        return None
    return with_validators(Response(status=304), etag, last_modified, max_age, weak=True)


def cache_control(max_age: int | None) -> str:
    """The `Cache-Control` of an answer: reusable for `max_age` seconds; revalidated every time when 0; never kept
    when None (the answer of a volatile function)."""
    if max_age is None:
        return "no-store"
    return f"public, max-age={max_age}" if max_age else "public, max-age=0, must-revalidate"
