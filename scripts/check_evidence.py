"""Check the evidence-graph pattern in data/*.trig (or the files given).

Every quad sits in a named graph jev:X; jev:X is a jo:Evidence in its own graph with exactly one jo:quote,
one jo:inSection and prov:wasDerivedFrom jr:ai-rnd-in-japan; every quote, white space folded, is a substring
of the folded source. Also reports jr: IRIs used without an rdf:type or rdfs:label anywhere in the files given.
"""
import re
import sys
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
JO = "https://w3id.org/jaikg/ontology#"
JR = "https://w3id.org/jaikg/resource/"
JEV = "https://w3id.org/jaikg/evidence/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"


def fold(s):
    return re.sub(r"\s+", " ", s).strip()


def main(paths):
    source = fold((ROOT / "data/source/ai-rnd-in-japan.md").read_text(encoding="utf-8"))
    errors = []
    typed, labelled, used = set(), set(), defaultdict(set)
    nquotes = 0
    for path in paths:
        graphs = defaultdict(list)
        for q in ox.parse(path=str(path), format=ox.RdfFormat.TRIG):
            if isinstance(q.graph_name, ox.DefaultGraph):
                errors.append(f"{path}: default-graph triple {q.subject} {q.predicate} {q.object}")
                continue
            graphs[q.graph_name.value].append(q)
        for g, quads in graphs.items():
            if not g.startswith(JEV):
                errors.append(f"{path}: graph {g} not in jev:")
            self_ = [q for q in quads if q.subject.value == g]
            quotes = [q.object.value for q in self_ if q.predicate.value == JO + "quote"]
            secs = [q.object.value for q in self_ if q.predicate.value == JO + "inSection"]
            types = [q.object.value for q in self_ if q.predicate.value == RDF_TYPE]
            der = [q.object.value for q in self_ if q.predicate.value == PROV_DERIVED]
            if JO + "Evidence" not in types:
                errors.append(f"{path}: {g} is not typed jo:Evidence in itself")
            if len(quotes) != 1:
                errors.append(f"{path}: {g} has {len(quotes)} quotes")
            if len(secs) != 1:
                errors.append(f"{path}: {g} has {len(secs)} inSection")
            if der != [JR + "ai-rnd-in-japan"]:
                errors.append(f"{path}: {g} prov:wasDerivedFrom {der}")
            if len(quads) == len(self_):
                errors.append(f"{path}: {g} states no facts")
            for qt in quotes:
                nquotes += 1
                if fold(qt) not in source:
                    errors.append(f"{path}: {g} quote not in source: {qt[:90]!r}")
            for q in quads:
                if q.subject.value == g:
                    continue
                for t in (q.subject, q.object):
                    if isinstance(t, ox.NamedNode) and t.value.startswith(JR):
                        used[t.value].add(str(path))
                if q.predicate.value == RDF_TYPE:
                    typed.add(q.subject.value)
                if q.predicate.value == LABEL:
                    labelled.add(q.subject.value)
    for iri in sorted(used):
        if iri not in typed or iri not in labelled:
            errors.append(f"warning: {iri} used without type/label in the files checked")
    for e in errors:
        print(e)
    print(f"{nquotes} quotes checked, {sum(1 for e in errors if not e.startswith('warning'))} errors")
    return 1 if any(not e.startswith("warning") for e in errors) else 0


if __name__ == "__main__":
    files = sys.argv[1:] or sorted(str(p) for p in (ROOT / "data").glob("*.trig"))
    sys.exit(main(files))
