"""Optional columns a file leaves out keep what is stored; attribute columns merge."""

from __future__ import annotations

from accord.org.models import Organisation
from tests.cast import Cast
from tests.org.roster_files import csv_file, import_file, person

REQUIRED = ["external_id", "name", "unit_path", "role_group", "profession"]


def test_a_file_with_only_required_columns_keeps_managers_emails_and_dates(cast: Cast) -> None:
    before = {p: (cast.person(p).manager_id, cast.person(p).email, cast.person(p).hire_date,
                  cast.person(p).is_leader) for p in ("sam", "nora", "ceo")}  # fmt: skip
    rows = [
        {"external_id": p.external_id, "name": p.name, "unit_path": p.unit.full_name,
         "role_group": p.role_group, "profession": p.profession.name}
        for p in cast.riverside.people.select_related("unit", "profession")
    ]  # fmt: skip

    summary = import_file(cast.riverside, csv_file(rows, columns=REQUIRED))

    assert summary["update"] == 0
    after = {p: (cast.person(p).manager_id, cast.person(p).email, cast.person(p).hire_date,
                 cast.person(p).is_leader) for p in ("sam", "nora", "ceo")}  # fmt: skip
    assert after == before


def test_attribute_columns_in_the_file_replace_only_those_attributes(org: Organisation) -> None:
    import_file(org, csv_file([person("A1", job_title="Charge nurse", shift="nights")]))

    summary = import_file(org, csv_file([person("A1", shift="days")]))

    assert summary["update"] == 1
    attributes = org.people.get().attributes
    assert attributes == {"job_title": "Charge nurse", "shift": "days"}


def test_an_empty_attribute_cell_removes_that_attribute(org: Organisation) -> None:
    import_file(org, csv_file([person("A1", job_title="Charge nurse", shift="nights")]))

    import_file(org, csv_file([person("A1", shift="")], columns=[*REQUIRED, "shift"]))

    assert org.people.get().attributes == {"job_title": "Charge nurse"}


def test_a_file_without_the_active_column_reactivates_listed_people(org: Organisation) -> None:
    import_file(org, csv_file([person("A1", active="no")]))
    assert not org.people.get().is_active

    import_file(org, csv_file([person("A1")]))

    assert org.people.get().is_active
