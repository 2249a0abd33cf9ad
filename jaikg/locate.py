"""Where in the data files a node is written: so a shape violation found after loading names a file and a line.

SHACL reports the node that breaks a shape, not where it came from (the store has no line numbers). This looks
the node up in the text of the Turtle-family files it was loaded from: the first line that writes the node as
`<iri>` or as a prefixed name the file declares, preferring a line where the node starts a statement.

`jaikg validate` (text and JSON), `jaikg load` and `jaikg serve` all name the places through `located_report` and
`located_json`; each file is read once, line by line, whatever the number of results.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .validation import ValidationReport

TEXT_SUFFIXES = {".ttl", ".turtle", ".trig", ".nt", ".nq"}
PREFIX_DECLARATION = re.compile(r"(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
TOKEN = re.compile(r"<[^<>\s]*>|(?<![\w.:/-])[\w.-]*:[\w\-:%.]*")
"""An IRI written in full, or a prefixed name (with any dots that end it: a dot not followed by a name character
ends the statement, not the name)."""


@dataclass(frozen=True)
class Location:
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}"


def locate_all(iris: Iterable[str], files: Iterable[Path]) -> dict[str, Location]:
    """For each of `iris` found: the first place a file writes it as the subject of a statement (the first thing on
    its line), else the first place it writes it at all. The files are read in order, each once and line by line;
    those not in a Turtle-family syntax are skipped."""
    wanted = set(iris)
    starts: dict[str, Location] = {}
    anywhere: dict[str, Location] = {}
    for path in files:
        if len(starts) == len(wanted):
            break
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        forms = {f"<{iri}>": iri for iri in wanted}
        try:
            with path.open(encoding="utf-8-sig", errors="replace") as lines:
                for number, line in enumerate(lines, start=1):
                    for prefix, namespace in PREFIX_DECLARATION.findall(line):
                        forms.update({f"{prefix}:{iri[len(namespace):]}": iri for iri in wanted
                                      if namespace and iri.startswith(namespace) and len(iri) > len(namespace)})
                    for token in TOKEN.finditer(line):
                        iri = forms.get(token.group().rstrip("."))
                        if iri is None or iri in starts:
                            continue
                        if not line[:token.start()].strip():
                            starts[iri] = Location(path, number)
                        else:
                            anywhere.setdefault(iri, Location(path, number))
        except OSError:
            continue
    return {iri: starts.get(iri) or anywhere[iri] for iri in wanted if iri in starts or iri in anywhere}


def locate(iri: str, files: Iterable[Path]) -> Location | None:
    """The first place a file writes `iri` as the subject of a statement, else the first place it writes it."""
    return locate_all([iri], files).get(iri)


def located_report(report: ValidationReport, files: Iterable[Path]) -> str:
    """The report as text, each result preceded by the file and line that write its node (where found)."""
    return report.as_text(locate_all({result.focus for result in report.results}, files))


def located_json(report: ValidationReport, files: Iterable[Path]) -> str:
    """The report as JSON, each result with the `file` and `line` that write its node (null where not found)."""
    return report.as_json(locate_all({result.focus for result in report.results}, files))
