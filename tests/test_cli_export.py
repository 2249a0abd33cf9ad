"""`jaikg export` as a user runs it: a real process writing a file or standard output."""

from __future__ import annotations

import pytest
import rdflib

from jaikg.export import export_graph

from .test_cli_validate import run_jaikg


def test_export_writes_the_file_the_library_makes(shipped_store, tmp_path) -> None:
    target = tmp_path / "ontology.ttl"
    done = run_jaikg("export", "--format", "ttl", "--part", "ontology", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert len(rdflib.Graph().parse(target, format="turtle")) == len(
        rdflib.Graph().parse(data=export_graph(shipped_store, "ttl", "ontology").decode(), format="turtle"))


def test_export_to_stdout_without_provenance_has_no_quotes() -> None:
    done = run_jaikg("export", "--format", "nt", "--part", "data", "--no-provenance")
    assert done.returncode == 0, done.stderr
    assert "https://w3id.org/jaikg/resource/" in done.stdout
    assert "ontology#quote>" not in done.stdout


def test_unknown_export_format_is_a_usage_error() -> None:
    done = run_jaikg("export", "--format", "csv")
    assert done.returncode == 2
    assert "csv" in done.stderr


@pytest.mark.parametrize("command", [("export",), ("graph",), ("synth", "--triples", "1000")])
def test_a_file_that_cannot_be_written_exits_2_naming_it(tmp_path, command: tuple[str, ...]) -> None:
    target = tmp_path / "no-such-folder" / ("out.nq" if command[0] == "synth" else "out.ttl")
    done = run_jaikg(*command, "-o", str(target))
    assert done.returncode == 2
    assert str(target) in done.stderr and "Traceback" not in done.stderr
