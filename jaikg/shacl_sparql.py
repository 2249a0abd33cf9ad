"""The SHACL shapes compiled to SPARQL SELECT queries that Oxigraph runs natively: validation at scale.

pySHACL is the reference, but it evaluates over rdflib and re-parses each `sh:sparql` constraint once per focus
node with rdflib's parser. Measured on the 2-core development machine (`jaikg validate --engine …` on
`jaikg synth` output; the SPARQL rules and the quote check, the same for both, take milliseconds):

| quads in the store (ontology and mentions included) | pySHACL | compiled SPARQL on pyoxigraph |
|---|---|---|
| 12,876 (`jaikg synth --triples 10000`) | 137 s | 0.4 s |
| 119,304 (`jaikg synth --triples 100000`) | 717 s | 1.2 s |

so `jaikg validate` and `jaikg load` use this compiler above `SHACL_LIMIT` triples, and pySHACL below it (the
shipped data). The compiler covers the SHACL the shapes use: targets `sh:targetClass`, `sh:targetSubjectsOf` and
SPARQL targets; property shapes with an IRI path and `sh:minCount`, `sh:maxCount`, `sh:class`, `sh:datatype`,
`sh:nodeKind`, `sh:in`, `sh:pattern`, `sh:languageIn`, `sh:minExclusive`, `sh:or`, `sh:uniqueLang`,
`sh:qualifiedValueShape` with `sh:qualifiedMinCount`; node-level `sh:sparql` SELECT constraints. A shape using
anything else raises `Unsupported`, so the two engines cannot silently drift apart; tests run both on every
fixture and compare what they find.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

import rdflib
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH

RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
SUBCLASS_OF = "<http://www.w3.org/2000/01/rdf-schema#subClassOf>"
RDF_TYPE_PATH = f"{RDF_TYPE}/{SUBCLASS_OF}*"
NODE_KINDS = {SH.Literal: "isLiteral(?v)", SH.IRI: "isIRI(?v)", SH.BlankNode: "isBlank(?v)",
              SH.BlankNodeOrIRI: "(isBlank(?v) || isIRI(?v))", SH.BlankNodeOrLiteral: "(isBlank(?v) || isLiteral(?v))",
              SH.IRIOrLiteral: "(isIRI(?v) || isLiteral(?v))"}
VALUE_KEYS = {SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.pattern, SH.languageIn, SH.minExclusive, SH["or"]}
COUNT_KEYS = {SH.minCount, SH.maxCount, SH.uniqueLang, SH.qualifiedValueShape, SH.qualifiedMinCount}
IGNORED_KEYS = {SH.path, SH.message, SH.name, SH.description, RDF.type, SH.severity, SH.deactivated}


SubclassesOf = Callable[[str], Sequence[str] | None]
"""A class IRI → the IRIs of it and all its subclasses in the graph to validate (None when one is a blank node)."""


class Unsupported(ValueError):
    """A shape uses SHACL this compiler does not translate."""


@dataclass(frozen=True)
class CompiledCheck:
    """One SELECT whose rows (?focus, optionally ?value and other variables) are violations."""

    shape: str
    message: str
    path: str | None
    query: str
    targets: str | None = None
    """A query selecting the focus nodes, when they are kept apart from `query`: only rows whose ?focus it
    selects are violations."""
    constraints: tuple[tuple[str, str], ...] = ()
    """For a query that checks several constraints at once: (message, path) of each, in the order of the ?check
    number its rows carry (`message` and `path` are then unused)."""

    def message_and_path(self, check: int | None) -> tuple[str, str | None]:
        """The message and path of a row's constraint (`check`: the row's ?check number, when `constraints`)."""
        return self.constraints[check] if check is not None else (self.message, self.path)


@dataclass(frozen=True)
class _ValueConstraint:
    """Every value of `path` on a focus node must meet `condition` (a SPARQL expression over ?v)."""

    path: str
    condition: str
    message: str


@dataclass(frozen=True)
class _CountConstraint:
    """A focus node has `least` to `most` distinct values of `path`."""

    path: str
    least: int
    most: int | None
    message: str


def _n3(term: rdflib.term.Node) -> str:
    return term.n3()


def _subclasses(cls: rdflib.term.Node, subclasses: SubclassesOf | None) -> Sequence[str] | None:
    return subclasses(str(cls)) if subclasses is not None and isinstance(cls, rdflib.URIRef) else None


def _instance_test(cls: rdflib.term.Node, subclasses: SubclassesOf | None) -> str:
    """A SPARQL expression: ?v is an instance of `cls` (SHACL's rdf:type/rdfs:subClassOf* test). With the
    subclasses known, ?v's types are looked up and compared with them: evaluated per value, the property path
    took three times as long at 10^6 triples."""
    known = _subclasses(cls, subclasses)
    if not known:
        return f"EXISTS {{ ?v {RDF_TYPE_PATH} {_n3(cls)} }}"
    return f"EXISTS {{ ?v {RDF_TYPE} ?_class FILTER(?_class IN ({', '.join(f'<{iri}>' for iri in known)})) }}"


def _value_condition(shapes: rdflib.Graph, node: rdflib.term.Node, subclasses: SubclassesOf | None) -> str:
    """A SPARQL expression over ?v that holds when ?v conforms to the value constraints of `node`."""
    parts: list[str] = []
    for key, value in shapes.predicate_objects(node):
        if key == SH["class"]:
            parts.append(_instance_test(value, subclasses))
        elif key == SH.datatype:
            parts.append(f"(isLiteral(?v) && datatype(?v) = {_n3(value)})")
        elif key == SH.nodeKind:
            parts.append(NODE_KINDS[value])
        elif key == SH["in"]:
            parts.append(f"(?v IN ({', '.join(_n3(m) for m in Collection(shapes, value))}))")
        elif key == SH.pattern:
            parts.append(f"(!isBlank(?v) && regex(str(?v), {_n3(rdflib.Literal(str(value)))}))")
        elif key == SH.languageIn:
            tags = " || ".join(f'langMatches(lang(?v), "{tag}")' for tag in Collection(shapes, value))
            parts.append(f"(isLiteral(?v) && ({tags}))")
        elif key == SH.minExclusive:
            parts.append(f"(?v > {_n3(value)})")
        elif key == SH["or"]:
            parts.append("(" + " || ".join(_value_condition(shapes, m, subclasses) for m in Collection(shapes, value))
                         + ")")
        elif key not in IGNORED_KEYS | COUNT_KEYS | {SH.qualifiedMinCount}:
            raise Unsupported(f"{key} (in a shape near {node})")
    return " && ".join(parts) if parts else "true"


def _targets(shapes: rdflib.Graph, shape: rdflib.term.Node, subclasses: SubclassesOf | None) -> str:
    """A group pattern binding ?focus to the shape's focus nodes (a UNION of its targets)."""
    groups = []
    classes = list(shapes.objects(shape, SH.targetClass))
    known = [_subclasses(c, subclasses) for c in classes]
    if classes and all(known):
        iris = dict.fromkeys(iri for found in known for iri in found or ())
        groups.append(f"VALUES ?tc {{ {' '.join(f'<{iri}>' for iri in iris)} }} ?focus {RDF_TYPE} ?tc .")
    elif classes:
        groups.append(f"VALUES ?tc {{ {' '.join(map(_n3, classes))} }} ?focus {RDF_TYPE_PATH} ?tc .")
    subjects_of = list(shapes.objects(shape, SH.targetSubjectsOf))
    if subjects_of:
        groups.append(f"VALUES ?tp {{ {' '.join(map(_n3, subjects_of))} }} ?focus ?tp [] .")
    for target in shapes.objects(shape, SH.target):
        select = shapes.value(target, SH.select)
        if select is None:
            raise Unsupported(f"a sh:target other than a SPARQL target on {shape}")
        groups.append("{ " + re.sub(r"[?$]this\b", "?focus", str(select)) + " }")
    if not groups:
        raise Unsupported(f"shape {shape} has no target this compiler understands")
    return "{ " + " } UNION { ".join(groups) + " }"


def _prologue(shapes: rdflib.Graph) -> str:
    declared = {(str(shapes.value(d, SH.prefix)), str(shapes.value(d, SH.namespace)))
                for d in shapes.objects(None, SH.declare)}
    return "".join(f"PREFIX {prefix}: <{namespace}>\n" for prefix, namespace in sorted(declared))


def _message(shapes: rdflib.Graph, *nodes: rdflib.term.Node) -> str:
    for node in nodes:
        message = shapes.value(node, SH.message)
        if message is not None:
            return str(message)
    return "constraint not satisfied"


Constraint = _ValueConstraint | _CountConstraint | CompiledCheck
"""What a property shape compiles to: value and count constraints, merged per node shape and target by
`_merged_checks`, and checks of their own."""


def _property_checks(shapes: rdflib.Graph, shape: rdflib.term.Node, target: str, prop: rdflib.term.Node,
                     subclasses: SubclassesOf | None) -> Iterator[tuple[str, Constraint]]:
    """The constraints of one property shape, each with the target it applies to."""
    path = shapes.value(prop, SH.path)
    if not isinstance(path, rdflib.URIRef):
        raise Unsupported(f"a property path that is not an IRI on {shape}")
    message, p = _message(shapes, prop, shape), _n3(path)
    if path in set(shapes.objects(shape, SH.targetSubjectsOf)):
        target = ""  # every subject of the path is a focus node: the value pattern binds exactly the targets

    def check(body: str) -> tuple[str, CompiledCheck]:
        return target, CompiledCheck(str(shape), message, str(path), body)

    if set(shapes.predicates(prop)) & VALUE_KEYS:
        yield target, _ValueConstraint(p, _value_condition(shapes, prop, subclasses), message)
    least, most = shapes.value(prop, SH.minCount), shapes.value(prop, SH.maxCount)
    if least is not None or most is not None:
        yield target, _CountConstraint(p, int(least or 0), None if most is None else int(most), message)
    qualified = shapes.value(prop, SH.qualifiedValueShape)
    if qualified is not None:
        condition = _value_condition(shapes, qualified, subclasses)
        fewest = int(shapes.value(prop, SH.qualifiedMinCount) or 0)
        yield check(f"SELECT ?focus WHERE {{ {target} OPTIONAL {{ ?focus {p} ?v FILTER({condition}) }} }} "
                    f"GROUP BY ?focus HAVING (COUNT(DISTINCT ?v) < {fewest})")
    if shapes.value(prop, SH.uniqueLang) == rdflib.Literal(True):
        yield check(f"SELECT DISTINCT ?focus WHERE {{ {target} ?focus {p} ?a, ?b "
                    "FILTER(?a != ?b && lang(?a) != \"\" && lcase(lang(?a)) = lcase(lang(?b))) }")


def _merged_checks(shape: str, target: str, constraints: Sequence[Constraint]) -> Iterator[CompiledCheck]:
    """The value constraints of a node shape on one target as one query, and its count constraints as another:
    the focus nodes are found once for all of them, not once per constraint (179 queries become 88; at 10^6
    triples, on one thread, all the checks took 18.7-20.9 s one by one and 15.5-17.1 s merged). Each row's ?check
    numbers the constraint it breaks."""
    values = [c for c in constraints if isinstance(c, _ValueConstraint)]
    if values:
        branches = " UNION ".join(f"{{ ?focus {c.path} ?v FILTER(!({c.condition})) BIND({number} AS ?check) }}"
                                  for number, c in enumerate(values))
        yield CompiledCheck(shape, "", None, f"SELECT DISTINCT ?focus ?value ?check WHERE {{ {target} {branches} "
                                             "BIND(?v AS ?value) }",
                            constraints=tuple((c.message, c.path[1:-1]) for c in values))
    counts = [c for c in constraints if isinstance(c, _CountConstraint)]
    if counts:
        rows = " ".join(f"({c.path} {c.least} {'UNDEF' if c.most is None else c.most} {number})"
                        for number, c in enumerate(counts))
        yield CompiledCheck(
            shape, "", None,
            f"SELECT ?focus ?check WHERE {{ {target} VALUES (?p ?least ?most ?check) {{ {rows} }} "
            "OPTIONAL { ?focus ?p ?v } } GROUP BY ?focus ?p ?least ?most ?check "
            "HAVING (COUNT(DISTINCT ?v) < ?least || (BOUND(?most) && COUNT(DISTINCT ?v) > ?most))",
            constraints=tuple((c.message, c.path[1:-1]) for c in counts))
    yield from (c for c in constraints if isinstance(c, CompiledCheck))


def _sparql_checks(shapes: rdflib.Graph, shape: rdflib.term.Node, target: str) -> Iterator[CompiledCheck]:
    """Each `sh:sparql` SELECT with ?focus free, and the targets as a query of their own: Oxigraph joins two
    subqueries by re-evaluating one per solution of the other (a domain check took 428 s joined, 0.2 s apart)."""
    for constraint in shapes.objects(shape, SH.sparql):
        select = re.sub(r"\$this\b", "?focus", str(shapes.value(constraint, SH.select)))
        yield CompiledCheck(str(shape), _message(shapes, constraint, shape), None, select,
                            targets=f"SELECT DISTINCT ?focus WHERE {{ {target} }}")


def compile_shapes(shapes: rdflib.Graph, subclasses: SubclassesOf | None = None) -> list[CompiledCheck]:
    """Every constraint of every node shape as a SPARQL query (run with the default graph as the union).

    With `subclasses` (read from the graph to validate), class tests name the subclasses instead of following
    rdfs:subClassOf* for each node, so the queries hold only for that graph's class hierarchy."""
    prologue = _prologue(shapes)
    checks: list[CompiledCheck] = []
    for shape in sorted(set(shapes.subjects(RDF.type, SH.NodeShape)), key=str):
        target = _targets(shapes, shape, subclasses)
        by_target: dict[str, list[Constraint]] = {}
        for prop in shapes.objects(shape, SH.property):
            for prop_target, constraint in _property_checks(shapes, shape, target, prop, subclasses):
                by_target.setdefault(prop_target, []).append(constraint)
        for prop_target, constraints in by_target.items():
            checks.extend(_merged_checks(str(shape), prop_target, constraints))
        checks.extend(_sparql_checks(shapes, shape, target))
    return [replace(c, query=prologue + c.query, targets=prologue + c.targets if c.targets else None)
            for c in checks]


def fill_message(template: str, row: dict[str, str]) -> str:
    """`{?var}` placeholders of an `sh:message` filled from the row, as pySHACL does."""
    return re.sub(r"\{[?$](\w+)\}", lambda m: row.get(m.group(1), m.group(0)), template)
