"""Real servers for the tests: the app under waitress in a thread, or `jaikg serve` in a process, on a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import requests


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(base_url: str, timeout: float = 120.0, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}: {process.stderr.read() if process.stderr else ''}")
        try:
            if requests.get(base_url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no server answered at {base_url} within {timeout} s")


@contextmanager
def thread_server(config: dict[str, Any]) -> Iterator[str]:
    """`create_app(config)` under waitress in a daemon thread; yields the base URL."""
    from waitress.server import create_server

    from jaikg.server import create_app

    server = create_server(create_app(config), host="127.0.0.1", port=0, threads=4)
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
def cli_server(*options: str) -> Iterator[str]:
    """`jaikg serve` in its own process, with `options`; yields the base URL."""
    port = free_port()
    command = [sys.executable, "-m", "jaikg", "serve", "--port", str(port), *options]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base_url, process=process)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
