"""What every blueprint reaches through `current_app.extensions["jaikg"]`: the store, the executor, the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app

from jaikg.store import GraphStore

from .cache import CachingExecutor


@dataclass(frozen=True)
class Settings:
    """The serving options (`jaikg serve --update --timeout …`), in one place."""

    update: bool = False
    update_token: str | None = None
    timeout: float | None = None
    max_rows: int | None = None
    cors_origins: tuple[str, ...] = ("*",)
    """Origins that may read through CORS; "*" is any origin. Writes never get CORS headers."""
    allowed_services: tuple[str, ...] = ()
    """Endpoints a SERVICE clause may name; empty: SERVICE is refused."""
    max_age: int = 0
    """`Cache-Control: max-age` of query answers (`server.cache`)."""
    sees_changes: bool = True
    """Whether every change of the graph goes through this server (an embedded store), so that it knows when the
    graph was modified. False for a store others write too (`--backend`): no `Last-Modified` can be given, and an
    answer or value kept in memory (result cache, `server.memo`) is reused at most `max_age` seconds."""


@dataclass
class Jaikg:
    store: GraphStore
    """The graph; the pages read it directly, queries and updates go through `executor`."""
    executor: CachingExecutor
    """The app's executor (in-process or a worker pool) behind the result cache."""
    settings: Settings = field(default_factory=Settings)


def jaikg() -> Jaikg:
    """The state of the running app."""
    return current_app.extensions["jaikg"]
