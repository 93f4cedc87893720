"""What typed text may hold, and how text leaves for a spreadsheet, for every app: plain
Python, no Django.

A single line (a name, a title, a place) holds no control character at all; a paragraph (a
note, a purpose) keeps tab and line breaks and nothing else of the C0 set. A stray control
character from a pasted spreadsheet cell would otherwise be stored and shown, invisible, in
every list that names the thing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

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


def text_problems(field: str, value: str, *, limit: int, what: str, required: bool = True,
                  multiline: bool = False) -> list[tuple[str, str]]:  # fmt: skip
    """Every problem with a text field, as ``(field, message)``: empty when required, too
    long, or holding a character that may not be stored (tabs and line breaks only in
    ``multiline`` text). ``what`` names it in the messages: "the plan a title"."""
    if not value.strip():
        return [(field, f"Give {what}.")] if required else []
    if len(value) > limit:
        return [(field, f"Keep {what} to {limit:,} characters (this has {len(value):,}).")]
    problem = control_character_problem(value, multiline=multiline)
    return [(field, problem)] if problem else []


# Spreadsheets run a cell that starts with one of these as a formula (or as the start of one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(text: str) -> str:
    """Text a spreadsheet shows as text: a leading formula character gets an apostrophe, so
    a roster name such as "=HYPERLINK(...)" never runs when the file is opened."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def table_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """A table as CSV for a spreadsheet: UTF-8 with a byte-order mark (so Excel reads the
    accents), every text cell behind the formula guard."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_text(c) if isinstance(c, str) else c for c in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(sheet_name: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """The same table as an Excel workbook of one sheet, its header row frozen."""
    from openpyxl import Workbook  # only workbooks need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name[:31])
    sheet.freeze_panes = "A2"
    sheet.append(list(header))
    for row in rows:
        sheet.append([spreadsheet_text(c) if isinstance(c, str) else c for c in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
