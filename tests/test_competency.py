"""The competency questions (queries/*.rq) answer exactly what the text says (tests/competency/*.json).

Each expectation file holds the answer worked out from the chapter: `{"rows": [...]}` for the exact answer set,
`{"contains": [...], "count": N}` where only some rows are pinned, or `{"boolean": b}` for ASK. IRIs are written
as prefixed names, literals by their lexical form.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from jaikg.namespaces import expand
from jaikg.resources import query_files

from .conftest import TESTS

EXPECTED = TESTS / "competency"


def _row_key(row: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset((name, expand(value)) for name, value in row.items())


def _solutions(result: ox.QuerySolutions) -> list[frozenset[tuple[str, str]]]:
    names = [v.value for v in result.variables]
    return [frozenset((n, row[n].value) for n in names if row[n] is not None) for row in result]


def test_there_are_at_least_30_questions() -> None:
    assert len(query_files()) >= 30


@pytest.mark.parametrize("query_file", query_files(), ids=lambda p: p.stem)
def test_competency_question(query_file: Path, shipped_store: ox.Store) -> None:
    text = query_file.read_text(encoding="utf-8")
    assert text.lstrip().startswith("# Question:"), "each query starts with the question it answers"
    expected = json.loads((EXPECTED / f"{query_file.stem}.json").read_text(encoding="utf-8"))
    result = shipped_store.query(text, use_default_graph_as_union=True)
    if "boolean" in expected:
        assert bool(result) is expected["boolean"]
        return
    got = _solutions(result)
    if "rows" in expected:
        assert sorted(map(sorted, got)) == sorted(sorted(_row_key(r)) for r in expected["rows"])
    else:
        missing = [r for r in expected["contains"] if _row_key(r) not in set(got)]
        assert not missing, f"rows the text gives but the graph lacks: {missing}"
        if "count" in expected:
            assert len(got) == expected["count"]
