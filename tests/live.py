"""Real servers for the tests: the app under waitress in a thread, or `jaikg serve` in a process, on a free port.

`jaikg serve` runs the app on granian (`jaikg.http_server`), which installs signal handlers and so runs only in a
main thread: tests of an app built around in-process fixtures (a gated executor, a small worker pool) serve it with
waitress in a thread, and the tests that start `jaikg serve` (`cli_server`: the W3C protocol suite, timeouts,
streaming, updates) exercise granian."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base_url: str, timeout: float = 120.0, process: subprocess.Popen | None = None,
                  ready: tuple[int, ...] = (200,), path: str = "/healthz") -> None:
    """Wait until `path` answers with a status in `ready` (a server whose backend is down answers 502)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {process.stderr.read() if process.stderr else ''}")
        try:
            if requests.get(base_url + path, timeout=10).status_code in ready:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no server answered at {base_url} within {timeout} s")


def settled(app: Any) -> Any:
    """`app` (a Flask app of `create_app`) once the second in which its graph was loaded is over: until then its
    answers carry no Last-Modified (`server.cache.last_modified_second`), so tests comparing headers wait."""
    changed = app.extensions["jaikg"].executor.last_modified
    time.sleep(max(0.0, int(changed) + 1 - time.time()))
    return app


@contextmanager
def thread_server(config: dict[str, Any], app: Any = None) -> Iterator[str]:
    """`create_app(config)` (or `app`, when given) under waitress in a daemon thread; yields the base URL."""
    from waitress.server import create_server

    from jaikg.server import create_app

    server = create_server(app if app is not None else create_app(config), host="127.0.0.1", port=0, threads=4)
    base_url = f"http://127.0.0.1:{server.effective_port}"
    stopping = threading.Event()

    def run() -> None:
        try:
            server.run()
        except OSError:
            if not stopping.is_set():  # closing the socket under the select loop ends it with EBADF
                raise

    threading.Thread(target=run, daemon=True).start()
    try:
        wait_until_up(base_url)
        yield base_url
    finally:
        stopping.set()
        server.close()


@contextmanager
def process_server(command: list[str], port: int, *, ready: tuple[int, ...] = (200,),
                   path: str = "/healthz") -> Iterator[str]:
    """`command` (a server listening on `port`) in its own process; yields the base URL once `path` answers a
    status in `ready`, and stops the process afterwards."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, process=process, ready=ready, path=path)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def cli_server(*options: str, ready: tuple[int, ...] = (200,)) -> Iterator[str]:
    """`jaikg serve` in its own process, with `options`; yields the base URL once `/healthz` answers a status in
    `ready`."""
    port = free_port()
    with process_server([sys.executable, "-m", "jaikg", "serve", "--port", str(port), *options], port,
                        ready=ready) as base_url:
        yield base_url


def oxigraph_program() -> str:
    """The Oxigraph server pip installed beside this Python (a virtual environment's `bin`, which need not be on
    PATH), else the one on PATH; it is in jaikg's [test] extra, so its absence fails the tests that need it."""
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph") or "oxigraph"


@contextmanager
def oxigraph_server(location: str, *options: str) -> Iterator[str]:
    """The Oxigraph server (pip package `oxigraph`) on a free loopback port, storing in `location`; yields its base
    URL (`/query`, `/update`, `/store`) once it answers."""
    port = free_port()
    command = [oxigraph_program(), "serve", "--location", location, "--bind", f"127.0.0.1:{port}", *options]
    with process_server(command, port, path="/query?query=ASK%7B%7D") as base_url:
        yield base_url
