"""Bad data at start-up stops `jaikg serve` with a message naming the file and the line, a non-zero exit, and
nothing served: the port never answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jaikg.locate import locate

from .conftest import FIXTURES
from .live import free_port


def serve_and_watch(*options: str, seconds: float = 120) -> tuple[int, str, bool]:
    """Run `jaikg serve`; return its exit status, its error output, and whether the port ever accepted a
    connection while it ran."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "jaikg", "serve", "--port", str(port), *options],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    served = False
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        with socket.socket() as probe:
            probe.settimeout(0.2)
            served = served or probe.connect_ex(("127.0.0.1", port)) == 0
        time.sleep(0.1)
    if process.poll() is None:
        process.kill()
        pytest.fail("jaikg serve did not stop on bad data")
    return process.returncode, process.stderr.read() if process.stderr else "", served


def test_syntax_error_stops_start_up_naming_file_and_line() -> None:
    status, errors, served = serve_and_watch("--data", str(FIXTURES / "loading" / "syntax-error.ttl"))
    assert status == 2
    assert "syntax-error.ttl, line 5" in errors
    assert not served


def test_shape_violation_stops_start_up_naming_file_and_line() -> None:
    status, errors, served = serve_and_watch("--data", str(FIXTURES / "broken-labels.trig"))
    assert status == 1
    assert "nothing is served" in errors
    assert "broken-labels.trig, line 12: Violation at jr:softbank" in errors
    assert "broken-labels.trig, line 13: Violation at jr:unnamed-model" in errors
    assert not served


def test_a_good_and_a_bad_file_serve_nothing(tmp_path: Path) -> None:
    """A conforming file before a broken one: nothing half-loaded is served."""
    status, errors, served = serve_and_watch("--data", str(FIXTURES / "good.trig"),
                                             "--data", str(FIXTURES / "loading" / "syntax-error.ttl"))
    assert status == 2 and not served
    assert "syntax-error.ttl" in errors


def test_locate_prefers_the_line_that_starts_the_statement(tmp_path: Path) -> None:
    data = tmp_path / "d.ttl"
    data.write_text("@prefix ex: <http://e/> .\nex:a ex:p ex:b .\nex:b ex:p ex:a .\n<http://e/c> ex:p ex:bb .\n")
    assert str(locate("http://e/b", [data])) == f"{data}, line 3"
    assert str(locate("http://e/c", [data])) == f"{data}, line 4"
    assert locate("http://e/bb", [data]).line == 4  # type: ignore[union-attr]
    assert locate("http://e/zz", [data]) is None
