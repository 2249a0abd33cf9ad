"""Query workers run with mimalloc or jemalloc preloaded when the machine has one (scripts/test.sh installs
Debian's libmimalloc2.0), and with glibc's malloc when told `system`; answers are the same either way. mimalloc is
asked for huge pages unless the environment says otherwise."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from jaikg.sparql import QueryRequest
from jaikg.child_process import ALLOCATORS, worker_allocator
from jaikg.workers import WorkerPool

ASK = QueryRequest("ASK { ?s ?p ?o }", "application/sparql-results+json")


def mapped_libraries(pid: int) -> str:
    return Path(f"/proc/{pid}/maps").read_text()


def environment_of(pid: int) -> dict[str, str]:
    entries = Path(f"/proc/{pid}/environ").read_bytes().decode(errors="replace").split("\0")
    return dict(entry.split("=", 1) for entry in entries if "=" in entry)


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("http://example.org/s"), ox.NamedNode("http://example.org/p"),
                      ox.Literal("o"), ox.DefaultGraph()))
    return store


def test_auto_preloads_an_installed_allocator_in_every_worker(store: ox.Store) -> None:
    library = worker_allocator("auto")
    assert library is not None and Path(library).name in ALLOCATORS, "scripts/test.sh installs libmimalloc2.0"
    with WorkerPool(store, size=2, allocator="auto") as pool:
        assert pool.run(ASK).body == b'{"head":{},"boolean":true}'
        for pid in pool.pids():
            assert library in mapped_libraries(pid)


def test_system_keeps_glibc_malloc(store: ox.Store) -> None:
    with WorkerPool(store, size=1, allocator="system") as pool:
        assert pool.run(ASK).body == b'{"head":{},"boolean":true}'
        maps = mapped_libraries(pool.pids()[0])
        assert "mimalloc" not in maps and "jemalloc" not in maps


def test_a_missing_library_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="nowhere.so"):
        worker_allocator(str(tmp_path / "nowhere.so"))


def test_mimalloc_workers_ask_for_huge_pages(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MIMALLOC_LARGE_OS_PAGES", raising=False)
    with WorkerPool(store, size=1, allocator="auto") as pool:
        assert "mimalloc" in mapped_libraries(pool.pids()[0]), "scripts/test.sh installs libmimalloc2.0"
        assert environment_of(pool.pids()[0]).get("MIMALLOC_LARGE_OS_PAGES") == "1"


def test_an_allocator_setting_in_the_environment_is_kept(store: ox.Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MIMALLOC_LARGE_OS_PAGES", "0")
    with WorkerPool(store, size=1, allocator="auto") as pool:
        assert pool.run(ASK).body == b'{"head":{},"boolean":true}'
        assert environment_of(pool.pids()[0])["MIMALLOC_LARGE_OS_PAGES"] == "0"
