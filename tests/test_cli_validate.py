"""`jaikg validate` as a user runs it: a real process, its exit codes (0 conforms, 1 does not, 2 could not load)
and a report that names the problem."""

from __future__ import annotations

import json
import subprocess
import sys

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
