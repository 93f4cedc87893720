"""A unit has one kind: the file may not call it two things, nor contradict what is stored."""

from __future__ import annotations

from accord.org.models import Organisation, Unit, UnitKind
from tests.cast import Cast, roster_csv
from tests.org.roster_files import HOSPITAL, csv_file, import_file, import_problems, person


def test_unit_kind_conflict_within_the_file_is_reported(org: Organisation) -> None:
    content = csv_file(
        [
            person("A1", unit_kinds="system/hospital/department"),
            person("A2", unit_kinds="system/hospital/department"),
            person("A3", unit_kinds="system/campus/department"),
        ]
    )

    assert import_problems(org, content) == [
        f"row 4, column unit_kinds: '{HOSPITAL}' is a 'campus' here but a 'hospital' on row 2."
    ]


def test_unit_kind_conflict_with_an_existing_unit_is_reported(cast: Cast) -> None:
    # North Hospital is stored as a hospital; this row calls it a department.
    row = ("newbie", "New Nurse", "Riverside Health/North Hospital/Emergency",
           "system/department/department", "chad", "clinician", "Nurse", "no")  # fmt: skip

    problems = import_problems(cast.riverside, roster_csv([row]))

    assert problems == [
        "row 2, column unit_kinds: 'Riverside Health/North Hospital' already exists as a "
        "'hospital', not a 'department'."
    ]


def test_unit_names_differing_only_in_capitals_are_reported(cast: Cast) -> None:
    row = ("newbie", "New Nurse", "Riverside Health/north hospital/Emergency", "",
           "chad", "clinician", "Nurse", "no")  # fmt: skip

    problems = import_problems(cast.riverside, roster_csv([row]))

    assert problems == [
        "row 2, column unit_path: 'Riverside Health/north hospital' differs only in capitals "
        "from 'Riverside Health/North Hospital' (already in the organisation); spell units "
        "the same way."
    ]


def test_unit_kinds_count_must_match_the_unit_path(org: Organisation) -> None:
    content = csv_file([person("A1", unit_kinds="system/hospital")])

    assert import_problems(org, content) == [
        "row 2, column unit_kinds: Names 2 kinds for a unit path of 3 levels."
    ]


def test_new_kind_named_in_two_spellings_is_created_once(org: Organisation) -> None:
    content = csv_file(
        [
            person(
                "A1",
                unit_path=f"{HOSPITAL}/Medicine/Ward 1",
                unit_kinds="system/hospital/department/Ward",
            ),
            person(
                "A2",
                unit_path=f"{HOSPITAL}/Medicine/Ward 2",
                unit_kinds="system/hospital/department/ward",
            ),
        ]
    )

    summary = import_file(org, content)

    assert summary["new_unit_kinds"] == ["Ward"]
    ward = UnitKind.objects.get(organisation=org, name="Ward")
    assert set(Unit.objects.filter(kind=ward).values_list("name", flat=True)) == {
        "Ward 1",
        "Ward 2",
    }


def test_units_without_named_kinds_take_the_kind_of_their_depth(org: Organisation) -> None:
    import_file(
        org, csv_file([person("A1", unit_path=f"{HOSPITAL}/Medicine/Ward 1/Night team/Pod")])
    )

    kinds = dict(Unit.objects.filter(organisation=org).values_list("name", "kind__name"))
    assert kinds == {
        "Test Health": "system",
        "General Hospital": "hospital",
        "Medicine": "department",
        "Ward 1": "unit",
        "Night team": "unit",
        "Pod": "unit",
    }
