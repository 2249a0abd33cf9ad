"""A bounded load run on loopback: N concurrent clients send a mix of queries and page requests for D seconds to
`jaikg serve` (started here with its defaults, or an already running server with --url), then stop by themselves
and report errors and latency percentiles.

    python bench/load.py                      # 8 clients, 30 s, a fresh `jaikg serve` on a free port
    python bench/load.py --clients 16 --seconds 60
    python bench/load.py --url http://127.0.0.1:8000
    python bench/load.py --abusers 1 -- --timeout 5   # one more client sending a query that never ends

Each client comes from its own loopback address (127.0.0.11, .12, …), as distinct clients would, so the server's
per-client concurrency limit applies to each as it would in production. An error is any answer that is not
2xx, or no answer at all (for an abuser: anything but 503). The latency figures are those of the normal clients. Exit status 0 when there were none, 1 otherwise. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.safety import CROSS_PRODUCT_COUNT, client_from  # noqa: E402  (the clients the safety tests use)

PREFIXES = ("PREFIX jo: <https://w3id.org/jaikg/ontology#>\nPREFIX jr: <https://w3id.org/jaikg/resource/>\n"
            "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")


def competency_queries() -> list[str]:
    return [path.read_text(encoding="utf-8") for path in sorted((REPO / "queries").glob("*.rq"))]


def mix() -> list[tuple[str, str, dict[str, str]]]:
    """(kind, path, params) of the requests clients pick from at random: the competency questions, cheap point
    queries, a full scan, Linked Data pages and the VoID description."""
    requests_mix = [("competency", "/sparql", {"query": q}) for q in competency_queries()]
    requests_mix += [
        ("ask", "/sparql", {"query": "ASK {}"}),
        ("point", "/sparql", {"query": PREFIXES + "SELECT ?p ?o WHERE { jr:swallow ?p ?o }"}),
        ("label-search", "/sparql", {"query": PREFIXES + 'SELECT ?s ?l WHERE { ?s rdfs:label ?l '
                                                         'FILTER(CONTAINS(LCASE(STR(?l)), "ai")) } LIMIT 50'}),
        ("scan", "/sparql", {"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"}),
        ("construct", "/sparql", {"query": PREFIXES + "CONSTRUCT { jr:swallow ?p ?o } WHERE { jr:swallow ?p ?o }",
                                  "format": "ttl"}),
        ("page", "/resource/swallow", {}),
        ("page", "/resource/aist", {}),
        ("void", "/.well-known/void", {}),
    ]
    return requests_mix


@dataclass
class Results:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, kind: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if error:
                self.errors.append(f"{kind}: {error}")


def client(number: int, base_url: str, until: float, results: Results, seed: int) -> None:
    session = client_from(f"127.0.0.{11 + number}")
    choices = mix()
    rng = random.Random(seed + number)
    while time.monotonic() < until:
        kind, path, params = rng.choice(choices)
        headers = {"Accept": "text/html"} if kind == "page" else {}
        started = time.perf_counter()
        error = None
        try:
            response = session.get(base_url + path, params=params, headers=headers, timeout=60)
            if not 200 <= response.status_code < 300:
                error = f"{response.status_code} {response.text[:200]}"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        results.record(kind, time.perf_counter() - started, error)


def abuser(number: int, base_url: str, until: float, results: Results) -> None:
    """Sends the heavy query again and again; a 503 is its expected answer, anything else an error."""
    session = client_from(f"127.0.1.{11 + number}")
    while time.monotonic() < until:
        started = time.perf_counter()
        error = None
        try:
            response = session.get(base_url + "/sparql", params={"query": CROSS_PRODUCT_COUNT}, timeout=120)
            if response.status_code != 503:
                error = f"heavy query answered {response.status_code}, not 503"
        except requests.RequestException as exc:
            error = f"{type(exc).__name__}: {exc}"
        results.record("heavy (503)", time.perf_counter() - started, error)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def report(results: Results, seconds: float, clients: int) -> str:
    every = [v for kind, values in results.latencies.items() if kind != "heavy (503)" for v in values]
    lines = [f"clients {clients}, {seconds:.0f} s, {len(every)} requests, {len(every) / seconds:.0f} req/s, "
             f"errors {len(results.errors)}",
             f"latency ms: p50 {percentile(every, 0.5) * 1000:.1f}, p90 {percentile(every, 0.9) * 1000:.1f}, "
             f"p99 {percentile(every, 0.99) * 1000:.1f}, max {max(every) * 1000:.1f}, "
             f"mean {statistics.fmean(every) * 1000:.1f}",
             "by kind (n, p50 ms, p99 ms):"]
    for kind, values in sorted(results.latencies.items()):
        lines.append(f"  {kind:13} {len(values):6} {percentile(values, 0.5) * 1000:8.1f} "
                     f"{percentile(values, 0.99) * 1000:8.1f}")
    lines.extend(f"  error: {error}" for error in results.errors[:10])
    return "\n".join(lines)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(extra: list[str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "jaikg", "serve", "--port", str(port), *extra],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"jaikg serve exited with {process.returncode}")
        try:
            if requests.get(base_url + "/healthz", timeout=2).ok:
                return process, base_url
        except requests.ConnectionError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("jaikg serve did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--url", help="an already running server (default: start `jaikg serve` here)")
    parser.add_argument("--abusers", type=int, default=0,
                        help="extra clients sending a query that runs past the timeout (expected: 503)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("serve_options", nargs="*", help="extra options for `jaikg serve` (after --)")
    args = parser.parse_args()

    process, base_url = (None, args.url.rstrip("/")) if args.url else start_server(args.serve_options)
    try:
        results = Results()
        started = time.monotonic()
        until = started + args.seconds
        threads = [threading.Thread(target=client, args=(n, base_url, until, results, args.seed))
                   for n in range(args.clients)]
        threads += [threading.Thread(target=abuser, args=(n, base_url, until, results)) for n in range(args.abusers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(report(results, time.monotonic() - started, args.clients))
    finally:
        if process is not None:
            process.terminate()
            process.wait(30)
    return 1 if results.errors else 0


if __name__ == "__main__":
    sys.exit(main())
