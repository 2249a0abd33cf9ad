"""Plain-text tables for the terminal (`jaikg query`, `jaikg graph --stats`).

Widths are display widths, as a terminal shows the text: a wide or fullwidth character (Unicode East Asian Width W
or F: kanji, kana, fullwidth Latin) takes two columns, a combining mark or a zero-width character none, any other
one. Counting characters instead would misalign every column after a cell of Japanese.
"""

from __future__ import annotations

import unicodedata

ELLIPSIS = "…"


def char_width(char: str) -> int:
    """The columns a terminal gives `char`: 2 for East Asian Wide and Fullwidth, 0 for combining marks and
    zero-width format characters (U+200B, U+200D, U+FEFF …), else 1."""
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def display_width(text: str) -> int:
    """The columns `text` takes in a terminal (`char_width` of each character)."""
    if text.isascii():
        return len(text)
    return sum(char_width(char) for char in text)


def clip(text: str, width: int) -> str:
    """`text` cut to at most `width` columns, with an ellipsis when cut (a wide character that would straddle the
    limit is left out whole)."""
    if display_width(text) <= width:
        return text
    kept, used = [], 0
    for char in text:
        size = char_width(char)
        if used + size > width - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept) + ELLIPSIS


def pad(text: str, width: int, *, right: bool = False) -> str:
    """`text` padded with spaces to `width` columns: on the right (left-aligned), or on the left with `right`."""
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def text_table(header: list[str], rows: list[list[str]], width: int = 48) -> list[str]:
    """The lines of a table: columns padded to their widest cell (cells clipped to `width` columns, line breaks
    shown as spaces), numeric columns right-aligned, a rule under the header."""
    rows = [[clip(" ".join(cell.split()), width) for cell in row] for row in rows]
    widths = [max(display_width(cell) for cell in column) for column in zip(header, *rows)]
    numeric = [bool(rows) and all(_is_number(row[i]) for row in rows) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(pad(c, w, right=n) for c, w, n in zip(cells, widths, numeric)).rstrip()

    return [line(header), line(["-" * w for w in widths])] + [line(row) for row in rows]
