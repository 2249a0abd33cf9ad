"""The result cache and HTTP validators of the SPARQL endpoint.

The graph is read-only by default, so the same query (a UI example, a dashboard, a crawler) gets the same answer:
`CachingExecutor` wraps the app's executor and keeps answers keyed by (query, dataset parameters, media type, row
limit), least recently used first out once the bodies pass `RESULT_CACHE_BYTES` (64 MiB by default; 0 turns the
cache off). Every update through the executor (SPARQL Update, Graph Store writes) clears it and moves the
`Last-Modified` time.

Every answer of the endpoint carries an `ETag`, `Last-Modified` and `Cache-Control`; a GET with a matching
`If-None-Match` or a later `If-Modified-Since` gets `304 Not Modified` without a body. `Last-Modified` describes the
answer sent (RFC 9110, 8.8.2): it is the time of the graph's version read before the query ran, so an answer a
worker of the graph before an update finishes after that update carries the older date, and a client revalidating
it gets the new answer, never a 304. An answer computed while an update ran is not kept (the update's clear and the
new date are one step, and an answer is kept only if no clear came after its version was read), and neither is the
answer of a query that calls NOW, RAND, UUID, STRUUID or BNODE (`calls_volatile_function`): evaluated again, it
would differ, so it has no `Last-Modified` either and is sent with `Cache-Control: no-store`.

A store others write too (`jaikg serve --backend`) changes without this server knowing: there an answer is reused
at most `max_reuse` seconds (the `max-age` the answers announce), carries an `Age` when it comes from the cache
(RFC 9111, 5.1) and no `Last-Modified`, as this server cannot know when the graph was modified.

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
    etag: str | None
    """None for a streamed answer of a volatile function: there is nothing it could be validated by."""
    weak: bool = False
    """True for a streamed answer: `etag` is then `stream_etag`'s, not a hash of the body."""
    reusable: bool = True
    """False for the answer of a query that calls a volatile function: no cache, here or on the way, may keep it."""
    last_modified: float | None = None
    """The version of the graph the answer is of (read before the query ran): its `Last-Modified`. None when there
    is no date to give: a volatile answer, or a graph this server does not see change (`--backend`)."""
    created: float | None = None
    """When its query was sent (`time.monotonic()`), where its reuse is bounded (`CachingExecutor.max_reuse`)."""

    def age(self, now: float | None = None) -> int | None:
        """Whole seconds since it was computed, for the `Age` header, where its reuse is bounded and it is at least
        a second old; else None (no header)."""
        if self.created is None:
            return None
        age = int((time.monotonic() if now is None else now) - self.created)
        return age if age > 0 else None


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

    def __init__(self, capacity: int, version: float | None = None) -> None:
        self.capacity = capacity
        self.size = 0
        self._entries: OrderedDict[Hashable, CachedAnswer] = OrderedDict()
        self._lock = threading.Lock()
        self.state: tuple[int, float] = (0, time.time() if version is None else version)
        """The generation (it counts the clears: an answer computed while one happened is of the graph before it)
        and the version (when the graph was loaded or last changed), replaced as one tuple by `clear`, so one read
        of it gives the two of the same step, without the lock: read before a query runs, they are what its answer
        is of."""

    @property
    def generation(self) -> int:
        return self.state[0]

    def get(self, key: Hashable, max_reuse: float | None = None) -> CachedAnswer | None:
        """The entry for `key`; none when it was computed more than `max_reuse` seconds ago (it is dropped)."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if max_reuse is not None and (entry.created is None or time.monotonic() - entry.created > max_reuse):
                del self._entries[key]
                self.size -= len(entry.answer.body)
                return None
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

    def clear(self, version: float | None = None) -> None:
        """Drop every entry and start a new generation, of the graph changed at `version` (default now)."""
        with self._lock:
            self._entries.clear()
            self.size = 0
            self.state = (self.state[0] + 1, time.time() if version is None else version)

    def __len__(self) -> int:
        return len(self._entries)


class CachingExecutor:
    """An executor that answers repeated queries from a `ResultCache` and clears it on every update."""

    def __init__(self, inner: Executor, capacity: int = DEFAULT_CACHE_BYTES, *,
                 max_reuse: float | None = None) -> None:
        self.inner = inner
        self.cache = ResultCache(capacity)
        self.max_reuse = max_reuse
        """None: the graph changes only through `update` (an embedded store), so a kept answer is reused until the
        next update and dated by the graph's version. Seconds: the graph is in a store others write too
        (`--backend`), so a kept answer is reused that long at most (0: never kept) and carries no date."""

    @property
    def last_modified(self) -> float:
        """When the graph was loaded or last updated through this executor: its version."""
        return self.cache.state[1]

    def answer(self, query: QueryRequest) -> CachedAnswer:
        """The answer with its validators, from the cache or from the inner executor. The version is read before
        the query runs: an answer finished by a worker of the graph before an update is dated as that graph."""
        key = cache_key(query)
        generation, version = self.cache.state  # one read (`ResultCache.state`)
        entry = self.cache.get(key, self.max_reuse)
        if entry is not None:
            return entry
        started = None if self.max_reuse is None else time.monotonic()  # the store may change while it answers
        answer = self.inner.run(query)
        reusable = not calls_volatile_function(query.query)
        dated = version if reusable and self.max_reuse is None else None
        if answer.chunks is not None:
            return CachedAnswer(answer, stream_etag(query, version) if dated is not None else None, weak=True,
                                reusable=reusable, last_modified=dated)
        entry = CachedAnswer(answer, etag_of(answer.body, answer.media_type), reusable=reusable, last_modified=dated,
                             created=started)
        if reusable and self.max_reuse != 0:
            self.cache.put(key, entry, generation)
        return entry

    def run(self, query: QueryRequest) -> QueryAnswer:
        return self.answer(query).answer

    def update(self, update: UpdateRequest) -> None:
        """Run the update, then clear the cache and move the version in one step: a query whose version was read
        before that step keeps its older date, and its answer (of either graph) is not kept."""
        try:
            self.inner.update(update)
        finally:
            self.cache.clear()

    def __getattr__(self, name: str) -> object:
        """Anything else (`close`, `pids`, …) is the inner executor's."""
        return getattr(self.inner, name)


def with_validators(response: Response, etag: str | None, last_modified: float | None, max_age: int | None, *,
                    weak: bool = False, current: float | None = None) -> Response:
    """`ETag`, `Last-Modified` and `Cache-Control` on `response`; a `304` when the request's conditions say the
    client already has it (GET and HEAD only). A weak tag marks a streamed answer, which is sent whatever the
    conditions: a match of its tag was answered before the query ran (`not_modified`). `last_modified` is the
    version the answer is of (None: no date, so If-Modified-Since never matches), `current` the graph's version
    now (`last_modified_second`)."""
    if etag is not None:
        response.set_etag(etag, weak=weak)
    if last_modified is not None:
        set_last_modified(response, last_modified_second(last_modified, current=current))
    response.headers["Cache-Control"] = cache_control(max_age)
    if weak:
        return response
    response = response.make_conditional(request)
    if response.status_code == 412:  # If-Match failed: the precondition's answer carries no representation
        response.set_data(b"")
    return response


def set_last_modified(response: Response, second: int | None) -> None:
    """`Last-Modified` at `second`, or no such header for None (Werkzeug's `response.last_modified = None` writes
    the current time, the very date `last_modified_second` withholds)."""
    if second is None:
        response.headers.pop("Last-Modified", None)
    else:
        response.last_modified = second


def last_modified_second(last_modified: float, now: float | None = None, current: float | None = None) -> int | None:
    """The `Last-Modified` time (whole seconds) of a graph changed at `last_modified`, or None while that second
    lasts: an HTTP date counts whole seconds, so a client given the date of a second that is not over could not
    tell a later change within it, and its If-Modified-Since would get a 304 for an answer that changed. For the
    same reason, an answer of an older version than `current` (the graph's version now) gets no date when the
    graph changed again within its second."""
    second = int(last_modified)
    if current is not None and current != last_modified and int(current) <= second:
        return None
    return second if (time.time() if now is None else now) >= second + 1 else None


def not_modified(query: QueryRequest, last_modified: float, max_age: int) -> Response | None:
    """A `304` for a request whose `If-None-Match` holds the weak tag of its streamed answer, else None (always
    for a query that calls a volatile function: its answers have no such tag)."""
    tags = request.if_none_match
    if request.method not in ("GET", "HEAD") or not tags or tags.star_tag or calls_volatile_function(query.query):
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
