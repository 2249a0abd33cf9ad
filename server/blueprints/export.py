"""`/export/jaikg.<ext>`: the whole graph as a download (Turtle, JSON-LD, N-Triples, N-Quads, TriG, RDF/XML),
serialized once per app by `jaikg.export` (the same function as `jaikg export`)."""

from __future__ import annotations

from flask import Blueprint, Response, abort

from jaikg.export import FORMATS_BY_EXTENSION, export_graph

from ..memo import memoized
from ..state import jaikg

bp = Blueprint("export", __name__)


@bp.route("/export/jaikg.<ext>")
def dump(ext: str) -> Response:
    fmt = FORMATS_BY_EXTENSION.get(ext)
    if fmt is None:
        abort(404, description=f"no dump with extension .{ext}; available: "
                               + ", ".join(f"jaikg.{e}" for e in FORMATS_BY_EXTENSION))
    body = memoized(("export", fmt.name), lambda: export_graph(jaikg().store, fmt.name))
    charset = "" if fmt.media_type == "application/n-triples" else "; charset=utf-8"
    response = Response(body, content_type=fmt.media_type + charset)
    response.headers["Content-Disposition"] = f'attachment; filename="jaikg.{fmt.extension}"'
    return response
