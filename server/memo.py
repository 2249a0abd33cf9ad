"""Values computed once per app and kept in memory (the dumps, the network): a request reads them, never rebuilds
them. The store is read-only unless the app serves updates; with updates on, a dump shows the graph as it was when
it was first asked for."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import TypeVar

from flask import current_app

T = TypeVar("T")
MAX_ENTRIES = 256
"""Bound on kept values: the network has one entry per (types, program) asked for."""

_LOCK = threading.Lock()


def memoized(key: Hashable, compute: Callable[[], T]) -> T:
    """The app's value for `key`, computed by `compute` the first time (once, even under concurrent requests)."""
    memo: dict[Hashable, object] = current_app.extensions.setdefault("jaikg.memo", {})
    with _LOCK:
        if key not in memo:
            if len(memo) >= MAX_ENTRIES:
                memo.pop(next(iter(memo)))
            memo[key] = compute()
        return memo[key]  # type: ignore[return-value]
