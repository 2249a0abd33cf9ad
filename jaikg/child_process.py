"""Helper processes: a fresh interpreter running one of jaikg's modules, talking to its parent over a socket.

A fresh interpreter (`python -m MODULE FD`, like multiprocessing's "spawn" without re-importing the parent's main
module), because forking a multithreaded process could copy a lock another thread holds. The query workers
(`jaikg.workers`) and the in-memory half of `jaikg load` (`jaikg.load_check`) are started this way, with mimalloc or
jemalloc preloaded when the machine has one: Oxigraph allocates heavily while it evaluates joins and aggregates,
and under glibc's malloc those ran 1.2-2x slower (measured in bench/). mimalloc is also told to back its memory with
transparent huge pages (`ALLOCATOR_ENVIRONMENT`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from multiprocessing.connection import Connection
from pathlib import Path

ALLOCATORS = ("libmimalloc.so.2", "libjemalloc.so.2")
"""Shared libraries tried for a helper's malloc, in order (Debian: libmimalloc2.0, libjemalloc2)."""
ALLOCATOR_ENVIRONMENT: dict[str, dict[str, str]] = {
    "libmimalloc.so.2": {"MIMALLOC_LARGE_OS_PAGES": "1"},
}
"""Settings a helper gets with its allocator, unless its environment already has them. With huge pages (the
kernel's transparent ones, asked for by madvise) a worker's store and the tables a query builds cost fewer TLB
misses and page faults: in interleaved rounds at 10^5 triples the joins, the aggregate and the regex filter ran
4-11% faster (3-hop join 1.24-1.29x the Oxigraph server's latency before, 1.13-1.16x after), at 10^6 0-10%, for
1-2% more resident memory; the in-memory half of `jaikg load` used about 10% less CPU."""
LIBRARY_DIRS = ("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/lib")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def worker_allocator(setting: str | None = None) -> str | None:
    """The shared library helpers preload as their malloc: `setting` (or `$JAIKG_WORKER_ALLOCATOR`) is "auto" (the
    first of ALLOCATORS found, the default), "system" (glibc's, nothing preloaded) or a path."""
    choice = setting or os.environ.get("JAIKG_WORKER_ALLOCATOR") or "auto"
    if choice == "system":
        return None
    if choice != "auto":
        if not Path(choice).is_file():
            raise ValueError(f"worker allocator {choice!r} is not a file (use auto, system or a library path)")
        return choice
    return next((str(Path(folder) / name) for name in ALLOCATORS for folder in LIBRARY_DIRS
                 if (Path(folder) / name).is_file()), None)


def start(module: str, allocator: str | None) -> tuple[subprocess.Popen[bytes], Connection]:
    """Run `python -m module FD` with `allocator` preloaded; returns the process and the parent's end of the socket
    (the child opens its end with `Connection(int(sys.argv[1]))`)."""
    parent_sock, child_sock = socket.socketpair()
    environment = dict(os.environ)
    if allocator is not None:
        environment["LD_PRELOAD"] = " ".join(filter(None, [allocator, environment.get("LD_PRELOAD")]))
        for name, value in ALLOCATOR_ENVIRONMENT.get(Path(allocator).name, {}).items():
            environment.setdefault(name, value)
    with child_sock:
        process = subprocess.Popen(
            [sys.executable, "-m", module, str(child_sock.fileno())], pass_fds=[child_sock.fileno()],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, close_fds=True, env=environment)
    return process, Connection(parent_sock.detach())


def exit_with_parent(interval: float = 1.0) -> None:
    """End this helper once its parent is gone, even in the middle of a query (Oxigraph evaluates without holding
    the GIL, so this thread runs meanwhile)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval)
        os._exit(1)

    threading.Thread(target=watch, name="jaikg-parent-watch", daemon=True).start()


def private_memory(pid: int) -> int | None:
    """Bytes of the resident memory of process `pid` that are its own: resident minus file-backed and shared pages
    (`/proc/PID/statm`), so its heap counts and the libraries, or the files of an on-disk store the kernel caches
    for it, do not. None when there is no such process (or no /proc: not Linux)."""
    try:
        with open(f"/proc/{pid}/statm", "rb") as statm:
            fields = statm.read().split()
    except OSError:
        return None
    return (int(fields[1]) - int(fields[2])) * PAGE_SIZE


def process_exists(pid: int) -> bool:
    """Whether a process `pid` is running (or is another user's): what a dead one left behind may be removed."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True
