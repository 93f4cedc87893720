"""What typed text may hold, for every app's services: plain Python, no Django.

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
