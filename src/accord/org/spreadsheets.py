"""Reading an uploaded spreadsheet: CSV (UTF-8, or Excel's UTF-16 "Unicode text") or XLSX.

Every import reads its file here — the org chart, a team's goals — so each one recognises
the same wrong files (a PDF, an image, a legacy .xls, a damaged workbook) with the same clear
message, and numbers rows as a spreadsheet does. Problems are :class:`ImportIssue` values
naming the row and column; :class:`IssueCollector` gathers them so that a file's every
problem is reported at once, and :class:`ImportFileError` carries them to the page or the
command line. Nothing here knows what the columns mean.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_REPORTED_ISSUES = 500

# Files people upload by mistake, recognised by their first bytes.
NOT_A_SPREADSHEET = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"{\\rtf", "a Rich Text (RTF) document"),
)
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ImportIssue:
    """One problem in the file. ``row`` counts as a spreadsheet does: the header is row 1."""

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class ImportFileError(Exception):
    """The file cannot be imported; ``issues`` lists every reason found (the first ones if many)."""

    def __init__(self, issues: list[ImportIssue], total: int | None = None) -> None:
        self.issues = issues
        self.total = total if total is not None else len(issues)
        super().__init__(f"{self.total} problem(s) in the import file")


def file_error(message: str, row: int | None = None) -> ImportFileError:
    """The file cannot be read at all: one problem, about the whole file (or one row)."""
    return ImportFileError([ImportIssue(row, None, message)])


@dataclass
class Sheet:
    """The cells of a file: header, data rows, and what a validator needs to know about them."""

    header: list[str]
    header_row: int  # spreadsheet row number of the header (1 unless blank rows come first)
    rows: Iterator[list[Any]]  # the rows below the header, blank ones included, in order
    estimated_rows: int  # rows in the file, header included; for progress bars only
    cells_are_text: bool  # CSV cells are str; XLSX cells may be numbers, dates, booleans
    # Found while reading (cells that are not text); rows add theirs as they are read.
    issues: list[ImportIssue] = field(default_factory=list)

    def numbered_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """Each data row with its spreadsheet row number."""
        return enumerate(self.rows, start=self.header_row + 1)


def read_rows(content: bytes, *, contents: str, source: str) -> Sheet:
    """The header and data rows of a CSV or XLSX file, whatever its extension claims.

    ``contents`` and ``source`` word the advice in messages: "Export *the org chart* as CSV
    UTF-8…", "…Export it again from *the HR system*." Raises :class:`ImportFileError` when
    the file is not a spreadsheet; a cell that is not text is reported in ``Sheet.issues``.
    """
    hint = f"Export {contents} as CSV UTF-8 or as an Excel workbook (.xlsx)."
    if not content.strip():
        raise file_error("The file is empty.")
    if content.startswith(ZIP_SIGNATURE):
        return _read_xlsx(content, hint)
    if content.startswith(OLE_SIGNATURE):
        raise file_error(
            "This is an old Excel (.xls) file or a password-protected workbook. "
            "Save it as an Excel workbook (.xlsx) without a password, or as CSV UTF-8."
        )
    for signature, what in NOT_A_SPREADSHEET:
        if content.startswith(signature):
            raise file_error(f"This is {what}, not a CSV or XLSX file. {hint}")
    nul_message = (
        "Contains a NUL character (byte 0), which no text has; the file may be damaged. "
        f"Export it again from {source}."
    )
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _read_csv(_utf16_text(content, hint), invalid_utf8=False, nul_message=nul_message)
    if b"\x00" in content[:4096]:
        raise file_error(f"This is not a CSV or XLSX file (it contains binary data). {hint}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Keep going so the importer sees every bad cell and every other problem at once.
        text = content.decode("utf-8", errors="surrogateescape")
        return _read_csv(text, invalid_utf8=True, nul_message=nul_message)
    return _read_csv(text, invalid_utf8=False, nul_message=nul_message)


def _utf16_text(content: bytes, hint: str) -> str:
    """Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated."""
    try:
        text = content.decode("utf-16")
    except UnicodeDecodeError:
        raise file_error(
            f"This file starts like Unicode (UTF-16) text but is not valid UTF-16. {hint}"
        ) from None
    # A spreadsheet's text always has some ASCII (separators, line ends, column names); none
    # at all means the bytes only happen to start like UTF-16 (or the byte order is wrong).
    if not any(char < "\x80" for char in text[:4096]):
        raise file_error(
            "This file is not UTF-8 text, and though it starts like Unicode (UTF-16) text, "
            f"read that way it has not one plain letter, digit or separator. {hint}"
        )
    return text


_BAD_BYTE = re.compile("[\udc80-\udcff]")
_TEXT = re.compile(r"\S")


def _first_line_with_text(text: str) -> str:
    found = _TEXT.search(text)
    if found is None:
        return ""
    end = text.find("\n", found.start())
    return text[text.rfind("\n", 0, found.start()) + 1 : end if end >= 0 else len(text)]


def _readable(text: str) -> str:
    """Bytes that were not UTF-8 (kept as surrogates while reading) shown as a Windows
    (Latin-1) program would show them, so the importer can find the cell; the rest as it is."""
    return _BAD_BYTE.sub(
        lambda bad: bytes([ord(bad.group()) - 0xDC00]).decode("cp1252", "replace"), text
    )


def _read_csv(text: str, *, invalid_utf8: bool, nul_message: str) -> Sheet:
    text = text.removeprefix("\ufeff")
    # The separator is the one the header uses most; blank lines may come before it.
    delimiter = max((",", ";", "\t"), key=_first_line_with_text(text).count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header_row = 0
    header: list[str] | None = None
    try:
        for cells in reader:
            header_row += 1
            if any(cell.strip() for cell in cells):
                header = cells
                break
    except csv.Error as exc:
        raise file_error(f"The header cannot be read as CSV: {exc}.", header_row) from None
    if header is None:
        raise file_error("The file has no header row.")
    # A CSV export never has a NUL; cells are checked for one only if the text has any.
    cell_check = _CellCheck(invalid_utf8, nul_message if "\x00" in text else None)
    issues = cell_check.issues(header_row, None, header)
    return Sheet(
        header=header,
        header_row=header_row,
        rows=_csv_data(reader, header_row, header, issues, cell_check),
        estimated_rows=text.count("\n"),
        cells_are_text=True,
        issues=issues,
    )


@dataclass(frozen=True)
class _CellCheck:
    """Cells that are not text: bytes that are not UTF-8, NUL characters."""

    invalid_utf8: bool
    nul_message: str | None  # None: the file has no NUL anywhere

    @property
    def needed(self) -> bool:
        return self.invalid_utf8 or self.nul_message is not None

    def issues(self, row: int, header: list[str] | None, cells: list[str]) -> list[ImportIssue]:
        found = []
        for position, cell in enumerate(cells):
            column = header[position] if header and position < len(header) else None
            column = column_name(column) if column else None
            if self.invalid_utf8 and _BAD_BYTE.search(cell):
                found.append(
                    ImportIssue(
                        row,
                        column,
                        f"{_readable(cell)!r} is not UTF-8 text (the file looks like Latin-1 or "
                        "Windows-1252). Save the file as 'CSV UTF-8' and upload it again.",
                    )
                )
            if self.nul_message is not None and "\x00" in cell:
                found.append(ImportIssue(row, column, self.nul_message))
        return found


def _csv_data(
    reader: Iterator[list[str]],
    header_row: int,
    header: list[str],
    issues: list[ImportIssue],
    cell_check: _CellCheck,
) -> Iterator[list[Any]]:
    row = header_row
    try:
        for cells in reader:
            row += 1
            if cell_check.needed:
                issues += cell_check.issues(row, header, cells)
            yield cells
    except csv.Error as exc:
        raise file_error(f"The file cannot be read as CSV: {exc}.", row + 1) from None


def _read_xlsx(content: bytes, hint: str) -> Sheet:
    from python_calamine import CalamineWorkbook  # loaded only when a workbook comes

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        names = set(archive.namelist())
    except zipfile.BadZipFile:
        raise file_error(
            "This is not a readable Excel workbook: it looks like a ZIP archive or workbook, "
            f"but it is damaged. {hint}"
        ) from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if "content.xml" in names:
            what = "an OpenDocument (LibreOffice) file"
        elif any(name.startswith("word/") for name in names):
            what = "a Word document"
        else:
            what = "a ZIP archive"
        raise file_error(f"This is {what}, not an Excel workbook. {hint}")
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        all_rows = iter(sheet.iter_rows())
        estimated_rows = sheet.height
    except Exception:  # calamine raises several exception types for unreadable workbooks
        raise file_error(f"This Excel workbook cannot be read; it may be damaged. {hint}") from None
    # Rows come from the sheet's first row; columns from its first column holding a value.
    first_column = (sheet.start or (0, 0))[1]
    for header_row, cells in enumerate(all_rows, start=1):
        if any(cell_text(cell) for cell in cells):
            header = [cell_text(cell) for cell in cells]
            issues = [
                ImportIssue(
                    row,
                    _column_label(header, column - first_column, column),
                    "holds a formula with no saved value, so there is nothing to read. Open "
                    "the file in Excel or LibreOffice and save it again, or paste the cells as "
                    "values.",
                )
                for row, column in _formulas_without_values(archive, names)
            ]
            return Sheet(
                header=header,
                header_row=header_row,
                rows=all_rows,
                estimated_rows=estimated_rows,
                cells_are_text=False,
                issues=issues,
            )
    raise file_error("The first sheet of the workbook is empty.")


_CELL_REFERENCE = re.compile(r"([A-Z]+)([0-9]+)")
_SPREADSHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _formulas_without_values(archive: zipfile.ZipFile, names: set[str]) -> list[tuple[int, int]]:
    """(row, column) from 1, of the first sheet's formula cells that carry no saved value.

    A program that writes formulas without computing them (openpyxl, some exports) leaves
    such cells; a reader sees them as empty, which would turn a hire date into no hire date
    without a word. The sheet's XML is read as a stream, through defusedxml.
    """
    from defusedxml.ElementTree import fromstring, iterparse

    if "xl/workbook.xml" not in names or "xl/_rels/workbook.xml.rels" not in names:
        return []  # a binary workbook (.xlsb): its formulas are not read here
    first = fromstring(archive.read("xl/workbook.xml")).find(f"{_SPREADSHEET_NS}sheets/")
    if first is None:
        return []
    relation = first.get(f"{_RELATIONSHIP_NS}id")
    targets = {
        rel.get("Id"): rel.get("Target", "")
        for rel in fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    }
    target = targets.get(relation, "")
    part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    if part not in names:
        return []
    found = []
    with archive.open(part) as stream:
        for _, element in iterparse(stream):
            if element.tag != f"{_SPREADSHEET_NS}c":
                continue
            formula = element.find(f"{_SPREADSHEET_NS}f")
            value = element.find(f"{_SPREADSHEET_NS}v")
            inline = element.find(f"{_SPREADSHEET_NS}is")
            # An empty <v/> is a value only for a text result (t="str": the formula gave "").
            saved = value is not None and (bool(value.text) or element.get("t") == "str")
            if formula is not None and not saved and inline is None:
                match = _CELL_REFERENCE.fullmatch(element.get("r", ""))
                if match:
                    found.append((int(match.group(2)), _column_number(match.group(1))))
            element.clear()
    return found


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def _column_label(header: list[str], position: int, column: int) -> str:
    """The column as its header names it (``position`` in the header, from 1), or as the
    spreadsheet letters it (``column``, from 1)."""
    if 1 <= position <= len(header) and header[position - 1]:
        return header[position - 1]
    letters = ""
    while column > 0:
        column, remainder = divmod(column - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- cells -------------------------------------------------------------------


def column_name(header_cell: str) -> str:
    """A header cell as the column it names: case, surrounding spaces and the difference
    between spaces, hyphens and underscores do not matter ("External ID" is external_id)."""
    return re.sub(r"[\s\-]+", "_", str(header_cell).strip().lower())


def cell_text(value: Any) -> str:
    """A cell as text: spreadsheet numbers such as 1001.0 read as "1001"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip()


def date_cell(value: Any) -> dt.date:
    """A date cell, or text written YYYY-MM-DD; raises ValueError for anything else."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not DATE_PATTERN.match(text):
        raise ValueError(text)
    return dt.date.fromisoformat(text)  # raises ValueError for 2024-02-30


# --- problems ----------------------------------------------------------------


class IssueCollector:
    """Collects issues, keeping the MAX_REPORTED_ISSUES earliest (by row, then column).

    ``column_order`` ranks columns within a row (the header's order, say); a column it does
    not name comes after those it does, and an issue about no column first.
    """

    def __init__(self, column_order: dict[str, int] | None = None) -> None:
        self._heap: list[tuple[int, int, int, ImportIssue]] = []
        self.total = 0
        self.column_order: dict[str, int] = column_order or {}

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        # A cell that is not UTF-8 may reach a message or a column name (a reporting cycle
        # lists external ids); stored or printed as it is, it cannot be encoded.
        if _BAD_BYTE.search(message):
            message = _readable(message)
        if column and _BAD_BYTE.search(column):
            column = _readable(column)
        position = self.column_order.get(column, len(self.column_order)) if column else -1
        # A max-heap on (row, column, arrival) by negation: the latest issue falls out first.
        item = (-(row or 0), -position, -self.total, ImportIssue(row, column, message))
        if len(self._heap) < MAX_REPORTED_ISSUES:
            heapq.heappush(self._heap, item)
        else:
            heapq.heappushpop(self._heap, item)

    def extend(self, found: list[ImportIssue]) -> None:
        for issue in found:
            self.add(issue.row, issue.column, issue.message)

    def raise_if_any(self) -> None:
        if self.total:
            ordered = [item[3] for item in sorted(self._heap, reverse=True)]
            raise ImportFileError(ordered, self.total)
