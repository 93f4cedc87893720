"""What typed text may hold, and how text leaves for a spreadsheet, for every app: plain
Python, no Django.

A single line (a name, a title, a place) holds no control character at all; a paragraph (a
note, a purpose) keeps tab and line breaks and nothing else of the C0 set. A stray control
character from a pasted spreadsheet cell would otherwise be stored and shown, invisible, in
every list that names the thing.
"""

from __future__ import annotations

import re

_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f]")
_IN_A_PARAGRAPH = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def control_character_problem(text: str, *, multiline: bool = False) -> str | None:
    """Why ``text`` may not be stored as it is, or None."""
    found = (_IN_A_PARAGRAPH if multiline else _IN_A_LINE).search(text)
    if found is None:
        return None
    if not multiline and found.group() in "\t\n\r":
        return "Keep this to one line, without tabs or line breaks."
    return f"Remove the control character {found.group()!r} (it may have come from a copied cell)."


# Spreadsheets run a cell that starts with one of these as a formula (or as the start of one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets an apostrophe, so
    a roster name such as "=HYPERLINK(...)" never runs when the file is opened."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text
