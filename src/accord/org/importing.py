"""Reading and validating an org-chart file (CSV or XLSX) into an import plan.

Nothing here writes to the database: :func:`plan_org_import` reads the file,
checks every row against the file itself and against the organisation as it is,
and returns either the list of every problem found (row and column each) or a
plan that :func:`accord.org.services.apply_org_import` carries out atomically.
The format is documented in docs/import-format.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from accord.org.models import Organisation, Person, Profession, RoleGroup, Unit, UnitKind

REQUIRED_COLUMNS = ("external_id", "name", "unit_path", "role_group", "profession")
OPTIONAL_COLUMNS = ("email", "manager_external_id", "hire_date", "leader", "unit_kinds", "active")
KNOWN_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
MAX_REPORTED_ISSUES = 500
MAX_EXTRA_ATTRIBUTES = 20

# Deliberately simple: one @, no spaces, a dot in the domain. Good enough to catch
# the errors HR exports contain (names in the email column, missing domains).
EMAIL_PATTERN = re.compile(r"^[^@\s,;<>]+@[^@\s,;<>]+\.[^@\s,;<>.]{2,}$")
TRUE_WORDS = {"yes", "y", "true", "1", "x"}
FALSE_WORDS = {"no", "n", "false", "0", ""}

ProgressCallback = Callable[[str, int, int], None]


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
    """The file cannot be imported; ``issues`` lists every reason found."""

    def __init__(self, issues: list[ImportIssue], total: int | None = None) -> None:
        self.issues = issues
        self.total = total if total is not None else len(issues)
        super().__init__(f"{self.total} problem(s) in the import file")


@dataclass
class RosterRow:
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
    new_kinds: list[str] = field(default_factory=list)
    new_units: list[tuple[str, ...]] = field(default_factory=list)
    unit_kinds: dict[tuple[str, ...], str] = field(default_factory=dict)
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


def read_rows(filename: str, content: bytes) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and data rows of a CSV or XLSX file, whatever its extension claims."""
    if not content.strip():
        raise ImportFileError([ImportIssue(None, None, "The file is empty.")])
    if content[:4] == b"PK\x03\x04":
        return _read_xlsx(content)
    if content[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError(
            [ImportIssue(None, None, "This is an old Excel (.xls) file. Save it as .xlsx or CSV.")]
        )
    if b"\x00" in content[:4096]:
        raise ImportFileError(
            [
                ImportIssue(
                    None,
                    None,
                    "This is not a CSV or XLSX file (it contains binary data). "
                    "Export the org chart as CSV (UTF-8) or XLSX.",
                )
            ]
        )
    return _read_csv(content)


def _read_csv(content: bytes) -> tuple[list[str], Iterator[list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            [
                ImportIssue(
                    line,
                    None,
                    f"The file is not UTF-8 text (byte 0x{content[exc.start]:02x} cannot be "
                    "read). Save it as 'CSV UTF-8' and upload it again.",
                )
            ]
        ) from None
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise ImportFileError([ImportIssue(1, None, "The file has no header row.")]) from None
    return header, _csv_data(reader)


def _csv_data(reader: Iterable[list[str]]) -> Iterator[list[Any]]:
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFileError(
            [ImportIssue(None, None, f"The CSV file is malformed: {exc}.")]
        ) from None


def _read_xlsx(content: bytes) -> tuple[list[str], Iterator[list[Any]]]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(content))
        sheet = workbook.get_sheet_by_index(0)
        rows = iter(sheet.iter_rows())
        header = next(rows, None)
    except Exception as exc:  # calamine raises several types for unreadable archives
        raise ImportFileError(
            [ImportIssue(None, None, f"This is not a readable XLSX workbook ({exc}).")]
        ) from None
    if header is None:
        raise ImportFileError([ImportIssue(1, None, "The first sheet is empty.")])
    return [str(cell) for cell in header], rows


# --- validating ------------------------------------------------------------


def _normalise_header(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", str(name).strip().lower())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _cell(value)
    parsed = dt.date.fromisoformat(text)  # raises ValueError
    if parsed.year < 1900:
        raise ValueError(text)
    return parsed


class _Issues:
    """Collects issues, keeping the first MAX_REPORTED_ISSUES and counting the rest."""

    def __init__(self) -> None:
        self.kept: list[ImportIssue] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.total += 1
        if len(self.kept) < MAX_REPORTED_ISSUES:
            self.kept.append(ImportIssue(row, column, message))

    def raise_if_any(self) -> None:
        if self.total:
            ordered = sorted(self.kept, key=lambda i: (i.row or 0, i.column or ""))
            raise ImportFileError(ordered, self.total)


def plan_org_import(
    *,
    organisation: Organisation,
    filename: str,
    content: bytes,
    deactivate_missing: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Validate the whole file; raise ImportFileError listing every problem, or return a plan."""
    header, data = read_rows(filename, content)
    issues = _Issues()
    columns = [_normalise_header(h) for h in header]
    seen: dict[str, int] = {}
    for position, column in enumerate(columns):
        if not column:
            continue
        if column in seen:
            issues.add(1, column, "This column appears twice in the header.")
        seen[column] = position
    for required in REQUIRED_COLUMNS:
        if required not in seen:
            issues.add(1, required, "Required column is missing from the header.")
    extra_columns = [c for c in seen if c not in KNOWN_COLUMNS]
    if len(extra_columns) > MAX_EXTRA_ATTRIBUTES:
        issues.add(1, None, f"At most {MAX_EXTRA_ATTRIBUTES} extra attribute columns are allowed.")
    issues.raise_if_any()

    professions = {
        p.name.lower(): p.name for p in Profession.objects.filter(organisation=organisation)
    }
    role_groups = set(RoleGroup.values)
    existing_kinds = {
        k.name.lower(): k.name for k in UnitKind.objects.filter(organisation=organisation)
    }
    depth_kinds: dict[int, str] = {
        depth: name
        for depth, name in UnitKind.objects.filter(organisation=organisation).values_list(
            "default_depth", "name"
        )
        if depth is not None
    }

    def get(raw: list[Any], column: str) -> Any:
        position = seen.get(column)
        if position is None or position >= len(raw):
            return None
        return raw[position]

    rows: list[RosterRow] = []
    first_row_of: dict[str, int] = {}
    total_rows = 0
    for index, raw in enumerate(data, start=2):
        total_rows += 1
        if progress and total_rows % 5000 == 0:
            progress("validate", total_rows, 0)
        if not any(_cell(v) for v in raw):
            continue  # blank lines are common at the end of exports
        row_issue_count = issues.total
        values = {c: _cell(get(raw, c)) for c in REQUIRED_COLUMNS}
        for column in REQUIRED_COLUMNS:
            if not values[column]:
                issues.add(index, column, "This field is required and is empty.")
        external_id = values["external_id"]
        if external_id:
            if len(external_id) > 100:
                issues.add(index, "external_id", "Longer than 100 characters.")
            elif external_id in first_row_of:
                issues.add(
                    index,
                    "external_id",
                    f"Duplicate external_id {external_id!r} (first used on row "
                    f"{first_row_of[external_id]}).",
                )
            else:
                first_row_of[external_id] = index
        if len(values["name"]) > 200:
            issues.add(index, "name", "Longer than 200 characters.")
        email = _cell(get(raw, "email")).lower()
        if email and (len(email) > 254 or not EMAIL_PATTERN.match(email)):
            issues.add(index, "email", f"{email!r} is not a valid email address.")
        role_group = values["role_group"].lower()
        if role_group and role_group not in role_groups:
            issues.add(
                index,
                "role_group",
                f"Unknown role group {values['role_group']!r}; use one of "
                f"{', '.join(sorted(role_groups))}.",
            )
        profession = professions.get(values["profession"].lower(), "")
        if values["profession"] and not profession:
            issues.add(
                index,
                "profession",
                f"Unknown profession {values['profession']!r}; this organisation's "
                f"professions are: {', '.join(sorted(professions.values()))}.",
            )
        unit_path: tuple[str, ...] = ()
        if values["unit_path"]:
            parts = tuple(part.strip() for part in values["unit_path"].split("/"))
            if any(not part for part in parts):
                issues.add(
                    index,
                    "unit_path",
                    "A unit path has an empty level (look for '//' or a leading or trailing '/').",
                )
            elif any(len(part) > 200 for part in parts):
                issues.add(index, "unit_path", "A unit name is longer than 200 characters.")
            else:
                unit_path = parts
        unit_kinds: tuple[str, ...] | None = None
        kinds_text = _cell(get(raw, "unit_kinds"))
        if kinds_text:
            unit_kinds = tuple(part.strip() for part in kinds_text.split("/"))
            if unit_path and len(unit_kinds) != len(unit_path):
                issues.add(
                    index,
                    "unit_kinds",
                    f"Names {len(unit_kinds)} kinds for a unit path of {len(unit_path)} levels.",
                )
                unit_kinds = None
            elif any(not kind for kind in unit_kinds):
                issues.add(index, "unit_kinds", "A unit kind is empty.")
                unit_kinds = None
        hire_date = None
        hire_raw = get(raw, "hire_date")
        if _cell(hire_raw):
            try:
                hire_date = _parse_date(hire_raw)
            except ValueError:
                issues.add(
                    index, "hire_date", f"{_cell(hire_raw)!r} is not a date; write YYYY-MM-DD."
                )
        flags: dict[str, bool] = {}
        for column, default in (("leader", False), ("active", True)):
            text = _cell(get(raw, column)).lower()
            if not text:
                flags[column] = default
            elif text in TRUE_WORDS:
                flags[column] = True
            elif text in FALSE_WORDS:
                flags[column] = False
            else:
                issues.add(index, column, f"{text!r} is not yes or no.")
        manager_external_id = _cell(get(raw, "manager_external_id"))
        if manager_external_id and manager_external_id == external_id:
            issues.add(index, "manager_external_id", "A person cannot be their own manager.")
        if issues.total != row_issue_count:
            continue
        attributes = {c: _cell(get(raw, c)) for c in extra_columns if _cell(get(raw, c))}
        rows.append(
            RosterRow(
                row=index,
                external_id=external_id,
                name=values["name"],
                email=email,
                unit_path=unit_path,
                unit_kinds=unit_kinds,
                manager_external_id=manager_external_id,
                role_group=role_group,
                profession=profession,
                hire_date=hire_date,
                is_leader=flags["leader"],
                is_active=flags["active"],
                attributes=attributes,
            )
        )
    if total_rows == 0:
        issues.add(None, None, "The file has a header but no people.")
    if progress:
        progress("validate", total_rows, total_rows)

    plan = ImportPlan(organisation=organisation, rows=rows, deactivate_missing=deactivate_missing)
    _check_units(plan, existing_kinds, depth_kinds, issues)
    existing_people = _check_people(
        plan, issues, rows_with_errors=set(first_row_of) - {r.external_id for r in rows}
    )
    issues.raise_if_any()
    _count_changes(plan, existing_people)
    return plan


def _check_units(
    plan: ImportPlan,
    existing_kinds: dict[str, str],
    depth_kinds: dict[int, str],
    issues: _Issues,
) -> None:
    """Every unit path resolves to one kind, agreeing with the file and the database."""
    existing = {
        tuple(full_name.split("/")): kind
        for full_name, kind in Unit.objects.filter(organisation=plan.organisation).values_list(
            "full_name", "kind__name"
        )
    }
    deepest_kind = depth_kinds[max(depth_kinds)] if depth_kinds else "unit"
    declared: dict[tuple[str, ...], tuple[str, int]] = {}
    new_kinds: dict[str, str] = {}
    for row in plan.rows:
        for depth in range(len(row.unit_path)):
            prefix = row.unit_path[: depth + 1]
            if row.unit_kinds is not None:
                kind = existing_kinds.get(row.unit_kinds[depth].lower()) or new_kinds.setdefault(
                    row.unit_kinds[depth].lower(), row.unit_kinds[depth]
                )
                earlier = declared.get(prefix)
                if earlier and earlier[0].lower() != kind.lower():
                    issues.add(
                        row.row,
                        "unit_kinds",
                        f"{'/'.join(prefix)!r} is a {kind!r} here but a {earlier[0]!r} on row "
                        f"{earlier[1]}.",
                    )
                    continue
                declared.setdefault(prefix, (kind, row.row))
                current = existing.get(prefix)
                if current and current.lower() != kind.lower():
                    issues.add(
                        row.row,
                        "unit_kinds",
                        f"{'/'.join(prefix)!r} already exists as a {current!r}, not a {kind!r}.",
                    )
    kinds: dict[tuple[str, ...], str] = {}
    for row in plan.rows:
        for depth in range(len(row.unit_path)):
            prefix = row.unit_path[: depth + 1]
            if prefix in kinds:
                continue
            if prefix in existing:
                kinds[prefix] = existing[prefix]
            elif prefix in declared:
                kinds[prefix] = declared[prefix][0]
            else:
                kinds[prefix] = depth_kinds.get(depth, deepest_kind)
    plan.unit_kinds = kinds
    plan.new_units = sorted((p for p in kinds if p not in existing), key=len)
    plan.new_kinds = sorted(
        {k for p, k in kinds.items() if p not in existing and k.lower() not in existing_kinds}
    )


def _check_people(
    plan: ImportPlan, issues: _Issues, rows_with_errors: set[str]
) -> dict[str, tuple[Any, ...]]:
    """Managers exist, reporting lines have no cycles, deactivation leaves no one orphaned."""
    existing: dict[str, tuple[Any, ...]] = {}
    for values in Person.objects.filter(organisation=plan.organisation).values_list(
        "external_id",
        "id",
        "name",
        "email",
        "unit__full_name",
        "manager__external_id",
        "role_group",
        "profession__name",
        "hire_date",
        "is_leader",
        "is_active",
        "attributes",
    ):
        existing[values[0]] = values
    in_file = {row.external_id: row for row in plan.rows}
    managers: dict[str, str] = {
        external_id: values[5] for external_id, values in existing.items() if values[5]
    }
    for row in plan.rows:
        if row.manager_external_id:
            managers[row.external_id] = row.manager_external_id
        else:
            managers.pop(row.external_id, None)
        manager = row.manager_external_id
        if not manager:
            continue
        if manager in rows_with_errors:
            continue  # its own row already carries an error
        if manager not in in_file and manager not in existing:
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
    for start in managers:
        chain: list[str] = []
        node: str | None = start
        while node is not None and state.get(node) is None and node in managers:
            state[node] = 1
            chain.append(node)
            node = managers.get(node)
        if node is not None and state.get(node) == 1:
            cycle = chain[chain.index(node) :]
            if any(member in in_file for member in cycle):
                first = min((in_file[m] for m in cycle if m in in_file), key=lambda r: r.row)
                issues.add(
                    first.row,
                    "manager_external_id",
                    "Reporting cycle: " + " → ".join([*cycle, cycle[0]]) + ".",
                )
        for member in chain:
            state[member] = 2
    return existing


def _count_changes(plan: ImportPlan, existing: dict[str, tuple[Any, ...]]) -> None:
    examples: dict[str, list[str]] = {"create": [], "update": [], "deactivate": []}
    for row in plan.rows:
        current = existing.get(row.external_id)
        if current is None:
            plan.to_create += 1
            if len(examples["create"]) < 5:
                examples["create"].append(f"{row.name} ({row.external_id})")
            continue
        wanted = (
            row.name,
            row.email,
            "/".join(row.unit_path),
            row.manager_external_id or None,
            row.role_group,
            row.profession,
            row.hire_date,
            row.is_leader,
            row.is_active,
            row.attributes,
        )
        if tuple(current[2:]) == wanted:
            plan.unchanged += 1
        else:
            plan.to_update += 1
            if len(examples["update"]) < 5:
                examples["update"].append(f"{row.name} ({row.external_id})")
    if plan.deactivate_missing:
        in_file = {row.external_id for row in plan.rows}
        for external_id, values in existing.items():
            if external_id not in in_file and values[10]:
                plan.to_deactivate += 1
                if len(examples["deactivate"]) < 5:
                    examples["deactivate"].append(f"{values[2]} ({external_id})")
    plan.examples = {key: value for key, value in examples.items() if value}
