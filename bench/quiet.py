"""Waiting for the machine to be idle before a measurement.

Right after the systems start, the machine is still busy with work that is not a query: the Oxigraph server
compacts, in the background, the on-disk store it has just opened; RocksDB flushes; the rdflib endpoint's
garbage collector runs. On two cores such work weighs on the systems unequally (a server that hands a request from
one thread to another suffers more than one that answers in the thread that read it), so each measurement waits
until the whole machine is idle, up to a limit, and the report says how long it waited and how busy it stayed.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path


def _cpu_times() -> tuple[int, int]:
    """(all, idle) jiffies of the machine since boot, from the first line of /proc/stat (idle counts iowait)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return sum(fields), fields[3] + fields[4]


def busy_cores(seconds: float = 1.0) -> float:
    """How many of the machine's cores were busy, on average, over the next `seconds`."""
    total_before, idle_before = _cpu_times()
    time.sleep(seconds)
    total_after, idle_after = _cpu_times()
    total = total_after - total_before
    return (os.cpu_count() or 1) * (1 - (idle_after - idle_before) / total) if total else 0.0


@dataclass
class Quiet:
    waited_s: float
    busy_cores: float
    """Over the last second before the measurement started."""


def wait_until_quiet(threshold: float = 0.15, limit: float = 120.0) -> Quiet:
    """Wait until fewer than `threshold` cores were busy over a second, or `limit` seconds have passed."""
    started = time.monotonic()
    while True:
        busy = busy_cores()
        waited = time.monotonic() - started
        if busy < threshold or waited >= limit:
            return Quiet(round(waited, 1), round(busy, 2))
