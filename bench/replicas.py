"""Throughput of N stateless `jaikg serve` replicas behind a round-robin client, on loopback, bounded in time.

    python bench/replicas.py                              # 1, 2 and 4 replicas, each on its own embedded store
    python bench/replicas.py --store shared               # all replicas on one Oxigraph server (`--backend`)
    python bench/replicas.py --replicas 1 2 --seconds 10 --clients 8 -- --workers 1

For each N, N `jaikg serve` processes start on free ports (arguments after `--` go to each), every one on the
embedded store built from the same shipped release, or with `--store shared` on one Oxigraph server the shipped
graph is published to (`jaikg load --to`). Then `--clients` client processes, each from its own loopback address
(127.0.0.11, .12 …, so no replica's per-client limit is hit), send requests for `--seconds` seconds, each to the
next replica in turn over kept-alive connections: a point query and a competency question, each made unique by a
comment so that no result cache answers them, and a Linked Data page. The figures are requests per second, the
latency percentiles and the errors (any answer but 200). The clients share the machine's cores with the replicas:
on a small machine that caps what more replicas can give. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(REPO))

from clients import percentile  # noqa: E402

from tests.live import cli_server, oxigraph_server  # noqa: E402  (the servers the tests start)

PREFIXES = "PREFIX jo: <https://w3id.org/jaikg/ontology#>\nPREFIX jr: <https://w3id.org/jaikg/resource/>\n"
POINT = PREFIXES + "SELECT ?p ?o WHERE { jr:swallow ?p ?o }"
COMPETENCY = (REPO / "queries" / "02-models-over-50-billion-parameters.rq").read_text(encoding="utf-8")
ACCEPT = {"Accept": "application/sparql-results+json"}


def request_path(i: int, tag: str) -> str:
    """The i-th request of a client: a cold point query, a cold competency question, or a page, in turn."""
    kind = i % 3
    if kind == 2:
        return "/resource/swallow"
    query = (POINT if kind == 0 else COMPETENCY) + f"\n# {tag}-{i}"
    return "/sparql?" + urllib.parse.urlencode({"query": query})


@dataclass
class ClientResult:
    requests: int
    errors: int
    latencies_ms: list[float]


def run_client(args: tuple[list[str], str, float, int]) -> ClientResult:
    """One client process: round-robin over the replicas until the deadline."""
    bases, address, seconds, index = args
    connections = [http.client.HTTPConnection(urllib.parse.urlsplit(base).netloc, timeout=60,
                                              source_address=(address, 0)) for base in bases]
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    for i in itertools.count():
        if time.perf_counter() >= deadline:
            break
        connection = connections[(i + index) % len(connections)]
        start = time.perf_counter()
        try:
            connection.request("GET", request_path(i, f"{os.getpid()}-{index}"), headers=ACCEPT)
            response = connection.getresponse()
            response.read()
            ok = response.status == 200
        except (OSError, http.client.HTTPException):
            connection.close()
            ok = False
        latencies.append((time.perf_counter() - start) * 1000)
        errors += not ok
    for connection in connections:
        connection.close()
    return ClientResult(len(latencies), errors, latencies)


@dataclass
class Run:
    replicas: int
    requests: int
    errors: int
    seconds: float
    p50: float
    p90: float
    p99: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


def hammer(bases: list[str], clients: int, seconds: float) -> Run:
    jobs = [(bases, f"127.0.0.{11 + n}", seconds, n) for n in range(clients)]
    with multiprocessing.get_context("fork").Pool(clients) as pool:
        start = time.perf_counter()
        results = pool.map(run_client, jobs)
        elapsed = time.perf_counter() - start
    latencies = [ms for result in results for ms in result.latencies_ms]
    return Run(len(bases), sum(r.requests for r in results), sum(r.errors for r in results), elapsed,
               percentile(latencies, 0.5), percentile(latencies, 0.9), percentile(latencies, 0.99))


@contextmanager
def shared_store() -> Iterator[str]:
    """An Oxigraph server holding the shipped graph; yields its query URL."""
    with tempfile.TemporaryDirectory(prefix="jaikg-replicas-") as folder, oxigraph_server(folder) as base:
        subprocess.run([sys.executable, "-m", "jaikg", "load", "--to", base + "/update"], check=True,
                       stderr=subprocess.DEVNULL)
        yield base + "/query"


@contextmanager
def replicas(n: int, serve_options: list[str]) -> Iterator[list[str]]:
    """N `jaikg serve` processes, each on its own port; yields their base URLs."""
    with ExitStack() as stack:
        yield [stack.enter_context(cli_server(*serve_options)) for _ in range(n)]


def table(runs: list[Run], title: str) -> str:
    lines = [f"**{title}**", "",
             "| replicas | requests | req/s | errors | p50 ms | p90 ms | p99 ms |",
             "|---|---|---|---|---|---|---|"]
    lines += [f"| {r.replicas} | {r.requests:,} | {r.rate:,.0f} | {r.errors} | {r.p50:.1f} | {r.p90:.1f} | "
              f"{r.p99:.1f} |" for r in runs]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, nargs="+", default=[1, 2, 4])
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--store", choices=["embedded", "shared"], default="embedded")
    parser.add_argument("serve_options", nargs="*", help="after --: options of every `jaikg serve`")
    args = parser.parse_args()
    runs = []
    with ExitStack() as stack:
        options = list(args.serve_options)
        if args.store == "shared":
            options = ["--backend", stack.enter_context(shared_store()), *options]
        for n in args.replicas:
            with replicas(n, options) as bases:
                hammer(bases, args.clients, min(3.0, args.seconds))
                run = hammer(bases, args.clients, args.seconds)
            runs.append(run)
            print(f"{n} replica(s): {run.rate:,.0f} req/s, {run.errors} errors, p50 {run.p50:.1f} ms, "
                  f"p99 {run.p99:.1f} ms", file=sys.stderr)
    title = (f"{args.store} store, {args.clients} clients, {args.seconds:g} s, "
             f"{os.cpu_count()} CPUs" + (f", serve {' '.join(args.serve_options)}" if args.serve_options else ""))
    print(table(runs, title))
    sys.exit(1 if any(run.errors for run in runs) else 0)


if __name__ == "__main__":
    main()
