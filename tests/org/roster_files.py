"""Small org-chart files for import tests, written the way HR exports them."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from openpyxl import Workbook

from accord.org.importing import ImportFileError, ImportIssue, plan_org_import
from accord.org.models import Organisation, Person, Unit, UnitKind
from accord.org.services import import_org_chart

COLUMNS = (
    "external_id", "name", "email", "unit_path", "manager_external_id", "role_group",
    "profession", "hire_date", "leader",
)  # fmt: skip
HOSPITAL = "Test Health/General Hospital"


def person(external_id: str, /, **values: str) -> dict[str, str]:
    """A valid row for a nurse in General Hospital's medicine department, unless overridden."""
    row = {
        "external_id": external_id,
        "name": f"Person {external_id}",
        "email": f"{external_id.lower()}@test-health.example",
        "unit_path": f"{HOSPITAL}/Medicine",
        "manager_external_id": "",
        "role_group": "clinician",
        "profession": "Nurse",
        "hire_date": "2020-01-15",
        "leader": "no",
    }
    row.update(values)
    return row


def csv_file(rows: Sequence[dict[str, str]], columns: Sequence[str] | None = None) -> bytes:
    if columns is None:
        columns = list(COLUMNS) + [c for r in rows for c in r if c not in COLUMNS]
        columns = list(dict.fromkeys(columns))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def xlsx_file(rows: Sequence[Sequence[Any]]) -> bytes:
    """A workbook whose first sheet holds ``rows`` as typed cells (numbers, dates...)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def import_file(organisation: Organisation, content: bytes, **options: Any) -> dict[str, Any]:
    """Validate and apply, as the command line does; the plan's summary."""
    plan = import_org_chart(
        organisation=organisation, filename="roster.csv", content=content, **options
    )
    return plan.summary()


def table_sizes() -> tuple[int, int, int]:
    return Person.objects.count(), Unit.objects.count(), UnitKind.objects.count()


@contextmanager
def nothing_written() -> Iterator[None]:
    before = table_sizes()
    yield
    assert table_sizes() == before


def import_problems(organisation: Organisation, content: bytes, **options: Any) -> list[str]:
    """Every problem the import reports, as "row N, column C: message"; asserts nothing changed."""
    with nothing_written():
        try:
            import_file(organisation, content, **options)
        except ImportFileError as error:
            assert error.total == len(error.issues)
            return [str(issue) for issue in error.issues]
    raise AssertionError("The import was accepted.")


def issues_of(organisation: Organisation, content: bytes, **options: Any) -> list[ImportIssue]:
    try:
        plan_org_import(organisation=organisation, filename="roster", content=content, **options)
    except ImportFileError as error:
        return error.issues
    raise AssertionError("The import was accepted.")
