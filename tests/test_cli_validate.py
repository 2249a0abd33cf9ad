"""`jaikg validate` as a user runs it: a real process, its exit codes (0 conforms, 1 does not, 2 could not load)
and a report that names the problem."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from jaikg import resources

from .conftest import FIXTURES


def run_jaikg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jaikg", *args], capture_output=True, text=True, timeout=300)


def test_shipped_data_conforms() -> None:
    done = run_jaikg("validate")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("Conforms: yes")


def test_syntax_error_exits_2_naming_file_and_line() -> None:
    done = run_jaikg("validate", str(FIXTURES / "loading" / "syntax-error.ttl"))
    assert done.returncode == 2
    assert "syntax-error.ttl, line 5" in done.stderr


def test_missing_file_exits_2() -> None:
    done = run_jaikg("validate", str(FIXTURES / "loading" / "absent.ttl"))
    assert done.returncode == 2
    assert "absent.ttl: no such file or folder" in done.stderr


def test_fact_without_evidence_exits_1() -> None:
    done = run_jaikg("validate", str(FIXTURES / "loading" / "no-evidence.ttl"))
    assert done.returncode == 1
    assert "This fact has no evidence" in done.stdout
    assert "jr:ntt" in done.stdout


def test_graph_that_is_not_evidence_exits_1() -> None:
    done = run_jaikg("validate", str(FIXTURES / "loading" / "graph-not-evidence.trig"))
    assert done.returncode == 1
    assert "is not evidence" in done.stdout


def test_misquote_is_reported_as_json() -> None:
    done = run_jaikg("validate", "--format", "json", str(FIXTURES / "loading" / "misquoted.trig"))
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["conforms"] is False
    misquotes = [r for r in report["results"] if r["source"] == "quote check"]
    assert [r["focus"] for r in misquotes] == ["https://w3id.org/jaikg/evidence/ntt-tsuzumi"]


def test_a_statement_longer_than_the_parser_buffer_exits_2_naming_the_file(tmp_path) -> None:
    path = tmp_path / "long-literal.nt"
    path.write_text(f'<https://example.org/a> <https://example.org/p> "{"x" * (17 << 20)}" .\n', encoding="utf-8")
    done = run_jaikg("validate", str(path))
    assert done.returncode == 2
    assert "long-literal.nt" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("command", [("validate", "--endpoint"), ("serve", "--backend"),
                                     ("serve", "--backend", "http://127.0.0.1:9/query", "--update",
                                      "--backend-update")])
def test_an_endpoint_without_a_scheme_exits_2_naming_it(command: tuple[str, ...]) -> None:
    """Before anything starts: a server would otherwise come up and fail on every request."""
    done = run_jaikg(*command, "localhost:7878/query")
    assert done.returncode == 2
    assert command[-1] in done.stderr and "localhost:7878/query" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_folder_without_rdf_files_exits_2_naming_it(tmp_path) -> None:
    """Not "Conforms: yes" for nothing checked."""
    (tmp_path / "notes.txt").write_text("not RDF", encoding="utf-8")
    done = run_jaikg("validate", str(tmp_path))
    assert done.returncode == 2
    assert str(tmp_path) in done.stderr and "without RDF files" in done.stderr


def test_shipped_checks_files_together_with_the_shipped_data(tmp_path) -> None:
    """A file that adds to the shipped graph (a copy of a shipped section here) names entities the rest of the
    shipped data describes: alone it cannot conform, with --shipped it does, as `jaikg load` would take it."""
    added = tmp_path / "section-2.trig"
    added.write_bytes(next(p for p in resources.data_files() if p.name == "section-2.trig").read_bytes())
    assert run_jaikg("validate", str(added)).returncode == 1
    together = run_jaikg("validate", "--shipped", str(added))
    assert together.returncode == 0, together.stdout
