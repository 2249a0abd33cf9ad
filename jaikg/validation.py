"""Validation: SHACL shapes (pySHACL, with the ontology) plus SPARQL checks over the named evidence graphs and a
check of every quote against the source text. One report, whatever found the problem.

Exit codes of `jaikg validate` follow pySHACL: 0 conforms, 1 does not conform, 2 could not load.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox
import rdflib
from rdflib.namespace import SH

from . import resources
from .loading import build_store
from .namespaces import ONTOLOGY, shorten
from .remote_store import RemoteStore
from .shacl_sparql import SUBCLASS_OF, CompiledCheck, compile_shapes, fill_message
from .store import GraphStore


@dataclass(frozen=True)
class ValidationResult:
    """One problem: the node it is about, the property, the offending value, and what to do about it."""

    focus: str
    message: str
    path: str | None = None
    value: str | None = None
    severity: str = "Violation"
    source: str | None = None

    def describe(self) -> str:
        parts = [f"{self.severity} at {shorten(self.focus)}"]
        if self.path:
            parts.append(f"path {shorten(self.path)}")
        if self.value is not None:
            parts.append(f"value {self.value}")
        return ", ".join(parts) + f": {self.message}"


class Place(Protocol):
    """Where a node is written in the data files (`jaikg.locate.Location`)."""

    path: Path
    line: int


@dataclass
class ValidationReport:
    results: list[ValidationResult] = field(default_factory=list)

    @property
    def conforms(self) -> bool:
        return not any(result.severity == "Violation" for result in self.results)

    def as_text(self, places: Mapping[str, Place] | None = None) -> str:
        """The report for people; with `places` (focus node → where a data file writes it, `jaikg.locate`) each
        result starts with the file and line of its node."""
        if not self.results:
            return "Conforms: yes (no results)."
        verdict = "yes" if self.conforms else "no"
        count = len(self.results)
        lines = [f"Conforms: {verdict} ({count} result{'' if count == 1 else 's'})"]
        for result in sorted(self.results, key=_sort_key):
            place = (places or {}).get(result.focus)
            lines.append(f"- {f'{place.path}, line {place.line}: ' if place else ''}{result.describe()}")
        return "\n".join(lines)

    def as_json(self, places: Mapping[str, Place] | None = None) -> str:
        """The report for machines: each result with the `file` and `line` that write its node, where `places`
        (as for `as_text`) has them, else null."""
        def entry(result: ValidationResult) -> dict[str, object]:
            place = (places or {}).get(result.focus)
            return {**asdict(result), "file": str(place.path) if place else None, "line": place.line if place else None}

        return json.dumps({"conforms": self.conforms, "results": [entry(r) for r in sorted(self.results, key=_sort_key)]},
                          ensure_ascii=False, indent=2)


def _sort_key(result: ValidationResult) -> tuple[str, str, str]:
    return (result.focus, result.path or "", result.message)


def _term_text(term: rdflib.term.Node | ox.NamedNode | ox.Literal | ox.BlankNode | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, (rdflib.URIRef, ox.NamedNode)):
        return str(term.value if isinstance(term, ox.NamedNode) else term)
    if isinstance(term, (rdflib.Literal, rdflib.BNode)):
        return term.n3()  # a blank node as `_:label`, as Oxigraph writes one (the SPARQL engine's results)
    return str(term)


class _SameLabels(dict):
    """rdflib's N-Triples parser names each blank node afresh (random labels) unless its `bnode_context` already
    maps the label: this one maps every label to itself, so the blank nodes keep the store's labels (those the
    loader gives, the same at every run) in pySHACL's report."""

    def get(self, key: str, default: object = None) -> str:
        return key


def _union_graph(store: GraphStore) -> rdflib.Graph:
    """All triples of all the store's graphs, as an rdflib graph for pySHACL."""
    triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store)
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    graph = rdflib.Graph()
    if data:
        graph.parse(data=data.decode("utf-8"), format="nt", bnode_context=_SameLabels())
    return graph


ILL_TYPED_LITERAL = "Failed to convert Literal lexical form to value"
"""rdflib's warning, with a traceback, for each literal whose text is not of its datatype (`"yesterday"^^xsd:integer`)
as it reads the data: the shapes report such a value where it matters (sh:datatype, sh:or of date forms), with the
node and the file and line, so the warning before the report is only noise."""


class _IllTypedLiterals(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(ILL_TYPED_LITERAL)


_QUIET = _IllTypedLiterals()
_quiet_lock = threading.Lock()
_quiet_depth = 0


@contextmanager
def ill_typed_literals_quiet() -> Iterator[None]:
    """While jaikg hands the data to rdflib and pySHACL, drop rdflib's ill-typed literal warning (and only it: any
    other record of the `rdflib.term` logger, and every exception, still comes through)."""
    global _quiet_depth
    logger = logging.getLogger("rdflib.term")
    with _quiet_lock:
        _quiet_depth += 1
        logger.addFilter(_QUIET)
    try:
        yield
    finally:
        with _quiet_lock:
            _quiet_depth -= 1
            if not _quiet_depth:
                logger.removeFilter(_QUIET)


def shapes_graph() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in resources.shape_files():
        graph.parse(path, format="turtle")
    return graph


def check_shapes(store: GraphStore) -> list[ValidationResult]:
    """pySHACL over the union of all graphs, the ontology's included: `sh:class` then sees the subclass axioms and
    the ontology's named individuals (units, statuses) as the data does in SPARQL. (pySHACL's `ont_graph` copies
    only part of an ontology into the data graph, so it is not used.)"""
    from pyshacl import validate as shacl_validate  # here: importing pySHACL costs every jaikg command 0.3 s

    shapes = shapes_graph()
    with ill_typed_literals_quiet():
        data = _union_graph(store)
        _, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                      allow_warnings=True)
    results = []
    for node in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        severity = report.value(node, SH.resultSeverity)
        results.append(ValidationResult(
            focus=_term_text(report.value(node, SH.focusNode)) or "",
            path=_term_text(report.value(node, SH.resultPath)),
            value=_term_text(report.value(node, SH.value)),
            message=str(report.value(node, SH.resultMessage) or "constraint not satisfied"),
            severity=severity.split("#")[-1] if severity else "Violation",
            source=shape_name(shapes, report.value(node, SH.sourceShape)),
        ))
    return results


def shape_name(shapes: rdflib.Graph, shape: rdflib.term.Node | None) -> str | None:
    """A shape by a name that stays the same from run to run: its IRI; for a shape that is a blank node (a property
    shape written inline, `sh:property [ sh:path jo:releaseDate ; … ]`) the IRI of the shape that holds it and the
    path, as the text report names a result: "…#ModelShape, path …#releaseDate"."""
    if shape is None or not isinstance(shape, rdflib.BNode):
        return _term_text(shape)
    holder, seen, path = shape, {shape}, None
    while isinstance(holder, rdflib.BNode):  # up through sh:property, sh:or lists … to a shape with an IRI
        path = path or shapes.value(holder, SH.path)
        parents = sorted((s for s in shapes.subjects(None, holder) if s not in seen),
                         key=lambda node: (isinstance(node, rdflib.BNode), str(node)))
        if not parents:
            break
        holder = parents[0]
        seen.add(holder)
    name = str(holder) if isinstance(holder, rdflib.URIRef) else "a shape without an IRI"
    return f"{name}, path {path}" if isinstance(path, rdflib.URIRef) else name


@dataclass(frozen=True)
class SparqlRule:
    """A SPARQL SELECT returning ?focus (and optionally ?path, ?value): each row is a violation of the rule."""

    name: str
    message: str
    query: str
    union_default_graph: bool

    @classmethod
    def from_file(cls, path: Path) -> SparqlRule:
        text = path.read_text(encoding="utf-8")
        headers = dict(re.findall(r"^#\s*(message|default-graph):\s*(.+)$", text, flags=re.MULTILINE))
        return cls(name=path.stem, message=headers.get("message", path.stem).strip(), query=text,
                   union_default_graph=headers.get("default-graph", "union").strip() == "union")


def check_rules(store: GraphStore) -> list[ValidationResult]:
    """The SPARQL checks under shapes/*.rq, which see the named graphs (the evidence) that SHACL cannot."""
    results = []
    for path in resources.rule_files():
        rule = SparqlRule.from_file(path)
        for row in store.query(rule.query, use_default_graph_as_union=rule.union_default_graph):
            results.append(ValidationResult(focus=_term_text(row["focus"]) or "", path=_term_text(row["path"]),
                                            value=_term_text(row["value"]), message=rule.message,
                                            source=f"shapes/{path.name}"))
    return results


WHITESPACE = re.compile(r"\s+")


def fold_whitespace(text: str) -> str:
    return WHITESPACE.sub(" ", text).strip()


QUOTES = f"""
PREFIX jo: <{ONTOLOGY}>
SELECT ?evidence ?quote WHERE {{ GRAPH ?evidence {{ ?evidence jo:quote ?quote }} }}
"""


def check_quotes(store: GraphStore, source_text: str | None = None) -> list[ValidationResult]:
    """Every `jo:quote` must occur verbatim in the source chapter (after folding runs of white space)."""
    source = fold_whitespace(source_text if source_text is not None
                             else resources.source_text_file().read_text(encoding="utf-8"))
    results = []
    verdicts: dict[str, bool] = {}
    for row in store.query(QUOTES):
        quote = row["quote"].value
        if quote not in verdicts:
            verdicts[quote] = fold_whitespace(quote) in source
        if not verdicts[quote]:
            results.append(ValidationResult(
                focus=row["evidence"].value, path=ONTOLOGY + "quote", value=f'"{quote[:80]}"',
                message="This quote does not occur verbatim in data/source/ai-rnd-in-japan.md; copy it from the "
                        "source exactly (white space may differ, nothing else).", source="quote check"))
    return results


def subclasses_in(store: GraphStore) -> Callable[[str], list[str] | None]:
    """A class IRI → it and its subclasses in `store` (rdfs:subClassOf*, over all graphs), or None when one of them
    is a blank node (which a query cannot name)."""

    @functools.cache
    def of(cls: str) -> list[str] | None:
        found = [row["c"] for row in store.query(f"SELECT DISTINCT ?c WHERE {{ ?c {SUBCLASS_OF}* <{cls}> }}",
                                                  use_default_graph_as_union=True)]
        return [term.value for term in found] if all(isinstance(t, ox.NamedNode) for t in found) else None

    return of


def check_shapes_sparql(store: GraphStore) -> list[ValidationResult]:
    """The same shapes compiled to SPARQL and run natively by Oxigraph (`jaikg.shacl_sparql`): for large graphs.
    The checks run on one thread per CPU: Oxigraph evaluates without holding the GIL (11.7 s on one thread, 6.3 s
    on two at 10^6 triples)."""
    checks = compile_shapes(shapes_graph(), subclasses_in(store))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        found = pool.map(functools.partial(_violations, store), checks)
        return sorted({result for results in found for result in results}, key=_sort_key)


def _violations(store: GraphStore, check: CompiledCheck) -> list[ValidationResult]:
    """The results of one compiled check (its constraint is not run when its targets select no node)."""
    targets = None if check.targets is None else {
        row["focus"] for row in store.query(check.targets, use_default_graph_as_union=True)}
    if targets is not None and not targets:
        return []
    solutions = store.query(check.query, use_default_graph_as_union=True)
    names = [variable.value for variable in solutions.variables]
    results = []
    for row in solutions:
        if targets is not None and row["focus"] not in targets:
            continue
        bound = {name: row[name] for name in names if row[name] is not None}
        values = {name: _term_text(term) for name, term in bound.items()}
        message, path = check.message_and_path(int(bound["check"].value) if check.constraints else None)
        results.append(ValidationResult(
            focus=values.get("focus", ""), path=values.get("path") or path, value=values.get("value"),
            message=fill_message(message, {name: term.value for name, term in bound.items()}), source=check.shape))
    return results


SHACL_LIMIT = 10_000
"""Above this many quads, `engine="auto"` checks the shapes with compiled SPARQL instead of pySHACL."""
ENGINES = ("auto", "shacl", "sparql")


def validate_store(store: GraphStore, engine: str = "auto") -> ValidationReport:
    """All checks on `store`: the shapes (pySHACL, or compiled SPARQL for `engine="sparql"` and for graphs over
    `SHACL_LIMIT` quads with "auto"), the SPARQL rules and the quotes."""
    use_sparql = engine == "sparql" or (engine == "auto" and len(store) > SHACL_LIMIT)
    shapes = check_shapes_sparql(store) if use_sparql else check_shapes(store)
    return ValidationReport(shapes + check_rules(store) + check_quotes(store))


def validate_paths(paths: Iterable[Path | str] = (), engine: str = "auto", *, include_shipped: bool = False,
                   on_empty: Callable[[Path], None] | None = None) -> ValidationReport:
    """Validate the shipped data (no paths), the given files and folders alone, or with `include_shipped` both
    together. Raises `DataLoadError` when a file cannot be parsed; `on_empty(path)` for each file without triples."""
    paths = list(paths)
    return validate_store(build_store(paths, include_shipped=include_shipped or not paths, on_empty=on_empty),
                          engine)


def validate_endpoint(query_url: str, engine: str = "auto", *, union: str = "oxigraph",
                      timeout: float = 300.0) -> ValidationReport:
    """Validate what a remote store holds: its quads are copied into an embedded store (one SELECT through the
    SPARQL 1.1 Protocol) and checked there like any other graph. Raises `SparqlError` (502, 504) when the
    endpoint cannot be read."""
    local = ox.Store()
    local.extend(RemoteStore(query_url, timeout=timeout, union=union))
    return validate_store(local, engine)
