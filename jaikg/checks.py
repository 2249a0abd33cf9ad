"""Checking a client's query or update with Oxigraph in worker processes, not in the server process.

pyoxigraph has no parser of its own: a text is checked by running it on an empty store (`jaikg.remote_store`'s
`parse_query` and `parse_update`), and that can cost what running it costs, in the process that does it.
Oxigraph overflows its stack on a chain of operators or UNIONs written without brackets (10 KB of `1+1+…` kill a
thread of 2 MiB: `jaikg.deep_stack`), takes time growing with the square of such a chain's length (a `1+1+…` of
10,000 operands: 4.6 s), and evaluates an ASK or an ORDER BY at once and an update whole, on the empty store too
(nested CONCATs of a constant in an ASK: 1.2 GB and 5-41 s). In the server process, the first kills the server and
the others take it over.

`CheckPool` runs these checks in a `jaikg.workers.WorkerPool` of their own, on an empty graph, under the serving
`--timeout` and `--max-query-memory`: a text that crashes Oxigraph costs a worker, replaced in the background
(in under a second: a new interpreter, no graph to load), and its client gets the errors the query workers give (503
when the worker died or ran out of time, 500 past the memory limit), naming the check. A syntax error comes back as
the `SyntaxError` Oxigraph raised (message, line, column), so the endpoint's 400 is the one it gives for the
embedded store.

`jaikg serve --backend` checks every query and update this way before it goes to the backend (`RemoteStore`'s
`checker`); `jaikg serve --update` checks every update before it runs on the embedded store
(`WorkerPool.update_check`), which it then does in this process on a thread with a stack sized for it. The workers
run the checks on their main thread (8 MiB of stack): a chain longer than that takes (about 6,800 operands of
`1+1+…`) ends the check at once, where a larger stack would let it plan for minutes until the time limit. A check
costs a round trip to a worker: 0.25 ms for a short query, 45 ms for the update of an 800 KB Graph Store body.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from .remote_store import parse_query, parse_update
from .sparql import QueryTimeout, SparqlError, Spill
from .workers import (DEFAULT_MAX_QUERY_MEMORY, DEFAULT_TIMEOUT, QueryMemoryExceeded, WorkerBusy, WorkerPool,
                      WorkersUnavailable)

CHECK_FAILURES = (SyntaxError, OSError, RuntimeError, ValueError)
"""What Oxigraph raises on a text, passed back to the caller as raised, so the endpoint answers as without a
check (400 with line and column for a `SyntaxError`)."""


@dataclass(frozen=True)
class Check:
    """A text to check in a worker: a query, or with `update` an update."""

    text: str
    base_iri: str | None = None
    update: bool = False
    timeout: float | None = None
    """None: the pool's, the serving `--timeout`."""

    @property
    def what(self) -> str:
        return "update" if self.update else "query"


@dataclass(frozen=True)
class Checked:
    """What a check found: whether a query is a CONSTRUCT or DESCRIBE, or the error Oxigraph raised on the text."""

    graph_form: bool = False
    error: Exception | None = None


def check(store: ox.Store, request: Check, spill: Spill | None = None, stream_threshold: int = 0) -> Checked:
    """Run in a worker (`jaikg.workers.Evaluate`): parse `request.text` with Oxigraph on an empty store; `store`
    (the worker's graph, empty) is not used."""
    try:
        if request.update:
            parse_update(request.text, request.base_iri)
            return Checked()
        return Checked(graph_form=parse_query(request.text, request.base_iri))
    except CHECK_FAILURES as error:
        return Checked(error=error)


class CheckPool:
    """Worker processes that check queries and updates (`check_query`, `check_update`: what `parse_query` and
    `parse_update` do in this process), under a time and a memory limit."""

    def __init__(self, size: int, *, timeout: float | None = DEFAULT_TIMEOUT,
                 max_query_memory: int | None = DEFAULT_MAX_QUERY_MEMORY, allocator: str | None = "auto") -> None:
        """`size` workers, started before this returns; `timeout` (seconds) and `max_query_memory` (MiB, None: no
        limit) bound each check, as `jaikg.workers.WorkerPool`'s bound a query."""
        self.pool = WorkerPool(ox.Store(), size=size, timeout=timeout, evaluate=check, allocator=allocator,
                               inline_rows=0, max_query_memory=max_query_memory)

    def check_query(self, query: str, base_iri: str | None = None) -> bool:
        """Whether `query` is a CONSTRUCT or DESCRIBE (`parse_query`); `SyntaxError` for a malformed query."""
        return self._check(Check(query, base_iri)).graph_form

    def check_update(self, update: str, base_iri: str | None = None) -> None:
        """`SyntaxError` for a malformed update (`parse_update`)."""
        self._check(Check(update, base_iri, update=True))

    def _check(self, request: Check) -> Checked:
        """The worker's finding, or the error Oxigraph raised on the text, raised again; the pool's errors say what
        they stopped: the check, and so the query or update, which did not run."""
        what, stopped = request.what, f"and the {request.what} was not run"
        try:
            checked: Checked = self.pool.call(request)
        except QueryTimeout:
            raise QueryTimeout(503, f"checking the {what} took longer than the time limit of {self.pool.timeout:g} s: "
                                    f"it was stopped, {stopped}") from None
        except QueryMemoryExceeded:
            raise QueryMemoryExceeded(500, f"checking the {what} took more than the memory limit of "
                                           f"{self.pool.max_query_memory} MB: it was stopped, {stopped}") from None
        except (WorkerBusy, WorkersUnavailable):
            raise
        except SparqlError as error:
            if error.status != 503:  # the worker failed otherwise (`jaikg.workers._answer`)
                raise
            raise SparqlError(503, f"the {what} could not be checked: the process checking it stopped (Oxigraph "
                                   "overflows its stack on some texts, such as thousands of operators or UNIONs "
                                   f"chained without brackets), {stopped}") from None
        if checked.error is not None:
            raise checked.error
        return checked

    def live_workers(self) -> int:
        return self.pool.live_workers()

    def close(self) -> None:
        self.pool.close()
