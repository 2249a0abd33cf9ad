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
"""Guards the kept values; held only to read or store one, never while one is computed."""
COMPUTING = threading.BoundedSemaphore(2)
"""Values computed at once: a network view of thousands of nodes takes seconds of CPU, and a client can name any
number of views (types, program)."""


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """The app's value for `key` on the graph as it is, computed by `compute` the first time (once, even under
    concurrent requests for the same key, while other keys are read or computed meanwhile); on a store this server
    does not see change, again once it is `max_age` seconds old."""
    state = jaikg()
    version = state.executor.last_modified
    max_reuse = None if state.settings.sees_changes else state.settings.max_age
    if max_reuse == 0:
        with COMPUTING:
            return compute()
    with _LOCK:
        kept = current_app.extensions.get("jaikg.memo")
        if kept is None or kept[0] != version:
            kept = current_app.extensions["jaikg.memo"] = (version, {}, {})
        memo: dict[Hashable, tuple[float, object]] = kept[1]
        key_lock: threading.Lock = kept[2].setdefault(key, threading.Lock())
    with key_lock:
        with _LOCK:
            held = memo.get(key)
            if held is not None and (max_reuse is None or time.monotonic() - held[0] <= max_reuse):
                return held[1]  # type: ignore[return-value]
        with COMPUTING:
            value = compute()
        with _LOCK:
            if held is None and len(memo) >= MAX_ENTRIES:
                dropped = next(iter(memo))
                memo.pop(dropped)
                kept[2].pop(dropped, None)
            memo[key] = (time.monotonic(), value)
        return value
