"""Keep-alive HTTP clients for the benchmark: latency of one query on every system (median, p99; requests
interleaved across the systems) and throughput at N concurrent clients (each its own process, so the Python client
does not share one GIL), cold or warm.

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
        """Send one query; the number of body bytes of a 200 answer. A keep-alive connection the server closed
        while it was idle (granian after 30 s, while another system took its time) is opened again once, as
        HTTP clients such as urllib3 do."""
        target = f"{self.path}?{urllib.parse.urlencode({'query': query})}"
        try:
            try:
                self.connection.request("GET", target, headers=ACCEPT)
                response = self.connection.getresponse()
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection.request("GET", target, headers=ACCEPT)
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


def latency(targets: dict[str, tuple[str, str, float | None]], query: str, repeats: int,
            budget: float) -> dict[str, Latency]:
    """Median and p99 of `repeats` cold requests per target (fewer when the rounds pass `budget` seconds, at
    least 3), sent in rounds of one request to each target in turn, so that whatever else the machine does
    weighs on every system alike. `targets`: name -> (base URL, query path, time limit or None); a target that
    passes its limit is `over_limit` and asked no more. One warm-up request each first."""
    clients = {name: Client(base, path, timeout=limit) for name, (base, path, limit) in targets.items()}
    times: dict[str, list[float]] = {name: [] for name in targets}
    over: set[str] = set()
    for name, client in clients.items():
        try:
            client.ask(cold(query, "warm-up"))
        except TimeLimit:
            over.add(name)
    started = time.perf_counter()
    for i in range(repeats):
        for name, client in clients.items():
            if name in over:
                continue
            start = time.perf_counter()
            try:
                client.ask(cold(query, f"latency-{i}"))
            except TimeLimit:
                over.add(name)
                continue
            times[name].append((time.perf_counter() - start) * 1000)
        if i >= 2 and time.perf_counter() - started > budget:
            break
    return {name: Latency(None, None, len(times[name]), over_limit=True) if name in over else
            Latency(statistics.median(times[name]), percentile(times[name], 0.99), len(times[name]))
            for name in targets}


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
