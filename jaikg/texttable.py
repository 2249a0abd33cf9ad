"""Plain-text tables for the terminal (`jaikg query`, `jaikg graph --stats`)."""

from __future__ import annotations


def clip(text: str, width: int) -> str:
    """`text` cut to `width` characters, with an ellipsis when cut."""
    return text if len(text) <= width else text[:width - 1] + "…"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def text_table(header: list[str], rows: list[list[str]], width: int = 48) -> list[str]:
    """The lines of a table: columns padded to their widest cell (cells clipped to `width`, line breaks shown as
    spaces), numeric columns right-aligned, a rule under the header."""
    rows = [[clip(" ".join(cell.split()), width) for cell in row] for row in rows]
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows)]
    numeric = [bool(rows) and all(_is_number(row[i]) for row in rows) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric)).rstrip()

    return [line(header), line(["-" * w for w in widths])] + [line(row) for row in rows]
