"""jaikg (memory) against the Oxigraph server (memory) alone, in alternating rounds: point-lookup latency and
throughput at 8 clients, cold and warm, medians of the rounds and their ratios. A quicker, less crowded check than
bench/run.py (which has five systems up while it measures latency), for A/B work on the request path.

Usage: python bench/alternate.py [--size 100000] [--rounds 3] [--seconds 2.5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from clients import latency, throughput  # noqa: E402
from quiet import wait_until_quiet  # noqa: E402
from run import PROLOGUE, QUERIES, write_data  # noqa: E402
from servers import SYSTEMS  # noqa: E402

NAMES = ("jaikg (memory)", "Oxigraph server (memory)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=2.5)
    parser.add_argument("--quiet-limit", type=float, default=120.0, metavar="SECONDS",
                        help="Longest wait, before each round, for the machine to be idle.")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jaikg-bench"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    data = write_data(args.size, args.workdir)
    query = PROLOGUE + QUERIES["point lookup"]
    systems = [SYSTEMS[name](name, data, args.workdir) for name in NAMES]
    figures: dict[str, dict[str, list[float]]] = {name: {"latency ms": [], "8 cold": [], "8 warm": []}
                                                  for name in NAMES}
    try:
        for system in systems:
            system.start()
        for _ in range(args.rounds):
            wait_until_quiet(limit=args.quiet_limit)
            measured = latency({s.name: (s.base, s.query_path, None) for s in systems}, query, 100, 10.0)
            for system in systems:
                figures[system.name]["latency ms"].append(measured[system.name].median_ms or 0.0)
                for warm in (False, True):
                    figures[system.name][f"8 {'warm' if warm else 'cold'}"].append(
                        throughput(system.base, system.query_path, query, 8, args.seconds, warm))
    finally:
        for system in systems:
            system.stop()
    medians = {name: {key: statistics.median(values) for key, values in figure.items()}
               for name, figure in figures.items()}
    ours, theirs = (medians[name] for name in NAMES)
    for key in ours:
        print(f"point lookup, {key}: jaikg {ours[key]:.2f}, Oxigraph {theirs[key]:.2f}, "
              f"ratio {ours[key] / theirs[key]:.2f}x")


if __name__ == "__main__":
    main()
