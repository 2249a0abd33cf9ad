"""`jaikg serve`: build and validate the store, then serve the web app with granian (`jaikg.http_server`).

With `--backend QUERY_URL` nothing is loaded: every read goes to that SPARQL endpoint through
`jaikg.remote_store.RemoteStore`, and no query worker pool is started. The pool exists to kill a query that runs
too long in this process; a remote store evaluates elsewhere, so there the timeout is the HTTP client's deadline
(`--timeout`), after which the client gets `504` and the request's thread is free again. What runs here is the
check of each query and update with Oxigraph's parser before it is sent, which a client's text can make crash or
last: that is done in worker processes of its own (`jaikg.checks.CheckPool`, `--workers` of them), under
`--timeout` and `--max-query-memory`. With `--update` on an embedded store, one such worker checks each update
before it runs on the store (`jaikg.workers.WorkerPool.update`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .checks import CheckPool
from .loading import build_store, open_store, store_has_data
from .remote_store import Checker, RemoteStore
from .store import GraphStore
from .validation import ValidationReport, validate_store
from .workers import DEFAULT_MAX_QUERY_MEMORY, DEFAULT_TIMEOUT, WorkerPool, default_size

DEFAULT_MAX_ROWS = 10_000


@dataclass
class InvalidData(Exception):
    """The data does not conform: nothing is served."""

    report: ValidationReport


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8000
    data: tuple[Path, ...] = ()
    include_shipped: bool = True
    """Load the shipped data beside `data` (False: `data` alone)."""
    store_dir: Path | None = None
    update: bool = False
    update_token: str | None = None
    timeout: float | None = DEFAULT_TIMEOUT
    max_query_memory: int | None = DEFAULT_MAX_QUERY_MEMORY
    """MiB a query may take in its worker beyond the worker's graph (None: no limit)."""
    max_rows: int | None = DEFAULT_MAX_ROWS
    workers: int | None = None
    """Query worker processes (with `backend`: processes that check queries before they are sent); default one per
    CPU, at least two. 0 runs queries (and checks) in the server process, without a timeout (for debugging)."""
    worker_allocator: str = "auto"
    """malloc of the query workers: "auto", "system" or a library path (`jaikg.child_process.worker_allocator`)."""
    client_concurrency: int | None = None
    max_query_length: int | None = None
    cors_origins: tuple[str, ...] = ()
    allowed_services: tuple[str, ...] = ()
    threads: int = 8
    backend: str | None = None
    """Query URL of a SPARQL endpoint to serve instead of an embedded store."""
    backend_update: str | None = None
    """Update URL of that endpoint, for `--update`."""
    backend_union: str = "oxigraph"
    """How the backend is asked for the union default graph (`jaikg.remote_store.UNION_PARAMETERS`)."""
    extra_config: dict[str, Any] = field(default_factory=dict)


def load_validated_store(data: Iterable[Path | str] = (), store_dir: Path | str | None = None, *,
                         include_shipped: bool = True) -> ox.Store:
    """The shipped data plus `data`, validated; `InvalidData` (with the report) when it does not conform, and
    `DataLoadError` when a file cannot be parsed. The shapes are checked compiled to SPARQL (`jaikg.shacl_sparql`,
    which the tests hold to pySHACL's findings): 0.1 s instead of pySHACL's 3 s, most of the start-up time."""
    store = build_store(data, store_dir=store_dir, include_shipped=include_shipped)
    report = validate_store(store, engine="sparql")
    if not report.conforms:
        raise InvalidData(report)
    return store


def serving_store(options: ServeOptions) -> ox.Store:
    """A store folder that already holds data (built by `jaikg load`, validated there, or kept from an earlier
    run) is served as it is when no `--data` is given: opened in place, not reloaded. Otherwise the shipped data
    plus `--data` is built and validated (into the folder, if one is given).

    A store folder is compacted before it is served, as `jaikg load` leaves it: the query workers open it
    read-only and never compact it, and a store as `oxigraph load`, `jaikg load --no-optimize` or an older jaikg
    left it answered joins 2-7x slower at 10^7 triples (docs/performance.md, Compaction). On a compacted store this takes no
    time (RocksDB has nothing to rewrite); on one that is not, the time of `oxigraph optimize`, once."""
    if options.store_dir is not None and not options.data and store_has_data(options.store_dir):
        store = open_store(options.store_dir)
    else:
        store = load_validated_store(options.data, options.store_dir, include_shipped=options.include_shipped)
    if options.store_dir is not None:
        store.optimize()
    return store


def remote_store(options: ServeOptions, checker: Checker | None = None) -> RemoteStore:
    """The backend of `--backend`, with the serving timeout as the deadline of every request to it; `checker`
    parses each query and update before it is sent (None: in this process)."""
    return RemoteStore(options.backend, options.backend_update, timeout=options.timeout or DEFAULT_TIMEOUT,
                       union=options.backend_union, checker=checker)


def check_pool(options: ServeOptions, size: int) -> CheckPool:
    """`size` worker processes that check queries or updates under the serving limits (`jaikg.checks`)."""
    return CheckPool(size, timeout=options.timeout, max_query_memory=options.max_query_memory,
                     allocator=options.worker_allocator)


def app_config(options: ServeOptions, store: GraphStore) -> dict[str, Any]:
    return {"STORE": store, "UPDATE": options.update, "UPDATE_TOKEN": options.update_token,
            "TIMEOUT": options.timeout, "MAX_ROWS": options.max_rows,
            "CORS_ORIGINS": list(options.cors_origins) or ["*"],
            "ALLOWED_SERVICES": list(options.allowed_services), "CLIENT_CONCURRENCY": options.client_concurrency,
            "MAX_QUERY_LENGTH": options.max_query_length, **options.extra_config}


def serve(options: ServeOptions) -> None:
    """Validate the data (none to validate with a backend), then serve until interrupted. After SIGTERM the
    requests in progress get `timeout` seconds to finish (none takes longer, unless its client stopped reading);
    then the workers are stopped and the connections still open closed (`jaikg.http_server`)."""
    from .http_server import check_can_listen, serve_wsgi
    from .server import create_app

    check_can_listen(options.host, options.port)

    store: GraphStore
    pool: WorkerPool | None = None
    checks: CheckPool | None = None

    def close() -> None:
        for started in (pool, checks):
            if started is not None:
                started.close()

    try:
        if options.backend is not None:
            if options.workers != 0:
                checks = check_pool(options, options.workers or default_size())
            store = remote_store(options, checks)
        else:
            store = serving_store(options)
            if options.workers != 0:
                if options.update:  # updates are serialized: one worker checks them
                    checks = check_pool(options, 1)
                pool = WorkerPool(store, store_dir=options.store_dir, size=options.workers, timeout=options.timeout,
                                  isolate_network=not options.allowed_services, allocator=options.worker_allocator,
                                  max_query_memory=options.max_query_memory,
                                  update_check=checks.check_update if checks is not None else None)
        app = create_app({**app_config(options, store), "EXECUTOR": pool})
        serve_wsgi(app, options.host, options.port, options.threads,
                   shutdown_grace=options.timeout or DEFAULT_TIMEOUT, on_overdue=close)
    finally:
        close()
