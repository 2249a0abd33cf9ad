"""Synthetic data at scale (`jaikg synth`): a seeded, deterministic graph in jaikg's own ontology for benchmarks.

The output has the shape of the curated data: organizations with research centres, models with developers,
parameter counts, base models, compute and corpora, funding programs selecting proposals with node counts,
supercomputers, corpora with sizes, and every fact in an evidence graph (`jev:synth-…`) that carries a quote and
a section. The quotes are real sentences of the chapter, cycled, so the output passes every check `jaikg validate`
runs, the quote check included. The shipped `data/document.trig` (the source document and its sections) comes
first, so that a synthetic file validates on its own.

Quads are generated lazily and written by pyoxigraph's serializer as they come: memory stays flat whatever the
size. Entities refer only to entities generated earlier (from a bounded window), so `jo:basedOn` never loops.
"""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import resources
from .loading import parse_file
from .namespaces import EVIDENCE, ONTOLOGY, PREFIXES, RESOURCE, SOURCE_DOCUMENT

OUTPUT_FORMATS: dict[str, ox.RdfFormat] = {"trig": ox.RdfFormat.TRIG, "nq": ox.RdfFormat.N_QUADS}
"""Quad syntaxes the generator writes (the evidence needs named graphs), by file extension."""

QUOTES: tuple[tuple[str, str], ...] = (
    ("Nippon Telegraph and Telephone Corporation (NTT) developed “tsuzumi,” a lightweight LLM with Japanese "
     "language proficiency.", "section-2"),
    ("As the first step, it successfully built and released an LLM with 13 billion parameters (13B) in October "
     "2023.", "section-2"),
    ("The company is also developing small-scale to large-scale (a 100 billion parameter class) LLMs.", "section-2"),
    ("GENIAC started supporting the adopted corporations, etc. in securing computing resources and providing "
     "subsidies for the costs incurred in the use of these resources.", "section-3"),
    ("Japanese supercomputers, represented by “Fugaku,” are also being used in the development of AI technology "
     "and the computation of deep learning", "section-3"),
    ("LLMs such as OpenAI's GPT models train by using information collected from the web", "section-3"),
)
"""Verbatim sentences of the chapter (and the section each is printed in) that synthetic evidence graphs cite."""

ORGANIZATION_CLASSES = ("Company", "Startup", "University", "PublicResearchAgency")
PARAMETER_COUNTS = (1_300_000_000, 3_000_000_000, 7_000_000_000, 13_000_000_000, 70_000_000_000, 175_000_000_000)
NAME_WORDS = ("Sakura", "Fuji", "Kaze", "Hikari", "Midori", "Sora", "Umi", "Yama", "Tsuki", "Hoshi", "Kawa", "Mori")
WINDOW = 2000
"""How many recent models, programs, compute resources and corpora a new entity may link to."""

XSD = PREFIXES["xsd"]
RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
RDFS_LABEL = ox.NamedNode(PREFIXES["rdfs"] + "label")
DERIVED_FROM = ox.NamedNode(PREFIXES["prov"] + "wasDerivedFrom")


def jo(name: str) -> ox.NamedNode:
    return ox.NamedNode(ONTOLOGY + name)


def jr(slug: str) -> ox.NamedNode:
    return ox.NamedNode(RESOURCE + slug)


def typed(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode(XSD + datatype))


def english(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


@dataclass
class _Pools:
    """Recently generated entities that later ones link to (bounded: memory does not grow with the size)."""

    models: deque[ox.NamedNode] = field(default_factory=lambda: deque(maxlen=WINDOW))
    programs: deque[ox.NamedNode] = field(default_factory=lambda: deque(maxlen=WINDOW))
    compute: deque[ox.NamedNode] = field(default_factory=lambda: deque(maxlen=WINDOW))
    corpora: deque[ox.NamedNode] = field(default_factory=lambda: deque(maxlen=WINDOW))


class _Writer:
    """Builds the quads of one evidence graph at a time."""

    def __init__(self) -> None:
        self.graphs = 0

    def evidence(self, name: str) -> tuple[ox.NamedNode, list[ox.Quad]]:
        """A new evidence graph describing itself, with the next of the cycled quotes."""
        graph = ox.NamedNode(EVIDENCE + "synth-" + name)
        quote, section = QUOTES[self.graphs % len(QUOTES)]
        self.graphs += 1
        head = [(RDF_TYPE, jo("Evidence")), (jo("quote"), ox.Literal(quote)), (jo("inSection"), jr(section)),
                (DERIVED_FROM, ox.NamedNode(SOURCE_DOCUMENT))]
        return graph, [ox.Quad(graph, p, o, graph) for p, o in head]


def _name(rng: random.Random, kind: str, number: int) -> str:
    return f"{rng.choice(NAME_WORDS)} {rng.choice(NAME_WORDS)} {kind} {number}"


Fact = tuple[str, ox.NamedNode | ox.BlankNode | ox.Literal]


def _describe(node: ox.NamedNode | ox.BlankNode, graph: ox.NamedNode, cls: str, label: str | None,
              *facts: Fact) -> list[ox.Quad]:
    """`node a jo:cls`, its English label (if any) and its `jo:` facts, in `graph`."""
    quads = [ox.Quad(node, RDF_TYPE, jo(cls), graph)]
    if label is not None:
        quads.append(ox.Quad(node, RDFS_LABEL, english(label), graph))
    return quads + [ox.Quad(node, jo(prop), value, graph) for prop, value in facts]


def integer(value: int) -> ox.Literal:
    return typed(str(value), "integer")


def _organization(i: int, rng: random.Random, out: _Writer) -> tuple[list[ox.Quad], list[ox.NamedNode], int]:
    """An organization with one to three research centres; returns the quads, the agents and the founding year."""
    graph, quads = out.evidence(f"org-{i}")
    org = jr(f"synth-org-{i}")
    founded = rng.randint(1950, 2015)
    quads += _describe(org, graph, rng.choice(ORGANIZATION_CLASSES), _name(rng, "Organization", i),
                       ("foundingDate", typed(str(founded), "gYear")))
    agents = [org]
    for k in range(rng.randint(1, 3)):
        unit = jr(f"synth-org-{i}-lab-{k}")
        quads += _describe(unit, graph, "ResearchCentre", f"Research Centre {k} of Organization {i}",
                           ("subOrganizationOf", org))
        agents.append(unit)
    return quads, agents, founded


def _models(i: int, agents: list[ox.NamedNode], founded: int, rng: random.Random, out: _Writer,
            pools: _Pools) -> list[ox.Quad]:
    """Two to four models developed by the organization or its centres, released after its founding, each based
    on, trained on and trained with recent models, computers and corpora (most of the time)."""
    graph, quads = out.evidence(f"models-{i}")
    for k in range(rng.randint(2, 4)):
        model = jr(f"synth-model-{i}-{k}")
        released = f"{rng.randint(max(founded, 2018), 2024)}-{rng.randint(1, 12):02d}"
        facts: list[Fact] = [("developer", rng.choice(agents)),
                             ("parameterCount", integer(rng.choice(PARAMETER_COUNTS))),
                             ("releaseDate", typed(released, "gYearMonth")), ("status", jo("Released"))]
        for prop, pool in (("basedOn", pools.models), ("trainedOn", pools.compute), ("trainingData", pools.corpora)):
            if pool and rng.random() < 0.7:
                facts.append((prop, rng.choice(pool)))
        quads += _describe(model, graph, "LanguageModel", _name(rng, "LLM", i * 10 + k), *facts)
        pools.models.append(model)
    return quads


def _program(i: int, org: ox.NamedNode, rng: random.Random, out: _Writer, pools: _Pools) -> list[ox.Quad]:
    graph, quads = out.evidence(f"program-{i}")
    program = jr(f"synth-program-{i}")
    quads += _describe(program, graph, "FundingProgram", _name(rng, "Program", i), ("runBy", org),
                       ("fiscalYear", typed(str(rng.randint(2016, 2024)), "gYear")))
    pools.programs.append(program)
    return quads


def _proposal(i: int, org: ox.NamedNode, rng: random.Random, out: _Writer, pools: _Pools) -> list[ox.Quad]:
    """A proposal of the organization that a recent program selected, with its node count and the model it led
    to."""
    graph, quads = out.evidence(f"proposal-{i}")
    return quads + _describe(
        jr(f"synth-proposal-{i}"), graph, "SelectedProposal", f"Proposal {i}: {_name(rng, 'foundation model', i)}",
        ("selectedBy", rng.choice(pools.programs)), ("selectedOrganization", org),
        ("nodeCount", integer(rng.choice((8, 16, 30, 60, 120, 240)))), ("round", integer(rng.randint(1, 3))),
        ("ledTo", pools.models[-1]))


def _compute(i: int, org: ox.NamedNode, rng: random.Random, out: _Writer, pools: _Pools) -> list[ox.Quad]:
    graph, quads = out.evidence(f"compute-{i}")
    machine = jr(f"synth-compute-{i}")
    quads += _describe(machine, graph, "Supercomputer", _name(rng, "Supercomputer", i), ("operatedBy", org),
                       ("rankInJapan", integer(rng.randint(1, 500))),
                       ("operationStartDate", typed(f"{rng.randint(2010, 2024)}-04", "gYearMonth")))
    pools.compute.append(machine)
    return quads


def _corpus(i: int, org: ox.NamedNode, rng: random.Random, out: _Writer, pools: _Pools) -> list[ox.Quad]:
    """A corpus with its size as a quantity (a blank node, as in the curated data)."""
    graph, quads = out.evidence(f"corpus-{i}")
    corpus, size = jr(f"synth-corpus-{i}"), ox.BlankNode(f"size{i}")
    quads += _describe(corpus, graph, "Corpus", _name(rng, "Corpus", i), ("developer", org),
                       ("language", ox.Literal("Japanese")), ("size", size))
    quads += _describe(size, graph, "Quantity", None, ("quantityValue", integer(rng.randint(10**8, 10**12))),
                       ("unit", jo("Character")), ("approximate", typed("true", "boolean")))
    pools.corpora.append(corpus)
    return quads


def _cluster(i: int, rng: random.Random, out: _Writer, pools: _Pools) -> Iterator[ox.Quad]:
    """One organization and what surrounds it: its models, and now and then a program, a computer, a corpus."""
    quads, agents, founded = _organization(i, rng, out)
    org = agents[0]
    yield from quads
    if i % 10 == 0:
        yield from _program(i, org, rng, out, pools)
    if i % 8 == 0:
        yield from _compute(i, org, rng, out, pools)
    if i % 4 == 0:
        yield from _corpus(i, org, rng, out, pools)
    yield from _models(i, agents, founded, rng, out, pools)
    if i % 2 == 0:
        yield from _proposal(i, org, rng, out, pools)


def synth_quads(triples: int, seed: int = 0) -> Iterator[ox.Quad]:
    """About `triples` quads (stopping at the first cluster boundary past it): the shipped document description,
    then clusters of organizations, models, programs, proposals, compute and corpora."""
    count = 0
    for quad in parse_file(resources.document_file()):
        count += 1
        yield quad
    rng, out, pools, i = random.Random(seed), _Writer(), _Pools(), 0
    while count < triples:
        for quad in _cluster(i, rng, out, pools):
            count += 1
            yield quad
        i += 1


def output_format(path: Path) -> ox.RdfFormat:
    try:
        return OUTPUT_FORMATS[path.suffix.lower().lstrip(".")]
    except KeyError:
        raise ValueError(f"write synthetic data to a .trig or .nq file, not {path.name!r}") from None


def write_synth(path: Path, triples: int, seed: int = 0) -> None:
    """Stream about `triples` synthetic quads to `path` (TriG or N-Quads, by its extension)."""
    ox.serialize(synth_quads(triples, seed), output=str(path), format=output_format(path),
                 prefixes={name: PREFIXES[name] for name in ("jo", "jr", "jev", "rdfs", "xsd", "prov")})
