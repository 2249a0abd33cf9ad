"""The command line as a user meets it, on the inputs of an audit: each report names the file and line of a
problem, machine reports stay machine-readable, dumps are reproducible, `-o` and `--format` agree, query files are
read as files, tables line up with Japanese text, and empty or odd inputs are named."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from .conftest import FIXTURES
from .test_cli_validate import run_jaikg

PROLOGUE = """@prefix jo: <https://w3id.org/jaikg/ontology#> .
@prefix jr: <https://w3id.org/jaikg/resource/> .
@prefix jev: <https://w3id.org/jaikg/evidence/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
"""
ILL_TYPED = PROLOGUE + """jev:s4-elsi {
  jr:swallow jo:releaseDate "yesterday"^^xsd:integer .
}
"""
"""Lines 7 and 8: the graph (not evidence when checked alone) and the ill-typed date of jr:swallow."""
RELEASE_DATE = "https://w3id.org/jaikg/ontology#releaseDate"


@pytest.fixture
def ill_typed(tmp_path: Path) -> Path:
    path = tmp_path / "dtype.trig"
    path.write_text(ILL_TYPED, encoding="utf-8")
    return path


# 1. Violations name their file and line, in every command; RDF/XML errors have a position.

def test_validate_names_the_file_and_line_of_each_violation(ill_typed: Path) -> None:
    done = run_jaikg("validate", str(ill_typed))
    assert done.returncode == 1
    assert f"- {ill_typed}, line 8: Violation at jr:swallow, path jo:releaseDate" in done.stdout
    assert f"- {ill_typed}, line 7: Violation at jev:s4-elsi" in done.stdout


def test_validate_json_gives_file_and_line(ill_typed: Path) -> None:
    done = run_jaikg("validate", "--format", "json", str(ill_typed))
    assert done.returncode == 1
    [date] = [r for r in json.loads(done.stdout)["results"] if r["path"] == RELEASE_DATE]
    assert (date["file"], date["line"]) == (str(ill_typed), 8)


def test_load_names_the_file_and_line_of_each_violation(ill_typed: Path, tmp_path: Path) -> None:
    store = tmp_path / "store"
    done = run_jaikg("load", "--no-shipped", str(ill_typed), "--store", str(store))
    assert done.returncode == 1
    assert f"- {ill_typed}, line 8: Violation at jr:swallow, path jo:releaseDate" in done.stderr
    assert not store.exists()


RDF_XML_HEAD = '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'


@pytest.mark.parametrize(("body", "where"), [
    (b'<rdf:Description rdf:about="http://ex/a">\n<foo:bar>x</foo:bar>\n</rdf:Description></rdf:RDF>\n',
     "line 4, column 2: Unknown prefix foo:"),
    ('<rdf:Description rdf:about="http://ex/a">\n<rdf:value>café</rdf:value></rdf:Description></rdf:RDF>\n'
     .encode("latin-1"), "line 4, column 15: "),
    (b'<rdf:Description rdf:about="http://ex/a">\n</rdf:Description>\n<oops>\n</rdf:RDF>\n', "line 5: "),
], ids=["unknown prefix", "latin-1", "no namespace"])
def test_an_rdf_xml_error_names_its_line(tmp_path: Path, body: bytes, where: str) -> None:
    """Oxigraph's RDF/XML parser reports no position; the message still names the line (and the column of the
    prefix, or of the first byte that is not UTF-8)."""
    path = tmp_path / "broken.rdf"
    path.write_bytes(RDF_XML_HEAD.encode() + body)
    done = run_jaikg("validate", str(path))
    assert done.returncode == 2
    assert f"could not load {path}, {where}" in done.stderr


# 2. The JSON report of a file that cannot be loaded; stable shape names.

def test_validate_json_of_a_file_that_cannot_be_loaded_is_json() -> None:
    path = FIXTURES / "loading" / "syntax-error.ttl"
    done = run_jaikg("validate", "--format", "json", str(path))
    assert done.returncode == 2
    report = json.loads(done.stdout)
    assert report["conforms"] is None and report["results"] == []
    assert report["error"]["file"] == str(path) and report["error"]["line"] == 5
    assert report["error"]["column"] is not None and report["error"]["message"]


def test_validate_json_names_shapes_the_same_at_every_run(ill_typed: Path) -> None:
    """The date check is a property shape written inline in jos:DateValuesShape: named by that shape and its path,
    not by the blank node pySHACL sees (another one at each run)."""
    sources = [{r["source"] for r in json.loads(run_jaikg("validate", "--engine", "shacl", "--format", "json",
                                                          str(ill_typed)).stdout)["results"]} for _ in range(2)]
    assert sources[0] == sources[1]
    assert f"https://w3id.org/jaikg/shapes#DateValuesShape, path {RELEASE_DATE}" in sources[0]


# 3. No rdflib traceback for an ill-typed literal.

def test_an_ill_typed_literal_is_a_violation_without_a_traceback(ill_typed: Path) -> None:
    """pySHACL's engine (the one for small graphs) reads the data with rdflib, which logs a traceback for each
    literal whose text is not of its datatype."""
    done = run_jaikg("validate", "--engine", "shacl", str(ill_typed))
    assert done.returncode == 1 and "path jo:releaseDate" in done.stdout
    assert "Traceback" not in done.stderr and "Failed to convert" not in done.stderr


# 4. Dumps are the same bytes every time.

@pytest.mark.parametrize("fmt", ["nt", "nq"])
def test_an_export_is_the_same_bytes_twice(fmt: str) -> None:
    dumps = [run_jaikg("export", "--format", fmt) for _ in range(2)]
    assert all(done.returncode == 0 for done in dumps)
    assert "_:" in dumps[0].stdout  # the ontology's blank nodes (unions of classes) are in it
    assert hashlib.sha256(dumps[0].stdout.encode()).digest() == hashlib.sha256(dumps[1].stdout.encode()).digest()


# 5. -o and --format.

def test_export_takes_the_format_from_the_extension(tmp_path: Path) -> None:
    target = tmp_path / "dump.jsonld"
    done = run_jaikg("export", "--part", "ontology", "-o", str(target))
    assert done.returncode == 0, done.stderr
    assert "@context" in json.loads(target.read_text(encoding="utf-8"))


def test_export_refuses_a_format_the_extension_contradicts(tmp_path: Path) -> None:
    target = tmp_path / "x.nq"
    done = run_jaikg("export", "--format", "ttl", "-o", str(target))
    assert done.returncode == 2
    assert "--format ttl" in done.stderr and "x.nq" in done.stderr
    assert not target.exists()


def test_export_refuses_an_extension_it_cannot_read_without_format(tmp_path: Path) -> None:
    target = tmp_path / "dump.txt"
    done = run_jaikg("export", "-o", str(target))
    assert done.returncode == 2 and "dump.txt" in done.stderr and "--format" in done.stderr
    assert not target.exists()


# 6. Query files.

def test_a_query_file_that_does_not_exist_is_named(tmp_path: Path) -> None:
    done = run_jaikg("query", str(tmp_path / "nonexist.rq"))
    assert done.returncode == 2
    assert f"no such file: {tmp_path / 'nonexist.rq'}" in done.stderr


def test_a_folder_is_not_a_query(tmp_path: Path) -> None:
    done = run_jaikg("query", str(tmp_path))
    assert done.returncode == 2
    assert f"{tmp_path} is a folder" in done.stderr


def test_a_query_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bom.rq"
    path.write_bytes(b"\xef\xbb\xbfASK { ?s ?p ?o }\r\n")
    done = run_jaikg("query", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "true"


def test_a_data_file_with_a_byte_order_mark_loads(tmp_path: Path, ill_typed: Path) -> None:
    """The same findings as without the mark, on the same lines."""
    path = tmp_path / "bom.trig"
    path.write_bytes(b"\xef\xbb\xbf" + ill_typed.read_bytes())
    done = run_jaikg("validate", str(path))
    assert done.returncode == 1, done.stderr
    assert f"- {path}, line 8: Violation at jr:swallow, path jo:releaseDate" in done.stdout


# 7. Tables line up by display width.

def test_a_table_aligns_japanese_text_by_display_width() -> None:
    done = run_jaikg("query", 'SELECT ?a ?b WHERE { VALUES (?a ?b) { ("日本語のテキスト"@ja "x") ("abc" "y") } }')
    assert done.returncode == 0, done.stderr
    # 日本語のテキスト: 8 wide characters, 16 columns; with "@ja", 19
    assert done.stdout.splitlines()[:4] == ["a" + " " * 18 + "  b",
                                            "-" * 19 + "  -",
                                            "日本語のテキスト@ja  x",
                                            "abc" + " " * 16 + "  y"]


# 8. Empty and odd inputs.

def test_an_empty_file_is_named_in_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "empty.trig"
    path.write_bytes(b"")
    done = run_jaikg("validate", str(path))
    assert done.returncode == 0
    assert "warning" in done.stderr and str(path) in done.stderr and "no triples" in done.stderr


def test_a_device_is_not_called_missing() -> None:
    done = run_jaikg("validate", "/dev/null")
    assert done.returncode == 2
    assert "/dev/null: not a regular file" in done.stderr and "no such file" not in done.stderr
