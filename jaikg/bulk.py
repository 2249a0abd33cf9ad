"""`jaikg load`: large inputs into a persistent on-disk store, all or nothing, for `jaikg serve --store DIR`.

The store is built in a sibling folder (`DIR.loading-PID`): the ontology as `build_store` adds it, then the files
through Oxigraph's bulk loader (streamed, with a progress callback). Meanwhile a helper process
(`jaikg.load_check`) reads the same files into memory, derives the mentions, which are then bulk-loaded too, and
validates with the shapes compiled to SPARQL (`jaikg.shacl_sparql`: pySHACL would dominate at this size), the SPARQL
rules and the quote check. Only a valid store replaces DIR. A syntax error or a violation leaves DIR as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import resources
from .load_check import LoadCheck
from .loading import DataLoadError, bulk_load_files, expand_paths, load_mentions, load_ontology, store_has_data
from .validation import ValidationReport


@dataclass
class LoadResult:
    store_dir: Path
    quads: int
    report: ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall-clock time of each phase: load (the bulk load, with the in-memory copy built and the mentions written
    meanwhile), mentions (waiting for them to be written), optimize (if asked), validate (waiting for the results
    after that)."""
    check_seconds: dict[str, float] = field(default_factory=dict)
    """The helper's phases: memory load, mentions, validate."""


class _Phases:
    """Times the phases of a load."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, name: str, action: Callable[[], object]) -> None:
        start = time.perf_counter()
        action()
        self.seconds[name] = round(time.perf_counter() - start, 3)


def input_files(paths: Iterable[Path | str], include_shipped: bool) -> list[Path]:
    return (resources.data_files() if include_shipped else []) + expand_paths(paths)


def load_to_disk(paths: Iterable[Path | str], store_dir: Path | str, *, include_shipped: bool = True,
                 replace: bool = False, validate: bool = True, optimize: bool = True,
                 on_bytes: Callable[[int], None] = lambda n: None) -> LoadResult:
    """Build a store in `store_dir` from `paths` (plus the shipped data unless `include_shipped` is false).

    `optimize` compacts the store while the helper validates. RocksDB keeps the files of a bulk load as written,
    and the query workers of `jaikg serve --store` open the store read-only, so nothing compacts it while they
    serve (the Oxigraph server's own RocksDB compacts in the background while it serves; `jaikg serve --store`
    compacts a store that is not, before its workers open it). Compacting here, while the helper validates, keeps
    that out of the server's start-up. Read-only at 10^7 triples, a store as `oxigraph load` left it answered the
    3-hop join in 34 s and the aggregate in 80 s, compacted in 5 and 11 s; at 10^6 compaction made such scans
    1.3-1.4x faster. It costs about 4 s at 10^6 triples, 28-46 s at 10^7.

    Raises `DataLoadError` for a file that cannot be parsed, or when `store_dir` already holds a store and
    `replace` is false. When the data does not conform, the returned report says so and `store_dir` is untouched.
    """
    target = Path(store_dir)
    if store_has_data(target) and not replace:
        raise DataLoadError(str(target), "already holds a store; pass --replace to build a new one in its place")
    files = input_files(paths, include_shipped)
    building = target.with_name(f"{target.name}.loading-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    phases = _Phases()
    report = ValidationReport()
    try:
        with LoadCheck(files, building.with_name(building.name + ".mentions.nt"), validate=validate) as check:
            quads = _build(building, files, check, phases, report, on_bytes, optimize)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if not report.conforms:
        shutil.rmtree(building, ignore_errors=True)
    else:
        _swap(building, target)
    return LoadResult(target, quads, report, phases.seconds, check.seconds)


def _build(folder: Path, files: list[Path], check: LoadCheck, phases: _Phases, report: ValidationReport,
           on_bytes: Callable[[int], None], optimize: bool) -> int:
    """Bulk-load the ontology, `files` and the helper's mentions into a new store in `folder`, then add the helper's
    validation results to `report`; returns the number of quads. The store is closed on return."""
    store = ox.Store(str(folder))
    with ThreadPoolExecutor(max_workers=1) as background:
        mentions = background.submit(
            lambda: load_mentions(store, check.wait_for_mentions()))  # as soon as the helper has them
        try:
            phases.run("load", lambda: (load_ontology(store), bulk_load_files(store, files, on_bytes)))
        except BaseException:
            check.stop()  # else the mentions thread would hold the error up until the helper had finished
            raise
        phases.run("mentions", mentions.result)
        if optimize:
            phases.run("optimize", store.optimize)  # meanwhile the helper is still validating
        quads = background.submit(len, store)  # a scan of the store (0.4 s at 10^6), while the helper finishes
        phases.run("validate", lambda: report.results.extend(check.results()))
        store.flush()
        return quads.result()


def _swap(built: Path, target: Path) -> None:
    """Put the new store in place of `target` (which may not exist), then remove the old one."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    built.rename(target)
    shutil.rmtree(old, ignore_errors=True)
