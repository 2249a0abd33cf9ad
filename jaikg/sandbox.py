"""Cutting a worker process off the network, so that no query can make the server call another host.

The endpoint refuses `SERVICE` before a query runs (`jaikg.sparql.refuse_outbound`); this is the second wall,
should a query ever slip past that check: a worker moved into a network namespace of its own has no interface
but a loopback that is down, so every connection it attempts fails with "network unreachable". Moving needs
CAP_SYS_ADMIN, or unprivileged user namespaces; where neither is there the worker runs as it is and says so.
"""

from __future__ import annotations

import ctypes
import os

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000


def _unshare(flags: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(flags) == 0:
        return 0
    return ctypes.get_errno()


def isolate_network() -> str | None:
    """Move this process into an empty network namespace. None when done, else why it could not be. Call it before
    the process starts a thread: without CAP_SYS_ADMIN the move goes through a new user namespace, which the kernel
    refuses a multithreaded process (EINVAL)."""
    if not hasattr(os, "sched_getaffinity"):  # not Linux
        return "network namespaces need Linux"
    errno = _unshare(CLONE_NEWNET)
    if errno != 0:
        errno = _unshare(CLONE_NEWUSER | CLONE_NEWNET)
    return None if errno == 0 else os.strerror(errno)
