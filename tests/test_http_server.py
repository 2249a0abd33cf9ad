"""`jaikg serve`'s HTTP server (granian, `jaikg.http_server`) meets odd requests with a clear status before the app
runs, and keeps serving: RFC 9112 / RFC 6585 statuses for a malformed request line and oversized headers, 413 for a
body over the limit; an address it cannot listen on stops it at once with a message that names it."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import requests

from .live import cli_server


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with cli_server() as base_url:
        yield base_url


def status_line(base_url: str, raw: bytes) -> bytes:
    """The status line the server answers `raw` (a whole HTTP/1.1 request) with."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(raw)
        return connection.recv(1024).split(b"\r\n")[0]


def test_a_malformed_request_line_is_400(server: str) -> None:
    assert status_line(server, b"GARBAGE\r\n\r\n") == b"HTTP/1.1 400 Bad Request"


def test_oversized_headers_are_431(server: str) -> None:
    request = b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Padding: " + b"a" * 600_000 + b"\r\n\r\n"
    assert status_line(server, request) == b"HTTP/1.1 431 Request Header Fields Too Large"


def test_a_body_over_the_limit_is_413_and_the_server_goes_on(server: str) -> None:
    response = requests.post(f"{server}/sparql", data=b"a" * (20 * 2**20), timeout=60,
                             headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert requests.get(f"{server}/sparql", params={"query": "ASK {}"}, timeout=30).status_code == 200


@pytest.fixture
def taken_port() -> Iterator[int]:
    """A loopback port another socket is listening on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


def test_a_taken_port_stops_jaikg_serve_before_loading_with_a_clear_error(taken_port: int) -> None:
    done = subprocess.run([sys.executable, "-m", "jaikg", "serve", "--port", str(taken_port)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{taken_port}: Address already in use" in done.stderr
    assert "Traceback" not in done.stderr


def test_granians_bind_failure_becomes_cannot_listen(taken_port: int) -> None:
    """Past the early check (another process may take the port in between), granian's own error is turned into
    the same `CannotListen`, without its Rust backtrace."""
    script = ("import sys\nfrom jaikg.http_server import CannotListen, serve_wsgi\n"
              f"try:\n    serve_wsgi(lambda environ, start: [], '127.0.0.1', {taken_port}, 1)\n"
              "except CannotListen as error:\n    print(error)\n    sys.exit(3)\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3
    message = done.stdout.strip().splitlines()[-1]  # granian logs its start to stdout first
    assert message.startswith(f"cannot listen on 127.0.0.1:{taken_port}: Address already in use")
    assert "backtrace" not in done.stdout + done.stderr
