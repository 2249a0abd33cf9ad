"""The `jaikg` command: thin wrappers over the library functions the web app calls too."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

import click

import pyoxigraph as ox

from . import __version__
from .export import FORMATS as EXPORT_FORMATS
from .export import PARTS, export_graph
from .http_client import Target
from .loading import DataLoadError, build_store, expand_paths
from .local_query import OUTPUT_FORMATS as QUERY_FORMATS
from .local_query import QueryFileError, read_query, run_query
from .network import build_network
from .network_formats import FORMATS as NETWORK_FORMATS
from .network_formats import write_network
from .network_stats import network_stats
from .publish import DEFAULT_CHUNK_SIZE, PROTOCOLS as PUBLISH_PROTOCOLS
from .publish import DEFAULT_TIMEOUT as PUBLISH_TIMEOUT
from .remote_store import UNION_MODES
from .stats import graph_stats
from .validation import ENGINES, SHACL_LIMIT, ValidationReport, validate_endpoint, validate_paths
from .workers import DEFAULT_MAX_QUERY_MEMORY

EXIT_CONFORMS, EXIT_INVALID, EXIT_LOAD_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jaikg")
def main() -> None:
    """jaikg: a knowledge graph of Japan's AI R&D, from the MEXT white paper chapter "AI R&D in Japan"."""


def http_url(_context: click.Context, parameter: click.Parameter, value: str | None) -> str | None:
    """A click callback: `value` when it is an http(s) URL, else a usage error naming the option."""
    if value is not None:
        try:
            Target.of(value)
        except ValueError as error:
            raise click.BadParameter(f"{error} (give the whole URL, such as http://localhost:7878/query)",
                                     param=parameter) from None
    return value


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format: readable text or JSON for machines.")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="Check the shapes with pySHACL, or with the shapes compiled to SPARQL (fast on large graphs); "
                   f"auto: pySHACL up to {SHACL_LIMIT:,} triples.")
@click.option("--endpoint", metavar="QUERY_URL", callback=http_url,
              help="Validate what the SPARQL endpoint at QUERY_URL holds (e.g. after `jaikg load --to`).")
@click.option("--backend-union", type=click.Choice(UNION_MODES), default="auto", show_default=True,
              help="With --endpoint: how it gives the union default graph (see `jaikg serve --help`).")
@click.option("--shipped/--no-shipped", default=False, show_default=True,
              help="With PATHS: check them together with the shipped data (files that add to it, as `jaikg serve "
                   "--data` and `jaikg load` take them) or alone.")
def validate(paths: tuple[Path, ...], output_format: str, engine: str, endpoint: str | None,
             backend_union: str, shipped: bool) -> None:
    """Validate the shipped data, the given RDF files and folders, or a remote store (--endpoint), against the
    shapes and the ontology. Each result names the file and line that write its node, where a Turtle, TriG,
    N-Triples or N-Quads file does (in JSON, "file" and "line", else null).

    Exit status: 0 conforms, 1 does not conform, 2 could not load (the message names file, line and column; with
    --format json, also as JSON on standard output) or could not read the endpoint.
    """
    from .sparql import SparqlError

    if endpoint is not None and paths:
        raise click.UsageError("validate either files (PATHS) or a remote store (--endpoint), not both.")
    as_json = output_format == "json"
    try:
        report = (validate_endpoint(endpoint, engine, union=backend_union) if endpoint is not None
                  else validate_paths(paths, engine, include_shipped=shipped, on_empty=warn_empty))
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        if as_json:
            click.echo(json_error(file=error.path, line=error.line, column=error.column, message=error.message))
        sys.exit(EXIT_LOAD_ERROR)
    except SparqlError as error:
        click.echo(f"error: could not read {endpoint}: {error}", err=True)
        if as_json:
            click.echo(json_error(endpoint=endpoint, message=str(error)))
        sys.exit(EXIT_LOAD_ERROR)
    files = [] if endpoint is not None else report_files(paths, shipped or not paths)
    click.echo(report_text(report, files, as_json=as_json))
    sys.exit(EXIT_CONFORMS if report.conforms else EXIT_INVALID)


def warn_empty(path: Path) -> None:
    """`on_empty` of the loader: a file that held no triples is named, not checked as nothing in silence."""
    click.echo(f"warning: {path} holds no triples (nothing was read from it)", err=True)


def json_error(**error: object) -> str:
    """The JSON report of a validation that could not run: no verdict, no results, and why."""
    return json.dumps({"conforms": None, "results": [], "error": error}, ensure_ascii=False, indent=2)


def report_files(paths: tuple[Path, ...], shipped: bool) -> list[Path]:
    """The data files a report's nodes are looked up in: the given ones first (a node they write is named there
    rather than in the shipped data), then the shipped ones."""
    from . import resources

    return expand_paths(paths) + (resources.data_files() if shipped else [])


def report_text(report: ValidationReport, files: list[Path], *, as_json: bool = False) -> str:
    """A validation report, each result with the file and line that write its node (`jaikg.locate`): the one form
    of `jaikg validate`, `jaikg load` and `jaikg serve`."""
    from .locate import located_json, located_report

    return located_json(report, files) if as_json else located_report(report, files)


@main.command()
@click.option("--triples", type=click.IntRange(min=1), required=True, metavar="N", help="About how many triples.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="File to write: .trig or .nq.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same bytes.")
def synth(triples: int, output: Path, seed: int) -> None:
    """Write a synthetic graph of about N triples in jaikg's ontology (valid against the shapes) for benchmarks."""
    from .synth import output_format, write_synth

    try:
        output_format(output)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--output") from None
    try:
        write_synth(output, triples, seed)
    except OSError as error:
        exit_unwritable(output, error)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Build an on-disk store in this folder (then `jaikg serve --store DIR`).")
@click.option("--to", "target", metavar="URL",
              help="Publish to a remote store: its SPARQL Update URL, or its Graph Store URL with --via gsp.")
@click.option("--shipped/--no-shipped", default=True, show_default=True,
              help="Load the shipped data beside PATHS.")
@click.option("--replace", is_flag=True, help="With --store: build a new store in place of the one DIR holds "
                                              "(refused while another process, such as a server, has it open).")
@click.option("--optimize/--no-optimize", default=True, show_default=True,
              help="With --store: compact the store once loaded, while the validation finishes (as `oxigraph "
                   "optimize`). The query workers of `jaikg serve --store` open it read-only and never compact it, "
                   "so `jaikg serve` compacts a store that is not before it serves it; at 10^7 triples joins on a "
                   "store as bulk-loaded ran 2-7x slower.")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Check shapes (compiled to SPARQL), rules and quotes before anything replaces the target.")
@click.option("--via", type=click.Choice(PUBLISH_PROTOCOLS), default="update", show_default=True,
              help="With --to: SPARQL Update (DROP and INSERT DATA per chunk of graphs) or the Graph Store "
                   "Protocol (PUT per graph).")
@click.option("--chunk-size", type=click.IntRange(min=1), default=DEFAULT_CHUNK_SIZE, show_default=True,
              metavar="QUADS", help="With --to: about this many quads per request (whole graphs only).")
@click.option("--clear", is_flag=True,
              help="With --to: drop every graph of the target first (else graphs not published are kept).")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=PUBLISH_TIMEOUT,
              show_default=True, metavar="SECONDS", help="With --to: longest wait for one request.")
def load(paths: tuple[Path, ...], store_dir: Path | None, target: str | None, shipped: bool, replace: bool,
         optimize: bool, validate: bool, via: str, chunk_size: int, clear: bool, timeout: float) -> None:
    """Load the graph (the shipped data and PATHS) into a store: an on-disk store in DIR (bulk-loaded, all or
    nothing, validated meanwhile in memory) or a remote store at URL (every named graph replaced, in chunks:
    loading twice gives the same store).

    Exit status: 0 loaded, 1 the data does not conform (the target unchanged), 2 could not load or publish,
    128 + the signal's number when stopped by Ctrl-C (130), SIGTERM or SIGHUP.
    """
    if (store_dir is None) == (target is None):
        raise click.UsageError("name one target: --store DIR or --to URL.")
    stopped_by = [signal.SIGINT]
    try:
        with interrupted_by(stopped_by, signal.SIGTERM, signal.SIGHUP):
            if target is not None:
                load_to_remote(paths, target, shipped=shipped, validate=validate, via=via, chunk_size=chunk_size,
                               clear=clear, timeout=timeout)
            else:
                load_to_store(paths, store_dir, shipped=shipped, replace=replace, validate=validate,
                              optimize=optimize)
    except KeyboardInterrupt:
        outcome = f"{store_dir} is unchanged" if store_dir is not None else "the graphs sent before are published"
        click.echo(f"error: interrupted ({stopped_by[-1].name}); {outcome}", err=True)
        sys.exit(128 + stopped_by[-1])


@contextmanager
def interrupted_by(received: list[signal.Signals], *signals: signal.Signals) -> Iterator[None]:
    """While the block runs, `signals` raise `KeyboardInterrupt` as Ctrl-C does, so that a load stopped by
    SIGTERM (a service manager, `kill`) or SIGHUP (a closed terminal) stops its helpers and removes what it built,
    instead of ending at once and leaving them behind; the signal is appended to `received`."""
    def interrupt(signum: int, frame: object) -> None:
        received.append(signal.Signals(signum))
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, interrupt) for signum in signals}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def load_to_store(paths: tuple[Path, ...], store_dir: Path, *, shipped: bool, replace: bool, validate: bool,
                  optimize: bool) -> None:
    from tqdm import tqdm

    from .bulk import input_files, load_to_disk
    from .child_process import worker_allocator
    from .load_helper import HelperError

    try:
        worker_allocator()
    except ValueError as error:
        raise click.UsageError(f"$JAIKG_WORKER_ALLOCATOR: {error}") from None
    try:
        total = sum(path.stat().st_size for path in input_files(paths, shipped))
        with tqdm(total=total, unit="B", unit_scale=True, desc="loading", file=sys.stderr) as bar:
            result = load_to_disk(paths, store_dir, include_shipped=shipped, replace=replace, validate=validate,
                                  optimize=optimize, on_bytes=bar.update)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    except HelperError as error:
        click.echo(f"error: could not build the store in {store_dir}: {error}; nothing was changed", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    if not result.report.conforms:
        click.echo(f"error: the data does not conform; {store_dir} is unchanged.\n"
                   + report_text(result.report, report_files(paths, shipped)), err=True)
        sys.exit(EXIT_INVALID)

    def timed(seconds: dict[str, float]) -> str:
        return ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items())

    click.echo(f"{result.quads:,} quads in {result.store_dir} ({timed(result.seconds)}; "
               f"meanwhile in memory: {timed(result.check_seconds)})", err=True)


def load_to_remote(paths: tuple[Path, ...], target: str, *, shipped: bool, validate: bool, via: str,
                   chunk_size: int, clear: bool, timeout: float) -> None:
    from tqdm import tqdm

    from .publish import publish
    from .sparql import SparqlError
    from .validation import validate_store

    try:
        store = build_store(paths, include_shipped=shipped, on_empty=warn_empty)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    if validate:
        report = validate_store(store, engine="sparql")
        if not report.conforms:
            click.echo(f"error: the data does not conform; nothing was sent to {target}.\n"
                       + report_text(report, report_files(paths, shipped)), err=True)
            sys.exit(EXIT_INVALID)
    try:
        with tqdm(total=len(store), unit="quad", unit_scale=True, desc="publishing", file=sys.stderr) as bar:
            result = publish(store, target, protocol=via, chunk_size=chunk_size, timeout=timeout, clear=clear,
                             on_quads=bar.update)
    except (SparqlError, RuntimeError, ValueError) as error:
        click.echo(f"error: could not publish to {target}: {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    click.echo(f"{result.quads:,} quads in {result.graphs:,} graphs published to {target} "
               f"({result.requests:,} requests)", err=True)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def stats(paths: tuple[Path, ...]) -> None:
    """Count triples, evidence graphs and instances per class (of the shipped data plus PATHS)."""
    click.echo(graph_stats(load_or_exit(paths)).as_text())


def load_or_exit(paths: tuple[Path, ...] = ()) -> ox.Store:
    """The shipped graph plus PATHS, or exit 2 with the file, line and column that could not be loaded."""
    try:
        return build_store(paths)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)


def write_output(data: bytes, output: Path | None) -> None:
    """Bytes to the file `output`, or to standard output; exit 2 naming the file when it cannot be written."""
    if output is None:
        click.get_binary_stream("stdout").write(data)
        return
    try:
        output.write_bytes(data)
    except OSError as error:
        exit_unwritable(output, error)


def exit_unwritable(output: Path, error: OSError) -> NoReturn:
    click.echo(f"error: could not write {output}: {error.strerror or error}", err=True)
    sys.exit(EXIT_LOAD_ERROR)


EXPORT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "nq": "N-Quads", "trig": "TriG",
                "xml": "RDF/XML"}
EXPORT_SUFFIXES = {**{f".{f.extension}": name for name, f in EXPORT_FORMATS.items()},
                   ".turtle": "ttl", ".json": "jsonld", ".xml": "xml", ".owl": "xml"}
"""-o's extension → the --format it means (the extensions the loader reads back as that syntax)."""


def export_format(fmt: str | None, output: Path | None) -> str:
    """The format to write: --format, else the one -o's extension names, else Turtle (to standard output). A usage
    error (exit 2) for an -o whose extension names another format than --format, or, without --format, none."""
    if output is None:
        return fmt or "ttl"
    implied = EXPORT_SUFFIXES.get(output.suffix.lower())
    if fmt is None:
        if implied is None:
            known = ", ".join(sorted(EXPORT_SUFFIXES))
            raise click.BadParameter(f"cannot tell the format of {output.name!r} from its extension (known: {known}); "
                                     "give --format", param_hint="-o/--output")
        return implied
    if implied is not None and implied != fmt:
        raise click.UsageError(f"--format {fmt} writes {EXPORT_NAMES.get(fmt, fmt)}, but -o {output.name} has the "
                               f"extension of {EXPORT_NAMES.get(implied, implied)} (--format {implied}): give "
                               "matching ones, or leave --format out.")
    return fmt


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)),
              help="Turtle, JSON-LD, N-Triples, N-Quads, TriG or RDF/XML [default: the one -o's extension names "
                   "(.ttl, .jsonld, .nt, .nq, .trig, .rdf), else ttl].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.option("--part", type=click.Choice(PARTS), default="all", show_default=True,
              help="The ontology, the data (evidence graphs and derived mentions), or both.")
@click.option("--provenance/--no-provenance", default=True, show_default=True,
              help="Keep the evidence graphs and their quotes, or write the bare facts.")
def export(fmt: str | None, output: Path | None, part: str, provenance: bool) -> None:
    """Write the graph in one RDF syntax. TriG, N-Quads and JSON-LD keep one named graph per quote."""
    fmt = export_format(fmt, output)
    write_output(export_graph(load_or_exit(), fmt, part, provenance), output)


@main.command()
@click.option("--format", "fmt", type=click.Choice(NETWORK_FORMATS), default="graphml", show_default=True,
              help="GraphML or GEXF (Gephi, Cytoscape), node-link JSON, a PNG or SVG drawing, an interactive page.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.option("--types", "types", multiple=True, metavar="TYPE[,TYPE…]",
              help="Keep only nodes of these types: Organization, Person, Program, Project, Proposal, Model, Compute, "
                   "Corpus, or any class name such as University or Startup. Repeat or separate by commas.")
@click.option("--program", metavar="PROGRAM", help="Keep only the neighbourhood of one program (slug, IRI or name).")
@click.option("--stats", "show_stats", is_flag=True,
              help="Print hubs (degree, betweenness), the programs connecting most players, and communities "
                   "(the network itself is then written only with -o).")
def graph(fmt: str, output: Path | None, types: tuple[str, ...], program: str | None, show_stats: bool) -> None:
    """The network of organizations and what they work on (programs, proposals, models, compute, corpora)."""
    wanted = [name.strip() for value in types for name in value.split(",") if name.strip()]
    try:
        network = build_network(load_or_exit(), types=wanted, program=program)
    except KeyError as error:
        raise click.BadParameter(error.args[0], param_hint="--program") from None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--types") from None
    if show_stats:
        click.echo(network_stats(network).as_text())
    if output is not None or not show_stats:
        write_output(write_network(network, fmt), output)


@main.command()
@click.argument("query_or_file")
@click.option("--format", "output_format", type=click.Choice(list(QUERY_FORMATS)), default="table",
              show_default=True, help="A readable table, SPARQL JSON/CSV/TSV results, or Turtle/JSON-LD for "
                                      "CONSTRUCT and DESCRIBE.")
def query(query_or_file: str, output_format: str) -> None:
    """Run a SPARQL query (text, or a file holding it) on the embedded store, without a server.

    Exit status: 0 answered, 2 malformed or refused query (the message names line and column) or a query file that
    cannot be read (a missing .rq or .sparql file, a folder), 1 the query failed.
    """
    from .sparql import QuerySyntaxError, SparqlError

    try:
        text = read_query(query_or_file)
    except QueryFileError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    except UnicodeDecodeError as error:
        click.echo(f"error: could not read {query_or_file}: not UTF-8 text (byte {error.start})", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    try:
        answer = run_query(load_or_exit(), text, output_format)
    except SparqlError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR if isinstance(error, QuerySyntaxError) or error.status < 500 else EXIT_INVALID)
    write_output(answer, None)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, envvar="JAIKG_HOST", help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, envvar="JAIKG_PORT", help="Port to listen on.")
@click.option("--data", "data", multiple=True, type=click.Path(path_type=Path, exists=True), envvar="JAIKG_DATA",
              help="Extra RDF file or folder to load beside the shipped data (repeatable).")
@click.option("--shipped/--no-shipped", default=True, show_default=True,
              help="Load the shipped data beside --data; --no-shipped serves --data alone (as the benchmark does, "
                   "so that every system it compares holds the same file).")
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), envvar="JAIKG_STORE",
              help="Keep the store on disk in this folder instead of in memory. A folder that holds a store "
                   "(from `jaikg load`) is served as it is unless --data is given (compacted first if it is not, as "
                   "a store from `oxigraph load` or `jaikg load --no-optimize`).")
@click.option("--update", is_flag=True, envvar="JAIKG_UPDATE",
              help="Enable SPARQL Update and Graph Store writes (read-only without it).")
@click.option("--update-token", metavar="TOKEN", envvar="JAIKG_UPDATE_TOKEN",
              help="With --update: writes need the header `Authorization: Bearer TOKEN`.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              metavar="SECONDS", envvar="JAIKG_TIMEOUT",
              help="Longest a query may run; its worker process is then killed and the client gets 503. Also how "
                   "long requests in progress may go on after SIGTERM.")
@click.option("--max-query-memory", type=click.IntRange(min=0), default=DEFAULT_MAX_QUERY_MEMORY,
              show_default=True, metavar="MB", envvar="JAIKG_MAX_QUERY_MEMORY",
              help="Most memory (MiB) a query may take in its worker process beyond the worker's copy of the graph; "
                   "the worker is then killed and the client gets 500. 0: no limit.")
@click.option("--max-rows", type=click.IntRange(min=0), default=10_000, show_default=True, metavar="N",
              envvar="JAIKG_MAX_ROWS",
              help="Most rows (or triples) an answer carries; longer answers are cut, with X-JAIKG-Truncated: true. "
                   "0: no limit.")
@click.option("--workers", type=click.IntRange(min=0), metavar="N", envvar="JAIKG_WORKERS",
              help="Query worker processes (with --backend: processes that check each query with Oxigraph's parser "
                   "before it is sent) [default: one per CPU, at least 2]; 0: in the server process, no timeout.")
@click.option("--worker-allocator", default="auto", show_default=True, metavar="auto|system|PATH",
              envvar="JAIKG_WORKER_ALLOCATOR",
              help="malloc of the query workers: auto preloads mimalloc or jemalloc when installed (Oxigraph "
                   "evaluates up to 1.5x faster with them), system keeps glibc's, or a library path.")
@click.option("--client-concurrency", type=click.IntRange(min=1), default=4, show_default=True, metavar="N",
              envvar="JAIKG_CLIENT_CONCURRENCY", help="Requests in progress per client address; more get 429.")
@click.option("--max-query-length", type=click.IntRange(min=1), default=100_000, show_default=True, metavar="N",
              envvar="JAIKG_MAX_QUERY_LENGTH", help="Longest query or update, in characters; longer get 413.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN", envvar="JAIKG_CORS_ORIGIN",
              help="Origin allowed to read through CORS (repeatable); default: any origin. Never for writes.")
@click.option("--allow-service", "allowed_services", multiple=True, metavar="ENDPOINT",
              envvar="JAIKG_ALLOW_SERVICE", help="Endpoint a SERVICE clause may call (repeatable); default: none.")
@click.option("--backend", metavar="QUERY_URL", envvar="JAIKG_BACKEND", callback=http_url,
              help="Serve what this SPARQL endpoint holds (Oxigraph server, Fuseki, Virtuoso, GraphDB …) instead "
                   "of an embedded store: nothing is loaded, every read goes there; --timeout bounds each request "
                   "to it (504 after it, 502 when it is down).")
@click.option("--backend-update", metavar="UPDATE_URL", envvar="JAIKG_BACKEND_UPDATE", callback=http_url,
              help="The backend's SPARQL Update URL, for --update.")
@click.option("--backend-union", type=click.Choice(UNION_MODES), default="oxigraph", show_default=True,
              envvar="JAIKG_BACKEND_UNION",
              help="How the backend gives the union of all graphs as default graph: oxigraph (the "
                   "union-default-graph parameter), native (already its default: jaikg, Virtuoso, GraphDB, QLever, "
                   "Neptune, Fuseki with unionDefaultGraph), auto (native when the backend's service description "
                   "declares sd:UnionDefaultGraph, read once at start).")
def serve(host: str, port: int, data: tuple[Path, ...], shipped: bool, store_dir: Path | None, update: bool,
          update_token: str | None, timeout: float, max_query_memory: int, max_rows: int, workers: int | None,
          worker_allocator: str, client_concurrency: int, max_query_length: int, cors_origins: tuple[str, ...],
          allowed_services: tuple[str, ...], backend: str | None, backend_update: str | None,
          backend_union: str) -> None:
    """Serve the graph: SPARQL endpoint at /sparql, query UI at /, a page for every IRI.

    The shipped data plus --data (--data alone with --no-shipped) is validated first; invalid data stops
    start-up with the report (exit 1).
    With --backend, the backend's graph is served as it is (check it with `jaikg validate --endpoint`).
    """
    from .child_process import worker_allocator as allocator_library
    from .http_server import CannotListen
    from .serve import InvalidData, ServeOptions, serve as run_server
    from .workers import SnapshotFailed

    options = ServeOptions(host=host, port=port, data=data, include_shipped=shipped, store_dir=store_dir,
                           update=update, update_token=update_token, timeout=timeout,
                           max_query_memory=max_query_memory or None, max_rows=max_rows or None, workers=workers,
                           worker_allocator=worker_allocator, client_concurrency=client_concurrency,
                           max_query_length=max_query_length,
                           cors_origins=cors_origins, allowed_services=allowed_services, backend=backend,
                           backend_update=backend_update, backend_union=backend_union)
    try:
        allocator_library(worker_allocator)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--worker-allocator") from None
    if backend is not None and (data or store_dir is not None):
        raise click.UsageError("--backend serves the backend's graph: it does not go with --data or --store.")
    if not shipped and not data and store_dir is None:
        raise click.UsageError("--no-shipped serves the files of --data alone (or a --store that holds them): "
                               "give --data or --store.")
    if backend is not None and update and backend_update is None:
        raise click.UsageError("--update with --backend needs --backend-update UPDATE_URL.")
    try:
        first = (f"using {backend}" if backend is not None
                 else f"opening the store in {store_dir} (or building and validating it if it is empty)"
                 if store_dir is not None and not data else "validating the data")
        click.echo(f"jaikg: {first}, then serving on http://{host}:{port}/", err=True)
        run_server(options)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    except (CannotListen, SnapshotFailed) as error:
        raise click.ClickException(f"{error}; nothing is served.") from None
    except InvalidData as invalid:
        click.echo("error: the data does not conform; nothing is served.\n"
                   + report_text(invalid.report, report_files(data, shipped)), err=True)
        sys.exit(EXIT_INVALID)
