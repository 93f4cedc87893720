"""Reading and validating an org-chart file (CSV or XLSX) into an import plan.

Nothing here writes to the database: :func:`plan_org_import` reads the file,
checks every row against the file itself and against the organisation as it is,
and returns either the list of every problem found (row and column each) or a
plan that :func:`accord.org.services.apply_org_import` carries out atomically.
The format is documented in docs/import-format.md.

The plan is *resolved*: every row holds the person's complete wanted state, with
optional columns that the file leaves out filled in from what is stored, so the
writer never has to know which columns the file had.
"""

from __future__ import annotations

import csv
import datetime as dt
import heapq
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

from accord.org.models import Organisation, Person, Profession, RoleGroup, Unit, UnitKind

REQUIRED_COLUMNS = ("external_id", "name", "unit_path", "role_group", "profession")
OPTIONAL_COLUMNS = ("email", "manager_external_id", "hire_date", "leader", "unit_kinds", "active")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_REPORTED_ISSUES = 500
MAX_EXTRA_ATTRIBUTES = 20
MAX_ATTRIBUTE_LENGTH = 500
MAX_UNIT_DEPTH = 30
# Managers above anyone: real organisations have a dozen or two. The reporting path of ids
# must fit its column, and a manager column filled down by mistake makes one long chain.
MAX_REPORTING_DEPTH = 50

# Deliberately simple: one @, no spaces, a dot in the domain. Good enough to catch
# the errors HR exports contain (names in the email column, missing domains).
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}$")
DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TRUE_WORDS = frozenset({"yes", "y", "true", "1", "x"})
FALSE_WORDS = frozenset({"no", "n", "false", "0"})

ProgressCallback = Callable[[str, int, int], None]
PROGRESS_EVERY = 10_000

# Files people upload by mistake, recognised by their first bytes.
NOT_A_ROSTER = (
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
SAVE_AS_HINT = "Export the org chart as CSV UTF-8 or as an Excel workbook (.xlsx)."


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


def _file_error(message: str, row: int | None = None) -> ImportFileError:
    return ImportFileError([ImportIssue(row, None, message)])


@dataclass(slots=True)
class RosterRow:
    """One person as the file wants them (after resolving columns the file leaves out)."""

    row: int
    external_id: str
    name: str
    email: str
    unit_path: tuple[str, ...]
    unit_kinds: tuple[str, ...] | None
    manager_external_id: str
    role_group: str
    profession: str
    hire_date: dt.date | None
    is_leader: bool
    is_active: bool
    attributes: dict[str, str]


@dataclass
class ImportPlan:
    organisation: Organisation
    rows: list[RosterRow]
    deactivate_missing: bool
    columns: frozenset[str] = frozenset()
    attribute_columns: tuple[str, ...] = ()
    new_kinds: list[str] = field(default_factory=list)
    new_units: list[tuple[str, ...]] = field(default_factory=list)
    unit_kinds: dict[tuple[str, ...], str] = field(default_factory=dict)
    # External ids of the people to add, and of stored people whose values differ.
    new: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    to_create: int = 0
    to_update: int = 0
    unchanged: int = 0
    to_deactivate: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        return {
            "rows": len(self.rows),
            "create": self.to_create,
            "update": self.to_update,
            "unchanged": self.unchanged,
            "deactivate": self.to_deactivate,
            "new_units": len(self.new_units),
            "new_unit_kinds": self.new_kinds,
            "examples": self.examples,
        }


# --- reading ---------------------------------------------------------------


@dataclass
class RosterSheet:
    """The cells of a file: header, data rows, and what the validator needs to know about them."""

    header: list[str]
    header_row: int  # spreadsheet row number of the header (1 unless blank rows come first)
    rows: Iterator[list[Any]]
    estimated_rows: int  # rows in the file, header included; for progress bars only
    cells_are_text: bool  # CSV cells are str; XLSX cells may be numbers, dates, booleans
    issues: list[ImportIssue] = field(default_factory=list)  # found while reading (encoding)


def read_rows(filename: str, content: bytes) -> RosterSheet:
    """The header and data rows of a CSV or XLSX file, whatever its extension claims."""
    if not content.strip():
        raise _file_error("The file is empty.")
    if content.startswith(ZIP_SIGNATURE):
        return _read_xlsx(content)
    if content.startswith(OLE_SIGNATURE):
        raise _file_error(
            "This is an old Excel (.xls) file or a password-protected workbook. "
            "Save it as an Excel workbook (.xlsx) without a password, or as CSV UTF-8."
        )
    for signature, what in NOT_A_ROSTER:
        if content.startswith(signature):
            raise _file_error(f"This is {what}, not a CSV or XLSX file. {SAVE_AS_HINT}")
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        # Excel's "Unicode text" export: UTF-16 with a byte-order mark, tab-separated.
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise _file_error(
                f"This file starts like Unicode (UTF-16) text but is not valid UTF-16. "
                f"{SAVE_AS_HINT}"
            ) from None
        return _read_csv(text, invalid_utf8=False)
    if b"\x00" in content[:4096]:
        raise _file_error(
            f"This is not a CSV or XLSX file (it contains binary data). {SAVE_AS_HINT}"
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Keep going so the admin sees every bad cell and every other problem at once.
        return _read_csv(content.decode("utf-8", errors="surrogateescape"), invalid_utf8=True)
    return _read_csv(text, invalid_utf8=False)


_BAD_BYTE = re.compile("[\udc80-\udcff]")
NUL_MESSAGE = (
    "Contains a NUL character (byte 0), which no text has; the file may be damaged. "
    "Export it again from the HR system."
)


def _readable(text: str) -> str:
    """Bytes that were not UTF-8 (kept as surrogates while reading) shown as a Windows
    (Latin-1) program would show them, so the admin can find the cell; the rest as it is."""
    return _BAD_BYTE.sub(
        lambda bad: bytes([ord(bad.group()) - 0xDC00]).decode("cp1252", "replace"), text
    )


def _read_csv(text: str, *, invalid_utf8: bool) -> RosterSheet:
    text = text.removeprefix("\ufeff")
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    issues: list[ImportIssue] = []
    header_row = 0
    header: list[str] | None = None
    try:
        for cells in reader:
            header_row += 1
            if any(cell.strip() for cell in cells):
                header = cells
                break
    except csv.Error as exc:
        raise _file_error(f"The header cannot be read as CSV: {exc}.", header_row) from None
    if header is None:
        raise _file_error("The file has no header row.")
    has_nul = "\x00" in text  # a CSV export never has one; checked per cell only if present
    issues += _cell_issues(header_row, None, header, invalid_utf8=invalid_utf8, has_nul=has_nul)
    rows = _csv_data(reader, header_row, header, issues, invalid_utf8=invalid_utf8, has_nul=has_nul)
    return RosterSheet(
        header=header,
        header_row=header_row,
        rows=rows,
        estimated_rows=text.count("\n"),
        cells_are_text=True,
        issues=issues,
    )


def _cell_issues(
    row: int, header: list[str] | None, cells: list[str], *, invalid_utf8: bool, has_nul: bool
) -> list[ImportIssue]:
    """Cells that are not text: bytes that are not UTF-8, NUL characters."""
    found = []
    for position, cell in enumerate(cells):
        column = header[position] if header and position < len(header) else None
        column = _normalise_header(column) if column else None
        if invalid_utf8 and _BAD_BYTE.search(cell):
            found.append(
                ImportIssue(
                    row,
                    column,
                    f"{_readable(cell)!r} is not UTF-8 text (the file looks like Latin-1 or "
                    "Windows-1252). Save the file as 'CSV UTF-8' and upload it again.",
                )
            )
        if has_nul and "\x00" in cell:
            found.append(ImportIssue(row, column, NUL_MESSAGE))
    return found


def _csv_data(
    reader: Iterator[list[str]],
    header_row: int,
    header: list[str],
    issues: list[ImportIssue],
    *,
    invalid_utf8: bool,
    has_nul: bool,
) -> Iterator[list[Any]]:
    row = header_row
    check_cells = invalid_utf8 or has_nul
    try:
        for cells in reader:
            row += 1
            if check_cells:
                issues += _cell_issues(
                    row, header, cells, invalid_utf8=invalid_utf8, has_nul=has_nul
                )
            yield cells
    except csv.Error as exc:
        raise _file_error(f"The file cannot be read as CSV: {exc}.", row + 1) from None


def _read_xlsx(content: bytes) -> RosterSheet:
    from python_calamine import CalamineWorkbook

    try:
        names = set(zipfile.ZipFile(io.BytesIO(content)).namelist())
    except zipfile.BadZipFile:
        raise _file_error(
            f"This looks like a ZIP archive or workbook, but it is damaged. {SAVE_AS_HINT}"
        ) from None
    if "xl/workbook.xml" not in names and "xl/workbook.bin" not in names:
        if "content.xml" in names:
            what = "an OpenDocument (LibreOffice) file"
        elif any(name.startswith("word/") for name in names):
            what = "a Word document"
        else:
            what = "a ZIP archive"
        raise _file_error(f"This is {what}, not an Excel workbook. {SAVE_AS_HINT}")
    try:
        sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
        all_rows = iter(sheet.iter_rows())
        estimated_rows = sheet.height
    except Exception:  # calamine raises several exception types for unreadable workbooks
        raise _file_error(
            f"This Excel workbook cannot be read; it may be damaged. {SAVE_AS_HINT}"
        ) from None
    for header_row, cells in enumerate(all_rows, start=1):
        if any(_cell(cell) for cell in cells):
            return RosterSheet(
                header=[_cell(cell) for cell in cells],
                header_row=header_row,
                rows=all_rows,
                estimated_rows=estimated_rows,
                cells_are_text=False,
            )
    raise _file_error("The first sheet of the workbook is empty.")


# --- validating ------------------------------------------------------------


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _cell(value: Any) -> str:
    """A cell as text: spreadsheet numbers such as 1001.0 read as "1001"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    return str(value).strip()


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell(value)
    if not DATE_PATTERN.match(text):
        raise ValueError(text)
    parsed = dt.date.fromisoformat(text)  # raises ValueError for 2024-02-30
    if not 1900 <= parsed.year <= 2100:
        raise ValueError(text)
    return parsed


class _Issues:
    """Collects issues, keeping the MAX_REPORTED_ISSUES earliest (by row, then column)."""

    def __init__(self) -> None:
        self._heap: list[tuple[int, int, int, ImportIssue]] = []
        self.total = 0
        self.column_order: dict[str, int] = {}

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


@dataclass(slots=True)
class _StoredPerson:
    pk: int
    name: str
    email: str
    unit_path: tuple[str, ...]
    manager_external_id: str
    role_group: str
    profession: str
    hire_date: dt.date | None
    is_leader: bool
    is_active: bool
    attributes: dict[str, Any]


def plan_org_import(
    *,
    organisation: Organisation,
    filename: str,
    content: bytes,
    deactivate_missing: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Validate the whole file; raise ImportFileError listing every problem, or return a plan."""
    sheet = read_rows(filename, content)
    issues = _Issues()
    issues.extend(sheet.issues)  # a header that is not UTF-8
    sheet.issues.clear()
    columns = _check_header(sheet, issues)
    issues.raise_if_any()  # without the right columns, row-by-row messages would be noise

    professions = {
        p.name.lower(): p.name for p in Profession.objects.filter(organisation=organisation)
    }
    rows = _read_people(sheet, columns, professions, issues, progress)
    issues.extend(sheet.issues)  # encoding problems, found while the rows were read
    if not rows and not issues.total:
        issues.add(None, None, "The file has a header but no people.")

    plan = ImportPlan(
        organisation=organisation,
        rows=rows,
        deactivate_missing=deactivate_missing,
        columns=frozenset(columns),
        attribute_columns=tuple(c for c in columns if c not in KNOWN_COLUMNS),
    )
    units = _stored_units(organisation)
    stored = _stored_people(organisation, units)
    _resolve_left_out_columns(plan, stored)
    _check_units(plan, units, issues)
    _check_people(plan, stored, issues)
    issues.raise_if_any()
    _count_changes(plan, stored)
    return plan


def _check_header(sheet: RosterSheet, issues: _Issues) -> dict[str, int]:
    """Column name → position; reports duplicate, missing required and too many extra columns."""
    row = sheet.header_row
    columns: dict[str, int] = {}
    for position, raw_name in enumerate(sheet.header):
        column = _normalise_header(raw_name)
        if not column:
            continue
        if column in columns:
            issues.add(row, column, "This column appears twice in the header.")
            continue
        columns[column] = position
    # Problems are listed in header order; a missing required column after the others.
    issues.column_order = {name: position for position, name in enumerate(columns)}
    for required in REQUIRED_COLUMNS:
        issues.column_order.setdefault(required, len(issues.column_order))
    for required in REQUIRED_COLUMNS:
        if required not in columns:
            issues.add(row, required, "Required column is missing from the header.")
    extra = [c for c in columns if c not in KNOWN_COLUMNS]
    if len(extra) > MAX_EXTRA_ATTRIBUTES:
        issues.add(
            row,
            None,
            f"The file has {len(extra)} extra attribute columns ({', '.join(extra)}); "
            f"at most {MAX_EXTRA_ATTRIBUTES} are allowed.",
        )
    return columns


def _read_people(
    sheet: RosterSheet,
    columns: dict[str, int],
    professions: dict[str, str],
    issues: _Issues,
    progress: ProgressCallback | None,
) -> list[RosterRow]:
    """Every non-blank row as a RosterRow; each cell checked on its own. One pass, no queries."""
    width = len(sheet.header)
    text: Callable[[Any], str] = str.strip if sheet.cells_are_text else _cell
    add = issues.add
    role_groups = frozenset(RoleGroup.values)
    role_group_list = ", ".join(sorted(role_groups))
    profession_list = ", ".join(sorted(professions.values()))
    i_external_id = columns["external_id"]
    i_name = columns["name"]
    i_unit_path = columns["unit_path"]
    i_role_group = columns["role_group"]
    i_profession = columns["profession"]
    i_email = columns.get("email")
    i_manager = columns.get("manager_external_id")
    i_hire_date = columns.get("hire_date")
    i_leader = columns.get("leader")
    i_active = columns.get("active")
    i_unit_kinds = columns.get("unit_kinds")
    attribute_positions = [(c, p) for c, p in columns.items() if c not in KNOWN_COLUMNS]
    # Many people share a unit: split and check each distinct unit path once.
    unit_paths: dict[str, tuple[tuple[str, ...], str]] = {}
    unit_kind_lists: dict[str, tuple[tuple[str, ...], str]] = {}
    known_dates: dict[str, dt.date] = {}  # a roster has a few thousand distinct hire dates

    rows: list[RosterRow] = []
    estimate = sheet.estimated_rows - sheet.header_row  # lines below the header
    number = sheet.header_row
    for raw in sheet.rows:
        number += 1
        if progress and number % PROGRESS_EVERY == 0:
            read = number - sheet.header_row
            progress("validate", read, max(estimate, read))
        if len(raw) < width:
            raw = [*raw, *([""] * (width - len(raw)))]
        if sheet.cells_are_text:
            if not any(raw):
                continue  # blank lines are common at the end of exports
        elif not any(_cell(value) for value in raw):
            continue
        if len(raw) > width and any(text(value) for value in raw[width:]):
            add(
                number,
                None,
                f"This row has {len(raw)} cells but the header has {width} columns "
                "(is there an unquoted comma in a name?).",
            )

        external_id = text(raw[i_external_id])
        name = text(raw[i_name])
        unit_text = text(raw[i_unit_path])
        role_text = text(raw[i_role_group])
        profession_text = text(raw[i_profession])
        if not external_id:
            add(number, "external_id", "This field is required and is empty.")
        elif len(external_id) > 100:
            add(number, "external_id", "Longer than 100 characters.")
        if not name:
            add(number, "name", "This field is required and is empty.")
        elif len(name) > 200:
            add(number, "name", "Longer than 200 characters.")

        unit_path: tuple[str, ...] = ()
        if not unit_text:
            add(number, "unit_path", "This field is required and is empty.")
        else:
            known_path = unit_paths.get(unit_text)
            if known_path is None:
                known_path = unit_paths[unit_text] = _split_unit_path(unit_text)
            if known_path[1]:
                add(number, "unit_path", known_path[1])
            else:
                unit_path = known_path[0]

        role_group = role_text.lower()
        if not role_text:
            add(number, "role_group", "This field is required and is empty.")
        elif role_group not in role_groups:
            add(
                number,
                "role_group",
                f"Unknown role group {role_text!r}; use one of {role_group_list}.",
            )
        profession = ""
        if not profession_text:
            add(number, "profession", "This field is required and is empty.")
        else:
            profession = professions.get(profession_text.lower(), "")
            if not profession:
                add(
                    number,
                    "profession",
                    f"Unknown profession {profession_text!r}; this organisation's "
                    f"professions are: {profession_list}.",
                )

        email = ""
        if i_email is not None:
            email = text(raw[i_email]).lower()
            if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
                add(number, "email", f"{email!r} is not a valid email address.")

        unit_kinds: tuple[str, ...] | None = None
        if i_unit_kinds is not None:
            kinds_text = text(raw[i_unit_kinds])
            if kinds_text:
                known_kinds = unit_kind_lists.get(kinds_text)
                if known_kinds is None:
                    known_kinds = unit_kind_lists[kinds_text] = _split_unit_kinds(kinds_text)
                if known_kinds[1]:
                    add(number, "unit_kinds", known_kinds[1])
                elif unit_path and len(known_kinds[0]) != len(unit_path):
                    add(
                        number,
                        "unit_kinds",
                        f"Names {len(known_kinds[0])} kinds for a unit path of "
                        f"{len(unit_path)} levels.",
                    )
                else:
                    unit_kinds = known_kinds[0]

        manager_external_id = ""
        if i_manager is not None:
            manager_external_id = text(raw[i_manager])
            if manager_external_id and manager_external_id == external_id:
                add(number, "manager_external_id", "A person cannot be their own manager.")

        hire_date: dt.date | None = None
        if i_hire_date is not None:
            hire_raw = raw[i_hire_date]
            hire_text = text(hire_raw)
            hire_date = known_dates.get(hire_text)
            if hire_text and hire_date is None:
                try:
                    hire_date = _parse_date(hire_raw)
                    if isinstance(hire_raw, str):
                        known_dates[hire_text] = hire_date
                except ValueError:
                    add(
                        number,
                        "hire_date",
                        f"{hire_text!r} is not a date; write YYYY-MM-DD "
                        "(or use a date cell in Excel).",
                    )

        is_leader = False
        if i_leader is not None:
            is_leader = _yes_no(text(raw[i_leader]), False, number, "leader", add)
        is_active = True
        if i_active is not None:
            is_active = _yes_no(text(raw[i_active]), True, number, "active", add)

        attributes: dict[str, str] = {}
        for column, position in attribute_positions:
            value = text(raw[position])
            if value:
                if len(value) > MAX_ATTRIBUTE_LENGTH:
                    add(number, column, f"Longer than {MAX_ATTRIBUTE_LENGTH} characters.")
                attributes[column] = value

        rows.append(
            RosterRow(
                row=number,
                external_id=external_id,
                name=name,
                email=email,
                unit_path=unit_path,
                unit_kinds=unit_kinds,
                manager_external_id=manager_external_id,
                role_group=role_group,
                profession=profession,
                hire_date=hire_date,
                is_leader=is_leader,
                is_active=is_active,
                attributes=attributes,
            )
        )
    if progress:
        progress("validate", number - sheet.header_row, number - sheet.header_row)
    return rows


def _yes_no(
    value: str, default: bool, row: int, column: str, add: Callable[[int, str, str], None]
) -> bool:
    if not value:
        return default
    word = value.lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    add(row, column, f"{value!r} is not yes or no.")
    return default


def _split_unit_path(text: str) -> tuple[tuple[str, ...], str]:
    """The levels of a unit path, and the problem with it ('' when there is none)."""
    parts = tuple(part.strip() for part in text.split("/"))
    if any(not part for part in parts):
        return (), "A unit path has an empty level (look for '//' or a leading or trailing '/')."
    if any(len(part) > 200 for part in parts):
        return (), "A unit name is longer than 200 characters."
    if len(parts) > MAX_UNIT_DEPTH:
        return (), f"A unit path has more than {MAX_UNIT_DEPTH} levels."
    if len(text) > 2000:
        return (), "A unit path is longer than 2000 characters."
    return parts, ""


def _split_unit_kinds(text: str) -> tuple[tuple[str, ...], str]:
    kinds = tuple(part.strip() for part in text.split("/"))
    if any(not kind for kind in kinds):
        return (), "A unit kind is empty (look for '//' or a leading or trailing '/')."
    if any(len(kind) > 60 for kind in kinds):
        return (), "A unit kind is longer than 60 characters."
    return kinds, ""


@dataclass
class _StoredUnits:
    kind_of: dict[tuple[str, ...], str]  # unit path → kind name
    path_of: dict[int, tuple[str, ...]]  # unit id → unit path
    kinds: dict[str, str]  # lower-case kind name → kind name
    depth_kinds: dict[int, str]  # default depth → kind name


def _stored_units(organisation: Organisation) -> _StoredUnits:
    kind_names = dict(UnitKind.objects.filter(organisation=organisation).values_list("pk", "name"))
    kind_of: dict[tuple[str, ...], str] = {}
    path_of: dict[int, tuple[str, ...]] = {}
    for pk, full_name, kind_id in Unit.objects.filter(organisation=organisation).values_list(
        "pk", "full_name", "kind_id"
    ):
        path = tuple(full_name.split("/"))
        kind_of[path] = kind_names[kind_id]
        path_of[pk] = path
    depth_kinds = {
        depth: name
        for depth, name in UnitKind.objects.filter(organisation=organisation).values_list(
            "default_depth", "name"
        )
        if depth is not None
    }
    return _StoredUnits(
        kind_of=kind_of,
        path_of=path_of,
        kinds={name.lower(): name for name in kind_names.values()},
        depth_kinds=depth_kinds,
    )


def _stored_people(organisation: Organisation, units: _StoredUnits) -> dict[str, _StoredPerson]:
    """The organisation's people by external id, in the same terms as the file uses."""
    professions = dict(
        Profession.objects.filter(organisation=organisation).values_list("pk", "name")
    )
    # Plain ids rather than joins: the unit paths and professions are already in memory.
    fields = (
        "external_id", "pk", "name", "email", "unit_id", "manager_id", "role_group",
        "profession_id", "hire_date", "is_leader", "is_active", "attributes",
    )  # fmt: skip
    # The ORM's SQL, read without its per-value converters: most people share one of a
    # few attribute sets and a few thousand hire dates, so each is decoded once below.
    sql, params = (
        Person.objects.filter(organisation=organisation)
        .values_list(*fields)
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        values = cursor.fetchall()
    external_id_of = {v[1]: v[0] for v in values}
    attribute_sets: dict[Any, dict[str, Any]] = {}
    dates: dict[Any, dt.date | None] = {None: None}
    people: dict[str, _StoredPerson] = {}
    for (
        external_id, pk, name, email, unit_id, manager_id, role_group, profession_id,
        hire_date, is_leader, is_active, attributes,
    ) in values:  # fmt: skip
        if hire_date not in dates:
            dates[hire_date] = (
                dt.date.fromisoformat(hire_date) if isinstance(hire_date, str) else hire_date
            )
        if attributes not in attribute_sets:
            decoded = json.loads(attributes) if isinstance(attributes, str | bytes) else attributes
            attribute_sets[attributes] = decoded or {}
        people[external_id] = _StoredPerson(
            pk=pk,
            name=name,
            email=email,
            unit_path=units.path_of[unit_id],
            manager_external_id=external_id_of[manager_id] if manager_id else "",
            role_group=role_group,
            profession=professions[profession_id],
            hire_date=dates[hire_date],
            is_leader=bool(is_leader),
            is_active=bool(is_active),
            attributes=attribute_sets[attributes],
        )
    return people


def _resolve_left_out_columns(plan: ImportPlan, stored: dict[str, _StoredPerson]) -> None:
    """Optional columns the file leaves out keep what is stored; attribute columns merge.

    A file without a manager_external_id column must not erase every reporting line,
    and a file with only some attribute columns must not erase the others. The one
    exception is ``active``: being listed in a roster means working there, so a person
    in a file without that column is active.
    """
    has = plan.columns.__contains__
    keep_email = not has("email")
    keep_manager = not has("manager_external_id")
    keep_hire_date = not has("hire_date")
    keep_leader = not has("leader")
    attribute_columns = plan.attribute_columns
    for row in plan.rows:
        current = stored.get(row.external_id)
        if current is None:
            continue
        if keep_email:
            row.email = current.email
        if keep_manager:
            row.manager_external_id = current.manager_external_id
        if keep_hire_date:
            row.hire_date = current.hire_date
        if keep_leader:
            row.is_leader = current.is_leader
        if current.attributes:
            merged = {k: v for k, v in current.attributes.items() if k not in attribute_columns}
            merged.update(row.attributes)
            row.attributes = merged


def _check_units(plan: ImportPlan, units: _StoredUnits, issues: _Issues) -> None:
    """Every unit path resolves to one kind, agreeing with the file and the database.

    Checked once per distinct (unit path, unit kinds) pair; a problem is then reported
    on every row that has that pair.
    """
    rows_by_pair: dict[tuple[tuple[str, ...], tuple[str, ...] | None], list[int]] = {}
    for row in plan.rows:
        if row.unit_path:
            rows_by_pair.setdefault((row.unit_path, row.unit_kinds), []).append(row.row)

    # Two units whose names differ only in capitals are almost always a typing slip.
    spelled: dict[tuple[str, ...], tuple[tuple[str, ...], int | None]] = {
        tuple(part.lower() for part in path): (path, None) for path in units.kind_of
    }
    declared: dict[tuple[str, ...], tuple[str, int]] = {}  # unit path → (kind, first row)
    new_kind_spelling: dict[str, str] = {}  # the first spelling of a kind the file introduces
    for (unit_path, unit_kinds), row_numbers in rows_by_pair.items():
        first_row = row_numbers[0]
        problems: list[tuple[str, str]] = []
        for depth in range(len(unit_path)):
            prefix = unit_path[: depth + 1]
            lowered = tuple(part.lower() for part in prefix)
            first_spelling, where = spelled.setdefault(lowered, (prefix, first_row))
            if first_spelling != prefix:
                source = "already in the organisation" if where is None else f"on row {where}"
                problems.append(
                    (
                        "unit_path",
                        f"{'/'.join(prefix)!r} differs only in capitals from "
                        f"{'/'.join(first_spelling)!r} ({source}); spell units the same way.",
                    )
                )
                break
            if unit_kinds is None:
                continue
            named = unit_kinds[depth]
            kind = units.kinds.get(named.lower()) or new_kind_spelling.setdefault(
                named.lower(), named
            )
            earlier = declared.get(prefix)
            if earlier is not None and earlier[0].lower() != kind.lower():
                problems.append(
                    (
                        "unit_kinds",
                        f"{'/'.join(prefix)!r} is a {kind!r} here but a {earlier[0]!r} "
                        f"on row {earlier[1]}.",
                    )
                )
                continue
            if earlier is None:
                declared[prefix] = (kind, first_row)
            current = units.kind_of.get(prefix)
            if current is not None and current.lower() != kind.lower():
                problems.append(
                    (
                        "unit_kinds",
                        f"{'/'.join(prefix)!r} already exists as a {current!r}, not a {kind!r}.",
                    )
                )
        for number in row_numbers:
            for column, message in problems:
                issues.add(number, column, message)

    deepest_kind = units.depth_kinds[max(units.depth_kinds)] if units.depth_kinds else "unit"
    kinds: dict[tuple[str, ...], str] = {}
    for unit_path, _ in rows_by_pair:
        for depth in range(len(unit_path)):
            prefix = unit_path[: depth + 1]
            if prefix in kinds:
                continue
            if prefix in units.kind_of:
                kinds[prefix] = units.kind_of[prefix]
            elif prefix in declared:
                kinds[prefix] = declared[prefix][0]
            else:
                kinds[prefix] = units.depth_kinds.get(depth, deepest_kind)
    plan.unit_kinds = kinds
    plan.new_units = sorted((p for p in kinds if p not in units.kind_of), key=len)
    plan.new_kinds = sorted(
        {kinds[p] for p in plan.new_units if kinds[p].lower() not in units.kinds},
        key=str.lower,
    )


def _check_people(plan: ImportPlan, stored: dict[str, _StoredPerson], issues: _Issues) -> None:
    """External ids are unique, managers exist, reporting lines have no cycles, and
    deactivating the missing leaves no one reporting to an inactive manager."""
    in_file: dict[str, RosterRow] = {}
    for row in plan.rows:
        if not row.external_id or len(row.external_id) > 100:
            continue
        first = in_file.setdefault(row.external_id, row)
        if first is not row:
            issues.add(
                row.row,
                "external_id",
                f"Duplicate external_id {row.external_id!r} (first used on row {first.row}).",
            )
    managers: dict[str, str] = {
        external_id: person.manager_external_id
        for external_id, person in stored.items()
        if person.manager_external_id
    }
    for external_id, row in in_file.items():
        manager = row.manager_external_id
        if manager and manager != external_id:
            managers[external_id] = manager
        else:
            managers.pop(external_id, None)
        if not manager or manager == external_id:
            continue
        if manager not in in_file and manager not in stored:
            issues.add(
                row.row,
                "manager_external_id",
                f"Manager {manager!r} is neither in this file nor already in the organisation.",
            )
        elif manager not in in_file and plan.deactivate_missing:
            issues.add(
                row.row,
                "manager_external_id",
                f"Manager {manager!r} is not in this file, so deactivating people missing from "
                "the file would leave this person reporting to someone inactive.",
            )
    # Cycles: follow each chain once; a chain that meets itself is a cycle.
    state: dict[str, int] = {}  # 1 = on the current chain, 2 = known to reach the top
    has_cycle = False
    for start in managers:
        chain: list[str] = []
        node: str | None = start
        while node is not None and node not in state and node in managers:
            state[node] = 1
            chain.append(node)
            node = managers[node]
        if node is not None and state.get(node) == 1:
            has_cycle = True
            cycle = chain[chain.index(node) :]
            rows_in_cycle = [in_file[m] for m in cycle if m in in_file]
            if rows_in_cycle:
                first = min(rows_in_cycle, key=lambda r: r.row)
                # Start the loop at the first row's person so the message reads from it.
                at = cycle.index(first.external_id)
                ordered = cycle[at:] + cycle[:at]
                issues.add(
                    first.row,
                    "manager_external_id",
                    "Reporting cycle: " + " → ".join([*ordered, ordered[0]]) + ".",
                )
        for member in chain:
            state[member] = 2
    if not has_cycle:
        _check_reporting_depth(managers, in_file, issues)


def _check_reporting_depth(
    managers: dict[str, str], in_file: dict[str, RosterRow], issues: _Issues
) -> None:
    """No one ends up more than MAX_REPORTING_DEPTH managers below the top (no cycles here)."""
    depth: dict[str, int] = {}  # managers above each person who has one
    for start in managers:
        chain: list[str] = []
        node = start
        while node in managers and node not in depth:
            chain.append(node)
            node = managers[node]
        above = depth.get(node, 0)
        for member in reversed(chain):
            above += 1
            depth[member] = above
    too_deep = [external_id for external_id, d in depth.items() if d > MAX_REPORTING_DEPTH]
    for external_id in too_deep:
        if external_id in in_file:
            issues.add(
                in_file[external_id].row,
                "manager_external_id",
                f"This person would have {depth[external_id]} managers above them; at most "
                f"{MAX_REPORTING_DEPTH} are allowed (was the column filled down by mistake?).",
            )
    if too_deep and not any(external_id in in_file for external_id in too_deep):
        issues.add(
            None,
            "manager_external_id",
            f"People already in Accord would have more than {MAX_REPORTING_DEPTH} managers "
            "above them after this import.",
        )


def _count_changes(plan: ImportPlan, stored: dict[str, _StoredPerson]) -> None:
    examples: dict[str, list[str]] = {"create": [], "update": [], "deactivate": []}
    for row in plan.rows:
        current = stored.get(row.external_id)
        if current is None:
            plan.to_create += 1
            plan.new.add(row.external_id)
            if len(examples["create"]) < 5:
                examples["create"].append(f"{row.name} ({row.external_id})")
            continue
        if (
            current.name == row.name
            and current.email == row.email
            and current.unit_path == row.unit_path
            and current.manager_external_id == row.manager_external_id
            and current.role_group == row.role_group
            and current.profession == row.profession
            and current.hire_date == row.hire_date
            and current.is_leader == row.is_leader
            and current.is_active == row.is_active
            and current.attributes == row.attributes
        ):
            plan.unchanged += 1
        else:
            plan.to_update += 1
            plan.changed.add(row.external_id)
            if len(examples["update"]) < 5:
                examples["update"].append(f"{row.name} ({row.external_id})")
    if plan.deactivate_missing:
        in_file = {row.external_id for row in plan.rows}
        for external_id, current in stored.items():
            if external_id not in in_file and current.is_active:
                plan.to_deactivate += 1
                if len(examples["deactivate"]) < 5:
                    examples["deactivate"].append(f"{current.name} ({external_id})")
    plan.examples = {key: value for key, value in examples.items() if value}
