"""Header problems stop the import before any row is read, naming each column."""

from __future__ import annotations

from accord.org.models import Organisation
from tests.org.roster_files import COLUMNS, csv_file, import_file, import_problems, person


def test_missing_required_column_is_named(org: Organisation) -> None:
    without_profession = [c for c in COLUMNS if c != "profession"]

    problems = import_problems(org, csv_file([person("A1")], columns=without_profession))

    assert problems == ["row 1, column profession: Required column is missing from the header."]


def test_every_missing_required_column_is_listed(org: Organisation) -> None:
    problems = import_problems(org, b"external_id,email\nA1,a1@test-health.example\n")

    assert problems == [
        "row 1, column name: Required column is missing from the header.",
        "row 1, column unit_path: Required column is missing from the header.",
        "row 1, column role_group: Required column is missing from the header.",
        "row 1, column profession: Required column is missing from the header.",
    ]


def test_duplicate_header_column_is_reported(org: Organisation) -> None:
    content = csv_file([person("A1")]).replace(b"leader", b"email", 1)

    problems = import_problems(org, content)

    assert problems == ["row 1, column email: This column appears twice in the header."]


def test_header_names_are_matched_loosely(org: Organisation) -> None:
    content = csv_file([person("A1")]).replace(b"external_id", b"External ID", 1)
    assert import_file(org, content)["create"] == 1


def test_more_than_twenty_extra_columns_are_refused(org: Organisation) -> None:
    extra = {f"attribute_{n}": "x" for n in range(21)}

    [problem] = import_problems(org, csv_file([person("A1", **extra)]))

    assert problem.startswith("row 1: The file has 21 extra attribute columns")
    assert problem.endswith("at most 20 are allowed.")


def test_row_wider_than_the_header_is_reported(org: Organisation) -> None:
    content = (
        csv_file([person("A1")]) + b"A2,Nunez, Jose,a2@x.example,Test Health,,clinician,Nurse,,no\n"
    )

    problems = import_problems(org, content)

    assert problems[0] == (
        "row 3: This row has 10 cells but the header has 9 columns "
        "(is there an unquoted comma in a name?)."
    )
