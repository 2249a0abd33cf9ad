"""Downloading the whole graph from an on-disk store: `jaikg serve --store` (its dumps and `/data?default`) beside
the Oxigraph server on disk (`GET /store`, the Graph Store Protocol's dataset and default graph), same data.

    python bench/dumps.py --size 1000000

For each download: seconds to the first byte and to the last, bytes, and the server's resident memory after it;
a dump of jaikg twice (the second is sent from the file the first wrote). Writes `bench/results/dumps.json` and
`dumps.md`. Figures move with the machine; compare the two servers within one run.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from report import machine  # noqa: E402
from run import write_data  # noqa: E402
from servers import JaikgDisk, OxigraphDisk, System  # noqa: E402

DOWNLOADS: dict[str, list[tuple[str, str, str]]] = {
    "jaikg (--store)": [
        ("N-Quads dump", "/export/jaikg.nq", "*/*"),
        ("N-Quads dump, again", "/export/jaikg.nq", "*/*"),
        ("Turtle dump", "/export/jaikg.ttl", "*/*"),
        ("default graph (union), N-Triples", "/data?default", "application/n-triples"),
    ],
    "Oxigraph server (disk)": [
        ("N-Quads dump", "/store", "application/n-quads"),
    ],
}
"""The Oxigraph server's `GET /store?default` is its stored default graph, not the union even with
`--union-default-graph`, so it has no counterpart of jaikg's `/data?default`."""


def download(system: System, path: str, accept: str) -> dict:
    start = time.perf_counter()
    request = urllib.request.Request(system.base + path, headers={"Accept": accept})
    size = 0
    with urllib.request.urlopen(request, timeout=3600) as answer:
        first = answer.read(1)
        first_byte = time.perf_counter() - start
        size = len(first)
        while chunk := answer.read(1 << 20):
            size += len(chunk)
    return {"first_byte_s": round(first_byte, 2), "total_s": round(time.perf_counter() - start, 2), "bytes": size,
            "rss_mb_after": round(system.rss() / 2**20)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jaikg-bench"))
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = write_data(args.size, args.workdir)
    results: dict[str, dict] = {}
    for system in (JaikgDisk("jaikg (--store)", data, args.workdir), OxigraphDisk("Oxigraph server (disk)", data,
                                                                                 args.workdir)):
        system.start()
        try:
            results[system.name] = {"rss_mb_before": round(system.rss() / 2**20)}
            for label, path, accept in DOWNLOADS[system.name]:
                results[system.name][label] = download(system, path, accept)
                print(system.name, label, results[system.name][label], flush=True)
        finally:
            system.stop()
    report = {"size": args.size, "machine": machine(), "results": results}
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "dumps.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    lines = [f"# Downloads from an on-disk store, {args.size:,} triples requested", "",
             f"Command: `python bench/dumps.py --size {args.size}`.", "",
             "| server | download | first byte, s | total, s | MB | server RSS after, MB |", "|---|---|---|---|---|---|"]
    for name, figures in results.items():
        for label, entry in figures.items():
            if isinstance(entry, dict):
                lines.append(f"| {name} | {label} | {entry['first_byte_s']} | {entry['total_s']} | "
                             f"{entry['bytes'] / 1e6:.0f} | {entry['rss_mb_after']} |")
    (args.out / "dumps.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
