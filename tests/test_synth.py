"""`jaikg synth`: deterministic, about the size asked for, valid against every check `jaikg validate` runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

from jaikg.loading import build_store
from jaikg.synth import QUOTES, write_synth
from jaikg.validation import check_shapes, fold_whitespace, validate_store
from jaikg import resources


def run_jaikg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jaikg", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def synth_10k(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "synth.trig"
    done = run_jaikg("synth", "--triples", "10000", "-o", str(path), "--seed", "7")
    assert done.returncode == 0, done.stderr
    return path


def test_validates_with_jaikg_validate(synth_10k: Path) -> None:
    done = run_jaikg("validate", str(synth_10k))
    assert done.returncode == 0, done.stdout[:2000]


def test_same_seed_same_bytes_other_seed_other_bytes(synth_10k: Path, tmp_path: Path) -> None:
    write_synth(tmp_path / "again.trig", 10_000, seed=7)
    write_synth(tmp_path / "other.trig", 10_000, seed=8)
    assert (tmp_path / "again.trig").read_bytes() == synth_10k.read_bytes()
    assert (tmp_path / "other.trig").read_bytes() != synth_10k.read_bytes()


@pytest.mark.parametrize("triples", [2_000, 10_000, 50_000])
def test_size_within_five_percent(triples: int, tmp_path: Path) -> None:
    path = tmp_path / "synth.nq"
    write_synth(path, triples)
    quads = sum(1 for _ in ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))
    assert abs(quads - triples) <= 0.05 * triples


def test_small_output_conforms_under_pyshacl_too(tmp_path: Path) -> None:
    """pySHACL, the reference engine, on a graph small enough for it (it needs minutes at 10^4)."""
    path = tmp_path / "small.trig"
    write_synth(path, 1_000)
    store = build_store([path], include_shipped=False)
    assert check_shapes(store) == []
    assert validate_store(store, engine="sparql").conforms


def test_quotes_are_sentences_of_the_chapter() -> None:
    source = fold_whitespace(resources.source_text_file().read_text(encoding="utf-8"))
    assert all(fold_whitespace(quote) in source for quote, _ in QUOTES)


def test_shape_of_the_graph(synth_10k: Path) -> None:
    store = build_store([synth_10k], include_shipped=False)
    counts = {row["c"].value.rpartition("#")[2]: int(row["n"].value) for row in store.query(
        "PREFIX jo: <https://w3id.org/jaikg/ontology#> SELECT ?c (COUNT(*) AS ?n) "
        "WHERE { GRAPH ?g { ?s a ?c } FILTER(?g != <https://w3id.org/jaikg/graph/ontology>) } GROUP BY ?c")}
    for kind in ("ResearchCentre", "LanguageModel", "FundingProgram", "SelectedProposal", "Supercomputer",
                 "Corpus", "Quantity", "Evidence"):
        assert counts.get(kind, 0) > 0, kind
    assert counts["LanguageModel"] > counts["FundingProgram"]
    based_on = store.query("ASK { ?m <https://w3id.org/jaikg/ontology#basedOn> ?b }", use_default_graph_as_union=True)
    assert bool(based_on)
