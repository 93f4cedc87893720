"""A CSV saved as Latin-1 / Windows-1252 instead of UTF-8."""

from __future__ import annotations

from accord.org.models import Organisation
from accord.org.services import preview_org_import
from tests.org.roster_files import csv_file, import_file, import_problems, person


def latin1(rows: list[dict[str, str]]) -> bytes:
    return csv_file(rows).decode().encode("latin-1")


def test_latin1_csv_names_the_row_and_column_of_each_bad_cell(org: Organisation) -> None:
    content = latin1([person("A1"), person("A2", name="José Núñez"), person("A3", name="Zoë")])

    problems = import_problems(org, content)

    assert problems == [
        "row 3, column name: 'José Núñez' is not UTF-8 text (the file looks like Latin-1 or "
        "Windows-1252). Save the file as 'CSV UTF-8' and upload it again.",
        "row 4, column name: 'Zoë' is not UTF-8 text (the file looks like Latin-1 or "
        "Windows-1252). Save the file as 'CSV UTF-8' and upload it again.",
    ]


def test_latin1_csv_still_reports_every_other_problem(org: Organisation) -> None:
    content = latin1([person("A1", name="Renée"), person("A2", email="not-an-email")])

    problems = import_problems(org, content)

    assert [p.split(":")[0] for p in problems] == ["row 2, column name", "row 3, column email"]


def test_utf8_with_byte_order_mark_is_accepted(org: Organisation) -> None:
    content = "\ufeff".encode() + csv_file([person("A1", name="José Núñez")])
    assert import_file(org, content)["create"] == 1


def test_a_nul_character_far_into_the_file_is_reported_on_its_cell(org: Organisation) -> None:
    rows = [person(f"A{number}") for number in range(100)] + [person("Z1", name="Zoe\x00")]
    content = csv_file(rows)
    assert b"\x00" not in content[:4096]  # past the check for binary files

    assert import_problems(org, content) == [
        "row 102, column name: Contains a NUL character (byte 0), which no text has; the file "
        "may be damaged. Export it again from the HR system."
    ]


def test_bytes_that_are_not_utf8_read_as_latin1_in_every_message(org: Organisation) -> None:
    content = latin1(
        [person("Aé", manager_external_id="Bé"), person("Bé", manager_external_id="Aé")]
    )

    org_import = preview_org_import(
        organisation=org, filename="roster.csv", content=content, deactivate_missing=False
    )

    org_import.refresh_from_db()
    assert {"row": 2, "column": "manager_external_id",
            "message": "Reporting cycle: Aé → Bé → Aé."} in org_import.errors  # fmt: skip
