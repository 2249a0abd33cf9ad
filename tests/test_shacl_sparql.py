"""The shapes compiled to SPARQL find what pySHACL finds: same focus nodes, properties and messages on every
fixture (the engine `jaikg validate` uses on large graphs)."""

from __future__ import annotations

import pytest

from jaikg.loading import build_store
from jaikg.validation import ValidationResult, check_shapes, check_shapes_sparql

from .conftest import FIXTURES

FIXTURE_FILES = sorted(path.name for path in FIXTURES.glob("*.trig"))


def comparable(results: list[ValidationResult]) -> set[tuple[str, str | None, str]]:
    """Blank nodes are named differently by the two engines: compare them as "_"."""
    return {("_" if not r.focus.startswith("http") else r.focus, r.path, r.message) for r in results}


@pytest.mark.parametrize("fixture", FIXTURE_FILES)
def test_compiled_shapes_agree_with_pyshacl(fixture: str) -> None:
    store = build_store([FIXTURES / "good.trig", FIXTURES / fixture], include_shipped=False)
    assert comparable(check_shapes_sparql(store)) == comparable(check_shapes(store))


def test_shipped_data_conforms_under_both_engines(shipped_store) -> None:
    assert check_shapes_sparql(shipped_store) == [] == check_shapes(shipped_store)


def test_subclasses_declared_in_the_data_count_for_sh_class() -> None:
    """The compiled checks read the class hierarchy from the graph they validate, data included (SHACL's
    rdf:type/rdfs:subClassOf*): a developer typed with a subclass of jo:Organization declared in the data is an
    organization, one of an unrelated class is not."""
    store = build_store([FIXTURES / "good.trig", FIXTURES / "subclass-in-data.trig"], include_shipped=False)
    developer = "https://w3id.org/jaikg/ontology#developer"
    found = {(r.focus, r.value) for r in check_shapes_sparql(store) if r.path == developer}
    assert found == {("https://w3id.org/jaikg/resource/swallow-13b", "https://w3id.org/jaikg/resource/notebook-y")}
