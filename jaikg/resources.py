"""Where the shipped ontology, shapes, data, source text and example queries live (inside the installed package)."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _package_dir(name: str) -> Path:
    """A shipped folder: inside the package in an installed wheel (pyproject maps it there), beside the package in
    a checkout or an editable install."""
    installed = _PACKAGE / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def ontology_files() -> list[Path]:
    """The ontology modules: the core ontology and its alignments."""
    return sorted(_package_dir("ontology").glob("*.ttl"))


def context_file() -> Path:
    """The published JSON-LD @context."""
    return _package_dir("ontology") / "context.jsonld"


def shape_files() -> list[Path]:
    """SHACL shapes (Turtle)."""
    return sorted(_package_dir("shapes").glob("*.ttl"))


def rule_files() -> list[Path]:
    """SPARQL-based checks over the named graphs (one SELECT per file, message in its header)."""
    return sorted(_package_dir("shapes").glob("*.rq"))


def data_files() -> list[Path]:
    """The curated instance data (TriG, one named evidence graph per quote)."""
    return sorted(_package_dir("data").glob("*.trig"))


def document_file() -> Path:
    """The description of the source document and its parts, which loads on its own (`jaikg synth` copies it)."""
    return _package_dir("data") / "document.trig"


def source_text_file() -> Path:
    """The chapter the data is curated from."""
    return _package_dir("data") / "source" / "ai-rnd-in-japan.md"


def query_files() -> list[Path]:
    """The competency questions, one SPARQL query per file."""
    return sorted(_package_dir("queries").glob("*.rq"))


def server_dir() -> Path:
    """The web application's folder (templates and static assets), which the HTML network export also reads."""
    return _package_dir("server")
