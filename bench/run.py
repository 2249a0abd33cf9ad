"""The benchmark: jaikg beside the Oxigraph server and an rdflib-engine endpoint, in one run, on the same data.

    python bench/run.py --sizes 10000 100000 1000000 10000000

For each size: `jaikg synth` data (plus the ontology, which competency questions need) as one N-Quads file; each
system loads it (load time, peak memory of its process tree). With all of them up, each query is sent in rounds of
one request to every system in turn (median and p99 of cold requests on a keep-alive connection per system), so a
burst of other work on this shared machine weighs on all systems alike; then each system in turn answers a cheap
and a heavier query at 1 and 8 concurrent clients, cold (every request unique, so no result cache helps) and warm
(the same request again). Writes
`bench/results/results.json`, `results.md` (the tables, the ratios against the targets of issue 7, the machine)
and `latency.png`. Figures move with whatever else the machine runs; the ratios are measured in the same run.
From 10^7 triples on (`--disk-only-from`), only `jaikg load` + `jaikg serve --store` and the Oxigraph server on disk
run: the issue asks for loading and serving at that size within the machine's memory.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import time
from pathlib import Path

import pyoxigraph as ox

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))
sys.path.insert(0, str(BENCH))

from clients import latency, throughput  # noqa: E402
from quiet import wait_until_quiet  # noqa: E402
from report import machine, write_report  # noqa: E402
from servers import SYSTEMS, FixedAnswer, System  # noqa: E402

from jaikg import resources, synth  # noqa: E402
from jaikg.loading import parse_file  # noqa: E402
from jaikg.namespaces import ONTOLOGY_GRAPH, sparql_prologue  # noqa: E402

PROLOGUE = sparql_prologue(("jo", "jr", "rdf", "rdfs", "xsd"))
QUERIES: dict[str, str] = {
    "point lookup": "SELECT ?p ?o WHERE { jr:synth-model-7-0 ?p ?o }",
    "2-hop join + numeric filter": """SELECT ?model ?parent ?n WHERE {
  ?model jo:developer ?unit ; jo:parameterCount ?n . ?unit jo:subOrganizationOf ?parent .
  FILTER(?n > 50000000000) }""",
    "aggregate + ORDER BY": """SELECT ?developer (COUNT(?model) AS ?models) (MAX(?n) AS ?largest) WHERE {
  ?model jo:developer ?developer ; jo:parameterCount ?n } GROUP BY ?developer ORDER BY DESC(?models) LIMIT 20""",
    "3-hop join + DISTINCT": """SELECT DISTINCT ?program ?operator WHERE {
  ?proposal jo:selectedBy ?program ; jo:ledTo ?model . ?model jo:trainedOn ?machine .
  ?machine jo:operatedBy ?operator }""",
    "OPTIONAL + regex": """SELECT ?model ?label ?base WHERE {
  ?model a jo:LanguageModel ; rdfs:label ?label . OPTIONAL { ?model jo:basedOn ?base }
  FILTER(regex(?label, "^Sakura Fuji LLM 1")) }""",
}
COMPETENCY = ("02-models-over-50-billion-parameters.rq", "15-models-released-since-2023.rq", "24-corpus-sizes.rq")
DISK_SYSTEMS = ("jaikg (--store)", "Oxigraph server (disk)")
THROUGHPUT_QUERIES = ("point lookup", "aggregate + ORDER BY")
JOINS = ("2-hop join + numeric filter", "aggregate + ORDER BY", "3-hop join + DISTINCT")


def all_queries() -> dict[str, str]:
    queries = {name: PROLOGUE + text for name, text in QUERIES.items()}
    for name in COMPETENCY:
        path = next(p for p in resources.query_files() if p.name == name)
        queries[f"CQ {name[:2]}"] = path.read_text(encoding="utf-8")
    return queries


def data_version() -> str:
    """A digest of what the synthetic data is made of: the generator, the ontology and the shipped description of the
    source document, which the generator copies. A file an older jaikg wrote (whose document graphs the current
    shipped data would contradict) is then not reused."""
    digest = hashlib.sha256()
    for path in (Path(synth.__file__), resources.document_file(), *resources.ontology_files()):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def write_data(size: int, workdir: Path) -> Path:
    """Synthetic data of about `size` triples plus the ontology (in its graph), as N-Quads, made once per
    `data_version()`."""
    path = workdir / f"synth-{size}-{data_version()}.nq"
    if not path.exists():
        ontology = (q for f in resources.ontology_files() for q in parse_file(f, to_graph=ONTOLOGY_GRAPH))
        ox.serialize(itertools.chain(synth.synth_quads(size), ontology), output=str(path), format=ox.RdfFormat.N_QUADS)
    return path


def measure_latency(running: list[System], queries: dict[str, str], args: argparse.Namespace,
                    skips: dict[str, set[str]], results: dict) -> None:
    """Every query on every running system, interleaved; a system past the rdflib limit is restarted."""
    for name, query in queries.items():
        targets = {system.name: (system.base, system.query_path,
                                 args.rdflib_limit if system.name == "rdflib endpoint" else None)
                   for system in running if name not in skips[system.name]}
        measured = latency(targets, query, args.repeats, args.budget)
        for system in running:
            entry = measured.get(system.name)
            results[system.name]["latency"][name] = (
                vars(entry) if entry else {"over_limit": True, "skipped": True})
            if entry is not None and entry.over_limit:
                skips[system.name].add(name)
                system.restart()


def measure_throughput(system: System, queries: dict[str, str], args: argparse.Namespace, skip: set[str],
                       result: dict) -> None:
    """A cheap and a heavier query at 1 and 8 clients, cold and warm (the rdflib endpoint: the cheap one)."""
    for name, clients, warm in itertools.product(THROUGHPUT_QUERIES, (1, 8), (False, True)):
        if name in skip or (system.name == "rdflib endpoint" and name != "point lookup"):
            continue
        key = f"{name} | {clients} | {'warm' if warm else 'cold'}"
        result["throughput"][key] = throughput(system.base, system.query_path, queries[name], clients,
                                               args.seconds, warm)


def run_size(size: int, args: argparse.Namespace, skips: dict[str, set[str]]) -> dict:
    """Load every system, then measure latency with all of them up (interleaved), then throughput one by one."""
    data = write_data(size, args.workdir)
    quads = sum(1 for _ in open(data, "rb"))
    names = [name for name in args.systems if size < args.disk_only_from or name in DISK_SYSTEMS]
    systems = [SYSTEMS[name](name, data, args.workdir) for name in names]
    results: dict = {"quads": quads, "systems": {}}
    queries = all_queries()
    try:
        for system in systems:
            print(f"[{size}] {system.name}: loading", file=sys.stderr, flush=True)
            system.start()
            skips.setdefault(system.name, set())
            results["systems"][system.name] = {
                "load_s": system.load_seconds, "load_peak_mb": (system.load_peak or 0) / 2**20,
                "start_s": system.start_seconds, "latency": {}, "throughput": {}}
        print(f"[{size}] latency", file=sys.stderr, flush=True)
        results["quiet"] = {"latency": vars(wait_until_quiet(limit=args.quiet_limit))}
        measure_latency(systems, queries, args, skips, results["systems"])
        for system in systems:
            print(f"[{size}] {system.name}: throughput", file=sys.stderr, flush=True)
            results["quiet"][system.name] = vars(wait_until_quiet(limit=args.quiet_limit))
            measure_throughput(system, queries, args, skips[system.name], results["systems"][system.name])
            results["systems"][system.name]["serving_rss_mb"] = system.rss() / 2**20
        results["fixed answer, 8 clients"] = fixed_answer_throughput(queries["point lookup"], data, args)
    finally:
        for system in systems:
            system.stop()
    return results


def fixed_answer_throughput(query: str, data: Path, args: argparse.Namespace) -> float:
    """Requests/s at 8 clients of a WSGI app that answers every request with one fixed body under granian."""
    ceiling = FixedAnswer("fixed answer", data, args.workdir)
    ceiling.start()
    try:
        return throughput(ceiling.base, ceiling.query_path, query, 8, args.seconds, True)
    finally:
        ceiling.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--systems", nargs="+", choices=list(SYSTEMS), default=list(SYSTEMS))
    parser.add_argument("--repeats", type=int, default=20, help="Requests per latency figure.")
    parser.add_argument("--budget", type=float, default=15.0, help="Seconds per latency figure (at least 3 requests).")
    parser.add_argument("--seconds", type=float, default=5.0, help="Duration of each throughput figure.")
    parser.add_argument("--disk-only-from", type=int, default=10_000_000, metavar="SIZE",
                        help="From this size on, only the on-disk stores are measured (loading and serving).")
    parser.add_argument("--quiet-limit", type=float, default=120.0, metavar="SECONDS",
                        help="Longest wait, before each measurement, for the machine to be idle.")
    parser.add_argument("--rdflib-limit", type=float, default=30.0, help="Time limit of an rdflib query, seconds.")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/jaikg-bench"))
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    report = {"machine": machine(), "command": "python bench/run.py --sizes " + " ".join(map(str, args.sizes)),
              "settings": {k: v for k, v in vars(args).items() if k in ("repeats", "budget", "seconds", "rdflib_limit")},
              "sizes": {}}
    skips: dict[str, set[str]] = {}
    for size in sorted(args.sizes):
        report["sizes"][str(size)] = run_size(size, args, skips)
        report["minutes"] = round((time.time() - started) / 60, 1)
        (args.out / "results.json").write_text(json.dumps(report, indent=1))
        write_report(report, args.out)
    print(f"results in {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
