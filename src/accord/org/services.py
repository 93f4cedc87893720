"""Write-side operations on the organisation model."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accord.org.importing import ImportFileError, ImportPlan, ProgressCallback, plan_org_import
from accord.org.models import (
    Organisation,
    OrgImport,
    Person,
    Profession,
    RoleGroup,
    Unit,
    UnitKind,
)

DEFAULT_UNIT_KINDS = ("system", "hospital", "department", "unit")
DEFAULT_PROFESSIONS: tuple[tuple[str, str], ...] = (
    ("Physician", RoleGroup.CLINICIAN),
    ("Nurse", RoleGroup.CLINICIAN),
    ("Advanced practice provider", RoleGroup.CLINICIAN),
    ("Pharmacist", RoleGroup.CLINICIAN),
    ("Social worker", RoleGroup.CLINICIAN),
    ("Therapist", RoleGroup.CLINICIAN),
    ("Technologist", RoleGroup.CLINICIAN),
    ("Executive", RoleGroup.ADMINISTRATOR),
    ("Manager", RoleGroup.ADMINISTRATOR),
    ("Administrative staff", RoleGroup.ADMINISTRATOR),
    ("Support staff", RoleGroup.OTHER),
)
CHUNK = 2000


class OrganisationError(ValueError):
    """A request to change an organisation that cannot be carried out."""


@transaction.atomic
def create_organisation(*, name: str, slug: str = "", time_zone: str = "UTC") -> Organisation:
    """A new organisation with the default unit kinds and professions."""
    name = name.strip()
    if not name:
        raise OrganisationError("An organisation needs a name.")
    slug = slugify(slug or name)
    if not slug:
        raise OrganisationError(f"Cannot make a web address (slug) from {name!r}; give --slug.")
    if Organisation.objects.filter(slug=slug).exists():
        raise OrganisationError(f"An organisation with the slug {slug!r} already exists.")
    organisation = Organisation.objects.create(name=name, slug=slug, time_zone=time_zone)
    UnitKind.objects.bulk_create(
        UnitKind(organisation=organisation, name=kind, default_depth=depth)
        for depth, kind in enumerate(DEFAULT_UNIT_KINDS)
    )
    Profession.objects.bulk_create(
        Profession(organisation=organisation, name=profession, default_role_group=group)
        for profession, group in DEFAULT_PROFESSIONS
    )
    return organisation


def preview_org_import(
    *,
    organisation: Organisation,
    filename: str,
    content: bytes,
    deactivate_missing: bool,
    uploaded_by: Any = None,
) -> OrgImport:
    """Validate an uploaded file and keep it, with its preview or its errors, until confirmed."""
    try:
        plan = plan_org_import(
            organisation=organisation,
            filename=filename,
            content=content,
            deactivate_missing=deactivate_missing,
        )
    except ImportFileError as error:
        return OrgImport.objects.create(
            organisation=organisation,
            uploaded_by=uploaded_by,
            filename=filename[:255],
            content=b"",
            deactivate_missing=deactivate_missing,
            status=OrgImport.Status.INVALID,
            errors=[issue.as_dict() for issue in error.issues],
            summary={"total_errors": error.total},
        )
    return OrgImport.objects.create(
        organisation=organisation,
        uploaded_by=uploaded_by,
        filename=filename[:255],
        content=content,
        deactivate_missing=deactivate_missing,
        status=OrgImport.Status.PREVIEWED,
        summary=plan.summary(),
    )


def confirm_org_import(*, org_import: OrgImport) -> OrgImport:
    """Apply a previewed upload, validating it again against the organisation as it is now."""
    if org_import.status != OrgImport.Status.PREVIEWED:
        raise OrganisationError("This upload has already been applied or discarded.")
    try:
        plan = plan_org_import(
            organisation=org_import.organisation,
            filename=org_import.filename,
            content=bytes(org_import.content),
            deactivate_missing=org_import.deactivate_missing,
        )
    except ImportFileError as error:
        org_import.status = OrgImport.Status.INVALID
        org_import.errors = [issue.as_dict() for issue in error.issues]
        org_import.summary = {"total_errors": error.total}
        org_import.content = b""
        org_import.save()
        return org_import
    with transaction.atomic():
        apply_org_import(plan=plan)
        org_import.status = OrgImport.Status.APPLIED
        org_import.summary = plan.summary()
        org_import.applied_at = timezone.now()
        org_import.content = b""  # the roster is in the database now; keep no second copy
        org_import.save()
    return org_import


def discard_org_import(*, org_import: OrgImport) -> None:
    if org_import.status == OrgImport.Status.PREVIEWED:
        org_import.status = OrgImport.Status.DISCARDED
        org_import.content = b""
        org_import.save(update_fields=["status", "content"])


@transaction.atomic
def apply_org_import(*, plan: ImportPlan, progress: ProgressCallback | None = None) -> None:
    """Write a validated plan: units, people, reporting lines, deactivations — all or nothing."""
    organisation = plan.organisation
    unit_ids = _create_units(plan)
    if progress:
        progress("units", len(plan.new_units), len(plan.new_units))

    profession_ids = dict(
        Profession.objects.filter(organisation=organisation).values_list("name", "id")
    )
    existing = dict(
        Person.objects.filter(organisation=organisation).values_list("external_id", "id")
    )
    now = timezone.now()
    to_create: list[Person] = []
    to_update: list[Person] = []
    for row in plan.rows:
        person = Person(
            id=existing.get(row.external_id),
            organisation=organisation,
            external_id=row.external_id,
            name=row.name,
            email=row.email,
            unit_id=unit_ids[row.unit_path][0],
            role_group=row.role_group,
            profession_id=profession_ids[row.profession],
            is_leader=row.is_leader,
            hire_date=row.hire_date,
            is_active=row.is_active,
            attributes=row.attributes,
            updated_at=now,
        )
        (to_update if person.id else to_create).append(person)
    done = 0
    for batch in _chunks(to_create, CHUNK):
        Person.objects.bulk_create(batch)
        done += len(batch)
        if progress:
            progress("people", done, len(plan.rows))
    update_fields = [
        "name", "email", "unit", "role_group", "profession", "is_leader", "hire_date",
        "is_active", "attributes", "updated_at",
    ]  # fmt: skip
    changed = _changed_people(organisation, to_update, update_fields)
    for batch in _chunks(changed, 500):
        Person.objects.bulk_update(batch, update_fields)
        done += len(batch)
        if progress:
            progress("people", done, len(plan.rows))
    if progress:
        progress("people", len(plan.rows), len(plan.rows))

    if plan.deactivate_missing:
        in_file = {row.external_id for row in plan.rows}
        missing = [pk for external_id, pk in existing.items() if external_id not in in_file]
        for batch_ids in _chunks(missing, 5000):
            Person.objects.filter(pk__in=batch_ids, is_active=True).update(
                is_active=False, updated_at=now
            )
    manager_of = {row.external_id: row.manager_external_id for row in plan.rows}
    _rebuild_reporting_lines(organisation, manager_of, progress)


def _create_units(plan: ImportPlan) -> dict[tuple[str, ...], tuple[int, str]]:
    organisation = plan.organisation
    kinds = {k.name.lower(): k.pk for k in UnitKind.objects.filter(organisation=organisation)}
    for name in plan.new_kinds:
        kinds[name.lower()] = UnitKind.objects.create(organisation=organisation, name=name).pk
    unit_ids: dict[tuple[str, ...], tuple[int, str]] = {
        tuple(full_name.split("/")): (pk, path)
        for pk, full_name, path in Unit.objects.filter(organisation=organisation).values_list(
            "pk", "full_name", "path"
        )
    }
    by_depth: dict[int, list[tuple[str, ...]]] = {}
    for unit_path in plan.new_units:
        by_depth.setdefault(len(unit_path), []).append(unit_path)
    for depth in sorted(by_depth):
        units = [
            Unit(
                organisation=organisation,
                parent_id=unit_ids[unit_path[:-1]][0] if depth > 1 else None,
                kind_id=kinds[plan.unit_kinds[unit_path].lower()],
                name=unit_path[-1],
                full_name="/".join(unit_path),
                depth=depth - 1,
            )
            for unit_path in by_depth[depth]
        ]
        Unit.objects.bulk_create(units, batch_size=CHUNK)
        for unit_path, unit in zip(by_depth[depth], units, strict=True):
            parent_path = unit_ids[unit_path[:-1]][1] if depth > 1 else "/"
            unit.path = f"{parent_path}{unit.pk}/"
            unit_ids[unit_path] = (unit.pk, unit.path)
        Unit.objects.bulk_update(units, ["path"], batch_size=CHUNK)
    return unit_ids


def _changed_people(
    organisation: Organisation, people: list[Person], fields: list[str]
) -> list[Person]:
    """The people whose stored values differ from the file (updated_at aside)."""
    columns = [f"{f}_id" if f in ("unit", "profession") else f for f in fields if f != "updated_at"]
    current = {
        values[0]: values[1:]
        for values in Person.objects.filter(organisation=organisation).values_list("pk", *columns)
    }
    return [
        person
        for person in people
        if current.get(person.pk) != tuple(getattr(person, column) for column in columns)
    ]


def _rebuild_reporting_lines(
    organisation: Organisation, manager_of: dict[str, str], progress: ProgressCallback | None
) -> None:
    """Set manager ids from the file and recompute every reporting path in the organisation."""
    rows = list(
        Person.objects.filter(organisation=organisation).values_list(
            "id", "external_id", "manager_id", "reporting_path"
        )
    )
    id_of = {external_id: pk for pk, external_id, _, _ in rows}
    manager_id: dict[int, int | None] = {}
    for pk, external_id, current_manager, _ in rows:
        if external_id in manager_of:
            wanted = manager_of[external_id]
            manager_id[pk] = id_of[wanted] if wanted else None
        else:
            manager_id[pk] = current_manager
    paths: dict[int, str] = {}
    for pk in manager_id:
        chain = []
        node: int | None = pk
        while node is not None and node not in paths:
            chain.append(node)
            node = manager_id[node]
        path = paths[node] + f"{node}/" if node is not None else "/"
        for member in reversed(chain):
            paths[member] = path
            path = f"{path}{member}/"
    updates = [
        (manager_id[pk], paths[pk], pk)
        for pk, _, current_manager, current_path in rows
        if manager_id[pk] != current_manager or paths[pk] != current_path
    ]
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        for done, batch in enumerate(_chunks(updates, 5000), start=1):
            cursor.executemany(
                f"UPDATE {table} SET manager_id = %s, reporting_path = %s WHERE id = %s",  # noqa: S608
                batch,
            )
            if progress:
                progress("reporting lines", min(done * 5000, len(updates)), len(updates))


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
