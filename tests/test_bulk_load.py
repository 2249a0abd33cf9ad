"""`jaikg load FILE --store DIR`: bulk-loaded, validated, all or nothing; `jaikg serve --store DIR` then serves it
as it is, without reloading."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from jaikg.bulk import load_to_disk
from jaikg.loading import DataLoadError, build_store
from jaikg.synth import write_synth

from .conftest import FIXTURES
from .live import cli_server, free_port

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


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_load_stopped_by_a_signal_leaves_nothing_behind(synth_file: Path, tmp_path: Path,
                                                          signum: signal.Signals) -> None:
    """Ctrl-C, SIGTERM (a service manager, `kill`) and SIGHUP (a closed terminal) stop `jaikg load` alike: both
    helpers gone, no half-built store or mentions file left, no traceback, exit 128 + the signal's number. The bulk-loading helper is held
    (SIGSTOP) once it has created its folder, so that the signal comes while the load is under way."""
    store_dir = tmp_path / "stores" / "store"
    store_dir.parent.mkdir()
    stderr = tmp_path / "stderr.txt"  # a file: a held helper would keep a pipe open
    with stderr.open("w") as stream:
        load = subprocess.Popen([sys.executable, "-m", "jaikg", "load", str(synth_file), "--store", str(store_dir)],
                                stdout=subprocess.DEVNULL, stderr=stream)
    helpers: list[int] = []
    try:
        helpers = wait_for(lambda: (running_children("jaikg.disk_load", load.pid)
                                    if list(store_dir.parent.glob("store.loading-*/CURRENT")) else []), count=1)
        os.kill(helpers[0], signal.SIGSTOP)
        helpers += running_children("jaikg.load_check", load.pid)
        load.send_signal(signum)
        assert load.wait(timeout=60) == 128 + signum, "the shell's convention, not 1 (does not conform)"
        assert list(store_dir.parent.iterdir()) == []
        assert not [pid for pid in helpers if is_running(pid)]
        message = stderr.read_text()
        assert "Traceback" not in message and "Error" not in message
        assert "interrupted" in message and "unchanged" in message
    finally:
        for pid in helpers:
            if is_running(pid):
                os.kill(pid, signal.SIGKILL)
        if load.poll() is None:
            load.kill()
            load.wait()


def wait_for(found: Callable[[], list[int]], count: int, timeout: float = 60) -> list[int]:
    """`found()` once it lists `count` items."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = found()
        if len(items) == count:
            return items
        time.sleep(0.01)
    raise AssertionError(f"not {count} found within {timeout} s")


def is_running(pid: int) -> bool:
    """Whether process `pid` exists and is not a zombie."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def running_children(module: str, parent: int | None = None) -> list[int]:
    """Live (not zombie) child processes of `parent` (default: this process) whose command line names `module`."""
    parent = os.getpid() if parent is None else parent
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if stat[0] != "Z" and int(stat[1]) == parent and module in command:
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


def test_a_store_a_server_has_open_is_not_replaced(synth_file: Path, tmp_path: Path) -> None:
    """Moving the folder of a store that `jaikg serve --store` has open corrupts the new store (the server writes
    its state into the folder at that path when it stops): the load is refused before any work, the store and
    the server left as they were."""
    store_dir = tmp_path / "store"
    assert run_jaikg("load", str(synth_file), "--store", str(store_dir), "--no-shipped").returncode == 0
    before = len(ox.Store.read_only(str(store_dir)))
    with cli_server("--store", str(store_dir), "--workers", "1") as base_url:
        done = run_jaikg("load", str(synth_file), "--store", str(store_dir), "--replace")
        assert done.returncode == 2
        assert str(store_dir) in done.stderr and "open in another process" in done.stderr
        assert "Traceback" not in done.stderr
        assert requests.get(f"{base_url}/sparql", params={"query": MODELS}, timeout=30).status_code == 200
        second = run_jaikg("serve", "--store", str(store_dir), "--port", str(free_port()))
        assert second.returncode == 2 and "open in another process" in second.stderr
        assert "Traceback" not in second.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    assert len(ox.Store.read_only(str(store_dir))) == before  # the server may compact, not change it


def test_a_store_opened_during_the_load_is_not_replaced(synth_file: Path, tmp_path: Path) -> None:
    """The store is checked again just before the new one takes its place: a process that opened it meanwhile
    keeps it, and the new store is removed."""
    store_dir = tmp_path / "store"
    assert run_jaikg("load", str(synth_file), "--store", str(store_dir), "--no-shipped").returncode == 0
    before = len(ox.Store.read_only(str(store_dir)))
    holder: list[subprocess.Popen[str]] = []

    def open_the_store(_: int) -> None:
        if not holder:
            holder.append(subprocess.Popen(
                [sys.executable, "-c", "import sys, pyoxigraph; store = pyoxigraph.Store(sys.argv[1]); "
                                       "print('open', flush=True); sys.stdin.read()", str(store_dir)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True))
            assert holder[0].stdout.readline() == "open\n"

    try:
        with pytest.raises(DataLoadError, match="open in another process"):
            load_to_disk([synth_file], store_dir, include_shipped=False, replace=True, on_bytes=open_the_store)
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store"]
    finally:
        for process in holder:
            process.communicate("", timeout=30)
    assert len(ox.Store.read_only(str(store_dir))) == before


def test_a_folder_that_is_not_a_store_is_refused_and_kept(tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / ".gitkeep").touch()
    for command in (["load", "--store", str(folder)],
                    ["serve", "--store", str(folder), "--port", str(free_port()), "--workers", "1"]):
        done = run_jaikg(*command)
        assert done.returncode == 2, command
        assert f"{folder}: not an Oxigraph store" in done.stderr and "Traceback" not in done.stderr
        assert [p.name for p in folder.iterdir()] == [".gitkeep"]
    assert [p.name for p in tmp_path.iterdir()] == ["notes"]


def test_missing_parent_folders_of_the_store_are_created(synth_file: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "deep" / "a" / "b"
    done = run_jaikg("load", str(synth_file), "--store", str(store_dir), "--no-shipped")
    assert done.returncode == 0, done.stderr
    assert count(ox.Store.read_only(str(store_dir)), SYNTH_MODELS) > 0
    assert [p.name for p in store_dir.parent.iterdir()] == ["b"]


def test_the_current_folder_as_store(synth_file: Path, tmp_path: Path) -> None:
    here = tmp_path / "here"
    here.mkdir()
    done = subprocess.run([sys.executable, "-m", "jaikg", "load", str(synth_file), "--store", ".", "--no-shipped"],
                          capture_output=True, text=True, timeout=300, cwd=here)
    assert done.returncode == 0, done.stderr
    assert count(ox.Store.read_only(str(here)), SYNTH_MODELS) > 0
    assert [p.name for p in tmp_path.iterdir()] == ["here"]


def test_a_killed_helper_exits_2_and_leaves_nothing_behind(synth_file: Path, tmp_path: Path) -> None:
    store_dir = tmp_path / "store"
    load = subprocess.Popen([sys.executable, "-m", "jaikg", "load", str(synth_file), "--store", str(store_dir)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        [helper] = wait_for(lambda: running_children("jaikg.load_check", load.pid), count=1)
        os.kill(helper, signal.SIGKILL)
        _, stderr = load.communicate(timeout=120)
    finally:
        if load.poll() is None:
            load.kill()
            load.wait()
    assert load.returncode == 2
    assert str(store_dir) in stderr and "stopped" in stderr and "Traceback" not in stderr
    assert list(tmp_path.iterdir()) == []


def test_what_killed_loads_left_is_removed_by_the_next(synth_file: Path, tmp_path: Path) -> None:
    """A load killed outright (SIGKILL, a power cut) leaves its folder and mentions file; the next load of the
    same store removes those of processes that are gone, and nothing else."""
    gone = subprocess.Popen([sys.executable, "-c", ""])
    gone.wait()
    abandoned = [tmp_path / f"store.loading-{gone.pid}", tmp_path / f"store.loading-{gone.pid}.mentions.nt"]
    abandoned[0].mkdir()
    (abandoned[0] / "000001.sst").write_bytes(b"x")
    abandoned[1].write_text("", encoding="utf-8")
    kept = [tmp_path / f"store.loading-{os.getpid()}.mentions.nt", tmp_path / f"other.loading-{gone.pid}"]
    for path in kept:
        path.write_text("", encoding="utf-8")
    done = run_jaikg("load", str(synth_file), "--store", str(tmp_path / "store"), "--no-shipped")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["store", *(p.name for p in kept)])


def test_a_statement_longer_than_the_parser_buffer_exits_2_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "long-literal.nt"
    path.write_text(f'<https://example.org/a> <https://example.org/p> "{"x" * (17 << 20)}" .\n', encoding="utf-8")
    done = run_jaikg("load", str(path), "--store", str(tmp_path / "store"))
    assert done.returncode == 2
    assert "long-literal.nt" in done.stderr and "Traceback" not in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["long-literal.nt"]


def test_a_dump_of_the_graph_loads_back_as_the_same_graph(shipped_store: ox.Store, tmp_path: Path) -> None:
    """The dump holds the ontology's graph with its blank nodes: loaded back, the ontology is there once."""
    dump = tmp_path / "dump.nq"
    shipped_store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    done = run_jaikg("load", str(dump), "--store", str(tmp_path / "store"), "--no-shipped")
    assert done.returncode == 0, done.stderr
    assert len(ox.Store.read_only(str(tmp_path / "store"))) == len(shipped_store)
