"""The benchmark's report: the machine, the tables (Markdown), the ratios against the targets of issue 7, and a plot
of the latencies (PNG)."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path

from servers import oxigraph_program

JAIKG, OXIGRAPH, RDFLIB = "jaikg (memory)", "Oxigraph server (memory)", "rdflib endpoint"
JOINS = ("2-hop join + numeric filter", "aggregate + ORDER BY", "3-hop join + DISTINCT")


def machine() -> dict[str, str]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = next(line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    oxigraph = subprocess.run([oxigraph_program(), "--version"], capture_output=True, text=True).stdout.strip()
    packages = ", ".join(f"{name} {metadata.version(name)}" for name in
                         ("pyoxigraph", "rdflib", "flask", "granian", "pyshacl"))
    return {"cpus": str(os.cpu_count()), "cpu": cpu, "memory": memory, "python": platform.python_version(),
            "os": platform.platform(), "packages": f"{packages}, {oxigraph} (server)",
            "load average at start": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def _ms(entry: dict | None) -> str:
    if not entry:
        return "–"
    if entry.get("over_limit"):
        return "> limit"
    return f"{entry['median_ms']:.1f} / {entry['p99_ms']:.1f}"


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def ratios(size: dict, limit: float) -> list[tuple[str, str, str, str]]:
    """(what, measured, target, holds) rows for one size."""
    systems = size["systems"]
    jaikg, oxigraph, rdflib = systems.get(JAIKG), systems.get(OXIGRAPH), systems.get(RDFLIB)
    rows = []
    if jaikg and oxigraph:
        for name, entry in jaikg["latency"].items():
            ratio = _ratio(entry.get("median_ms"), oxigraph["latency"].get(name, {}).get("median_ms"))
            target = 2.5 if name == "point lookup" else 1.15 if name in JOINS else None
            if ratio is not None and target is not None:
                rows.append((f"latency jaikg / Oxigraph, {name}", f"{ratio:.2f}×", f"≤ {target}×",
                             "yes" if ratio <= target else "no"))
        for query in ("point lookup", "aggregate + ORDER BY"):
            for state, target in (("cold", 0.8), ("warm", 2.0)):
                key = f"{query} | 8 | {state}"
                ratio = _ratio(jaikg["throughput"].get(key), oxigraph["throughput"].get(key))
                if ratio is not None:
                    rows.append((f"throughput jaikg / Oxigraph, 8 clients, {state}, {query}", f"{ratio:.2f}×",
                                 f"≥ {target}×", "yes" if ratio >= target else "no"))
    if jaikg and rdflib:
        for name in JOINS:
            ours, theirs = jaikg["latency"].get(name, {}), rdflib["latency"].get(name, {})
            if theirs.get("over_limit") and ours.get("median_ms"):
                rows.append((f"rdflib / jaikg, {name}", f"> {limit * 1000 / ours['median_ms']:.0f}× (limit)",
                             "≥ 30×", "yes" if limit * 1000 / ours["median_ms"] >= 30 else "unknown"))
            elif ratio := _ratio(theirs.get("median_ms"), ours.get("median_ms")):
                rows.append((f"rdflib / jaikg, {name}", f"{ratio:.0f}×", "≥ 30×", "yes" if ratio >= 30 else "no"))
    disk, oxdisk = systems.get("jaikg (--store)"), systems.get("Oxigraph server (disk)")
    if disk and oxdisk:
        ratio = _ratio(disk["load_s"], oxdisk["load_s"])
        rows.append(("load time `jaikg load` / `oxigraph load`", f"{ratio:.2f}×", "≤ 1.3×",
                     "yes" if ratio <= 1.3 else "no"))
    return rows


def markdown(report: dict) -> str:
    lines = ["# Benchmark results", "", f"Command: `{report['command']}` ({report.get('minutes', '?')} minutes).", "",
             "| machine | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in report["machine"].items()]
    limit = report["settings"]["rdflib_limit"]
    lines += ["", f"Settings: {report['settings']}. Latency: median / p99 in ms of cold requests (each unique, "
              "so no result cache answers it) on one keep-alive connection. Throughput: requests/s, clients in "
              "their own processes on the same 2 cores as the server. rdflib: a query past "
              f"{limit:g} s is \"> limit\", and the larger sizes skip it."]
    for size, data in report["sizes"].items():
        names = list(data["systems"])
        lines += ["", f"## {int(size):,} triples requested ({data['quads']:,} quads in the file, ontology included)",
                  "", "| load | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        lines.append("| load time, s | " + " | ".join(f"{s['load_s']:.1f}" for s in data["systems"].values()) + " |")
        lines.append("| peak memory while loading, MB | "
                     + " | ".join(f"{s['load_peak_mb']:.0f}" for s in data["systems"].values()) + " |")
        lines.append("| memory while serving, MB | "
                     + " | ".join(f"{s['serving_rss_mb']:.0f}" for s in data["systems"].values()) + " |")
        queries = list(next(iter(data["systems"].values()))["latency"])
        lines += ["", "| latency, ms (median / p99) | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        lines += [f"| {q} | " + " | ".join(_ms(s["latency"].get(q)) for s in data["systems"].values()) + " |"
                  for q in queries]
        keys = sorted({k for s in data["systems"].values() for k in s["throughput"]})
        lines += ["", "| throughput, requests/s (query, clients, cache) | " + " | ".join(names) + " |",
                  "|---" * (len(names) + 1) + "|"]
        lines += [f"| {k.replace(' | ', ', ')} | " + " | ".join(
            f"{s['throughput'][k]:.0f}" if k in s["throughput"] else "–" for s in data["systems"].values()) + " |"
            for k in keys]
        if (ceiling := data.get("fixed answer, 8 clients")) and OXIGRAPH in data["systems"]:
            oxigraph = data["systems"][OXIGRAPH]["throughput"].get("point lookup | 8 | cold")
            lines += ["", f"A WSGI app that answers every request with one fixed body, under jaikg's HTTP server "
                      f"(granian; `bench/fixed_answer.py`), takes {ceiling:.0f} requests/s from the same 8 clients"
                      + (f": {ceiling / oxigraph:.2f}× the Oxigraph server's point lookups. No answer served by "
                         "Python, a result-cache hit included, can be faster here." if oxigraph else ".")]
        if quiet := data.get("quiet"):
            lines += ["", "Before each measurement the benchmark waited for the machine to be idle (under 0.15 busy "
                      "cores over a second, for at most `--quiet-limit` seconds): " + "; ".join(
                          f"{what}: {q['waited_s']:g} s, then {q['busy_cores']:g} cores busy"
                          for what, q in quiet.items()) + "."]
        rows = ratios(data, limit)
        if rows:
            lines += ["", "| ratio (same run) | measured | target | holds |", "|---|---|---|---|"]
            lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines) + "\n"


def plot(report: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = list(report["sizes"].items())
    figure, axes = plt.subplots(len(sizes), 1, figsize=(12, 4 * len(sizes)), squeeze=False)
    for axis, (size, data) in zip(axes[:, 0], sizes):
        names = list(data["systems"])
        queries = list(next(iter(data["systems"].values()))["latency"])
        width = 0.8 / len(names)
        for i, name in enumerate(names):
            values = [data["systems"][name]["latency"][q].get("median_ms") or 0 for q in queries]
            axis.bar([x + i * width for x in range(len(queries))], values, width, label=name)
        axis.set_yscale("log")
        axis.set_ylabel("median latency, ms (log)")
        axis.set_title(f"{int(size):,} triples (rdflib bars missing: over the time limit)")
        axis.set_xticks([x + 0.4 - width / 2 for x in range(len(queries))], queries, rotation=20, ha="right",
                        fontsize=8)
        axis.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def write_report(report: dict, out: Path) -> None:
    (out / "results.md").write_text(markdown(report), encoding="utf-8")
    plot(report, out / "latency.png")
