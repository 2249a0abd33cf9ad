"""What `jaikg serve --data` serves: the files beside the shipped data, or with `--no-shipped` the files alone (so a
benchmark can give jaikg exactly the file it gives other stores)."""

from __future__ import annotations

import subprocess
import sys

import requests

from jaikg.namespaces import sparql_prologue

from .conftest import FIXTURES
from .live import cli_server

PROLOGUE = sparql_prologue(("jr",))


def ask(base_url: str, pattern: str) -> bool:
    response = requests.get(f"{base_url}/sparql", params={"query": f"{PROLOGUE}ASK {{ {pattern} }}"}, timeout=60)
    response.raise_for_status()
    return response.json()["boolean"]


def test_no_shipped_serves_the_data_files_alone() -> None:
    """good.trig describes Swallow but not tsuzumi, which the shipped data describes (and the shipped data plus
    good.trig would not conform: it repeats shipped facts in graphs of its own)."""
    with cli_server("--no-shipped", "--data", str(FIXTURES / "good.trig"), "--workers", "1") as base_url:
        assert ask(base_url, "jr:swallow ?p ?o")
        assert not ask(base_url, "jr:tsuzumi ?p ?o")


def test_no_shipped_without_data_is_a_usage_error() -> None:
    result = subprocess.run([sys.executable, "-m", "jaikg", "serve", "--no-shipped"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 2
    assert "--no-shipped serves the files of --data alone" in result.stderr and "--store" in result.stderr
