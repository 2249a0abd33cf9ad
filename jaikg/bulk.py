"""`jaikg load`: large inputs into a persistent on-disk store, all or nothing, for `jaikg serve --store DIR`.

Two helper processes do the work while the parent shows the progress. The on-disk half (`jaikg.disk_load`) builds
the store in a sibling folder (`DIR.loading-PID`): the ontology as `build_store` adds it, then the files through
Oxigraph's bulk loader (streamed). The in-memory half (`jaikg.load_check`) reads the same files into memory,
derives the mentions, which the parent passes on to be bulk-loaded too, and validates with the shapes compiled to
SPARQL (`jaikg.shacl_sparql`: pySHACL would dominate at this size), the SPARQL rules and the quote check. Only a
valid store replaces DIR. A syntax error or a violation leaves DIR as it was.
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import resources
from .child_process import process_exists
from .disk_load import DiskJob, DiskLoad
from .load_check import LoadCheck
from .load_helper import Phases
from .loading import DataLoadError, expand_paths, store_has_data
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

    Raises `DataLoadError` for a file that cannot be parsed, when `store_dir` already holds a store and `replace`
    is false, when it holds something else, when another process has its store open, or when its parent folders
    cannot be created. When the data does not conform, the returned report says so and `store_dir` is untouched.
    """
    target = Path(store_dir).resolve()  # "." has no name to build the sibling folders' names from
    if not target.name:
        raise DataLoadError(str(target), "the new store is built beside the folder: name one below the root")
    refuse_if_open(target)
    if store_has_data(target) and not replace:
        raise DataLoadError(str(target), "already holds a store; pass --replace to build a new one in its place")
    files = input_files(paths, include_shipped)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        problem = "a file, not a folder" if isinstance(error, FileExistsError) else error.strerror
        raise DataLoadError(str(error.filename or target.parent), f"cannot create the store's folder: {problem}") \
            from None
    remove_abandoned_loads(target)
    building = target.with_name(f"{target.name}.loading-{os.getpid()}")
    shutil.rmtree(building, ignore_errors=True)
    report = ValidationReport()
    try:
        with LoadCheck(files, building.with_name(building.name + ".mentions.nt"), validate=validate) as check, \
                DiskLoad(DiskJob(building, files, optimize)) as disk:
            quads, seconds = _build(disk, check, report, on_bytes)
        if report.conforms:
            refuse_if_open(target)  # again: a server may have opened it meanwhile
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    if not report.conforms:
        shutil.rmtree(building, ignore_errors=True)
    else:
        _swap(building, target)
    return LoadResult(target, quads, report, seconds, check.seconds)


def _build(disk: DiskLoad, check: LoadCheck, report: ValidationReport,
           on_bytes: Callable[[int], None]) -> tuple[int, dict[str, float]]:
    """Pass the mentions from the in-memory half to the on-disk half as soon as they are written, and the bulk
    load's progress to `on_bytes`; once the store is built, add the validation results to `report`. Returns the
    store's quads and the seconds of its phases. Either half failing stops the other."""
    def stop_disk_on_failure(relay: Future[None]) -> None:
        if relay.exception() is not None:  # else the bulk load would wait for mentions that never come
            disk.stop()

    with ThreadPoolExecutor(max_workers=1) as background:
        relayed = background.submit(lambda: disk.send_mentions(check.wait_for_mentions()))
        relayed.add_done_callback(stop_disk_on_failure)
        try:
            quads, seconds = disk.wait(on_bytes)
        except BaseException:
            failure = relayed.exception() if relayed.done() else None  # the in-memory half failed first
            check.stop()  # else the relay would wait for the in-memory half to finish
            if failure is not None:  # and stopped the bulk load: report why
                raise failure from None
            raise
        relayed.result()
    phases = Phases(seconds)
    phases.run("validate", lambda: report.results.extend(check.results()))  # meanwhile the store was compacted
    return quads, phases.seconds


def refuse_if_open(target: Path) -> None:
    """`DataLoadError` when another process has the store in `target` open for writing (`jaikg serve --store`,
    `oxigraph serve`): moving the folder under it corrupts the new store, as that process writes its state into
    the folder now at `target` when it stops. RocksDB holds a POSIX record lock on the store's LOCK file while the
    store is open; taking it here, at once or not at all, tells whether some other process holds it."""
    try:
        descriptor = os.open(target / "LOCK", os.O_RDWR)
    except (FileNotFoundError, NotADirectoryError):  # no store there
        return
    except OSError as error:
        raise DataLoadError(str(target), f"cannot check whether the store is in use: {error.strerror}") from None
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except (BlockingIOError, PermissionError):  # EAGAIN or EACCES: held
        raise DataLoadError(str(target), "the store is open in another process (a server?): stop it first; "
                                         "nothing was changed") from None
    except OSError as error:
        raise DataLoadError(str(target), f"cannot check whether the store is in use: {error.strerror}") from None
    finally:
        os.close(descriptor)  # closing releases the lock


def remove_abandoned_loads(target: Path) -> None:
    """Remove what loads of `target` left behind when they were killed (`TARGET.loading-PID` and its mentions
    file), when the process PID is gone."""
    leftover = re.compile(re.escape(target.name) + r"\.loading-(\d+)(\.mentions\.nt)?")
    for path in target.parent.iterdir():
        found = leftover.fullmatch(path.name)
        if found is None or process_exists(int(found[1])):
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def _swap(built: Path, target: Path) -> None:
    """Put the new store in place of `target` (which may not exist), then remove the old one."""
    old = target.with_name(f"{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    built.rename(target)
    shutil.rmtree(old, ignore_errors=True)
