"""`jaikg load` beside `oxigraph load`, the same N-Quads file into a new on-disk store, alternating runs so that the
noise of a shared machine hits both alike; the medians and their ratio (the target: jaikg within 1.3x at 10^6).

    python bench/load_ratio.py                         # 10^5 and 10^6 triples, 3 runs each
    python bench/load_ratio.py --sizes 1000000 --runs 5

`jaikg load` runs as users run it: validating, deriving the mentions, with `--no-shipped` so both load the same
file. Peak memory is that of the whole process tree (jaikg's in-memory helper included). Writes
bench/results/load.json and load.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from report import machine  # noqa: E402
from run import write_data  # noqa: E402
from servers import jaikg_load_command, oxigraph_load_command, run_measured  # noqa: E402


def commands(data: Path, workdir: Path) -> dict[str, tuple[list[str], Path]]:
    oxigraph_dir, jaikg_dir = workdir / "ratio-oxigraph", workdir / "ratio-jaikg"
    return {"oxigraph load": (oxigraph_load_command(data, oxigraph_dir), oxigraph_dir),
            "jaikg load": (jaikg_load_command(data, jaikg_dir), jaikg_dir)}


def measure(size: int, runs: int, workdir: Path) -> dict:
    data = write_data(size, workdir)
    seconds: dict[str, list[float]] = {}
    peaks: dict[str, list[int]] = {}
    for _ in range(runs):
        for name, (command, folder) in commands(data, workdir).items():
            shutil.rmtree(folder, ignore_errors=True)
            elapsed, peak = run_measured(command)
            shutil.rmtree(folder, ignore_errors=True)
            seconds.setdefault(name, []).append(round(elapsed, 2))
            peaks.setdefault(name, []).append(round(peak / 2**20))
            print(size, name, f"{elapsed:.1f} s", f"{peak / 2**20:.0f} MB", file=sys.stderr, flush=True)
    medians = {name: statistics.median(values) for name, values in seconds.items()}
    return {"size": size, "seconds": seconds, "peak_mb": peaks, "median_s": medians,
            "ratio": round(medians["jaikg load"] / medians["oxigraph load"], 2)}


def markdown(results: list[dict], command: str) -> str:
    lines = ["# `jaikg load` / `oxigraph load`", "", f"Command: `{command}`. Machine: {json.dumps(machine())}.", "",
             "| triples | oxigraph load, s (median) | jaikg load, s (median) | ratio (target ≤ 1.3×) "
             "| peak MB oxigraph / jaikg | runs, s |",
             "|---|---|---|---|---|---|"]
    for r in results:
        runs = "; ".join(f"{name}: {', '.join(map(str, values))}" for name, values in r["seconds"].items())
        lines.append(f"| {r['size']:,} | {r['median_s']['oxigraph load']:.1f} | {r['median_s']['jaikg load']:.1f} "
                     f"| {r['ratio']:.2f}× | {max(r['peak_mb']['oxigraph load'])} / {max(r['peak_mb']['jaikg load'])} "
                     f"| {runs} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jaikg-bench"))
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    results = [measure(size, args.runs, args.workdir) for size in args.sizes]
    command = "python bench/load_ratio.py --sizes " + " ".join(map(str, args.sizes)) + f" --runs {args.runs}"
    (args.out / "load.json").write_text(json.dumps({"command": command, "machine": machine(), "results": results},
                                                   indent=1))
    (args.out / "load.md").write_text(markdown(results, command))
    print(markdown(results, command))


if __name__ == "__main__":
    main()
