"""The one loading path: RDF files → quads → an Oxigraph store, all or nothing.

Every view (CLI, web app, validation, exports) gets its store from `build_store`, so the graph is parsed once and
in one way. A file is parsed completely before anything is added to the store, so a syntax error leaves the store
as it was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from . import resources
from .namespaces import MENTIONS_GRAPH, ONTOLOGY, ONTOLOGY_GRAPH

FORMATS_BY_SUFFIX: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".trig": ox.RdfFormat.TRIG,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
}


@dataclass
class DataLoadError(Exception):
    """A file that could not be read or parsed: names the file, the line and column, and the parser's complaint."""

    path: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
            if self.column is not None:
                where += f", column {self.column}"
        return f"{where}: {self.message}"


def rdf_format(path: Path) -> ox.RdfFormat:
    """The RDF syntax of a file, chosen by its extension."""
    try:
        return FORMATS_BY_SUFFIX[path.suffix.lower()]
    except KeyError:
        known = ", ".join(sorted(FORMATS_BY_SUFFIX))
        raise DataLoadError(str(path), f"unknown RDF file extension {path.suffix!r} (known: {known})") from None


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, folders as the RDF files they contain (recursively, sorted); `DataLoadError` for a path that
    does not exist, or a folder without RDF files (which would be checked or loaded as nothing, silently)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files = [p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in FORMATS_BY_SUFFIX]
            if not files:
                raise DataLoadError(str(path), "a folder without RDF files (" + ", ".join(sorted(FORMATS_BY_SUFFIX))
                                    + ")")
            found.extend(files)
        elif path.is_file():
            found.append(path)
        else:
            raise DataLoadError(str(path), "no such file or folder")
    return found


def parse_file(path: Path, *, to_graph: str | None = None) -> list[ox.Quad]:
    """All quads of one file, or `DataLoadError` naming the file, line and column."""
    fmt = rdf_format(path)
    try:
        with path.open("rb") as stream:
            quads = list(ox.parse(stream, format=fmt, base_iri=path.resolve().as_uri(), rename_blank_nodes=True))
    except (SyntaxError, OSError, ValueError, MemoryError) as error:
        raise load_error(path, error) from None
    if to_graph is None:
        return quads
    graph = ox.NamedNode(to_graph)
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]


def load_error(path: Path, error: Exception) -> DataLoadError:
    """A parser's or the file system's complaint as a `DataLoadError` naming the file (and line and column)."""
    if isinstance(error, SyntaxError):
        return DataLoadError(str(path), error.msg or str(error), getattr(error, "lineno", None),
                             getattr(error, "offset", None))
    if isinstance(error, MemoryError):  # Oxigraph's parsers hold one statement in a buffer of at most 16 MiB
        return DataLoadError(str(path), f"a statement too large to parse ({error or 'out of memory'})")
    return DataLoadError(str(path), str(error))


def parse_files(paths: Iterable[Path]) -> Iterator[ox.Quad]:
    for path in paths:
        yield from parse_file(path)


def open_store(store_dir: Path | str | None = None) -> ox.Store:
    """An in-memory store, or a persistent one in `store_dir` (created if missing); `DataLoadError` when the folder
    cannot be opened as a store (another process has it open, it is not writable)."""
    if store_dir is None:
        return ox.Store()
    try:
        Path(store_dir).mkdir(parents=True, exist_ok=True)
        return ox.Store(str(store_dir))
    except OSError as error:
        held = "lock" in str(error).lower()
        reason = "it is open in another process (a server, a load?)" if held else str(error)
        raise DataLoadError(str(store_dir), f"cannot open the store: {reason}") from None


def store_has_data(store_dir: Path | str) -> bool:
    """Whether `store_dir` is an Oxigraph store holding at least one quad (opened read-only to look). False for a
    missing or empty folder; `DataLoadError` for a folder that holds something else, or a store that cannot be
    opened."""
    path = Path(store_dir)
    if not path.is_dir() or not any(path.iterdir()):
        return False
    if not (path / "CURRENT").is_file():
        raise DataLoadError(str(path), "not an Oxigraph store (no CURRENT file) and not empty; nothing was changed")
    try:
        return next(iter(ox.Store.read_only(str(path))), None) is not None
    except (OSError, RuntimeError) as error:  # RocksDB reports a damaged store as a RuntimeError
        raise DataLoadError(str(path), f"cannot open the store: {error}") from None


class _CountingReader:
    """A binary file that reports how many bytes were read (for a progress bar) as the bulk loader pulls them."""

    def __init__(self, stream: BinaryIO, on_bytes: Callable[[int], None]) -> None:
        self.stream, self.on_bytes = stream, on_bytes

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.on_bytes(len(data))
        return data


def bulk_load_files(store: ox.Store, paths: Iterable[Path], on_bytes: Callable[[int], None] = lambda n: None, *,
                    lenient: bool = False) -> None:
    """Stream each file into `store` with Oxigraph's bulk loader (no transaction, nothing kept in memory): for
    large inputs into a new store. As with `parse_file`, each file's blank nodes get fresh labels, so two files
    never share one. `lenient` skips checks such as the IRIs' syntax (faster): only for files that are also
    parsed strictly."""
    for path in paths:
        try:
            with path.open("rb") as stream:
                store.bulk_load(_CountingReader(stream, on_bytes), format=rdf_format(path),
                                base_iri=path.resolve().as_uri(), lenient=lenient)
        except (SyntaxError, OSError, ValueError, MemoryError) as error:
            raise load_error(path, error) from None


def load_ontology(store: ox.Store) -> None:
    """Put the shipped ontology in its graph, in place of whatever the loaded files put there: a file exported by
    jaikg holds that graph too, and its blank nodes (the ontology's unions of classes) loaded beside the
    ontology's own would be there twice. Called after the files are loaded."""
    quads: list[ox.Quad] = []
    for path in resources.ontology_files():
        quads.extend(parse_file(path, to_graph=ONTOLOGY_GRAPH))
    graph = ox.NamedNode(ONTOLOGY_GRAPH)
    if store.contains_named_graph(graph):
        store.remove_graph(graph)
    store.extend(quads)


MENTIONS_WHERE = """
WHERE {
  GRAPH ?evidence {
    ?evidence a jo:Evidence ; jo:inSection ?section .
    { ?entity ?p ?o } UNION { ?s ?p ?entity FILTER(?p != jo:inSection) }
  }
  FILTER(isIRI(?entity) && ?entity != ?evidence && STRSTARTS(STR(?entity), "https://w3id.org/jaikg/resource/"))
}
"""
DERIVE_MENTIONS = f"""
PREFIX jo: <{ONTOLOGY}>
INSERT {{ GRAPH <{MENTIONS_GRAPH}> {{ ?entity jo:mentionedIn ?section }} }}
{MENTIONS_WHERE}"""
CONSTRUCT_MENTIONS = f"PREFIX jo: <{ONTOLOGY}>\nCONSTRUCT {{ ?entity jo:mentionedIn ?section }}\n{MENTIONS_WHERE}"


def derive_mentions(store: ox.Store) -> None:
    """Materialise `jo:mentionedIn` (entity → section) from the evidence graphs, so each entity links to where the
    report mentions it without curators writing the link twice."""
    store.update(f"DROP SILENT GRAPH <{MENTIONS_GRAPH}>")
    store.update(DERIVE_MENTIONS)


def write_mentions(store: ox.Store, path: Path) -> None:
    """The links `derive_mentions` adds, written to `path` as N-Triples by Oxigraph, for `load_mentions`. At 10^6
    triples an INSERT … WHERE into an on-disk store took 83 s; this takes 4 s in memory."""
    store.query(CONSTRUCT_MENTIONS).serialize(output=str(path), format=ox.RdfFormat.N_TRIPLES)


def load_mentions(store: ox.Store, path: Path) -> None:
    """Bulk-load the links `write_mentions` wrote into the mentions graph of `store`."""
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(MENTIONS_GRAPH))


def build_store(extra_paths: Iterable[Path | str] = (), *, include_shipped: bool = True,
                store_dir: Path | str | None = None) -> ox.Store:
    """The graph as jaikg serves it: ontology (in `jg:ontology`), the shipped data and any extra files, with the
    derived mentions. A `DataLoadError` leaves nothing loaded: an in-memory store is new, and the files go into it
    through Oxigraph's bulk loader (at 10^6 triples 7.2 s, against 10.7 s parsed into Python quads and added);
    into a store folder, every file is parsed before the store is touched."""
    files = (resources.data_files() if include_shipped else []) + expand_paths(extra_paths)
    if store_dir is None:
        store = ox.Store()
        bulk_load_files(store, files)
    else:
        quads = list(parse_files(files))
        store = open_store(store_dir)
        if len(store):
            store.clear()
        store.extend(quads)
    load_ontology(store)
    derive_mentions(store)
    return store
