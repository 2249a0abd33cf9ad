"""The `jaikg` command: thin wrappers over the library functions the web app calls too."""

from __future__ import annotations

import sys
from pathlib import Path

import click

import pyoxigraph as ox

from . import __version__
from .export import FORMATS as EXPORT_FORMATS
from .export import PARTS, export_graph
from .loading import DataLoadError, build_store
from .local_query import OUTPUT_FORMATS as QUERY_FORMATS
from .local_query import read_query, run_query
from .network import build_network
from .network_formats import FORMATS as NETWORK_FORMATS
from .network_formats import write_network
from .network_stats import network_stats
from .stats import graph_stats
from .validation import ENGINES, SHACL_LIMIT, validate_paths

EXIT_CONFORMS, EXIT_INVALID, EXIT_LOAD_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jaikg")
def main() -> None:
    """jaikg: a knowledge graph of Japan's AI R&D, from the MEXT white paper chapter "AI R&D in Japan"."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format: readable text or JSON for machines.")
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True,
              help="Check the shapes with pySHACL, or with the shapes compiled to SPARQL (fast on large graphs); "
                   f"auto: pySHACL up to {SHACL_LIMIT:,} triples.")
def validate(paths: tuple[Path, ...], output_format: str, engine: str) -> None:
    """Validate the shipped data, or the given RDF files and folders, against the shapes and the ontology.

    Exit status: 0 conforms, 1 does not conform, 2 could not load (the message names file, line and column).
    """
    try:
        report = validate_paths(paths, engine)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    click.echo(report.as_json() if output_format == "json" else report.as_text())
    sys.exit(EXIT_CONFORMS if report.conforms else EXIT_INVALID)


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
    write_synth(output, triples, seed)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--store", "store_dir", required=True, type=click.Path(path_type=Path, file_okay=False),
              help="Folder of the on-disk store to build (then `jaikg serve --store DIR`).")
@click.option("--shipped/--no-shipped", default=True, show_default=True,
              help="Load the shipped data beside PATHS.")
@click.option("--replace", is_flag=True, help="Build a new store in place of the one DIR holds.")
@click.option("--validate/--no-validate", default=True, show_default=True,
              help="Check shapes (compiled to SPARQL), rules and quotes before the store replaces DIR.")
def load(paths: tuple[Path, ...], store_dir: Path, shipped: bool, replace: bool, validate: bool) -> None:
    """Bulk-load RDF files into a persistent store in DIR: all or nothing, validated, optimized.

    Exit status: 0 loaded, 1 the data does not conform (DIR unchanged), 2 could not load.
    """
    from tqdm import tqdm

    from .bulk import input_files, load_to_disk

    try:
        total = sum(path.stat().st_size for path in input_files(paths, shipped))
        with tqdm(total=total, unit="B", unit_scale=True, desc="loading", file=sys.stderr) as bar:
            result = load_to_disk(paths, store_dir, include_shipped=shipped, replace=replace, validate=validate,
                                  on_bytes=bar.update)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    if not result.report.conforms:
        click.echo(f"error: the data does not conform; {store_dir} is unchanged.\n" + result.report.as_text(),
                   err=True)
        sys.exit(EXIT_INVALID)
    phases = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.seconds.items())
    click.echo(f"{result.quads:,} quads in {result.store_dir} ({phases})", err=True)


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
    """Bytes to the file `output`, or to standard output."""
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)


@main.command()
@click.option("--format", "fmt", type=click.Choice(list(EXPORT_FORMATS)), default="ttl", show_default=True,
              help="Turtle, JSON-LD, N-Triples, N-Quads, TriG or RDF/XML.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File to write (default: stdout).")
@click.option("--part", type=click.Choice(PARTS), default="all", show_default=True,
              help="The ontology, the data (evidence graphs and derived mentions), or both.")
@click.option("--provenance/--no-provenance", default=True, show_default=True,
              help="Keep the evidence graphs and their quotes, or write the bare facts.")
def export(fmt: str, output: Path | None, part: str, provenance: bool) -> None:
    """Write the graph in one RDF syntax. TriG, N-Quads and JSON-LD keep one named graph per quote."""
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

    Exit status: 0 answered, 2 malformed or refused query (the message names line and column), 1 the query failed.
    """
    from .sparql import QuerySyntaxError, SparqlError

    text = read_query(query_or_file)
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
@click.option("--store", "store_dir", type=click.Path(path_type=Path, file_okay=False), envvar="JAIKG_STORE",
              help="Keep the store on disk in this folder instead of in memory. A folder that holds a store "
                   "(from `jaikg load`) is served as it is unless --data is given.")
@click.option("--update", is_flag=True, envvar="JAIKG_UPDATE",
              help="Enable SPARQL Update and Graph Store writes (read-only without it).")
@click.option("--update-token", metavar="TOKEN", envvar="JAIKG_UPDATE_TOKEN",
              help="With --update: writes need the header `Authorization: Bearer TOKEN`.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), default=30.0, show_default=True,
              metavar="SECONDS", envvar="JAIKG_TIMEOUT",
              help="Longest a query may run; its worker process is then killed and the client gets 503.")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True, metavar="N",
              envvar="JAIKG_MAX_ROWS",
              help="Most rows (or triples) an answer carries; longer answers are cut, with X-JAIKG-Truncated: true.")
@click.option("--workers", type=click.IntRange(min=0), metavar="N", envvar="JAIKG_WORKERS",
              help="Query worker processes [default: one per CPU, at least 2]; 0: in the server process, no timeout.")
@click.option("--client-concurrency", type=click.IntRange(min=1), default=4, show_default=True, metavar="N",
              envvar="JAIKG_CLIENT_CONCURRENCY", help="Requests in progress per client address; more get 429.")
@click.option("--max-query-length", type=click.IntRange(min=1), default=100_000, show_default=True, metavar="N",
              envvar="JAIKG_MAX_QUERY_LENGTH", help="Longest query or update, in characters; longer get 413.")
@click.option("--cors-origin", "cors_origins", multiple=True, metavar="ORIGIN", envvar="JAIKG_CORS_ORIGIN",
              help="Origin allowed to read through CORS (repeatable); default: any origin. Never for writes.")
@click.option("--allow-service", "allowed_services", multiple=True, metavar="ENDPOINT",
              envvar="JAIKG_ALLOW_SERVICE", help="Endpoint a SERVICE clause may call (repeatable); default: none.")
def serve(host: str, port: int, data: tuple[Path, ...], store_dir: Path | None, update: bool,
          update_token: str | None, timeout: float, max_rows: int, workers: int | None, client_concurrency: int,
          max_query_length: int, cors_origins: tuple[str, ...], allowed_services: tuple[str, ...]) -> None:
    """Serve the graph: SPARQL endpoint at /sparql, query UI at /, a page for every IRI.

    The shipped data (plus --data) is validated first; invalid data stops start-up with the report (exit 1).
    """
    from . import resources
    from .loading import expand_paths
    from .locate import located_report
    from .serve import InvalidData, ServeOptions, serve as run_server

    options = ServeOptions(host=host, port=port, data=data, store_dir=store_dir, update=update,
                           update_token=update_token, timeout=timeout, max_rows=max_rows, workers=workers,
                           client_concurrency=client_concurrency, max_query_length=max_query_length,
                           cors_origins=cors_origins, allowed_services=allowed_services)
    try:
        click.echo(f"jaikg: validating the data, then serving on http://{host}:{port}/", err=True)
        run_server(options)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    except InvalidData as invalid:
        files = expand_paths(data) + resources.data_files()
        click.echo("error: the data does not conform; nothing is served.\n" + located_report(invalid.report, files),
                   err=True)
        sys.exit(EXIT_INVALID)
