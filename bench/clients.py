"""Keep-alive HTTP clients for the benchmark: latency of one query (median, p99) and throughput at N concurrent
clients (each its own process, so the Python client does not share one GIL), cold or warm.

Cold: every request carries a unique SPARQL comment, so a result cache cannot answer it (the engines ignore the
comment). Warm: the same query text every time.
"""

from __future__ import annotations

import http.client
import itertools
import math
import multiprocessing
import os
import statistics
import time
import urllib.parse
from dataclasses import dataclass

ACCEPT = {"Accept": "application/sparql-results+json"}


class TimeLimit(Exception):
    """The endpoint did not answer within the limit."""


class Client:
    """One keep-alive connection sending GET queries to an endpoint path."""

    def __init__(self, base: str, path: str, timeout: float | None = None) -> None:
        netloc = urllib.parse.urlsplit(base).netloc
        self.connection = http.client.HTTPConnection(netloc, timeout=timeout)
        self.path = path

    def ask(self, query: str) -> int:
        """Send one query; the number of body bytes of a 200 answer."""
        try:
            self.connection.request("GET", f"{self.path}?{urllib.parse.urlencode({'query': query})}", headers=ACCEPT)
            response = self.connection.getresponse()
            body = response.read()
        except TimeoutError:
            self.connection.close()
            raise TimeLimit() from None
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:300]!r}")
        return len(body)


def cold(query: str, tag: str) -> str:
    return f"{query}\n# {tag}"


@dataclass
class Latency:
    median_ms: float | None
    p99_ms: float | None
    samples: int
    over_limit: bool = False


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(share * len(ordered)) - 1)]


def latency(base: str, path: str, query: str, repeats: int, budget: float, limit: float | None) -> Latency:
    """Median and p99 of `repeats` cold requests (fewer when they pass `budget` seconds, at least 3), after one
    warm-up request; `over_limit` when a request took longer than `limit`."""
    client = Client(base, path, timeout=limit)
    try:
        client.ask(cold(query, "warm-up"))
    except TimeLimit:
        return Latency(None, None, 0, over_limit=True)
    times: list[float] = []
    started = time.perf_counter()
    for i in range(repeats):
        start = time.perf_counter()
        try:
            client.ask(cold(query, f"latency-{i}"))
        except TimeLimit:
            return Latency(None, None, len(times), over_limit=True)
        times.append((time.perf_counter() - start) * 1000)
        if len(times) >= 3 and time.perf_counter() - started > budget:
            break
    return Latency(statistics.median(times), percentile(times, 0.99), len(times))


def _hammer(args: tuple[str, str, str, bool, float, int]) -> int:
    base, path, query, warm, seconds, worker = args
    client = Client(base, path, timeout=max(60.0, seconds * 4))
    deadline, done = time.perf_counter() + seconds, 0
    for i in itertools.count():
        if time.perf_counter() >= deadline:
            return done
        client.ask(query if warm else cold(query, f"{os.getpid()}-{worker}-{i}"))
        done += 1
    return done


def throughput(base: str, path: str, query: str, clients: int, seconds: float, warm: bool) -> float:
    """Requests per second answered by `clients` concurrent keep-alive clients over `seconds`."""
    if warm:
        Client(base, path).ask(query)
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        start = time.perf_counter()
        counts = pool.map(_hammer, [(base, path, query, warm, seconds, n) for n in range(clients)])
        elapsed = time.perf_counter() - start
    return sum(counts) / elapsed
