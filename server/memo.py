"""Values computed once per version of the graph and kept in memory (the dumps, the network): a request reads them,
never rebuilds them. The store is read-only unless the app serves updates; an update through this server (which
moves its Last-Modified time) makes them computed again when next asked for."""

from __future__ import annotations

import threading
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
    concurrent requests)."""
    version = jaikg().executor.last_modified
    with _LOCK:
        kept = current_app.extensions.get("jaikg.memo")
        if kept is None or kept[0] != version:
            kept = current_app.extensions["jaikg.memo"] = (version, {})
        memo: dict[Hashable, object] = kept[1]
        if key not in memo:
            if len(memo) >= MAX_ENTRIES:
                memo.pop(next(iter(memo)))
            memo[key] = compute()
        return memo[key]  # type: ignore[return-value]
