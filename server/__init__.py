"""The jaikg web application (installed as `jaikg.server`): `create_app(config)` and its blueprints.

Config keys (all optional):

- `STORE`: an `ox.Store` to serve; else one is built from the shipped data plus `DATA` (paths), in `STORE_DIR`
  (a folder for a persistent store) or in memory.
- `EXECUTOR`: what queries and updates run through (`run(QueryRequest)`, `update(UpdateRequest)`); default an
  `InlineExecutor` on the store. `jaikg serve` passes a pool of worker processes.
- `UPDATE` (bool), `UPDATE_TOKEN`, `TIMEOUT` (seconds), `MAX_ROWS`, `CORS_ORIGINS` (list, default any origin),
  `ALLOWED_SERVICES` (endpoints SERVICE may name): see `server.state.Settings`.
- `RESULT_CACHE_BYTES` (bytes of answers kept, default 64 MiB, 0: none), `CACHE_MAX_AGE` (seconds in
  `Cache-Control` when read-only, default 60; on a remote store, also how long a kept answer is reused): see
  `server.cache`.
- `MAX_CONTENT_LENGTH` (bytes), `MAX_QUERY_LENGTH` (characters), `CLIENT_CONCURRENCY` (requests in progress per
  client address): see `server.limits`.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from jaikg.loading import build_store
from jaikg.remote_store import RemoteStore
from jaikg.sparql import InlineExecutor

from .blueprints import export, graph, graph_store, pages, sparql, ui, void
from .cache import DEFAULT_CACHE_BYTES, DEFAULT_MAX_AGE, CachingExecutor
from .conditional import init_conditional
from .cors import init_cors
from .errors import init_errors
from .fast_path import QueryFastPath
from .limits import init_limits
from .security import init_security
from .state import Jaikg, Settings

BLUEPRINTS = [sparql.bp, graph_store.bp, pages.bp, void.bp, ui.bp, export.bp, graph.bp]
"""Every blueprint of the app; a new view is one more entry here."""


def settings_from(config: dict[str, Any]) -> Settings:
    store = config.get("STORE")
    return Settings(
        update=bool(config.get("UPDATE", False)),
        update_token=config.get("UPDATE_TOKEN") or None,
        timeout=config.get("TIMEOUT"),
        max_rows=config.get("MAX_ROWS"),
        cors_origins=tuple(config.get("CORS_ORIGINS") or ("*",)),
        allowed_services=tuple(config.get("ALLOWED_SERVICES") or ()),
        max_age=0 if config.get("UPDATE") else int(config.get("CACHE_MAX_AGE", DEFAULT_MAX_AGE)),
        sees_changes=not isinstance(store, RemoteStore),
    )


def create_app(config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config or {})
    app.json.ensure_ascii = False
    store = app.config.get("STORE")
    if store is None:
        store = build_store(app.config.get("DATA", ()), store_dir=app.config.get("STORE_DIR"))
    settings = settings_from({**app.config, "STORE": store})
    executor = CachingExecutor(app.config.get("EXECUTOR") or InlineExecutor(store),
                               app.config.get("RESULT_CACHE_BYTES", DEFAULT_CACHE_BYTES),
                               max_reuse=None if settings.sees_changes else settings.max_age)
    app.extensions["jaikg"] = Jaikg(store=store, executor=executor, settings=settings)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    init_errors(app)
    init_cors(app)
    init_limits(app)
    init_security(app)
    init_conditional(app)
    app.wsgi_app = QueryFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    return app
