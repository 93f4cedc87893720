"""Bad cells: each reported with its row (header = row 1) and column; nothing written."""

from __future__ import annotations

import pytest

from accord.org.importing import MAX_REPORTED_ISSUES, ImportFileError, plan_org_import
from accord.org.models import Organisation
from tests.org.roster_files import csv_file, import_problems, person


def test_bad_email_is_reported(org: Organisation) -> None:
    content = csv_file([person("A1"), person("A2", email="Jane Doe")])

    assert import_problems(org, content) == [
        "row 3, column email: 'jane doe' is not a valid email address."
    ]


def test_unknown_role_group_lists_the_valid_ones(org: Organisation) -> None:
    content = csv_file([person("A1", role_group="doctor")])

    assert import_problems(org, content) == [
        "row 2, column role_group: Unknown role group 'doctor'; use one of administrator, "
        "clinician, other."
    ]


def test_unknown_profession_lists_this_organisations_professions(org: Organisation) -> None:
    [problem] = import_problems(org, csv_file([person("A1", profession="Wizard")]))

    assert problem.startswith(
        "row 2, column profession: Unknown profession 'Wizard'; this organisation's professions "
        "are: Administrative staff, Advanced practice provider, Executive,"
    )


@pytest.mark.parametrize("column", ["external_id", "name", "unit_path", "role_group", "profession"])
def test_empty_required_field_is_reported(org: Organisation, column: str) -> None:
    content = csv_file([person("A1", **{column: "  "})])

    assert import_problems(org, content) == [
        f"row 2, column {column}: This field is required and is empty."
    ]


def test_duplicate_external_id_reported_with_both_rows(org: Organisation) -> None:
    content = csv_file([person("A1"), person("B2"), person("A1", name="Someone Else")])

    assert import_problems(org, content) == [
        "row 4, column external_id: Duplicate external_id 'A1' (first used on row 2)."
    ]


def test_manager_not_found_is_reported(org: Organisation) -> None:
    content = csv_file([person("A1"), person("A2", manager_external_id="GHOST")])

    assert import_problems(org, content) == [
        "row 3, column manager_external_id: Manager 'GHOST' is neither in this file nor "
        "already in the organisation."
    ]


def test_manager_with_an_error_on_their_own_row_is_not_reported_missing(
    org: Organisation,
) -> None:
    content = csv_file([person("BOSS", email="nope"), person("A2", manager_external_id="BOSS")])

    assert import_problems(org, content) == [
        "row 2, column email: 'nope' is not a valid email address."
    ]


def test_own_manager_is_reported(org: Organisation) -> None:
    content = csv_file([person("A1", manager_external_id="A1")])

    assert import_problems(org, content) == [
        "row 2, column manager_external_id: A person cannot be their own manager."
    ]


@pytest.mark.parametrize("hire_date", ["15/01/2020", "2020-02-30", "2020-1-5", "last spring"])
def test_bad_hire_date_is_reported(org: Organisation, hire_date: str) -> None:
    content = csv_file([person("A1", hire_date=hire_date)])

    assert import_problems(org, content) == [
        f"row 2, column hire_date: {hire_date!r} is not a date; write YYYY-MM-DD "
        "(or use a date cell in Excel)."
    ]


def test_bad_leader_flag_is_reported(org: Organisation) -> None:
    content = csv_file([person("A1", leader="maybe")])

    assert import_problems(org, content) == ["row 2, column leader: 'maybe' is not yes or no."]


def test_bad_active_flag_is_reported(org: Organisation) -> None:
    content = csv_file([person("A1", active="retired")])

    assert import_problems(org, content) == ["row 2, column active: 'retired' is not yes or no."]


def test_malformed_unit_path_is_reported(org: Organisation) -> None:
    content = csv_file([person("A1", unit_path="Test Health//Medicine")])

    assert import_problems(org, content) == [
        "row 2, column unit_path: A unit path has an empty level (look for '//' or a leading "
        "or trailing '/')."
    ]


def test_every_problem_comes_back_at_once_sorted_by_row_and_column(org: Organisation) -> None:
    content = csv_file(
        [
            person("A1"),
            person("A2", email="bad", manager_external_id="NOBODY"),
            person("A3", role_group="wizard", hire_date="yesterday"),
            person("A4"),
            person("A2", leader="perhaps"),
        ]
    )

    assert import_problems(org, content) == [
        "row 3, column email: 'bad' is not a valid email address.",
        "row 3, column manager_external_id: Manager 'NOBODY' is neither in this file nor "
        "already in the organisation.",
        "row 4, column role_group: Unknown role group 'wizard'; use one of administrator, "
        "clinician, other.",
        "row 4, column hire_date: 'yesterday' is not a date; write YYYY-MM-DD (or use a date "
        "cell in Excel).",
        "row 6, column external_id: Duplicate external_id 'A2' (first used on row 3).",
        "row 6, column leader: 'perhaps' is not yes or no.",
    ]


def test_a_flood_of_problems_keeps_the_earliest_rows_and_counts_the_rest(
    org: Organisation,
) -> None:
    rows = [person(f"A{n}", email="bad") for n in range(MAX_REPORTED_ISSUES + 100)]
    rows.append(person("LAST", manager_external_id="A0"))
    rows.insert(0, person("FIRST", manager_external_id="NOBODY"))

    with pytest.raises(ImportFileError) as caught:
        plan_org_import(organisation=org, filename="big.csv", content=csv_file(rows))

    error = caught.value
    assert error.total == MAX_REPORTED_ISSUES + 101
    assert len(error.issues) == MAX_REPORTED_ISSUES
    # The manager check runs after the cell checks, yet its row-2 problem is kept first.
    assert error.issues[0].row == 2
    assert error.issues[0].column == "manager_external_id"
    assert [issue.row for issue in error.issues] == sorted(issue.row or 0 for issue in error.issues)
    assert error.issues[-1].row == MAX_REPORTED_ISSUES + 1
