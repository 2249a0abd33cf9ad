"""The one loading path: RDF files → quads → an Oxigraph store, all or nothing.

Every view (CLI, web app, validation, exports) gets its store from `build_store`, so the graph is parsed once and
in one way. A file is parsed completely before anything is added to the store, so a syntax error leaves the store
as it was.
"""

from __future__ import annotations

import codecs
import hashlib
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
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
    does not exist, one that is neither a regular file nor a folder (`/dev/null`, a pipe), or a folder without RDF
    files (which would be checked or loaded as nothing, silently)."""
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
        elif path.exists():
            raise DataLoadError(str(path), "not a regular file or folder (a device, a pipe or a socket): give an RDF "
                                           "file or a folder of them")
        elif path.is_symlink():
            raise DataLoadError(str(path), "a symbolic link to a file or folder that does not exist")
        else:
            raise DataLoadError(str(path), "no such file or folder")
    return found


def input_files(paths: Iterable[Path | str] = (), include_shipped: bool = True) -> list[Path]:
    """The files `build_store` loads, in its order: the shipped data (unless `include_shipped` is false), then
    `paths` expanded (`expand_paths`)."""
    return (resources.data_files() if include_shipped else []) + expand_paths(paths)


BOM = codecs.BOM_UTF8


def open_rdf(path: Path) -> BinaryIO:
    """The file opened for a parser, past a leading UTF-8 byte-order mark: Oxigraph's Turtle-family parsers take one
    for a character of the first statement (an error that names a character nobody sees)."""
    stream = path.open("rb")
    if stream.read(len(BOM)) != BOM:
        stream.seek(0)
    return stream


@dataclass
class BlankNodeLabels:
    """Labels for the blank nodes of the files of one load, the same every time the same files are loaded, so that
    dumps and their ETags can be compared and checksummed between loads and releases.

    A file's blank nodes are named by a digest of the file's name (with the graph it is loaded into, for the
    ontology) and of how many files of that name the load read before it, then a number in the order the parser
    first meets them: `_:j<16 hex digits>_<n>`. Two files of one load never share a label (RDF 1.1 merges the graphs
    of two documents with their blank nodes apart), even two files of one name in two folders, or one file given
    twice; a file that is edited keeps the labels of the blank nodes before the first one added or removed.
    Oxigraph's own renaming (`rename_blank_nodes`, the bulk loader's) gives random labels, different at each load.
    """

    seen: dict[str, int] = field(default_factory=dict)

    def prefix(self, path: Path, to_graph: str | None = None) -> str:
        key = path.name if to_graph is None else f"{path.name} in {to_graph}"
        occurrence = self.seen.get(key, 0)
        self.seen[key] = occurrence + 1
        digest = hashlib.blake2b(f"{key}\n{occurrence}".encode("utf-8"), digest_size=8).hexdigest()
        return f"j{digest}_"


def relabelled(quads: Iterable[ox.Quad], prefix: str) -> Iterator[ox.Quad]:
    """`quads` with each blank node (in triple terms too) named `prefix` + the order in which it first appears (a
    quad without blank nodes is passed on as it is)."""
    blank, triple = ox.BlankNode, ox.Triple
    labels: dict[ox.BlankNode, ox.BlankNode] = {}

    def label(term):  # type: ignore[no-untyped-def]
        if type(term) is triple:
            return triple(label(term.subject), term.predicate, label(term.object))
        if type(term) is not blank:
            return term
        found = labels.get(term)
        if found is None:
            found = labels[term] = blank(f"{prefix}{len(labels)}")
        return found

    for quad in quads:
        subject, obj, graph = quad.subject, quad.object, quad.graph_name
        if type(subject) is blank or type(obj) is blank or type(graph) is blank or type(obj) is triple:
            yield ox.Quad(label(subject), quad.predicate, label(obj), label(graph))
        else:
            yield quad


def _file_quads(path: Path, stream: BinaryIO, labels: BlankNodeLabels, *, to_graph: str | None = None,
                lenient: bool = False, on_empty: Callable[[Path], None] | None = None) -> Iterator[ox.Quad]:
    """The quads the parser reads from `stream` (the file `path`), their blank nodes labelled by `labels`;
    `on_empty(path)` when the file holds none (an empty file, or only prefixes and comments)."""
    quads = ox.parse(stream, format=rdf_format(path), base_iri=path.resolve().as_uri(), lenient=lenient)
    first = next(quads, None)
    if first is None:
        if on_empty is not None:
            on_empty(path)
        return iter(())
    return relabelled(itertools.chain((first,), quads), labels.prefix(path, to_graph))


def parse_file(path: Path, *, to_graph: str | None = None, labels: BlankNodeLabels | None = None,
               on_empty: Callable[[Path], None] | None = None) -> list[ox.Quad]:
    """All quads of one file, or `DataLoadError` naming the file, line and column. Its blank nodes are labelled by
    `labels` (those of the load it is part of; by default its own: a file alone)."""
    rdf_format(path)
    try:
        with open_rdf(path) as stream:
            quads = list(_file_quads(path, stream, labels or BlankNodeLabels(), to_graph=to_graph,
                                     on_empty=on_empty))
    except (SyntaxError, OSError, ValueError, MemoryError) as error:
        raise load_error(path, error) from None
    if to_graph is None:
        return quads
    graph = ox.NamedNode(to_graph)
    return [ox.Quad(q.subject, q.predicate, q.object, graph) for q in quads]


def load_error(path: Path, error: Exception) -> DataLoadError:
    """A parser's or the file system's complaint as a `DataLoadError` naming the file (and line and column)."""
    if isinstance(error, SyntaxError):
        line, column = getattr(error, "lineno", None), getattr(error, "offset", None)
        message = error.msg or str(error)
        if line is None:
            line, column = _error_position(path, message)
            if line is None:
                message += " (the parser gives no line or column)"
        return DataLoadError(str(path), message, line, column)
    if isinstance(error, MemoryError):  # Oxigraph's parsers hold one statement in a buffer of at most 16 MiB
        return DataLoadError(str(path), f"a statement too large to parse ({error or 'out of memory'})")
    return DataLoadError(str(path), str(error))


def _error_position(path: Path, message: str) -> tuple[int | None, int | None]:
    """Where in `path` the parser's complaint `message` is, for the errors Oxigraph reports without a position (its
    RDF/XML parser gives none): the first bytes that are not UTF-8 for a decoding error, else the line at which
    the RDF/XML parser, fed one line at a time, raises the same complaint again (and the column of the prefix, for
    an unknown one). (None, None) when it cannot tell."""
    try:
        if "UTF-8" in message:
            return _first_invalid_utf8(path)
        if rdf_format(path) != ox.RdfFormat.RDF_XML:
            return None, None
        with open_rdf(path) as stream:
            reader = _LineReader(stream)
            try:
                for _ in ox.parse(reader, format=ox.RdfFormat.RDF_XML, base_iri=path.resolve().as_uri()):
                    pass
            except SyntaxError as again:
                if (again.msg or str(again)) != message:
                    return None, None
                return reader.line_number, _prefix_column(message, reader.line)
    except (OSError, ValueError, DataLoadError):
        pass
    return None, None


class _LineReader:
    """A binary file read one line per `read`, remembering the last line given (the parser's position)."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.line, self.line_number = stream, b"", 0

    def read(self, size: int = -1) -> bytes:
        line = self.stream.readline()
        if line:
            self.line, self.line_number = line, self.line_number + 1
        return line


UNKNOWN_PREFIX = re.compile(r"Unknown prefix ([\w.-]*):")


def _prefix_column(message: str, line: bytes) -> int | None:
    """The column (from 1) of the first tag or attribute on `line` using the prefix an "Unknown prefix" names."""
    match = UNKNOWN_PREFIX.search(message)
    if match is None:
        return None
    text = line.decode("utf-8", errors="replace")
    use = re.search(r"(?<=[<\s/])" + re.escape(match.group(1)) + r":", text)
    return use.start() + 1 if use else None


def _first_invalid_utf8(path: Path) -> tuple[int | None, int | None]:
    """The line and column (in characters, from 1) of the first bytes of `path` that are not UTF-8."""
    line, column, pending = 1, 1, b""
    with open_rdf(path) as stream:
        while True:
            chunk = stream.read(1 << 20)
            data = pending + chunk
            try:
                text, used = codecs.utf_8_decode(data, "strict", not chunk)
                bad = False
            except UnicodeDecodeError as error:
                text, used, bad = data[:error.start].decode("utf-8"), error.start, True
            pending = data[used:]
            breaks = text.count("\n")
            line += breaks
            column = len(text) - text.rfind("\n") if breaks else column + len(text)
            if bad:
                return line, column
            if not chunk:
                return None, None


def parse_files(paths: Iterable[Path], labels: BlankNodeLabels | None = None,
                on_empty: Callable[[Path], None] | None = None) -> Iterator[ox.Quad]:
    """The quads of `paths`, file after file, their blank nodes labelled for one load (`BlankNodeLabels`)."""
    labels = labels or BlankNodeLabels()
    for path in paths:
        yield from parse_file(path, labels=labels, on_empty=on_empty)


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
                    lenient: bool = False, stable_labels: bool = False,
                    on_empty: Callable[[Path], None] | None = None) -> None:
    """Stream each file into `store` with Oxigraph's bulk loader (no transaction, nothing kept in memory): for
    large inputs into a new store. Each file's blank nodes get labels of their own, so two files never share one:
    with `stable_labels` those of `BlankNodeLabels`, the same at every load (as `parse_file` gives; `build_store`
    asks for them, so that dumps are reproducible), else the random ones of Oxigraph's bulk loader. Stable labels
    take the quads through Python: at 10^5 quads about 0.1-0.2 s more CPU than the bulk loader reading the file
    itself, and `on_empty(path)` is then called for a file without quads. `lenient` skips checks such as the IRIs'
    syntax (faster): only for files that are also parsed strictly."""
    labels = BlankNodeLabels() if stable_labels else None
    for path in paths:
        fmt = rdf_format(path)
        try:
            with open_rdf(path) as stream:
                on_bytes(stream.tell())  # a byte-order mark skipped
                reader = _CountingReader(stream, on_bytes)
                if labels is None:
                    store.bulk_load(reader, format=fmt, base_iri=path.resolve().as_uri(), lenient=lenient)
                else:
                    store.bulk_extend(_file_quads(path, reader, labels, lenient=lenient, on_empty=on_empty))
        except (SyntaxError, OSError, ValueError, MemoryError) as error:
            raise load_error(path, error) from None


def load_ontology(store: ox.Store) -> None:
    """Put the shipped ontology in its graph, in place of whatever the loaded files put there: a file exported by
    jaikg holds that graph too, and its blank nodes (the ontology's unions of classes) loaded beside the
    ontology's own would be there twice. Called after the files are loaded."""
    quads: list[ox.Quad] = []
    labels = BlankNodeLabels()
    for path in resources.ontology_files():
        quads.extend(parse_file(path, to_graph=ONTOLOGY_GRAPH, labels=labels))
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
                store_dir: Path | str | None = None, on_empty: Callable[[Path], None] | None = None) -> ox.Store:
    """The graph as jaikg serves it: ontology (in `jg:ontology`), the shipped data and any extra files, with the
    derived mentions. A `DataLoadError` leaves nothing loaded: an in-memory store is new, and the files go into it
    through Oxigraph's bulk loader (`bulk_load_files`); into a store folder, every file is parsed before the store
    is touched. `on_empty(path)` is called for each file that holds no triples."""
    files = input_files(extra_paths, include_shipped)
    if store_dir is None:
        store = ox.Store()
        bulk_load_files(store, files, stable_labels=True, on_empty=on_empty)
    else:
        quads = list(parse_files(files, on_empty=on_empty))
        store = open_store(store_dir)
        if len(store):
            store.clear()
        store.extend(quads)
    load_ontology(store)
    derive_mentions(store)
    return store
