"""`/export/jaikg.<ext>`: the whole graph as a download (Turtle, JSON-LD, N-Triples, N-Quads, TriG, RDF/XML),
written by `jaikg.export` (the same function as `jaikg export`) once per version of the graph into a file
(`server.dumps`) and sent from it."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, abort, current_app, request, send_file

from jaikg.export import FORMATS_BY_EXTENSION, write_export

from ..cache import cache_control, last_modified_second, set_last_modified
from ..dumps import dump_files, version_tag
from ..state import jaikg

bp = Blueprint("export", __name__)


@bp.route("/export/jaikg.<ext>")
def dump(ext: str) -> Response:
    fmt = FORMATS_BY_EXTENSION.get(ext)
    if fmt is None:
        abort(404, description=f"no dump with extension .{ext}; available: "
                               + ", ".join(f"jaikg.{e}" for e in FORMATS_BY_EXTENSION))
    state = jaikg()
    version = state.executor.last_modified
    charset = "" if fmt.media_type == "application/n-triples" else "; charset=utf-8"
    reuse = None if state.settings.sees_changes else state.settings.max_age
    with dump_files(current_app).current(ext, version, partial(write_export, state.store, fmt.name), reuse) as path:
        response = send_file(path, mimetype=fmt.media_type + charset, conditional=False, etag=False)
        written = path.stat()
    response.headers["Content-Disposition"] = f'attachment; filename="jaikg.{fmt.extension}"'
    response.set_etag(f"{version_tag(version)}-{written.st_mtime_ns:x}-{ext}")
    # the graph's time, not the file's; none within its second, nor where the store's changes are not seen
    set_last_modified(response, last_modified_second(version) if state.settings.sees_changes else None)
    response.headers["Cache-Control"] = cache_control(state.settings.max_age)
    return response.make_conditional(request, accept_ranges=True, complete_length=written.st_size)
