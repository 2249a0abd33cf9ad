"""The SHACL shapes: they parse, every shape speaks to the curator, the good fixture conforms, and each broken
fixture fails with the message its shape defines (and with nothing else).

Validation is run the way jaikg runs it: pySHACL on the union of the named graphs, with the ontology and its
alignments as ont_graph and no inference, so sh:class sees rdfs:subClassOf from the ontology."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import rdflib
from pyshacl import validate
from rdflib import BNode, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH

from jaikg.validation import validate_paths

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHAPE_FILES = sorted((ROOT / "shapes").glob("*.ttl"))
ONTOLOGY_FILES = [ROOT / "ontology" / "jaikg.ttl", ROOT / "ontology" / "alignments.ttl"]

JO = rdflib.Namespace("https://w3id.org/jaikg/ontology#")
JOS = rdflib.Namespace("https://w3id.org/jaikg/shapes#")
JR = "https://w3id.org/jaikg/resource/"
JEV = "https://w3id.org/jaikg/evidence/"
DATE_PROPERTIES = ("releaseDate", "announcementDate", "foundingDate", "publicationDate", "date", "selectionDate",
                   "operationStartDate", "openSourcedDate")


@dataclass(frozen=True)
class Result:
    focus: str
    path: str | None
    message: str


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in SHAPE_FILES:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in ONTOLOGY_FILES:
        graph.parse(path, format="turtle")
    return graph


def union_of(*names: str) -> rdflib.Graph:
    """The triples of every named graph of the fixtures, as one graph."""
    graph = rdflib.Graph()
    for name in names:
        dataset = rdflib.Dataset()
        dataset.parse(FIXTURES / name, format="trig")
        for s, p, o, _ in dataset.quads():
            graph.add((s, p, o))
    return graph


def short(term: rdflib.term.Node | None) -> str | None:
    if term is None:
        return None
    text = str(term)
    for prefix, namespace in (("jr:", JR), ("jev:", JEV), ("jo:", str(JO)),
                              ("rdfs:", "http://www.w3.org/2000/01/rdf-schema#")):
        if text.startswith(namespace):
            return prefix + text[len(namespace):]
    return "_" if isinstance(term, BNode) else text


def run(shapes: rdflib.Graph, ontology: rdflib.Graph, *names: str) -> tuple[bool, set[Result]]:
    conforms, report, _ = validate(union_of(*names), shacl_graph=shapes, ont_graph=ontology, inference="none",
                                   advanced=True, allow_warnings=True)
    results = set()
    for report_node in report.subjects(RDF.type, SH.ValidationReport):
        for node in report.objects(report_node, SH.result):
            results.add(Result(short(report.value(node, SH.focusNode)), short(report.value(node, SH.resultPath)),
                               str(report.value(node, SH.resultMessage))))
    return conforms, results


# --- the shapes themselves -----------------------------------------------------------------------------------------

def test_shapes_parse_and_target_classes(shapes):
    assert SHAPE_FILES
    targets = set(shapes.objects(None, SH.targetClass))
    for cls in (JO.AIModel, JO.SelectedProposal, JO.Evidence, JO.Quantity, JO.Agent, JO.CreativeWork):
        assert cls in targets


def test_every_shape_has_a_message(shapes):
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.objects(None, SH.property)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    sparql = set(shapes.objects(None, SH.sparql))
    missing = [shape for shape in node_shapes | property_shapes | sparql
               if not any(isinstance(m, Literal) and m.language == "en" and len(m) > 20
                          for m in shapes.objects(shape, SH.message))]
    assert not missing, [str(shapes.value(m, SH.path) or m) for m in missing]


def test_shapes_use_only_declared_terms(shapes, ontology):
    declared = {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(str(JO))}
    used = {t for triple in shapes for t in triple if isinstance(t, URIRef) and str(t).startswith(str(JO))}
    assert used <= declared, sorted(used - declared)


def test_every_date_property_is_checked(shapes):
    date_forms = URIRef("https://w3id.org/jaikg/shapes#DateForms")
    checked = {shapes.value(ps, SH.path) for ps in shapes.subjects(SH["or"], date_forms)}
    assert checked == {JO[name] for name in DATE_PROPERTIES}


# --- verdicts ------------------------------------------------------------------------------------------------------

def test_good_fixture_conforms(shapes, ontology):
    conforms, results = run(shapes, ontology, "good.trig")
    assert conforms, results
    assert not results


DEVELOPER_REQUIRED = "A model must name at least one developer (jo:developer → an organization or person"
DEVELOPER_CLASS = "A developer must be an organization or a person"
PARAMETER_COUNT = 'jo:parameterCount must be a positive xsd:integer written out in full: 7000000000, not "7B"'
RELEASE_DATE = "jo:releaseDate must be a valid date at the precision the text gives"
RELEASED_BEFORE_FOUNDING = "Released (2023-03-01) before its developer https://w3id.org/jaikg/resource/sakana-ai " \
                           "was founded (2023-07)"
QUOTE_REQUIRED = "An evidence graph needs exactly one jo:quote"
BASED_ON_LOOP = "This model is based on itself through a chain of jo:basedOn links"
SUB_ORGANIZATION_LOOP = "This organization is a sub-organization of itself"
ENGLISH_LABEL = "Missing English name: add rdfs:label"
ONE_LABEL_PER_LANGUAGE = "More than one rdfs:label in the same language"
STATUS = "jo:status must be one of jo:Released, jo:InDevelopment, jo:Planned, jo:Discontinued."
SELECTED_BY = "A selected proposal must name the program that selected it"
QUANTITY_VALUE = "A quantity needs exactly one jo:quantityValue, written as a number"
QUANTITY_UNIT = "A quantity needs exactly one jo:unit"
UNDECLARED_PROPERTY = "This jo: property is used in the data but not declared in the ontology"
UNDECLARED_CLASS = "This jo: class is used in the data but not declared in the ontology"
OUTSIDE_DOMAIN = "is used on a resource that is none of the classes of its rdfs:domain"

BROKEN = {
    "broken-parameter-count.trig": {("jr:swallow-13b", "jo:parameterCount", PARAMETER_COUNT)},
    "broken-no-developer.trig": {("jr:cotomi", "jo:developer", DEVELOPER_REQUIRED)},
    "broken-developer-is-corpus.trig": {("jr:swallow-70b", "jo:developer", DEVELOPER_CLASS)},
    "broken-malformed-date.trig": {("jr:swallow-13b", "jo:releaseDate", RELEASE_DATE)},
    "broken-release-before-founding.trig": {("jr:sakana-early-model", "jo:releaseDate", RELEASED_BEFORE_FOUNDING)},
    "broken-evidence-without-quote.trig": {("jev:broken-evidence-without-quote", "jo:quote", QUOTE_REQUIRED)},
    "broken-based-on-loop.trig": {("jr:llama-2", "jo:basedOn", BASED_ON_LOOP),
                                  ("jr:swallow-7b", "jo:basedOn", BASED_ON_LOOP)},
    "broken-sub-organization-self.trig": {("jr:airc", "jo:subOrganizationOf", SUB_ORGANIZATION_LOOP)},
    "broken-labels.trig": {("jr:unnamed-model", "rdfs:label", ENGLISH_LABEL),
                           ("jr:softbank", "rdfs:label", ONE_LABEL_PER_LANGUAGE)},
    "broken-status-and-selection.trig": {("jr:swallow-7b", "jo:status", STATUS),
                                         ("jr:llm-support-pfn-2", "jo:selectedBy", SELECTED_BY)},
    "broken-quantity.trig": {("_", "jo:quantityValue", QUANTITY_VALUE), ("_", "jo:unit", QUANTITY_UNIT)},
    "broken-undeclared-term.trig": {("jo:developper", "rdfs:label", UNDECLARED_PROPERTY),
                                    ("jo:Chatbot", "rdfs:label", UNDECLARED_CLASS)},
    "broken-domain.trig": {("jr:cotomi", "jo:parameterCount", "jo:parameterCount " + OUTSIDE_DOMAIN),
                           ("jr:cotomi-lite", "jo:developer", "jo:developer " + OUTSIDE_DOMAIN)},
}


@pytest.mark.parametrize("fixture", sorted(BROKEN))
def test_broken_fixture_fails_with_its_message(shapes, ontology, fixture):
    conforms, results = run(shapes, ontology, "good.trig", fixture)
    assert not conforms
    found = {(r.focus, r.path, r.message) for r in results}
    for focus, path, message in BROKEN[fixture]:
        assert any(f == focus and p == path and m.startswith(message) for f, p, m in found), \
            f"expected {focus} {path}: {message!r}; got {sorted(found)}"
    assert len(found) == len(BROKEN[fixture]), f"unexpected extra results: {sorted(found)}"


def test_mixed_precision_dates_are_compared_by_common_precision(shapes, ontology):
    graph = union_of("good.trig")
    assert (URIRef(JR + "sakana-model"), JO.releaseDate, Literal("2023", datatype=rdflib.namespace.XSD.gYear)) in graph
    conforms, _ = run(shapes, ontology, "good.trig")
    assert conforms


def test_subclasses_satisfy_sh_class_through_the_ontology(shapes, ontology):
    """jr:tokyo-tech is only typed jo:University; it passes as a developer because the ontology is mixed in."""
    conforms, _, _ = validate(union_of("good.trig"), shacl_graph=shapes, ont_graph=None, inference="none",
                              advanced=True)
    assert not conforms
    conforms, _ = run(shapes, ontology, "good.trig")
    assert conforms


def test_library_validation_reports_the_shape_messages():
    report = validate_paths([FIXTURES / "good.trig", FIXTURES / "broken-no-developer.trig"])
    assert not report.conforms
    assert any(r.message.startswith(DEVELOPER_REQUIRED) for r in report.results)


def test_every_class_has_exactly_its_own_node_shape_with_a_message(shapes, ontology) -> None:
    """Issue 2: one NodeShape per class, jos:<Class>Shape targeting that class alone, each shape and property shape
    with an sh:message a curator can act on."""
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if isinstance(c, URIRef) and str(c).startswith(str(JO))}
    assert len(classes) > 40
    problems = []
    for cls in sorted(classes):
        targeting = {s for s in shapes.subjects(SH.targetClass, cls) if (s, RDF.type, SH.NodeShape) in shapes}
        expected = URIRef(str(JOS) + str(cls)[len(str(JO)):] + "Shape")
        if targeting != {expected}:
            problems.append(f"{short(cls)} is targeted by {sorted(map(str, targeting))}, expected only {expected}")
    for shape in set(shapes.subjects(SH.targetClass, None)):
        if len(set(shapes.objects(shape, SH.targetClass))) != 1:
            problems.append(f"{shape} targets more than one class")
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.objects(None, SH.property)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    for shape in node_shapes | property_shapes:
        if not any(isinstance(m, Literal) and m.language == "en" for m in shapes.objects(shape, SH.message)):
            problems.append(f"{shapes.value(shape, SH.path) or shape} has no sh:message")
    assert problems == []


def test_properties_with_a_class_domain_are_checked_on_their_class_shapes(shapes, ontology) -> None:
    """sh:targetSubjectsOf is kept only for properties the ontology gives no class domain; a property with one is
    checked by the shape of its domain class (or of the classes of a union domain, or their common superclass)."""
    domained = {p for p in ontology.subjects(RDFS.domain, None) if str(p).startswith(str(JO))}
    subjects_of = set(shapes.objects(None, SH.targetSubjectsOf))
    assert not subjects_of & domained, sorted(short(p) for p in subjects_of & domained)
    checked_by_value_shapes = {shapes.value(prop, SH.path) for shape in shapes.subjects(SH.targetSubjectsOf, None)
                               for prop in shapes.objects(shape, SH.property)}
    assert checked_by_value_shapes <= subjects_of
