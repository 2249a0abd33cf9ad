"""`/`: the query UI (YASGUI, vendored), with the competency questions as example tabs."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, jsonify, render_template, url_for
from flask.typing import ResponseReturnValue

from jaikg import resources
from jaikg.namespaces import PREFIXES, sparql_prologue

from ..links import LOCAL_DOCUMENTS, LOCAL_PREFIXES

bp = Blueprint("ui", __name__)

QUESTION = re.compile(r"^#\s*Question:\s*(.+)$", re.MULTILINE)

STARTER = sparql_prologue(("jo", "jr", "rdfs")) + """
# Swallow: what the graph says about it, and where the report says it
SELECT ?p ?o ?quote ?section WHERE {
  GRAPH ?ev { jr:swallow ?p ?o }
  ?ev jo:quote ?quote ; jo:inSection/rdfs:label ?section .
}
"""


@dataclass(frozen=True)
class ExampleQuery:
    name: str
    query: str


def example_queries() -> list[ExampleQuery]:
    """The competency questions (queries/*.rq), each named by its `# Question:` header."""
    examples = []
    for path in resources.query_files():
        text = path.read_text(encoding="utf-8")
        match = QUESTION.search(text)
        examples.append(ExampleQuery(match.group(1).strip() if match else _title(path), text))
    return examples or [ExampleQuery("Swallow, with its evidence", STARTER)]


def _title(path: Path) -> str:
    return path.stem.replace("-", " ")


def ui_context() -> dict[str, Any]:
    """What the UI page needs: the endpoint, prefixes, example tabs and where IRIs live on this server."""
    return {"ui_config": {
        "endpoint": url_for("sparql.endpoint", _external=True),
        "uiUrl": url_for("ui.index", _external=True),
        "prefixesUrl": url_for("ui.prefixes", _external=True),
        "prefixes": PREFIXES,
        "examples": [asdict(example) for example in example_queries()],
        "localPrefixes": [list(pair) for pair in LOCAL_PREFIXES],
        "localDocuments": LOCAL_DOCUMENTS,
    }}


@bp.route("/")
def index() -> str:
    return render_template("ui.html", **ui_context())


@bp.route("/ui/prefixes.json")
def prefixes() -> ResponseReturnValue:
    """The project's prefixes in prefix.cc's format, so YASQE's prefix completion works offline."""
    return jsonify(PREFIXES)
