"""The ontology, its alignments and the JSON-LD context: they parse, declare every term docs/modelling.md uses,
carry English and Japanese labels and a definition per term, and the context round-trips a graph."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import rdflib
from rdflib import BNode, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS, XSD

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "jaikg.ttl"
ALIGNMENTS = ROOT / "ontology" / "alignments.ttl"
CONTEXT = ROOT / "ontology" / "context.jsonld"
MODELLING = ROOT / "docs" / "modelling.md"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

JO = rdflib.Namespace("https://w3id.org/jaikg/ontology#")
SCHEMA = rdflib.Namespace("https://schema.org/")
ORG = rdflib.Namespace("http://www.w3.org/ns/org#")
FOAF = rdflib.Namespace("http://xmlns.com/foaf/0.1/")
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
OA = rdflib.Namespace("http://www.w3.org/ns/oa#")
FAIR4ML = rdflib.Namespace("https://w3id.org/fair4ml#")
ONTOLOGY_IRI = URIRef("https://w3id.org/jaikg/ontology")

TERM_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, RDF.Property, OWL.NamedIndividual)
DATE_PROPERTIES = ("releaseDate", "announcementDate", "foundingDate", "publicationDate", "date", "selectionDate",
                   "operationStartDate", "openSourcedDate")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY)


@pytest.fixture(scope="module")
def alignments() -> rdflib.Graph:
    return rdflib.Graph().parse(ALIGNMENTS)


@pytest.fixture(scope="module")
def context() -> dict:
    return json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]


def jo_terms(graph: rdflib.Graph) -> set[URIRef]:
    return {s for t in TERM_TYPES for s in graph.subjects(RDF.type, t)
            if isinstance(s, URIRef) and str(s).startswith(str(JO))}


def documented_terms() -> set[str]:
    """Local names of every jo: term in the "Terms at a glance" section of docs/modelling.md."""
    section = MODELLING.read_text(encoding="utf-8").split("## Terms at a glance", 1)[1]
    names = set(re.findall(r"\bjo:([A-Za-z]+)", section))
    class_block = section.split("```", 2)[1]
    for line in class_block.splitlines():
        tokens = line.split()
        if not tokens:
            continue
        if len(tokens) > 1 and all(re.fullmatch(r"[A-Z][A-Za-z]+", t) for t in tokens):
            names.update(tokens)
        elif re.fullmatch(r"[A-Z][A-Za-z]+", tokens[0]):
            names.add(tokens[0])
    return names


# --- parsing and header -------------------------------------------------------------------------------------------

def test_ontology_header(ontology):
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    titles = {t.language for t in ontology.objects(ONTOLOGY_IRI, DCTERMS.title)}
    assert titles == {"en", "ja"}
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/jaikg/ontology/0.1.0")
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(ontology.value(ONTOLOGY_IRI, DCTERMS.creator)) == "jaikg contributors"
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "jo"
    assert str(ontology.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == str(JO)


def test_alignments_are_their_own_module(alignments):
    headers = list(alignments.subjects(RDF.type, OWL.Ontology))
    assert len(headers) == 1 and headers[0] != ONTOLOGY_IRI
    assert alignments.value(headers[0], DCTERMS.description) is not None
    assert not list(alignments.objects(headers[0], OWL.imports))


def test_alignments_declare_no_new_terms(ontology, alignments):
    assert jo_terms(alignments) == set()
    used = {s for s in alignments.subjects() if isinstance(s, URIRef) and str(s).startswith(str(JO))}
    assert used <= jo_terms(ontology), sorted(used - jo_terms(ontology))


def test_alignments_avoid_owl_rl_keys(alignments):
    for term in (ORG.identifier, FOAF.homepage):
        assert not list(alignments.triples((None, None, term)))
        assert not list(alignments.triples((None, term, None)))


def test_schema_org_organization_subtypes_are_close_matches(alignments):
    assert (JO.FundingProgram, SKOS.closeMatch, SCHEMA.FundingScheme) in alignments
    assert (JO.Project, SKOS.closeMatch, SCHEMA.ResearchProject) in alignments
    for subject, obj in ((JO.FundingProgram, SCHEMA.FundingScheme), (JO.Project, SCHEMA.ResearchProject),
                         (None, SCHEMA.FundingAgency), (None, SCHEMA.Project)):
        assert not list(alignments.triples((subject, RDFS.subClassOf, obj)))


def test_key_alignments(alignments):
    assert (JO.AIModel, RDFS.subClassOf, FAIR4ML.MLModel) in alignments
    assert (JO.quote, RDFS.subPropertyOf, OA.exact) in alignments
    assert (JO.Organization, RDFS.subClassOf, ORG.Organization) in alignments
    assert (JO.Evidence, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")) in alignments


# --- terms ---------------------------------------------------------------------------------------------------------

def test_every_documented_term_is_declared(ontology):
    declared = {str(t)[len(str(JO)):] for t in jo_terms(ontology)}
    missing = documented_terms() - declared
    assert not missing, f"terms used in docs/modelling.md but not declared in the ontology: {sorted(missing)}"


def test_documented_terms_are_found():
    names = documented_terms()
    for name in ("Agent", "GovernmentBody", "Establishment", "Publication", "Field", "developer", "quote",
                 "Character", "Discontinued", "partnerOf"):
        assert name in names


def test_every_term_has_one_label_per_language_and_a_definition(ontology):
    problems = []
    for term in sorted(jo_terms(ontology)):
        labels = [lbl for lbl in ontology.objects(term, RDFS.label) if isinstance(lbl, Literal)]
        langs = sorted(lbl.language or "" for lbl in labels)
        if langs != ["en", "ja"]:
            problems.append(f"{term}: labels {langs}")
        ja = [lbl for lbl in labels if lbl.language == "ja"]
        if ja and not re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", str(ja[0])) and "jaikg" not in str(ja[0]):
            problems.append(f"{term}: Japanese label has no Japanese script: {ja[0]}")
        definitions = [d for d in ontology.objects(term, SKOS.definition) if d.language == "en"]
        if len(definitions) != 1 or not str(definitions[0]).strip():
            problems.append(f"{term}: needs one English skos:definition")
    assert not problems, "\n".join(problems)


def test_external_annotation_terms_are_not_redeclared(ontology):
    for term in (RDFS.label, SKOS.altLabel, RDFS.comment, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"),
                 DCTERMS.isPartOf):
        assert not list(ontology.triples((term, RDF.type, None)))


def test_property_kinds(ontology):
    assert (JO.partnerOf, RDF.type, OWL.SymmetricProperty) in ontology
    for name in ("developer", "trainedOn", "trainingData", "selectedBy", "memberOfFamily", "inSection", "status",
                 "webPage", "unit", "size"):
        assert (JO[name], RDF.type, OWL.ObjectProperty) in ontology, name
    for name in ("parameterCount", "quote", "quantityValue", "fiscalYear", "round", "openModel", *DATE_PROPERTIES):
        assert (JO[name], RDF.type, OWL.DatatypeProperty) in ontology, name
    both = set(ontology.subjects(RDF.type, OWL.ObjectProperty)) & set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    assert not both


def test_ranges(ontology):
    assert ontology.value(JO.parameterCount, RDFS.range) == XSD.integer
    assert ontology.value(JO.fiscalYear, RDFS.range) == XSD.gYear
    assert ontology.value(JO.quote, RDFS.range) == XSD.string
    assert ontology.value(JO.developer, RDFS.range) == JO.Agent
    assert ontology.value(JO.trainedOn, RDFS.range) == JO.ComputeResource
    for name in DATE_PROPERTIES:
        assert ontology.value(JO[name], RDFS.range) in (None, RDFS.Literal), name
    for prop in ontology.subjects(RDF.type, OWL.ObjectProperty):
        rng = ontology.value(prop, RDFS.range)
        assert rng is None or isinstance(rng, BNode) or not str(rng).startswith(str(XSD)), prop


def test_union_domains_are_well_formed(ontology):
    domain = ontology.value(JO.developer, RDFS.domain)
    members = set(rdflib.collection.Collection(ontology, ontology.value(domain, OWL.unionOf)))
    assert members == {JO.AIModel, JO.ModelFamily, JO.Software, JO.Corpus, JO.Method}


def test_class_hierarchy_follows_the_docs(ontology):
    for sub, sup in ((JO.Startup, JO.Company), (JO.Company, JO.Organization), (JO.Organization, JO.Agent),
                     (JO.University, JO.EducationalInstitution), (JO.LanguageModel, JO.AIModel),
                     (JO.DocumentSection, JO.Document), (JO.Supercomputer, JO.ComputeResource),
                     (JO.Selection, JO.Event), (JO.Person, JO.Agent)):
        assert (sub, RDFS.subClassOf, sup) in ontology


def test_units_and_statuses_are_individuals(ontology):
    for name in ("Character", "Word", "WebPage", "Parameter", "Percent"):
        assert (JO[name], RDF.type, JO.Unit) in ontology
    for name in ("Released", "InDevelopment", "Planned", "Discontinued"):
        assert (JO[name], RDF.type, JO.Status) in ontology


# --- JSON-LD context -----------------------------------------------------------------------------------------------

def test_context_prefixes(context):
    expected = {"jo": str(JO), "jr": "https://w3id.org/jaikg/resource/", "jev": "https://w3id.org/jaikg/evidence/",
                "jg": "https://w3id.org/jaikg/graph/", "schema": "https://schema.org/"}
    for prefix, iri in expected.items():
        assert context[prefix] == iri
    for prefix in ("rdf", "rdfs", "xsd", "owl", "skos", "dcterms", "prov", "foaf", "org", "oa", "dcat", "void"):
        assert prefix in context
    assert context["label"] == "rdfs:label"


def test_context_names_every_term(ontology, context):
    for term in jo_terms(ontology):
        name = str(term)[len(str(JO)):]
        entry = context.get(name)
        assert entry is not None, name
        assert (entry if isinstance(entry, str) else entry["@id"]) == f"jo:{name}"


def test_context_coercions(context):
    assert context["developer"] == {"@id": "jo:developer", "@type": "@id"}
    assert context["parameterCount"] == {"@id": "jo:parameterCount", "@type": "xsd:integer"}
    assert context["status"]["@type"] == "@id"


def _triples(dataset: rdflib.Dataset) -> rdflib.Graph:
    graph = rdflib.Graph()
    for s, p, o, _ in dataset.quads():
        graph.add((s, p, o))
    return graph


@pytest.mark.parametrize("fixture", ["good.trig", "broken-quantity.trig", "broken-labels.trig"])
def test_context_round_trips_a_dataset(context, fixture):
    original = rdflib.Dataset()
    original.parse(FIXTURES / fixture, format="trig")
    text = original.serialize(format="json-ld", context=context)
    assert '"developer"' in text
    again = rdflib.Dataset()
    again.parse(data=text, format="json-ld")
    assert {g for *_, g in original.quads()} == {g for *_, g in again.quads()}
    assert isomorphic(_triples(original), _triples(again))
    for graph_name in {g for *_, g in original.quads()}:
        assert isomorphic(original.graph(graph_name), again.graph(graph_name)), graph_name


def test_context_round_trips_the_ontology(context, ontology):
    text = ontology.serialize(format="json-ld", context=context)
    assert isomorphic(ontology, rdflib.Graph().parse(data=text, format="json-ld"))
