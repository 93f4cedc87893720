"""A goals file is read by the same spreadsheet reader as the org chart: Excel's UTF-16 text
is read, and a file that is no spreadsheet gets the org import's message, worded for goals."""

from __future__ import annotations

import pytest

from accord.goals.importing import GoalImportError, import_goals
from accord.goals.models import Goal
from accord.org.importing import ImportFileError, plan_org_import
from tests.goals.conftest import Story

GOALS = """owner,title,metric,direction,baseline,target,due_date
chad,Door to doctor,Door to doctor minutes,decrease,42,30,2026-12-31
nora,Fewer patients leave unseen,Left without being seen,decrease,4.8,2.5,2026-12-31
"""
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
LEGACY_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def goal_problems(story: Story, content: bytes) -> list[str]:
    before = Goal.objects.count()
    with pytest.raises(GoalImportError) as error:
        import_goals(team=story.emergency, filename="goals.csv", content=content,
                     actor=story.cast.chair)  # fmt: skip
    assert Goal.objects.count() == before
    return [str(issue) for issue in error.value.issues]


def org_problems(story: Story, content: bytes) -> list[str]:
    with pytest.raises(ImportFileError) as error:
        plan_org_import(organisation=story.cast.riverside, filename="roster.csv", content=content)
    return [str(issue) for issue in error.value.issues]


def test_excels_utf16_unicode_text_export_is_imported(story: Story) -> None:
    content = GOALS.replace(",", "\t").encode("utf-16")  # byte-order mark first

    result = import_goals(team=story.emergency, filename="goals.txt", content=content,
                          actor=story.cast.chair)  # fmt: skip

    assert result.goals == 2
    assert Goal.objects.filter(title="Fewer patients leave unseen", owner__external_id="nora")


def test_a_pdf_named_csv_is_named_as_a_pdf(story: Story) -> None:
    [problem] = goal_problems(story, PDF)

    assert problem == (
        "This is a PDF document, not a CSV or XLSX file. "
        "Export the goals as CSV UTF-8 or as an Excel workbook (.xlsx)."
    )
    assert org_problems(story, PDF) == [problem.replace("the goals", "the org chart")]


def test_a_legacy_xls_workbook_gets_the_org_imports_message(story: Story) -> None:
    [problem] = goal_problems(story, LEGACY_XLS)

    assert "old Excel (.xls) file" in problem and ".xlsx" in problem
    assert org_problems(story, LEGACY_XLS) == [problem]


def test_damaged_utf16_text_gets_the_org_imports_message(story: Story) -> None:
    truncated = GOALS.replace(",", "\t").encode("utf-16")[:-1]  # an odd number of bytes

    [problem] = goal_problems(story, truncated)

    assert problem.startswith(
        "This file starts like Unicode (UTF-16) text but is not valid UTF-16."
    )
    assert org_problems(story, truncated) == [problem.replace("the goals", "the org chart")]


def test_a_latin1_file_names_the_row_and_column_of_each_bad_cell(story: Story) -> None:
    content = GOALS.replace("Door to doctor,", "Délai médecin,").encode("latin-1")

    assert goal_problems(story, content) == [
        "row 2, column title: 'Délai médecin' is not UTF-8 text (the file looks like Latin-1 "
        "or Windows-1252). Save the file as 'CSV UTF-8' and upload it again."
    ]


def test_a_nul_character_far_into_the_file_is_reported_on_its_cell(story: Story) -> None:
    rows = "".join(f"chad,Goal {n},Minutes,decrease,42,30,2026-12-31\n" for n in range(120))
    content = (GOALS + rows + "nora,Bad\x00title,Beds,decrease,10,8,2026-12-31\n").encode()
    assert b"\x00" not in content[:4096]  # past the check for binary files

    assert goal_problems(story, content) == [
        "row 124, column title: Contains a NUL character (byte 0), which no text has; the file "
        "may be damaged. Export it again from the program that made it."
    ]


def test_rows_are_numbered_as_the_spreadsheet_shows_them(story: Story) -> None:
    content = ("\n\n" + GOALS.replace("4.8,2.5", "4.8,lots")).encode()  # header on row 3

    problems = goal_problems(story, content)

    assert problems[0].startswith("row 5, column target:"), problems


def test_bytes_that_only_start_like_utf16_are_refused_by_both_imports(story: Story) -> None:
    content = b"\xff\xfe" + "owner\ttitle".encode("utf-16-be")  # byte order mark says LE

    [problem] = goal_problems(story, content)

    assert problem.startswith("This file is not UTF-8 text, and though it starts like Unicode")
    assert org_problems(story, content) == [problem.replace("the goals", "the org chart")]
