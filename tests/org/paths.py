"""Invariants of the stored trees, checked row by row against their definitions."""

from __future__ import annotations

from accord.org.models import Organisation, Person, Unit


def assert_reporting_paths_consistent(organisation: Organisation) -> None:
    people = {p.pk: p for p in Person.objects.filter(organisation=organisation)}
    for person in people.values():
        if person.manager_id is None:
            expected = "/"
        else:
            manager = people[person.manager_id]
            expected = f"{manager.reporting_path}{manager.pk}/"
        assert person.reporting_path == expected, person


def assert_unit_paths_consistent(organisation: Organisation) -> None:
    units = {u.pk: u for u in Unit.objects.filter(organisation=organisation)}
    for unit in units.values():
        if unit.parent_id is None:
            assert (unit.path, unit.depth, unit.full_name) == (f"/{unit.pk}/", 0, unit.name)
        else:
            parent = units[unit.parent_id]
            assert unit.path == f"{parent.path}{unit.pk}/", unit
            assert unit.depth == parent.depth + 1, unit
            assert unit.full_name == f"{parent.full_name}/{unit.name}", unit
