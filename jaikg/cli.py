"""The `jaikg` command: thin wrappers over the library functions the web app calls too."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .loading import DataLoadError, build_store
from .stats import graph_stats
from .validation import validate_paths

EXIT_CONFORMS, EXIT_INVALID, EXIT_LOAD_ERROR = 0, 1, 2


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jaikg")
def main() -> None:
    """jaikg: a knowledge graph of Japan's AI R&D, from the MEXT white paper chapter "AI R&D in Japan"."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="Report format: readable text or JSON for machines.")
def validate(paths: tuple[Path, ...], output_format: str) -> None:
    """Validate the shipped data, or the given RDF files and folders, against the shapes and the ontology.

    Exit status: 0 conforms, 1 does not conform, 2 could not load (the message names file, line and column).
    """
    try:
        report = validate_paths(paths)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    click.echo(report.as_json() if output_format == "json" else report.as_text())
    sys.exit(EXIT_CONFORMS if report.conforms else EXIT_INVALID)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
def stats(paths: tuple[Path, ...]) -> None:
    """Count triples, evidence graphs and instances per class (of the shipped data plus PATHS)."""
    try:
        store = build_store(paths)
    except DataLoadError as error:
        click.echo(f"error: could not load {error}", err=True)
        sys.exit(EXIT_LOAD_ERROR)
    click.echo(graph_stats(store).as_text())
