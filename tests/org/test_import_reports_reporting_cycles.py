"""Reporting lines must end at someone with no manager: a loop is an error, wherever it runs."""

from __future__ import annotations

from accord.org.models import Organisation
from tests.cast import ROSTER, Cast, roster_csv
from tests.org.roster_files import csv_file, import_file, import_problems, person


def test_cycle_within_the_file_is_reported_once_at_its_first_row(org: Organisation) -> None:
    content = csv_file(
        [
            person("TOP"),
            person("A", manager_external_id="C"),
            person("B", manager_external_id="A"),
            person("C", manager_external_id="B"),
        ]
    )

    assert import_problems(org, content) == [
        "row 3, column manager_external_id: Reporting cycle: A → C → B → A."
    ]


def test_cycle_through_people_already_stored_but_not_in_the_file(cast: Cast) -> None:
    # Stored: nora reports to chad, who reports to ceo. The file makes ceo report to nora.
    ceo = next(row for row in ROSTER if row[0] == "ceo")
    ceo_reporting_to_nora = (*ceo[:4], "nora", *ceo[5:])

    problems = import_problems(cast.riverside, roster_csv([ceo_reporting_to_nora]))

    assert problems == [
        "row 2, column manager_external_id: Reporting cycle: ceo → nora → chad → ceo."
    ]


def test_two_separate_cycles_are_both_reported(org: Organisation) -> None:
    content = csv_file(
        [
            person("A", manager_external_id="B"),
            person("B", manager_external_id="A"),
            person("C", manager_external_id="D"),
            person("D", manager_external_id="C"),
        ]
    )

    assert import_problems(org, content) == [
        "row 2, column manager_external_id: Reporting cycle: A → B → A.",
        "row 4, column manager_external_id: Reporting cycle: C → D → C.",
    ]


def test_a_file_may_reverse_a_stored_reporting_line(cast: Cast) -> None:
    """Swapping boss and report is not a cycle once both rows are in the file."""
    from tests.org.roster_files import import_file

    rows = [r for r in ROSTER if r[0] not in ("nora", "sam")]
    nora = next(r for r in ROSTER if r[0] == "nora")
    sam = next(r for r in ROSTER if r[0] == "sam")
    swapped = [(*nora[:4], "sam", *nora[5:]), (*sam[:4], "chad", *sam[5:])]

    summary = import_file(cast.riverside, roster_csv(rows + swapped))

    assert summary["update"] == 2
    assert cast.person("nora").manager == cast.person("sam")


def test_a_manager_column_filled_down_by_mistake_is_refused(org: Organisation) -> None:
    # Each row's manager is the row above: one chain 60 people deep.
    rows = [person("P0")] + [person(f"P{n}", manager_external_id=f"P{n - 1}") for n in range(1, 60)]

    problems = import_problems(org, csv_file(rows))

    assert len(problems) == 9  # P51 to P59
    assert problems[0] == (
        "row 53, column manager_external_id: This person would have 51 managers above them; "
        "at most 50 are allowed (was the column filled down by mistake?)."
    )


def test_fifty_managers_above_someone_are_allowed(org: Organisation) -> None:
    rows = [person("P0")] + [person(f"P{n}", manager_external_id=f"P{n - 1}") for n in range(1, 51)]

    assert import_file(org, csv_file(rows))["create"] == 51
