"""Queries in worker processes that the server kills and replaces when they run too long.

pyoxigraph has no cancel call, and a query it evaluates holds no Python frame a thread could interrupt, so a
timeout that really frees the CPU has to end the process doing the work. `WorkerPool` keeps a few pre-started
worker processes, each holding its own read-only copy of the store, hands each request to an idle one, and on
timeout sends it SIGKILL, starts a replacement in the background and raises `QueryTimeout` (HTTP 503).

A query can also exhaust the machine's memory long before its time is up (nested CONCATs took a worker to 900 MB
in 4 s). While any worker is busy, a thread of the pool reads the busy workers' own resident memory
(`jaikg.child_process.private_memory`) every `MEMORY_POLL` seconds and kills, as for the time limit, a worker that
holds more than `max_query_memory` MiB beyond what it held once its graph was loaded; the query's caller gets
`QueryMemoryExceeded` (HTTP 500: the limit is the query's, trying again does not help), a streamed answer is cut.
A thread and not a limit of the address space (RLIMIT_AS): mimalloc, which the workers preload, reserves large
address ranges it never uses, and a thread also sees a worker whose caller is held in a write to a slow client.

Each worker is a fresh interpreter (`python -m jaikg.workers`, like multiprocessing's "spawn" but without
re-importing the parent's main module): forking the multithreaded WSGI process could copy a lock held by another
thread. An in-memory store reaches the workers as an N-Quads dump the parent writes once (and again
after each update); a persistent store (`--store DIR`) is opened read-only by each worker, which sees the parent's
writes on opening. After an update the parent calls `reload()`, which replaces every worker before it returns, so
no later query sees the old graph. When the dump of the updated graph cannot be written (a full /tmp, say), the
workers of the old graph are stopped all the same and their dump removed (which may make the room), and the dump is
tried again; while it keeps failing no worker runs, queries that need one get `WorkersUnavailable` (503), point
lookups are answered on the updated graph, and the dump is retried in the background until it is written: no
answer comes from the old graph once the update is applied, and the update itself stands.

Workers run with mimalloc or jemalloc preloaded when the machine has one (`jaikg.child_process.worker_allocator`):
Oxigraph allocates heavily while it evaluates joins, aggregates and regexes, and in a Python process with glibc's
malloc those ran 1.2-1.5x slower than in the Oxigraph server; with either allocator they run as fast (measured in
bench/).

A SELECT over one triple pattern (`jaikg.sparql_lexer.is_single_pattern_select`: a point lookup such as
`SELECT ?p ?o WHERE { <s> ?p ?o }`) is answered in the calling thread, on the parent's store, with its rows capped
at `inline_rows`: its cost is one index scan bounded by that cap, so it needs no time limit, and it skips the hop
to a worker, which cost a point lookup a quarter of its latency in the benchmark (bench/). When the capped answer
is cut short of what the request allows, the query goes to a worker after all. Such lookups are also answered
while every worker is busy.

Updates run on the parent's store, in the request's process: on a thread with a stack sized for their text
(`jaikg.deep_stack`: Oxigraph recurses once per operand of a chain such as `1+1+…`, and 10 KB of one overflowed a
request thread), after `update_check` (`jaikg.checks`: the same kind of workers, on an empty graph, run it first
under the time and memory limits; `WorkerPool.call` sends them their own requests).

An answer without a row limit that grows past `stream_threshold` bytes is not held whole: the worker sends
`("stream", None)`, then the pieces as pyoxigraph writes them, an empty piece, and the outcome; `_Stream` passes the
pieces to the WSGI server and, when it is closed, frees the worker or (client gone, time up) kills it.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import re
import select
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox

from .child_process import exit_with_parent, private_memory, process_exists, start, worker_allocator
from .deep_stack import on_deep_stack
from .sandbox import isolate_network
from .sparql import (STREAM_THRESHOLD, QueryAnswer, QueryRequest, QueryTimeout, Spill, SparqlError, UpdateRequest,
                     answer_query, answer_update)
from .sparql_lexer import is_single_pattern_select

log = logging.getLogger(__name__)

Evaluate = Callable[[ox.Store, Any, Spill | None, int], Any]
"""What a worker runs: (store, request, spill, stream threshold) -> answer. `answer_query` for queries; a pool of
other workers (`jaikg.checks`) sends requests and gets answers of its own (`WorkerPool.call`)."""
UpdateCheck = Callable[[str, str | None], None]
"""Checks an update's text (with its base IRI) before it runs on the store: `jaikg.checks.CheckPool.check_update`."""


class WorkerRequest(Protocol):
    """What `WorkerPool.call` sends a worker: anything its `evaluate` takes that says its time limit."""

    @property
    def timeout(self) -> float | None:
        """Seconds the worker may take; None: the pool's `timeout`."""


DEFAULT_TIMEOUT = 30.0
START_TIMEOUT = 300.0
"""Seconds a new worker may take to load its store before the pool gives up on it."""
INLINE_ROWS = 1000
"""Rows a single-pattern SELECT may return when answered in the calling thread (writing them takes about 1 ms)."""
DEFAULT_MAX_QUERY_MEMORY = 2048
"""MiB of memory a query may take in its worker beyond the worker's copy of the graph (Virtuoso's MaxQueryMem has
the same default). Sorting all of 10^6 triples took 171 MiB, the benchmark's joins and aggregates at most 24."""
MIB = 1024 * 1024
MEMORY_POLL = 0.02
"""Seconds between two readings of a busy worker's memory: nested CONCATs grew one by 300 MB/s, so 6 MB apart."""
DUMP_RETRY_DELAYS = (1.0, 30.0)
"""First and longest wait before the pool tries again to write a dump of the graph that failed."""


SNAPSHOT_FOLDER_PREFIX = "jaikg-workers-"
"""Name of the temporary folder (with the server's process id) of the graph's dumps the workers load."""


def remove_abandoned_snapshots() -> None:
    """Remove the dumps of servers that were killed (`kill -9` leaves them: a copy of the whole graph each)."""
    pattern = re.compile(re.escape(SNAPSHOT_FOLDER_PREFIX) + r"(\d+)-")
    for folder in Path(tempfile.gettempdir()).glob(SNAPSHOT_FOLDER_PREFIX + "*"):
        owner = pattern.match(folder.name)
        if owner is not None and folder.is_dir() and not process_exists(int(owner[1])):
            shutil.rmtree(folder, ignore_errors=True)


def default_size() -> int:
    """One worker per CPU, at least two, so a cheap query is answered while a heavy one runs."""
    return max(2, os.cpu_count() or 1)


@dataclass(frozen=True)
class StoreSource:
    """How a worker gets its copy of the graph: an N-Quads dump to load into memory, or a store folder to open
    read-only."""

    nquads: str | None = None
    store_dir: str | None = None

    def open(self) -> ox.Store:
        if self.store_dir is not None:
            return ox.Store.read_only(self.store_dir)
        store = ox.Store()
        if self.nquads is not None:
            store.bulk_load(path=self.nquads, format=ox.RdfFormat.N_QUADS)
        return store


@dataclass(frozen=True)
class WorkerSpec:
    """What a new worker is told first: where its graph is, what to run, whether to cut itself off the network."""

    source: StoreSource
    evaluate: Evaluate
    isolate_network: bool
    allocator: str | None = None
    """A malloc library to preload (`worker_allocator`), or None for the system's."""
    stream_threshold: int = STREAM_THRESHOLD
    """Answers larger than this many bytes are streamed to the server as they are written."""


class WorkerBusy(SparqlError):
    """No worker became free before the deadline."""


class QueryMemoryExceeded(SparqlError):
    """The query took more memory than its limit and was stopped."""


class WorkersUnavailable(SparqlError):
    """No worker runs: the graph could not be copied for them after an update."""


class SnapshotFailed(Exception):
    """The dump of the graph the workers load could not be written; `reason` says why, in the system's words."""

    def __init__(self, what: str, error: OSError) -> None:
        self.reason = error.strerror or re.sub(r" \(os error \d+\)$", "", str(error))
        """Why, as the system says it: "No space left on device", "File too large" …"""
        super().__init__(f"{what}: {self.reason}")


def _worker_main(conn: Connection) -> None:
    """The loop of one worker process: open the store, then answer requests until the socket closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    spec: WorkerSpec = conn.recv()
    if spec.isolate_network:  # before any thread starts: the kernel lets only one-thread processes leave
        why_not = isolate_network()
        if why_not:
            log.warning("query worker %s keeps network access (%s); SERVICE is still refused", os.getpid(), why_not)
    exit_with_parent()
    try:
        store = spec.source.open()
    except Exception as error:  # reported to the parent, which decides what to do
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        _answer(spec, store, request, conn)


def _answer(spec: WorkerSpec, store: ox.Store, request: QueryRequest, conn: Connection) -> None:
    """Send the answer: `("ok", answer)` or `("error", …)`; a streamed answer is `("stream", None)`, its pieces as
    raw messages, an empty message, then the outcome."""
    streaming = False

    def spill(piece: bytes) -> None:
        nonlocal streaming
        if not streaming:
            conn.send(("stream", None))
            streaming = True
        conn.send_bytes(piece)

    outcome: tuple[str, Any]
    try:
        outcome = "ok", spec.evaluate(store, request, spill, spec.stream_threshold)
    except SparqlError as error:
        outcome = "error", (type(error), dict(vars(error)))
    except Exception as error:  # an engine failure must reach the client as an error, not kill the worker
        log.exception("query failed in worker")
        outcome = "error", (SparqlError, {"status": 500, "message": f"query failed: {type(error).__name__}"})
    if streaming:
        conn.send_bytes(b"")
    conn.send(outcome)


class _Worker:
    """One worker process (a fresh interpreter running this module) and the parent's end of its socket."""

    def __init__(self, spec: WorkerSpec, generation: int) -> None:
        self.generation = generation
        self.loaded = 0
        """Bytes of its own memory once it had loaded the graph: what its queries add is measured from there."""
        self.memory_exceeded = False
        self.process, self.conn = start(__name__, spec.allocator)
        self._poller = select.poll()
        self._poller.register(self.conn.fileno(), select.POLLIN)
        with contextlib.suppress(OSError):  # it died at once (killed): `wait_ready` says so
            self.conn.send(spec)

    def readable(self, timeout: float | None) -> bool:
        """Whether the worker has sent something (or closed its end) within `timeout` seconds (None: no limit).
        `Connection.poll` builds a selector on every call; on the path of every query that cost more than the
        rest of the hop."""
        return bool(self._poller.poll(None if timeout is None else max(0, math.ceil(timeout * 1000))))

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout: float) -> None:
        if not self.readable(timeout):
            self.kill()
            raise RuntimeError(f"worker {self.pid} did not load the store within {timeout:.0f} s")
        try:
            status, detail = self.conn.recv()
        except (EOFError, OSError):
            status, detail = "failed", f"exit code {self.process.poll()}"
        if status != "ready":
            self.kill()
            raise RuntimeError(f"worker {self.pid} could not open the store: {detail}")
        self.loaded = private_memory(self.pid) or 0

    def stop_if_over(self, limit: int) -> bool:
        """SIGKILL (not waited for: the thread using the worker collects it) when the worker holds more than `limit`
        bytes beyond `loaded`; whether it did."""
        used = private_memory(self.pid)
        if used is None or used - self.loaded <= limit:
            return False
        self.memory_exceeded = True
        self.process.kill()
        return True

    def kill(self) -> None:
        """SIGKILL: the only way to stop a query in progress."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.conn.close()


class WorkerPool:
    """An executor with `run(request) -> QueryAnswer` that evaluates each query in a worker process and kills the
    worker when the query runs past its time limit or its memory limit."""

    def __init__(self, store: ox.Store, *, store_dir: Path | str | None = None, size: int | None = None,
                 timeout: float | None = DEFAULT_TIMEOUT, isolate_network: bool = True,
                 evaluate: Evaluate = answer_query, allocator: str | None = None,
                 stream_threshold: int = STREAM_THRESHOLD, inline_rows: int = INLINE_ROWS,
                 max_query_memory: int | None = DEFAULT_MAX_QUERY_MEMORY,
                 update_check: UpdateCheck | None = None) -> None:
        """`isolate_network`: cut the workers off the network (`jaikg.sandbox`); off when SERVICE may call an
        allowed endpoint. `evaluate` runs in the workers: a module-level function (it is pickled by name).
        `allocator`: "auto", "system" or a library path (`worker_allocator`). Answers past `stream_threshold`
        bytes come back as a stream (`QueryAnswer.chunks`). `inline_rows`: the row cap of single-pattern SELECTs
        answered in the calling thread (0: every query goes to a worker). `max_query_memory`: MiB a query may add to
        its worker's memory before the worker is killed (None or 0: no limit). `update_check`: what every update
        passes before it runs on the store (`update`)."""
        self.evaluate = evaluate
        self.update_check = update_check
        self.inline_rows = inline_rows
        self.inline_answers = 0
        """Queries answered in the calling thread (for tests and monitoring)."""
        self.stream_threshold = stream_threshold
        self.allocator = worker_allocator(allocator)
        self.isolate_network = isolate_network
        self.store = store
        self.store_dir = str(store_dir) if store_dir is not None else None
        self.size = size if size is not None else default_size()
        self.timeout = timeout
        self.max_query_memory = max_query_memory or None
        remove_abandoned_snapshots()
        self._tempdir = tempfile.TemporaryDirectory(prefix=f"{SNAPSHOT_FOLDER_PREFIX}{os.getpid()}-")
        self._lock = threading.Condition()
        self._update_lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy: set[_Worker] = set()
        self._generation = 0
        self._snapshots = 0
        self._closed = False
        self._busy_now = threading.Event()
        """Set when a worker becomes busy: wakes the memory watch, which sleeps while none is."""
        self._dump_error: str | None = None
        """Why the graph could not be copied for the workers after an update; None while they can run."""
        self._resumer: threading.Thread | None = None
        self._source: StoreSource | None = self._snapshot()
        self._start_generation()
        if self.max_query_memory is not None:
            threading.Thread(target=self._watch_memory, name="jaikg-memory-watch", daemon=True).start()

    def _spec(self, source: StoreSource) -> WorkerSpec:
        return WorkerSpec(source, self.evaluate, self.isolate_network, self.allocator, self.stream_threshold)

    def _snapshot(self) -> StoreSource:
        """Where workers of the next generation read the graph from; `SnapshotFailed` when it cannot be written."""
        if self.store_dir is not None:
            try:
                self.store.flush()
            except OSError as error:
                raise SnapshotFailed(f"could not write the store in {self.store_dir} for the query workers",
                                     error) from error
            return StoreSource(store_dir=self.store_dir)
        self._snapshots += 1  # a new file each time: workers of the current generation may still be reading one
        folder = Path(self._tempdir.name)
        path = folder / f"graph-{self._snapshots}.nq"
        try:
            folder.mkdir(parents=True, exist_ok=True)  # a cleaner of /tmp may have removed it meanwhile
            self.store.dump(str(path), format=ox.RdfFormat.N_QUADS)
        except OSError as error:
            with contextlib.suppress(OSError):  # what was written of it, if anything
                path.unlink()
            raise SnapshotFailed(f"could not write the copy of the graph the query workers load in {folder}",
                                 error) from error
        return StoreSource(nquads=str(path))

    def _start_generation(self, *, retry: bool = False) -> None:
        """Start `size` workers of the current generation in parallel and wait until all have loaded the store.
        A worker that fails to start fails the pool's start; with `retry` (after an update, when the old workers
        are gone) it is started again in the background instead, as after a timeout, so the pool never stays
        empty while queries wait for a worker."""
        assert self._source is not None, "a generation starts from a dump"
        workers = [_Worker(self._spec(self._source), self._generation) for _ in range(self.size)]
        ready: list[_Worker] = []
        for worker in workers:
            try:
                worker.wait_ready(START_TIMEOUT)
                ready.append(worker)
            except Exception:
                if not retry:
                    for started in workers:
                        started.kill()
                    raise
                log.exception("a query worker of the new graph did not start; starting another in the background")
        for worker in ready:
            self._release(worker)  # idle, unless the pool was closed or reloaded meanwhile
        for _ in range(len(workers) - len(ready)):
            self._start_replacement_thread()

    def reload(self) -> None:
        """Replace every worker with one that sees the store as it is now (called after a successful update).
        Returns once the new workers are ready; queries still running in old workers finish on the old graph.
        When the store cannot be dumped for them, the old workers are stopped all the same and the dump is tried
        again, at once without the old dump, then in the background (`_resume`)."""
        try:
            source = self._snapshot()
        except SnapshotFailed as error:
            log.warning("%s; stopping the workers of the old graph and trying again without its copy", error)
            self._retire_generation(None)
            self._resume()
            return
        self._retire_generation(source)
        self._start_generation(retry=True)

    def _retire_generation(self, source: StoreSource | None) -> None:
        """Make `source` the graph of the workers from now on (None: none yet) and stop the idle workers of the
        old one; the busy ones are stopped when their query ends (`_release`)."""
        with self._lock:
            old, self._source = self._source, source
            if source is not None:
                self._dump_error = None
            self._generation += 1
            stale, self._idle = self._idle, []
        for worker in stale:
            worker.kill()
        if old is not None and old.nquads is not None and (source is None or old.nquads != source.nquads):
            with contextlib.suppress(OSError):  # gone, or its folder with it
                Path(old.nquads).unlink()

    def _resume(self) -> bool:
        """Dump the graph and start the workers on it; on failure say why to the queries that need a worker and
        try again in the background. Whether the workers run again."""
        try:
            source = self._snapshot()
        except SnapshotFailed as error:
            log.error("%s; no query worker runs until it can be written (retrying in the background)", error)
            with self._lock:
                self._dump_error = error.reason
                self._lock.notify_all()
            self._resume_later()
            return False
        self._retire_generation(source)
        self._start_generation(retry=True)
        return True

    def _resume_later(self) -> None:
        """Try the dump again in the background, waiting longer each time, until it is written (by this thread,
        or by the reload of a later update)."""
        if self._resumer is not None and self._resumer.is_alive():
            return

        def retry() -> None:
            delay = DUMP_RETRY_DELAYS[0]
            while True:
                time.sleep(delay)
                with self._update_lock:
                    if self._closed or self._source is not None or self._resume():
                        return
                delay = min(delay * 2, DUMP_RETRY_DELAYS[1])

        self._resumer = threading.Thread(target=retry, name="jaikg-dump-retry", daemon=True)
        self._resumer.start()

    def update(self, request: UpdateRequest) -> None:
        """Run a SPARQL Update on the parent's store (in one transaction), then reload the workers. Updates are
        rare and disabled by default: they are not subject to the query timeout.

        Oxigraph parses, plans and evaluates the update in this process, so a text it cannot take would take the
        server with it: a chain of operators or UNIONs without brackets overflows a request thread's stack from
        10 KB of text (`jaikg.deep_stack`), and takes time growing with the square of its length. So the text is
        first given to `update_check`, when the pool has one (`jaikg.checks`: Oxigraph runs it on an empty graph in
        a worker process under the time and memory limits; its errors, a 503 or a 500, are the client's answer,
        and nothing changes), and then runs on a thread with a stack sized for it. A syntax error found by the
        check is left to `answer_update`, which reports it where the client wrote it: Oxigraph parses a malformed
        text only up to its error, which takes no time and little stack."""
        with self._update_lock:
            if self.update_check is not None:
                with contextlib.suppress(SyntaxError):
                    self.update_check(request.update, request.base_iri)
            on_deep_stack(lambda: answer_update(self.store, request), len(request.update), "the update")
            self.reload()

    def run(self, request: QueryRequest) -> QueryAnswer:
        if self.inline_rows and is_single_pattern_select(request.query):
            answer = self._run_inline(request)
            if answer is not None:
                return answer
        return self.call(request)

    def call(self, request: WorkerRequest) -> Any:
        """What the pool's `evaluate` returns for `request` in a worker, within the time limit (the request's, else
        the pool's: `QueryTimeout` past it) and the memory limit (`QueryMemoryExceeded`); the `SparqlError` it
        raised, or a 503 when its worker died. `run` sends queries this way; a pool of other workers
        (`jaikg.checks`) sends its own requests. Only an answer to a `QueryRequest` is streamed."""
        timeout = request.timeout if request.timeout is not None else self.timeout
        deadline = None if timeout is None else time.monotonic() + timeout
        worker = self._acquire(deadline, timeout)
        try:
            worker.conn.send(request)
            ready = worker.readable(None if deadline is None else deadline - time.monotonic())
            if not ready:
                self._discard(worker)
                raise QueryTimeout(503, f"the query ran longer than the time limit of {timeout:g} s and was stopped")
            status, payload = worker.conn.recv()
            if status == "stream":
                assert isinstance(request, QueryRequest), "only answers to queries are streamed"
                return QueryAnswer(b"", request.media_type, "stream", chunks=_Stream(self, worker, deadline, timeout))
        except (EOFError, OSError, BrokenPipeError):
            raise self._lost(worker) from None
        except BaseException:
            self._discard(worker)
            raise
        self._release(worker, busy=True)
        if status == "ok":
            return payload
        error_class, fields = payload
        raise error_class(**fields)

    def _lost(self, worker: _Worker) -> SparqlError:
        """The error for a query whose worker died before it answered (killed at the memory limit, or otherwise);
        the worker is replaced."""
        self._discard(worker)
        if worker.memory_exceeded:
            return QueryMemoryExceeded(500, f"the query used more than the memory limit of {self.max_query_memory} MB "
                                            "and was stopped")
        log.error("worker %s died while answering a query", worker.pid)
        return SparqlError(503, "the query could not be answered: its worker process stopped")

    def _run_inline(self, request: QueryRequest) -> QueryAnswer | None:
        """A single-pattern SELECT answered on the parent's store with at most `inline_rows` rows; None when that
        cut the answer short of the request's own row limit (or none), or when the evaluation failed otherwise than
        with a `SparqlError`: a worker answers it then, and reports such a failure as it does for any query."""
        cap = self.inline_rows if request.max_rows is None else min(request.max_rows, self.inline_rows)
        try:
            answer = self.evaluate(self.store, replace(request, max_rows=cap), None, self.stream_threshold)
        except SparqlError:
            raise
        except Exception:  # the worker evaluates it again and reports the failure
            return None
        if answer.truncated and cap != request.max_rows:
            return None
        self.inline_answers += 1
        return answer

    def _acquire(self, deadline: float | None, timeout: float | None) -> _Worker:
        """An idle live worker, marked busy. Those that died while idle (killed, out of memory) are replaced, not
        handed a query they would fail."""
        with self._lock:  # re-entrant: `_replace` takes it too
            while True:
                if self._closed:
                    raise WorkerBusy(503, "the server is shutting down")
                if self._dump_error is not None:
                    raise WorkersUnavailable(503, "no query worker runs: the graph could not be copied for them after "
                                                  f"the last update ({self._dump_error}); try again later",
                                             details={"Retry-After": "5"})
                self._replace_dead_idle()
                if self._idle:
                    worker = self._idle.pop()
                    self._busy.add(worker)
                    self._busy_now.set()
                    break
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    raise WorkerBusy(503, f"no query worker became free within {timeout:g} s; try again later",
                                     details={"Retry-After": "5"})
                self._lock.wait(remaining)
        return worker

    def _release(self, worker: _Worker, *, busy: bool = False) -> None:
        """Make `worker` idle: a new one, or (`busy`) one that has finished a query, unless it was retired
        meanwhile (`_retire`); one of an old generation is stopped instead."""
        with self._lock:
            keep = (not busy or worker in self._busy) and worker.generation == self._generation and not self._closed
            self._busy.discard(worker)
            if keep:
                self._idle.append(worker)
                self._lock.notify()
                return
        worker.kill()

    def _replace(self, worker: _Worker) -> None:
        """Kill `worker` now and start a replacement in the background, so the caller answers at once."""
        with self._lock:
            self._busy.discard(worker)
            current = worker.generation == self._generation
        worker.kill()
        if current:
            self._start_replacement_thread()

    def _start_replacement_thread(self) -> None:
        threading.Thread(target=self._start_replacement, name="jaikg-worker-replacement", daemon=True).start()

    def _retire(self, worker: _Worker) -> bool:
        """Take a busy worker out of the pool and start its replacement, once: the thread using it, a stream's
        timer and the memory watch may each get here. Whether this call did."""
        with self._lock:
            if worker not in self._busy:
                return False
            self._busy.discard(worker)
            current = worker.generation == self._generation
        if current:
            self._start_replacement_thread()
        return True

    def _discard(self, worker: _Worker) -> None:
        """Kill a busy worker (its query is over: stopped, failed, abandoned) and replace it. Only the thread that
        retires it kills it: a stream's timer and the thread iterating the stream may both get here, and closing
        the worker's connection twice at once fails (EBADF) in one of them; the other one's read of that connection
        fails instead, which it reports as the time limit it is."""
        if self._retire(worker):
            worker.kill()

    def _watch_memory(self) -> None:
        """Kill every busy worker holding more than `max_query_memory` beyond its graph; sleeps while none is busy.
        Only the process is killed here: the thread using the worker reads its end of the socket, and closes it."""
        assert self.max_query_memory is not None
        limit = self.max_query_memory * MIB
        while True:
            with self._lock:
                if self._closed:
                    return
                busy = list(self._busy)
                if not busy:
                    self._busy_now.clear()
            if not busy:
                self._busy_now.wait()
                continue
            for worker in busy:
                if worker.stop_if_over(limit) and self._retire(worker):
                    log.warning("query worker %s used more than %d MB for one query: killed", worker.pid,
                                self.max_query_memory)
            time.sleep(MEMORY_POLL)

    def _start_replacement(self) -> None:
        delay = 0.5
        while True:
            with self._lock:
                if self._closed or self._source is None:  # no graph for the workers yet: `_resume` starts them
                    return
                generation, source = self._generation, self._source
            try:
                worker = _Worker(self._spec(source), generation)
                worker.wait_ready(START_TIMEOUT)
            except Exception:
                log.exception("could not start a replacement worker; retrying in %.1f s", delay)
                time.sleep(delay)
                delay = min(delay * 2, 30.0)
                continue
            self._release(worker)
            return

    def _finish(self, worker: _Worker, complete: bool) -> None:
        """After a stream: the worker is free again when it sent everything, else (client gone, time out, memory)
        killed and replaced, once (the stream's timer, the memory watch and its end may each get here)."""
        if complete:
            self._release(worker, busy=True)
        else:
            self._discard(worker)

    def _replace_dead_idle(self) -> None:
        with self._lock:
            for dead in [worker for worker in self._idle if worker.process.poll() is not None]:
                self._idle.remove(dead)
                self._replace(dead)

    def live_workers(self) -> int:
        """How many workers are running (for the health check: none means every worker query waits); those that
        died while idle are replaced on the way."""
        with self._lock:
            self._replace_dead_idle()
            return sum(1 for worker in [*self._idle, *self._busy] if worker.process.poll() is None)

    def pids(self) -> list[int]:
        """The process ids of the live workers (for tests and monitoring)."""
        with self._lock:
            return [w.pid for w in [*self._idle, *self._busy] if w.pid is not None]

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = [*self._idle, *self._busy]
            self._idle, self._busy = [], set()
            self._lock.notify_all()
        self._busy_now.set()
        for worker in workers:
            worker.kill()
        self._tempdir.cleanup()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Stream:
    """The pieces of a streamed answer as its worker sends them, for the WSGI server to send on. The worker stays
    busy until the last piece; past the time limit it is killed and the iteration raises `QueryTimeout`, so the
    server cuts the connection instead of ending the body as if it were whole. `close()` (the WSGI server calls
    it, also when the client went away) frees or kills the worker.

    A client that stops reading holds the WSGI server in a write, and the iteration with it: a timer kills the
    worker at the time limit all the same (and the pool's memory watch at the memory limit), so such a client does
    not keep a worker from other queries."""

    def __init__(self, pool: WorkerPool, worker: _Worker, deadline: float | None, timeout: float | None) -> None:
        self.pool, self.worker, self.deadline, self.timeout = pool, worker, deadline, timeout
        self.complete = False
        self.closed = False
        self.expired = False
        self._timer: threading.Timer | None = None
        if deadline is not None:
            self._timer = threading.Timer(max(0.0, deadline - time.monotonic()), self._expire)
            self._timer.daemon = True
            self._timer.start()

    def _expire(self) -> None:
        if not self.complete:
            self.expired = True
            self.pool._finish(self.worker, complete=False)

    def _past_the_limit(self) -> QueryTimeout:
        return QueryTimeout(503, f"the answer was still being written after the time limit of {self.timeout:g} s; "
                                 "it was stopped and the connection cut")

    def _past_the_memory_limit(self) -> QueryMemoryExceeded:
        return QueryMemoryExceeded(500, "the answer was stopped when its query used more than the memory limit of "
                                        f"{self.pool.max_query_memory} MB; the connection was cut")

    def __iter__(self) -> Iterator[bytes]:
        conn = self.worker.conn
        try:
            while True:
                remaining = None if self.deadline is None else self.deadline - time.monotonic()
                if not self.worker.readable(remaining):
                    raise self._past_the_limit()
                piece = conn.recv_bytes()
                if not piece:
                    break
                yield piece
            status, payload = conn.recv()
            self.complete = True
        except (EOFError, OSError) as error:
            if self.expired:
                raise self._past_the_limit() from None
            if self.worker.memory_exceeded:
                raise self._past_the_memory_limit() from None
            raise SparqlError(503, "the answer could not be finished: its worker process stopped") from error
        finally:
            self.close()
        if status != "ok":
            raise SparqlError(500, f"the answer failed while it was being written: {payload}")

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
        self.pool._finish(self.worker, self.complete)


if __name__ == "__main__":
    _worker_main(Connection(int(sys.argv[1])))
