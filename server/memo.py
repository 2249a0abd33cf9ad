"""Values computed once per version of the graph and kept in memory (the network): a request reads them, never
rebuilds them. The store is read-only unless the app serves updates; an update through this server (which moves its
Last-Modified time) makes them computed again when next asked for.

A store others write too (`--backend`: another replica, `jaikg load --to`) changes without this server knowing, so
there a value is reused at most `max_age` seconds, as the result cache's answers are (`server.cache`); with
`max_age` 0 (`--update`) it is computed for every request."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

from .state import jaikg

T = TypeVar("T")
MAX_ENTRIES = 256
"""Bound on kept values: the network has one entry per (types, program) asked for."""

_LOCK = threading.Lock()


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """The app's value for `key` on the graph as it is, computed by `compute` the first time (once, even under
    concurrent requests); on a store this server does not see change, again once it is `max_age` seconds old."""
    state = jaikg()
    version = state.executor.last_modified
    max_reuse = None if state.settings.sees_changes else state.settings.max_age
    if max_reuse == 0:
        return compute()
    with _LOCK:
        kept = current_app.extensions.get("jaikg.memo")
        if kept is None or kept[0] != version:
            kept = current_app.extensions["jaikg.memo"] = (version, {})
        memo: dict[Hashable, tuple[float, object]] = kept[1]
        held = memo.get(key)
        if held is None or (max_reuse is not None and time.monotonic() - held[0] > max_reuse):
            if held is None and len(memo) >= MAX_ENTRIES:
                memo.pop(next(iter(memo)))
            held = memo[key] = (time.monotonic(), compute())
        return held[1]  # type: ignore[return-value]
