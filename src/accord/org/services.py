"""Write-side operations on the organisation model."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from accord.org.importing import (
    ImportFileError,
    ImportPlan,
    ProgressCallback,
    RosterRow,
    plan_org_import,
)
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
    if len(name) > 200:
        raise OrganisationError("An organisation's name can be at most 200 characters.")
    if len(slugify(slug)) > 60:
        raise OrganisationError("A slug can be at most 60 characters.")
    # A slug made from a long name is cut short rather than refused.
    slug = slugify(slug or name)[:60].strip("-")
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


def import_org_chart(
    *,
    organisation: Organisation,
    filename: str,
    content: bytes,
    deactivate_missing: bool = False,
    dry_run: bool = False,
    progress: ProgressCallback | None = None,
) -> ImportPlan:
    """Validate a file and, unless ``dry_run``, apply it: the command line's import.

    Raises ImportFileError listing every problem; then nothing has been written.
    Validation and writing share one transaction, so the file is applied to the
    organisation exactly as it was checked against.
    """
    if dry_run:
        return plan_org_import(
            organisation=organisation,
            filename=filename,
            content=content,
            deactivate_missing=deactivate_missing,
            progress=progress,
        )
    with transaction.atomic():
        plan = plan_org_import(
            organisation=organisation,
            filename=filename,
            content=content,
            deactivate_missing=deactivate_missing,
            progress=progress,
        )
        apply_org_import(plan=plan, progress=progress)
    return plan


@transaction.atomic
def confirm_org_import(*, org_import: OrgImport) -> OrgImport:
    """Apply a previewed upload, validating it again against the organisation as it is now.

    The upload is locked first, so two confirmations of the same upload (a double
    click, two admins) apply it once and the second is refused.
    """
    locked = OrgImport.objects.select_for_update().get(pk=org_import.pk)
    if locked.status != OrgImport.Status.PREVIEWED:
        raise OrganisationError("This upload has already been applied or discarded.")
    try:
        plan = plan_org_import(
            organisation=locked.organisation,
            filename=locked.filename,
            content=bytes(locked.content),
            deactivate_missing=locked.deactivate_missing,
        )
    except ImportFileError as error:
        locked.status = OrgImport.Status.INVALID
        locked.errors = [issue.as_dict() for issue in error.issues]
        locked.summary = {"total_errors": error.total}
        locked.content = b""
        locked.save()
        return locked
    apply_org_import(plan=plan)
    locked.status = OrgImport.Status.APPLIED
    locked.summary = plan.summary()
    locked.applied_at = timezone.now()
    locked.content = b""  # the roster is in the database now; keep no second copy
    locked.save()
    return locked


@transaction.atomic
def discard_org_import(*, org_import: OrgImport) -> None:
    locked = OrgImport.objects.select_for_update().get(pk=org_import.pk)
    if locked.status != OrgImport.Status.PREVIEWED:
        raise OrganisationError("This upload has already been applied or discarded.")
    locked.status = OrgImport.Status.DISCARDED
    locked.content = b""
    locked.save(update_fields=["status", "content"])


@transaction.atomic
def apply_org_import(*, plan: ImportPlan, progress: ProgressCallback | None = None) -> None:
    """Write a validated plan: units, people, reporting lines, deactivations — all or nothing.

    Writes go straight to SQL in batches: at 300,000 people, building model instances
    and saving them one by one would take minutes. New people get their ids reserved
    first, so every reporting path is computed in memory and each row is written once.
    """
    organisation = plan.organisation
    unit_ids = _create_units(plan)
    if progress:
        progress("units", len(plan.new_units), len(plan.new_units))
    profession_ids = dict(
        Profession.objects.filter(organisation=organisation).values_list("name", "id")
    )
    stored = {
        external_id: _StoredLine(pk, manager_id, reporting_path)
        for external_id, pk, manager_id, reporting_path in Person.objects.filter(
            organisation=organisation
        ).values_list("external_id", "pk", "manager_id", "reporting_path")
    }
    # Exactly the people the plan counted as new: if someone added one of them since,
    # the insert fails and the whole import rolls back rather than half-applying.
    new_rows = [row for row in plan.rows if row.external_id in plan.new]
    id_of = {external_id: line.pk for external_id, line in stored.items()}
    id_of.update(
        zip((row.external_id for row in new_rows), _reserve_person_ids(len(new_rows)), strict=True)
    )
    manager_of = {line.pk: line.manager_id for line in stored.values()}
    for row in plan.rows:
        manager = row.manager_external_id
        manager_of[id_of[row.external_id]] = id_of[manager] if manager else None
    paths = _reporting_paths(manager_of)

    writer = _PersonWriter(organisation=organisation, now=timezone.now())
    total = len(plan.rows)
    done = 0
    for batch in _chunks(new_rows, CHUNK):
        values = []
        for row in batch:
            pk = id_of[row.external_id]
            values.append(
                writer.row_values(
                    row,
                    pk=pk,
                    unit_id=unit_ids[row.unit_path],
                    profession_id=profession_ids[row.profession],
                    manager_id=manager_of[pk],
                    reporting_path=paths[pk],
                )
            )
        writer.insert(values)
        done += len(batch)
        if progress:
            progress("people", done, total)
    writer.update(
        [
            writer.update_values(
                row,
                pk=id_of[row.external_id],
                unit_id=unit_ids[row.unit_path],
                profession_id=profession_ids[row.profession],
            )
            for row in plan.rows
            if row.external_id in plan.changed
        ]
    )
    if progress:
        progress("people", total, total)

    if plan.deactivate_missing:
        in_file = {row.external_id for row in plan.rows}
        missing = [line.pk for external_id, line in stored.items() if external_id not in in_file]
        for batch_ids in _chunks(missing, 5000):
            Person.objects.filter(pk__in=batch_ids, is_active=True).update(
                is_active=False, updated_at=writer.now
            )
    _write_reporting_lines(stored, manager_of, paths, writer, progress)


@dataclass(slots=True)
class _StoredLine:
    """A person's place in the reporting tree as currently stored."""

    pk: int
    manager_id: int | None
    reporting_path: str


def _reporting_paths(manager_of: dict[int, int | None]) -> dict[int, str]:
    """Everyone's reporting path ("/<top>/.../<manager>/") from everyone's manager."""
    paths: dict[int, str] = {}
    for pk in manager_of:
        chain = []
        node: int | None = pk
        while node is not None and node not in paths:
            chain.append(node)
            node = manager_of[node]
            if len(chain) > len(manager_of):  # validation rules out cycles; never loop forever
                raise RuntimeError("Reporting cycle in a validated import plan.")
        path = paths[node] + f"{node}/" if node is not None else "/"
        for member in reversed(chain):
            paths[member] = path
            path = f"{path}{member}/"
    return paths


def _reserve_person_ids(count: int) -> list[int]:
    """Take ``count`` ids from the person table's id sequence, as inserts would.

    Knowing the ids before inserting lets reporting paths, which are made of ids,
    be written with the rows instead of by a second pass of updates.
    """
    if count == 0:
        return []
    table = Person._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        if connection.vendor == "sqlite":
            # AUTOINCREMENT keeps its high-water mark in sqlite_sequence. Writing to it
            # first takes the database's write lock, so no other writer can take these ids.
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0 "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, table],
            )
            quoted = connection.ops.quote_name(table)
            cursor.execute(
                f"SELECT max(seq, coalesce((SELECT max(id) FROM {quoted}), 0)) "  # noqa: S608
                "FROM sqlite_sequence WHERE name = %s",
                [table],
            )
            (last,) = cursor.fetchone()
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last + count, table]
            )
            return list(range(last + 1, last + count + 1))
    raise NotImplementedError(f"Accord runs on SQLite or PostgreSQL, not {connection.vendor}.")


class _PersonWriter:
    """Batched INSERT and UPDATE statements for people, with values adapted per database."""

    INSERT_COLUMNS = (
        "id", "organisation", "external_id", "name", "email", "unit", "role_group",
        "profession", "is_leader", "hire_date", "is_active", "attributes", "updated_at",
        "manager", "reporting_path",
    )  # fmt: skip
    # The columns an update rewrites: not the ids, external id or reporting line.
    UPDATED = slice(3, -2)

    def __init__(self, *, organisation: Organisation, now: Any) -> None:
        self.organisation = organisation
        self.now = now
        self.table = connection.ops.quote_name(Person._meta.db_table)
        column_of = {f.name: f.column for f in Person._meta.concrete_fields}
        self.columns = [column_of[name] for name in self.INSERT_COLUMNS]
        self.db_now = connection.ops.adapt_datetimefield_value(now)
        self.adapt_date = connection.ops.adapt_datefield_value
        # Most people share one of a few attribute sets (job title, employment type...).
        self._prepared_attributes: dict[tuple[tuple[str, str], ...], str] = {}

    def _attributes(self, attributes: dict[str, str]) -> str:
        """The JSON text of an attribute set, encoded once per distinct set."""
        key = tuple(attributes.items())
        prepared = self._prepared_attributes.get(key)
        if prepared is None:
            prepared = self._prepared_attributes[key] = json.dumps(attributes)
        return prepared

    def row_values(
        self,
        row: RosterRow,
        *,
        pk: int,
        unit_id: int,
        profession_id: int,
        manager_id: int | None = None,
        reporting_path: str = "/",
    ) -> tuple[Any, ...]:
        """Values in INSERT_COLUMNS order."""
        return (
            pk,
            self.organisation.pk,
            row.external_id,
            row.name,
            row.email,
            unit_id,
            row.role_group,
            profession_id,
            row.is_leader,
            self.adapt_date(row.hire_date),
            row.is_active,
            self._attributes(row.attributes),
            self.db_now,
            manager_id,
            reporting_path,
        )

    def update_values(
        self, row: RosterRow, *, pk: int, unit_id: int, profession_id: int
    ) -> tuple[Any, ...]:
        """The UPDATED columns' values, then the id, for :meth:`update`."""
        values = self.row_values(row, pk=pk, unit_id=unit_id, profession_id=profession_id)
        return (*values[self.UPDATED], pk)

    def insert(self, values: list[tuple[Any, ...]]) -> None:
        columns = ", ".join(self.columns)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # COPY is PostgreSQL's bulk path: several times faster than batched INSERTs.
                # It bypasses Django's cursor, so translate errors (IntegrityError...) here.
                sql = f"COPY {self.table} ({columns}) FROM STDIN"
                with connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
                    for row in values:
                        copy.write_row(row)
                return
            placeholders = ", ".join(["%s"] * len(self.columns))
            sql = f"INSERT INTO {self.table} ({columns}) VALUES ({placeholders})"  # noqa: S608
            cursor.executemany(sql, values)

    def update(self, values: list[tuple[Any, ...]]) -> None:
        """Rewrite the person columns (not the reporting line) of (values..., id) rows."""
        # JSON arrives as text; PostgreSQL needs to be told it is jsonb, SQLite stores text.
        cast = {"attributes": "::jsonb"} if connection.vendor == "postgresql" else {}
        assignments = ", ".join(
            f"{column} = %s{cast.get(column, '')}" for column in self.columns[self.UPDATED]
        )
        sql = f"UPDATE {self.table} SET {assignments} WHERE id = %s"  # noqa: S608
        with connection.cursor() as cursor:
            for batch in _chunks(values, CHUNK):
                cursor.executemany(sql, batch)


def _create_units(plan: ImportPlan) -> dict[tuple[str, ...], int]:
    organisation = plan.organisation
    kinds = {k.name.lower(): k.pk for k in UnitKind.objects.filter(organisation=organisation)}
    for name in plan.new_kinds:
        kinds[name.lower()] = UnitKind.objects.create(organisation=organisation, name=name).pk
    units: dict[tuple[str, ...], tuple[int, str]] = {
        tuple(full_name.split("/")): (pk, path)
        for pk, full_name, path in Unit.objects.filter(organisation=organisation).values_list(
            "pk", "full_name", "path"
        )
    }
    by_depth: dict[int, list[tuple[str, ...]]] = {}
    for unit_path in plan.new_units:
        by_depth.setdefault(len(unit_path), []).append(unit_path)
    table = connection.ops.quote_name(Unit._meta.db_table)
    for depth in sorted(by_depth):
        new = [
            Unit(
                organisation=organisation,
                parent_id=units[unit_path[:-1]][0] if depth > 1 else None,
                kind_id=kinds[plan.unit_kinds[unit_path].lower()],
                name=unit_path[-1],
                full_name="/".join(unit_path),
                depth=depth - 1,
            )
            for unit_path in by_depth[depth]
        ]
        Unit.objects.bulk_create(new, batch_size=CHUNK)
        # The path holds the unit's own id, so it can only be written once the id exists.
        for unit_path, unit in zip(by_depth[depth], new, strict=True):
            parent_path = units[unit_path[:-1]][1] if depth > 1 else "/"
            units[unit_path] = (unit.pk, f"{parent_path}{unit.pk}/")
        with connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {table} SET path = %s WHERE id = %s",  # noqa: S608
                [(units[unit_path][1], units[unit_path][0]) for unit_path in by_depth[depth]],
            )
    return {unit_path: pk for unit_path, (pk, _) in units.items()}


def _write_reporting_lines(
    stored: dict[str, _StoredLine],
    manager_of: dict[int, int | None],
    paths: dict[int, str],
    writer: _PersonWriter,
    progress: ProgressCallback | None,
) -> None:
    """Update stored people whose manager or reporting path changed.

    A manager change moves the whole subtree below that person, so paths are
    compared for everyone in the organisation, not only the rows in the file.
    """
    new_manager: list[tuple[Any, ...]] = []
    new_path_only: list[tuple[Any, ...]] = []
    for line in stored.values():
        if manager_of[line.pk] != line.manager_id:
            new_manager.append((manager_of[line.pk], paths[line.pk], writer.db_now, line.pk))
        elif paths[line.pk] != line.reporting_path:
            # Derived from someone else's move: the person's own record did not change.
            new_path_only.append((paths[line.pk], line.pk))
    total = len(new_manager) + len(new_path_only)
    done = 0
    with connection.cursor() as cursor:
        for sql, updates in (
            (
                f"UPDATE {writer.table} SET manager_id = %s, reporting_path = %s, "  # noqa: S608
                "updated_at = %s WHERE id = %s",
                new_manager,
            ),
            (f"UPDATE {writer.table} SET reporting_path = %s WHERE id = %s", new_path_only),  # noqa: S608
        ):
            for batch in _chunks(updates, CHUNK):
                cursor.executemany(sql, batch)
                done += len(batch)
                if progress:
                    progress("reporting lines", done, total)


def _chunks(items: list[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def add_profession(*, organisation: Organisation, name: str, default_role_group: str) -> Profession:
    """Add a profession to the organisation's list, used by imports and reporting."""
    name = " ".join(name.split())
    if not name:
        raise OrganisationError("A profession needs a name.")
    if len(name) > 100:
        raise OrganisationError("A profession's name can be at most 100 characters.")
    if default_role_group not in RoleGroup.values:
        raise OrganisationError(
            f"Unknown role group {default_role_group!r}; use one of {', '.join(RoleGroup.values)}."
        )
    if Profession.objects.filter(organisation=organisation, name__iexact=name).exists():
        raise OrganisationError(f"{organisation.name} already has the profession {name!r}.")
    return Profession.objects.create(
        organisation=organisation, name=name, default_role_group=default_role_group
    )
