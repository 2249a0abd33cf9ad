"""`jaikg load FILE --store DIR`: bulk-loaded, validated, all or nothing; `jaikg serve --store DIR` then serves it
as it is, without reloading."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from jaikg.bulk import load_to_disk
from jaikg.loading import build_store
from jaikg.synth import write_synth

from .conftest import FIXTURES
from .live import cli_server

MODELS = "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/jaikg/ontology#LanguageModel> }"
COMPACTED = re.compile(r"\boptimize [0-9.]+ s\b")
"""The compaction phase in the summary `jaikg load` prints."""
SYNTH_MODELS = MODELS.replace("}", "FILTER(STRSTARTS(STR(?m), 'https://w3id.org/jaikg/resource/synth-')) }")


def run_jaikg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jaikg", *args], capture_output=True, text=True, timeout=300)


def count(store: ox.Store, query: str) -> int:
    return int(next(iter(store.query(query, use_default_graph_as_union=True)))["n"].value)


@pytest.fixture(scope="module")
def synth_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth") / "synth.nq"
    write_synth(path, 10_000, seed=3)
    return path


@pytest.fixture(scope="module")
def loaded(synth_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store_dir = tmp_path_factory.mktemp("stores") / "store"
    done = run_jaikg("load", str(synth_file), "--store", str(store_dir))
    assert done.returncode == 0, done.stderr
    assert "quads in" in done.stderr and "loading" in done.stderr
    assert COMPACTED.search(done.stderr)  # by default: the serving workers open the store read-only
    return store_dir


def test_load_holds_ontology_data_shipped_data_and_mentions(loaded: Path, synth_file: Path) -> None:
    store = ox.Store.read_only(str(loaded))
    graphs = {g.value for g in store.named_graphs()}
    assert {"https://w3id.org/jaikg/graph/ontology", "https://w3id.org/jaikg/graph/mentions"} <= graphs
    assert "https://w3id.org/jaikg/evidence/s2-chatgpt" in graphs
    memory = ox.Store()
    memory.bulk_load(path=str(synth_file), format=ox.RdfFormat.N_QUADS)
    assert count(store, SYNTH_MODELS) == count(memory, SYNTH_MODELS) > 0
    assert count(store, MODELS) > count(store, SYNTH_MODELS)


def test_mentions_are_those_the_in_memory_graph_derives(loaded: Path, synth_file: Path) -> None:
    """The mentions come from the helper process's in-memory copy (`jaikg.load_check`): the same links as
    `build_store` derives with its INSERT, for the shipped data and the synthetic file alike."""
    mentions = ox.NamedNode("https://w3id.org/jaikg/graph/mentions")
    on_disk = set(ox.Store.read_only(str(loaded)).quads_for_pattern(None, None, None, mentions))
    in_memory = set(build_store([synth_file]).quads_for_pattern(None, None, None, mentions))
    assert on_disk == in_memory and len(on_disk) > 1000


def test_load_removes_its_helper_files(loaded: Path) -> None:
    assert sorted(p.name for p in loaded.parent.iterdir()) == [loaded.name]


def test_no_optimize_skips_compaction_and_holds_the_same_graph(loaded: Path, synth_file: Path,
                                                               tmp_path: Path) -> None:
    done = run_jaikg("load", str(synth_file), "--store", str(tmp_path / "plain"), "--no-optimize")
    assert done.returncode == 0, done.stderr
    assert not COMPACTED.search(done.stderr)
    compact, plain = ox.Store.read_only(str(loaded)), ox.Store.read_only(str(tmp_path / "plain"))
    assert len(compact) == len(plain)
    assert without_blank_nodes(compact) == without_blank_nodes(plain)


def without_blank_nodes(store: ox.Store) -> set[ox.Quad]:
    """The quads that name no blank node (each load labels blank nodes afresh)."""
    return {q for q in store if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}


class Interrupted(Exception):
    pass


def test_an_interrupted_load_leaves_nothing_behind(synth_file: Path, tmp_path: Path) -> None:
    """A load stopped part-way (Ctrl-C, a full disk) ends at once, with both helper processes gone and no
    half-built store or mentions file left."""
    def interrupt(_: int) -> None:
        raise Interrupted

    with pytest.raises(Interrupted):
        load_to_disk([synth_file], tmp_path / "store", include_shipped=False, on_bytes=interrupt)
    assert list(tmp_path.iterdir()) == []
    assert not running_children("jaikg.load_check") and not running_children("jaikg.disk_load")


def running_children(module: str) -> list[int]:
    """Live (not zombie) child processes of this one whose command line names `module`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if stat[0] != "Z" and int(stat[1]) == os.getpid() and module in command:
            found.append(int(entry.name))
    return found


def test_existing_store_is_not_replaced_without_replace(loaded: Path, synth_file: Path) -> None:
    done = run_jaikg("load", str(synth_file), "--store", str(loaded))
    assert done.returncode == 2 and "--replace" in done.stderr


def test_invalid_data_leaves_the_store_unchanged(loaded: Path) -> None:
    before = sorted(p.name for p in loaded.iterdir())
    done = run_jaikg("load", str(FIXTURES / "broken-no-developer.trig"), "--store", str(loaded), "--replace",
                    "--no-shipped")
    assert done.returncode == 1 and "does not conform" in done.stderr
    assert sorted(p.name for p in loaded.iterdir()) == before
    assert not list(loaded.parent.glob("*.loading-*"))


def test_syntax_error_exits_2_naming_the_file(tmp_path: Path) -> None:
    done = run_jaikg("load", str(FIXTURES / "loading" / "syntax-error.ttl"), "--store", str(tmp_path / "s"))
    assert done.returncode == 2 and "syntax-error.ttl" in done.stderr


def test_an_invalid_iri_stops_the_load_naming_file_and_line(tmp_path: Path) -> None:
    """The in-memory helper parses leniently (IRIs unchecked); the bulk load of the store parses strictly, so a
    bad IRI still stops the load, and nothing is written."""
    bad = tmp_path / "bad-iri.nt"
    bad.write_text('<https://w3id.org/jaikg/resource/a> <http://www.w3.org/2000/01/rdf-schema#label> "a" .\n'
                   '<https://w3id.org/jaikg/resource/b c> <http://www.w3.org/2000/01/rdf-schema#label> "b" .\n',
                   encoding="utf-8")
    done = run_jaikg("load", str(bad), "--store", str(tmp_path / "s"), "--no-shipped")
    assert done.returncode == 2 and "bad-iri.nt" in done.stderr and "line 2" in done.stderr
    assert not (tmp_path / "s").exists() and not list(tmp_path.glob("s.*"))


def test_a_missing_allocator_library_is_a_usage_error_before_anything_is_written(synth_file: Path,
                                                                                 tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "jaikg", "load", str(synth_file), "--store", str(tmp_path / "s")],
                          capture_output=True, text=True, timeout=300,
                          env={**os.environ, "JAIKG_WORKER_ALLOCATOR": "/no/such/libmalloc.so"})
    assert done.returncode == 2
    assert "JAIKG_WORKER_ALLOCATOR" in done.stderr and "/no/such/libmalloc.so" in done.stderr
    assert "Traceback" not in done.stderr
    assert not list(tmp_path.iterdir())


def test_serve_opens_the_loaded_store_without_reloading(loaded: Path) -> None:
    start = time.monotonic()
    with cli_server("--store", str(loaded), "--workers", "2") as base_url:
        started = time.monotonic() - start
        answer = requests.get(f"{base_url}/sparql", params={"query": MODELS}, timeout=30)
        assert answer.status_code == 200
        served = int(answer.json()["results"]["bindings"][0]["n"]["value"])
    assert served == count(ox.Store.read_only(str(loaded)), MODELS)
    assert started < 30


def table_files(store_dir: Path) -> set[str]:
    """RocksDB's table files (`*.sst`), which compaction rewrites."""
    return {path.name for path in store_dir.iterdir() if path.suffix == ".sst"}


def test_serve_compacts_a_store_loaded_without_compaction(synth_file: Path, tmp_path: Path) -> None:
    """A store as `jaikg load --no-optimize` (or `oxigraph load`) leaves it is compacted by `jaikg serve --store`
    before its read-only workers open it, and serves the same graph; a compacted store is left as it is."""
    store_dir = tmp_path / "plain"
    assert run_jaikg("load", str(synth_file), "--store", str(store_dir), "--no-optimize").returncode == 0
    as_loaded = table_files(store_dir)
    expected = count(ox.Store.read_only(str(store_dir)), MODELS)

    def served_models() -> int:
        with cli_server("--store", str(store_dir), "--workers", "1") as base_url:
            answer = requests.get(f"{base_url}/sparql", params={"query": MODELS}, timeout=30)
            return int(answer.json()["results"]["bindings"][0]["n"]["value"])

    assert served_models() == expected
    compacted = table_files(store_dir)
    assert compacted != as_loaded
    assert served_models() == expected
    assert table_files(store_dir) == compacted
