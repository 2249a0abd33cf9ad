"""Where in the data files a node is written: so a shape violation found after loading names a file and a line.

SHACL reports the node that breaks a shape, not where it came from (the store has no line numbers). This looks
the node up in the text of the Turtle-family files it was loaded from: the first line that writes the node as
`<iri>` or as a prefixed name the file declares, preferring a line where the node starts a statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .validation import ValidationReport, ValidationResult

TEXT_SUFFIXES = {".ttl", ".turtle", ".trig", ".nt", ".nq"}
PREFIX_DECLARATION = re.compile(r"(?:@prefix|PREFIX)\s+([\w.-]*):\s*<([^>]*)>", re.IGNORECASE)
NAME_END = r"(?![\w\-:%]|\.[\w\-:%])"


@dataclass(frozen=True)
class Location:
    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}, line {self.line}"


def _forms(iri: str, text: str) -> list[str]:
    forms = [f"<{iri}>"]
    for prefix, namespace in PREFIX_DECLARATION.findall(text):
        if namespace and iri.startswith(namespace) and len(iri) > len(namespace):
            forms.append(f"{prefix}:{iri[len(namespace):]}")
    return forms


def locate(iri: str, files: Iterable[Path]) -> Location | None:
    """The first place a file writes `iri` as the subject of a statement, else the first place it writes it."""
    fallback: Location | None = None
    for path in files:
        if path.suffix.lower() not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        pattern = re.compile(r"(?<![\w.:/-])(?:" + "|".join(re.escape(f) for f in _forms(iri, text)) + ")" + NAME_END)
        for number, line in enumerate(text.splitlines(), start=1):
            match = pattern.search(line)
            if match is None:
                continue
            if not line[:match.start()].strip():
                return Location(path, number)
            fallback = fallback or Location(path, number)
    return fallback


def located_report(report: ValidationReport, files: Iterable[Path]) -> str:
    """The report as text, each result preceded by the file and line that write its node (where found)."""
    files = list(files)
    lines = [f"Conforms: {'yes' if report.conforms else 'no'} ({len(report.results)} results)"]
    for result in sorted(report.results, key=lambda r: (r.focus, r.path or "", r.message)):
        lines.append(f"- {_where(result, files)}{result.describe()}")
    return "\n".join(lines)


def _where(result: ValidationResult, files: list[Path]) -> str:
    location = locate(result.focus, files)
    return f"{location}: " if location else ""
