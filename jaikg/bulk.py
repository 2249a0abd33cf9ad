"""`jaikg load`: large inputs into a persistent on-disk store, all or nothing, for `jaikg serve --store DIR`.

The store is built in a sibling folder (`DIR.loading-PID`): the ontology as `build_store` adds it, the files through
Oxigraph's bulk loader (streamed, with a progress callback), `optimize` (an uncompacted store after a bulk load
answers scans many times slower), then the derived mentions. It is validated with the shapes compiled to SPARQL
(`jaikg.shacl_sparql`: pySHACL would dominate at this size), the SPARQL rules and the quote check; only a valid
store replaces DIR. A syntax error or a violation leaves DIR as it was.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from . import resources
from .loading import (DataLoadError, bulk_derive_mentions, bulk_load_files, expand_paths, load_ontology,
                      store_has_data)
from .validation import ValidationReport, validate_store


@dataclass
class LoadResult:
    store_dir: Path
    quads: int
    report: ValidationReport
    seconds: dict[str, float] = field(default_factory=dict)
    """Wall-clock time of each phase: load, mentions, optimize, validate."""


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
                 replace: bool = False, validate: bool = True,
                 on_bytes: Callable[[int], None] = lambda n: None) -> LoadResult:
    """Build a store in `store_dir` from `paths` (plus the shipped data unless `include_shipped` is false).

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
    try:
        store = ox.Store(str(building))
        phases.run("load", lambda: (load_ontology(store), bulk_load_files(store, files, on_bytes)))
        phases.run("optimize", store.optimize)
        phases.run("mentions", lambda: bulk_derive_mentions(store))
        report = ValidationReport()
        if validate:
            phases.run("validate", lambda: report.results.extend(validate_store(store, engine="sparql").results))
        quads = len(store)
        store.flush()
        del store
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if not report.conforms:
        shutil.rmtree(building, ignore_errors=True)
    else:
        _swap(building, target)
    return LoadResult(target, quads, report, phases.seconds)


def _swap(built: Path, target: Path) -> None:
    """Put the new store in place of `target` (which may not exist), then remove the old one."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    built.rename(target)
    shutil.rmtree(old, ignore_errors=True)
