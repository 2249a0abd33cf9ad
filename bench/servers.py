"""The systems the benchmark runs side by side: how each loads the data, starts, is queried and is stopped, and
the memory of its process tree (sampled from /proc)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PAGE = os.sysconf("SC_PAGE_SIZE")


def oxigraph_program() -> str:
    """The Oxigraph server's program: the one pip installed beside this Python (a virtual environment's `bin`, which
    need not be on PATH), else the one on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.exists():
        return str(beside)
    found = shutil.which("oxigraph")
    if found is None:
        raise SystemExit("the Oxigraph server is missing: pip install oxigraph (it is in jaikg's [test] extra)")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            total += int(Path(f"/proc/{current}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        todo.extend(children.get(current, []))
    return total


class PeakMemory:
    """Samples the resident memory of a process tree in the background; `peak` in bytes."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self._stop.wait(self.interval)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


def run_measured(command: list[str]) -> tuple[float, int]:
    """Run a command to its end: (seconds, peak resident bytes of its tree)."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    memory = PeakMemory(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    peak = memory.stop()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed: {stderr.decode()[-2000:]}")
    return seconds, peak


def wait_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 1800) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            said = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"server exited with {process.returncode}; its last words ({log}):\n{said}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} not up within {timeout} s")


@dataclass
class System:
    """One endpoint under test."""

    name: str
    data: Path
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    load_seconds: float | None = None
    """Loading the data: the load command, or start-up until the server answers, plus an HTTP load."""
    load_peak: int | None = None
    start_seconds: float | None = None
    """Start-up until the server answers (after `prepare`)."""
    has_cache: bool = False

    def __post_init__(self) -> None:
        """Subclasses set their own attributes here."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_path(self) -> str:
        return "/sparql"

    @property
    def health_url(self) -> str:
        return self.base + "/healthz"

    def command(self) -> list[str]:
        raise NotImplementedError

    def prepare(self) -> None:
        """Anything before the server starts (a bulk load to disk)."""

    def after_start(self) -> None:
        """Anything after the server answers (an HTTP load)."""

    def start(self) -> None:
        self.prepare()
        start = time.perf_counter()
        self.launch()
        memory = PeakMemory(self.process.pid)
        wait_up(self.health_url, self.process, self.log)
        self.after_start()
        started = time.perf_counter() - start
        peak = memory.stop()
        if self.load_seconds is None:
            self.load_seconds, self.load_peak = started, peak
        self.start_seconds = started

    @property
    def log(self) -> Path:
        """The server's standard error, kept for when it fails."""
        return self.workdir / (re.sub(r"[^a-z0-9]+", "-", self.name.lower()).strip("-") + ".log")

    def launch(self) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(self.command(), stdout=subprocess.DEVNULL, stderr=log)

    def rss(self) -> int:
        return tree_rss(self.process.pid) if self.process else 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        """After a query past the time limit (the engine cannot cancel it)."""
        self.stop()
        self.port = free_port()
        self.launch()
        wait_up(self.health_url, self.process, self.log)
        self.after_start()


JAIKG_LIMITS = ["--max-rows", "0", "--client-concurrency", "64", "--timeout", "600"]
"""The benchmark's clients all come from 127.0.0.1, and the Oxigraph server cuts no answer: lift the per-client
limit and the row limit, so that both send the same bytes."""


class JaikgMemory(System):
    """`jaikg serve` of the file alone (`--no-shipped`, as `jaikg load` below): the other systems hold that file
    and nothing else, and jaikg adds only what it derives from it (the mentions)."""

    def __post_init__(self) -> None:
        self.has_cache = True

    def command(self) -> list[str]:
        return [sys.executable, "-m", "jaikg", "serve", "--port", str(self.port), "--no-shipped",
                "--data", str(self.data), *JAIKG_LIMITS]


def jaikg_load_command(data: Path, store: Path, *options: str) -> list[str]:
    """`jaikg load` of one file (without the shipped data) into a new on-disk store."""
    return [sys.executable, "-m", "jaikg", "load", str(data), "--store", str(store), "--no-shipped", *options]


def oxigraph_load_command(data: Path, store: Path) -> list[str]:
    return [oxigraph_program(), "load", "--location", str(store), "--file", str(data)]


class JaikgDisk(System):
    def __post_init__(self) -> None:
        self.has_cache = True
        self.store = self.workdir / f"jaikg-store-{self.data.stem}"

    def prepare(self) -> None:
        if self.load_seconds is None:
            shutil.rmtree(self.store, ignore_errors=True)
            self.load_seconds, self.load_peak = run_measured(jaikg_load_command(self.data, self.store))

    def command(self) -> list[str]:
        return [sys.executable, "-m", "jaikg", "serve", "--port", str(self.port), "--store", str(self.store),
                *JAIKG_LIMITS]


class OxigraphDisk(System):
    def __post_init__(self) -> None:
        self.store = self.workdir / f"oxigraph-store-{self.data.stem}"

    @property
    def query_path(self) -> str:
        return "/query"

    @property
    def health_url(self) -> str:
        return self.base + "/query?query=ASK%7B%7D"

    def prepare(self) -> None:
        if self.load_seconds is None:
            shutil.rmtree(self.store, ignore_errors=True)
            self.load_seconds, self.load_peak = run_measured(oxigraph_load_command(self.data, self.store))

    def command(self) -> list[str]:
        return [oxigraph_program(), "serve", "--location", str(self.store), "--bind", f"127.0.0.1:{self.port}",
                "--union-default-graph"]


class OxigraphMemory(OxigraphDisk):
    def prepare(self) -> None:
        pass

    def command(self) -> list[str]:
        return [oxigraph_program(), "serve", "--bind", f"127.0.0.1:{self.port}", "--union-default-graph"]

    def after_start(self) -> None:
        with self.data.open("rb") as body:
            request = urllib.request.Request(f"{self.base}/store", data=body, method="POST",
                                             headers={"Content-Type": "application/n-quads",
                                                      "Content-Length": str(self.data.stat().st_size)})
            with urllib.request.urlopen(request, timeout=3600):
                pass


class RdflibEndpoint(System):
    def command(self) -> list[str]:
        return [sys.executable, str(BENCH / "rdflib_endpoint.py"), str(self.data), str(self.port)]


class FixedAnswer(System):
    """Not a SPARQL endpoint: `fixed_answer.py`, the throughput ceiling of a Python WSGI app under granian."""

    def command(self) -> list[str]:
        return [sys.executable, str(BENCH / "fixed_answer.py"), str(self.port)]


SYSTEMS = {"jaikg (memory)": JaikgMemory, "jaikg (--store)": JaikgDisk, "Oxigraph server (memory)": OxigraphMemory,
           "Oxigraph server (disk)": OxigraphDisk, "rdflib endpoint": RdflibEndpoint}
