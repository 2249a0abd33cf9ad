"""Loading and serving at 10^7 triples, on disk: `oxigraph load` beside `jaikg load`, then `oxigraph serve` beside
`jaikg serve --store`, a few queries interleaved on both.

    python bench/large.py --size 10000000                # jaikg load validates, as it does by default
    python bench/large.py --size 10000000 --no-validate  # jaikg load without validation

Writes `bench/results/10m/results.json`: load seconds and peak memory of each loader's process tree, start-up
seconds and serving memory of each server, median latency (ms) of each query. `bench/run.py` measures the smaller
sizes in full; at this size its full query set on disk would take hours.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from clients import latency  # noqa: E402
from run import all_queries, write_data  # noqa: E402
from servers import (JaikgDisk, OxigraphDisk, jaikg_load_command, oxigraph_load_command,  # noqa: E402
                     run_measured)

QUERIES = ("point lookup", "CQ 24", "3-hop join + DISTINCT", "aggregate + ORDER BY")


def load_both(data: Path, workdir: Path, validate: bool) -> tuple[dict, Path, Path]:
    oxigraph_dir, jaikg_dir = workdir / "oxigraph-store", workdir / "jaikg-store"
    for folder in (oxigraph_dir, jaikg_dir):
        shutil.rmtree(folder, ignore_errors=True)
    jaikg_name = "jaikg load" + ("" if validate else " --no-validate")
    commands = {"oxigraph load": oxigraph_load_command(data, oxigraph_dir),
                jaikg_name: jaikg_load_command(data, jaikg_dir, "--validate" if validate else "--no-validate")}
    loads = {}
    for name, command in commands.items():
        seconds, peak = run_measured(command)
        loads[name] = {"seconds": round(seconds, 1), "peak_mb": round(peak / 2**20)}
        print(name, loads[name], file=sys.stderr, flush=True)
    return loads, oxigraph_dir, jaikg_dir


def serve_both(data: Path, workdir: Path, oxigraph_dir: Path, jaikg_dir: Path, repeats: int) -> dict:
    jaikg = JaikgDisk("jaikg (--store)", data, workdir)
    oxigraph = OxigraphDisk("Oxigraph server (disk)", data, workdir)
    jaikg.store, oxigraph.store = jaikg_dir, oxigraph_dir
    jaikg.load_seconds = oxigraph.load_seconds = 0.0  # loaded above: start the servers only
    systems = (jaikg, oxigraph)
    result: dict = {"start_s": {}, "rss_mb": {}, "latency_ms": {}}
    queries = all_queries()
    try:
        for system in systems:
            system.start()
            result["start_s"][system.name] = round(system.start_seconds or 0.0, 1)
        for name in QUERIES:
            measured = latency({s.name: (s.base, s.query_path, None) for s in systems}, queries[name], repeats, 60)
            result["latency_ms"][name] = {key: round(value.median_ms or 0.0, 1) for key, value in measured.items()}
            print(name, result["latency_ms"][name], file=sys.stderr, flush=True)
        for system in systems:
            result["rss_mb"][system.name] = round(system.rss() / 2**20)
    finally:
        for system in systems:
            system.stop()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=10_000_000)
    parser.add_argument("--no-validate", dest="validate", action="store_false",
                        help="Run jaikg load without validating.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jaikg-large"))
    parser.add_argument("--out", type=Path, default=BENCH / "results" / "10m")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    data = write_data(args.size, args.workdir)
    loads, oxigraph_dir, jaikg_dir = load_both(data, args.workdir, args.validate)
    report = {"command": "python bench/large.py --size " + str(args.size) + ("" if args.validate else " --no-validate"),
              "size": args.size, "load": loads,
              "serve": serve_both(data, args.workdir, oxigraph_dir, jaikg_dir, args.repeats)}
    (args.out / "results.json").write_text(json.dumps(report, indent=1))
    print(f"results in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
