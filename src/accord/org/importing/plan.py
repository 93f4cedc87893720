"""plan_org_import: the whole file checked, step by step, into every problem or a plan."""

from __future__ import annotations

from accord.org.importing.people import StoredPerson, read_people, stored_people
from accord.org.importing.reporting import check_people
from accord.org.importing.roster import (
    KNOWN_COLUMNS,
    REQUIRED_COLUMNS,
    ImportPlan,
    ProgressCallback,
)
from accord.org.importing.units import check_units, stored_units
from accord.org.models import Organisation, Profession
from accord.org.spreadsheets import IssueCollector, Sheet, column_name, read_rows

MAX_EXTRA_ATTRIBUTES = 20


def plan_org_import(
    *,
    organisation: Organisation,
    filename: str,
    content: bytes,
    deactivate_missing: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Validate the whole file; raise ImportFileError listing every problem, or return a plan.

    ``filename`` is the name it was uploaded with; the content alone says what the file is.
    """
    sheet = read_rows(content, contents="the org chart", source="the HR system")
    issues = IssueCollector()
    issues.extend(sheet.issues)  # a header that is not UTF-8
    sheet.issues.clear()
    columns = _check_header(sheet, issues)
    issues.raise_if_any()  # without the right columns, row-by-row messages would be noise

    professions = {
        p.name.lower(): p.name for p in Profession.objects.filter(organisation=organisation)
    }
    rows = read_people(sheet, columns, professions, issues, progress)
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
    units = stored_units(organisation)
    stored = stored_people(organisation, units)
    _resolve_left_out_columns(plan, stored)
    check_units(plan, units, issues)
    check_people(plan, stored, issues)
    issues.raise_if_any()
    _count_changes(plan, stored)
    return plan


def _check_header(sheet: Sheet, issues: IssueCollector) -> dict[str, int]:
    """Column name → position; reports duplicate, missing required and too many extra columns."""
    row = sheet.header_row
    columns: dict[str, int] = {}
    for position, raw_name in enumerate(sheet.header):
        column = column_name(raw_name)
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


def _resolve_left_out_columns(plan: ImportPlan, stored: dict[str, StoredPerson]) -> None:
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


def _count_changes(plan: ImportPlan, stored: dict[str, StoredPerson]) -> None:
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
